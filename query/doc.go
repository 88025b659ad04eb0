// Package query answers searches over an open index: the keyword leg
// (Bleve), the semantic leg (embeddings), filters, fusion, paging, snippets
// and related papers. The CLI and the HTTP server both call it, so they can
// never disagree.
package query

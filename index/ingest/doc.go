// Package ingest reads papers from the input formats `paperseek index`
// accepts: JSON lines (generic, arXiv metadata snapshot, BEIR corpus,
// OpenAlex works, Semantic Scholar Graph API and Datasets rows, mixed
// freely), JSON arrays (generic or CSL-JSON), API pages wrapping a list
// ({"results":[…]}, {"data":[…]}), CSV/TSV with a header, BibTeX/BibLaTeX,
// RIS, PubMed/MEDLINE XML and arXiv OAI-PMH XML, each optionally gzipped.
// The format is detected from the content, never from the file name.
//
// A Reader streams: memory stays bounded by one record (at most 16 MiB)
// whatever the size of the input. Problems come in two kinds. A bad record
// (invalid JSON on one line, no id, neither title nor abstract, a field of
// the wrong type, a broken BibTeX entry) is a *RecordError: the caller
// reports it and goes on. Any other error means the input itself is broken
// (truncated gzip, I/O error, a JSON array cut off, malformed XML) and the
// caller must stop.
//
// Besides papers, an input can remove papers: PubMed update files
// (DeleteCitation) and OAI-PMH records marked deleted. NextRecord yields
// both; Next yields the papers only. Semantic Scholar Datasets come as two
// files (papers and abstracts) joined on corpusid: read such a run with
// NewMultiReader or OpenAll, which join them (see multi.go).
package ingest

// Package vectors is the directory store's vector file: one generation's
// paper embeddings and the filter fields the semantic leg needs, in
// immutable segment files that are mapped read-only, never loaded.
//
// A query pays for the pages it touches: the rows of the few IVF lists
// whose centroids are nearest, scanned as int8 codes, and the float32 rows
// of the best candidates, re-scored exactly. Opening a set reads one small
// file (the segment list, deletions and centroids) and the fixed headers of
// the segments; nothing grows with the number of papers.
//
// The ranking a Search returns is a fixed total order over the papers that
// pass the filter: (probe group, cosine descending, id ascending), where
// group 0 is the papers in the lists nearest the query and group 1 all the
// others. It does not depend on n, so the answer for n is a prefix of the
// answer for any larger n, with and without filters: paging never repeats
// or skips a paper.
//
// A generation's vectors are one or more segments plus a deletion set; an
// index run that adds a few hundred papers writes one small segment and
// hard-links the others (see Builder).
package vectors

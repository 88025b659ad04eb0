// Package cache is a persistent, content-addressed store of embeddings, so
// that re-indexing the same texts never pays an embedding server twice and a
// run that was interrupted resumes where it stopped.
//
// A Cache lives in its own directory inside the index (e.g. <index>/cache),
// outside the index's generations: a crashed or aborted index run leaves the
// generations untouched but keeps every embedding already paid for.
//
// Each fingerprint (embedder name, model, dimensions, prefixes) has its own
// append-only file. A record is sha256(text) + the vector + a CRC-32C, all
// records of a file are the same size, and each Put is appended and fsynced
// before it returns. On Open a torn or corrupt tail is truncated away and
// corrupt records elsewhere are skipped, so a damaged file costs at most the
// damaged entries, never a crash.
//
// Only the hash → record number map is held in memory (about 80 bytes an
// entry: ~10 MB for 119k papers); vectors are read from the file on Get. At
// 1536 dimensions the vectors of 119k papers are ~730 MB, which the indexer
// must not hold on top of everything else, and a Get is one pread served
// from the page cache while the index is being built.
//
// A Cache is safe for concurrent use by the goroutines of one process. One
// writing process at a time is the caller's guarantee (the index lock).
package cache

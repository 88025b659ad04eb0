// Package cluster is paperseek's index on a Weaviate cluster: the
// index.Store and index.Writer behind `--index weaviate://HOST:PORT/COLLECTION`
// (weaviates:// over HTTPS), registered for both schemes, so every command
// works on it unchanged.
//
// What lives where. The papers are one collection (COLLECTION): every field
// of a paper, the ranking text already analysed by paperseek's own `en`
// analyzer (whitespace-tokenised, so Weaviate indexes exactly paperseek's
// terms), its length, and the paper's vector. A second, small collection
// (COLLECTION_paperseek) holds blobs: the manifest (embedder fingerprint,
// counts, generation, recorded state) and the local embedder's model, so a
// server on another machine given only the URL answers exactly as the one
// that indexed.
//
// Same ranking as a directory index. The keyword leg asks Weaviate's bm25
// for candidates (with their term frequencies, explainScore) and re-scores
// them with textbook BM25 over the whole collection's statistics (document
// frequencies from Aggregate counts, document count and average length from
// the manifest), as index/local does over Bleve's candidates: Weaviate's
// own scores use per-shard statistics and differ from shard to shard. The
// semantic leg is nearVector (cosine). Fusion, --explain, snippets and
// related are the query layer's, unchanged. `--fusion native` asks
// Weaviate's own hybrid instead (Store.Hybrid, index.Hybrider).
//
// Loud failures. Weaviate leaves a shard whose every replica is down out of
// its answers without any error. So every read is followed by a coverage
// check (/v1/nodes: does every shard have a replica on a healthy node?),
// and an incomplete cluster is an error wrapping index.ErrUnavailable (exit
// 1, HTTP 503 backend_unavailable), never a shorter list. Reads and writes
// on a replicated collection use QUORUM.
//
// No atomic commits. A cluster has no generation to switch: Add and
// Delete are buffered in memory and written at Commit (so a failed or
// interrupted run writes nothing before Commit), and Commit writes papers
// in batches under stable object ids (UUIDv5 of the paper id), so an
// interrupted Commit is completed by running the same index command again —
// never duplicated. Readers see the papers of a Commit as they land; the
// manifest is written last.
//
// One writer at a time. An index run holds a lease (lease.go) in the meta
// collection from BeginWrite to Commit or Abort, renewed while it runs; a
// second run fails at once with index.ErrLocked, a crashed run's lease
// expires. Weaviate has no compare-and-swap: lease.go says what window
// remains.
package cluster

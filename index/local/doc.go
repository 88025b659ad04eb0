// Package local is the directory store: an index in a directory on this
// machine, in generations switched atomically by a manifest.
//
// A generation holds a Bleve keyword index, the vectors of every paper and,
// for the local embedder, its model. An index run (Writer) builds the next
// generation beside the current one — Bleve's immutable segment files
// hard-linked, everything new written to temporary files, synced and
// renamed — and only then replaces manifest.json by an atomic rename, the
// single commit point. A run that dies at any moment leaves the previous
// generation exactly as it was. One writer at a time holds DIR/LOCK.
//
// Readers (Store) open whatever generation the manifest names and touch
// only the files a call needs.
package local

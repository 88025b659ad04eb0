// Package embed turns paper texts and queries into vectors. An index is built
// with exactly one Embedder and remembers its Fingerprint, so documents and
// queries always live in the same vector space.
package embed

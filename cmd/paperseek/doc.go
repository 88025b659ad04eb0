// Command paperseek searches scientific paper abstracts: keyword (Bleve)
// and semantic (embeddings) rankings fused, from the command line or over
// HTTP. See README.md and the contract in docs.
package main

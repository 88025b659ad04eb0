// Package index is what every paperseek store shares: the paper model, the
// Store and Writer interfaces the query layer and the CLI talk to, the
// filter and keyword query types, the one text analysis both legs rank
// with, and opening a store from its location — a directory (index/local)
// or a cluster URL such as weaviate://host:8080/Papers (index/weaviate).
//
// Stores register themselves (Register) when their package is imported, so
// nothing here names a concrete store, and nothing here names a concrete
// embedder: a store records its embedder's state (embed.State) and the
// embed package re-creates the embedder from it.
package index

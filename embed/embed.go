package embed

import (
	"context"
	"fmt"
)

// Fingerprint identifies a vector space. Two embedders with different
// fingerprints must never share an index: mixing models silently ruins
// ranking, so a mismatch is refused with a hint to --rebuild.
type Fingerprint struct {
	Name        string `json:"name"`  // "local" or "openai"
	Model       string `json:"model"` // e.g. "ppmi-sif-v1", "text-embedding-3-small"
	Dimensions  int    `json:"dimensions"`
	DocPrefix   string `json:"doc_prefix,omitempty"`
	QueryPrefix string `json:"query_prefix,omitempty"`
}

// String is the short form shown to users, e.g. "openai/text-embedding-3-small (1536 dims)".
func (f Fingerprint) String() string {
	s := fmt.Sprintf("%s/%s (%d dims)", f.Name, f.Model, f.Dimensions)
	if f.DocPrefix != "" || f.QueryPrefix != "" {
		s += fmt.Sprintf(" prefixes %q/%q", f.DocPrefix, f.QueryPrefix)
	}
	return s
}

// Embedder maps texts to unit-length vectors of Fingerprint().Dimensions.
// Documents and queries are separate calls because many models want a
// different prefix for each (e5, bge, nomic).
type Embedder interface {
	Fingerprint() Fingerprint
	// EmbedDocuments returns one vector per text, in the same order.
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
	// EmbedQuery embeds one search query.
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}

// VocabularyCounter is implemented by embedders whose model knows a fixed
// set of words (local). An index run that embeds new papers with a stored
// model uses it (Coverage) to notice papers whose words the model never
// saw: their vectors then say little, and the user is told to --retrain.
type VocabularyCounter interface {
	// Words calls fn for every word of text, as the model cuts text into
	// words, saying whether the model has a vector for it.
	Words(text string, fn func(word string, known bool))
}

// Document is a text to embed with, when its caller has them already, the
// words an analyzer cut it into.
type Document struct {
	Text string
	// Terms, when not nil, are exactly the terms Bleve's stock `en`
	// analyzer gives for Text, in order, repeats kept (for an empty text,
	// an empty non-nil slice). An embedder that cuts text with that
	// analyzer may use them instead of analysing Text again; any other
	// embedder reads Text. nil means not known.
	Terms []string
}

// DocumentEmbedder is implemented by embedders that can use
// Document.Terms (local, whose default tokenizer is that analyzer).
// EmbedDocs must return what EmbedDocuments returns for the documents'
// texts, bit for bit.
type DocumentEmbedder interface {
	EmbedDocs(ctx context.Context, docs []Document) ([][]float32, error)
}

// EmbedDocs embeds docs with emb: through their terms when emb can use
// them, else through their texts.
func EmbedDocs(ctx context.Context, emb Embedder, docs []Document) ([][]float32, error) {
	if de, ok := emb.(DocumentEmbedder); ok {
		return de.EmbedDocs(ctx, docs)
	}
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.Text
	}
	return emb.EmbedDocuments(ctx, texts)
}

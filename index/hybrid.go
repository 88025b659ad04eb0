package index

import "context"

// Hybrider is implemented by a store that can fuse its keyword and
// semantic legs itself, in one request: a Weaviate cluster's native hybrid
// search. The query layer uses it for `--fusion native`; a store without
// it (a directory index) fuses only with paperseek's own blend or RRF.
type Hybrider interface {
	// Hybrid ranks the papers f keeps by the store's own fusion of its
	// keyword ranking of q.Text and its nearest neighbours of q.Vector,
	// best first, at most n; prefix-stable in n like Keyword.
	Hybrid(ctx context.Context, q HybridQuery, f Filter, n int) ([]HybridHit, error)
}

// HybridQuery is one native hybrid search.
type HybridQuery struct {
	// Text is the keyword leg's query, analysed by the store.
	Text string
	// Vector is the semantic leg's query vector; nil ranks by keywords
	// alone (no model yet).
	Vector []float32
	// KeywordWeight is the keyword leg's share of the fused score, 0..1.
	KeywordWeight float64
	// Ranked fuses by rank (reciprocal rank, k 60) instead of by each
	// leg's min-max normalised score.
	Ranked bool
}

// HybridHit is one paper of a native hybrid ranking: its fused score and
// what each leg added to it, as the store reports them.
type HybridHit struct {
	ID                string
	Score             float64
	Keyword, Semantic float64
}

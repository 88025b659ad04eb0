package query

import (
	"context"
	"math"

	"github.com/paperseek/paperseek/embed"
)

// Tuning holds the ranking defaults for one embedder, each chosen by
// measurement (bench/quality.sh; numbers in the README).
type Tuning struct {
	// KeywordWeight is the keyword leg's weight in blend fusion.
	KeywordWeight float64
	// KeywordBM25 re-scores the hybrid's keyword leg with textbook BM25
	// (bm25.go). Keyword mode stays Bleve's own ranking.
	KeywordBM25 bool
	// PRFDocs, when > 0, moves the query vector toward the mean vector of
	// the top PRFDocs keyword hits before the semantic leg runs
	// (pseudo-relevance feedback in embedding space).
	PRFDocs int
	// PRFAlpha is the query's own share of the moved vector.
	PRFAlpha float64
}

// DefaultTuning returns the measured defaults for fp's embedder.
func DefaultTuning(fp embed.Fingerprint) Tuning {
	switch fp.Name {
	case "local":
		// SciFact-train / CISI nDCG@10: 0.7034 / 0.4237 (BM25 leg, 0.75);
		// Bleve's scores at 0.7 gave 0.6979 / 0.4251.
		return Tuning{KeywordWeight: 0.75, KeywordBM25: true}
	default:
		// Not measurable here (no network): a strong neural embedder wants
		// a larger semantic share than the corpus-trained one (DESIGN.md).
		return Tuning{KeywordWeight: 0.5, KeywordBM25: true}
	}
}

// feedback returns norm(α·q̂ + (1−α)·mean of the top keyword hits' vectors),
// or q unchanged when there is nothing to learn from.
func (e *Engine) feedback(_ context.Context, q []float32, kw []Hit) []float32 {
	n := min(e.tuning.PRFDocs, len(kw))
	if n == 0 {
		return q
	}
	mean := make([]float64, len(q))
	used := 0
	for _, h := range kw[:n] {
		v, ok := e.ix.Vectors().Get(h.ID)
		if !ok || len(v) != len(q) {
			continue
		}
		for i, x := range v {
			mean[i] += float64(x)
		}
		used++
	}
	if used == 0 {
		return q
	}
	alpha := e.tuning.PRFAlpha
	qn := norm32(q)
	out := make([]float32, len(q))
	var ss float64
	for i := range out {
		x := (1 - alpha) * mean[i] / float64(used)
		if qn > 0 {
			x += alpha * float64(q[i]) / qn
		}
		out[i] = float32(x)
		ss += x * x
	}
	if ss == 0 {
		return q
	}
	inv := 1 / math.Sqrt(ss)
	for i := range out {
		out[i] = float32(float64(out[i]) * inv)
	}
	return out
}

func norm32(v []float32) float64 {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	return math.Sqrt(ss)
}

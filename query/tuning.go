package query

import (
	"github.com/paperseek/paperseek/embed"
)

// Tuning holds the ranking defaults for one embedder, each chosen by
// measurement (bench/quality.sh; numbers in the README). Pseudo-relevance
// feedback in embedding space was measured too (bench/embedlab): at most
// ±0.01 nDCG@10 once fused, and it would serialise the two legs, so the
// query vector is used as embedded.
type Tuning struct {
	// KeywordWeight is the keyword leg's weight in blend fusion.
	KeywordWeight float64
	// KeywordBM25 re-scores the hybrid's keyword leg with textbook BM25
	// (bm25.go). Keyword mode stays Bleve's own ranking.
	KeywordBM25 bool
}

// DefaultTuning returns the measured defaults for fp's embedder.
func DefaultTuning(fp embed.Fingerprint) Tuning {
	switch fp.Name {
	case "local":
		// SciFact-train / CISI nDCG@10: 0.7034 / 0.4237 (BM25 leg, 0.75);
		// Bleve's scores at 0.7 gave 0.6979 / 0.4251.
		return Tuning{KeywordWeight: 0.75, KeywordBM25: true}
	default:
		// Not measurable here (no network). A strong neural embedder wants
		// a larger semantic share than the corpus-trained one: users of
		// hybrid engines with such embedders report equal weights or more
		// semantic as their best, where 0.75 keyword suits the local one.
		return Tuning{KeywordWeight: 0.5, KeywordBM25: true}
	}
}

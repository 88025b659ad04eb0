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
}

// DefaultTuning returns the measured defaults for fp's embedder.
func DefaultTuning(fp embed.Fingerprint) Tuning {
	switch fp.Name {
	case "local":
		// SciFact-train / CISI nDCG@10 with blend's scaled min-max:
		// 0.7038 / 0.4245 at 0.85; 0.6914 / 0.4240 at 0.75, 0.6972 /
		// 0.4254 at 0.8, 0.7031 / 0.4227 at 0.9 (README).
		return Tuning{KeywordWeight: 0.85}
	default:
		// Not measurable here (no network). A strong neural embedder wants
		// a larger semantic share than the corpus-trained one: users of
		// hybrid engines with such embedders report equal weights or more
		// semantic as their best, where 0.75 keyword suits the local one.
		return Tuning{KeywordWeight: 0.5}
	}
}

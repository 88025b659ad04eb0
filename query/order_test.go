package query

import (
	"slices"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// --sort date orders the relevant papers (the relevance ranking's top
// DateDepth above the floor) newest first, ties by id, in every mode, and
// its pages continue one another.
func TestSortByDate(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			rel := search(t, Request{Query: "language model inference", Mode: mode, K: DateDepth})
			byDate := search(t, Request{Query: "language model inference", Mode: mode, K: 1000, Sort: SortDate})
			if len(byDate.Results) != len(rel.Results) || len(rel.Results) < 10 {
				t.Fatalf("%d papers by date, %d by relevance", len(byDate.Results), len(rel.Results))
			}
			want := resultIDs(rel)
			for i, r := range byDate.Results {
				if !slices.Contains(want, r.ID) {
					t.Errorf("%s sorted by date is not among the relevant papers", r.ID)
				}
				if i == 0 {
					continue
				}
				prev := byDate.Results[i-1]
				if d, p := paperDate(r.Paper), paperDate(prev.Paper); d > p || d == p && r.ID < prev.ID {
					t.Errorf("result %d (%s %s) comes after %s %s", i+1, d, r.ID, p, prev.ID)
				}
				if r.Rank != i+1 {
					t.Errorf("result %d has rank %d", i+1, r.Rank)
				}
			}
			var paged []string
			for off := 0; off < len(byDate.Results); off += 9 {
				paged = append(paged, resultIDs(search(t, Request{Query: "language model inference", Mode: mode, K: 9, Offset: off, Sort: SortDate}))...)
			}
			if !slices.Equal(paged, resultIDs(byDate)) {
				t.Errorf("pages by date differ from one long page")
			}
		})
	}
}

func TestPaperDate(t *testing.T) {
	dated := paperDate(index.Paper{Published: "2025-01-01", Year: 2025})
	yearOnly := paperDate(index.Paper{Year: 2025})
	older := paperDate(index.Paper{Published: "2024-12-31"})
	none := paperDate(index.Paper{})
	if !(dated > yearOnly && yearOnly > older && older > none) {
		t.Errorf("order %q %q %q %q: want a day, its year alone, the day before, nothing", dated, yearOnly, older, none)
	}
}

// The floor keeps what scores at least it, in order; nil means the default
// for a search and none for related lookups; bad values are refused.
func TestMinScore(t *testing.T) {
	all := search(t, Request{Query: "memory", K: 100, MinScore: floor(0)})
	def := search(t, Request{Query: "memory", K: 100})
	cut := search(t, Request{Query: "memory", K: 100, MinScore: floor(0.2)})
	for _, r := range def.Results {
		if r.Score < DefaultMinScore {
			t.Errorf("default floor kept %s scoring %v", r.ID, r.Score)
		}
	}
	if len(cut.Results) == 0 || len(cut.Results) >= len(all.Results) || !slices.Equal(resultIDs(cut), resultIDs(all)[:len(cut.Results)]) {
		t.Errorf("floor 0.2 kept %d of %d, or reordered them", len(cut.Results), len(all.Results))
	}
	if len(def.Results) >= len(all.Results) {
		t.Errorf("the default floor cut nothing of %d results; the test shows nothing", len(all.Results))
	}
	for _, bad := range []Request{{Query: "x", MinScore: floor(-0.1)}, {Query: "x", MinScore: floor(1.5)}, {Query: "x", Sort: "newest"}} {
		if _, err := testEngine.Search(t.Context(), bad); !IsBadRequest(err) {
			t.Errorf("%+v: %v, want a bad request", bad, err)
		}
	}
}

// In a single-leg mode the score is that leg's on blend's scale (a share
// of the attainable BM25, in [0, 1]; the cosine), the explanation says so,
// and the leg's raw score stays in Keyword.
func TestSingleLegScoreScale(t *testing.T) {
	resp := search(t, Request{Query: "speculative decoding", Mode: ModeKeyword, K: 5, Explain: true})
	for _, r := range resp.Results {
		if r.Score <= 0 || r.Score > 1 || r.Keyword == nil || r.Keyword.Score <= r.Score {
			t.Errorf("%s: score %v, raw BM25 %+v: want a share in (0, 1] of a larger raw score", r.ID, r.Score, r.Keyword)
		}
		if r.Explain == nil || r.Explain.Keyword != r.Score {
			t.Errorf("%s: explanation %+v does not add up to the score %v", r.ID, r.Explain, r.Score)
		}
	}
}

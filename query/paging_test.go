package query

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// Paging continues at any depth, in every mode and fusion, with and
// without filters: pages of 100 (and of 97, which straddle the keyword
// leg's re-scoring blocks of 200) laid end to end give the one list of
// k = 1000, past rank 500, on 900 papers that all match the query. Hybrid
// paging once broke past rank ~200: the keyword leg re-scored Bleve's top
// max(n, 200) as one block, so the fused top changed with the page.
func TestDeepPaging(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 900-paper index")
	}
	ctx := context.Background()
	e := deepEngine(t, 900)
	filters := []struct {
		name string
		f    Filter
	}{
		{"no filter", Filter{}},
		{"years", Filter{Years: YearRange{From: 2019, To: 2024}}},
		{"categories", Filter{Categories: []string{"cs.CL", "cs.LG"}}},
	}
	runs := []struct {
		mode   Mode
		fusion string
	}{{ModeHybrid, FusionBlend}, {ModeHybrid, FusionRRF}, {ModeKeyword, ""}, {ModeSemantic, ""}}
	for _, run := range runs {
		for _, f := range filters {
			name := fmt.Sprintf("%s %s %s", run.mode, run.fusion, f.name)
			// No score floor: past both legs' top FusionDepth a hybrid
			// score is 0, which the default floor cuts (TestMinScore).
			req := Request{Query: "language model inference memory", Mode: run.mode, Fusion: run.fusion, Filter: f.f, IDsOnly: true, MinScore: floor(0)}
			all := req
			all.K = 1000
			resp, err := e.Search(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			want := resultIDs(resp)
			if len(want) <= 500 {
				t.Fatalf("%s: %d results; the test must page past 500", name, len(want))
			}
			for _, size := range []int{100, 97} {
				var got []string
				for off := 0; off < len(want); off += size {
					page := req
					page.K, page.Offset = size, off
					resp, err := e.Search(ctx, page)
					if err != nil {
						t.Fatal(err)
					}
					for i, r := range resp.Results {
						if r.Rank != off+i+1 {
							t.Fatalf("%s: offset %d result %d has rank %d", name, off, i, r.Rank)
						}
					}
					got = append(got, resultIDs(resp)...)
				}
				if i := firstDifference(got, want); i >= 0 {
					t.Errorf("%s: pages of %d differ from the list of 1000 at rank %d (of %d and %d)", name, size, i+1, len(got), len(want))
				}
			}
		}
	}
}

func firstDifference(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// deepEngine indexes n synthetic papers made of the demo corpus's words,
// each holding one to four of the test query's words (so every paper
// matches it, with widely varying BM25 and tf-idf scores), with years
// 2018–2025 and one of three categories.
func deepEngine(t *testing.T, n int) *Engine {
	t.Helper()
	demo, err := demoPapers("../testdata/papers.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var vocab []string
	for _, p := range demo {
		vocab = append(vocab, strings.Fields(strings.ToLower(p.Abstract))...)
	}
	queryWords := strings.Fields("language model inference memory")
	rng := rand.New(rand.NewPCG(7, 13))
	papers := make([]index.Paper, n)
	for i := range papers {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString(queryWords[rng.IntN(len(queryWords))] + " ")
		}
		for range 20 + rng.IntN(120) {
			b.WriteString(vocab[rng.IntN(len(vocab))] + " ")
		}
		papers[i] = index.Paper{
			ID:         fmt.Sprintf("deep-%04d", i),
			Title:      fmt.Sprintf("Synthetic paper %d", i),
			Abstract:   b.String(),
			Year:       2018 + i%8,
			Categories: []string{testCategories[i%3]},
		}
	}
	dir := t.TempDir()
	ctx := context.Background()
	w, err := index.BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, _, err := w.Add(ctx, papers); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return New(ix, Options{})
}

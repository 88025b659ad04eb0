package local

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// The keyword leg reads tf, df and document lengths from Bleve's postings
// and norms. Check it against BM25 computed the slow, obvious way: analyse
// every stored paper and count.
func TestBM25MatchesBruteForce(t *testing.T) {
	dir := t.TempDir()
	papers := corpus(60, "p")
	build(t, dir, index.WriteOptions{}, papers)
	s := open(t, dir)
	ctx := context.Background()
	type doc struct {
		tf  map[string]int
		len int
	}
	docs := map[string]doc{}
	df := map[string]int{}
	total := 0
	for _, p := range papers {
		d := doc{tf: map[string]int{}}
		for _, term := range index.Terms(p.Text()) {
			d.tf[term]++
			d.len++
		}
		for term := range d.tf {
			df[term]++
		}
		total += d.len
		docs[p.ID] = d
	}
	n := float64(len(docs))
	avgdl := float64(total) / n
	if got, err := s.avgLength(); err != nil || math.Abs(got-avgdl) > 1e-9 {
		t.Fatalf("stored average length %v (%v), brute force %v", got, err, avgdl)
	}
	for _, q := range []string{"speculative decoding", "kv cache cache compression", "protein folding attention networks", "zzzz"} {
		qtf := map[string]int{}
		for _, term := range index.Terms(q) {
			qtf[term]++
		}
		hits, err := s.Keyword(ctx, index.KeywordQuery{Text: q}, index.Filter{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hits {
			d := docs[h.ID]
			var want float64
			for term, qn := range qtf {
				tf := float64(d.tf[term])
				if tf == 0 {
					continue
				}
				idf := math.Log(1 + (n-float64(df[term])+0.5)/(float64(df[term])+0.5))
				want += float64(qn) * idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(d.len)/avgdl))
			}
			if math.Abs(h.Score-want) > 1e-6*max(1, want) {
				t.Errorf("%q: %s scored %v, brute force %v", q, h.ID, h.Score, want)
			}
			if i > 0 && h.Score > hits[i-1].Score {
				t.Errorf("%q: scores rise at %d", q, i)
			}
		}
		if q == "zzzz" && len(hits) != 0 {
			t.Errorf("a word no paper has found %d papers", len(hits))
		}
	}
}

// The keyword ranking for n is a prefix of the ranking for any larger n,
// across the re-scoring blocks and with filters: the property paging rests
// on. (Re-scoring Bleve's top max(n, 200) as one block broke it.)
func TestKeywordIsPrefixStable(t *testing.T) {
	dir := t.TempDir()
	// Lengths and term counts vary widely, so BM25 and Bleve's tf-idf
	// disagree about the order of many papers.
	papers := corpus(1500, "p")
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("speculative decoding draft model memory transformers")
	for i := range papers {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(words[rng.IntN(len(words))] + " ")
		}
		for range rng.IntN(120) {
			fmt.Fprintf(&b, "filler%d ", rng.IntN(400))
		}
		papers[i].Abstract += " " + b.String()
	}
	build(t, dir, index.WriteOptions{}, papers)
	s := open(t, dir)
	ctx := context.Background()
	for _, f := range []index.Filter{{}, {Years: index.YearRange{From: 2021, To: 2023}}, {Categories: []string{"cs.CL", "cs.LG"}}} {
		q := index.KeywordQuery{Text: "speculative decoding draft model memory transformers"}
		full, err := s.Keyword(ctx, q, f, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(full) < 450 {
			t.Fatalf("filter %+v: only %d hits; the test needs more than two blocks", f, len(full))
		}
		for _, n := range []int{1, 10, 99, 199, 200, 201, 250, 399, 401, 600} {
			got, err := s.Keyword(ctx, q, f, n)
			if err != nil {
				t.Fatal(err)
			}
			if ids(got) != ids(full[:min(n, len(full))]) {
				t.Errorf("filter %+v: the top %d is not a prefix of the top 1000", f, n)
			}
		}
		seen := map[string]bool{}
		for _, h := range full {
			if seen[h.ID] {
				t.Fatalf("filter %+v: %s ranked twice", f, h.ID)
			}
			seen[h.ID] = true
		}
	}
}

// ids joins hits' ids, for comparing rankings.
func ids(hits []index.Hit) string {
	s := make([]string, len(hits))
	for i, h := range hits {
		s[i] = h.ID
	}
	return strings.Join(s, ",")
}

// The keyword leg skips, term by term, the papers that can no longer reach
// the top n (accumulator.bm25). Its top n must be exactly the top n of
// BM25 computed for every paper the slow, obvious way, with and without a
// filter, for queries mixing rare words (walked) and common ones (skipped
// through).
func TestKeywordTopIsExact(t *testing.T) {
	dir := t.TempDir()
	papers := corpus(1200, "p")
	rng := rand.New(rand.NewPCG(3, 4))
	// Word k of the vocabulary appears in about 1/(k+1) of the papers.
	vocab := strings.Fields("model learning network data method rare0 rare1 rare2 rare3 rare4 rare5 rare6 rare7 rare8 rare9 rare10 rare11")
	for i := range papers {
		var b strings.Builder
		for k, w := range vocab {
			for range rng.IntN(3) {
				if rng.IntN(k+1) == 0 {
					b.WriteString(w + " ")
				}
			}
		}
		for range rng.IntN(80) {
			fmt.Fprintf(&b, "filler%d ", rng.IntN(300))
		}
		papers[i].Abstract += " " + b.String()
	}
	build(t, dir, index.WriteOptions{}, papers)
	one := open(t, dir)
	// serve's store walks postings decoded in its cache (postings.go),
	// here one small enough that words are evicted between queries.
	served := open(t, dir)
	if err := served.Preload(); err != nil {
		t.Fatal(err)
	}
	served.postings.Store(newPostingCache(4 * 1200 * bytesPerPosting))
	ctx := context.Background()
	n := float64(len(papers))
	df := map[string]int{}
	tfs := make([]map[string]int, len(papers))
	lens := make([]int, len(papers))
	total := 0
	for i, p := range papers {
		tfs[i] = map[string]int{}
		for _, term := range index.Terms(p.Text()) {
			tfs[i][term]++
			lens[i]++
		}
		for term := range tfs[i] {
			df[term]++
		}
		total += lens[i]
	}
	avgdl := float64(total) / n
	// Before pruning, nth reads a sample of the touched papers: the
	// default (more than this corpus) and one smaller than what common
	// words touch here.
	defer func(s int) { nthSample = s }(nthSample)
	for _, sample := range []int{nthSample, 50} {
		nthSample = sample
		for _, f := range []index.Filter{{}, {Years: index.YearRange{From: 2021, To: 2022}}} {
			for _, q := range []string{"rare7 model learning network data", "rare2 rare9 method model", "rare11 learning", "model network", "rare0 rare1 rare3 rare4 rare5 data method model learning"} {
				want := map[string]float64{}
				var order []float64
				for i, p := range papers {
					if f.Years.From != 0 && (p.Year < f.Years.From || p.Year > f.Years.To) {
						continue
					}
					var sc float64
					for _, term := range index.Terms(q) {
						tf := float64(tfs[i][term])
						if tf == 0 {
							continue
						}
						idf := math.Log(1 + (n-float64(df[term])+0.5)/(float64(df[term])+0.5))
						sc += idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(lens[i])/avgdl))
					}
					if sc > 0 {
						want[p.ID] = sc
						order = append(order, sc)
					}
				}
				slices.SortFunc(order, func(a, b float64) int { return cmp.Compare(b, a) })
				for _, k := range []int{1, 5, 10, 50, 100, 400, 5000} {
					hits, err := one.Keyword(ctx, index.KeywordQuery{Text: q}, f, k)
					if err != nil {
						t.Fatal(err)
					}
					// Twice from the server's store: decoding into the
					// cache, then from it. The same papers, the same floats.
					for range 2 {
						cached, err := served.Keyword(ctx, index.KeywordQuery{Text: q}, f, k)
						if err != nil {
							t.Fatal(err)
						}
						if !slices.Equal(cached, hits) {
							t.Fatalf("%q %+v top %d: with the postings cache\n%v\nwithout\n%v", q, f, k, cached, hits)
						}
					}
					if len(hits) != min(k, len(order)) {
						t.Fatalf("%q %+v top %d: %d hits, want %d", q, f, k, len(hits), min(k, len(order)))
					}
					for i, h := range hits {
						w, ok := want[h.ID]
						if !ok || math.Abs(h.Score-w) > 1e-6*max(1, w) {
							t.Fatalf("%q %+v top %d: %s scored %v, brute force %v (matched: %v)", q, f, k, h.ID, h.Score, w, ok)
						}
						if math.Abs(h.Score-order[i]) > 1e-6*max(1, w) {
							t.Fatalf("%q %+v top %d: rank %d scores %v, the brute-force ranking %v", q, f, k, i+1, h.Score, order[i])
						}
					}
				}
			}
		}
	}
}

// A keyword search on a closed store (an engine that outlived it) is an
// error, not a crash: the postings are read through Bleve's reader, which
// does not check.
func TestKeywordAfterClose(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(20, "p"))
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Keyword(context.Background(), index.KeywordQuery{Text: "speculative decoding"}, index.Filter{}, 10); err == nil {
		t.Fatal("a keyword search on a closed store succeeded")
	}
}

package query

import (
	"context"
	"math"
	"testing"
)

// The BM25 leg reads tf, df and document lengths from Bleve's postings and
// norms. Check it against BM25 computed the slow, obvious way: analyse
// every stored paper and count.
func TestBM25MatchesBruteForce(t *testing.T) {
	e := testEngine
	ctx := context.Background()
	type doc struct {
		tf  map[string]int
		len int
	}
	docs := map[string]doc{}
	df := map[string]int{}
	total := 0
	for _, id := range e.ix.Vectors().IDs() {
		p, err := e.ix.Paper(id)
		if err != nil {
			t.Fatal(err)
		}
		d := doc{tf: map[string]int{}}
		for _, tok := range e.analyzer.Analyze([]byte(p.Text())) {
			d.tf[string(tok.Term)]++
			d.len++
		}
		for term := range d.tf {
			df[term]++
		}
		total += d.len
		docs[id] = d
	}
	n := float64(len(docs))
	avgdl := float64(total) / n
	if got := e.ix.Vectors().AvgLength(); math.Abs(got-avgdl) > 1e-9 {
		t.Fatalf("stored average length %v, brute force %v", got, avgdl)
	}
	for _, q := range []string{"speculative decoding", "kv cache cache compression", "memory bandwidth of GPU inference", "zzzz"} {
		qtf := map[string]int{}
		for _, tok := range e.analyzer.Analyze([]byte(q)) {
			qtf[string(tok.Term)]++
		}
		hits, err := e.bm25Leg(ctx, q, Filter{}, 100)
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

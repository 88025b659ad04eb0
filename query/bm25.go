package query

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	bsearch "github.com/blevesearch/bleve/v2/search"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/paperseek/paperseek/index"
)

// Textbook BM25 parameters (Robertson et al.), as DESIGN.md measured them.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// rescoreDepth is how many of Bleve's hits are re-scored. Bleve finds
	// the right candidates; only its scores are off (DESIGN.md), and the
	// top 200 re-scored gave the nDCG@10 of BM25 over the whole corpus.
	rescoreDepth = 200
)

// bm25Leg runs the keyword query through Bleve and re-scores its top
// rescoreDepth hits with textbook BM25 over the whole corpus's statistics:
// idf log(1+(N−df+0.5)/(df+0.5)), document length from Bleve's field norms,
// average length from the index. Bleve 2.6's own BM25 takes the average
// length per segment from distinct terms, so its scores drift as segments
// merge; its default tf-idf is stable but ranks worse.
func (e *Engine) bm25Leg(ctx context.Context, text string, f Filter, n int) ([]Hit, error) {
	q := e.matchQuery(text)
	matches, err := e.keywordMatches(ctx, q, f, max(n, rescoreDepth))
	if err != nil || len(matches) == 0 {
		return nil, err
	}
	qtf := map[string]int{}
	for _, t := range e.analyzer.Analyze([]byte(text)) {
		qtf[string(t.Term)]++
	}
	adv, err := e.ix.Keyword().Advanced()
	if err != nil {
		return nil, fmt.Errorf("keyword index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("keyword index: %w", err)
	}
	defer r.Close()
	docs, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("keyword index: %w", err)
	}
	avgdl := max(e.ix.Vectors().AvgLength(), 1)

	// Walk each query term's postings once, in internal-id order, stopping
	// at the candidates.
	byID := slices.Clone(matches)
	slices.SortFunc(byID, func(a, b *bsearch.DocumentMatch) int { return bytes.Compare(a.IndexInternalID, b.IndexInternalID) })
	scores := make(map[*bsearch.DocumentMatch]float64, len(matches))
	var tfd bindex.TermFieldDoc
	for term, qn := range qtf {
		tfr, err := r.TermFieldReader(ctx, []byte(term), index.FieldText, true, true, false)
		if err != nil {
			return nil, fmt.Errorf("keyword index: %w", err)
		}
		df := float64(tfr.Count())
		if df == 0 {
			tfr.Close()
			continue
		}
		idf := math.Log(1 + (float64(docs)-df+0.5)/(df+0.5))
		for _, m := range byID {
			got, err := tfr.Advance(m.IndexInternalID, &tfd)
			if err != nil {
				tfr.Close()
				return nil, fmt.Errorf("keyword index: %w", err)
			}
			if got == nil {
				break // no candidate further on has the term
			}
			if !bytes.Equal(got.ID, m.IndexInternalID) {
				continue
			}
			tf := float64(got.Freq)
			dl := 1 / (got.Norm * got.Norm)
			scores[m] += float64(qn) * idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*dl/avgdl))
		}
		tfr.Close()
	}
	hits := make([]Hit, len(matches))
	for i, m := range matches {
		hits[i] = Hit{ID: m.ID, Score: scores[m]}
	}
	slices.SortStableFunc(hits, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	return hits[:min(n, len(hits))], nil
}

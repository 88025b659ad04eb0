package query

import (
	"context"
	"slices"

	"github.com/paperseek/paperseek/index"
)

// KeywordMax is the highest BM25 score the query could reach in st: every
// term of the index it holds, weighted as the keyword leg weighs it, at
// full saturation, Σ w·idf·(k1+1). A paper holding all of the query's
// rare words scores a good share of it; one holding only a common word a
// small share, however well it ranks. Words no paper holds add nothing:
// the reference is the IDF mass the index holds for this query.
func KeywordMax(ctx context.Context, st index.Store, q index.KeywordQuery) (float64, error) {
	weights := map[string]float64{}
	if q.Terms != nil {
		for _, t := range q.Terms {
			if t.Term != "" && t.Weight > 0 {
				weights[t.Term] += t.Weight
			}
		}
	} else {
		for _, t := range index.Terms(q.Text) {
			weights[t]++
		}
	}
	if len(weights) == 0 {
		return 0, nil
	}
	terms := make([]string, 0, len(weights))
	for t := range weights {
		terms = append(terms, t)
	}
	slices.Sort(terms) // one summation order: the same score every time
	stats, err := st.TermStats(ctx, terms)
	if err != nil {
		return 0, err
	}
	var best float64
	for i, t := range terms {
		if stats.DF[i] == 0 {
			continue
		}
		best += weights[t] * index.IDF(stats.Docs, stats.DF[i]) * (index.BM25K1 + 1)
	}
	for _, p := range q.Phrases {
		pt := index.Terms(p)
		if len(pt) == 0 {
			continue
		}
		st, err := st.TermStats(ctx, pt)
		if err != nil {
			return 0, err
		}
		best += index.PhraseBonus(st)
	}
	return best, nil
}

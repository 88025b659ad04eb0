package cluster

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
)

// Textbook BM25, as index/local ranks.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// rescoreBlock is how many of Weaviate's bm25 hits are re-scored
	// together, as index/local re-scores Bleve's: the first block is the
	// top of the ranking whatever n is, and a larger n only appends
	// blocks, so the list for n is a prefix of the list for any larger n.
	rescoreBlock = 200
	// vectorBlock rounds nearVector limits up: HNSW's search list grows
	// with the limit, so asking for a fixed multiple keeps the top of the
	// ranking the same for every n within it.
	vectorBlock = 100
)

// where is f as a Weaviate filter, and a check the hits must pass besides
// when the filter could not say everything (an author substring holding *
// or ?, which Weaviate's Like cannot escape).
func where(f index.Filter) (w *wv.Where, keep func(authorsLC []string) bool) {
	var parts []*wv.Where
	if f.Years != (index.YearRange{}) {
		parts = append(parts, wv.IntRange(propYear, f.Years.From, f.Years.To))
	}
	if len(f.Categories) > 0 {
		parts = append(parts, wv.TextAny(propCategories, f.Categories...))
	}
	if f.Since != "" {
		day, ok := index.Day(f.Since)
		switch {
		case !ok:
			parts = append(parts, wv.IntRange(propPubDay, 1, -1)) // matches nothing
		case day == 0:
			// IntRange reads 0 as open; -1 keeps 1970-01-01 and excludes
			// papers without a date (they lack the property).
			parts = append(parts, wv.IntRange(propPubDay, -1, 0))
		default:
			parts = append(parts, wv.IntRange(propPubDay, day, 0))
		}
	}
	if f.Author != "" {
		sub := strings.ToLower(f.Author)
		like, exact := wv.LikeSubstring(propAuthorsLC, sub)
		parts = append(parts, like)
		if !exact {
			keep = func(authors []string) bool {
				return slices.ContainsFunc(authors, func(a string) bool { return strings.Contains(a, sub) })
			}
		}
	}
	return wv.And(parts...), keep
}

// search runs s (limit set by the caller) and returns at most limit hits
// that keep accepts. With keep, it asks for more until enough pass or the
// collection has no more.
func (st *Store) search(ctx context.Context, s wv.Search, keep func([]string) bool) ([]wv.Hit, error) {
	want := s.Limit
	if keep != nil {
		s.Properties = append(slices.Clone(s.Properties), propAuthorsLC)
	}
	for {
		res, err := st.c.Search(ctx, s)
		if err != nil {
			return nil, wrap("search", err)
		}
		hits := res[0]
		if keep == nil {
			return hits, nil
		}
		kept := hits[:0:0]
		for _, h := range hits {
			var authors []string
			_ = json.Unmarshal(h.Properties[propAuthorsLC], &authors)
			if keep(authors) {
				kept = append(kept, h)
			}
		}
		if len(kept) >= want || len(hits) < s.Limit {
			return kept[:min(want, len(kept))], nil
		}
		s.Limit *= 4
	}
}

// Keyword implements index.Store: Weaviate's bm25 finds the candidates
// (with each query term's frequency in them), and they are re-scored with
// textbook BM25 over the whole collection: idf log(1+(N−df+0.5)/(df+0.5))
// with df from Aggregate counts, N and the average length from the
// manifest, the length from the paper's own textLength.
func (st *Store) Keyword(ctx context.Context, q index.KeywordQuery, f index.Filter, n int) ([]index.Hit, error) {
	if n <= 0 {
		return nil, nil
	}
	weights := q.Weights(index.Terms)
	if len(weights) == 0 {
		return nil, nil
	}
	terms := slices.Sorted(func(yield func(string) bool) {
		for t := range weights {
			if !yield(t) {
				return
			}
		}
	})
	w, keep := where(f)
	limit := (n + rescoreBlock - 1) / rescoreBlock * rescoreBlock
	// The candidates and the document frequencies are independent: ask
	// for both at once.
	var (
		wg    sync.WaitGroup
		dfs   []int
		dfErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		dfs, dfErr = st.c.TermCounts(ctx, st.loc.Class, propText, terms)
	}()
	hits, err := st.search(ctx, wv.Search{Class: st.loc.Class, BM25: &wv.BM25{Query: strings.Join(terms, " "), Properties: []string{propText}},
		Where: w, Limit: limit, Properties: []string{propID, propTextLength}, Explain: true, Consistency: st.read}, keep)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if dfErr != nil {
		return nil, wrap("count term frequencies", dfErr)
	}
	if err := st.complete(ctx); err != nil {
		return nil, err
	}
	docs := float64(max(st.m.Papers, 1))
	avgdl := 1.0
	if st.m.Papers > 0 {
		avgdl = max(float64(st.m.Tokens)/float64(st.m.Papers), 1)
	}
	idf := make(map[string]float64, len(terms))
	for i, t := range terms {
		if df := float64(dfs[i]); df > 0 {
			idf[t] = math.Log(1 + (max(docs, df)-df+0.5)/(df+0.5))
		}
	}
	out := make([]index.Hit, len(hits))
	for i, h := range hits {
		var id string
		var dl float64
		if err := json.Unmarshal(h.Properties[propID], &id); err != nil || id == "" {
			return nil, wrap("search", &wv.Error{Op: "bm25", Kind: wv.ErrBadRequest, Messages: []string{"hit without " + propID}})
		}
		_ = json.Unmarshal(h.Properties[propTextLength], &dl)
		ex, err := wv.ParseExplain(h.Explain)
		if err != nil {
			return nil, wrap("read bm25 term frequencies", err)
		}
		score := 0.0
		// In the query's term order: a map's order would change the last
		// bits of the sum from run to run.
		for _, term := range terms {
			te, ok := ex.Terms[term]
			if !ok || te.Frequency == 0 {
				continue
			}
			qw := weights[term]
			tf := te.Frequency
			score += qw * idf[term] * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*dl/avgdl))
		}
		out[i] = index.Hit{ID: id, Score: score}
	}
	for lo := 0; lo < len(out); lo += rescoreBlock {
		block := out[lo:min(lo+rescoreBlock, len(out))]
		slices.SortStableFunc(block, func(a, b index.Hit) int {
			if c := cmp.Compare(b.Score, a.Score); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
	}
	return out[:min(n, len(out))], nil
}

// TermStats implements index.Store: the manifest's paper count and one
// Aggregate count per term.
func (st *Store) TermStats(ctx context.Context, terms []string) (index.TermStats, error) {
	dfs, err := st.c.TermCounts(ctx, st.loc.Class, propText, terms)
	if err != nil {
		return index.TermStats{}, wrap("count term frequencies", err)
	}
	if err := st.complete(ctx); err != nil {
		return index.TermStats{}, err
	}
	if dfs == nil {
		dfs = []int{}
	}
	return index.TermStats{Docs: st.m.Papers, DF: dfs}, nil
}

// Nearest implements index.Store: nearVector under the same filter, the
// score being the cosine similarity.
func (st *Store) Nearest(ctx context.Context, vec []float32, f index.Filter, n int) ([]index.Hit, error) {
	if n <= 0 || len(vec) == 0 {
		return nil, nil
	}
	w, keep := where(f)
	limit := (n + vectorBlock - 1) / vectorBlock * vectorBlock
	hits, err := st.search(ctx, wv.Search{Class: st.loc.Class, NearVector: vec, Where: w, Limit: limit,
		Properties: []string{propID}, Consistency: st.read}, keep)
	if err != nil {
		return nil, err
	}
	if err := st.complete(ctx); err != nil {
		return nil, err
	}
	out := make([]index.Hit, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		var id string
		if err := json.Unmarshal(h.Properties[propID], &id); err != nil || id == "" {
			return nil, wrap("search", &wv.Error{Op: "nearVector", Kind: wv.ErrBadRequest, Messages: []string{"hit without " + propID}})
		}
		out = append(out, index.Hit{ID: id, Score: 1 - h.Distance})
	}
	return out, nil
}

package cluster

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
)

// hybridBlock is the depth of one native hybrid request: Weaviate
// normalises (relativeScoreFusion) or ranks (rankedFusion) each leg over
// the candidates it fetched for the limit, so the same paper scores
// differently under another limit. Asking in fixed blocks keeps the top of
// the ranking the same for every n within a block.
const hybridBlock = 100

var _ index.Hybrider = (*Store)(nil)

// Hybrid implements index.Hybrider with Weaviate's own hybrid search: one
// request fusing its bm25 (weight q.KeywordWeight) and nearVector
// (weight 1 − q.KeywordWeight, Weaviate's alpha) by relativeScoreFusion,
// or rankedFusion when q.Ranked. Unlike Keyword, the keyword leg is
// Weaviate's own BM25, with per-shard statistics.
//
// Prefix-stable in n: the list for n blocks is the list for n−1 blocks
// followed by the best papers not yet in it from a request n blocks deep,
// so deeper pages cost one request per block (sent together in one
// GraphQL request when no client-side filter is needed).
func (st *Store) Hybrid(ctx context.Context, q index.HybridQuery, f index.Filter, n int) ([]index.HybridHit, error) {
	terms := index.Terms(q.Text)
	if n <= 0 || (len(terms) == 0 && len(q.Vector) == 0) {
		return nil, nil
	}
	alpha := 1 - q.KeywordWeight
	switch {
	case len(q.Vector) == 0:
		alpha = 0 // keywords alone: Weaviate then runs no vector search
	case len(terms) == 0:
		alpha = 1 // Weaviate skips the keyword leg of an empty query
	}
	fusion := wv.RelativeScoreFusion
	if q.Ranked {
		fusion = wv.RankedFusion
	}
	w, keep := where(f)
	blocks := (n + hybridBlock - 1) / hybridBlock
	searches := make([]wv.Search, blocks)
	for i := range searches {
		h := &wv.Hybrid{Query: strings.Join(terms, " "), Alpha: alpha, Fusion: fusion, Properties: []string{propText}}
		if alpha > 0 {
			h.Vector = q.Vector
		}
		searches[i] = wv.Search{Class: st.loc.Class, Hybrid: h, Where: w, Limit: (i + 1) * hybridBlock,
			Properties: []string{propID}, Explain: true, Consistency: st.read}
	}
	var lists [][]wv.Hit
	if keep == nil {
		res, err := st.c.Search(ctx, searches...)
		if err != nil {
			return nil, wrap("hybrid search", err)
		}
		lists = res
	} else {
		for _, s := range searches {
			hits, err := st.search(ctx, s, keep)
			if err != nil {
				return nil, err
			}
			lists = append(lists, hits)
		}
	}
	if err := st.complete(ctx); err != nil {
		return nil, err
	}
	var out []index.HybridHit
	seen := map[string]bool{}
	for i, hits := range lists {
		want := (i + 1) * hybridBlock
		for _, h := range hits {
			if len(out) == want {
				break
			}
			var id string
			if err := json.Unmarshal(h.Properties[propID], &id); err != nil || id == "" {
				return nil, wrap("hybrid search", &wv.Error{Op: "hybrid", Kind: wv.ErrBadRequest, Messages: []string{"hit without " + propID}})
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			kw, sem := hybridParts(h.Explain)
			out = append(out, index.HybridHit{ID: id, Score: h.Score, Keyword: kw, Semantic: sem})
		}
	}
	return out[:min(n, len(out))], nil
}

// hybridPart matches one leg's line of a hybrid hit's explainScore, as
// Weaviate v1.35 writes it: "Hybrid (Result Set keyword,bm25) Document UUID:
// original score 2.1, normalized score: 0.42" (relativeScoreFusion, the
// normalised score already weighted) or "Hybrid (Result Set
// vector,hybridVector) Document UUID contributed 0.0081 to the score"
// (rankedFusion); the set is "keyword,bm25" or "vector,hybridVector".
var hybridPart = regexp.MustCompile(`\(Result Set (keyword|vector)[^)]*\) Document \S+? ?(?::\s*original score \S+, normalized score: ([-+0-9.eE]+)|contributed ([-+0-9.eE]+) to the score)`)

// hybridParts reads what each leg added to a hybrid hit's score from its
// explainScore; 0 for a leg that did not return the hit.
func hybridParts(explain string) (keyword, semantic float64) {
	for _, m := range hybridPart.FindAllStringSubmatch(explain, -1) {
		s := m[2]
		if s == "" {
			s = m[3]
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			continue
		}
		if m[1] == "keyword" {
			keyword += v
		} else {
			semantic += v
		}
	}
	return keyword, semantic
}

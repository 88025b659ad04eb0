package query

import (
	"context"

	"github.com/paperseek/paperseek/index"
)

// Native fusion: the store fuses both legs itself, in one request
// (index.Hybrider; a Weaviate cluster's hybrid search). "native" is the
// store's score fusion (Weaviate's relativeScoreFusion: each leg min-max
// normalised over its candidates, then weighted), "native-ranked" its rank
// fusion (Weaviate's rankedFusion: weight/(60+rank) per leg). The names
// say "the index's own fusion", not which engine's, as --index says where.
const (
	FusionNative       = "native"
	FusionNativeRanked = "native-ranked"
)

func isNative(fusion string) bool {
	return fusion == FusionNative || fusion == FusionNativeRanked
}

// CheckFusion fails with a BadRequestError when fusion cannot rank over
// the engine's index: native fusion needs an index that fuses itself.
// Commands that run many searches (eval) call it first, so they fail at
// once rather than query by query.
func (e *Engine) CheckFusion(fusion string) error {
	if !isNative(fusion) {
		return nil
	}
	if _, ok := e.st.(index.Hybrider); !ok {
		return badRequest("fusion %s needs an index that fuses itself (a weaviate:// cluster); %s fuses with blend or rrf", fusion, e.st.Location())
	}
	return nil
}

// rankNative ranks a hybrid search by the store's own fusion, window deep.
// The store reports no per-leg ranks, so the results carry no keyword or
// semantic rank; --explain shows what each leg added to the score.
func (e *Engine) rankNative(ctx context.Context, req Request, text string, in legInput, window int) ([]Fused, error) {
	if in.terms != nil || in.vector != nil || len(in.exclude) > 0 {
		return nil, badRequest("fusion %s ranks searches only; related lookups fuse with blend or rrf", req.Fusion)
	}
	hy := e.st.(index.Hybrider)
	vec, err := e.queryVector(ctx, text) // nil with no model yet: keywords alone
	if err != nil {
		return nil, err
	}
	hits, err := hy.Hybrid(ctx, index.HybridQuery{Text: text, Vector: vec, KeywordWeight: e.keywordWeight(req),
		Ranked: req.Fusion == FusionNativeRanked}, req.Filter, window)
	if err != nil {
		return nil, err
	}
	out := make([]Fused, len(hits))
	for i, h := range hits {
		out[i] = Fused{ID: h.ID, Score: h.Score, KeywordPart: h.Keyword, SemanticPart: h.Semantic}
	}
	return out, nil
}

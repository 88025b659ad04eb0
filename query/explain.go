package query

// Explanation says how a result's score was made: the fusion used and what
// each leg added to the score. Results carry one only when the request
// asks (--explain, explain=true over HTTP); each leg's own rank and raw
// score are in Keyword and Semantic either way.
type Explanation struct {
	// Fusion is "blend", "rrf", "native" or "native-ranked" (the index's
	// own hybrid: Keyword and Semantic are then the parts it reports), or
	// "none" when one leg ranked alone (keyword or semantic mode) and the
	// score is that leg's own.
	Fusion string `json:"fusion"`
	// KeywordWeight is the keyword leg's weight in blend and native fusion.
	KeywordWeight *float64 `json:"keyword_weight,omitempty"`
	// RRFK is the constant of RRF fusion.
	RRFK float64 `json:"rrf_k,omitempty"`
	// Keyword and Semantic are what each leg added to the score: its
	// weighted min-max normalised score scaled by the leg's best absolute
	// score (blend), 1/(k+rank) (rrf), or the score of the one leg that
	// ranked (its share of the attainable BM25, or the cosine). 0 when
	// that leg did not return the paper within the fusion depth.
	Keyword  float64 `json:"keyword"`
	Semantic float64 `json:"semantic"`
}

// explain builds f's explanation for req (already normalised).
func (e *Engine) explain(req Request, f Fused) *Explanation {
	x := &Explanation{Fusion: "none", Keyword: round(f.KeywordPart, 6), Semantic: round(f.SemanticPart, 6)}
	if req.Mode != ModeHybrid {
		return x
	}
	x.Fusion = req.Fusion
	if req.Fusion == FusionRRF {
		x.RRFK = req.RRFK
	} else {
		w := e.keywordWeight(req)
		x.KeywordWeight = &w
	}
	return x
}

// keywordWeight is the blend weight req asks for, else the measured
// default for the index's embedder.
func (e *Engine) keywordWeight(req Request) float64 {
	if req.KeywordWeight != nil {
		return *req.KeywordWeight
	}
	return e.tuning.KeywordWeight
}

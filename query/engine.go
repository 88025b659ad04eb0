package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
)

// Engine answers searches over one open store. It is safe for concurrent
// use. It embeds queries with the store's recorded embedder, created the
// first time a search needs it: a keyword search never loads the model.
type Engine struct {
	st     index.Store
	tuning Tuning
	opts   Options

	embOnce sync.Once
	emb     embed.Embedder
	embErr  error
}

// Options configure an engine.
type Options struct {
	// EmbedBaseURL, when set, overrides the embedding server address the
	// index recorded ($OPENAI_BASE_URL).
	EmbedBaseURL string
}

// New returns an engine over st with the ranking defaults measured for
// st's embedder.
func New(st index.Store, opts Options) *Engine {
	return &Engine{st: st, tuning: DefaultTuning(st.Info().Embedder), opts: opts}
}

// Store is the store the engine searches.
func (e *Engine) Store() index.Store { return e.st }

// Tuning is the engine's ranking defaults.
func (e *Engine) Tuning() Tuning { return e.tuning }

// embedder returns the query embedder, creating it once.
func (e *Engine) embedder(ctx context.Context) (embed.Embedder, error) {
	e.embOnce.Do(func() {
		st, err := e.st.EmbedderState(ctx)
		if err != nil {
			e.embErr = err
			return
		}
		e.emb, e.embErr = embed.ForQueries(st, e.opts.EmbedBaseURL)
	})
	return e.emb, e.embErr
}

// Response is the `search --json` document.
type Response struct {
	Query   string   `json:"query"`
	Mode    Mode     `json:"mode"`
	TookMS  float64  `json:"took_ms"`
	Results []Result `json:"results"`
	// Warnings say, in a sentence each, why the results may be other than
	// asked for (no semantic model yet: keyword results only; phrases
	// matched as plain words); the CLI prints them on stderr.
	Warnings []string `json:"warnings,omitempty"`
	// BelowMinScore is how many papers the score floor cut (for the
	// CLI's hint when it cut them all).
	BelowMinScore int `json:"-"`
}

// Result is one ranked paper. Keyword and Semantic say where each ranker
// placed it (absent when that ranker did not return it).
type Result struct {
	Rank int `json:"rank"`
	index.Paper
	Score    float64 `json:"score"`
	Keyword  *LegHit `json:"keyword,omitempty"`
	Semantic *LegHit `json:"semantic,omitempty"`
	Snippet  string  `json:"snippet,omitempty"`
	// Explain is set when the request asked for it.
	Explain *Explanation `json:"explain,omitempty"`
}

// Search runs req.
func (e *Engine) Search(ctx context.Context, req Request) (*Response, error) {
	start := time.Now()
	if err := req.normalize(true); err != nil {
		return nil, err
	}
	if req.MinScore == nil && (req.Mode != ModeHybrid || req.Fusion == FusionBlend) {
		floor := DefaultMinScore
		req.MinScore = &floor
	}
	fused, err := e.rank(ctx, req, req.Query, legInput{})
	if err != nil {
		return nil, err
	}
	resp, err := e.respond(ctx, req, req.Query, req.Mode, fused, start, nil)
	if err != nil {
		return nil, err
	}
	resp.Warnings = append(resp.Warnings, e.phraseWarnings(req)...)
	return resp, nil
}

// phraseWarnings says when the query's phrases were matched as plain
// words because the store cannot match phrases.
func (e *Engine) phraseWarnings(req Request) []string {
	if req.Mode == ModeSemantic || len(index.ParsePhrases(req.Query)) == 0 {
		return nil
	}
	pm, ok := e.st.(index.PhraseMatcher)
	if !ok {
		return []string{"this index cannot match exact phrases: quoted words were matched as separate words"}
	}
	if yes, fix := pm.MatchesPhrases(); !yes {
		return []string{fix}
	}
	return nil
}

// legInput lets related lookups reuse the ranking pipeline: weighted terms
// for the keyword leg, a stored vector instead of an embedded query, and
// ids to leave out.
type legInput struct {
	terms   []index.WeightedTerm
	vector  []float32
	exclude map[string]bool
}

// rank runs the legs req.Mode needs and fuses them.
func (e *Engine) rank(ctx context.Context, req Request, text string, in legInput) ([]Fused, error) {
	// Fusion needs each leg's top FusionDepth to score fairly; a single
	// leg needs only the page it shows.
	window := req.Offset + req.K
	if req.Mode == ModeHybrid {
		window = max(FusionDepth, window)
	}
	if req.Sort == SortDate {
		window = max(window, DateDepth)
	}
	window += len(in.exclude) // room for the seed papers, dropped below
	if isNative(req.Fusion) {
		if err := e.CheckFusion(req.Fusion); err != nil {
			return nil, err
		}
		if req.Mode == ModeHybrid {
			return e.rankNative(ctx, req, text, in, window)
		}
	}
	useKW := req.Mode != ModeSemantic
	useSem := req.Mode != ModeKeyword

	var kw, sem []Hit
	var kwMax float64
	var kwErr, semErr error
	runKeyword := func() {
		q := index.KeywordQuery{Text: text, Phrases: index.ParsePhrases(text)}
		if in.terms != nil {
			q = index.KeywordQuery{Terms: in.terms}
		}
		if kw, kwErr = e.st.Keyword(ctx, q, req.Filter, window); kwErr != nil {
			return
		}
		kwMax, kwErr = KeywordMax(ctx, e.st, q)
	}
	runSemantic := func() {
		vec := in.vector
		if vec == nil {
			if vec, semErr = e.queryVector(ctx, text); vec == nil {
				return // an error, or an empty leg: no model yet (the response's warning says why)
			}
		}
		sem, semErr = e.st.Nearest(ctx, vec, req.Filter, window)
	}
	switch {
	case useKW && useSem:
		// Independent legs run concurrently: at scale the vector scan is
		// the latency budget, and the keyword search overlaps with it.
		done := make(chan struct{})
		go func() { defer close(done); runSemantic() }()
		runKeyword()
		<-done
	default:
		if useKW {
			runKeyword()
		}
		if useSem {
			runSemantic()
		}
	}
	if kwErr != nil {
		return nil, kwErr
	}
	if semErr != nil {
		return nil, semErr
	}
	if len(in.exclude) > 0 {
		kw = without(kw, in.exclude)
		sem = without(sem, in.exclude)
	}
	switch req.Mode {
	case ModeKeyword:
		return single(kw, func(s float64) float64 { return keywordShare(s, kwMax) }, true), nil
	case ModeSemantic:
		return single(sem, func(s float64) float64 { return s }, false), nil
	}
	if req.Fusion == FusionRRF {
		return RRF(kw, sem, req.RRFK), nil
	}
	return Blend(kw, sem, e.keywordWeight(req), kwMax), nil
}

// ErrEmbedder marks a failure of the embedder (e.g. the embedding server
// is down): exit 1 on the command line, HTTP 503 on the server.
var ErrEmbedder = errors.New("embedder unavailable")

// without drops the hits whose ids are in ids, keeping the order.
func without(hits []Hit, ids map[string]bool) []Hit {
	out := hits[:0:0]
	for _, h := range hits {
		if !ids[h.ID] {
			out = append(out, h)
		}
	}
	return out
}

// single turns one leg's list into results scored by that leg alone, on
// the scale blend gives it (a share of the best attainable BM25 score, the
// cosine), so a score means the same in every mode; the leg's raw score
// stays in its LegHit.
func single(hits []Hit, scale func(float64) float64, keyword bool) []Fused {
	out := make([]Fused, len(hits))
	for i, h := range hits {
		leg := &LegHit{Rank: i + 1, Score: h.Score}
		score := scale(h.Score)
		out[i] = Fused{ID: h.ID, Score: score}
		if keyword {
			out[i].Keyword, out[i].KeywordPart = leg, score
		} else {
			out[i].Semantic, out[i].SemanticPart = leg, score
		}
	}
	return out
}

// respond pages the fused list and hydrates the page from stored papers.
// Snippets mark terms (analysed terms; nil means req.Query's).
func (e *Engine) respond(ctx context.Context, req Request, queryText string, mode Mode, fused []Fused, start time.Time, terms map[string]bool) (*Response, error) {
	fused, cut, err := e.order(ctx, req, fused)
	if err != nil {
		return nil, err
	}
	page := fused[min(req.Offset, len(fused)):min(req.Offset+req.K, len(fused))]
	resp := &Response{Query: queryText, Mode: mode, Results: make([]Result, len(page)), BelowMinScore: cut}
	for i, f := range page {
		resp.Results[i] = Result{
			Rank:     req.Offset + i + 1,
			Paper:    index.Paper{ID: f.ID},
			Score:    round(f.Score, 6),
			Keyword:  roundLeg(f.Keyword),
			Semantic: roundLeg(f.Semantic),
		}
		if req.Explain {
			resp.Results[i].Explain = e.explain(req, f)
		}
	}
	if !req.IDsOnly && len(page) > 0 {
		if terms == nil {
			terms = analysedTerms(req.Query)
		}
		ids := make([]string, len(page))
		for i, f := range page {
			ids[i] = f.ID
		}
		papers, err := e.st.Papers(ctx, ids)
		if err != nil {
			return nil, err
		}
		for i, p := range papers {
			resp.Results[i].Paper = p
			resp.Results[i].Snippet = snippet(p.Abstract, terms)
		}
	}
	if req.Mode != ModeKeyword || mode == ModeRelated {
		resp.Warnings = append(resp.Warnings, e.semanticWarnings()...)
	}
	resp.TookMS = round(float64(time.Since(start).Microseconds())/1000, 3)
	return resp, nil
}

func roundLeg(l *LegHit) *LegHit {
	if l == nil {
		return nil
	}
	return &LegHit{Rank: l.Rank, Score: round(l.Score, 6)}
}

// round keeps JSON scores short; math.Round rounds half away from zero,
// as the hand-written version did, without int64 overflow on huge scores.
func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// queryVector embeds a search's text with the index's embedder. With no
// model yet it returns nil and no error: the semantic leg is empty and the
// response's warning says why.
func (e *Engine) queryVector(ctx context.Context, text string) ([]float32, error) {
	emb, err := e.embedder(ctx)
	switch {
	case errors.Is(err, embed.ErrNoModel):
		return nil, nil
	case err != nil:
		return nil, err
	}
	vec, err := emb.EmbedQuery(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("%w: embed query: %w", ErrEmbedder, err)
	}
	return vec, nil
}

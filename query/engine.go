package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	bsearch "github.com/blevesearch/bleve/v2/search"
	bquery "github.com/blevesearch/bleve/v2/search/query"

	"github.com/paperseek/paperseek/index"
)

// Engine answers searches over one open index. It is safe for concurrent
// use: Bleve readers and the vector store are read-only here.
type Engine struct {
	ix       *index.Index
	tuning   Tuning
	analyzer analysis.Analyzer
}

// New returns an engine over ix with the ranking defaults measured for
// ix's embedder.
func New(ix *index.Index) (*Engine, error) {
	a := ix.Keyword().Mapping().AnalyzerNamed(en.AnalyzerName)
	if a == nil {
		return nil, errors.New("keyword index has no `en` analyzer")
	}
	return &Engine{ix: ix, tuning: DefaultTuning(ix.Manifest().Embedder), analyzer: a}, nil
}

// Index is the index the engine searches.
func (e *Engine) Index() *index.Index { return e.ix }

// Tuning is the engine's ranking defaults.
func (e *Engine) Tuning() Tuning { return e.tuning }

// Response is the `search --json` document.
type Response struct {
	Query   string   `json:"query"`
	Mode    Mode     `json:"mode"`
	TookMS  float64  `json:"took_ms"`
	Results []Result `json:"results"`
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
}

// Search runs req.
func (e *Engine) Search(ctx context.Context, req Request) (*Response, error) {
	start := time.Now()
	if err := req.normalize(true); err != nil {
		return nil, err
	}
	fused, err := e.rank(ctx, req, req.Query, legInput{})
	if err != nil {
		return nil, err
	}
	return e.respond(ctx, req, req.Query, req.Mode, fused, start, nil)
}

// legInput lets related lookups reuse the ranking pipeline: a prepared
// keyword query, a stored vector instead of an embedded query, and an id to
// leave out.
type legInput struct {
	keyword bquery.Query
	vector  []float32
	exclude string
}

// rank runs the legs req.Mode needs and fuses them.
func (e *Engine) rank(ctx context.Context, req Request, text string, in legInput) ([]Fused, error) {
	// Fusion needs each leg's top MinWindow (FusionDepth) to score fairly;
	// a single leg needs only the page it shows.
	window := req.Offset + req.K
	if req.Mode == ModeHybrid {
		window = max(MinWindow, window)
	}
	if in.exclude != "" {
		window++ // room for the paper itself, dropped below
	}
	useKW := req.Mode != ModeSemantic
	useSem := req.Mode != ModeKeyword

	var kw, sem []Hit
	var kwErr, semErr error
	runKeyword := func() {
		q := in.keyword
		if q == nil && req.Mode == ModeHybrid && e.tuning.KeywordBM25 {
			kw, kwErr = e.bm25Leg(ctx, text, req.Filter, window)
			return
		}
		if q == nil {
			q = e.matchQuery(text)
		}
		kw, kwErr = e.keywordLeg(ctx, q, req.Filter, window)
	}
	runSemantic := func() {
		vec := in.vector
		if vec == nil {
			vec, semErr = e.ix.Embedder().EmbedQuery(ctx, text)
			if semErr != nil {
				semErr = fmt.Errorf("%w: embed query: %v", ErrEmbedder, semErr)
				return
			}
		}
		sem, semErr = e.semanticLeg(ctx, vec, req.Filter, window)
	}
	switch {
	case useKW && useSem:
		// Independent legs run concurrently: at scale the vector scan is
		// the latency budget, and Bleve's search overlaps with it.
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
	if in.exclude != "" {
		kw = without(kw, in.exclude)
		sem = without(sem, in.exclude)
	}
	switch req.Mode {
	case ModeKeyword:
		return single(kw, true), nil
	case ModeSemantic:
		return single(sem, false), nil
	}
	if req.Fusion == FusionRRF {
		return RRF(kw, sem, req.RRFK), nil
	}
	w := e.tuning.KeywordWeight
	if req.KeywordWeight != nil {
		w = *req.KeywordWeight
	}
	return Blend(kw, sem, w), nil
}

// ErrEmbedder marks a failure of the embedder (e.g. the embedding server
// is down): exit 1 on the command line, HTTP 503 on the server.
var ErrEmbedder = errors.New("embedder unavailable")

func without(hits []Hit, id string) []Hit {
	for i, h := range hits {
		if h.ID == id {
			return append(hits[:i:i], hits[i+1:]...)
		}
	}
	return hits
}

// single turns one leg's list into results scored by that leg alone.
func single(hits []Hit, keyword bool) []Fused {
	out := make([]Fused, len(hits))
	for i, h := range hits {
		leg := &LegHit{Rank: i + 1, Score: h.Score}
		out[i] = Fused{ID: h.ID, Score: h.Score}
		if keyword {
			out[i].Keyword = leg
		} else {
			out[i].Semantic = leg
		}
	}
	return out
}

// matchQuery is the keyword leg's query for free text: an OR of the
// analysed words on the one ranking field. MatchQuery never parses query
// syntax, so quotes, colons or brackets in user text are just text.
func (e *Engine) matchQuery(text string) bquery.Query {
	q := bleve.NewMatchQuery(text)
	q.SetField(index.FieldText)
	return q
}

// keywordLeg runs q under filter and returns the top n by Bleve score.
func (e *Engine) keywordLeg(ctx context.Context, q bquery.Query, f Filter, n int) ([]Hit, error) {
	matches, err := e.keywordMatches(ctx, q, f, n)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, len(matches))
	for i, h := range matches {
		hits[i] = Hit{ID: h.ID, Score: h.Score}
	}
	return hits, nil
}

// keywordMatches runs q under filter and returns Bleve's top n matches.
func (e *Engine) keywordMatches(ctx context.Context, q bquery.Query, f Filter, n int) (bsearch.DocumentMatchCollection, error) {
	if !f.IsZero() {
		// A boolean filter clause restricts without adding to the score, so
		// filtered and unfiltered rankings agree on the papers they share.
		bq := bleve.NewBooleanQuery()
		bq.AddMust(q)
		bq.AddFilter(e.filterQuery(f))
		q = bq
	}
	sr := bleve.NewSearchRequestOptions(q, n, 0, false)
	res, err := e.ix.Keyword().SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("keyword search: %w", err)
	}
	return res.Hits, nil
}

// filterQuery expresses f in Bleve terms for the keyword leg.
func (e *Engine) filterQuery(f Filter) bquery.Query {
	var parts []bquery.Query
	if f.Years != (YearRange{}) {
		var lo, hi *float64
		if f.Years.From != 0 {
			v := float64(f.Years.From)
			lo = &v
		}
		if f.Years.To != 0 {
			v := float64(f.Years.To)
			hi = &v
		}
		incl := true
		r := bleve.NewNumericRangeInclusiveQuery(lo, hi, &incl, &incl)
		r.SetField(index.FieldYear)
		parts = append(parts, r)
	}
	if len(f.Categories) > 0 {
		var any []bquery.Query
		for _, c := range f.Categories {
			t := bleve.NewTermQuery(c)
			t.SetField(index.FieldCategories)
			any = append(any, t)
		}
		parts = append(parts, bleve.NewDisjunctionQuery(any...))
	}
	if f.Author != "" {
		r := bleve.NewRegexpQuery(".*" + regexp.QuoteMeta(strings.ToLower(f.Author)) + ".*")
		r.SetField(index.FieldAuthorsLC)
		parts = append(parts, r)
	}
	return bleve.NewConjunctionQuery(parts...)
}

// keep is the semantic leg's version of the same filter.
func (f Filter) keep() func(*index.PaperMeta) bool {
	if f.IsZero() {
		return nil
	}
	author := strings.ToLower(f.Author)
	return func(m *index.PaperMeta) bool {
		if !f.Years.Contains(m.Year) {
			return false
		}
		if len(f.Categories) > 0 && !anyEqual(m.Categories, f.Categories) {
			return false
		}
		if author != "" && !anyContains(m.AuthorsLC, author) {
			return false
		}
		return true
	}
}

func anyEqual(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

func anyContains(names []string, sub string) bool {
	for _, n := range names {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// semanticLeg returns the n stored vectors most similar to vec.
func (e *Engine) semanticLeg(ctx context.Context, vec []float32, f Filter, n int) ([]Hit, error) {
	vh, err := e.ix.Vectors().Search(ctx, vec, n, f.keep())
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, len(vh))
	for i, h := range vh {
		hits[i] = Hit{ID: h.ID, Score: h.Score}
	}
	return hits, nil
}

// respond pages the fused list and hydrates the page from stored papers.
// Snippets mark terms (analysed terms; nil means req.Query's).
func (e *Engine) respond(ctx context.Context, req Request, queryText string, mode Mode, fused []Fused, start time.Time, terms map[string]bool) (*Response, error) {
	page := fused[min(req.Offset, len(fused)):min(req.Offset+req.K, len(fused))]
	resp := &Response{Query: queryText, Mode: mode, Results: make([]Result, 0, len(page))}
	if terms == nil && !req.IDsOnly {
		terms = e.terms(req.Query)
	}
	for i, f := range page {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := Result{
			Rank:     req.Offset + i + 1,
			Paper:    index.Paper{ID: f.ID},
			Score:    round(f.Score, 6),
			Keyword:  roundLeg(f.Keyword),
			Semantic: roundLeg(f.Semantic),
		}
		if !req.IDsOnly {
			p, err := e.ix.Paper(f.ID)
			if err != nil {
				return nil, err
			}
			r.Paper = p
			r.Snippet = e.snippet(p.Abstract, terms)
		}
		resp.Results = append(resp.Results, r)
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

package query

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	bquery "github.com/blevesearch/bleve/v2/search/query"

	"github.com/paperseek/paperseek/index"
)

// moreLikeThisTerms is how many of a text's most distinctive terms the
// keyword leg of a related lookup searches for. A whole abstract as an OR
// query is slow at scale and dominated by common words; the top tf·idf
// terms carry what the paper is about.
const moreLikeThisTerms = 25

// Related finds papers like the paper with id (never the paper itself):
// its stored vector for the semantic leg, a more-like-this query of its
// own title and abstract for the keyword leg, fused as req.Fusion says.
func (e *Engine) Related(ctx context.Context, id string, req Request) (*Response, error) {
	start := time.Now()
	if err := req.normalize(false); err != nil {
		return nil, err
	}
	p, err := e.ix.Paper(id)
	if err != nil {
		return nil, err
	}
	in := legInput{exclude: id}
	var terms []string
	if in.keyword, terms, err = e.moreLikeThis(ctx, p.Text()); err != nil {
		return nil, err
	}
	if v, ok := e.ix.Vectors().Get(id); ok {
		in.vector = v
	} else if req.Mode != ModeKeyword {
		// A paper with no usable vector (nothing its embedder knew) still
		// gets keyword neighbours.
		req.Mode = ModeKeyword
	}
	fused, err := e.rank(ctx, req, "", in)
	if err != nil {
		return nil, err
	}
	// Snippets mark the distinctive words the papers share, not every
	// word of the source abstract.
	marks := make(map[string]bool, len(terms))
	for _, t := range terms {
		marks[t] = true
	}
	return e.respond(ctx, req, id, ModeRelated, fused, start, marks)
}

// RelatedText finds papers like a free text, such as a draft abstract. The
// text is embedded as a document, not as a query: it is compared with
// documents as an equal.
func (e *Engine) RelatedText(ctx context.Context, text string, req Request) (*Response, error) {
	start := time.Now()
	req.Query = text
	if err := req.normalize(true); err != nil {
		return nil, err
	}
	var in legInput
	var err error
	if in.keyword, _, err = e.moreLikeThis(ctx, req.Query); err != nil {
		return nil, err
	}
	if req.Mode != ModeKeyword {
		vecs, err := e.ix.Embedder().EmbedDocuments(ctx, []string{req.Query})
		if err != nil {
			return nil, fmt.Errorf("%w: embed text: %v", ErrEmbedder, err)
		}
		in.vector = vecs[0]
	}
	fused, err := e.rank(ctx, req, req.Query, in)
	if err != nil {
		return nil, err
	}
	return e.respond(ctx, req, req.Query, ModeRelated, fused, start, nil)
}

// moreLikeThis builds an OR query of text's most distinctive terms, each
// weighted by its tf·idf in text, and returns the terms too.
func (e *Engine) moreLikeThis(ctx context.Context, text string) (bquery.Query, []string, error) {
	tf := map[string]int{}
	for _, t := range e.analyzer.Analyze([]byte(text)) {
		tf[string(t.Term)]++
	}
	adv, err := e.ix.Keyword().Advanced()
	if err != nil {
		return nil, nil, fmt.Errorf("keyword index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, nil, fmt.Errorf("keyword index: %w", err)
	}
	defer r.Close()
	n, err := r.DocCount()
	if err != nil {
		return nil, nil, fmt.Errorf("keyword index: %w", err)
	}
	type weighted struct {
		term string
		w    float64
	}
	terms := make([]weighted, 0, len(tf))
	for t, f := range tf {
		tfr, err := r.TermFieldReader(ctx, []byte(t), index.FieldText, false, false, false)
		if err != nil {
			return nil, nil, fmt.Errorf("keyword index: %w", err)
		}
		df := tfr.Count()
		tfr.Close()
		if df == 0 {
			continue // a word no indexed paper has cannot find anything
		}
		terms = append(terms, weighted{t, float64(f) * math.Log(1+float64(n)/float64(df))})
	}
	slices.SortFunc(terms, func(a, b weighted) int {
		if c := cmp.Compare(b.w, a.w); c != 0 {
			return c
		}
		return cmp.Compare(a.term, b.term)
	})
	terms = terms[:min(len(terms), moreLikeThisTerms)]
	if len(terms) == 0 {
		return bleve.NewMatchNoneQuery(), nil, nil
	}
	qs := make([]bquery.Query, len(terms))
	words := make([]string, len(terms))
	for i, t := range terms {
		q := bleve.NewTermQuery(t.term)
		q.SetField(index.FieldText)
		q.SetBoost(t.w / terms[0].w)
		qs[i] = q
		words[i] = t.term
	}
	return bleve.NewDisjunctionQuery(qs...), words, nil
}

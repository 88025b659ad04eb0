package local

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bsearch "github.com/blevesearch/bleve/v2/search"
	bquery "github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/paperseek/paperseek/index"
)

// Textbook BM25 parameters (Robertson et al.: k1 1.2, b 0.75), the ones
// measured on the shared judgments.
const (
	bm25K1 = index.BM25K1
	bm25B  = index.BM25B
)

// Keyword implements index.Store: textbook BM25 over the whole corpus —
// idf log(1+(N−df+0.5)/(df+0.5)), document length from Bleve's field
// norms, average length from the whole index — plus each quoted phrase's
// bonus for the papers holding it, and the top n of every matching paper
// by that score (ties: Bleve's internal order, a total order).
//
// The postings of each query term are walked once, term at a time, into
// one score per paper; Bleve's own query and collector are not used for
// ranking. (They were: Bleve's tf-idf top 200 was re-scored with BM25, in
// blocks of 200 — the same nDCG@10 as this exact ranking, but Bleve's
// disjunction heap and top-n collector cost 3–4× the postings walk, most
// of a hybrid query at 119k papers.) Filters and phrases are Bleve
// searchers, walked for the papers they hold.
//
// The ranking is a total order on fixed scores, so the list for n is a
// prefix of the list for any larger n and deep pages continue shallow
// ones.
func (s *Store) Keyword(ctx context.Context, q index.KeywordQuery, f index.Filter, n int) ([]index.Hit, error) {
	if n <= 0 {
		return nil, nil
	}
	weights := q.Weights(analyze(s.analyzer))
	if len(weights) == 0 {
		return nil, nil
	}
	var phrases []string
	if s.positions {
		phrases = q.Phrases
	}
	// Bleve's own DocCount fails on a closed index (an engine that
	// outlived its store); the reader of a closed index would not.
	docs, err := s.kw.DocCount()
	if err != nil {
		return nil, fmt.Errorf("keyword index: %w", err)
	}
	adv, err := s.kw.Advanced()
	if err != nil {
		return nil, fmt.Errorf("keyword index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("keyword index: %w", err)
	}
	defer r.Close()
	avgdl, err := s.avgLength()
	if err != nil {
		return nil, err
	}
	var allowed *bitset
	if !f.IsZero() {
		if allowed, err = s.filterDocs(ctx, r, f); err != nil {
			return nil, err
		}
	}
	acc := accumulators.Get().(*accumulator)
	defer acc.release()
	// Phrase bonuses first: they count towards the n-th best score that
	// lets the terms' walk skip papers that cannot reach the top.
	if err := s.phraseBonus(ctx, r, acc, phrases); err != nil {
		return nil, err
	}
	if err := acc.bm25(ctx, r, weights, int(docs), avgdl, n, allowed, s.postings.Load()); err != nil {
		return nil, err
	}
	top := acc.top(n, allowed)
	hits := make([]index.Hit, len(top))
	var buf bindex.IndexInternalID
	for i, c := range top {
		buf = bindex.NewIndexInternalID(buf, c.doc)
		id, err := r.ExternalID(buf)
		if err != nil {
			return nil, fmt.Errorf("keyword index: %w", err)
		}
		hits[i] = index.Hit{ID: id, Score: c.score}
	}
	return hits, nil
}

// analyze cuts text into terms with a, the analyzer the index was built
// with.
func analyze(a analysis.Analyzer) func(string) []string {
	return func(text string) []string {
		toks := a.Analyze([]byte(text))
		out := make([]string, len(toks))
		for i, t := range toks {
			out[i] = string(t.Term)
		}
		return out
	}
}

// phraseBonus adds to the score of each paper holding a phrase that
// phrase's bonus (index.PhraseBonus). Which papers hold it is a Bleve
// phrase query on the ranking field, analysed as the field is, each
// dropped stop word keeping its gap.
func (s *Store) phraseBonus(ctx context.Context, r bindex.IndexReader, acc *accumulator, phrases []string) error {
	for _, p := range phrases {
		var terms []string
		for _, t := range s.analyzer.Analyze([]byte(p)) {
			terms = append(terms, string(t.Term))
		}
		if len(terms) == 0 {
			continue // only stop words: nothing the index could hold
		}
		st, err := termStats(ctx, r, terms)
		if err != nil {
			return err
		}
		bonus := index.PhraseBonus(st)
		pq := bleve.NewMatchPhraseQuery(p)
		pq.SetField(FieldText)
		if err := s.eachDoc(ctx, r, pq, func(doc uint64) { acc.add(doc, bonus) }); err != nil {
			return err
		}
	}
	return nil
}

// filterDocs is the set of papers f lets through.
func (s *Store) filterDocs(ctx context.Context, r bindex.IndexReader, f index.Filter) (*bitset, error) {
	b := &bitset{}
	err := s.eachDoc(ctx, r, filterQuery(f), b.set)
	return b, err
}

// eachDoc calls fn with the internal number of every paper q matches,
// walking q's Bleve searcher (no scoring order, no collector).
func (s *Store) eachDoc(ctx context.Context, r bindex.IndexReader, q bquery.Query, fn func(doc uint64)) error {
	sr, err := q.Searcher(ctx, r, s.kw.Mapping(), bsearch.SearcherOptions{})
	if err != nil {
		return fmt.Errorf("keyword search: %w", err)
	}
	defer sr.Close()
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(sr.DocumentMatchPoolSize(), 0), IndexReader: r}
	for i := 0; ; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		m, err := sr.Next(sctx)
		if err != nil {
			return fmt.Errorf("keyword search: %w", err)
		}
		if m == nil {
			return nil
		}
		fn(m.IndexInternalID.Value())
		sctx.DocumentMatchPool.Put(m)
	}
}

// MatchesPhrases implements index.PhraseMatcher.
func (s *Store) MatchesPhrases() (bool, string) {
	if s.positions {
		return true, ""
	}
	return false, fmt.Sprintf("this index was built before paperseek recorded word positions, so quoted phrases match as separate words: run `paperseek index --upgrade --index %s` once to match them exactly", s.dir)
}

// filterQuery expresses f in Bleve terms for the keyword leg.
func filterQuery(f index.Filter) bquery.Query {
	var parts []bquery.Query
	if f.Years != (index.YearRange{}) {
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
		r.SetField(FieldYear)
		parts = append(parts, r)
	}
	if len(f.Categories) > 0 {
		var any []bquery.Query
		for _, c := range f.Categories {
			t := bleve.NewTermQuery(c)
			t.SetField(FieldCategories)
			any = append(any, t)
		}
		parts = append(parts, bleve.NewDisjunctionQuery(any...))
	}
	if f.Since != "" {
		if day, ok := index.Day(f.Since); ok {
			lo, incl := float64(day), true
			r := bleve.NewNumericRangeInclusiveQuery(&lo, nil, &incl, nil)
			r.SetField(FieldPubDay)
			parts = append(parts, r)
		} else {
			parts = append(parts, bleve.NewMatchNoneQuery())
		}
	}
	if f.Author != "" {
		r := bleve.NewRegexpQuery(".*" + regexp.QuoteMeta(strings.ToLower(f.Author)) + ".*")
		r.SetField(FieldAuthorsLC)
		parts = append(parts, r)
	}
	return bleve.NewConjunctionQuery(parts...)
}

// avgLength is the mean token count of the ranking field over all papers,
// as the manifest records it (older manifests did not: then the vector
// store, which keeps every paper's length, is asked).
func (s *Store) avgLength() (float64, error) {
	if m := s.manifest; m.Tokens != nil {
		if m.Papers == 0 {
			return 1, nil
		}
		return max(float64(*m.Tokens)/float64(m.Papers), 1), nil
	}
	v, err := s.loadVectors()
	if err != nil {
		return 0, err
	}
	return max(v.AvgLength(), 1), nil
}

// TermStats implements index.Store.
func (s *Store) TermStats(ctx context.Context, terms []string) (index.TermStats, error) {
	adv, err := s.kw.Advanced()
	if err != nil {
		return index.TermStats{}, fmt.Errorf("keyword index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return index.TermStats{}, fmt.Errorf("keyword index: %w", err)
	}
	defer r.Close()
	return termStats(ctx, r, terms)
}

// termStats are the document frequencies of terms in r.
func termStats(ctx context.Context, r bindex.IndexReader, terms []string) (index.TermStats, error) {
	n, err := r.DocCount()
	if err != nil {
		return index.TermStats{}, fmt.Errorf("keyword index: %w", err)
	}
	st := index.TermStats{Docs: int(n), DF: make([]int, len(terms))}
	for i, t := range terms {
		tfr, err := r.TermFieldReader(ctx, []byte(t), FieldText, false, false, false)
		if err != nil {
			return index.TermStats{}, fmt.Errorf("keyword index: %w", err)
		}
		st.DF[i] = int(tfr.Count())
		tfr.Close()
	}
	return st, nil
}

package local

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	bquery "github.com/blevesearch/bleve/v2/search/query"

	"github.com/paperseek/paperseek/index"
)

// refField is the Bleve field holding each external id kind.
var refField = map[string]string{index.SchemeDOI: FieldDOI, index.SchemeArXiv: FieldArXiv, index.SchemePMID: FieldPMID}

// resolve returns the id of the paper ref names in kw: the id itself when
// a paper has it, else the paper holding the external id.
func resolve(ctx context.Context, kw bleve.Index, ref string) (string, error) {
	doc, err := kw.Document(ref)
	if err != nil {
		return "", fmt.Errorf("read paper %s: %w", quoteID(ref), err)
	}
	if doc != nil {
		return ref, nil
	}
	r, err := index.ParseRef(ref)
	if err != nil {
		return "", index.Usage(err)
	}
	if r.Scheme == "" {
		return "", index.NotFoundf("no paper with id %s", quoteID(ref))
	}
	owners, err := ownersOf(ctx, kw, []index.Ref{r}, nil)
	if err != nil {
		return "", err
	}
	if id, ok := owners[r]; ok {
		return id, nil
	}
	return "", index.NotFoundf("no paper with %s %s", r.Scheme, quoteID(r.Value))
}

// ownersOf finds, in one search, which papers hold each of refs. When two
// papers hold one (which check reports), the first by id wins, so the
// answer is stable. Papers skip names (may be nil) are passed over.
func ownersOf(ctx context.Context, kw bleve.Index, refs []index.Ref, skip func(id string) bool) (map[index.Ref]string, error) {
	out := map[index.Ref]string{}
	if len(refs) == 0 {
		return out, nil
	}
	qs := make([]bquery.Query, len(refs))
	for i, r := range refs {
		t := bleve.NewTermQuery(r.Value)
		t.SetField(refField[r.Scheme])
		qs[i] = t
	}
	// Every paper holds at most three ids, so 3·len(refs) hits hold every
	// owner when no id is shared; more only when check would complain.
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), 3*len(refs)+10, 0, false)
	req.Fields = []string{FieldDOI, FieldArXiv, FieldPMID}
	req.SortBy([]string{"_id"})
	res, err := kw.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("look up external ids: %w", err)
	}
	want := make(map[index.Ref]bool, len(refs))
	for _, r := range refs {
		want[r] = true
	}
	for _, h := range res.Hits {
		if skip != nil && skip(h.ID) {
			continue
		}
		for kind, field := range refField {
			v, _ := h.Fields[field].(string)
			r := index.Ref{Scheme: kind, Value: v}
			if _, seen := out[r]; v != "" && want[r] && !seen {
				out[r] = h.ID
			}
		}
	}
	return out, nil
}

// Resolve implements index.Store.
func (s *Store) Resolve(ctx context.Context, ref string) (string, error) {
	return resolve(ctx, s.kw, ref)
}

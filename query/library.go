package query

import (
	"context"
	"errors"

	"github.com/paperseek/paperseek/index"
)

// AddLibrary adds a user's papers (read from a .bib, .ris, … export) to
// s as positives: a paper the index holds, found by its DOI, arXiv id,
// PMID or id, by its id, so its stored vector is used; any other by its
// title and abstract. It reports how many were found in the index.
func (e *Engine) AddLibrary(ctx context.Context, s *Seeds, papers []index.Paper) (found int, err error) {
	for _, p := range papers {
		id, err := e.findPaper(ctx, p)
		if err != nil {
			return found, err
		}
		if id != "" {
			s.Positive = append(s.Positive, id)
			found++
			continue
		}
		if text := p.Text(); text != "" {
			s.Texts = append(s.Texts, text)
		}
	}
	return found, nil
}

// findPaper returns the id of the indexed paper p is, or "". External ids
// come first: a library's own ids (BibTeX keys) are the user's names, and
// only by chance an index's.
func (e *Engine) findPaper(ctx context.Context, p index.Paper) (string, error) {
	refs := make([]string, 0, 4)
	for _, r := range []index.Ref{
		{Scheme: index.SchemeDOI, Value: p.DOI},
		{Scheme: index.SchemeArXiv, Value: p.ArXiv},
		{Scheme: index.SchemePMID, Value: p.PMID},
	} {
		if r.Value != "" {
			refs = append(refs, r.String())
		}
	}
	if p.ID != "" {
		refs = append(refs, p.ID)
	}
	for _, ref := range refs {
		id, err := e.st.Resolve(ctx, ref)
		switch {
		case err == nil:
			return id, nil
		case errors.Is(err, index.ErrNotFound), errors.Is(err, index.ErrBadRef):
			continue
		default:
			return "", err
		}
	}
	return "", nil
}

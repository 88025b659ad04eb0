package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/local/vectors"

	"github.com/blevesearch/bleve/v2"
)

// CheckReport is what `paperseek check` finds in an index directory.
type CheckReport = index.CheckReport

// Check verifies that the current generation opens and that its keyword
// index and vector store hold exactly the same papers. Opening already
// verifies the vectors file's checksum and the local model.
func Check(ctx context.Context, dir string) (CheckReport, error) {
	st, err := Open(ctx, dir)
	if err != nil {
		return CheckReport{}, err
	}
	defer st.Close()
	vecs, err := st.loadVectors()
	if err != nil {
		return CheckReport{}, err
	}
	if err := vecs.Verify(ctx); err != nil {
		return CheckReport{}, fmt.Errorf("%w: %w", index.ErrCorrupt, err)
	}
	recall, queries, err := exactAgreement(ctx, vecs)
	if err != nil {
		return CheckReport{}, err
	}
	if err := st.checkModel(); err != nil {
		return CheckReport{}, err
	}
	r, err := compareLegs(st.kw, vecs)
	if err != nil {
		return r, err
	}
	r.Generation = st.manifest.Generation
	r.Papers = st.manifest.Papers
	if queries > 0 {
		r.ExactRecall = &recall
	}
	r.Leftovers = leftovers(dir, st.manifest.Generation)
	if r.SharedIDs, err = sharedIDs(ctx, st.kw); err != nil {
		return r, err
	}
	r.OK = len(r.MissingVectors) == 0 && len(r.OrphanVectors) == 0 && r.KeywordDocs == r.Papers && len(r.SharedIDs) == 0 &&
		(r.ExactRecall == nil || *r.ExactRecall >= index.MinExactRecall)
	return r, nil
}

// Repair makes the legs agree in a new generation: papers without a vector
// are embedded with the index's own embedder, vectors without a paper are
// dropped. Like any index run it holds the writer lock and commits
// atomically.
func Repair(ctx context.Context, dir string, opts index.WriteOptions) (CheckReport, error) {
	// A healthy index is left alone: no new generation, no new timestamp.
	before, err := Check(ctx, dir)
	if err == nil && before.OK {
		return before, nil
	}
	w, err := BeginWrite(ctx, dir, index.WriteOptions{Workers: opts.Workers, Progress: opts.Progress})
	if err != nil {
		return CheckReport{}, err
	}
	defer w.Abort()
	if w.prev == nil {
		return CheckReport{}, fmt.Errorf("%w at %s: nothing to repair", index.ErrNoIndex, dir)
	}
	// A semantic leg that disagrees with an exact scan gets new lists.
	w.repartition = before.ExactRecall != nil && *before.ExactRecall < index.MinExactRecall
	r, err := compareLegs(w.kw, w.prevSet)
	if err != nil {
		return r, err
	}
	w.vb.Delete(r.OrphanVectors...)
	w.known = make(map[string]struct{}, r.KeywordDocs)
	if err := eachKeywordID(w.kw, func(id string) { w.known[id] = struct{}{} }); err != nil {
		return r, err
	}
	for _, id := range r.MissingVectors {
		w.changed[id] = struct{}{}
	}
	if _, err := w.Commit(ctx); err != nil {
		return r, err
	}
	after, err := Check(ctx, dir)
	after.Repaired = err == nil && after.OK
	return after, err
}

// compareLegs lists the papers only one leg has.
func compareLegs(kw bleve.Index, vecs *vectors.Set) (CheckReport, error) {
	var r CheckReport
	seen := make(map[string]bool, vecs.Count())
	err := eachKeywordID(kw, func(id string) {
		r.KeywordDocs++
		seen[id] = true
		if !vecs.Contains(id) {
			r.MissingVectors = append(r.MissingVectors, id)
		}
	})
	if err != nil {
		return r, err
	}
	r.Vectors = vecs.Count()
	err = vecs.Each(func(id string) error {
		if !seen[id] {
			r.OrphanVectors = append(r.OrphanVectors, id)
		}
		return nil
	})
	slices.Sort(r.MissingVectors)
	slices.Sort(r.OrphanVectors)
	return r, err
}

// eachKeywordID calls fn with the id of every document in the keyword index.
func eachKeywordID(kw bleve.Index, fn func(id string)) error {
	adv, err := kw.Advanced()
	if err != nil {
		return fmt.Errorf("keyword index: %w", err)
	}
	rd, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("keyword index: %w", err)
	}
	defer rd.Close()
	all, err := rd.DocIDReaderAll()
	if err != nil {
		return fmt.Errorf("keyword index: %w", err)
	}
	defer all.Close()
	for {
		internal, err := all.Next()
		if err != nil {
			return fmt.Errorf("keyword index: %w", err)
		}
		if internal == nil {
			return nil
		}
		id, err := rd.ExternalID(internal)
		if err != nil {
			return fmt.Errorf("keyword index: %w", err)
		}
		fn(id)
	}
}

// leftovers lists generation directories and temporary files (of crashed
// atomic writes) that the manifest naming generation current does not need;
// the previous generation is kept on purpose. Index runs remove them.
func leftovers(dir string, current int) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		var g int
		if _, err := fmt.Sscanf(e.Name(), "gen-%06d", &g); err == nil && e.IsDir() {
			if g != current && g != current-1 {
				out = append(out, e.Name())
			}
			continue
		}
		if strings.Contains(e.Name(), ".tmp-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// checkModel verifies that the generation's model, if it has one, is whole
// and loads as the embedder it records.
func (s *Store) checkModel() error {
	st := s.manifest.embedderState(s.genDir)
	if st.Model == nil {
		return nil
	}
	if _, err := embed.ForQueries(st, ""); err != nil && !errors.Is(err, embed.ErrNoModel) {
		return fmt.Errorf("%w: embedding model: %w", index.ErrCorrupt, err)
	}
	return nil
}

// sharedIDs lists external ids that more than one paper holds: the terms
// of the external-id fields whose count says more than one, confirmed by a
// search.
func sharedIDs(ctx context.Context, kw bleve.Index) ([]string, error) {
	var out []string
	for _, kind := range []string{index.SchemeDOI, index.SchemeArXiv, index.SchemePMID} {
		field := refField[kind]
		dict, err := kw.FieldDict(field)
		if err != nil {
			return nil, fmt.Errorf("keyword index: %w", err)
		}
		var shared []string
		for {
			e, err := dict.Next()
			if err != nil {
				dict.Close()
				return nil, fmt.Errorf("keyword index: %w", err)
			}
			if e == nil {
				break
			}
			if e.Count > 1 {
				shared = append(shared, e.Term)
			}
		}
		dict.Close()
		for _, v := range shared {
			q := bleve.NewTermQuery(v)
			q.SetField(field)
			req := bleve.NewSearchRequestOptions(q, 10, 0, false)
			req.SortBy([]string{"_id"})
			res, err := kw.SearchInContext(ctx, req)
			if err != nil {
				return nil, fmt.Errorf("keyword index: %w", err)
			}
			// A term's count includes replaced papers not yet merged away:
			// only papers a search finds share it.
			if len(res.Hits) < 2 {
				continue
			}
			line := kind + ":" + v
			for _, h := range res.Hits {
				line += " " + h.ID
			}
			out = append(out, line)
		}
	}
	return out, nil
}

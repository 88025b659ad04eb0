package index

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
)

// CheckReport is what `paperseek check` finds in an index directory.
type CheckReport struct {
	Generation  int `json:"generation"`
	Papers      int `json:"papers"` // as the manifest records
	KeywordDocs int `json:"keyword_docs"`
	Vectors     int `json:"vectors"`
	// MissingVectors are papers in the keyword index without a vector;
	// OrphanVectors are vectors of papers the keyword index lacks.
	MissingVectors []string `json:"missing_vectors,omitempty"`
	OrphanVectors  []string `json:"orphan_vectors,omitempty"`
	// Leftovers are files an interrupted run left behind; they do no harm
	// and the next index run removes them.
	Leftovers []string `json:"leftovers,omitempty"`
	OK        bool     `json:"ok"`
	Repaired  bool     `json:"repaired,omitempty"`
}

// Summary is a one-line account of the report.
func (r CheckReport) Summary() string {
	if r.OK {
		s := fmt.Sprintf("ok: generation %d, %d papers, each with exactly one vector", r.Generation, r.Papers)
		if r.Repaired {
			s += " (repaired)"
		}
		return s
	}
	var problems []string
	if r.KeywordDocs != r.Papers {
		problems = append(problems, fmt.Sprintf("the manifest records %d papers but the keyword index holds %d", r.Papers, r.KeywordDocs))
	}
	if n := len(r.MissingVectors); n > 0 {
		problems = append(problems, fmt.Sprintf("%d papers have no vector (first: %q)", n, r.MissingVectors[0]))
	}
	if n := len(r.OrphanVectors); n > 0 {
		problems = append(problems, fmt.Sprintf("%d vectors belong to no paper (first: %q)", n, r.OrphanVectors[0]))
	}
	return strings.Join(problems, "; ") + "; run `paperseek check --repair`"
}

// Check verifies that the current generation opens and that its keyword
// index and vector store hold exactly the same papers. Opening already
// verifies the vectors file's checksum and the local model.
func Check(ctx context.Context, dir string) (CheckReport, error) {
	ix, err := Open(ctx, dir)
	if err != nil {
		return CheckReport{}, err
	}
	defer ix.Close()
	r, err := compareLegs(ix.kw, ix.vectors)
	if err != nil {
		return r, err
	}
	r.Generation = ix.manifest.Generation
	r.Papers = ix.manifest.Papers
	r.Leftovers = leftovers(dir, ix.manifest.Generation)
	r.OK = len(r.MissingVectors) == 0 && len(r.OrphanVectors) == 0 && r.KeywordDocs == r.Papers
	return r, nil
}

// Repair makes the legs agree in a new generation: papers without a vector
// are embedded with the index's own embedder, vectors without a paper are
// dropped. Like any index run it holds the writer lock and commits
// atomically.
func Repair(ctx context.Context, dir string, opts WriteOptions) (CheckReport, error) {
	// A healthy index is left alone: no new generation, no new timestamp.
	if r, err := Check(ctx, dir); err == nil && r.OK {
		return r, nil
	}
	w, err := BeginWrite(ctx, dir, WriteOptions{Workers: opts.Workers, Progress: opts.Progress})
	if err != nil {
		return CheckReport{}, err
	}
	defer w.Abort()
	if w.prev == nil {
		return CheckReport{}, fmt.Errorf("%w at %s: nothing to repair", ErrNoIndex, dir)
	}
	r, err := compareLegs(w.kw, w.vectors)
	if err != nil {
		return r, err
	}
	if err := w.vectors.Delete(ctx, r.OrphanVectors...); err != nil {
		return r, err
	}
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
func compareLegs(kw bleve.Index, vecs *Vectors) (CheckReport, error) {
	var r CheckReport
	seen := make(map[string]bool, vecs.Count())
	err := eachKeywordID(kw, func(id string) {
		r.KeywordDocs++
		seen[id] = true
		if _, ok := vecs.recs[id]; !ok {
			r.MissingVectors = append(r.MissingVectors, id)
		}
	})
	if err != nil {
		return r, err
	}
	r.Vectors = vecs.Count()
	for id := range vecs.recs {
		if !seen[id] {
			r.OrphanVectors = append(r.OrphanVectors, id)
		}
	}
	slices.Sort(r.MissingVectors)
	slices.Sort(r.OrphanVectors)
	return r, nil
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

package local

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// A record sharing an external id with an indexed paper replaces it under
// the indexed id, its fields winning where it has them — whether the other
// record came in an earlier run, earlier in the same run, or in the same
// batch.
func TestSamePaperFromTwoSources(t *testing.T) {
	ctx := context.Background()
	base := corpus(30, "p")
	base[3].DOI = "10.1000/abc"
	base[4].ArXiv = "2401.01234"
	base[5].PMID = "777"
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, base)

	w, err := BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	fromBib := []index.Paper{
		{ID: "smith2024", Title: "A better title from the BibTeX file", DOI: "10.1000/abc", ArXiv: "2401.99999"},
		{ID: "W123", Abstract: "An OpenAlex abstract.", ArXiv: "2401.01234"},
		{ID: "pmid:777", Title: "From PubMed", PMID: "777", Year: 1999},
		// The same new paper twice in one batch, from two sources.
		{ID: "new-a", Title: "Brand new", DOI: "10.1000/new"},
		{ID: "new-b", Abstract: "Its abstract, from the other source.", DOI: "10.1000/new"},
	}
	added, replaced, err := w.Add(ctx, fromBib)
	if err != nil {
		t.Fatal(err)
	}
	// A later batch of the same run finds the paper added above.
	a2, r2, err := w.Add(ctx, []index.Paper{{ID: "new-c", Title: "Brand new, third source", ArXiv: "2401.99999"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.commit(ctx); err != nil {
		t.Fatal(err)
	}
	if added != 1 || replaced != 4 || a2 != 0 || r2 != 1 {
		t.Errorf("added/replaced = %d/%d then %d/%d, want 1/4 then 0/1", added, replaced, a2, r2)
	}
	s := open(t, dir)
	if st, _ := s.Stats(ctx); st.Papers != 31 || st.Vectors != 31 {
		t.Errorf("stats %+v, want 31 papers and vectors", st)
	}
	got, err := s.Paper(ctx, "p003")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Brand new, third source" || got.Abstract != base[3].Abstract || got.ArXiv != "2401.99999" {
		t.Errorf("merged p003 = %+v", got)
	}
	if p4, _ := s.Paper(ctx, "p004"); p4.Abstract != "An OpenAlex abstract." || p4.Title != base[4].Title {
		t.Errorf("merged p004 = %+v", p4)
	}
	if p5, _ := s.Paper(ctx, "p005"); p5.Title != "From PubMed" || p5.Year != 1999 {
		t.Errorf("merged p005 = %+v", p5)
	}
	if n, _ := s.Paper(ctx, "new-a"); n.Title != "Brand new" || n.Abstract != "Its abstract, from the other source." {
		t.Errorf("new-a = %+v", n)
	}
	for _, id := range []string{"smith2024", "W123", "pmid:777", "new-b", "new-c"} {
		if _, err := s.Paper(ctx, id); !errors.Is(err, index.ErrNotFound) {
			t.Errorf("%s was indexed as a second copy (err %v)", id, err)
		}
	}
	for ref, want := range map[string]string{
		"doi:https://doi.org/10.1000/ABC": "p003",
		"arxiv:2401.99999v2":              "p003",
		"arxiv:2401.01234":                "p004",
		"pmid:777":                        "p005",
		"p007":                            "p007",
		"doi:10.1000/new":                 "new-a",
	} {
		if id, err := s.Resolve(ctx, ref); err != nil || id != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", ref, id, err, want)
		}
	}
	if _, err := s.Resolve(ctx, "doi:10.9/none"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("unknown doi: err %v", err)
	}
	if r, err := Check(ctx, dir); err != nil || !r.OK {
		t.Errorf("check after dedup: %+v, %v", r, err)
	}
}

func TestDeleteByIDAndExternalID(t *testing.T) {
	ctx := context.Background()
	papers := corpus(30, "p")
	papers[2].DOI = "10.1000/two"
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, papers)
	w, err := BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	n, unknown, err := w.Delete(ctx, []string{"p001", "doi:10.1000/TWO", "nope", "p001", "pmid:1"})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || !slices.Equal(unknown, []string{"nope", "p001", "pmid:1"}) {
		t.Errorf("deleted %d, unknown %q; want 2 and nope, p001 (twice), pmid:1", n, unknown)
	}
	if _, err := w.commit(ctx); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir)
	for _, id := range []string{"p001", "p002"} {
		if _, err := s.Paper(ctx, id); !errors.Is(err, index.ErrNotFound) {
			t.Errorf("%s still there: %v", id, err)
		}
		if _, err := s.Vector(ctx, id); !errors.Is(err, index.ErrNotFound) {
			t.Errorf("%s still has a vector: %v", id, err)
		}
	}
	if r, err := Check(ctx, dir); err != nil || !r.OK || r.Papers != 28 {
		t.Errorf("check after delete: %+v, %v", r, err)
	}
}

func TestStateIsCommittedAndKept(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.Add(ctx, corpus(10, "p"))
	w.SetState("harvest/cs", "2026-12-01")
	w.Abort()
	if _, err := os.Stat(filepath.Join(dir, manifestName)); err == nil {
		t.Fatal("an aborted run committed")
	}
	w, _ = BeginWrite(ctx, dir, index.WriteOptions{})
	w.Add(ctx, corpus(10, "p"))
	w.SetState("harvest/cs", "2026-12-01")
	w.SetState("harvest/math", "2026-11-30")
	if _, err := w.commit(ctx); err != nil {
		t.Fatal(err)
	}
	w, _ = BeginWrite(ctx, dir, index.WriteOptions{})
	w.Add(ctx, corpus(2, "q"))
	w.SetState("harvest/math", "")
	if _, err := w.commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := open(t, dir).Info().State; len(got) != 1 || got["harvest/cs"] != "2026-12-01" {
		t.Errorf("state = %v, want only harvest/cs kept", got)
	}
}

func TestCheckReportsSharedExternalIDs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	papers := corpus(12, "p")
	build(t, dir, index.WriteOptions{}, papers)
	// Replacing a paper by its own id with its DOI unchanged, and adding
	// a DOI by replacement, must not look like sharing.
	papers[1].DOI = "10.1000/one"
	build(t, dir, index.WriteOptions{}, papers[1:2])
	papers[1].Title = "retitled"
	build(t, dir, index.WriteOptions{}, papers[1:2])
	if r, err := Check(ctx, dir); err != nil || !r.OK {
		t.Fatalf("check: %+v, %v", r, err)
	}
	// Two papers given the same DOI by id (each replaced whole, which is
	// not recognised as the same paper) is what check must find.
	papers[2].DOI = "10.1000/one"
	build(t, dir, index.WriteOptions{}, papers[2:3])
	r, err := Check(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || !slices.Equal(r.SharedIDs, []string{"doi:10.1000/one p001 p002"}) {
		t.Errorf("check = %+v, want the shared doi reported", r)
	}
}

func TestUpgradeFormat1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../testdata/format1-index")); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dir); !errors.Is(err, index.ErrUsage) {
		t.Fatalf("opening a format-1 index: %v, want a usage error asking to upgrade", err)
	}
	old := map[string][]float32{}
	err := readLegacyVectors(filepath.Join(dir, "gen-000001", legacyVectorsName), func(r legacyRecord) error {
		old[r.ID] = r.Vec
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w, err := BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.commit(ctx); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir)
	if m := s.Manifest(); m.Format != FormatVersion || m.Papers != 12 || m.Generation != 2 {
		t.Errorf("manifest after upgrade: %+v", m)
	}
	ids, _ := s.VectorIDs()
	if !slices.Equal(ids, slices.Sorted(maps.Keys(old))) {
		t.Fatalf("papers after upgrade %v, before %v", ids, slices.Sorted(maps.Keys(old)))
	}
	for _, id := range ids {
		a := old[id]
		b, err := s.Vector(ctx, id)
		if err != nil || !slices.Equal(a, b) {
			t.Errorf("%s: vector changed by the upgrade (%v)", id, err)
		}
	}
	if r, err := Check(ctx, dir); err != nil || !r.OK {
		t.Errorf("check after upgrade: %+v, %v", r, err)
	}
	hits, err := s.Keyword(ctx, index.KeywordQuery{Text: "speculative decoding"}, index.Filter{}, 5)
	if err != nil || len(hits) == 0 {
		t.Errorf("keyword search after upgrade: %v, %v", hits, err)
	}
}

package local

import (
	"context"
	"errors"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// Bleve writes one batch in the background while the writer prepares the
// next: the next batch must find the papers of the one in flight, and not
// the stored papers it replaces.
func TestDedupSeesTheBatchInFlight(t *testing.T) {
	ctx := context.Background()
	base := corpus(10, "p")
	base[3].DOI = "10.1000/old"
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, base)

	testBatchGate = make(chan struct{})
	t.Cleanup(func() { testBatchGate = nil })
	w, err := BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	fixed := base[3]
	fixed.DOI = "10.1000/fixed" // its DOI corrected: the old one names no paper now
	if _, _, err := w.Add(ctx, []index.Paper{{ID: "new-a", Title: "Brand new", DOI: "10.1000/new"}, fixed}); err != nil {
		t.Fatal(err)
	}
	added, replaced, err := w.Add(ctx, []index.Paper{
		{ID: "new-b", Abstract: "Its abstract, from another source.", DOI: "10.1000/new"},
		{ID: "other", Title: "Another paper", Abstract: "Holding the DOI p003 gave up.", DOI: "10.1000/old"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.commit(ctx); err != nil {
		t.Fatal(err)
	}
	if added != 1 || replaced != 1 {
		t.Errorf("second batch added/replaced %d/%d, want 1/1", added, replaced)
	}
	s := open(t, dir)
	if st, _ := s.Stats(ctx); st.Papers != 12 {
		t.Errorf("%d papers, want 12", st.Papers)
	}
	if p, _ := s.Paper(ctx, "new-a"); p.Title != "Brand new" || p.Abstract != "Its abstract, from another source." {
		t.Errorf("new-a = %+v, want the two records merged", p)
	}
	if _, err := s.Paper(ctx, "new-b"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("new-b was indexed as a second copy (err %v)", err)
	}
	if p, _ := s.Paper(ctx, "p003"); p.Title != base[3].Title || p.DOI != "10.1000/fixed" {
		t.Errorf("p003 = %+v", p)
	}
	for ref, want := range map[string]string{"doi:10.1000/old": "other", "doi:10.1000/fixed": "p003", "doi:10.1000/new": "new-a"} {
		if id, err := s.Resolve(ctx, ref); err != nil || id != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", ref, id, err, want)
		}
	}
}

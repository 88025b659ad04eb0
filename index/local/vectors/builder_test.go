package vectors

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// model is the expected content of a set: id → paper.
type model map[string]paper

func (m model) papers() []paper {
	var out []paper
	for _, p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b paper) int { return cmpStr(a.id, b.id) })
	return out
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkSet holds s to m: counts, every id exactly once (Verify and Each),
// vectors and metadata of each paper, and exact search answers.
func checkSet(t *testing.T, s *Set, m model) {
	t.Helper()
	ctx := context.Background()
	if err := s.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Count() != len(m) {
		t.Fatalf("count = %d, want %d", s.Count(), len(m))
	}
	var ids []string
	if err := s.Each(func(id string) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	want := make([]string, 0, len(m))
	var sum uint64
	for id, p := range m {
		want = append(want, id)
		sum += uint64(p.meta.Length)
	}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("Each gave %d ids, want %d", len(ids), len(want))
	}
	if s.SumLength() != sum {
		t.Fatalf("Σ length = %d, want %d", s.SumLength(), sum)
	}
	for id, p := range m {
		v, ok := s.Vector(id)
		u, zero := normalize(p.vec)
		if ok == zero || (ok && !slices.Equal(v, u)) {
			t.Fatalf("vector of %s is not the latest put", id)
		}
		if meta, _ := s.Meta(id); meta.Year != p.meta.Year || meta.Length != p.meta.Length {
			t.Fatalf("meta of %s = %+v, want %+v", id, meta, p.meta)
		}
	}
	papers := m.papers()
	for i := 0; i < len(papers); i += max(1, len(papers)/5) {
		for _, f := range []Filter{{}, {Categories: []string{"cs.CL"}}} {
			got, err := s.Search(ctx, papers[i].vec, 30, f)
			if err != nil {
				t.Fatal(err)
			}
			w := exact(papers, papers[i].vec, f)
			if !slices.Equal(hitIDs(got), hitIDs(w[:min(30, len(w))])) {
				t.Fatalf("search after changes: got %v\nwant %v", hitIDs(got)[:min(5, len(got))], hitIDs(w)[:min(5, len(w))])
			}
		}
	}
}

// TestBuilderGenerations runs a sequence of index runs over one set, each
// building generation g+1 from generation g, and checks every generation
// against a model: additions, replacements of papers in older segments,
// deletions, segments merging as they pile up, re-partitioning when the
// index doubles, and unchanged segments hard-linked, not copied.
func TestBuilderGenerations(t *testing.T) {
	withProbe(t, 1<<30, 1) // exact answers, so the search check is exact
	ctx := context.Background()
	root := t.TempDir()
	pool := corpus(12000, 16, 11)
	m := model{}
	var prev *Set
	gen := 0
	next := 0 // next unused paper of pool
	fresh := func(n int) []paper { out := pool[next : next+n]; next += n; return out }
	type run struct {
		name    string
		add     int
		replace int // existing papers given new vectors and years
		del     int
		check   func(t *testing.T, before, after *Set)
	}
	segsOf := func(s *Set) []string { return s.Files()[1:] }
	runs := []run{
		{name: "first build, one list", add: 1100},
		{name: "small sync: new segment, old one linked", add: 250, replace: 20, del: 10, check: func(t *testing.T, before, after *Set) {
			if after.Segments() != 2 {
				t.Fatalf("segments = %v", segsOf(after))
			}
			sameFile(t, filepath.Join(before.Dir(), segsOf(before)[0]), filepath.Join(after.Dir(), segsOf(before)[0]))
		}},
		{name: "sync", add: 150, replace: 50, del: 5},
		{name: "sync", add: 150, replace: 5},
		{name: "sync: a tier of four small segments merges", add: 200, del: 100, check: func(t *testing.T, before, after *Set) {
			if after.Segments() >= before.Segments()+1 {
				t.Fatalf("no merge: %v -> %v", segsOf(before), segsOf(after))
			}
		}},
		{name: "delete only", del: 300},
		{name: "replace only", replace: 400},
		{name: "growth past the partitioning threshold re-partitions", add: 1700, check: func(t *testing.T, before, after *Set) {
			if after.Lists() == 1 || after.Segments() != 1 {
				t.Fatalf("lists %d, segments %d", after.Lists(), after.Segments())
			}
		}},
		{name: "sync into the lists", add: 500, replace: 300, del: 300, check: func(t *testing.T, before, after *Set) {
			if after.Lists() != before.Lists() || after.Segments() != 2 {
				t.Fatalf("lists %d -> %d, segments %d", before.Lists(), after.Lists(), after.Segments())
			}
		}},
		{name: "heavy deletion compacts the big segment", del: 1300, check: func(t *testing.T, before, after *Set) {
			for _, g := range after.segs {
				if len(g.entry.deleted)*100 > compactDeletedPct*g.rows() {
					t.Fatalf("segment %s keeps %d of %d rows deleted", g.name, len(g.entry.deleted), g.rows())
				}
			}
		}},
	}
	for _, r := range runs {
		t.Run(fmt.Sprintf("gen %d: %s", gen+1, r.name), func(t *testing.T) {
			gen++
			dir := filepath.Join(root, fmt.Sprintf("gen-%d", gen))
			b, err := NewBuilder(dir, prev)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range fresh(r.add) {
				if err := b.Put(p.id, p.vec, p.meta); err != nil {
					t.Fatal(err)
				}
				m[p.id] = p
			}
			ids := slices.Sorted(func(yield func(string) bool) {
				for id := range m {
					if !yield(id) {
						return
					}
				}
			})
			for i := 0; i < r.replace; i++ {
				id := ids[(i*7919)%len(ids)]
				p := pool[next+i%100] // a vector from elsewhere
				np := paper{id: id, vec: p.vec, meta: p.meta}
				np.meta.Year = 2000 + i%20
				if err := b.Put(id, np.vec, np.meta); err != nil {
					t.Fatal(err)
				}
				m[id] = np
			}
			for i := 0; i < r.del; i++ {
				id := ids[(i*104729+13)%len(ids)]
				b.Delete(id)
				delete(m, id)
			}
			if b.Count() != len(m) {
				t.Fatalf("builder count %d, want %d", b.Count(), len(m))
			}
			if err := b.Commit(ctx, BuildOptions{}); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if left, err := Leftovers(dir); err != nil || len(left) != 0 {
				t.Fatalf("leftovers %v, %v", left, err)
			}
			t.Logf("%d papers, %d lists, segments %v", s.Count(), s.Lists(), segsOf(s))
			checkSet(t, s, m)
			if r.check != nil {
				r.check(t, prev, s)
			}
			if prev != nil {
				prev.Close()
			}
			prev = s
		})
	}
	if prev != nil {
		prev.Close()
	}
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 != nil || err2 != nil || !os.SameFile(sa, sb) {
		t.Fatalf("%s is not a hard link of %s (%v, %v)", b, a, err1, err2)
	}
}

func TestBuilderRejects(t *testing.T) {
	b, err := NewBuilder(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort()
	if err := b.Put("a", []float32{1, 0, 0}, Meta{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		id   string
		vec  []float32
		m    Meta
	}{
		{"wrong dimensions", "b", []float32{1, 0}, Meta{}},
		{"not finite", "b", []float32{1, float32(nan()), 0}, Meta{}},
		{"bad date", "b", []float32{1, 0, 0}, Meta{Published: "2024-13-01"}},
		{"negative year", "b", []float32{1, 0, 0}, Meta{Year: -1}},
		{"empty id", "", []float32{1, 0, 0}, Meta{}},
	} {
		if err := b.Put(tc.id, tc.vec, tc.m); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func nan() float64 { var z float64; return z / z }

// TestEmptySet: an index with no papers commits and opens, and searches
// find nothing.
func TestEmptySet(t *testing.T) {
	dir := t.TempDir()
	b, _ := NewBuilder(dir, nil)
	if err := b.Commit(context.Background(), BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if hits, err := s.Search(context.Background(), []float32{1, 2}, 5, Filter{}); err != nil || len(hits) != 0 {
		t.Errorf("search of an empty set: %v, %v", hits, err)
	}
	if err := s.Verify(context.Background()); err != nil {
		t.Error(err)
	}
	// The next run takes the dimensions of its first vector.
	s2 := build(t, filepath.Join(t.TempDir(), "next"), s, corpus(10, 8, 1), BuildOptions{})
	if s2.Count() != 10 || s2.Dims() != 8 {
		t.Errorf("count %d dims %d", s2.Count(), s2.Dims())
	}
}

// TestCommitInterrupted: a run that dies after writing a segment but
// before its set file leaves the previous generation whole and the new
// directory without a set (so nothing opens it); the spill file goes with
// Abort.
func TestCommitInterrupted(t *testing.T) {
	root := t.TempDir()
	papers := corpus(3000, 16, 41)
	prev := build(t, filepath.Join(root, "gen-1"), nil, papers[:2000], BuildOptions{})
	dir := filepath.Join(root, "gen-2")
	b, err := NewBuilder(dir, prev)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range papers[2000:] {
		b.Put(p.id, p.vec, p.meta)
	}
	func() {
		defer func() { recover() }()
		b.Commit(context.Background(), BuildOptions{AfterSegment: func() { panic("killed") }})
	}()
	b.Abort()
	if _, err := Open(dir); err == nil {
		t.Fatal("a set without its set file opened")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() == SetName || (len(e.Name()) > 6 && e.Name()[:6] == ".spill") {
			t.Errorf("left %s", e.Name())
		}
	}
	if err := prev.Verify(context.Background()); err != nil || prev.Count() != 2000 {
		t.Fatalf("previous generation: %d papers, %v", prev.Count(), err)
	}
}

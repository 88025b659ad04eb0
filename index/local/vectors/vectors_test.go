package vectors

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// paper is one test row with everything the reference needs.
type paper struct {
	id   string
	vec  []float32
	meta Meta
}

var testCats = []string{"cs.CL", "cs.LG", "cs.IR", "math.PR", "hep-ph", "q-bio.NC"}
var testAuthors = []string{"ada lovelace", "alan turing", "grace hopper", "claude shannon", "émilie du châtelet", "kurt gödel"}

// corpus returns n papers with unit vectors around 40 topic centres in dims
// dimensions, with years, dates, categories and authors spread over them;
// every 97th paper has a null (all-zero) vector.
func corpus(n, dims int, seed uint64) []paper {
	rng := rand.New(rand.NewPCG(seed, 7))
	centres := make([][]float64, 40)
	for i := range centres {
		centres[i] = make([]float64, dims)
		for j := range centres[i] {
			centres[i][j] = rng.NormFloat64()
		}
	}
	out := make([]paper, n)
	for i := range out {
		c := centres[rng.IntN(len(centres))]
		v := make([]float32, dims)
		if i%97 != 50 {
			for j := range v {
				v[j] = float32(c[j]/math.Sqrt(float64(dims)) + 0.5*rng.NormFloat64()/math.Sqrt(float64(dims)))
			}
		}
		m := Meta{Year: 1995 + rng.IntN(32), Length: 50 + rng.IntN(200)}
		if i%5 == 0 {
			m.Year = 0
		}
		if i%3 != 0 {
			m.Published = fmt.Sprintf("%04d-%02d-%02d", max(m.Year, 1990), 1+rng.IntN(12), 1+rng.IntN(28))
		}
		for range rng.IntN(3) {
			m.Categories = append(m.Categories, testCats[rng.IntN(len(testCats))])
		}
		for range rng.IntN(4) {
			m.AuthorsLC = append(m.AuthorsLC, testAuthors[rng.IntN(len(testAuthors))])
		}
		out[i] = paper{id: fmt.Sprintf("p%07d", i), vec: v, meta: m}
	}
	return out
}

// keeps is the filter written the plain way, as the keyword leg means it.
func keeps(f Filter, m Meta) bool {
	if f.YearFrom != 0 || f.YearTo != 0 {
		if m.Year == 0 || (f.YearFrom != 0 && m.Year < f.YearFrom) || (f.YearTo != 0 && m.Year > f.YearTo) {
			return false
		}
	}
	if f.Since != "" && (m.Published == "" || m.Published < f.Since) {
		return false
	}
	if len(f.Categories) > 0 && !slices.ContainsFunc(m.Categories, func(c string) bool { return slices.Contains(f.Categories, c) }) {
		return false
	}
	if f.Author != "" && !slices.ContainsFunc(m.AuthorsLC, func(a string) bool { return strings.Contains(a, strings.ToLower(f.Author)) }) {
		return false
	}
	return true
}

// exact is the brute-force ranking: every non-null paper the filter keeps,
// by cosine (the package's dot) and id.
func exact(papers []paper, q []float32, f Filter) []Hit {
	q, _ = normalize(q)
	var out []Hit
	for _, p := range papers {
		u, zero := normalize(p.vec)
		if zero || !keeps(f, p.meta) {
			continue
		}
		out = append(out, Hit{ID: p.id, Score: float64(dot(q, u))})
	}
	slices.SortFunc(out, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func build(t testing.TB, dir string, prev *Set, papers []paper, opts BuildOptions) *Set {
	t.Helper()
	b, err := NewBuilder(dir, prev)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range papers {
		if err := b.Put(p.id, p.vec, p.meta); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// someQuery picks a paper's vector that is not null.
func someQuery(rng *rand.Rand, papers []paper) []float32 {
	for {
		p := papers[rng.IntN(len(papers))]
		if _, zero := normalize(p.vec); !zero {
			return p.vec
		}
	}
}

func hitIDs(h []Hit) []string {
	out := make([]string, len(h))
	for i, x := range h {
		out[i] = x.ID
	}
	return out
}

var testFilters = []struct {
	name string
	f    Filter
}{
	{"none", Filter{}},
	{"year range", Filter{YearFrom: 2005, YearTo: 2010}},
	{"year from", Filter{YearFrom: 2020}},
	{"year to", Filter{YearTo: 1997}},
	{"since", Filter{Since: "2019-06-15"}},
	{"category", Filter{Categories: []string{"cs.IR"}}},
	{"categories any of", Filter{Categories: []string{"hep-ph", "math.PR", "no.such"}}},
	{"author substring, any case", Filter{Author: "TUR"}},
	{"author with accents", Filter{Author: "Châtelet"}},
	{"everything", Filter{YearFrom: 2000, Since: "2003-01-01", Categories: []string{"cs.CL", "cs.LG"}, Author: "a"}},
	{"unknown category", Filter{Categories: []string{"astro-ph"}}},
	{"empty year range", Filter{YearFrom: 2010, YearTo: 2000}},
}

// withProbe sets the size of group 0 for one test.
func withProbe(t *testing.T, minRows int, listFactor float64) {
	oldMin, oldFactor := probeMinRows, probeListFactor
	probeMinRows, probeListFactor = minRows, listFactor
	t.Cleanup(func() { probeMinRows, probeListFactor = oldMin, oldFactor })
}

// TestSearchExact: with one list, or with group 0 covering everything,
// Search is the exact ranking, filters included.
func TestSearchExact(t *testing.T) {
	ctx := context.Background()
	small := corpus(partitionMin-500, 48, 1)
	large := corpus(partitionMin+3000, 24, 2)
	for _, tc := range []struct {
		name   string
		papers []paper
		lists  bool
	}{{"one list", small, false}, {"partitioned, probing all", large, true}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.lists {
				withProbe(t, math.MaxInt, 1)
			}
			s := build(t, t.TempDir(), nil, tc.papers, BuildOptions{})
			if got := s.Lists() > 1; got != tc.lists {
				t.Fatalf("lists = %d", s.Lists())
			}
			rng := rand.New(rand.NewPCG(3, 3))
			for _, ft := range testFilters {
				for range 4 {
					q := someQuery(rng, tc.papers)
					want := exact(tc.papers, q, ft.f)
					for _, n := range []int{1, 10, 100} {
						got, err := s.Search(ctx, q, n, ft.f)
						if err != nil {
							t.Fatal(err)
						}
						w := want[:min(n, len(want))]
						if !slices.Equal(hitIDs(got), hitIDs(w)) {
							t.Fatalf("%s, n=%d: got %v\nwant %v", ft.name, n, hitIDs(got)[:min(5, len(got))], hitIDs(w)[:min(5, len(w))])
						}
						for i := range got {
							if got[i].Score != w[i].Score {
								t.Fatalf("%s: score of %s = %v, want %v", ft.name, got[i].ID, got[i].Score, w[i].Score)
							}
						}
					}
				}
			}
		})
	}
}

// TestSearchPrefixStable: at every depth, with and without filters, the
// answer for n is the first n of the answer for a larger n, so pages never
// repeat or skip a paper; the filter is exact; and nothing is lost (a deep
// enough search returns every paper the filter keeps).
func TestSearchPrefixStable(t *testing.T) {
	ctx := context.Background()
	papers := corpus(partitionMin+5000, 24, 4)
	withProbe(t, 1000, 0.02) // a small group 0, so searches cross into group 1
	s := build(t, t.TempDir(), nil, papers, BuildOptions{})
	meta := map[string]Meta{}
	for _, p := range papers {
		meta[p.id] = p.meta
	}
	rng := rand.New(rand.NewPCG(5, 5))
	depths := []int{1, 2, 7, 10, 20, 50, 99, 100, 101, 250, 500, 1000, 3000}
	for _, ft := range testFilters {
		t.Run(ft.name, func(t *testing.T) {
			q := someQuery(rng, papers)
			want := exact(papers, q, ft.f)
			all, err := s.Search(ctx, q, len(papers)+1, ft.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != len(want) {
				t.Fatalf("a search deeper than the index returned %d papers, %d pass the filter", len(all), len(want))
			}
			gotSet, wantSet := hitIDs(all), hitIDs(want)
			slices.Sort(gotSet)
			slices.Sort(wantSet)
			if !slices.Equal(gotSet, wantSet) {
				t.Fatal("the papers found are not those the filter keeps")
			}
			for _, n := range depths {
				page, err := s.Search(ctx, q, n, ft.f)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(hitIDs(page), hitIDs(all[:min(n, len(all))])) {
					t.Fatalf("n=%d is not a prefix of the deepest answer", n)
				}
			}
			// Page through 100 at a time: no repeats, nothing skipped.
			seen := map[string]bool{}
			for off := 0; off < min(len(all), 2000); off += 100 {
				page, _ := s.Search(ctx, q, off+100, ft.f)
				for _, h := range page[off:] {
					if seen[h.ID] {
						t.Fatalf("page at %d repeats %s", off, h.ID)
					}
					seen[h.ID] = true
				}
			}
		})
	}
}

// TestSearchRecall: the default probing finds nearly all of the exact top
// 100 on clustered data (the real-data figure is bench/vectors' job).
func TestSearchRecall(t *testing.T) {
	ctx := context.Background()
	papers := corpus(partitionMin+10000, 32, 6)
	s := build(t, t.TempDir(), nil, papers, BuildOptions{})
	rng := rand.New(rand.NewPCG(7, 7))
	found, total := 0, 0
	for range 30 {
		q := someQuery(rng, papers)
		got, err := s.Search(ctx, q, 100, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		in := map[string]bool{}
		for _, h := range got {
			in[h.ID] = true
		}
		for _, h := range exact(papers, q, Filter{})[:100] {
			total++
			if in[h.ID] {
				found++
			}
		}
	}
	if r := float64(found) / float64(total); r < 0.95 {
		t.Errorf("recall@100 = %.3f, want ≥ 0.95", r)
	}
}

func TestSearchEdges(t *testing.T) {
	ctx := context.Background()
	papers := corpus(200, 16, 8)
	s := build(t, t.TempDir(), nil, papers, BuildOptions{})
	null := papers[50]
	if !s.Contains(null.id) {
		t.Error("a null-vector paper is not counted")
	}
	if _, ok := s.Vector(null.id); ok {
		t.Error("a null vector was returned")
	}
	all, _ := s.Search(ctx, papers[0].vec, 1000, Filter{})
	if slices.Contains(hitIDs(all), null.id) {
		t.Error("a null-vector paper was found by a search")
	}
	for _, tc := range []struct {
		name string
		q    []float32
		n    int
		err  bool
	}{
		{"zero query", make([]float32, 16), 5, false},
		{"n = 0", papers[0].vec, 0, false},
		{"wrong dimensions", make([]float32, 15), 5, true},
	} {
		hits, err := s.Search(ctx, tc.q, tc.n, Filter{})
		if (err != nil) != tc.err || len(hits) != 0 {
			t.Errorf("%s: %d hits, err %v", tc.name, len(hits), err)
		}
	}
	if _, err := s.Search(ctx, papers[0].vec, 5, Filter{Since: "last tuesday"}); err == nil {
		t.Error("a malformed since date was accepted")
	}
	// Vectors and metadata read back as written (vectors normalised).
	p := papers[7]
	v, ok := s.Vector(p.id)
	want, _ := normalize(p.vec)
	if !ok || !slices.Equal(v, want) {
		t.Error("vector does not read back")
	}
	m, _ := s.Meta(p.id)
	if m.Year != p.meta.Year || m.Published != p.meta.Published || m.Length != p.meta.Length ||
		!slices.Equal(m.Categories, p.meta.Categories) || !slices.Equal(m.AuthorsLC, p.meta.AuthorsLC) {
		t.Errorf("meta = %+v, want %+v", m, p.meta)
	}
	var sum uint64
	for _, p := range papers {
		sum += uint64(p.meta.Length)
	}
	if s.SumLength() != sum || s.Count() != len(papers) {
		t.Errorf("count %d, Σ length %d; want %d, %d", s.Count(), s.SumLength(), len(papers), sum)
	}
	if err := s.Verify(ctx); err != nil {
		t.Error(err)
	}
}

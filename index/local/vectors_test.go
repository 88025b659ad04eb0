package local

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

func unit(xs ...float32) []float32 {
	var ss float64
	for _, x := range xs {
		ss += float64(x) * float64(x)
	}
	for i := range xs {
		xs[i] = float32(float64(xs[i]) / math.Sqrt(ss))
	}
	return xs
}

func testStore(t *testing.T) *Vectors {
	t.Helper()
	ctx := context.Background()
	v := newVectors(0)
	puts := []struct {
		id   string
		vec  []float32
		meta PaperMeta
	}{
		{"a", unit(1, 0, 0), PaperMeta{Year: 2020, Categories: []string{"cs.CL"}, AuthorsLC: []string{"ada lovelace"}}},
		{"b", unit(0.9, 0.1, 0), PaperMeta{Year: 2021, Categories: []string{"cs.LG"}}},
		{"c", unit(0, 1, 0), PaperMeta{Year: 2022, Categories: []string{"cs.CL", "cs.IR"}}},
		{"id with spaces/and slash", unit(0, 0, 1), PaperMeta{Year: 2023}},
		{"zero", []float32{0, 0, 0}, PaperMeta{Year: 2020}},
	}
	for _, p := range puts {
		if err := v.Put(ctx, p.id, p.vec, p.meta); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

func ids(hits []index.Hit) string {
	var s []string
	for _, h := range hits {
		s = append(s, h.ID)
	}
	return strings.Join(s, ",")
}

func TestVectorSearch(t *testing.T) {
	v := testStore(t)
	tests := []struct {
		name string
		q    []float32
		n    int
		keep func(*PaperMeta) bool
		want string
	}{
		{"nearest first", unit(1, 0, 0), 2, nil, "a,b"},
		// The zero-vector paper is stored but never returned.
		// b is closest; a, c and the last tie and break by id.
		{"all but the null vector", unit(1, 1, 1), 10, nil, "b,a,c,id with spaces/and slash"},
		{"filter widens the window", unit(1, 0, 0), 1, func(m *PaperMeta) bool { return m.Year == 2022 }, "c"},
		{"filter keeps nothing", unit(1, 0, 0), 3, func(m *PaperMeta) bool { return m.Year == 1999 }, ""},
		{"zero query finds nothing", []float32{0, 0, 0}, 3, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := v.Search(context.Background(), tt.q, tt.n, tt.keep)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(hits); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, h := range hits {
				if math.IsNaN(h.Score) {
					t.Errorf("NaN score for %s", h.ID)
				}
			}
		})
	}
	if _, err := v.Search(context.Background(), unit(1, 0), 1, nil); err == nil {
		t.Error("a query of the wrong dimension was accepted")
	}
	if err := v.Put(context.Background(), "d", unit(1, 0), PaperMeta{}); err == nil {
		t.Error("a vector of the wrong dimension was accepted")
	}
}

func TestVectorsRoundTrip(t *testing.T) {
	ctx := context.Background()
	v := testStore(t)
	path := filepath.Join(t.TempDir(), vectorsName)
	if err := v.save(path); err != nil {
		t.Fatal(err)
	}
	got, err := loadVectors(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Count() != v.Count() || got.Dims() != 3 {
		t.Fatalf("loaded %d vectors of %d dims, want %d of 3", got.Count(), got.Dims(), v.Count())
	}
	for _, id := range v.IDs() {
		a, b := v.recs[id], got.recs[id]
		if b == nil || a.null != b.null || a.meta.Year != b.meta.Year ||
			strings.Join(a.meta.Categories, " ") != strings.Join(b.meta.Categories, " ") ||
			strings.Join(a.meta.AuthorsLC, " ") != strings.Join(b.meta.AuthorsLC, " ") {
			t.Errorf("record %q differs after reload: %+v vs %+v", id, a, b)
			continue
		}
		for i := range a.vec {
			if a.vec[i] != b.vec[i] {
				t.Errorf("vector %q differs after reload", id)
				break
			}
		}
	}
	hits, _ := got.Search(ctx, unit(1, 0, 0), 2, nil)
	if ids(hits) != "a,b" {
		t.Errorf("search after reload = %q, want a,b", ids(hits))
	}
}

func TestVectorsCorruptFileRefused(t *testing.T) {
	v := testStore(t)
	path := filepath.Join(t.TempDir(), vectorsName)
	if err := v.save(path); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	tests := []struct {
		name string
		data []byte
	}{
		{"flipped byte", func() []byte { b := append([]byte(nil), good...); b[len(b)/2] ^= 0xff; return b }()},
		{"truncated", good[:len(good)-7]},
		{"empty", nil},
		{"not ours", []byte("hello, world, this is not a vectors file")},
		// A header claiming 65536 dimensions × 150 papers with a valid
		// checksum: must be refused before allocating 39 MB.
		{"huge header, valid checksum", func() []byte {
			b := append([]byte(nil), vectorsMagic[:]...)
			b = binary.AppendUvarint(b, 1<<16) // dims
			b = binary.AppendUvarint(b, 150)   // count
			b = binary.AppendUvarint(b, 0)     // partitionedAt
			b = binary.AppendUvarint(b, 0)     // lists
			b = append(b, make([]byte, 200)...)
			return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := loadVectors(context.Background(), path)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, index.ErrCorrupt) {
				t.Errorf("err = %v, want index.ErrCorrupt", err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Errorf("refusing the file allocated %d MB", grew>>20)
			}
		})
	}
}

// clustered returns n unit vectors in dims dimensions around 40 random
// centres, with a year each, like embeddings of papers on 40 topics.
func clustered(n, dims int, seed uint64) ([]string, [][]float32, []PaperMeta) {
	rng := rand.New(rand.NewPCG(seed, 7))
	centres := make([][]float32, 40)
	for i := range centres {
		c := make([]float32, dims)
		for j := range c {
			c[j] = float32(rng.NormFloat64())
		}
		centres[i] = unit(c...)
	}
	ids := make([]string, n)
	vecs := make([][]float32, n)
	metas := make([]PaperMeta, n)
	for i := range ids {
		c := centres[rng.IntN(len(centres))]
		v := make([]float32, dims)
		for j := range v {
			v[j] = c[j] + 0.35*float32(rng.NormFloat64())/float32(math.Sqrt(float64(dims)))
		}
		ids[i] = fmt.Sprintf("p%06d", i)
		vecs[i] = unit(v...)
		metas[i] = PaperMeta{Year: 2000 + i%25}
	}
	return ids, vecs, metas
}

// exact is the brute-force answer a partitioned search approximates.
func exact(vecs [][]float32, ids []string, q []float32, n int, keep func(int) bool) []string {
	type sc struct {
		id string
		s  float64
	}
	var all []sc
	for i, v := range vecs {
		if keep == nil || keep(i) {
			all = append(all, sc{ids[i], dot(q, v)})
		}
	}
	slices.SortFunc(all, func(a, b sc) int { return cmp.Compare(b.s, a.s) })
	var out []string
	for _, s := range all[:min(n, len(all))] {
		out = append(out, s.id)
	}
	return out
}

func TestPartitionedSearch(t *testing.T) {
	ctx := context.Background()
	n := partitionMinPapers + 4000
	ids, vecs, metas := clustered(n, 24, 1)
	v := newVectors(0)
	for i := range ids {
		if err := v.Put(ctx, ids[i], vecs[i], metas[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !v.needsPartitioning() {
		t.Fatal("a store past partitionMinPapers should ask to be partitioned")
	}
	if err := v.partition(ctx); err != nil {
		t.Fatal(err)
	}
	if v.Lists() != n/papersPerList || v.Count() != n || v.needsPartitioning() {
		t.Fatalf("lists = %d, count = %d, needsPartitioning = %v", v.Lists(), v.Count(), v.needsPartitioning())
	}
	rng := rand.New(rand.NewPCG(9, 9))
	var found, total int
	for range 50 {
		q := vecs[rng.IntN(n)]
		hits, err := v.Search(ctx, q, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := exact(vecs, ids, q, 100, nil)
		got := map[string]bool{}
		for _, h := range hits {
			got[h.ID] = true
		}
		for _, id := range want {
			total++
			if got[id] {
				found++
			}
		}
	}
	if recall := float64(found) / float64(total); recall < 0.95 {
		t.Errorf("recall@100 of the partitioned search = %.3f, want ≥ 0.95", recall)
	}

	// A filter that only far-away papers pass still finds them: the search
	// goes on past the probed lists.
	q := vecs[0]
	far := exact(vecs, ids, unit(negate(q)...), 1, nil)[0]
	farYear := metas[slices.Index(ids, far)].Year
	only := func(m *PaperMeta) bool { return m.Year == farYear && m.Year != 0 }
	hits, err := v.Search(ctx, q, 5, only)
	if err != nil {
		t.Fatal(err)
	}
	want := exact(vecs, ids, q, 5, func(i int) bool { return metas[i].Year == farYear })
	if ids := vecIDs(hits); !slices.Equal(ids, want) {
		t.Errorf("filtered search = %v, want %v", ids, want)
	}

	// The partitioning survives a save and load, and so do the answers.
	path := filepath.Join(t.TempDir(), vectorsName)
	if err := v.save(path); err != nil {
		t.Fatal(err)
	}
	back, err := loadVectors(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Lists() != v.Lists() || back.Count() != n {
		t.Fatalf("reloaded: %d lists, %d vectors", back.Lists(), back.Count())
	}
	for range 10 {
		q := vecs[rng.IntN(n)]
		a, _ := v.Search(ctx, q, 20, nil)
		b, _ := back.Search(ctx, q, 20, nil)
		if !slices.Equal(vecIDs(a), vecIDs(b)) {
			t.Fatal("a reloaded store answers differently")
		}
	}
	// A paper added after partitioning lands in its nearest list and is found.
	extra := unit(vecs[3]...)
	if err := back.Put(ctx, "late", extra, PaperMeta{}); err != nil {
		t.Fatal(err)
	}
	if hits, _ := back.Search(ctx, extra, 2, nil); len(hits) == 0 || (hits[0].ID != "late" && hits[0].ID != ids[3]) {
		t.Errorf("late paper not found: %v", vecIDs(hits))
	}
}

func negate(v []float32) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = -x
	}
	return out
}

func vecIDs(hits []index.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

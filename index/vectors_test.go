package index

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		meta VectorMeta
	}{
		{"a", unit(1, 0, 0), VectorMeta{Year: 2020, Categories: []string{"cs.CL"}, AuthorsLC: []string{"ada lovelace"}}},
		{"b", unit(0.9, 0.1, 0), VectorMeta{Year: 2021, Categories: []string{"cs.LG"}}},
		{"c", unit(0, 1, 0), VectorMeta{Year: 2022, Categories: []string{"cs.CL", "cs.IR"}}},
		{"id with spaces/and slash", unit(0, 0, 1), VectorMeta{Year: 2023}},
		{"zero", []float32{0, 0, 0}, VectorMeta{Year: 2020}},
	}
	for _, p := range puts {
		if err := v.Put(ctx, p.id, p.vec, p.meta); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

func ids(hits []VectorHit) string {
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
		keep func(*VectorMeta) bool
		want string
	}{
		{"nearest first", unit(1, 0, 0), 2, nil, "a,b"},
		// The zero-vector paper is stored but never returned.
		// b is closest; a, c and the last tie and break by id.
		{"all but the null vector", unit(1, 1, 1), 10, nil, "b,a,c,id with spaces/and slash"},
		{"filter widens the window", unit(1, 0, 0), 1, func(m *VectorMeta) bool { return m.Year == 2022 }, "c"},
		{"filter keeps nothing", unit(1, 0, 0), 3, func(m *VectorMeta) bool { return m.Year == 1999 }, ""},
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
	if err := v.Put(context.Background(), "d", unit(1, 0), VectorMeta{}); err == nil {
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadVectors(context.Background(), path)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

package vectors

import (
	"context"
	"os"
	"testing"
)

// The benchmarks run on a real vector set: PAPERSEEK_BENCH_VECTORS names
// its directory (bench/vectors.sh makes one from the 119k arXiv index and
// a 1M one of noisy copies). Queries are the vectors of every 500th paper.
//
//	PAPERSEEK_BENCH_VECTORS=/work/data/vec-119k go test -run '^$' -bench . ./index/local/vectors
func benchSet(b *testing.B) (*Set, [][]float32) {
	dir := os.Getenv("PAPERSEEK_BENCH_VECTORS")
	if dir == "" {
		b.Skip("PAPERSEEK_BENCH_VECTORS not set")
	}
	s, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	var qs [][]float32
	i := 0
	s.Each(func(id string) error {
		if i%500 == 0 {
			if v, ok := s.Vector(id); ok {
				qs = append(qs, v)
			}
		}
		i++
		return nil
	})
	return s, qs
}

func BenchmarkSearch(b *testing.B) {
	s, qs := benchSet(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		n    int
		f    Filter
	}{
		{"top10", 10, Filter{}},
		{"top100", 100, Filter{}},
		{"top1000", 1000, Filter{}},
		{"top100-category", 100, Filter{Categories: []string{"cs.LG"}}},
		{"top100-years", 100, Filter{YearFrom: 2015, YearTo: 2018}},
		{"top100-author", 100, Filter{Author: "wang"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := s.Search(ctx, qs[i%len(qs)], bc.n, bc.f); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkOpen is what a one-shot command pays before its first search.
func BenchmarkOpen(b *testing.B) {
	dir := os.Getenv("PAPERSEEK_BENCH_VECTORS")
	if dir == "" {
		b.Skip("PAPERSEEK_BENCH_VECTORS not set")
	}
	for b.Loop() {
		s, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

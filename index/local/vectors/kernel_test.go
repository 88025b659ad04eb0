package vectors

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestDotsInt8 holds the vector kernel to the portable loop, including the
// extreme codes where an int16 overflow would show.
func TestDotsInt8(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name       string
		dims, rows int
		fill       func() (int8, int16)
	}{
		{"random 256", 256, 97, func() (int8, int16) { return int8(rng.IntN(255) - 127), int16(rng.IntN(255) - 127) }},
		{"random 32", 32, 5, func() (int8, int16) { return int8(rng.IntN(255) - 127), int16(rng.IntN(255) - 127) }},
		{"odd dims padded", 100, 33, func() (int8, int16) { return int8(rng.IntN(255) - 127), int16(rng.IntN(255) - 127) }},
		{"all max, widest query", 1024, 3, func() (int8, int16) { return 127, int16(queryRange(1024)) }},
		{"all min, widest query", 4096, 3, func() (int8, int16) { return -127, int16(queryRange(4096)) }},
		{"256 dims, widest query", 256, 9, func() (int8, int16) { return 127, -int16(queryRange(256)) }},
		{"one row", 64, 1, func() (int8, int16) { return int8(rng.IntN(255) - 127), -127 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stride := codeStride(tc.dims)
			codes := make([]int8, stride*tc.rows)
			q := make([]int16, stride)
			for r := range tc.rows {
				for i := range tc.dims {
					codes[r*stride+i], q[i] = tc.fill()
				}
			}
			want := make([]int32, tc.rows)
			dotsInt8Go(q, codes, stride, want)
			got := make([]int32, tc.rows)
			dotsInt8(q, codes, stride, got)
			var ref int64
			for i := range stride {
				ref += int64(codes[i]) * int64(q[i])
			}
			if int64(want[0]) != ref {
				t.Fatalf("row 0 = %d, want %d (overflow?)", want[0], ref)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("kernel = %v\nwant     %v", got[:min(5, len(got))], want[:min(5, len(want))])
			}
		})
	}
}

func BenchmarkDotsInt8(b *testing.B) {
	const dims, rows = 256, 4096
	rng := rand.New(rand.NewPCG(1, 1))
	codes := make([]int8, dims*rows)
	for i := range codes {
		codes[i] = int8(rng.IntN(255) - 127)
	}
	q := make([]int16, dims)
	for i := range q {
		q[i] = int16(rng.IntN(255) - 127)
	}
	out := make([]int32, rows)
	for _, bc := range []struct {
		name string
		fn   func([]int16, []int8, int, []int32)
	}{{"dispatch", dotsInt8}, {"go", dotsInt8Go}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.fn(q, codes, dims, out)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}

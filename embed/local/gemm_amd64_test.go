package local

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gemmValue draws float64s as spmmValue does float32s: ordinary values,
// ±0 (often, so the zero skip is exercised), denormals, extremes, ±Inf and
// NaNs with payloads.
func gemmValue(rng *rand.Rand, special bool) float64 {
	if !special {
		if rng.IntN(8) == 0 {
			return 0
		}
		return rng.NormFloat64()
	}
	switch rng.IntN(30) {
	case 0, 1:
		return 0
	case 2:
		return math.Copysign(0, -1)
	case 3:
		return math.Float64frombits(rng.Uint64N(1<<52) | uint64(rng.IntN(2))<<63) // denormal
	case 4:
		return math.MaxFloat64 * float64(1-2*rng.IntN(2))
	case 5:
		return math.Inf(1 - 2*rng.IntN(2))
	case 6:
		return math.Float64frombits(0x7ff0000000000001 | rng.Uint64N(1<<50)<<1 | uint64(rng.IntN(2))<<63) // NaN
	case 7, 8:
		return rng.NormFloat64() * math.Pow(2, float64(rng.IntN(2000)-1000))
	}
	return rng.NormFloat64()
}

func sameBits(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s: [%d] = %g (%#016x), gonum gives %g (%#016x)", what, i,
				got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]))
		}
	}
}

// TestDenseKernelsMatchGonum compares dgemmNN and dsyrkUpperT with gonum's
// Dgemm and Dsyrk bit for bit (NaN payloads included) over shapes around
// the 8×24 blocks and the model's (256-row blocks, l = 178), with zeros,
// denormals, ±Inf and NaNs.
func TestDenseKernelsMatchGonum(t *testing.T) {
	if !useAVX512 {
		t.Skip("CPU without AVX-512: the gonum routines are used as they are")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	type shape struct{ rows, l, nl int }
	var shapes []shape
	for rows := 1; rows <= 17; rows++ {
		for _, l := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 23, 24, 25, 40, 49} {
			shapes = append(shapes, shape{rows, l, 1 + rng.IntN(60)})
		}
	}
	shapes = append(shapes, shape{256, 178, 178}, shape{256, 178, 128}, shape{101, 178, 177}, shape{1024, 178, 0})
	for _, s := range shapes {
		for _, special := range []bool{false, true} {
			in := make([]float64, s.rows*s.l)
			for i := range in {
				in[i] = gemmValue(rng, special)
			}
			if s.nl > 0 {
				tm := make([]float64, s.l*s.nl)
				for i := range tm {
					tm[i] = gemmValue(rng, special)
				}
				want := make([]float64, s.rows*s.nl)
				got := make([]float64, s.rows*s.nl)
				for i := range got {
					got[i] = 42 // overwritten, as gonum's beta 0 does
				}
				dgemmNNGonum(s.rows, s.nl, s.l, in, tm, want)
				dgemmNN(s.rows, s.nl, s.l, in, tm, got)
				sameBits(t, "dgemmNN", got, want)
			}
			want := make([]float64, s.l*s.l)
			got := make([]float64, s.l*s.l)
			dsyrkUpperTGonum(s.l, s.rows, in, want)
			dsyrkUpperT(s.l, s.rows, in, got)
			sameBits(t, "dsyrkUpperT", got, want)
		}
	}
}

// BenchmarkDenseKernels times the two dense products of an orthonormalize
// pass at the default width (l = 178): one 256-row block of mulSmall and one
// 1024-row block of gram, gonum against the kernel.
//
//	go test ./embed/local -run '^$' -bench DenseKernels -count 6
func BenchmarkDenseKernels(b *testing.B) {
	const l = 178
	rng := rand.New(rand.NewPCG(9, 10))
	in := make([]float64, 1024*l)
	for i := range in {
		in[i] = rng.NormFloat64()
	}
	tm := make([]float64, l*l)
	for i := range tm {
		tm[i] = rng.NormFloat64()
	}
	res := make([]float64, 256*l)
	g := make([]float64, l*l)
	has512 := useAVX512
	defer func() { useAVX512 = has512 }()
	for _, asm := range []bool{false, true} {
		name := "gonum"
		if asm {
			name = "avx512"
		}
		useAVX512 = has512 && asm
		b.Run("gemm/"+name, func(b *testing.B) {
			for b.Loop() {
				dgemmNN(256, l, l, in[:256*l], tm, res)
			}
		})
		b.Run("syrk/"+name, func(b *testing.B) {
			for b.Loop() {
				clear(g)
				dsyrkUpperT(l, 1024, in, g)
			}
		})
	}
}

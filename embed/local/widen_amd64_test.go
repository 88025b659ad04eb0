package local

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAddWidened: the AVX kernel gives addWidenedGo's bits for every
// element — over lengths that cover whole steps and every tail, on
// ordinary and special values (±0, denormals, extremes, ±Inf, NaN) in x,
// in wt and already in acc. Where both operands of a step are NaN the
// payload kept may differ by operand order; any NaN then counts as equal
// (a vector holding one is broken either way).
func TestAddWidened(t *testing.T) {
	if !useAVX {
		t.Skip("CPU without AVX: addWidened is addWidenedGo")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	sameBits := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
	}
	lengths := []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 64, 127, 128, 129, 256, 300}
	for _, n := range lengths {
		for trial := 0; trial < 200; trial++ {
			x := make([]float32, n)
			for i := range x {
				x[i] = spmmValue(rng)
			}
			want := make([]float64, n)
			for i := range want {
				want[i] = float64(spmmValue(rng)) * math.Pow(2, float64(rng.IntN(40)-20))
			}
			got := append([]float64(nil), want...)
			wt := float64(spmmValue(rng))
			if trial%2 == 0 {
				wt = rng.NormFloat64() // a weight as embed computes it: any float64
			}
			addWidenedGo(want, wt, x)
			addWidened(got, wt, x)
			for i := range want {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("n=%d, wt=%v, x[%d]=%v: got %v (%#x), want %v (%#x)",
						n, wt, i, x[i], got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]))
				}
			}
		}
	}
}

package local

import (
	"math"
	"math/rand/v2"
	"testing"
)

// spmmValue draws the float32s the kernel must treat exactly like Saxpy:
// ordinary values of both signs and wide exponents, ±0, denormals, the
// extremes, ±Inf and NaNs with payloads.
func spmmValue(rng *rand.Rand) float32 {
	switch rng.IntN(40) {
	case 0:
		return 0
	case 1:
		return float32(math.Copysign(0, -1))
	case 2:
		return math.Float32frombits(rng.Uint32N(1<<23) | uint32(rng.IntN(2))<<31) // denormal
	case 3:
		return math.MaxFloat32 * float32(1-2*rng.IntN(2))
	case 4:
		return math.SmallestNonzeroFloat32
	case 5:
		return float32(math.Inf(1 - 2*rng.IntN(2)))
	case 6:
		return math.Float32frombits(0x7f800001 | rng.Uint32N(1<<22)<<1 | uint32(rng.IntN(2))<<31) // NaN
	case 7, 8, 9:
		return float32(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(200)-100)))
	}
	return float32(rng.NormFloat64())
}

// eachKernel runs fn once with each assembly kernel this CPU has selected
// for sparseRow, and fails the test if it has none (then sparseRow is the
// reference itself and there is nothing to compare).
func eachKernel(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	has512, hasAVX := useAVX512, useAVX
	defer func() { useAVX512, useAVX = has512, hasAVX }()
	ran := false
	if has512 {
		t.Run("avx512", fn)
		ran = true
	}
	if hasAVX {
		useAVX512 = false
		t.Run("avx", fn)
		ran = true
	}
	if !ran {
		t.Skip("CPU without AVX: sparseRow is sparseRowSaxpy")
	}
}

// spmmWidths are the widths l the kernel tests cover: every one up to 300
// (each pass shape and tail length of the AVX kernel), and around the
// AVX-512 kernel's pass of 368 and two of them.
func spmmWidths() []int {
	var ls []int
	for l := 1; l <= 300; l++ {
		ls = append(ls, l)
	}
	for l := 360; l <= 400; l++ {
		ls = append(ls, l)
	}
	return append(ls, 735, 736, 737, 751, 752, 1000)
}

// TestSparseRowMatchesSaxpy compares the assembly kernels with one gonum
// Saxpy per non-zero, bit for bit (NaN payloads included), for many widths,
// empty rows, repeated and zero values, and rows whose products round,
// overflow and underflow.
func TestSparseRowMatchesSaxpy(t *testing.T) { eachKernel(t, testSparseRowMatchesSaxpy) }

func testSparseRowMatchesSaxpy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, l := range spmmWidths() {
		for _, tc := range []struct {
			name    string
			nnz     int
			special bool // draw x and val from spmmValue, else normal
		}{
			{"empty", 0, false},
			{"one", 1, false},
			{"short", 3, true},
			{"normal", 40, false},
			{"special", 40, true},
			{"long", 200, true},
		} {
			xrows := 1 + rng.IntN(50)
			x := make([]float32, xrows*l)
			idx := make([]int32, tc.nnz)
			val := make([]float32, tc.nnz)
			draw := func() float32 {
				if tc.special {
					return spmmValue(rng)
				}
				return float32(rng.NormFloat64())
			}
			for i := range x {
				x[i] = draw()
			}
			for p := range idx {
				idx[p] = int32(rng.IntN(xrows)) // repeats allowed
				val[p] = draw()
			}
			want := make([]float32, l)
			got := make([]float32, l+1)
			for i := range got {
				got[i] = 42 // stale contents are overwritten, the guard not
			}
			sparseRowSaxpy(want, idx, val, x, l)
			sparseRow(got[:l], idx, val, x, l)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("l=%d %s: y[%d] = %g (%#08x), Saxpy gives %g (%#08x)", l, tc.name,
						i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
				}
			}
			if got[l] != 42 {
				t.Fatalf("l=%d %s: wrote past y", l, tc.name)
			}
		}
	}
}

// TestMulDenseMatchesSaxpy checks the whole product y = A·X against the
// Saxpy loop mulDense ran before the kernel, bit for bit, at the widths the
// model uses.
func TestMulDenseMatchesSaxpy(t *testing.T) { eachKernel(t, testMulDenseMatchesSaxpy) }

func testMulDenseMatchesSaxpy(t *testing.T) {
	a := randomSparse(500, 300, 0.05, 11)
	at := a.transpose()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, l := range []int{178, 250, 256, 266, 270, 306} {
		for _, m := range []*csr{a, at} {
			x := make([]float32, m.cols*l)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			got := make([]float32, m.rows*l)
			m.mulDense(x, l, got, 2)
			for i := 0; i < m.rows; i++ {
				want := make([]float32, l)
				sparseRowSaxpy(want, m.idx[m.ptr[i]:m.ptr[i+1]], m.val[m.ptr[i]:m.ptr[i+1]], x, l)
				for c := range want {
					if math.Float32bits(got[i*l+c]) != math.Float32bits(want[c]) {
						t.Fatalf("l=%d: y[%d][%d] = %g, Saxpy gives %g", l, i, c, got[i*l+c], want[c])
					}
				}
			}
		}
	}
}

func TestSparseRowIndexOutOfRange(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for an index past x")
		}
	}()
	sparseRow(make([]float32, 8), []int32{2}, []float32{1}, make([]float32, 16), 8)
}

// BenchmarkSparseRow times one product y = A·X of a 20000×20000 sparse
// matrix with 60 non-zeros a row against X of width 178 (the default
// model's 128 dimensions + 50 oversampling; 14 MB, past L2 as in training): gonum Saxpy per non-zero versus each kernel.
//
//	go test ./embed/local -run '^$' -bench SparseRow -count 6
func BenchmarkSparseRow(b *testing.B) {
	const rows, perRow, l = 20000, 60, 178
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, rows*l)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	idx := make([]int32, rows*perRow)
	val := make([]float32, rows*perRow)
	for p := range idx {
		idx[p] = int32(rng.IntN(rows))
		val[p] = float32(rng.ExpFloat64())
	}
	y := make([]float32, rows*l)
	for _, k := range []struct {
		name string
		fn   func(y []float32, idx []int32, val []float32, x []float32, l int)
	}{{"saxpy", sparseRowSaxpy}, {"avx", sparseRow}, {"avx512", sparseRow}} {
		b.Run(k.name, func(b *testing.B) {
			has512 := useAVX512
			defer func() { useAVX512 = has512 }()
			useAVX512 = has512 && k.name == "avx512"
			if k.name == "avx512" && !has512 {
				b.Skip("no AVX-512")
			}
			for b.Loop() {
				for i := 0; i < rows; i++ {
					k.fn(y[i*l:(i+1)*l], idx[i*perRow:(i+1)*perRow], val[i*perRow:(i+1)*perRow], x, l)
				}
			}
		})
	}
}

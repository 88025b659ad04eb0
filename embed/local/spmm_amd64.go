package local

import "golang.org/x/sys/cpu"

// The kernel sparseRow uses: AVX-512 where the CPU and OS have it, else
// AVX, else gonum's Saxpy. Variables so tests can run each one the CPU has.
var (
	useAVX512 = cpu.X86.HasAVX512F
	useAVX    = cpu.X86.HasAVX
)

// spmmMask holds eight all-ones lanes then eight zero lanes: the eight
// words from &spmmMask[8-r] select the first r lanes of a vector.
var spmmMask = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// sparseRowAVX is sparseRowSaxpy for CPUs with AVX, on raw pointers: nnz ≥ 1
// non-zeros (idx, val), x with rows of l ≥ 1 floats, mask =
// &spmmMask[8-l%8].
//
//go:noescape
func sparseRowAVX(y, x *float32, idx *int32, val *float32, nnz, l int, mask *int32)

// sparseRowAVX512 is sparseRowAVX for CPUs with AVX-512F.
//
//go:noescape
func sparseRowAVX512(y, x *float32, idx *int32, val *float32, nnz, l int)

// sparseRow sets y (length l) to the row's non-zeros times the rows of x:
// y = Σ val[p]·x[idx[p]·l : idx[p]·l+l]. gonum's Saxpy per non-zero loads
// and stores all of y each time; the kernels instead keep a stretch of y in
// registers (64 floats with AVX, up to 383 with AVX-512: all of it at the
// default width) while they walk all of the row's non-zeros, then move on
// to the next stretch. Every element of y still sees the same float32
// operations in the same order as in sparseRowSaxpy — start at +0, then
// per non-zero in row order round(round(x·val) + y), skipping a zero val as
// Saxpy does, never a fused multiply-add — so they agree bit for bit
// (TestSparseRowMatchesSaxpy).
func sparseRow(y []float32, idx []int32, val []float32, x []float32, l int) {
	if !useAVX512 && !useAVX || l == 0 {
		sparseRowSaxpy(y, idx, val, x, l)
		return
	}
	// Bounds the assembly cannot check.
	y = y[:l]
	val = val[:len(idx)]
	rows := uint(len(x) / l)
	for _, j := range idx {
		if uint(j) >= rows {
			panic("local: sparse row index out of range of x")
		}
	}
	if len(idx) == 0 {
		clear(y)
		return
	}
	if useAVX512 {
		sparseRowAVX512(&y[0], &x[0], &idx[0], &val[0], len(idx), l)
		return
	}
	sparseRowAVX(&y[0], &x[0], &idx[0], &val[0], len(idx), l, &spmmMask[8-l%8])
}

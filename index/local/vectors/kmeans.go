package vectors

import (
	"context"
	"hash/fnv"
	"math"
	"runtime"
	"sync"
)

// Partitioning, measured on the 119k arXiv set (README): below
// partitionMin papers one list is scanned exhaustively (≈ 6 ns a row with
// AVX2); above, about listSize papers per list. (Variables only so the
// tests can partition small sets.)
var (
	partitionMin = 20000
	listSize     = 1000
)

const (
	kmeansSample     = 32768
	kmeansIterations = 10
)

func listsFor(n int) int {
	if n < partitionMin {
		return 1
	}
	return min(4096, max(2, n/listSize))
}

// assigner finds each vector's nearest centroid with the int8 kernel (the
// choice of list only affects speed and recall, never a score, so the
// quantised similarity is good enough here).
type assigner struct {
	k, stride int
	codes     []int8
	scales    []float64
}

func newAssigner(cents []float32, k, dims int) *assigner {
	a := &assigner{k: k, stride: codeStride(dims), scales: make([]float64, k)}
	a.codes = make([]int8, k*a.stride)
	for c := range k {
		s, _ := quantize(cents[c*dims:(c+1)*dims], a.codes[c*a.stride:(c+1)*a.stride])
		a.scales[c] = float64(s)
	}
	return a
}

// nearest returns the list for v; buf is scratch of k int32s.
func (a *assigner) nearest(qc []int16, buf []int32) int {
	if a.k == 1 {
		return 0
	}
	dotsInt8(qc, a.codes, a.stride, buf[:a.k])
	best, bestSim := 0, math.Inf(-1)
	for c, d := range buf[:a.k] {
		if s := float64(d) * a.scales[c]; s > bestSim {
			best, bestSim = c, s
		}
	}
	return best
}

func (a *assigner) assign(v []float32, buf []int32) int {
	if a.k == 1 {
		return 0
	}
	return a.nearest(quantizeQuery(v, a.stride).codes, buf)
}

// parallel runs fn over [0, n) split across the CPUs.
func parallel(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/256))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() { defer wg.Done(); fn(lo, hi) }()
	}
	wg.Wait()
}

// kmeans clusters unit vectors (rows of xs, dims each) by cosine
// (spherical k-means), starting from evenly spaced sample points, and
// returns k unit centroids. It depends only on xs, so the same papers give
// the same lists.
func kmeans(ctx context.Context, xs []float32, dims, k, iterations int) ([]float32, error) {
	n := len(xs) / dims
	cents := make([]float32, k*dims)
	for c := range k {
		copy(cents[c*dims:], xs[(c*n/k)*dims:(c*n/k+1)*dims])
	}
	stride := codeStride(dims)
	qcs := make([][]int16, n)
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			qcs[i] = quantizeQuery(xs[i*dims:(i+1)*dims], stride).codes
		}
	})
	assign := make([]int, n)
	for range iterations {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a := newAssigner(cents, k, dims)
		parallel(n, func(lo, hi int) {
			buf := make([]int32, k)
			for i := lo; i < hi; i++ {
				assign[i] = a.nearest(qcs[i], buf)
			}
		})
		sums := make([]float64, k*dims)
		for i := range n {
			s := sums[assign[i]*dims : (assign[i]+1)*dims]
			for j, x := range xs[i*dims : (i+1)*dims] {
				s[j] += float64(x)
			}
		}
		for c := range k {
			s := sums[c*dims : (c+1)*dims]
			var ss float64
			for _, x := range s {
				ss += x * x
			}
			if ss == 0 {
				continue // an empty cluster keeps its centroid
			}
			inv := 1 / math.Sqrt(ss)
			for j, x := range s {
				cents[c*dims+j] = float32(x * inv)
			}
		}
	}
	return cents, nil
}

// partitionID names a set of centroids, so a segment can never be read
// against lists it was not assigned to.
func partitionID(cents []float32, k int) uint64 {
	h := fnv.New64a()
	h.Write(bytesOf(cents))
	var b [8]byte
	for i := range b {
		b[i] = byte(k >> (8 * i))
	}
	h.Write(b[:])
	return h.Sum64() | 1 // never 0
}

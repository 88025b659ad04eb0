package local

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// csr is a sparse matrix in compressed sparse row form. Values are float32:
// the matrices are large (tens of millions of entries at 119k papers) and
// their entries are counts and logarithms that need no more precision.
type csr struct {
	rows, cols int
	ptr        []int // len rows+1
	idx        []int32
	val        []float32
}

func (a *csr) nnz() int { return len(a.idx) }

// transpose returns Aᵀ, again in CSR form, so that both A·X and Aᵀ·X are
// row-parallel without per-thread accumulators.
func (a *csr) transpose() *csr {
	t := &csr{rows: a.cols, cols: a.rows, ptr: make([]int, a.cols+1),
		idx: make([]int32, a.nnz()), val: make([]float32, a.nnz())}
	for _, j := range a.idx {
		t.ptr[j+1]++
	}
	for j := 0; j < a.cols; j++ {
		t.ptr[j+1] += t.ptr[j]
	}
	next := make([]int, a.cols)
	copy(next, t.ptr[:a.cols])
	for i := 0; i < a.rows; i++ {
		for p := a.ptr[i]; p < a.ptr[i+1]; p++ {
			j := a.idx[p]
			q := next[j]
			t.idx[q] = int32(i)
			t.val[q] = a.val[p]
			next[j]++
		}
	}
	return t
}

// mulDense sets y = A·x where x is a.cols×l and y is a.rows×l, both
// row-major. Each output row is written by one goroutine, so the result does
// not depend on the number of workers.
func (a *csr) mulDense(x []float64, l int, y []float64, workers int) {
	impl := blas64.Implementation()
	parallelFor(a.rows, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			yi := y[i*l : (i+1)*l]
			clear(yi)
			for p := a.ptr[i]; p < a.ptr[i+1]; p++ {
				j := int(a.idx[p])
				impl.Daxpy(l, float64(a.val[p]), x[j*l:(j+1)*l], 1, yi, 1)
			}
		}
	})
}

// parallelFor splits [0,n) into contiguous chunks run on up to workers
// goroutines.
func parallelFor(n, workers int, fn func(lo, hi int)) {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	// More chunks than workers evens out rows of very different cost
	// (frequent words have long rows).
	chunks := workers * 8
	if chunks > n {
		chunks = n
	}
	if chunks <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for c := 0; c < chunks; c++ {
		next <- c
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				fn(c*n/chunks, (c+1)*n/chunks)
			}
		}()
	}
	wg.Wait()
}

// svdParams are the knobs of the randomised SVD (Halko, Martinsson & Tropp
// 2011, algorithm 4.4 with one-sided re-orthonormalisation).
type svdParams struct {
	k          int
	oversample int
	powerIters int
	seed       uint64
	workers    int
}

// truncatedSVD returns the left singular vectors U (a.rows×k', row-major)
// and singular values σ (descending) of A for its k' ≤ k largest
// singular values; k' is smaller when A has lower numerical rank (tiny
// corpora). at must be Aᵀ.
//
// Only the left side is computed: both models need word vectors, which are
// rows of U. Orthonormalisation goes through the l×l Gram matrix (an
// eigen-decomposition, like CholeskyQR but tolerant of rank deficiency) and
// is applied twice for accuracy; it costs two dense m×l×l products, whereas
// gonum's Householder QR made DESIGN's SVD take 8–11 s on SciFact alone.
func truncatedSVD(ctx context.Context, a, at *csr, p svdParams) ([]float64, []float64, int, error) {
	m, n := a.rows, a.cols
	l := min(p.k+p.oversample, m, n)
	if l == 0 {
		return nil, nil, 0, nil
	}
	rng := rand.New(rand.NewPCG(p.seed, 0x9e3779b97f4a7c15))
	omega := make([]float64, n*l)
	for i := range omega {
		omega[i] = rng.NormFloat64()
	}
	y := make([]float64, m*l)
	a.mulDense(omega, l, y, p.workers)
	z := omega // reused as the n×l buffer for Aᵀ·Q
	passes := 1
	if p.powerIters == 0 {
		passes = 2
	}
	q, l := orthonormalize(y, m, l, passes, p.workers)
	for it := 0; it < p.powerIters; it++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, 0, err
		}
		z = z[:n*l]
		at.mulDense(q, l, z, p.workers)
		y = y[:m*l]
		a.mulDense(z, l, y, p.workers)
		passes = 1
		if it == p.powerIters-1 {
			passes = 2
		}
		q, l = orthonormalize(y, m, l, passes, p.workers)
	}
	if l == 0 {
		return nil, nil, 0, nil
	}
	// B = QᵀA; its left singular vectors and values come from the small
	// l×l matrix BBᵀ = ZᵀZ with Z = AᵀQ.
	z = z[:n*l]
	at.mulDense(q, l, z, p.workers)
	g := gram(z, n, l, p.workers)
	var eig mat.EigenSym
	if !eig.Factorize(g, true) {
		return nil, nil, 0, fmt.Errorf("randomized svd: eigen-decomposition of %d×%d did not converge", l, l)
	}
	vals := eig.Values(nil)
	var w mat.Dense
	eig.VectorsTo(&w)
	// Values come ascending; keep the k largest that are numerically
	// non-zero.
	order := make([]int, l)
	for i := range order {
		order[i] = l - 1 - i
	}
	top := math.Max(vals[l-1], 0)
	kk := 0
	sigma := make([]float64, 0, p.k)
	for _, c := range order {
		if kk == p.k || vals[c] <= top*1e-12 || vals[c] <= 0 {
			break
		}
		sigma = append(sigma, math.Sqrt(vals[c]))
		kk++
	}
	if kk == 0 {
		return nil, nil, 0, nil
	}
	uhat := mat.NewDense(l, kk, nil)
	for j := 0; j < kk; j++ {
		for i := 0; i < l; i++ {
			uhat.Set(i, j, w.At(i, order[j]))
		}
	}
	u := make([]float64, m*kk)
	ur := uhat.RawMatrix()
	impl := blas64.Implementation()
	parallelFor(m, p.workers, func(lo, hi int) {
		impl.Dgemm(blas.NoTrans, blas.NoTrans, hi-lo, kk, l, 1, q[lo*l:hi*l], l, ur.Data, ur.Stride, 0, u[lo*kk:hi*kk], kk)
	})
	return u, sigma, kk, nil
}

// orthonormalize returns an orthonormal basis of the column space of the
// m×l row-major matrix y and its width, which drops below l when columns are
// numerically dependent. Each pass maps Y to Y·W·Λ^-½ where YᵀY = WΛWᵀ.
// One pass suffices inside the power iterations (only the subspace matters
// there, and the next iteration repairs any loss of orthogonality); the
// final basis gets two, like CholeskyQR2.
func orthonormalize(y []float64, m, l, passes, workers int) ([]float64, int) {
	for pass := 0; pass < passes && l > 0; pass++ {
		g := gram(y, m, l, workers)
		var eig mat.EigenSym
		if !eig.Factorize(g, true) {
			// Cannot happen for a finite symmetric matrix; treat as rank 0
			// rather than returning garbage.
			return y[:0], 0
		}
		vals := eig.Values(nil)
		var w mat.Dense
		eig.VectorsTo(&w)
		top := vals[l-1]
		var keep []int
		for c := l - 1; c >= 0; c-- {
			if vals[c] > top*1e-13 && vals[c] > 0 {
				keep = append(keep, c)
			}
		}
		nl := len(keep)
		if nl == 0 {
			return y[:0], 0
		}
		t := make([]float64, l*nl)
		for j, c := range keep {
			s := 1 / math.Sqrt(vals[c])
			for i := 0; i < l; i++ {
				t[i*nl+j] = w.At(i, c) * s
			}
		}
		out := make([]float64, m*nl)
		impl := blas64.Implementation()
		parallelFor(m, workers, func(lo, hi int) {
			impl.Dgemm(blas.NoTrans, blas.NoTrans, hi-lo, nl, l, 1, y[lo*l:hi*l], l, t, nl, 0, out[lo*nl:hi*nl], nl)
		})
		y, l = out, nl
	}
	return y, l
}

// gram returns YᵀY for the m×l row-major y. Fixed blocks of rows are summed
// in block order, so the result does not depend on the number of workers.
func gram(y []float64, m, l, workers int) *mat.SymDense {
	const block = 2048
	nb := (m + block - 1) / block
	parts := make([][]float64, nb)
	impl := blas64.Implementation()
	parallelFor(nb, workers, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			r0, r1 := b*block, min(m, (b+1)*block)
			g := make([]float64, l*l)
			impl.Dsyrk(blas.Upper, blas.Trans, l, r1-r0, 1, y[r0*l:r1*l], l, 0, g, l)
			parts[b] = g
		}
	})
	g := make([]float64, l*l)
	for _, p := range parts {
		for i, x := range p {
			g[i] += x
		}
	}
	return mat.NewSymDense(l, g)
}

// topEigenvector returns the unit eigenvector of the largest eigenvalue of
// the symmetric k×k matrix whose upper triangle is g (row-major).
func topEigenvector(g []float64, k int) []float32 {
	s := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			s.SetSym(i, j, g[i*k+j])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return nil
	}
	var w mat.Dense
	eig.VectorsTo(&w)
	out := make([]float32, k)
	for i := range out {
		out[i] = float32(w.At(i, k-1))
	}
	return out
}

package local

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"

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
// row-major float32. The dense blocks are float32 because the product is
// bound by memory traffic: every non-zero reads a random row of x, and a
// float32 row is half the bytes (and twice the numbers per SIMD add) of a
// float64 one; the accumulated rounding (~1e-7 relative) is far below what
// separates two random seeds. Each output row is written by one goroutine,
// so the result does not depend on the number of workers. sparseRow gives
// the same bits as one gonum Saxpy per non-zero, only faster.
func (a *csr) mulDense(x []float32, l int, y []float32, workers int) {
	a.parallelRows(workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p0, p1 := a.ptr[i], a.ptr[i+1]
			sparseRow(y[i*l:(i+1)*l], a.idx[p0:p1], a.val[p0:p1], x, l)
		}
	})
}

// parallelRows is parallelFor over the rows of a, in chunks of about equal
// numbers of non-zeros: rows of frequent words are far longer than the rest
// and all come first, so equal row counts would leave one core with most of
// the work.
func (a *csr) parallelRows(workers int, fn func(lo, hi int)) {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunks := min(workers*16, a.rows)
	if chunks <= 1 {
		fn(0, a.rows)
		return
	}
	nnz := a.nnz()
	bounds := make([]int, 0, chunks+1)
	bounds = append(bounds, 0)
	for c := 1; c < chunks; c++ {
		// First row whose cumulative non-zeros (plus one per row, so empty
		// rows are spread too) reach the c-th share.
		target := (nnz + a.rows) * c / chunks
		r := sort.Search(a.rows, func(i int) bool { return a.ptr[i+1]+i+1 >= target })
		bounds = append(bounds, max(r, bounds[len(bounds)-1]))
	}
	bounds = append(bounds, a.rows)
	parallelFor(len(bounds)-1, workers, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			if bounds[c] < bounds[c+1] {
				fn(bounds[c], bounds[c+1])
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
func truncatedSVD(ctx context.Context, a, at *csr, p svdParams) ([]float32, []float64, int, error) {
	m, n := a.rows, a.cols
	l := min(p.k+p.oversample, m, n)
	if l == 0 {
		return nil, nil, 0, nil
	}
	rng := rand.New(rand.NewPCG(p.seed, 0x9e3779b97f4a7c15))
	omega := make([]float32, n*l)
	for i := range omega {
		omega[i] = float32(rng.NormFloat64())
	}
	// Three dense buffers serve every iteration: y (m×l) and its
	// orthonormalised copy (m×l, the two swap roles) and z (n×l, first Ω).
	y := make([]float32, m*l)
	spare := make([]float32, m*l)
	a.mulDense(omega, l, y, p.workers)
	z := omega
	passes := 1
	if p.powerIters == 0 {
		passes = 2
	}
	q, l := orthonormalize(y, spare, m, l, passes, p.workers)
	for it := 0; it < p.powerIters; it++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, 0, err
		}
		z = z[:n*l]
		at.mulDense(q, l, z, p.workers)
		// q is consumed: its buffer receives A·z, the other one the next q.
		y, spare = q[:m*l], other(q, y, spare)
		a.mulDense(z, l, y, p.workers)
		passes = 1
		if it == p.powerIters-1 {
			passes = 2
		}
		q, l = orthonormalize(y, spare, m, l, passes, p.workers)
	}
	if l == 0 {
		return nil, nil, 0, nil
	}
	// B = QᵀA; its left singular vectors and values come from the small
	// l×l matrix BBᵀ = ZᵀZ with Z = AᵀQ.
	z = z[:n*l]
	at.mulDense(q, l, z, p.workers)
	g := gram(z, n, l, p.workers)
	z, omega = nil, nil
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
	uhat := make([]float64, l*kk)
	for j := 0; j < kk; j++ {
		for i := 0; i < l; i++ {
			uhat[i*kk+j] = w.At(i, order[j])
		}
	}
	// U = Q·Û goes into the spare buffer (m×kk ≤ m×l), clipped so the
	// caller's slice does not pin the rest.
	u := other(q, y, spare)[:m*kk]
	mulSmall(q, m, l, uhat, kk, u, p.workers)
	return slices.Clip(u), sigma, kk, nil
}

// other returns whichever of a and b is not the buffer q starts in.
func other(q, a, b []float32) []float32 {
	if len(q) > 0 && len(a) > 0 && &q[0] == &a[0] {
		return b
	}
	return a
}

// mulSmall sets out = y·t for the m×l row-major float32 y and the small
// l×nl float64 t, computing in float64 through blocks of rows (dgemmNN:
// gonum's Dgemm, or the same bits faster).
func mulSmall(y []float32, m, l int, t []float64, nl int, out []float32, workers int) {
	const block = 256
	nb := (m + block - 1) / block
	parallelFor(nb, workers, func(lo, hi int) {
		in := make([]float64, block*l)
		res := make([]float64, block*nl)
		for b := lo; b < hi; b++ {
			r0, r1 := b*block, min(m, (b+1)*block)
			rows := r1 - r0
			widen(in[:rows*l], y[r0*l:r1*l])
			dgemmNN(rows, nl, l, in[:rows*l], t, res[:rows*nl])
			for i, x := range res[:rows*nl] {
				out[r0*nl+i] = float32(x)
			}
		}
	})
}

func widen(dst []float64, src []float32) {
	for i, x := range src {
		dst[i] = float64(x)
	}
}

// orthonormalize returns an orthonormal basis of the column space of the
// m×l row-major matrix y and its width, which drops below l when columns are
// numerically dependent. Each pass maps Y to Y·W·Λ^-½ where YᵀY = WΛWᵀ,
// writing into the other of y and spare (both m×l), so the result is one of
// the two. One pass suffices inside the power iterations (only the subspace
// matters there, and the next iteration repairs any loss of orthogonality);
// the final basis gets two, like CholeskyQR2. The Gram matrix and the
// products are computed in float64; only the stored basis is float32, so
// directions below ~1e-5 of the largest (eigenvalue ratio 1e-10) are noise
// and dropped.
func orthonormalize(y, spare []float32, m, l, passes, workers int) ([]float32, int) {
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
			if vals[c] > top*1e-10 && vals[c] > 0 {
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
		out := spare[:m*nl]
		mulSmall(y, m, l, t, nl, out, workers)
		y, spare, l = out, y[:cap(y)], nl
	}
	return y, l
}

// gram returns YᵀY for the m×l row-major y, in float64. Fixed blocks of rows
// are summed in block order, so the result does not depend on the number of
// workers. Each block is gonum's Dsyrk, or the same bits faster
// (dsyrkUpperT).
func gram(y []float32, m, l, workers int) *mat.SymDense {
	const block = 1024
	nb := (m + block - 1) / block
	parts := make([][]float64, nb)
	parallelFor(nb, workers, func(lo, hi int) {
		in := make([]float64, block*l)
		for b := lo; b < hi; b++ {
			r0, r1 := b*block, min(m, (b+1)*block)
			widen(in[:(r1-r0)*l], y[r0*l:r1*l])
			g := make([]float64, l*l)
			dsyrkUpperT(l, r1-r0, in[:(r1-r0)*l], g)
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

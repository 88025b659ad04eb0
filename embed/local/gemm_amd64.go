package local

// gemmBlockAVX512 sets the block c[i][j] (i < rows ≤ 8, j < cols ≤ 24) to
// Σ_{l<k} A(i,l)·b[l][j] with A(i,l) at a + i·strideI + l·strideK; strides
// in bytes. See gemm_amd64.s.
//
//go:noescape
func gemmBlockAVX512(c *float64, ldc int, a *float64, strideI, strideK int, b *float64, ldb, k, rows, cols int)

// gemmSeq sets c[i·ldc+j] = Σ_{l<k} a[i·strideI+l·strideK]·b[l·ldb+j] for
// i < m, j < n (only j ≥ i-7 or so when upper: the blocks that hold part of
// the upper triangle), by blocks of 8 rows × 24 columns, the columns outer
// so a strip of b (k × 24) is reused from cache by all rows. Each element
// is summed in order of l, skipping zero A, without FMA: the same bits as
// gonum's Dgemm and Dsyrk (alpha 1, beta 0), which do one AxpyUnitary per
// (i, l). The caller checks bounds; k ≥ 1.
func gemmSeq(c []float64, ldc int, a []float64, strideI, strideK int, b []float64, ldb, m, n, k int, upper bool) {
	for j0 := 0; j0 < n; j0 += 24 {
		for i0 := 0; i0 < m; i0 += 8 {
			if upper && i0 >= j0+24 {
				break
			}
			gemmBlockAVX512(&c[i0*ldc+j0], ldc*8, &a[i0*strideI], strideI*8, strideK*8, &b[j0], ldb*8,
				k, min(8, m-i0), min(24, n-j0))
		}
	}
}

// dgemmNN is dgemmNNGonum, faster with AVX-512: gonum does one
// AxpyUnitary (SSE2, loading and storing a row of res) per element of in;
// the kernel keeps an 8×24 block of res in registers for the whole sum.
func dgemmNN(rows, nl, l int, in, t, res []float64) {
	if !useAVX512 || rows == 0 || nl == 0 || l == 0 {
		dgemmNNGonum(rows, nl, l, in, t, res)
		return
	}
	// Bounds the assembly cannot check.
	_ = in[rows*l-1]
	_ = t[l*nl-1]
	_ = res[rows*nl-1]
	gemmSeq(res, nl, in, l, 1, t, nl, rows, nl, l, false)
}

// dsyrkUpperT is dsyrkUpperTGonum, faster with AVX-512, for a g that is
// zero below the diagonal (gram's fresh buffer): the kernel computes whole
// blocks along the diagonal, and their part below it is cleared again.
func dsyrkUpperT(l, rows int, in, g []float64) {
	if !useAVX512 || l == 0 || rows == 0 {
		dsyrkUpperTGonum(l, rows, in, g)
		return
	}
	_ = in[rows*l-1]
	_ = g[l*l-1]
	gemmSeq(g, l, in, 1, l, in, l, l, l, rows, true)
	for i := 1; i < l; i++ {
		clear(g[i*l : i*l+i])
	}
}

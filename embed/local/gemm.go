package local

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// dgemmNNGonum sets res (rows×nl) = in (rows×l) · t (l×nl), all row-major,
// with gonum's Dgemm. It is the reference dgemmNN must match bit for bit,
// and dgemmNN where there is no kernel.
func dgemmNNGonum(rows, nl, l int, in, t, res []float64) {
	blas64.Implementation().Dgemm(blas.NoTrans, blas.NoTrans, rows, nl, l, 1, in, l, t, nl, 0, res, nl)
}

// dsyrkUpperTGonum sets the upper triangle of g (l×l) to inᵀ·in for the
// rows×l row-major in, with gonum's Dsyrk, and leaves the rest of g alone.
// It is the reference dsyrkUpperT must match bit for bit, and dsyrkUpperT
// where there is no kernel.
func dsyrkUpperTGonum(l, rows int, in, g []float64) {
	blas64.Implementation().Dsyrk(blas.Upper, blas.Trans, l, rows, 1, in, l, 0, g, l)
}

package local

import "gonum.org/v1/gonum/blas/blas32"

// sparseRowSaxpy sets y (length l) to Σ val[p]·x[idx[p]·l : idx[p]·l+l] over
// the row's non-zeros in order, one gonum Saxpy per non-zero. It is the
// reference sparseRow must match bit for bit, and the path on CPUs and
// architectures without the assembly kernel.
func sparseRowSaxpy(y []float32, idx []int32, val []float32, x []float32, l int) {
	impl := blas32.Implementation()
	clear(y[:l])
	for p, j := range idx {
		impl.Saxpy(l, val[p], x[int(j)*l:(int(j)+1)*l], 1, y, 1)
	}
}

//go:build !amd64

package local

func sparseRow(y []float32, idx []int32, val []float32, x []float32, l int) {
	sparseRowSaxpy(y, idx, val, x, l)
}

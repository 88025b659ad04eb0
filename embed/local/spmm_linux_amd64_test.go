package local

import (
	"math"
	"syscall"
	"testing"
	"unsafe"
)

// guarded returns n float32s that end exactly where an inaccessible page
// begins, so reading or writing one float past them faults.
func guarded(t *testing.T, n int) []float32 {
	page := syscall.Getpagesize()
	size := (n*4+page-1)/page*page + page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[size-page:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	end := size - page
	return unsafe.Slice((*float32)(unsafe.Pointer(&mem[end-n*4])), n)
}

// TestSparseRowStaysInBounds runs the kernel on an x whose last row and a y
// that end at a guard page, for every tail length: the masked tail pass
// must neither read past x nor write past y.
func TestSparseRowStaysInBounds(t *testing.T) { eachKernel(t, testSparseRowStaysInBounds) }

func testSparseRowStaysInBounds(t *testing.T) {
	for _, l := range spmmWidths() {
		x := guarded(t, 3*l)
		for i := range x {
			x[i] = float32(i%13) - 6
		}
		y := guarded(t, l)
		idx, val := []int32{2, 0, 2}, []float32{0.5, -3, 1.25}
		want := make([]float32, l)
		sparseRowSaxpy(want, idx, val, x, l)
		sparseRow(y, idx, val, x, l)
		for i := range want {
			if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
				t.Fatalf("l=%d: y[%d] = %g, want %g", l, i, y[i], want[i])
			}
		}
	}
}

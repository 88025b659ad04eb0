package vectors

import "golang.org/x/sys/cpu"

var useAVX2 = cpu.X86.HasAVX2

// dotsInt8AVX2 is dotsInt8Go for stride a positive multiple of 32.
//
//go:noescape
func dotsInt8AVX2(q *int16, codes *int8, stride, rows int, out *int32)

func dotsInt8(q []int16, codes []int8, stride int, out []int32) {
	if len(out) == 0 {
		return
	}
	if !useAVX2 {
		dotsInt8Go(q, codes, stride, out)
		return
	}
	// Bounds the assembly cannot check.
	_ = q[stride-1]
	_ = codes[len(out)*stride-1]
	dotsInt8AVX2(&q[0], &codes[0], stride, len(out), &out[0])
}

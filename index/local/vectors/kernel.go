package vectors

// The scan kernel: int8 row codes against an int16 query, one int32 dot
// product per row. dotsInt8 uses AVX2 where the CPU has it (kernel_amd64.s)
// and this portable loop elsewhere; both are exact integer arithmetic, so
// they return identical results on every platform.

// codeAlign is the stride unit of a code row: rows are zero-padded to a
// multiple of 32 bytes so the vector kernel needs no tail loop.
const codeAlign = 32

func codeStride(dims int) int { return (dims + codeAlign - 1) / codeAlign * codeAlign }

// dotsInt8Go writes q·codes[r] into out[r] for each row of stride bytes.
func dotsInt8Go(q []int16, codes []int8, stride int, out []int32) {
	q = q[:stride]
	for r := range out {
		row := codes[r*stride : (r+1)*stride : (r+1)*stride]
		var s0, s1, s2, s3 int32
		for i := 0; i+4 <= stride; i += 4 {
			s0 += int32(row[i]) * int32(q[i])
			s1 += int32(row[i+1]) * int32(q[i+1])
			s2 += int32(row[i+2]) * int32(q[i+2])
			s3 += int32(row[i+3]) * int32(q[i+3])
		}
		out[r] = s0 + s1 + s2 + s3
	}
}

// dot is the cosine of two unit vectors: the float32 dot product, summed
// in eight lanes. It is the one definition of a paper's score; the exact
// reference in the tests uses it too.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		aa := a[i : i+8 : i+8]
		bb := b[i : i+8 : i+8]
		s0 += aa[0] * bb[0]
		s1 += aa[1] * bb[1]
		s2 += aa[2] * bb[2]
		s3 += aa[3] * bb[3]
		s4 += aa[4] * bb[4]
		s5 += aa[5] * bb[5]
		s6 += aa[6] * bb[6]
		s7 += aa[7] * bb[7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

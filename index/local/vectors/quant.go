package vectors

import "math"

// quantize writes v's int8 codes (symmetric, one scale per row: the largest
// component maps to ±127) and returns the scale and the quantisation error
// ‖v − scale·codes‖₂, rounded up. A zero vector has scale 0: a null row.
func quantize(v []float32, codes []int8) (scale, errNorm float32) {
	var maxAbs float32
	for _, x := range v {
		maxAbs = max(maxAbs, float32(math.Abs(float64(x))))
	}
	if maxAbs == 0 {
		clear(codes)
		return 0, 0
	}
	scale = maxAbs / 127
	inv := 1 / float64(scale)
	var e2 float64
	for i, x := range v {
		c := math.Round(float64(x) * inv)
		c = max(-127, min(127, c))
		codes[i] = int8(c)
		d := float64(x) - float64(scale)*c
		e2 += d * d
	}
	clear(codes[len(v):])
	return scale, float32(math.Sqrt(e2)*(1+1e-6)) + 1e-9
}

// queryCodes is a query quantised for the kernel: int16 codes, the scale,
// and the two norms the error bound needs.
type queryCodes struct {
	codes   []int16
	scale   float64
	hatNorm float64 // ‖scale·codes‖
	errNorm float64 // ‖q − scale·codes‖
}

// queryRange is the largest query code for a row stride: a dot product of
// stride codes (each ≤ 127) with query codes ≤ R must stay below 2³¹, in
// every partial sum of the kernel too. At 256 dimensions R is 32767, so the
// query's own rounding error is ~256× smaller than a row's and the error
// bound is almost all the row's.
func queryRange(stride int) int {
	return max(1, min(32767, (1<<31-1)/(max(1, stride)*127)))
}

func quantizeQuery(q []float32, stride int) queryCodes {
	r := float64(queryRange(stride))
	var maxAbs float64
	for _, x := range q {
		maxAbs = max(maxAbs, math.Abs(float64(x)))
	}
	qc := queryCodes{codes: make([]int16, stride)}
	if maxAbs == 0 {
		return qc
	}
	qc.scale = maxAbs / r
	var h2, e2 float64
	for i, x := range q {
		c := max(-r, min(r, math.Round(float64(x)/qc.scale)))
		qc.codes[i] = int16(c)
		h := qc.scale * c
		h2 += h * h
		e2 += (float64(x) - h) * (float64(x) - h)
	}
	qc.hatNorm = math.Sqrt(h2)
	qc.errNorm = math.Sqrt(e2)*(1+1e-6) + 1e-12
	return qc
}

// boundSlack covers float32 rounding in the exact score (256 terms of
// products below 1) and in the scales: far below any gap that matters,
// far above the rounding itself.
const boundSlack = 1e-4

// bound is how far the quantised score of a row with quantisation error
// rowErr can be from its exact cosine: q·x − q̂·x̂ = q̂·(x − x̂) + (q − q̂)·x,
// and by Cauchy–Schwarz |…| ≤ ‖q̂‖·‖x − x̂‖ + ‖q − q̂‖·‖x‖, with ‖x‖ = 1.
func (qc *queryCodes) bound(rowErr float32) float64 {
	return qc.hatNorm*float64(rowErr) + qc.errNorm*(1+1e-6) + boundSlack
}

// normalize returns v scaled to unit length (a zero vector stays zero) and
// whether it was zero.
func normalize(v []float32) ([]float32, bool) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if ss == 0 {
		return out, true
	}
	inv := 1 / math.Sqrt(ss)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out, false
}

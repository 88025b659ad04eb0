package local

// Feedback is pseudo-relevance feedback in embedding space: it moves a query
// vector toward the papers the keyword leg ranked first,
//
//	q' = normalise(α·q̂ + (1−α)·mean(top)),
//
// which helps a corpus-trained model most where a query's words are rare or
// ambiguous in the corpus (bench/embedlab measures it). top holds the stored
// vectors of the keyword leg's best hits (5 in the measurements); zero
// vectors among them are skipped. With no usable top vector the query comes
// back unchanged; a zero query becomes the normalised mean of top. The
// result is a new slice; the inputs are not modified.
//
// Nothing here is specific to the local model: it is vector math on stored
// vectors, valid for any embedder whose vectors are unit length.
func Feedback(query []float32, top [][]float32, alpha float64) []float32 {
	out := make([]float32, len(query))
	mean := make([]float64, len(query))
	n := 0
	for _, v := range top {
		if len(v) != len(query) || isZero(v) {
			continue
		}
		for i, x := range v {
			mean[i] += float64(x)
		}
		n++
	}
	if n == 0 {
		copy(out, query)
		return out
	}
	acc := make([]float64, len(query))
	qa := alpha
	if isZero(query) {
		qa = 0
	}
	for i := range acc {
		acc[i] = qa*float64(query[i]) + (1-alpha)*mean[i]/float64(n)
	}
	normalizeInto(out, acc)
	return out
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

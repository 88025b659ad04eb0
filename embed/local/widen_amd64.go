package local

// addWidenedAVX is addWidenedGo over n elements, n a positive multiple of
// 8, for CPUs with AVX. See widen_amd64.s.
//
//go:noescape
func addWidenedAVX(acc *float64, x *float32, wt float64, n int)

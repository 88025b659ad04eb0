package local

// addWidened adds wt·x[j], x widened to float64, to acc[j] for every j <
// len(x): a document's vector summed from its words' float32 rows in
// float64. With AVX (widen_amd64.s) it does eight elements a step; each
// element still sees exactly addWidenedGo's operations — widen, multiply,
// add, never fused — so the two agree bit for bit (TestAddWidened) and a
// vector does not depend on the CPU that embedded it.
func addWidened(acc []float64, wt float64, x []float32) {
	acc = acc[:len(x)]
	n := 0
	if useAVX {
		n = len(x) &^ 7
		if n > 0 {
			addWidenedAVX(&acc[0], &x[0], wt, n)
		}
	}
	addWidenedGo(acc[n:], wt, x[n:])
}

// addWidenedGo is addWidened in Go, one element at a time.
func addWidenedGo(acc []float64, wt float64, x []float32) {
	acc = acc[:len(x)]
	for j, v := range x {
		acc[j] += wt * float64(v)
	}
}

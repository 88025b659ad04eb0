//go:build !amd64

package local

// useAVX is set from the CPU on amd64 (spmm_amd64.go); elsewhere addWidened
// is addWidenedGo.
const useAVX = false

func addWidenedAVX(acc *float64, x *float32, wt float64, n int) {
	panic("addWidenedAVX off amd64")
}

//go:build !amd64

package local

func dgemmNN(rows, nl, l int, in, t, res []float64) { dgemmNNGonum(rows, nl, l, in, t, res) }

func dsyrkUpperT(l, rows int, in, g []float64) { dsyrkUpperTGonum(l, rows, in, g) }

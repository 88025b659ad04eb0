//go:build !amd64

package vectors

func dotsInt8(q []int16, codes []int8, stride int, out []int32) {
	dotsInt8Go(q, codes, stride, out)
}

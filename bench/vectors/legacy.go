package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
)

// legacyRow is one record of a vectors.bin written by paperseek before the
// segment files (format "PSVEC\0\0\3", or 4 which adds the publication
// day; index/local/vectors.go of those versions): the bench imports real
// vectors from an index built by such a binary.
type legacyRow struct {
	id         string
	year       int
	published  string
	categories []string
	authors    []string
	length     int
	vec        []float32
}

func readLegacy(path string, fn func(legacyRow) error) (dims int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if len(data) < 12 || string(data[:7]) != "PSVEC\x00\x00" || (data[7] != 3 && data[7] != 4) {
		return 0, fmt.Errorf("%s: not a vectors.bin of format 3 or 4", path)
	}
	withDate := data[7] == 4
	body := data[:len(data)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return 0, fmt.Errorf("%s: checksum mismatch", path)
	}
	b := body[8:]
	bad := errors.New("truncated")
	uv := func() int {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			panic(bad)
		}
		b = b[n:]
		return int(x)
	}
	str := func() string { n := uv(); s := string(b[:n]); b = b[n:]; return s }
	strs := func() []string {
		var out []string
		for range uv() {
			out = append(out, str())
		}
		return out
	}
	defer func() {
		if r := recover(); r == bad {
			err = fmt.Errorf("%s: %w", path, bad)
		} else if r != nil {
			panic(r)
		}
	}()
	dims = uv()
	count := uv()
	uv() // partitioned at
	lists := uv()
	b = b[4*dims*lists:]
	vec := func() []float32 {
		v := make([]float32, dims)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		b = b[4*dims:]
		return v
	}
	for range count {
		var r legacyRow
		r.id = str()
		uv() // list
		r.year = uv()
		if withDate {
			r.published = str()
		}
		r.categories = strs()
		r.authors = strs()
		r.length = uv()
		r.vec = vec()
		if err := fn(r); err != nil {
			return dims, err
		}
	}
	return dims, nil
}

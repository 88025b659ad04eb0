package local

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/local/vectors"
)

// legacyVectorsName is the one vectors file of format-1 indexes (and of
// development builds before the segment files), read only to upgrade them.
const legacyVectorsName = "vectors.bin"

var (
	legacyMagicV3 = [8]byte{'P', 'S', 'V', 'E', 'C', 0, 0, 3} // format 1
	legacyMagicV4 = [8]byte{'P', 'S', 'V', 'E', 'C', 0, 0, 4} // + publication dates
)

// legacyRecord is one paper of a legacy vectors file.
type legacyRecord struct {
	ID   string
	Vec  []float32
	Meta vectors.Meta
}

// readLegacyVectors calls fn with every record of a legacy vectors file,
// after checking its checksum: a header, the partition centroids
// (skipped), then per paper its id, list, year, [date,] categories, authors,
// token length and vector.
func readLegacyVectors(path string, fn func(legacyRecord) error) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: read %s: %w", index.ErrCorrupt, path, err)
	}
	corrupt := func(why string) error { return fmt.Errorf("%w: %s: %s", index.ErrCorrupt, path, why) }
	if len(data) < 8+4 || ([8]byte(data[:8]) != legacyMagicV3 && [8]byte(data[:8]) != legacyMagicV4) {
		return corrupt("not a paperseek vectors file")
	}
	hasDates := [8]byte(data[:8]) == legacyMagicV4
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return corrupt("checksum mismatch (the file is damaged)")
	}
	r := &byteReader{b: body[8:]}
	dims := int(r.uvarint())
	count := int(r.uvarint())
	r.uvarint() // papers at the last partitioning
	nLists := int(r.uvarint())
	// Every vector is 4·dims bytes of what follows: a header claiming more
	// than the file holds is corrupt, and must never become an allocation.
	if r.err != nil || dims <= 0 || dims > 1<<16 || count < 0 || nLists < 0 ||
		uint64(dims)*4*(uint64(count)+uint64(nLists)) > uint64(len(r.b)) {
		return corrupt("bad header")
	}
	r.bytes(4 * dims * nLists) // centroids
	for i := range count {
		rec := legacyRecord{ID: r.string()}
		r.uvarint() // list
		rec.Meta.Year = int(r.uvarint())
		if hasDates {
			rec.Meta.Published = r.string()
		}
		rec.Meta.Categories, rec.Meta.AuthorsLC, rec.Meta.Length = r.strings(), r.strings(), int(r.uvarint())
		raw := r.bytes(4 * dims)
		if r.err != nil {
			return corrupt(fmt.Sprintf("record %d: %v", i, r.err))
		}
		rec.Vec = make([]float32, dims)
		for j := range rec.Vec {
			rec.Vec[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if len(r.b) != 0 {
		return corrupt("trailing data")
	}
	return nil
}

type byteReader struct {
	b   []byte
	err error
}

func (r *byteReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("truncated")
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *byteReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = errors.New("truncated")
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *byteReader) string() string { return string(r.bytes(int(r.uvarint()))) }

func (r *byteReader) strings() []string {
	n := int(r.uvarint())
	if r.err != nil || n > len(r.b) {
		r.err = errors.New("truncated")
		return nil
	}
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string()
	}
	return out
}

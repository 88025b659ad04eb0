package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/paperseek/paperseek/embed"
)

// On-disk layout of one cache file (all integers little-endian):
//
//	header:  magic[8] | fpLen uint32 | fingerprint JSON [fpLen] | crc32c uint32
//	records: sha256(text)[32] | dims × float32 | crc32c uint32   (repeated)
//
// Every record has the same size because a file holds one fingerprint, so
// one dimension count. That makes record i live at a computable offset: the
// in-memory index only needs the record number, a corrupt record in the
// middle can be skipped without losing the ones after it, and a torn tail is
// simply "whatever does not end on a record boundary with a valid checksum".
const (
	magic       = "PSEMBC\x00\x01"
	hashSize    = sha256.Size
	crcSize     = 4
	maxFPLength = 64 << 10 // a fingerprint is a few hundred bytes; refuse absurd lengths from a corrupt header
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errNotCache marks a file whose header is not ours or is damaged.
var errNotCache = errors.New("not a paperseek embedding cache or its header is damaged")

// fileName gives each fingerprint its own file, so switching models never
// reads another model's vectors and switching back finds the old ones intact.
func fileName(fp embed.Fingerprint) (string, error) {
	b, err := json.Marshal(fp)
	if err != nil {
		return "", fmt.Errorf("encode fingerprint: %w", err)
	}
	sum := sha256.Sum256(b)
	return "emb-" + hex.EncodeToString(sum[:8]) + ".cache", nil
}

func recordSize(dims int) int64 {
	return int64(hashSize + 4*dims + crcSize)
}

func encodeHeader(fp embed.Fingerprint) ([]byte, error) {
	js, err := json.Marshal(fp)
	if err != nil {
		return nil, fmt.Errorf("encode fingerprint: %w", err)
	}
	b := make([]byte, 0, len(magic)+4+len(js)+crcSize)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(js)))
	b = append(b, js...)
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return b, nil
}

// readHeader returns the fingerprint stored in the header and the header's
// length, which is where the first record starts.
func readHeader(r io.Reader) (embed.Fingerprint, int64, error) {
	var fp embed.Fingerprint
	head := make([]byte, len(magic)+4)
	if _, err := io.ReadFull(r, head); err != nil {
		return fp, 0, fmt.Errorf("%w: %w", errNotCache, err)
	}
	if !bytes.Equal(head[:len(magic)], []byte(magic)) {
		return fp, 0, fmt.Errorf("%w: bad magic", errNotCache)
	}
	n := binary.LittleEndian.Uint32(head[len(magic):])
	if n == 0 || n > maxFPLength {
		return fp, 0, fmt.Errorf("%w: fingerprint length %d", errNotCache, n)
	}
	rest := make([]byte, int(n)+crcSize)
	if _, err := io.ReadFull(r, rest); err != nil {
		return fp, 0, fmt.Errorf("%w: %w", errNotCache, err)
	}
	js := rest[:n]
	want := binary.LittleEndian.Uint32(rest[n:])
	crc := crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, js)
	if crc != want {
		return fp, 0, fmt.Errorf("%w: header checksum mismatch", errNotCache)
	}
	if err := json.Unmarshal(js, &fp); err != nil {
		return fp, 0, fmt.Errorf("%w: %w", errNotCache, err)
	}
	return fp, int64(len(head) + len(rest)), nil
}

// appendRecord appends one record for (hash, vec) to b.
func appendRecord(b []byte, hash [hashSize]byte, vec []float32) []byte {
	start := len(b)
	b = append(b, hash[:]...)
	for _, f := range vec {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// recordValid reports whether rec (exactly one record) carries a matching checksum.
func recordValid(rec []byte) bool {
	body := rec[:len(rec)-crcSize]
	return crc32.Checksum(body, castagnoli) == binary.LittleEndian.Uint32(rec[len(body):])
}

// decodeVector reads the vector out of a valid record.
func decodeVector(rec []byte, dims int) []float32 {
	v := make([]float32, dims)
	p := rec[hashSize:]
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
	}
	return v
}

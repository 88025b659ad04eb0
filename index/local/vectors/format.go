package vectors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// A segment file ("seg-NNNNNN.bin"), little-endian throughout:
//
//	header, 512 bytes:
//	  0  magic "PSVSEG\x00\x01"
//	  8  dims u32, 12 code stride u32, 16 rows u32, 20 lists u32
//	  24 partition id u64 (the centroids its lists refer to)
//	  32 Σ token lengths u64, 40 null rows u32, 44 section count u32
//	  64 section table: per section {offset u64, length u64, crc32 u32, 0 u32}
//	  508 crc32 of bytes 0..507
//	sections, each at a multiple of 64 bytes, rows in list order:
//	  listOff   (lists+1) u32   first row of each list
//	  codes     rows × stride   int8 codes, zero-padded to the stride
//	  quant     rows × 2 f32    per-row scale and quantisation error ‖x − scale·code‖
//	  vecs      rows × dims f32 the unit vectors, exact
//	  idOff     (rows+1) u32    into ids
//	  ids       bytes
//	  idSorted  rows u32        row numbers in id order (binary search by id)
//	  year      rows u16
//	  date      rows u32        first-version date as YYYYMMDD, 0 = none
//	  length    rows u32        token length of the ranking text
//	  catOff    (rows+1) u32    into catIDs
//	  catIDs    u32 each        indexes into catDict
//	  catDict   dictionary
//	  authOff   (rows+1) u32    into authIDs
//	  authIDs   u32 each        indexes into authDict
//	  authDict  dictionary
//	  yearHist  256 u32         rows per year from 1900 (clamped), for filter estimates
//
// A dictionary is: count u32, (count+1) u32 string offsets, count u32 row
// counts, the sorted strings' bytes.
//
// Open checks the header (magic, CRC, every offset and length against the
// file size and against rows and dims) and the list offsets; the CRCs of the
// sections are checked by Verify, which `check` runs. Everything read from a
// section at query time is bounds-checked, so a damaged section gives wrong
// answers until `check` finds it, never a crash or a huge allocation.
var segMagic = [8]byte{'P', 'S', 'V', 'S', 'E', 'G', 0, 1}

const (
	headerSize   = 512
	sectionAlign = 64
	maxDims      = 1 << 16
	maxLists     = 1 << 16
)

const (
	secListOff = iota
	secCodes
	secQuant
	secVecs
	secIDOff
	secIDs
	secIDSorted
	secYear
	secDate
	secLength
	secCatOff
	secCatIDs
	secCatDict
	secAuthOff
	secAuthIDs
	secAuthDict
	secYearHist
	numSections
)

var sectionNames = [numSections]string{"list offsets", "codes", "quantisation", "vectors", "id offsets", "ids", "id order",
	"years", "dates", "lengths", "category offsets", "categories", "category dictionary",
	"author offsets", "authors", "author dictionary", "year histogram"}

type section struct {
	off, len uint64
	crc      uint32
}

type segHeader struct {
	dims, stride, rows, lists int
	partition                 uint64
	sumLength                 uint64
	nulls                     int
	sec                       [numSections]section
}

// ErrCorrupt marks a vectors file that is damaged or not ours; the caller
// wraps it in the index's own corruption error.
var ErrCorrupt = errors.New("vectors file is damaged")

func (h *segHeader) encode() []byte {
	b := make([]byte, headerSize)
	copy(b, segMagic[:])
	le := binary.LittleEndian
	le.PutUint32(b[8:], uint32(h.dims))
	le.PutUint32(b[12:], uint32(h.stride))
	le.PutUint32(b[16:], uint32(h.rows))
	le.PutUint32(b[20:], uint32(h.lists))
	le.PutUint64(b[24:], h.partition)
	le.PutUint64(b[32:], h.sumLength)
	le.PutUint32(b[40:], uint32(h.nulls))
	le.PutUint32(b[44:], numSections)
	for i, s := range h.sec {
		p := b[64+24*i:]
		le.PutUint64(p, s.off)
		le.PutUint64(p[8:], s.len)
		le.PutUint32(p[16:], s.crc)
	}
	le.PutUint32(b[508:], crc32.Checksum(b[:508], crcTable))
	return b
}

// decodeHeader parses and validates a segment header against the size of
// its file. Nothing is allocated from a count before it is checked.
func decodeHeader(b []byte, size uint64) (*segHeader, error) {
	if uint64(len(b)) < headerSize || size < headerSize {
		return nil, errors.New("shorter than a header")
	}
	if [8]byte(b[:8]) != segMagic {
		return nil, errors.New("not a paperseek vector segment of this version")
	}
	le := binary.LittleEndian
	if crc32.Checksum(b[:508], crcTable) != le.Uint32(b[508:]) {
		return nil, errors.New("header checksum mismatch")
	}
	h := &segHeader{
		dims: int(le.Uint32(b[8:])), stride: int(le.Uint32(b[12:])), rows: int(le.Uint32(b[16:])), lists: int(le.Uint32(b[20:])),
		partition: le.Uint64(b[24:]), sumLength: le.Uint64(b[32:]), nulls: int(le.Uint32(b[40:])),
	}
	if le.Uint32(b[44:]) != numSections {
		return nil, fmt.Errorf("%d sections, want %d", le.Uint32(b[44:]), numSections)
	}
	if h.dims < 1 || h.dims > maxDims || h.stride != codeStride(h.dims) {
		return nil, fmt.Errorf("bad dimensions %d (stride %d)", h.dims, h.stride)
	}
	if h.lists < 1 || h.lists > maxLists {
		return nil, fmt.Errorf("bad list count %d", h.lists)
	}
	if h.nulls > h.rows {
		return nil, fmt.Errorf("%d null rows of %d", h.nulls, h.rows)
	}
	for i := range h.sec {
		p := b[64+24*i:]
		h.sec[i] = section{off: le.Uint64(p), len: le.Uint64(p[8:]), crc: le.Uint32(p[16:])}
	}
	rows, dims := uint64(h.rows), uint64(h.dims)
	// Every fixed-size section must have exactly the size rows and dims
	// imply; a huge row count in a damaged header fails here, because the
	// file is not that large.
	want := map[int]uint64{
		secListOff: 4 * (uint64(h.lists) + 1), secCodes: rows * uint64(h.stride), secQuant: 8 * rows,
		secVecs: 4 * dims * rows, secIDOff: 4 * (rows + 1), secIDSorted: 4 * rows, secYear: 2 * rows,
		secDate: 4 * rows, secLength: 4 * rows, secCatOff: 4 * (rows + 1), secAuthOff: 4 * (rows + 1), secYearHist: 4 * 256,
	}
	for i, s := range h.sec {
		if s.off < headerSize || s.off%sectionAlign != 0 || s.off > size || s.len > size-s.off {
			return nil, fmt.Errorf("section %s [%d, +%d) outside the file of %d bytes", sectionNames[i], s.off, s.len, size)
		}
		if w, ok := want[i]; ok && s.len != w {
			return nil, fmt.Errorf("section %s has %d bytes, want %d", sectionNames[i], s.len, w)
		}
		if (i == secCatIDs || i == secAuthIDs) && s.len%4 != 0 {
			return nil, fmt.Errorf("section %s has %d bytes", sectionNames[i], s.len)
		}
		if (i == secCatDict || i == secAuthDict) && s.len < 8 {
			return nil, fmt.Errorf("section %s has %d bytes", sectionNames[i], s.len)
		}
	}
	return h, nil
}

// crcTable is Castagnoli: hardware-accelerated on amd64 and arm64, which
// makes verifying a 1.3 GB set a matter of a second or so.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

package vectors

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"unsafe"
)

// inRow is one row on its way into a segment.
type inRow struct {
	id   string
	vec  []float32 // unit length, or all zero
	meta Meta
}

// segSpec describes a segment to write: rows arrive in list order, counts[l]
// of them for list l.
type segSpec struct {
	dir       string
	seq       uint32
	dims      int
	partition uint64
	counts    []int
	next      func() (inRow, error)
}

// sectionWriter streams one section at a known offset, with its CRC.
type sectionWriter struct {
	w   *bufio.Writer
	crc uint32
	n   uint64
}

func newSectionWriter(f *os.File, off uint64) *sectionWriter {
	return &sectionWriter{w: bufio.NewWriterSize(io.NewOffsetWriter(f, int64(off)), 1<<18)}
}

func (s *sectionWriter) write(b []byte) {
	s.crc = crc32.Update(s.crc, crcTable, b)
	s.n += uint64(len(b))
	s.w.Write(b) // errors stick in the bufio.Writer; Flush reports them
}

func bytesOf[T uint16 | uint32 | float32 | int8](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(v[0])))
}

func alignUp(x uint64) uint64 { return (x + sectionAlign - 1) / sectionAlign * sectionAlign }

// writeSegment writes a segment file atomically (temporary name, fsync,
// rename) and returns its header. The large sections (codes, quantisation,
// vectors) stream straight to the file; only the small per-row columns are
// held in memory until the end.
func writeSegment(spec segSpec) (h *segHeader, err error) {
	lists := len(spec.counts)
	rows := 0
	for _, c := range spec.counts {
		rows += c
	}
	if rows > math.MaxUint32/2 || lists < 1 || lists > maxLists {
		return nil, fmt.Errorf("segment of %d rows in %d lists", rows, lists)
	}
	dims := spec.dims
	stride := codeStride(dims)
	h = &segHeader{dims: dims, stride: stride, rows: rows, lists: lists, partition: spec.partition}
	name := segName(spec.seq)
	tmp, err := os.CreateTemp(spec.dir, "."+name+".tmp-*")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	// Fixed-size sections first, at offsets known in advance.
	off := uint64(headerSize)
	place := func(i int, n uint64) {
		h.sec[i] = section{off: off, len: n}
		off = alignUp(off + n)
	}
	place(secListOff, 4*uint64(lists+1))
	place(secCodes, uint64(rows)*uint64(stride))
	place(secQuant, 8*uint64(rows))
	place(secVecs, 4*uint64(dims)*uint64(rows))

	listOff := make([]uint32, lists+1)
	for l, c := range spec.counts {
		listOff[l+1] = listOff[l] + uint32(c)
	}
	lw := newSectionWriter(tmp, h.sec[secListOff].off)
	lw.write(bytesOf(listOff))
	cw := newSectionWriter(tmp, h.sec[secCodes].off)
	qw := newSectionWriter(tmp, h.sec[secQuant].off)
	vw := newSectionWriter(tmp, h.sec[secVecs].off)

	ids := make([]string, rows)
	years := make([]uint16, rows)
	dates := make([]uint32, rows)
	lengths := make([]uint32, rows)
	catOff := make([]uint32, 1, rows+1)
	authOff := make([]uint32, 1, rows+1)
	var catIDs, authIDs []uint32
	cats, auths := map[string]uint32{}, map[string]uint32{}
	intern := func(m map[string]uint32, s string) uint32 {
		id, ok := m[s]
		if !ok {
			id = uint32(len(m))
			m[s] = id
		}
		return id
	}
	var yearHist [256]uint32
	codes := make([]int8, stride)
	var q [2]float32
	for r := range rows {
		row, err := spec.next()
		if err != nil {
			return nil, err
		}
		if len(row.vec) != dims {
			return nil, fmt.Errorf("row %q has %d dimensions, want %d", row.id, len(row.vec), dims)
		}
		q[0], q[1] = quantize(row.vec, codes)
		if q[0] == 0 {
			h.nulls++
		}
		cw.write(bytesOf(codes))
		qw.write(bytesOf(q[:]))
		vw.write(bytesOf(row.vec))
		ids[r] = row.id
		if row.meta.Year < 0 || row.meta.Year > math.MaxUint16 {
			return nil, fmt.Errorf("paper %q: year %d out of range", row.id, row.meta.Year)
		}
		years[r] = uint16(row.meta.Year)
		yearHist[yearBucket(row.meta.Year)]++
		if dates[r], err = parseDate(row.meta.Published); err != nil {
			return nil, fmt.Errorf("paper %q: %w", row.id, err)
		}
		lengths[r] = clampU32(row.meta.Length)
		h.sumLength += uint64(lengths[r])
		for _, c := range row.meta.Categories {
			catIDs = append(catIDs, intern(cats, c))
		}
		catOff = append(catOff, uint32(len(catIDs)))
		for _, a := range row.meta.AuthorsLC {
			authIDs = append(authIDs, intern(auths, a))
		}
		authOff = append(authOff, uint32(len(authIDs)))
	}
	for _, sw := range []*sectionWriter{lw, cw, qw, vw} {
		if err := sw.w.Flush(); err != nil {
			return nil, err
		}
	}
	h.sec[secListOff].crc, h.sec[secCodes].crc, h.sec[secQuant].crc, h.sec[secVecs].crc = lw.crc, cw.crc, qw.crc, vw.crc

	// The small sections, from memory.
	catDict, catCounts := sortedDict(cats, catIDs)
	authDict, authCounts := sortedDict(auths, authIDs)
	idOff := make([]uint32, rows+1)
	var idLen uint64
	for r, id := range ids {
		idLen += uint64(len(id))
		if idLen > math.MaxUint32 {
			return nil, errors.New("ids exceed 4 GB in one segment")
		}
		idOff[r+1] = uint32(idLen)
	}
	idSorted := make([]uint32, rows)
	for i := range idSorted {
		idSorted[i] = uint32(i)
	}
	slices.SortFunc(idSorted, func(a, b uint32) int { return cmp.Compare(ids[a], ids[b]) })
	for i := 1; i < rows; i++ {
		if ids[idSorted[i]] == ids[idSorted[i-1]] {
			return nil, fmt.Errorf("paper %q twice in one segment", ids[idSorted[i]])
		}
	}
	small := []struct {
		sec  int
		data func(*sectionWriter)
	}{
		{secIDOff, func(w *sectionWriter) { w.write(bytesOf(idOff)) }},
		{secIDs, func(w *sectionWriter) {
			for _, id := range ids {
				w.write([]byte(id))
			}
		}},
		{secIDSorted, func(w *sectionWriter) { w.write(bytesOf(idSorted)) }},
		{secYear, func(w *sectionWriter) { w.write(bytesOf(years)) }},
		{secDate, func(w *sectionWriter) { w.write(bytesOf(dates)) }},
		{secLength, func(w *sectionWriter) { w.write(bytesOf(lengths)) }},
		{secCatOff, func(w *sectionWriter) { w.write(bytesOf(catOff)) }},
		{secCatIDs, func(w *sectionWriter) { w.write(bytesOf(catIDs)) }},
		{secCatDict, func(w *sectionWriter) { writeDict(w, catDict, catCounts) }},
		{secAuthOff, func(w *sectionWriter) { w.write(bytesOf(authOff)) }},
		{secAuthIDs, func(w *sectionWriter) { w.write(bytesOf(authIDs)) }},
		{secAuthDict, func(w *sectionWriter) { writeDict(w, authDict, authCounts) }},
		{secYearHist, func(w *sectionWriter) { w.write(bytesOf(yearHist[:])) }},
	}
	for _, s := range small {
		w := newSectionWriter(tmp, off)
		s.data(w)
		if err := w.w.Flush(); err != nil {
			return nil, err
		}
		h.sec[s.sec] = section{off: off, len: w.n, crc: w.crc}
		off = alignUp(off + w.n)
	}
	if err := tmp.Truncate(int64(off)); err != nil {
		return nil, err
	}
	if _, err := tmp.WriteAt(h.encode(), 0); err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(spec.dir, name)); err != nil {
		return nil, err
	}
	return h, nil
}

// sortedDict orders a dictionary's strings and renumbers the references to
// match (so exact lookups can binary-search); it returns the strings and
// how many references each has.
func sortedDict(m map[string]uint32, refs []uint32) ([]string, []uint32) {
	words := make([]string, len(m))
	for w, i := range m {
		words[i] = w
	}
	order := make([]uint32, len(words))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(words[a], words[b]) })
	renum := make([]uint32, len(words))
	sorted := make([]string, len(words))
	for newID, old := range order {
		renum[old] = uint32(newID)
		sorted[newID] = words[old]
	}
	counts := make([]uint32, len(words))
	for i, r := range refs {
		refs[i] = renum[r]
		counts[refs[i]]++
	}
	return sorted, counts
}

func writeDict(w *sectionWriter, words []string, counts []uint32) {
	var b [4]byte
	u32 := func(x uint32) { binary.LittleEndian.PutUint32(b[:], x); w.write(b[:]) }
	u32(uint32(len(words)))
	var off uint32
	u32(0)
	for _, s := range words {
		off += uint32(len(s))
		u32(off)
	}
	for _, c := range counts {
		u32(c)
	}
	for _, s := range words {
		w.write([]byte(s))
	}
}

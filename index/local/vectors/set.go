package vectors

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// SetName is the file that makes a directory a vector set: the segment
// list, the deletions, the centroids. The segment files sit beside it.
const SetName = "set.bin"

// The set file, little-endian, read whole at open and checked by its CRC:
//
//	 0 magic "PSVSET\x00\x01"
//	 8 dims u32, 12 lists u32, 16 segments u32, 20 next segment number u32
//	24 partition id u64, 32 live papers when partitioned u64
//	40 live papers u64, 48 Σ token length of live papers u64, 56 reserved u64
//	64 centroids: lists × dims f32 (none when lists = 1)
//	   segments: per segment {number u32, rows u32, deleted u32, 0 u32, size u64, header crc u32, 0 u32}
//	   deleted rows: per segment its sorted row numbers, u32 each
//	   crc32c of everything before
var setMagic = [8]byte{'P', 'S', 'V', 'S', 'E', 'T', 0, 1}

const (
	setHeaderSize = 64
	segEntrySize  = 32
)

type segEntry struct {
	seq     uint32
	rows    uint32
	size    uint64
	hdrCRC  uint32
	deleted []uint32 // sorted row numbers
}

type setFile struct {
	dims          int
	lists         int
	nextSeq       uint32
	partition     uint64
	partitionedAt uint64
	live          uint64
	sumLength     uint64
	centroids     []float32 // lists × dims; nil when lists == 1
	segs          []segEntry
}

func (f *setFile) encode() []byte {
	n := setHeaderSize + 4*len(f.centroids) + segEntrySize*len(f.segs)
	for _, s := range f.segs {
		n += 4 * len(s.deleted)
	}
	b := make([]byte, n, n+4)
	le := binary.LittleEndian
	copy(b, setMagic[:])
	le.PutUint32(b[8:], uint32(f.dims))
	le.PutUint32(b[12:], uint32(f.lists))
	le.PutUint32(b[16:], uint32(len(f.segs)))
	le.PutUint32(b[20:], f.nextSeq)
	le.PutUint64(b[24:], f.partition)
	le.PutUint64(b[32:], f.partitionedAt)
	le.PutUint64(b[40:], f.live)
	le.PutUint64(b[48:], f.sumLength)
	p := b[setHeaderSize:]
	for _, c := range f.centroids {
		le.PutUint32(p, math.Float32bits(c))
		p = p[4:]
	}
	for _, s := range f.segs {
		le.PutUint32(p, s.seq)
		le.PutUint32(p[4:], s.rows)
		le.PutUint32(p[8:], uint32(len(s.deleted)))
		le.PutUint64(p[16:], s.size)
		le.PutUint32(p[24:], s.hdrCRC)
		p = p[segEntrySize:]
	}
	for _, s := range f.segs {
		for _, r := range s.deleted {
			le.PutUint32(p, r)
			p = p[4:]
		}
	}
	return le.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// maxSetFile bounds what Open will read: 64k lists × 4k dims would be 1 GB
// of centroids, far past anything paperseek writes.
const maxSetFile = 256 << 20

func readSetFile(path string) (*setFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() < setHeaderSize+4 || st.Size() > maxSetFile {
		return nil, fmt.Errorf("%w: %s: %d bytes", ErrCorrupt, path, st.Size())
	}
	b := make([]byte, st.Size())
	if _, err := io.ReadFull(fh, b); err != nil {
		return nil, err
	}
	f, err := decodeSetFile(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	return f, nil
}

func decodeSetFile(b []byte) (*setFile, error) {
	le := binary.LittleEndian
	if len(b) < setHeaderSize+4 || [8]byte(b[:8]) != setMagic {
		return nil, errors.New("not a paperseek vector set of this version")
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, crcTable) != le.Uint32(b[len(b)-4:]) {
		return nil, errors.New("checksum mismatch")
	}
	f := &setFile{dims: int(le.Uint32(b[8:])), lists: int(le.Uint32(b[12:])), nextSeq: le.Uint32(b[20:]),
		partition: le.Uint64(b[24:]), partitionedAt: le.Uint64(b[32:]), live: le.Uint64(b[40:]), sumLength: le.Uint64(b[48:])}
	nSegs := uint64(le.Uint32(b[16:]))
	if f.dims < 0 || f.dims > maxDims || (f.dims == 0 && nSegs > 0) || f.lists < 1 || f.lists > maxLists {
		return nil, fmt.Errorf("bad header: %d dims, %d lists", f.dims, f.lists)
	}
	nCent := uint64(0)
	if f.lists > 1 {
		nCent = uint64(f.lists) * uint64(f.dims)
	}
	// Check the counts against the size before allocating anything.
	need := uint64(setHeaderSize) + 4*nCent + segEntrySize*nSegs
	if need > uint64(len(body)) {
		return nil, fmt.Errorf("%d lists and %d segments do not fit %d bytes", f.lists, nSegs, len(body))
	}
	p := body[setHeaderSize:]
	f.centroids = make([]float32, nCent)
	for i := range f.centroids {
		f.centroids[i] = math.Float32frombits(le.Uint32(p))
		p = p[4:]
	}
	f.segs = make([]segEntry, nSegs)
	var totalDel uint64
	for i := range f.segs {
		s := &f.segs[i]
		s.seq, s.rows = le.Uint32(p), le.Uint32(p[4:])
		nd := le.Uint32(p[8:])
		s.size, s.hdrCRC = le.Uint64(p[16:]), le.Uint32(p[24:])
		if nd > s.rows {
			return nil, fmt.Errorf("segment %d: %d deletions of %d rows", s.seq, nd, s.rows)
		}
		totalDel += uint64(nd)
		p = p[segEntrySize:]
	}
	if need+4*totalDel != uint64(len(body)) {
		return nil, fmt.Errorf("%d deletions do not fit %d bytes", totalDel, len(body))
	}
	for i := range f.segs {
		s := &f.segs[i]
		q := body[setHeaderSize+4*nCent+segEntrySize*uint64(i):]
		nd := le.Uint32(q[8:])
		s.deleted = make([]uint32, nd)
		for j := range s.deleted {
			s.deleted[j] = le.Uint32(p)
			p = p[4:]
			if s.deleted[j] >= s.rows || (j > 0 && s.deleted[j] <= s.deleted[j-1]) {
				return nil, fmt.Errorf("segment %d: deleted rows unsorted or out of range", s.seq)
			}
		}
	}
	return f, nil
}

// Set is one generation's vectors, opened read-only. It is safe for
// concurrent use.
type Set struct {
	dir  string
	file *setFile
	segs []*openSeg
	// closed is set by Close; read without a lock because a set is never
	// closed while another goroutine uses it.
	closed bool
}

type openSeg struct {
	*segment
	entry   *segEntry
	delOnce sync.Once
	del     []uint64 // bitset of deleted rows, built on first use
}

func (o *openSeg) deletedBits() []uint64 {
	o.delOnce.Do(func() {
		if len(o.entry.deleted) == 0 {
			return
		}
		o.del = make([]uint64, (o.rows()+63)/64)
		for _, r := range o.entry.deleted {
			o.del[r/64] |= 1 << (r % 64)
		}
	})
	return o.del
}

func (o *openSeg) isDeleted(r int) bool {
	d := o.deletedBits()
	return d != nil && d[r/64]&(1<<(r%64)) != 0
}

// Open opens the vector set in dir (a generation's vectors directory). It
// reads the set file and maps the segments; it reads no vectors.
func Open(dir string) (*Set, error) {
	f, err := readSetFile(filepath.Join(dir, SetName))
	if err != nil {
		return nil, err
	}
	s := &Set{dir: dir, file: f}
	for i := range f.segs {
		e := &f.segs[i]
		seg, err := openSegment(dir, e.seq)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.segs = append(s.segs, &openSeg{segment: seg, entry: e})
		h := seg.hdr
		if uint64(len(seg.m.data)) != e.size || h.rows != int(e.rows) || h.dims != f.dims || h.lists != f.lists || h.partition != f.partition {
			s.Close()
			return nil, fmt.Errorf("%w: %s does not match the set file (%d rows, %d dims, %d lists)", ErrCorrupt,
				filepath.Join(dir, seg.name), h.rows, h.dims, h.lists)
		}
		if crc32.Checksum(seg.m.data[:508], crcTable) != e.hdrCRC {
			s.Close()
			return nil, fmt.Errorf("%w: %s is not the segment the set file names", ErrCorrupt, filepath.Join(dir, seg.name))
		}
	}
	return s, nil
}

// ErrClosed is returned by a search on a closed set: its files are no
// longer mapped.
var ErrClosed = errors.New("vector set is closed")

// Close unmaps the segments. No slice the set returned points into them.
// The set must not be in use by another goroutine; later searches return
// ErrClosed.
func (s *Set) Close() error {
	s.closed = true
	var errs []error
	for _, g := range s.segs {
		errs = append(errs, g.close())
	}
	s.segs = nil
	return errors.Join(errs...)
}

// Dir is the directory the set was opened from.
func (s *Set) Dir() string { return s.dir }

// Dims is the vector size.
func (s *Set) Dims() int { return s.file.dims }

// Count is the number of papers (each has exactly one row, null or not).
func (s *Set) Count() int { return int(s.file.live) }

// SumLength is Σ token length of the ranking text over all papers.
func (s *Set) SumLength() uint64 { return s.file.sumLength }

// AvgLength is the mean token length of the ranking text (BM25's avgdl).
func (s *Set) AvgLength() float64 {
	if s.file.live == 0 {
		return 0
	}
	return float64(s.file.sumLength) / float64(s.file.live)
}

// Lists is the number of IVF lists (1: every search is exhaustive).
func (s *Set) Lists() int { return s.file.lists }

// Segments is the number of segment files.
func (s *Set) Segments() int { return len(s.segs) }

// Files lists the file names (relative to Dir) that the set needs: the set
// file and its segments. Anything else in the directory is a leftover.
func (s *Set) Files() []string {
	out := []string{SetName}
	for _, g := range s.segs {
		out = append(out, g.name)
	}
	return out
}

// Leftovers lists the files in dir that the set there does not need
// (temporary files of a crashed write). It reads only the set file.
func Leftovers(dir string) ([]string, error) {
	f, err := readSetFile(filepath.Join(dir, SetName))
	if err != nil {
		return nil, err
	}
	need := map[string]bool{SetName: true}
	for _, e := range f.segs {
		need[segName(e.seq)] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !need[e.Name()] {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// locate finds id's live row, newest segment first.
func (s *Set) locate(id string) (*openSeg, int, bool) {
	for i := len(s.segs) - 1; i >= 0; i-- {
		g := s.segs[i]
		if r, ok := g.find(id); ok && !g.isDeleted(r) {
			return g, r, true
		}
	}
	return nil, 0, false
}

// Contains reports whether id has a row (null or not).
func (s *Set) Contains(id string) bool { _, _, ok := s.locate(id); return ok }

// Vector returns a copy of id's unit vector; false when id is absent or its
// vector is null (nothing the embedder knew: it has no direction).
func (s *Set) Vector(id string) ([]float32, bool) {
	g, r, ok := s.locate(id)
	if !ok || g.quant[2*r] == 0 {
		return nil, false
	}
	return slices.Clone(g.vec(r)), true
}

// Meta returns id's stored filter fields and length.
func (s *Set) Meta(id string) (Meta, bool) {
	g, r, ok := s.locate(id)
	if !ok {
		return Meta{}, false
	}
	return g.meta(r), true
}

// Each calls fn with every id in increasing order (a merge of the
// segments' id orders), stopping at fn's first error. It holds no map of
// the ids.
func (s *Set) Each(fn func(id string) error) error {
	type cursor struct {
		g *openSeg
		i int
	}
	cur := make([]cursor, len(s.segs))
	for i, g := range s.segs {
		cur[i] = cursor{g: g}
	}
	next := func(c *cursor) ([]byte, bool) {
		for c.i < len(c.g.idSorted) {
			r := int(c.g.idSorted[c.i])
			if r >= c.g.rows() {
				c.i++
				continue
			}
			if c.g.isDeleted(r) {
				c.i++
				continue
			}
			b, _ := c.g.idBytes(r)
			return b, true
		}
		return nil, false
	}
	for {
		best := -1
		var bestID []byte
		for i := range cur {
			if b, ok := next(&cur[i]); ok && (best < 0 || string(b) < string(bestID)) {
				best, bestID = i, b
			}
		}
		if best < 0 {
			return nil
		}
		id := string(bestID)
		// Advance every cursor at this id (a duplicate is Verify's to report).
		for i := range cur {
			if b, ok := next(&cur[i]); ok && string(b) == id {
				cur[i].i++
			}
		}
		if err := fn(id); err != nil {
			return err
		}
	}
}

// Verify checks the whole set: every segment's section CRCs and structure,
// every id exactly once across segments after deletions, and the counts
// the set file records. `check` runs it; a query never needs it.
func (s *Set) Verify(ctx context.Context) error {
	var live, sum uint64
	for _, g := range s.segs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := g.verify(); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrCorrupt, filepath.Join(s.dir, g.name), err)
		}
		live += uint64(g.rows() - len(g.entry.deleted))
		sum += g.hdr.sumLength
		for _, r := range g.entry.deleted {
			sum -= uint64(g.length[r])
		}
	}
	if live != s.file.live || sum != s.file.sumLength {
		return fmt.Errorf("%w: %s records %d papers (Σ length %d), the segments hold %d (%d)", ErrCorrupt,
			filepath.Join(s.dir, SetName), s.file.live, s.file.sumLength, live, sum)
	}
	if s.file.lists > 1 && len(s.file.centroids) != s.file.lists*s.file.dims {
		return fmt.Errorf("%w: centroids missing", ErrCorrupt)
	}
	// Every id exactly once: walk the segments' sorted ids together.
	var prev string
	n := uint64(0)
	dup := ""
	seen := 0
	err := s.eachRow(func(id string) bool {
		if seen > 0 && id == prev {
			dup = id
			return false
		}
		prev = id
		seen++
		n++
		return true
	})
	if err != nil {
		return err
	}
	if dup != "" {
		return fmt.Errorf("%w: paper %q has more than one live vector", ErrCorrupt, dup)
	}
	if n != live {
		return fmt.Errorf("%w: %d live ids, %d live rows", ErrCorrupt, n, live)
	}
	return nil
}

// eachRow is a k-way merge of every live row's id, duplicates included.
func (s *Set) eachRow(fn func(id string) bool) error {
	idx := make([]int, len(s.segs))
	for {
		best := -1
		var bestID []byte
		for i, g := range s.segs {
			for idx[i] < len(g.idSorted) && g.isDeleted(int(g.idSorted[idx[i]])) {
				idx[i]++
			}
			if idx[i] == len(g.idSorted) {
				continue
			}
			b, _ := g.idBytes(int(g.idSorted[idx[i]]))
			if best < 0 || strings.Compare(string(b), string(bestID)) < 0 {
				best, bestID = i, b
			}
		}
		if best < 0 {
			return nil
		}
		idx[best]++
		if !fn(string(bestID)) {
			return nil
		}
	}
}

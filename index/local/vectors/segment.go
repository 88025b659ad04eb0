package vectors

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"sort"
)

// segment is one mapped segment file. Its slices are views into the
// mapping, valid until close.
type segment struct {
	name string
	seq  uint32
	m    *mapped
	hdr  *segHeader

	listOff  []uint32
	codes    []int8
	quant    []float32
	vecs     []float32
	idOff    []uint32
	ids      []byte
	idSorted []uint32
	year     []uint16
	date     []uint32
	length   []uint32
	catOff   []uint32
	catIDs   []uint32
	catDict  dict
	authOff  []uint32
	authIDs  []uint32
	authDict dict
	yearHist []uint32
}

func segName(seq uint32) string { return fmt.Sprintf("seg-%06d.bin", seq) }

func openSegment(dir string, seq uint32) (*segment, error) {
	name := segName(seq)
	path := filepath.Join(dir, name)
	m, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	s, err := newSegment(name, seq, m)
	if err != nil {
		m.close()
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	return s, nil
}

func newSegment(name string, seq uint32, m *mapped) (*segment, error) {
	b := []byte(m.data)
	h, err := decodeHeader(b, uint64(len(b)))
	if err != nil {
		return nil, err
	}
	sec := func(i int) []byte { s := h.sec[i]; return b[s.off : s.off+s.len : s.off+s.len] }
	s := &segment{name: name, seq: seq, m: m, hdr: h,
		listOff: viewU32(sec(secListOff)), codes: viewI8(sec(secCodes)), quant: viewF32(sec(secQuant)),
		vecs: viewF32(sec(secVecs)), idOff: viewU32(sec(secIDOff)), ids: sec(secIDs), idSorted: viewU32(sec(secIDSorted)),
		year: viewU16(sec(secYear)), date: viewU32(sec(secDate)), length: viewU32(sec(secLength)),
		catOff: viewU32(sec(secCatOff)), catIDs: viewU32(sec(secCatIDs)), catDict: dict{raw: sec(secCatDict)},
		authOff: viewU32(sec(secAuthOff)), authIDs: viewU32(sec(secAuthIDs)), authDict: dict{raw: sec(secAuthDict)},
		yearHist: viewU32(sec(secYearHist)),
	}
	// The list offsets are read by every query: check them once (lists+1
	// numbers, not rows).
	if s.listOff[0] != 0 || int(s.listOff[h.lists]) != h.rows {
		return nil, fmt.Errorf("list offsets do not cover the %d rows", h.rows)
	}
	for i := range h.lists {
		if s.listOff[i] > s.listOff[i+1] {
			return nil, fmt.Errorf("list offsets decrease at list %d", i)
		}
	}
	if err := s.catDict.init(); err != nil {
		return nil, fmt.Errorf("category dictionary: %w", err)
	}
	if err := s.authDict.init(); err != nil {
		return nil, fmt.Errorf("author dictionary: %w", err)
	}
	return s, nil
}

func (s *segment) close() error { return s.m.close() }

func (s *segment) rows() int { return s.hdr.rows }

// id returns row r's id; ok is false when the offsets are damaged.
func (s *segment) id(r int) (string, bool) {
	b, ok := s.idBytes(r)
	return string(b), ok
}

func (s *segment) idBytes(r int) ([]byte, bool) {
	lo, hi := s.idOff[r], s.idOff[r+1]
	if lo > hi || int(hi) > len(s.ids) {
		return nil, false
	}
	return s.ids[lo:hi], true
}

func (s *segment) vec(r int) []float32 {
	d := s.hdr.dims
	return s.vecs[r*d : (r+1)*d : (r+1)*d]
}

// find returns the row holding id, by binary search over the id order.
func (s *segment) find(id string) (int, bool) {
	key := []byte(id)
	n := len(s.idSorted)
	i := sort.Search(n, func(i int) bool {
		r := s.idSorted[i]
		if int(r) >= s.rows() {
			return true // damaged; Verify reports it
		}
		b, _ := s.idBytes(int(r))
		return bytes.Compare(b, key) >= 0
	})
	if i == n || int(s.idSorted[i]) >= s.rows() {
		return 0, false
	}
	r := int(s.idSorted[i])
	if b, _ := s.idBytes(r); !bytes.Equal(b, key) {
		return 0, false
	}
	return r, true
}

// csr returns row r's slice of a compressed-sparse-row column, bounded.
func csr(off, vals []uint32, r int) []uint32 {
	lo, hi := off[r], off[r+1]
	if lo > hi || int(hi) > len(vals) {
		return nil
	}
	return vals[lo:hi]
}

func (s *segment) meta(r int) Meta {
	m := Meta{Year: int(s.year[r]), Published: formatDate(s.date[r]), Length: int(s.length[r])}
	for _, c := range csr(s.catOff, s.catIDs, r) {
		if v, ok := s.catDict.at(int(c)); ok {
			m.Categories = append(m.Categories, v)
		}
	}
	for _, a := range csr(s.authOff, s.authIDs, r) {
		if v, ok := s.authDict.at(int(a)); ok {
			m.AuthorsLC = append(m.AuthorsLC, v)
		}
	}
	return m
}

// dict is a sorted string dictionary inside a section.
type dict struct {
	raw    []byte
	n      int
	off    []uint32
	counts []uint32
	blob   []byte
}

func (d *dict) init() error {
	if len(d.raw) < 8 {
		return fmt.Errorf("%d bytes", len(d.raw))
	}
	n := uint64(viewU32(d.raw[:4])[0])
	fixed := 4 + 4*(n+1) + 4*n
	if fixed > uint64(len(d.raw)) {
		return fmt.Errorf("%d entries do not fit %d bytes", n, len(d.raw))
	}
	d.n = int(n)
	d.off = viewU32(d.raw[4 : 4+4*(n+1)])
	d.counts = viewU32(d.raw[4+4*(n+1) : fixed])
	d.blob = d.raw[fixed:]
	if d.n == 0 {
		d.counts = nil
	}
	return nil
}

func (d *dict) at(i int) (string, bool) {
	if i < 0 || i >= d.n {
		return "", false
	}
	lo, hi := d.off[i], d.off[i+1]
	if lo > hi || int(hi) > len(d.blob) {
		return "", false
	}
	return string(d.blob[lo:hi]), true
}

// lookup finds an exact entry by binary search.
func (d *dict) lookup(v string) (int, bool) {
	i := sort.Search(d.n, func(i int) bool { s, _ := d.at(i); return s >= v })
	if i < d.n {
		if s, _ := d.at(i); s == v {
			return i, true
		}
	}
	return 0, false
}

// containing lists the entries that contain sub. It searches the whole
// blob of names at once (bytes.Index is vectorised) and maps each match to
// its entry, skipping matches that straddle two names: at 1M papers that
// is a few milliseconds instead of one call per distinct author.
func (d *dict) containing(sub string) []int {
	if sub == "" || d.n == 0 {
		return nil
	}
	key := []byte(sub)
	var out []int
	for pos := 0; pos < len(d.blob); {
		i := bytes.Index(d.blob[pos:], key)
		if i < 0 {
			break
		}
		at := pos + i
		// The entry holding byte at: the last with off ≤ at.
		e := sort.Search(d.n, func(j int) bool { return int(d.off[j+1]) > at })
		if e >= d.n {
			break
		}
		if end := int(d.off[e+1]); at+len(key) <= end {
			out = append(out, e)
			pos = end // one match per entry is enough
		} else {
			pos = at + 1
		}
	}
	return out
}

// verify checks every section's CRC and the structure a query relies on:
// offsets within bounds and monotone, the id order a strictly increasing
// permutation, dictionary references in range, finite quantisation.
func (s *segment) verify() error {
	b := []byte(s.m.data)
	for i, sec := range s.hdr.sec {
		if got := crc32.Checksum(b[sec.off:sec.off+sec.len], crcTable); got != sec.crc {
			return fmt.Errorf("section %s: checksum mismatch", sectionNames[i])
		}
	}
	rows := s.rows()
	if err := monotone(s.idOff, len(s.ids)); err != nil {
		return fmt.Errorf("id offsets: %w", err)
	}
	if err := monotone(s.catOff, len(s.catIDs)); err != nil {
		return fmt.Errorf("category offsets: %w", err)
	}
	if err := monotone(s.authOff, len(s.authIDs)); err != nil {
		return fmt.Errorf("author offsets: %w", err)
	}
	for _, c := range s.catIDs {
		if int(c) >= s.catDict.n {
			return fmt.Errorf("category %d of %d", c, s.catDict.n)
		}
	}
	for _, a := range s.authIDs {
		if int(a) >= s.authDict.n {
			return fmt.Errorf("author %d of %d", a, s.authDict.n)
		}
	}
	for _, d := range []*dict{&s.catDict, &s.authDict} {
		if err := monotone(d.off, len(d.blob)); err != nil {
			return fmt.Errorf("dictionary: %w", err)
		}
	}
	seen := make([]bool, rows)
	var prev []byte
	for i, r := range s.idSorted {
		if int(r) >= rows || seen[r] {
			return fmt.Errorf("id order is not a permutation of the rows (entry %d)", i)
		}
		seen[r] = true
		cur, _ := s.idBytes(int(r))
		if i > 0 && bytes.Compare(prev, cur) >= 0 {
			return fmt.Errorf("ids out of order or repeated at %q", cur)
		}
		prev = cur
	}
	nulls := 0
	var sum uint64
	for r := range rows {
		sc, e := s.quant[2*r], s.quant[2*r+1]
		if !(sc >= 0 && sc < 1e30 && e >= 0 && e < 1e30) {
			return fmt.Errorf("row %d: bad quantisation (%v, %v)", r, sc, e)
		}
		if sc == 0 {
			nulls++
		}
		sum += uint64(s.length[r])
	}
	if nulls != s.hdr.nulls || sum != s.hdr.sumLength {
		return fmt.Errorf("header counts (%d null, Σlength %d) disagree with the rows (%d, %d)", s.hdr.nulls, s.hdr.sumLength, nulls, sum)
	}
	return nil
}

func monotone(off []uint32, limit int) error {
	if len(off) == 0 {
		return fmt.Errorf("empty")
	}
	if off[0] != 0 {
		return fmt.Errorf("do not start at 0")
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			return fmt.Errorf("decrease at %d", i)
		}
	}
	if int(off[len(off)-1]) != limit {
		return fmt.Errorf("end at %d, the data has %d", off[len(off)-1], limit)
	}
	return nil
}

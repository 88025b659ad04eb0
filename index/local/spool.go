package local

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/paperseek/paperseek/index"
)

// The spool is a run of files (spoolName(0), spoolName(1), …), inside the
// generation being built, that hold what training and embedding need of
// every paper the run adds: reading it back is one pread, where reading a
// paper back from Bleve decodes every stored field of its document (twice
// per paper before: once to train, once to embed). It never outlives the
// run: commit removes it before the generation is synced, and an abort or
// a crash leaves it inside the uncommitted generation directory, which
// the next run clears.
//
// Its files start small and double every second file up to
// spoolMaxChunk: the spool is scratch, so no file of it should be the
// largest a run writes (a file-size limit, ulimit -f or FAT32's 4 GiB,
// must stop the run at the index's own files, which the full-disk test
// checks error by error), and 119k papers still take about 20 files.
const (
	spoolFirstChunk = 256 << 10
	spoolMaxChunk   = 64 << 20
)

func spoolName(i int) string { return fmt.Sprintf("spool-%03d.tmp", i) }

// spool is an append-only set of spooled papers with an id → location
// map; a paper written again (replaced within the run) points at its
// latest record. Only the locations are held in memory, never the texts.
type spool struct {
	dir   string
	files []*os.File
	w     *bufio.Writer // onto the last file
	size  int64         // bytes written to the last file (buffered or not)
	at    map[string]spoolAt
	// flushed is false while w holds bytes a read could need.
	flushed bool
	// scratch of appendTerms, reused from record to record
	terms termScratch
}

// spoolAt locates a record: file and offset in it.
type spoolAt struct {
	file int32
	off  int64
}

// chunkLimit is the size file i of the spool may grow to.
func chunkLimit(i int) int64 {
	return min(int64(spoolFirstChunk)<<(i/2), spoolMaxChunk)
}

// spooled is what the writer keeps of a paper for training and embedding:
// its text (index.Paper.Text) and the fields of its vector metadata.
type spooled struct {
	Text       string
	Year       int
	Published  string
	Categories []string
	Authors    []string
	// Length is the text's length in analysed tokens (the BM25 length),
	// -1 when it was not known as the paper was spooled.
	Length int
	// Terms are the text's terms as embed.Document.Terms has them, nil
	// when not known (index.StockTerms).
	Terms []string
}

func (s *spooled) paper() index.Paper {
	return index.Paper{Year: s.Year, Published: s.Published, Categories: s.Categories, Authors: s.Authors}
}

func createSpool(genDir string) (*spool, error) {
	s := &spool{dir: genDir, at: map[string]spoolAt{}, flushed: true}
	if err := s.next(); err != nil {
		return nil, err
	}
	return s, nil
}

// next flushes the last file and starts a new one.
func (s *spool) next() error {
	if s.w != nil {
		if err := s.w.Flush(); err != nil {
			return fmt.Errorf("write spool: %w", err)
		}
	}
	path := filepath.Join(s.dir, spoolName(len(s.files)))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create spool: %w", err)
	}
	s.files = append(s.files, f)
	if s.w == nil {
		s.w = bufio.NewWriterSize(f, 256<<10)
	} else {
		s.w.Reset(f)
	}
	s.size = 0
	return nil
}

// put appends p's record, with its text's length in analysed tokens (-1:
// unknown) and its terms (nil: unknown); it becomes the one get(p.ID)
// returns.
func (s *spool) put(p *index.Paper, length int, terms []string) error {
	var buf []byte
	buf = appendString(buf, p.Text())
	buf = binary.AppendVarint(buf, int64(p.Year))
	buf = appendString(buf, p.Published)
	buf = appendStrings(buf, p.Categories)
	buf = appendStrings(buf, p.Authors)
	buf = binary.AppendVarint(buf, int64(length))
	buf = s.terms.appendTerms(buf, terms)
	var head [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(head[:], uint64(len(buf)))
	if s.size > 0 && s.size+int64(n+len(buf)) > chunkLimit(len(s.files)-1) {
		if err := s.next(); err != nil {
			return err
		}
	}
	if _, err := s.w.Write(head[:n]); err != nil {
		return fmt.Errorf("write spool: %w", err)
	}
	if _, err := s.w.Write(buf); err != nil {
		return fmt.Errorf("write spool: %w", err)
	}
	s.at[p.ID] = spoolAt{file: int32(len(s.files) - 1), off: s.size}
	s.size += int64(n + len(buf))
	s.flushed = false
	return nil
}

// has reports whether id was spooled in this run.
func (s *spool) has(id string) bool {
	_, ok := s.at[id]
	return ok
}

func (s *spool) forget(id string) { delete(s.at, id) }

// flush makes every record readable by get; call it once writing is over
// (get is then safe from several goroutines).
func (s *spool) flush() error {
	if s.flushed {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write spool: %w", err)
	}
	s.flushed = true
	return nil
}

// get reads id's latest record. The spool must be flushed.
func (s *spool) get(id string) (spooled, error) {
	loc, ok := s.at[id]
	if !ok {
		return spooled{}, fmt.Errorf("internal error: paper %s is not in the spool", quoteID(id))
	}
	if !s.flushed {
		return spooled{}, errors.New("internal error: spool read before flush")
	}
	// One read covers most records (an abstract is a few KB); a longer
	// one is read again whole.
	f, off := s.files[loc.file], loc.off
	var small [4096]byte
	n, err := f.ReadAt(small[:], off)
	if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
		return spooled{}, fmt.Errorf("read spool: %w", err)
	}
	size, k := binary.Uvarint(small[:n])
	if k <= 0 {
		return spooled{}, fmt.Errorf("read spool: bad record at %d", off)
	}
	var rec []byte
	if end := uint64(k) + size; end <= uint64(n) {
		rec = small[k:end]
	} else {
		rec = make([]byte, size)
		if _, err := f.ReadAt(rec, off+int64(k)); err != nil {
			return spooled{}, fmt.Errorf("read spool: %w", err)
		}
	}
	d := decoder{b: rec}
	out := spooled{Text: d.string(), Year: int(d.varint()), Published: d.string(), Categories: d.strings(), Authors: d.strings(), Length: int(d.varint()), Terms: d.terms()}
	if d.err != nil {
		return spooled{}, fmt.Errorf("read spool: record at %d: %w", off, d.err)
	}
	return out, nil
}

// remove deletes the spool's files; the spool is unusable afterwards.
func (s *spool) remove() error {
	var errs []error
	for i, f := range s.files {
		errs = append(errs, f.Close())
		if err := os.Remove(filepath.Join(s.dir, spoolName(i))); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	s.files, s.w, s.at = nil, nil, nil
	return errors.Join(errs...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// termScratch is what appendTerms needs besides its output.
type termScratch struct {
	index    map[string]int
	distinct []string
	seq      []int
}

// appendTerms writes a text's terms compactly: an abstract repeats many
// of its words, so each distinct term is written once (first seen first)
// and the sequence as indexes into them, a byte each for up to 128
// distinct terms. nil (unknown) is told from empty (a text with no term).
//
//	distinct+1 (0: nil), each distinct term's length, their bytes,
//	count, each term's index
func (sc *termScratch) appendTerms(b []byte, terms []string) []byte {
	if terms == nil {
		return binary.AppendUvarint(b, 0)
	}
	if sc.index == nil {
		sc.index = map[string]int{}
	}
	clear(sc.index)
	sc.distinct, sc.seq = sc.distinct[:0], sc.seq[:0]
	for _, t := range terms {
		k, ok := sc.index[t]
		if !ok {
			k = len(sc.distinct)
			sc.index[t] = k
			sc.distinct = append(sc.distinct, t)
		}
		sc.seq = append(sc.seq, k)
	}
	b = binary.AppendUvarint(b, uint64(len(sc.distinct)+1))
	for _, t := range sc.distinct {
		b = binary.AppendUvarint(b, uint64(len(t)))
	}
	for _, t := range sc.distinct {
		b = append(b, t...)
	}
	b = binary.AppendUvarint(b, uint64(len(sc.seq)))
	for _, k := range sc.seq {
		b = binary.AppendUvarint(b, uint64(k))
	}
	return b
}

// decoder reads what appendString and friends wrote, remembering the
// first error.
type decoder struct {
	b   []byte
	err error
}

var errShortRecord = errors.New("record cut short")

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShortRecord
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errShortRecord
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil || !d.fits(n) {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// fits reports whether n items, each taking at least a byte, can be in
// what is left of the record, recording errShortRecord when not: a
// corrupt count must not size an allocation.
func (d *decoder) fits(n uint64) bool {
	if n > uint64(len(d.b)) {
		d.err = errShortRecord
		return false
	}
	return true
}

func (d *decoder) strings() []string {
	n := d.uvarint()
	if d.err != nil || n == 0 || !d.fits(n) {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.string()
	}
	return out
}

// terms reads what appendTerms wrote. The distinct terms share one
// string: a record's terms cost four allocations, not one a term.
func (d *decoder) terms() []string {
	n := d.uvarint()
	if d.err != nil || n == 0 {
		return nil
	}
	n--
	if !d.fits(n) { // n lengths
		return nil
	}
	lens := make([]int, n)
	total := uint64(0)
	for i := range lens {
		l := d.uvarint()
		total += l
		if d.err != nil || !d.fits(l) {
			return nil
		}
		lens[i] = int(l)
	}
	if !d.fits(total) { // their bytes
		return nil
	}
	all := string(d.b[:total])
	d.b = d.b[total:]
	distinct := make([]string, n)
	for i, l := range lens {
		distinct[i], all = all[:l], all[l:]
	}
	count := d.uvarint()
	if d.err != nil || !d.fits(count) { // count indexes
		return nil
	}
	out := make([]string, count)
	for i := range out {
		k := d.uvarint()
		if d.err != nil {
			return nil
		}
		if k >= n {
			d.err = errShortRecord
			return nil
		}
		out[i] = distinct[k]
	}
	return out
}

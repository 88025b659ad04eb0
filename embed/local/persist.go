package local

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"github.com/paperseek/paperseek/internal/atomicfile"
)

// The model file: magic, a JSON header, the vocabulary, the float32 arrays
// (little endian), and a CRC-32 of everything before it, so a truncated or
// damaged file is reported instead of silently producing wrong vectors.
var fileMagic = []byte("PAPERSEEK-LOCAL\x00")

type fileHeader struct {
	Version   string `json:"version"`
	Method    string `json:"method"`
	Tokenizer string `json:"tokenizer"`
	Words     int    `json:"words"`
	Docs      int    `json:"docs"`
	SIFDims   int    `json:"sif_dims"`
	LSADims   int    `json:"lsa_dims"`
	HasPC     bool   `json:"has_pc"`
	Tuning    Tuning `json:"tuning"`
}

// Encode returns the model file's bytes (WriteTo).
func (m *Model) Encode() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteTo writes the model file to w: the layout below, then a CRC-32 of
// everything before it. It is streamed through a small buffer: a trained
// model's file is 100–150 MB, which held whole as well as the model was
// the peak of an index run's memory.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	crc := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(cw, crc), 1<<20)
	if err := m.write(bw); err != nil {
		return cw.n, fmt.Errorf("encode local model: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("encode local model: %w", err)
	}
	if err := binary.Write(cw, binary.LittleEndian, crc.Sum32()); err != nil {
		return cw.n, fmt.Errorf("encode local model: %w", err)
	}
	return cw.n, nil
}

// countWriter counts the bytes written through it, for WriteTo.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Save writes the model to one file, atomically: a temporary file in the same
// directory is written, synced and renamed over path, and the directory is
// synced, so a crash leaves either the old file or the new one.
func (m *Model) Save(path string) (err error) {
	if err := atomicfile.WriteFrom(path, m); err != nil {
		return fmt.Errorf("save local model %s: %w", path, err)
	}
	return nil
}

func (m *Model) write(w *bufio.Writer) error {
	if m.rows != nil {
		// Its arrays are in a file already: an index keeps the file.
		return errors.New("a mapped model is not re-encoded")
	}
	h := fileHeader{Version: modelVersion, Method: m.method, Tokenizer: m.tokName,
		Words: len(m.words), Docs: m.docs, SIFDims: m.sifDims, LSADims: m.lsaDims,
		HasPC: m.pc != nil, Tuning: m.tuning}
	hb, err := json.Marshal(h)
	if err != nil {
		return err
	}
	w.Write(fileMagic)
	var buf [binary.MaxVarintLen64]byte
	w.Write(buf[:binary.PutUvarint(buf[:], uint64(len(hb)))])
	w.Write(hb)
	for _, word := range m.words {
		w.Write(buf[:binary.PutUvarint(buf[:], uint64(len(word)))])
		w.WriteString(word)
	}
	for _, arr := range [][]float32{m.sifWeight, m.sifVec, m.pc, m.idf, m.lsaVec} {
		for _, x := range arr {
			binary.LittleEndian.PutUint32(buf[:4], math.Float32bits(x))
			if _, err := w.Write(buf[:4]); err != nil {
				return err
			}
		}
	}
	return nil
}

// ErrCorrupt is wrapped by Load when the file is not a complete model.
var ErrCorrupt = errors.New("corrupt local model file")

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load local model: %w", err)
	}
	m, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("load local model %s: %w", path, err)
	}
	return m, nil
}

func decode(data []byte) (*Model, error) {
	if len(data) < len(fileMagic)+4 || !bytes.Equal(data[:len(fileMagic)], fileMagic) {
		return nil, fmt.Errorf("%w: not a paperseek local model", ErrCorrupt)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (truncated or damaged)", ErrCorrupt)
	}
	m, arrays, err := parse(data)
	if err != nil {
		return nil, err
	}
	for i, dst := range []*[]float32{&m.sifWeight, &m.sifVec, &m.pc, &m.idf, &m.lsaVec} {
		*dst = floatsOf(arrays[i])
	}
	return m, nil
}

// mapModel returns the model in data, a mapping of a model file, without
// copying its arrays: only the header, the vocabulary and the principal
// component are decoded, and a query reads the rows of its own words from
// the mapping (a few KB instead of the whole file). The layout is checked
// (every length adds up to the file's size); the checksum, which would read
// every byte, is left to `paperseek check` and to index runs, which decode
// the whole file.
func mapModel(data []byte) (*Model, error) {
	if len(data) < len(fileMagic)+4 || !bytes.Equal(data[:len(fileMagic)], fileMagic) {
		return nil, fmt.Errorf("%w: not a paperseek local model", ErrCorrupt)
	}
	m, arrays, err := parse(data)
	if err != nil {
		return nil, err
	}
	m.pc = floatsOf(arrays[2])
	m.rows = &mappedRows{sifWeight: arrays[0], sifVec: arrays[1], idf: arrays[3], lsaVec: arrays[4]}
	return m, nil
}

// parse reads the header and the vocabulary of a model file's bytes (magic
// first, checksum last) and returns the byte ranges of its five float32
// arrays: sifWeight, sifVec, pc, idf, lsaVec.
func parse(data []byte) (*Model, [5][]byte, error) {
	var arrays [5][]byte
	r := data[len(fileMagic) : len(data)-4]
	next := func() ([]byte, error) {
		n, k := binary.Uvarint(r)
		if k <= 0 || uint64(len(r)-k) < n {
			return nil, fmt.Errorf("%w: bad length", ErrCorrupt)
		}
		b := r[k : k+int(n)]
		r = r[k+int(n):]
		return b, nil
	}
	hb, err := next()
	if err != nil {
		return nil, arrays, err
	}
	var h fileHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, arrays, fmt.Errorf("%w: header: %w", ErrCorrupt, err)
	}
	if h.Version != modelVersion {
		return nil, arrays, fmt.Errorf("model version %q, this paperseek reads %q: rebuild the index with --rebuild", h.Version, modelVersion)
	}
	// Every word takes at least one byte and every array length below is
	// bounded by the bytes left, so a damaged header cannot make us
	// allocate more than the file holds.
	if h.Words < 0 || h.Words > len(r) || h.SIFDims < 0 || h.LSADims < 0 {
		return nil, arrays, fmt.Errorf("%w: header: %d words, dimensions %d+%d in %d bytes", ErrCorrupt, h.Words, h.SIFDims, h.LSADims, len(data))
	}
	tok, err := newTokenizer(h.Tokenizer)
	if err != nil {
		return nil, arrays, err
	}
	m := &Model{method: h.Method, tokName: h.Tokenizer, tok: tok, tuning: h.Tuning,
		docs: h.Docs, sifDims: h.SIFDims, lsaDims: h.LSADims, words: make([]string, h.Words)}
	for i := range m.words {
		b, err := next()
		if err != nil {
			return nil, arrays, err
		}
		m.words[i] = string(b)
	}
	v := h.Words
	sifWords, lsaWords, pcLen := 0, 0, 0
	if h.SIFDims > 0 {
		sifWords = v
	}
	if h.LSADims > 0 {
		lsaWords = v
	}
	if h.HasPC {
		pcLen = h.SIFDims
	}
	for i, n := range []int{sifWords, sifWords * h.SIFDims, pcLen, lsaWords, lsaWords * h.LSADims} {
		if n < 0 || n > len(r)/4 {
			return nil, arrays, fmt.Errorf("%w: short arrays", ErrCorrupt)
		}
		arrays[i], r = r[:4*n:4*n], r[4*n:]
	}
	if len(r) != 0 {
		return nil, arrays, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r))
	}
	m.buildVocab()
	return m, arrays, nil
}

// floatsOf decodes little-endian float32s; nil for none.
func floatsOf(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// mappedRows are a mapped model's per-word arrays, left in the file's
// little-endian bytes: a query decodes the entries of its own words.
type mappedRows struct {
	sifWeight, sifVec, idf, lsaVec []byte
}

func (r *mappedRows) at(b []byte, i int) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
}

// row decodes row w of a words × k array into buf.
func (r *mappedRows) row(b []byte, w int32, k int, buf []float32) []float32 {
	buf = buf[:k]
	src := b[int(w)*k*4 : int(w+1)*k*4]
	for j := range buf {
		buf[j] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*j:]))
	}
	return buf
}

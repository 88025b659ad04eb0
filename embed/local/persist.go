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
	"path/filepath"
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

// Encode returns the model file's bytes: the layout below, then a CRC-32
// of everything before it.
func (m *Model) Encode() ([]byte, error) {
	var buf bytes.Buffer
	crc := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(&buf, crc), 1<<20)
	if err := m.write(bw); err != nil {
		return nil, fmt.Errorf("encode local model: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("encode local model: %w", err)
	}
	if err := binary.Write(&buf, binary.LittleEndian, crc.Sum32()); err != nil {
		return nil, fmt.Errorf("encode local model: %w", err)
	}
	return buf.Bytes(), nil
}

// Save writes the model to one file, atomically: a temporary file in the same
// directory is written, synced and renamed over path, and the directory is
// synced, so a crash leaves either the old file or the new one.
func (m *Model) Save(path string) (err error) {
	data, err := m.Encode()
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save local model: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("save local model %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("save local model %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save local model %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("save local model: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("save local model: sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("save local model: sync dir %s: %w", dir, err)
	}
	return nil
}

func (m *Model) write(w *bufio.Writer) error {
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
	r := body[len(fileMagic):]
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
		return nil, err
	}
	var h fileHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrCorrupt, err)
	}
	if h.Version != modelVersion {
		return nil, fmt.Errorf("model version %q, this paperseek reads %q: rebuild the index with --rebuild", h.Version, modelVersion)
	}
	tok, err := newTokenizer(h.Tokenizer)
	if err != nil {
		return nil, err
	}
	m := &Model{method: h.Method, tokName: h.Tokenizer, tok: tok, tuning: h.Tuning,
		docs: h.Docs, sifDims: h.SIFDims, lsaDims: h.LSADims, words: make([]string, h.Words)}
	for i := range m.words {
		b, err := next()
		if err != nil {
			return nil, err
		}
		m.words[i] = string(b)
	}
	floats := func(n int) ([]float32, error) {
		if n == 0 {
			return nil, nil
		}
		if len(r) < 4*n {
			return nil, fmt.Errorf("%w: short arrays", ErrCorrupt)
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(r[4*i:]))
		}
		r = r[4*n:]
		return out, nil
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
	for _, dst := range []struct {
		p *[]float32
		n int
	}{{&m.sifWeight, sifWords}, {&m.sifVec, sifWords * h.SIFDims}, {&m.pc, pcLen},
		{&m.idf, lsaWords}, {&m.lsaVec, lsaWords * h.LSADims}} {
		if *dst.p, err = floats(dst.n); err != nil {
			return nil, err
		}
	}
	if len(r) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r))
	}
	m.buildVocab()
	return m, nil
}

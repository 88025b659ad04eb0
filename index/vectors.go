package index

import (
	"bufio"
	"cmp"
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

	chromem "github.com/philippgille/chromem-go"
)

const vectorsName = "vectors.bin"

// VectorMeta is what the semantic leg needs to apply the same filters as
// the keyword leg without touching Bleve.
type VectorMeta struct {
	Year       int
	Categories []string
	AuthorsLC  []string // lower-cased author names, for the --author substring filter
}

func metaOf(p *Paper) VectorMeta {
	m := VectorMeta{Year: p.Year, Categories: p.Categories}
	for _, a := range p.Authors {
		m.AuthorsLC = append(m.AuthorsLC, strings.ToLower(a))
	}
	return m
}

type vecRecord struct {
	vec  []float32
	meta VectorMeta
	// null marks a paper whose text had nothing the embedder knows (an
	// all-zero vector). It is kept so every paper has exactly one vector, but
	// it is never returned by the semantic leg: it has no direction.
	null bool
}

// Vectors holds every paper's embedding. Querying goes through an in-memory
// chromem-go collection; persistence is one file of our own, written
// atomically, because chromem-go's per-document files collide at scale
// (DESIGN.md: 32-bit file names, papers silently lost on reload).
type Vectors struct {
	dims int
	recs map[string]*vecRecord
	col  *chromem.Collection
}

// noEmbed is the collection's embedding function. chromem-go would fall back
// to calling OpenAI over the network when given nil; paperseek always
// supplies vectors itself, so reaching this is a bug, not a network call.
func noEmbed(context.Context, string) ([]float32, error) {
	return nil, errors.New("paperseek supplies all embeddings; chromem-go must not compute one")
}

func newVectors(dims int) *Vectors {
	col, err := chromem.NewDB().CreateCollection("papers", nil, noEmbed)
	if err != nil { // only fails for an empty name or a persistent DB
		panic(err)
	}
	return &Vectors{dims: dims, recs: make(map[string]*vecRecord), col: col}
}

// Dims is the vector size; 0 for an empty store that has not seen a vector.
func (v *Vectors) Dims() int { return v.dims }

// Count is the number of papers with a vector.
func (v *Vectors) Count() int { return len(v.recs) }

// Has reports whether id has a vector.
func (v *Vectors) Has(id string) bool { _, ok := v.recs[id]; return ok }

// Get returns id's stored vector (nil, false if absent or null).
func (v *Vectors) Get(id string) ([]float32, bool) {
	r, ok := v.recs[id]
	if !ok || r.null {
		return nil, false
	}
	return r.vec, true
}

// IDs returns every id, sorted.
func (v *Vectors) IDs() []string {
	ids := make([]string, 0, len(v.recs))
	for id := range v.recs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Put adds or replaces one paper's vector.
func (v *Vectors) Put(ctx context.Context, id string, vec []float32, meta VectorMeta) error {
	if v.dims == 0 {
		v.dims = len(vec)
	}
	if len(vec) != v.dims {
		return fmt.Errorf("vector for %q has %d dimensions, the index uses %d", id, len(vec), v.dims)
	}
	r := &vecRecord{vec: vec, meta: meta}
	stored := vec
	if isZero(vec) {
		r.null = true
		// chromem-go would normalise a zero vector into NaNs; give it a
		// harmless unit vector and filter the paper out of results instead.
		stored = make([]float32, v.dims)
		stored[0] = 1
	}
	if err := v.col.AddDocument(ctx, chromem.Document{ID: id, Embedding: stored}); err != nil {
		return fmt.Errorf("add vector %q: %w", id, err)
	}
	v.recs[id] = r
	return nil
}

// Delete removes ids' vectors.
func (v *Vectors) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	// Never pass a non-nil where map: chromem-go treats an empty one as
	// "delete everything".
	if err := v.col.Delete(ctx, nil, nil, ids...); err != nil {
		return fmt.Errorf("delete vectors: %w", err)
	}
	for _, id := range ids {
		delete(v.recs, id)
	}
	return nil
}

// VectorHit is one semantic-leg result: cosine similarity, best first.
type VectorHit struct {
	ID    string
	Score float64
}

// Search returns the n papers most similar to q that keep accepts (nil keeps
// all). chromem-go has no predicate filters, so a filtered search widens the
// window until n papers pass or every paper has been seen.
func (v *Vectors) Search(ctx context.Context, q []float32, n int, keep func(*VectorMeta) bool) ([]VectorHit, error) {
	total := v.col.Count()
	if n <= 0 || total == 0 || isZero(q) {
		return nil, nil
	}
	if len(q) != v.dims {
		return nil, fmt.Errorf("query vector has %d dimensions, the index uses %d", len(q), v.dims)
	}
	window := min(n, total)
	for {
		res, err := v.col.QueryEmbedding(ctx, q, window, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("semantic search: %w", err)
		}
		hits := make([]VectorHit, 0, min(n, len(res)))
		for _, r := range res {
			rec := v.recs[r.ID]
			if rec == nil || rec.null || (keep != nil && !keep(&rec.meta)) {
				continue
			}
			hits = append(hits, VectorHit{ID: r.ID, Score: float64(r.Similarity)})
		}
		if len(hits) >= n || window == total {
			// Equal similarities come back in map order; sort by id too so
			// the same query always ranks the same way.
			slices.SortStableFunc(hits, func(a, b VectorHit) int {
				if c := cmp.Compare(b.Score, a.Score); c != 0 {
					return c
				}
				return cmp.Compare(a.ID, b.ID)
			})
			return hits[:min(n, len(hits))], nil
		}
		window = min(window*4, total)
	}
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// The vectors file: a header, one record per paper, and a CRC-32 of
// everything before it. A file that fails the check is reported as corrupt,
// never half-loaded.
var vectorsMagic = [8]byte{'P', 'S', 'V', 'E', 'C', 0, 0, 1}

// save writes the store to path atomically.
func (v *Vectors) save(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	defer os.Remove(tmp.Name())
	crc := crc32.NewIEEE()
	w := bufio.NewWriterSize(io.MultiWriter(tmp, crc), 1<<20)
	var scratch [binary.MaxVarintLen64]byte
	putUvarint := func(x uint64) { w.Write(scratch[:binary.PutUvarint(scratch[:], x)]) }
	putString := func(s string) { putUvarint(uint64(len(s))); w.WriteString(s) }
	putStrings := func(ss []string) {
		putUvarint(uint64(len(ss)))
		for _, s := range ss {
			putString(s)
		}
	}
	w.Write(vectorsMagic[:])
	putUvarint(uint64(v.dims))
	putUvarint(uint64(len(v.recs)))
	buf := make([]byte, 4*v.dims)
	for _, id := range v.IDs() {
		r := v.recs[id]
		putString(id)
		putUvarint(uint64(r.meta.Year))
		putStrings(r.meta.Categories)
		putStrings(r.meta.AuthorsLC)
		for i, x := range r.vec {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
		}
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write vectors: %w", err)
	}
	if err := binary.Write(tmp, binary.LittleEndian, crc.Sum32()); err != nil {
		tmp.Close()
		return fmt.Errorf("write vectors: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write vectors: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// loadVectors reads a vectors file written by save into a fresh store.
func loadVectors(ctx context.Context, path string) (*Vectors, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrCorrupt, path, err)
	}
	corrupt := func(why string) error { return fmt.Errorf("%w: %s: %s", ErrCorrupt, path, why) }
	if len(data) < len(vectorsMagic)+4 || [8]byte(data[:8]) != vectorsMagic {
		return nil, corrupt("not a paperseek vectors file")
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, corrupt("checksum mismatch (the file is damaged)")
	}
	r := &byteReader{b: body[8:]}
	dims := int(r.uvarint())
	count := int(r.uvarint())
	if r.err != nil || dims <= 0 || dims > 1<<16 || count < 0 || count > len(body) {
		return nil, corrupt("bad header")
	}
	v := newVectors(dims)
	// One backing array for all vectors: fewer allocations, and chromem-go
	// keeps our already-normalised slices instead of copying them.
	backing := make([]float32, dims*count)
	for i := 0; i < count; i++ {
		id := r.string()
		meta := VectorMeta{Year: int(r.uvarint()), Categories: r.strings(), AuthorsLC: r.strings()}
		raw := r.bytes(4 * dims)
		if r.err != nil {
			return nil, corrupt(fmt.Sprintf("record %d: %v", i, r.err))
		}
		vec := backing[i*dims : (i+1)*dims : (i+1)*dims]
		for j := range vec {
			vec[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
		}
		if err := v.Put(ctx, id, vec, meta); err != nil {
			return nil, corrupt(err.Error())
		}
	}
	if len(r.b) != 0 {
		return nil, corrupt("trailing data")
	}
	return v, nil
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

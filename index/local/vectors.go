package local

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/paperseek/paperseek/index"

	chromem "github.com/philippgille/chromem-go"
)

const vectorsName = "vectors.bin"

// PaperMeta is what the query layer needs of each paper without touching
// Bleve: the filter fields, so the semantic leg filters exactly like the
// keyword leg, and the ranking field's length, for BM25's average.
type PaperMeta struct {
	Year       int
	Published  string // first-version date "YYYY-MM-DD", or ""
	Categories []string
	AuthorsLC  []string // lower-cased author names, for the --author substring filter
	Length     int      // tokens in the ranking field (title + abstract, `en` analyzer)
}

func metaOf(p *index.Paper, length int) PaperMeta {
	m := PaperMeta{Year: p.Year, Published: p.Published, Categories: p.Categories, Length: length}
	for _, a := range p.Authors {
		m.AuthorsLC = append(m.AuthorsLC, strings.ToLower(a))
	}
	return m
}

type vecRecord struct {
	vec  []float32
	meta PaperMeta
	list int // the partition (chromem-go collection) holding it
	// null marks a paper whose text had nothing the embedder knows (an
	// all-zero vector). It is kept so every paper has exactly one vector, but
	// it is never returned by the semantic leg: it has no direction.
	null bool
}

// Vectors holds every paper's embedding. Querying goes through in-memory
// chromem-go collections; persistence is one file of our own, written
// atomically, because chromem-go's per-document files collide at scale
// (DESIGN.md: 32-bit file names, papers silently lost on reload).
//
// A small store is one collection, searched exhaustively. From
// partitionMinPapers on, papers are partitioned by k-means into
// collections ("lists", as in an IVF index) and a query scans only the
// lists whose centroids are nearest: chromem-go's exhaustive scan costs
// ≈ 60–80 ms at 119k×256 on 2 cores, the whole latency budget, and probing
// a quarter of the lists keeps recall@100 at 0.99 (README, "Measured").
type Vectors struct {
	dims      int
	recs      map[string]*vecRecord
	lists     []*chromem.Collection
	centroids [][]float32 // one unit vector per list; nil when there is one list
	// partitionedAt is the paper count when the lists were last built, to
	// know when growth calls for re-partitioning.
	partitionedAt int
	totalLength   int // Σ Length over recs
}

// Partitioning parameters, measured on the 119k arXiv set (README).
const (
	partitionMinPapers = 20000 // below this one exhaustive list is fast enough
	papersPerList      = 2000
	maxLists           = 256
	probeFraction      = 4 // a query scans the nearest 1/probeFraction of the lists
	kmeansSample       = 20000
	kmeansIterations   = 8
)

// noEmbed is the collections' embedding function. chromem-go would fall
// back to calling OpenAI over the network when given nil; paperseek always
// supplies vectors itself, so reaching this is a bug, not a network call.
func noEmbed(context.Context, string) ([]float32, error) {
	return nil, errors.New("paperseek supplies all embeddings; chromem-go must not compute one")
}

func newList() *chromem.Collection {
	col, err := chromem.NewDB().CreateCollection("papers", nil, noEmbed)
	if err != nil { // only fails for an empty name or a persistent DB
		panic(err)
	}
	return col
}

func newVectors(dims int) *Vectors {
	return &Vectors{dims: dims, recs: make(map[string]*vecRecord), lists: []*chromem.Collection{newList()}}
}

// Dims is the vector size; 0 for an empty store that has not seen a vector.
func (v *Vectors) Dims() int { return v.dims }

// Count is the number of papers with a vector.
func (v *Vectors) Count() int { return len(v.recs) }

// AvgLength is the mean token count of the ranking field over all papers.
func (v *Vectors) AvgLength() float64 {
	if len(v.recs) == 0 {
		return 0
	}
	return float64(v.totalLength) / float64(len(v.recs))
}

// Lists is the number of partitions (1 when unpartitioned).
func (v *Vectors) Lists() int { return len(v.lists) }

// Get returns id's stored vector (nil, false if absent or null).
func (v *Vectors) Get(id string) ([]float32, bool) {
	r, ok := v.recs[id]
	if !ok || r.null {
		return nil, false
	}
	return r.vec, true
}

// Has reports whether id has a vector (possibly a null one).
func (v *Vectors) Has(id string) bool {
	_, ok := v.recs[id]
	return ok
}

// setPublished fills in a paper's publication date (vectors files of
// format-1 indexes lack it).
func (v *Vectors) setPublished(id, date string) {
	if r, ok := v.recs[id]; ok {
		r.meta.Published = date
	}
}

// IDs returns every id, sorted.
func (v *Vectors) IDs() []string { return slices.Sorted(maps.Keys(v.recs)) }

// Put adds or replaces one paper's vector, in the list whose centroid is
// nearest.
func (v *Vectors) Put(ctx context.Context, id string, vec []float32, meta PaperMeta) error {
	if v.dims == 0 {
		v.dims = len(vec)
	}
	if len(vec) != v.dims {
		return fmt.Errorf("vector for %q has %d dimensions, the index uses %d", id, len(vec), v.dims)
	}
	r := &vecRecord{vec: vec, meta: meta, null: isZero(vec)}
	r.list = v.nearestList(vec)
	return v.put(ctx, id, r)
}

func (v *Vectors) put(ctx context.Context, id string, r *vecRecord) error {
	old, replacing := v.recs[id]
	if replacing && old.list != r.list {
		if err := v.lists[old.list].Delete(ctx, nil, nil, id); err != nil {
			return fmt.Errorf("move vector %q: %w", id, err)
		}
	}
	stored := r.vec
	if r.null {
		// chromem-go would normalise a zero vector into NaNs; give it a
		// harmless unit vector and filter the paper out of results instead.
		stored = make([]float32, v.dims)
		stored[0] = 1
	}
	if err := v.lists[r.list].AddDocument(ctx, chromem.Document{ID: id, Embedding: stored}); err != nil {
		return fmt.Errorf("add vector %q: %w", id, err)
	}
	if replacing {
		v.totalLength -= old.meta.Length
	}
	v.totalLength += r.meta.Length
	v.recs[id] = r
	return nil
}

func (v *Vectors) nearestList(vec []float32) int {
	best, bestSim := 0, math.Inf(-1)
	for i, c := range v.centroids {
		if s := dot(vec, c); s > bestSim {
			best, bestSim = i, s
		}
	}
	return best
}

// Delete removes ids' vectors.
func (v *Vectors) Delete(ctx context.Context, ids ...string) error {
	for _, id := range ids {
		r, ok := v.recs[id]
		if !ok {
			continue
		}
		// Never pass a non-nil where map: chromem-go treats an empty one
		// as "delete everything".
		if err := v.lists[r.list].Delete(ctx, nil, nil, id); err != nil {
			return fmt.Errorf("delete vector %q: %w", id, err)
		}
		v.totalLength -= r.meta.Length
		delete(v.recs, id)
	}
	return nil
}

// Search returns the n papers most similar to q that keep accepts (nil keeps
// all). In a partitioned store it scans the nearest quarter of the lists,
// and the rest too when a filter leaves fewer than n papers there.
func (v *Vectors) Search(ctx context.Context, q []float32, n int, keep func(*PaperMeta) bool) ([]index.Hit, error) {
	if n <= 0 || len(v.recs) == 0 || isZero(q) {
		return nil, nil
	}
	if len(q) != v.dims {
		return nil, fmt.Errorf("query vector has %d dimensions, the index uses %d", len(q), v.dims)
	}
	order := v.probeOrder(q)
	probe := max(1, (len(order)+probeFraction-1)/probeFraction)
	if len(order) == 1 {
		probe = 1
	}
	var hits []index.Hit
	for i, list := range order {
		if i >= probe && len(hits) >= n {
			break
		}
		h, err := v.searchList(ctx, v.lists[list], q, n, keep)
		if err != nil {
			return nil, err
		}
		hits = append(hits, h...)
	}
	// Equal similarities come back in map order; sort by id too so the
	// same query always ranks the same way.
	slices.SortFunc(hits, func(a, b index.Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return hits[:min(n, len(hits))], nil
}

// probeOrder lists the partitions nearest to q first.
func (v *Vectors) probeOrder(q []float32) []int {
	order := make([]int, len(v.lists))
	for i := range order {
		order[i] = i
	}
	if len(v.centroids) == 0 {
		return order
	}
	sims := make([]float64, len(v.centroids))
	for i, c := range v.centroids {
		sims[i] = dot(q, c)
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(sims[b], sims[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return order
}

// searchList returns one list's n best papers that keep accepts. chromem-go
// has no predicate filters, so a filtered search widens its window until n
// papers pass or the whole list has been seen.
func (v *Vectors) searchList(ctx context.Context, col *chromem.Collection, q []float32, n int, keep func(*PaperMeta) bool) ([]index.Hit, error) {
	total := col.Count()
	if total == 0 {
		return nil, nil
	}
	window := min(n, total)
	for {
		res, err := col.QueryEmbedding(ctx, q, window, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("semantic search: %w", err)
		}
		hits := make([]index.Hit, 0, min(n, len(res)))
		for _, r := range res {
			rec := v.recs[r.ID]
			if rec == nil || rec.null || (keep != nil && !keep(&rec.meta)) {
				continue
			}
			hits = append(hits, index.Hit{ID: r.ID, Score: float64(r.Similarity)})
		}
		if len(hits) >= n || window == total {
			return hits, nil
		}
		window = min(window*4, total)
	}
}

// needsPartitioning reports whether the lists should be rebuilt: the store
// crossed the size where one list is too slow, or has doubled since.
func (v *Vectors) needsPartitioning() bool {
	n := len(v.recs)
	if n < partitionMinPapers {
		return len(v.lists) > 1 // shrank (a rebuild): back to one exact list
	}
	return len(v.centroids) == 0 || n >= 2*v.partitionedAt
}

// partition rebuilds the lists by k-means over a deterministic sample of the
// vectors. The result depends only on the stored vectors, so rebuilding the
// same papers gives the same index.
func (v *Vectors) partition(ctx context.Context) error {
	ids := v.IDs()
	var live []string
	for _, id := range ids {
		if !v.recs[id].null {
			live = append(live, id)
		}
	}
	k := 1
	if len(v.recs) >= partitionMinPapers {
		k = min(maxLists, max(2, len(v.recs)/papersPerList))
	}
	var cents [][]float32
	if k > 1 && len(live) >= k {
		sample := make([][]float32, 0, min(len(live), kmeansSample))
		step := max(1, len(live)/kmeansSample)
		for i := 0; i < len(live) && len(sample) < kmeansSample; i += step {
			sample = append(sample, v.recs[live[i]].vec)
		}
		var err error
		if cents, err = kmeans(ctx, sample, k, kmeansIterations); err != nil {
			return err
		}
	}
	v.centroids = cents
	v.lists = make([]*chromem.Collection, max(1, len(cents)))
	for i := range v.lists {
		v.lists[i] = newList()
	}
	recs := v.recs
	v.recs = make(map[string]*vecRecord, len(recs))
	v.totalLength = 0
	for _, id := range ids {
		r := recs[id]
		r.list = v.nearestList(r.vec)
		if err := v.put(ctx, id, r); err != nil {
			return err
		}
	}
	v.partitionedAt = len(v.recs)
	return nil
}

// kmeans clusters unit vectors by cosine (spherical k-means), starting from
// evenly spaced sample points; it returns k unit centroids.
func kmeans(ctx context.Context, xs [][]float32, k, iterations int) ([][]float32, error) {
	dims := len(xs[0])
	cents := make([][]float32, k)
	for c := range cents {
		cents[c] = slices.Clone(xs[c*len(xs)/k])
	}
	assign := make([]int, len(xs))
	sums := make([][]float64, k)
	for range iterations {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		parallelRange(len(xs), 1024, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				best, bestSim := 0, math.Inf(-1)
				for c, ce := range cents {
					if s := dot(xs[i], ce); s > bestSim {
						best, bestSim = c, s
					}
				}
				assign[i] = best
			}
		})
		for c := range sums {
			sums[c] = make([]float64, dims)
		}
		for i, x := range xs {
			s := sums[assign[i]]
			for j, f := range x {
				s[j] += float64(f)
			}
		}
		for c, s := range sums {
			var ss float64
			for _, f := range s {
				ss += f * f
			}
			if ss == 0 {
				continue // an empty cluster keeps its centroid
			}
			inv := 1 / math.Sqrt(ss)
			for j, f := range s {
				cents[c][j] = float32(f * inv)
			}
		}
	}
	return cents, nil
}

func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// The vectors file: a header, the partition centroids, one record per paper
// (with its list), and a CRC-32 of everything before it. A file that fails
// the check is reported as corrupt, never half-loaded.
var vectorsMagic = [8]byte{'P', 'S', 'V', 'E', 'C', 0, 0, 4}

// vectorsMagicV3 is the file of format-1 indexes (no publication dates),
// read only to upgrade them.
var vectorsMagicV3 = [8]byte{'P', 'S', 'V', 'E', 'C', 0, 0, 3}

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
	buf := make([]byte, 4*v.dims)
	putVec := func(vec []float32) {
		for i, x := range vec {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
		}
		w.Write(buf)
	}
	w.Write(vectorsMagic[:])
	putUvarint(uint64(v.dims))
	putUvarint(uint64(len(v.recs)))
	putUvarint(uint64(v.partitionedAt))
	putUvarint(uint64(len(v.centroids)))
	for _, c := range v.centroids {
		putVec(c)
	}
	// Records go in list order: loaded into one backing array, each list's
	// vectors are then contiguous, and a query scanning a few lists reads a
	// few compact regions instead of rows scattered over the whole array.
	// The scan is memory-bound: at 119k papers this took the semantic leg
	// from 32–34 ms to 28–30 ms and hybrid search from 38–48 ms to 30–31 ms.
	ids := v.IDs()
	slices.SortStableFunc(ids, func(a, b string) int { return cmp.Compare(v.recs[a].list, v.recs[b].list) })
	for i, id := range ids {
		if i == len(v.recs)/2 {
			w.Flush()
			failpoint(FailVectorsWrite)
		}
		r := v.recs[id]
		putString(id)
		putUvarint(uint64(r.list))
		putUvarint(uint64(r.meta.Year))
		putString(r.meta.Published)
		putStrings(r.meta.Categories)
		putStrings(r.meta.AuthorsLC)
		putUvarint(uint64(r.meta.Length))
		putVec(r.vec)
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
		return nil, fmt.Errorf("%w: read %s: %v", index.ErrCorrupt, path, err)
	}
	corrupt := func(why string) error { return fmt.Errorf("%w: %s: %s", index.ErrCorrupt, path, why) }
	if len(data) < len(vectorsMagic)+4 || ([8]byte(data[:8]) != vectorsMagic && [8]byte(data[:8]) != vectorsMagicV3) {
		return nil, corrupt("not a paperseek vectors file of this version")
	}
	v3 := [8]byte(data[:8]) == vectorsMagicV3
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, corrupt("checksum mismatch (the file is damaged)")
	}
	r := &byteReader{b: body[8:]}
	dims := int(r.uvarint())
	count := int(r.uvarint())
	partitionedAt := int(r.uvarint())
	nLists := int(r.uvarint())
	// Every vector is 4·dims bytes of what follows: a header claiming more
	// than the file holds is corrupt, and must never become an allocation.
	if r.err != nil || dims <= 0 || dims > 1<<16 || count < 0 || nLists < 0 || nLists > maxLists ||
		uint64(dims)*4*(uint64(count)+uint64(nLists)) > uint64(len(r.b)) {
		return nil, corrupt("bad header")
	}
	readVec := func(dst []float32) {
		raw := r.bytes(4 * dims)
		if r.err != nil {
			return
		}
		for j := range dst {
			dst[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
		}
	}
	v := newVectors(dims)
	v.partitionedAt = partitionedAt
	for range nLists {
		c := make([]float32, dims)
		readVec(c)
		v.centroids = append(v.centroids, c)
	}
	if nLists > 0 {
		v.lists = make([]*chromem.Collection, nLists)
		for i := range v.lists {
			v.lists[i] = newList()
		}
	}
	// One backing array for all vectors: fewer allocations, and chromem-go
	// keeps our already-normalised slices instead of copying them.
	backing := make([]float32, dims*count)
	for i := range count {
		id := r.string()
		rec := &vecRecord{list: int(r.uvarint())}
		rec.meta.Year = int(r.uvarint())
		if !v3 {
			rec.meta.Published = r.string()
		}
		rec.meta.Categories, rec.meta.AuthorsLC, rec.meta.Length = r.strings(), r.strings(), int(r.uvarint())
		rec.vec = backing[i*dims : (i+1)*dims : (i+1)*dims]
		readVec(rec.vec)
		if r.err != nil {
			return nil, corrupt(fmt.Sprintf("record %d: %v", i, r.err))
		}
		if rec.list >= len(v.lists) {
			return nil, corrupt(fmt.Sprintf("record %d: list %d of %d", i, rec.list, len(v.lists)))
		}
		rec.null = isZero(rec.vec)
		if err := v.put(ctx, id, rec); err != nil {
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

// parallelRange splits [0, n) across up to GOMAXPROCS goroutines, each
// given at least grain items (goroutines cost more than tiny work).
func parallelRange(n, grain int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/grain))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() { defer wg.Done(); fn(lo, hi) }()
	}
	wg.Wait()
}

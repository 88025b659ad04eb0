package vectors

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/paperseek/paperseek/internal/atomicfile"
)

// Builder makes the next generation's vector set from the previous one:
// Put and Delete record the changes of an index run, Commit writes them
// into a new directory. Unchanged segments are hard-linked from the
// previous generation (they are immutable), the new and replaced papers go
// into one new small segment assigned to the existing lists, and replaced
// or deleted papers' old rows go into the deletion set. So a run costs what
// it changes, not the index size, except when the index has doubled (or
// halved) since its lists were made: then Commit re-partitions and writes
// one segment with everything, which amortises to a constant per paper.
//
// Put writes each vector to a spill file as it comes; memory holds only an
// entry per changed id, so a 1M-paper build stays small.
type Builder struct {
	dir   string
	prev  *Set
	dims  int
	spill *os.File
	sw    *bufio.Writer
	offs  []int64 // spill record offsets; a record i spans offs[i]..offs[i+1]
	end   int64
	// state has an entry for every id this run touched.
	state   map[string]*change
	added   int // entries with a spill record
	removed int // entries whose previous row goes away
	done    bool
	opts    BuildOptions
}

type change struct {
	spill   int32 // the id's record in the spill file, -1 if deleted
	prevSeg int32 // the id's live row in the previous set, -1 if none
	prevRow int32
}

// BuildOptions tune a Builder; the zero value is what paperseek uses.
type BuildOptions struct {
	// Repartition forces new lists (k-means) even if the index has not
	// doubled since they were made.
	Repartition bool
	// AfterSegment, if set, is called after each segment file is written
	// and before the set file: the index's crash tests kill the process
	// there (a failpoint) to prove a half-written set is never read.
	AfterSegment func()
}

// NewBuilder starts the vector set that will live in dir (created; it
// should be the new generation's own, empty directory), from prev (nil for
// an empty start: a new index, a rebuild or a new embedding model). prev
// must stay open until Commit or Abort returns.
func NewBuilder(dir string, prev *Set) (*Builder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	spill, err := os.CreateTemp(dir, ".vectors-spill.tmp-*")
	if err != nil {
		return nil, err
	}
	b := &Builder{dir: dir, prev: prev, spill: spill, sw: bufio.NewWriterSize(spill, 1<<20), state: map[string]*change{}}
	if prev != nil {
		b.dims = prev.file.dims
		if prev.file.live == 0 && len(prev.segs) == 0 {
			b.dims = 0 // an empty set takes the dimensions of its first vector
		}
	}
	return b, nil
}

// Dims is the vector size (0 until the first Put into an empty set).
func (b *Builder) Dims() int { return b.dims }

// Count is how many papers the committed set will hold.
func (b *Builder) Count() int {
	n := b.added - b.removed
	if b.prev != nil {
		n += int(b.prev.file.live)
	}
	return n
}

// Has reports whether id will be in the committed set.
func (b *Builder) Has(id string) bool {
	if c, ok := b.state[id]; ok {
		return c.spill >= 0
	}
	return b.prev != nil && b.prev.Contains(id)
}

func (b *Builder) touch(id string) *change {
	c, ok := b.state[id]
	if ok {
		return c
	}
	c = &change{spill: -1, prevSeg: -1}
	if b.prev != nil {
		for i := len(b.prev.segs) - 1; i >= 0; i-- {
			g := b.prev.segs[i]
			if r, ok := g.find(id); ok && !g.isDeleted(r) {
				c.prevSeg, c.prevRow = int32(i), int32(r)
				b.removed++
				break
			}
		}
	}
	b.state[id] = c
	return c
}

// Put adds id's vector and metadata, replacing any earlier one (from the
// previous generation or this run). The vector is normalised to unit
// length; an all-zero vector is kept as a null row (the paper counts, but
// no search returns it).
func (b *Builder) Put(id string, vec []float32, m Meta) error {
	if b.done {
		return errors.New("vector builder already finished")
	}
	if id == "" || len(id) > math.MaxUint16 {
		return fmt.Errorf("paper id of %d bytes", len(id))
	}
	if b.dims == 0 {
		if len(vec) < 1 || len(vec) > maxDims {
			return fmt.Errorf("vector for %q has %d dimensions", id, len(vec))
		}
		b.dims = len(vec)
	}
	if len(vec) != b.dims {
		return fmt.Errorf("vector for %q has %d dimensions, the index uses %d", id, len(vec), b.dims)
	}
	for _, x := range vec {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("vector for %q is not finite", id)
		}
	}
	if m.Year < 0 || m.Year > math.MaxUint16 {
		return fmt.Errorf("paper %q: year %d out of range", id, m.Year)
	}
	if _, err := parseDate(m.Published); err != nil {
		return fmt.Errorf("paper %q: %w", id, err)
	}
	rec, err := encodeRecord(id, vec, m)
	if err != nil {
		return err
	}
	if _, err := b.sw.Write(rec); err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	c := b.touch(id)
	if c.spill < 0 {
		b.added++
	}
	if len(b.offs) >= math.MaxInt32 {
		return errors.New("too many vectors in one run")
	}
	c.spill = int32(len(b.offs))
	b.offs = append(b.offs, b.end)
	b.end += int64(len(rec))
	return nil
}

// Delete removes ids (absent ones are ignored).
func (b *Builder) Delete(ids ...string) {
	for _, id := range ids {
		if _, ok := b.state[id]; !ok && !b.Has(id) {
			continue
		}
		c := b.touch(id)
		if c.spill >= 0 {
			c.spill = -1
			b.added--
		}
	}
}

func encodeRecord(id string, vec []float32, m Meta) ([]byte, error) {
	le := binary.LittleEndian
	b := make([]byte, 0, 64+len(id)+4*len(vec))
	str := func(s string) error {
		if len(s) > math.MaxUint16 {
			return fmt.Errorf("paper %q: a field of %d bytes", id, len(s))
		}
		b = le.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
		return nil
	}
	strs := func(ss []string) error {
		if len(ss) > math.MaxUint16 {
			return fmt.Errorf("paper %q: %d values in one field", id, len(ss))
		}
		b = le.AppendUint16(b, uint16(len(ss)))
		for _, s := range ss {
			if err := str(s); err != nil {
				return err
			}
		}
		return nil
	}
	str(id)
	b = le.AppendUint16(b, uint16(m.Year))
	date, _ := parseDate(m.Published)
	b = le.AppendUint32(b, date)
	b = le.AppendUint32(b, clampU32(m.Length))
	if err := strs(m.Categories); err != nil {
		return nil, err
	}
	if err := strs(m.AuthorsLC); err != nil {
		return nil, err
	}
	unit, _ := normalize(vec)
	for _, x := range unit {
		b = le.AppendUint32(b, math.Float32bits(x))
	}
	return b, nil
}

func decodeRecord(b []byte, dims int) (inRow, error) {
	le := binary.LittleEndian
	bad := errors.New("spill record damaged")
	need := func(n int) bool { return len(b) >= n }
	str := func() (string, bool) {
		if !need(2) {
			return "", false
		}
		n := int(le.Uint16(b))
		if !need(2 + n) {
			return "", false
		}
		s := string(b[2 : 2+n])
		b = b[2+n:]
		return s, true
	}
	strs := func() ([]string, bool) {
		if !need(2) {
			return nil, false
		}
		n := int(le.Uint16(b))
		b = b[2:]
		var out []string
		for range n {
			s, ok := str()
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	var r inRow
	var ok bool
	if r.id, ok = str(); !ok || !need(10) {
		return r, bad
	}
	r.meta.Year = int(le.Uint16(b))
	r.meta.Published = formatDate(le.Uint32(b[2:]))
	r.meta.Length = int(le.Uint32(b[6:]))
	b = b[10:]
	if r.meta.Categories, ok = strs(); !ok {
		return r, bad
	}
	if r.meta.AuthorsLC, ok = strs(); !ok || len(b) != 4*dims {
		return r, bad
	}
	r.vec = make([]float32, dims)
	for i := range r.vec {
		r.vec[i] = math.Float32frombits(le.Uint32(b[4*i:]))
	}
	return r, nil
}

// source is one row a Commit writes: a spill record (seg −1) or a live row
// of a previous segment.
type source struct {
	seg int32
	row int32
}

// Commit writes the set into the builder's directory (segments, then the
// set file, each atomically, then the directory is synced) and removes the
// spill file. The Builder cannot be used afterwards.
func (b *Builder) Commit(ctx context.Context, opts BuildOptions) (err error) {
	if b.done {
		return errors.New("vector builder already finished")
	}
	defer b.Abort()
	b.opts = opts
	if err := b.sw.Flush(); err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	b.offs = append(b.offs, b.end)
	out, err := b.plan(ctx, opts)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(b.dir, SetName), out.encode()); err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	return atomicfile.SyncDir(b.dir)
}

// Abort drops the spill file; files Commit already wrote stay for the
// caller to remove with the generation. Safe to call twice.
func (b *Builder) Abort() {
	if b.done {
		return
	}
	b.done = true
	b.spill.Close()
	os.Remove(b.spill.Name())
}

// readSpill reads record i.
func (b *Builder) readSpill(i int32) (inRow, error) {
	lo, hi := b.offs[i], b.offs[i+1]
	buf := make([]byte, hi-lo)
	if _, err := b.spill.ReadAt(buf, lo); err != nil {
		return inRow{}, fmt.Errorf("read back vectors: %w", err)
	}
	return decodeRecord(buf, b.dims)
}

// read returns a source row's content.
func (b *Builder) read(s source) (inRow, error) {
	if s.seg < 0 {
		return b.readSpill(s.row)
	}
	g := b.prev.segs[s.seg]
	id, ok := g.id(int(s.row))
	if !ok {
		return inRow{}, fmt.Errorf("%w: %s: id offsets", ErrCorrupt, filepath.Join(b.prev.dir, g.name))
	}
	return inRow{id: id, vec: g.vec(int(s.row)), meta: g.meta(int(s.row))}, nil
}

// spillSources lists the live spill records in the order they were put.
func (b *Builder) spillSources() []source {
	var out []source
	for _, c := range b.state {
		if c.spill >= 0 {
			out = append(out, source{seg: -1, row: c.spill})
		}
	}
	slices.SortFunc(out, func(x, y source) int { return int(x.row) - int(y.row) })
	return out
}

// prevDeletions returns, per previous segment, its deleted rows after this
// run: the old deletions plus the rows of every id the run replaced or
// deleted.
func (b *Builder) prevDeletions() [][]uint32 {
	if b.prev == nil {
		return nil
	}
	del := make([][]uint32, len(b.prev.segs))
	for i, g := range b.prev.segs {
		del[i] = slices.Clone(g.entry.deleted)
	}
	for _, c := range b.state {
		if c.prevSeg >= 0 {
			del[c.prevSeg] = append(del[c.prevSeg], uint32(c.prevRow))
		}
	}
	for i := range del {
		slices.Sort(del[i])
		del[i] = slices.Compact(del[i])
	}
	return del
}

// plan writes the segments the new set needs and returns its set file.
func (b *Builder) plan(ctx context.Context, opts BuildOptions) (*setFile, error) {
	live := b.Count()
	del := b.prevDeletions()
	p := b.prev
	full := p == nil || opts.Repartition || len(p.segs) == 0 ||
		(p.file.lists == 1 && live >= partitionMin) ||
		uint64(live) >= 2*p.file.partitionedAt || uint64(live)*2 < p.file.partitionedAt
	if full {
		return b.rewrite(ctx, del)
	}
	return b.extend(ctx, del)
}

// rewrite re-partitions: k-means on a sample, then one segment holding
// every live row.
func (b *Builder) rewrite(ctx context.Context, del [][]uint32) (*setFile, error) {
	var srcs []source
	if b.prev != nil {
		for i, g := range b.prev.segs {
			d := del[i]
			for r := range g.rows() {
				if len(d) > 0 && d[0] == uint32(r) {
					d = d[1:]
					continue
				}
				srcs = append(srcs, source{seg: int32(i), row: int32(r)})
			}
		}
	}
	srcs = append(srcs, b.spillSources()...)
	out := &setFile{dims: b.dims, lists: listsFor(len(srcs)), nextSeq: 1}
	if b.prev != nil {
		out.nextSeq = b.prev.file.nextSeq
	}
	if len(srcs) == 0 {
		out.lists = 1
		out.partition = partitionID(nil, 1)
		return out, nil
	}
	if out.lists > 1 {
		// A deterministic sample of the non-null vectors.
		step := max(1, len(srcs)/kmeansSample)
		var xs []float32
		for i := 0; i < len(srcs); i += step {
			r, err := b.read(srcs[i])
			if err != nil {
				return nil, err
			}
			if _, zero := normalize(r.vec); !zero {
				xs = append(xs, r.vec...)
			}
		}
		k := out.lists
		if len(xs)/b.dims < k {
			k = 1 // too few real vectors to partition
		} else {
			cents, err := kmeans(ctx, xs, b.dims, k, kmeansIterations)
			if err != nil {
				return nil, err
			}
			out.centroids = cents
		}
		out.lists = k
	}
	out.partition = partitionID(out.centroids, out.lists)
	lists, err := b.assign(ctx, srcs, out)
	if err != nil {
		return nil, err
	}
	e, err := b.writeSources(out, srcs, lists)
	if err != nil {
		return nil, err
	}
	out.segs = []segEntry{e}
	out.partitionedAt = uint64(len(srcs))
	return out, b.finish(out)
}

// assign computes each source's list under out's centroids, in parallel.
func (b *Builder) assign(ctx context.Context, srcs []source, out *setFile) ([]uint32, error) {
	lists := make([]uint32, len(srcs))
	if out.lists == 1 {
		return lists, nil
	}
	a := newAssigner(out.centroids, out.lists, b.dims)
	errs := make([]error, len(srcs))
	parallel(len(srcs), func(lo, hi int) {
		buf := make([]int32, out.lists)
		for i := lo; i < hi; i++ {
			if i%4096 == 0 && ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			r, err := b.read(srcs[i])
			if err != nil {
				errs[i] = err
				return
			}
			lists[i] = uint32(a.assign(r.vec, buf))
		}
	})
	return lists, errors.Join(errs...)
}

// writeSources writes one new segment of srcs, ordered by list (stable).
func (b *Builder) writeSources(out *setFile, srcs []source, lists []uint32) (segEntry, error) {
	counts := make([]int, out.lists)
	for _, l := range lists {
		counts[l]++
	}
	start := make([]int, out.lists)
	for l := 1; l < out.lists; l++ {
		start[l] = start[l-1] + counts[l-1]
	}
	order := make([]int32, len(srcs))
	for i, l := range lists {
		order[start[l]] = int32(i)
		start[l]++
	}
	i := 0
	return b.writeSegment(out, counts, func() (inRow, error) {
		r, err := b.read(srcs[order[i]])
		i++
		return r, err
	})
}

func (b *Builder) writeSegment(out *setFile, counts []int, next func() (inRow, error)) (segEntry, error) {
	seq := out.nextSeq
	out.nextSeq++
	h, err := writeSegment(segSpec{dir: b.dir, seq: seq, dims: b.dims, partition: out.partition, counts: counts, next: next})
	if err != nil {
		return segEntry{}, fmt.Errorf("write vectors: %w", err)
	}
	if b.opts.AfterSegment != nil {
		b.opts.AfterSegment()
	}
	enc := h.encode()
	st, err := os.Stat(filepath.Join(b.dir, segName(seq)))
	if err != nil {
		return segEntry{}, err
	}
	return segEntry{seq: seq, rows: uint32(h.rows), size: uint64(st.Size()), hdrCRC: binary.LittleEndian.Uint32(enc[508:])}, nil
}

// Merging: segments fall into tiers by size (powers of mergeFactor rows);
// when a tier holds mergeFactor segments they are merged into one, and a
// segment that has lost more than a third of its rows to deletions is
// rewritten. Each paper is rewritten O(log N) times over the life of an
// index, and a daily sync of a few hundred papers touches only small files.
const (
	mergeFactor       = 4
	compactDeletedPct = 33
)

func tier(rows int) int {
	t := 0
	for rows >= mergeFactor*256 {
		rows /= mergeFactor
		t++
	}
	return t
}

// extend keeps the previous lists: the previous segments are hard-linked,
// the run's vectors go into a new segment, and small segments are merged.
func (b *Builder) extend(ctx context.Context, del [][]uint32) (*setFile, error) {
	p := b.prev.file
	out := &setFile{dims: p.dims, lists: p.lists, nextSeq: p.nextSeq, partition: p.partition,
		partitionedAt: p.partitionedAt, centroids: p.centroids}
	type segState struct {
		prev    int // index in b.prev.segs, or -1 for the new segment
		entry   segEntry
		deleted []uint32
	}
	var segs []segState
	for i, g := range b.prev.segs {
		segs = append(segs, segState{prev: i, entry: *g.entry, deleted: del[i]})
	}
	if srcs := b.spillSources(); len(srcs) > 0 {
		lists, err := b.assign(ctx, srcs, out)
		if err != nil {
			return nil, err
		}
		e, err := b.writeSources(out, srcs, lists)
		if err != nil {
			return nil, err
		}
		segs = append(segs, segState{prev: -1, entry: e})
	}
	// Choose what to merge: a full tier, and heavily deleted segments.
	byTier := map[int][]int{}
	merge := map[int]bool{}
	for i, s := range segs {
		live := int(s.entry.rows) - len(s.deleted)
		if live == 0 {
			merge[i] = true // nothing left: dropped
			continue
		}
		if len(s.deleted)*100 > compactDeletedPct*int(s.entry.rows) {
			merge[i] = true
		}
		byTier[tier(live)] = append(byTier[tier(live)], i)
	}
	for _, members := range byTier {
		if len(members) >= mergeFactor {
			for _, i := range members {
				merge[i] = true
			}
		}
	}
	var merged []int
	for i := range segs {
		if merge[i] && int(segs[i].entry.rows) > len(segs[i].deleted) {
			merged = append(merged, i)
		}
	}
	if len(merged) == 1 && len(segs[merged[0]].deleted) == 0 {
		merged = nil // nothing to gain from rewriting one clean segment
	}
	var keep []segEntry
	for i, s := range segs {
		if merge[i] && (len(merged) > 0 || int(s.entry.rows) == len(s.deleted)) {
			if s.prev < 0 {
				// A fresh segment that is merged at once is written again;
				// remove the first copy after the merge.
				defer os.Remove(filepath.Join(b.dir, segName(s.entry.seq)))
			}
			continue
		}
		e := s.entry
		e.deleted = s.deleted
		if s.prev >= 0 {
			if err := linkOrCopy(filepath.Join(b.prev.dir, segName(e.seq)), filepath.Join(b.dir, segName(e.seq))); err != nil {
				return nil, fmt.Errorf("link vector segment: %w", err)
			}
		}
		keep = append(keep, e)
	}
	if len(merged) > 0 {
		e, err := b.mergeSegments(out, func(i int) (*segment, []uint32, error) {
			s := segs[merged[i]]
			if s.prev >= 0 {
				return b.prev.segs[s.prev].segment, s.deleted, nil
			}
			g, err := openSegment(b.dir, s.entry.seq)
			return g, nil, err
		}, len(merged))
		if err != nil {
			return nil, err
		}
		keep = append(keep, e)
	}
	out.segs = keep
	return out, b.finish(out)
}

// mergeSegments writes the live rows of n segments into one, list by list
// (they share the lists, so no vector is re-assigned).
func (b *Builder) mergeSegments(out *setFile, get func(i int) (*segment, []uint32, error), n int) (segEntry, error) {
	type part struct {
		g    *segment
		dead []uint64
	}
	parts := make([]part, n)
	for i := range n {
		g, del, err := get(i)
		if err != nil {
			return segEntry{}, err
		}
		if b.prev == nil || !slices.ContainsFunc(b.prev.segs, func(o *openSeg) bool { return o.segment == g }) {
			defer g.close()
		}
		bits := make([]uint64, (g.rows()+63)/64)
		for _, r := range del {
			bits[r/64] |= 1 << (r % 64)
		}
		parts[i] = part{g: g, dead: bits}
	}
	alive := func(p part, r int) bool { return p.dead[r/64]&(1<<(r%64)) == 0 }
	counts := make([]int, out.lists)
	for _, p := range parts {
		for l := range out.lists {
			for r := int(p.g.listOff[l]); r < int(p.g.listOff[l+1]); r++ {
				if alive(p, r) {
					counts[l]++
				}
			}
		}
	}
	l, pi, r := 0, 0, -1
	return b.writeSegment(out, counts, func() (inRow, error) {
		for {
			if l >= out.lists {
				return inRow{}, errors.New("merge ran past the rows it counted")
			}
			p := parts[pi]
			if r < 0 {
				r = int(p.g.listOff[l])
			}
			if r < int(p.g.listOff[l+1]) {
				cur := r
				r++
				if !alive(p, cur) {
					continue
				}
				id, ok := p.g.id(cur)
				if !ok {
					return inRow{}, fmt.Errorf("%w: %s: id offsets", ErrCorrupt, p.g.name)
				}
				return inRow{id: id, vec: p.g.vec(cur), meta: p.g.meta(cur)}, nil
			}
			r = -1
			pi++
			if pi == len(parts) {
				pi = 0
				l++
			}
		}
	})
}

// finish fills the set file's counts from its segments.
func (b *Builder) finish(out *setFile) error {
	out.live, out.sumLength = 0, 0
	for _, e := range out.segs {
		g, err := openSegment(b.dir, e.seq)
		if err != nil {
			return err
		}
		out.live += uint64(e.rows) - uint64(len(e.deleted))
		out.sumLength += g.hdr.sumLength
		for _, r := range e.deleted {
			out.sumLength -= uint64(g.length[r])
		}
		g.close()
	}
	if int(out.live) != b.Count() {
		return fmt.Errorf("internal error: the new vector set holds %d papers, want %d", out.live, b.Count())
	}
	return nil
}

// linkOrCopy hard-links an immutable file into the new generation, copying
// where links are not possible (another file system).
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

package vectors

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
)

// Hit is one search result: the paper and its cosine similarity.
type Hit struct {
	ID    string
	Score float64
}

// Probing: group 0 is the lists nearest the query, taken in order of
// centroid similarity until they hold probeRows rows (more under a filter,
// see Search); group 1 is the rest. The lists needed for a given recall
// grow like the square root of their number; 2.5·√lists was chosen on real
// title queries by bench/vectors (README): recall@100 against the exact
// ranking 0.992 at 119k papers (28 of 118 lists; 6 % of the rows gave only
// 0.93), 0.9915 at 1M (about 80 of 1069 lists).
var (
	probeMinRows    = 8000
	probeListFactor = 2.5
)

func probeRows(rows, lists int) int {
	if lists <= 1 {
		return rows
	}
	probe := math.Ceil(probeListFactor * math.Sqrt(float64(lists)))
	return max(probeMinRows, int(probe*float64(rows)/float64(lists)))
}

// SearchOptions tune one search; the zero value is the measured default.
type SearchOptions struct {
	// ProbeRows, if positive, replaces the default size of group 0 (in
	// rows, before the filter's widening). A value of at least Count()
	// makes the search exhaustive, hence exact.
	ProbeRows int
}

// Search returns the n papers most similar to q (cosine, best first) among
// those f keeps. The ranking is the total order (probe group, cosine
// descending, id ascending) over the papers f keeps, where group 0 depends
// only on q and f; so the answer for n is always a prefix of the answer for
// any larger n. Within a group the scores are exact: the int8 scan only
// chooses which rows to re-score, by a bound on its error, never which of
// two rows ranks first.
func (s *Set) Search(ctx context.Context, q []float32, n int, f Filter) ([]Hit, error) {
	hits, _, err := s.SearchWith(ctx, q, n, f, SearchOptions{})
	return hits, err
}

// ScanStats says what one search touched.
type ScanStats struct {
	Lists    int // lists in group 0
	Scanned  int // rows scored with the int8 kernel
	Rescored int // rows re-scored exactly with their float32 vector
	Group1   bool
}

// SearchWith is Search with options, also reporting what it scanned (for
// benchmarks, debugging and exact reference answers).
func (s *Set) SearchWith(ctx context.Context, q []float32, n int, f Filter, opts SearchOptions) ([]Hit, ScanStats, error) {
	var st ScanStats
	if s.closed {
		return nil, st, ErrClosed
	}
	if n <= 0 || s.file.live == 0 {
		return nil, st, nil
	}
	if len(q) != s.file.dims {
		return nil, st, fmt.Errorf("query vector has %d dimensions, the index uses %d", len(q), s.file.dims)
	}
	q, zero := normalize(q)
	if zero {
		return nil, st, nil
	}
	filters := make([]*compiled, len(s.segs))
	kept := 0.0 // estimated rows the filter keeps
	total := 0
	for i, g := range s.segs {
		c, err := compileFilter(f, g.segment)
		if err != nil {
			return nil, st, err
		}
		if f.IsZero() {
			c = nil
		} else {
			kept += c.selectivity * float64(g.rows())
		}
		filters[i] = c
		total += g.rows()
	}
	order := s.probeOrder(q)
	// Under a filter, probe enough lists that they hold about as many
	// papers passing it as an unfiltered search scans in all.
	budget := float64(probeRows(total, s.file.lists))
	if opts.ProbeRows > 0 {
		budget = float64(opts.ProbeRows)
	}
	if filters[0] != nil && kept < float64(total) {
		budget = budget * float64(total) / max(kept, 1)
	}
	split := len(order)
	rowsIn := 0.0
	for i, l := range order {
		if rowsIn >= budget {
			split = i
			break
		}
		for _, g := range s.segs {
			rowsIn += float64(g.listOff[l+1] - g.listOff[l])
		}
	}
	sc := s.newScan(q, filters)
	st.Lists = split
	hits, err := sc.group(ctx, order[:split], n)
	if err != nil || len(hits) >= n || split == len(order) {
		st.Scanned, st.Rescored = sc.scanned, sc.rescored
		return hits, st, err
	}
	st.Group1 = true
	more, err := sc.group(ctx, order[split:], n-len(hits))
	st.Scanned, st.Rescored = sc.scanned, sc.rescored
	return append(hits, more...), st, err
}

// probeOrder lists the lists by decreasing similarity of their centroid to
// q (ties by list number).
func (s *Set) probeOrder(q []float32) []int {
	k, d := s.file.lists, s.file.dims
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	if k == 1 {
		return order
	}
	sims := make([]float32, k)
	for i := range sims {
		sims[i] = dot(q, s.file.centroids[i*d:(i+1)*d])
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(sims[b], sims[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return order
}

type scan struct {
	s       *Set
	q       []float32
	qc      queryCodes
	filters []*compiled
	dots    []int32
	pass    []int32

	scanned, rescored int
}

func (s *Set) newScan(q []float32, filters []*compiled) *scan {
	return &scan{s: s, q: q, qc: quantizeQuery(q, codeStride(s.file.dims)), filters: filters,
		dots: make([]int32, scanChunk), pass: make([]int32, 0, scanChunk)}
}

// scanChunk rows are scored per kernel call.
const scanChunk = 256

type candidate struct {
	g     *openSeg
	row   int32
	upper float64
	exact float32
	id    string
}

// lowHeap is a min-heap of lower bounds: its root is the m-th best lower
// bound seen, below which no row can be in the top m.
type lowHeap []float64

func (h lowHeap) Len() int           { return len(h) }
func (h lowHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h lowHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *lowHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *lowHeap) Pop() any          { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }

// group returns the exact top m (cosine descending, id ascending) of the
// rows in lists that pass the filter. The int8 scan gives each row a score
// within ±bound of its cosine; every row whose upper bound reaches the m-th
// best lower bound is re-scored exactly with its float32 vector, which
// provably includes the exact top m.
func (sc *scan) group(ctx context.Context, lists []int, m int) ([]Hit, error) {
	var low lowHeap
	var cands []candidate
	floor := math.Inf(-1)
	stride := codeStride(sc.s.file.dims)
	for gi, g := range sc.s.segs {
		c := sc.filters[gi]
		if c != nil && c.empty {
			continue
		}
		del := g.deletedBits()
		for li, l := range lists {
			if li%64 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			lo, hi := int(g.listOff[l]), int(g.listOff[l+1])
			for start := lo; start < hi; start += scanChunk {
				end := min(hi, start+scanChunk)
				// Rows to score: not deleted, not null, kept by the filter.
				sc.pass = sc.pass[:0]
				for r := start; r < end; r++ {
					if del != nil && del[r/64]&(1<<(r%64)) != 0 {
						continue
					}
					if g.quant[2*r] == 0 || (c != nil && !c.keep(g.segment, r)) {
						continue
					}
					sc.pass = append(sc.pass, int32(r))
				}
				if len(sc.pass) == 0 {
					continue
				}
				sc.scanned += len(sc.pass)
				dense := len(sc.pass) > (end-start)/2
				if dense {
					dotsInt8(sc.qc.codes, g.codes[start*stride:end*stride], stride, sc.dots[:end-start])
				}
				for _, r := range sc.pass {
					var d int32
					if dense {
						d = sc.dots[int(r)-start]
					} else {
						dotsInt8(sc.qc.codes, g.codes[int(r)*stride:(int(r)+1)*stride], stride, sc.dots[:1])
						d = sc.dots[0]
					}
					approx := float64(d) * sc.qc.scale * float64(g.quant[2*r])
					b := sc.qc.bound(g.quant[2*r+1])
					up := approx + b
					if up < floor {
						continue
					}
					lw := approx - b
					if len(low) < m {
						heap.Push(&low, lw)
					} else if lw > low[0] {
						low[0] = lw
						heap.Fix(&low, 0)
					}
					if len(low) == m {
						floor = low[0]
					}
					cands = append(cands, candidate{g: g, row: r, upper: up})
				}
			}
		}
	}
	// Re-score the candidates that can still reach the top m, exactly.
	kept := cands[:0]
	for _, c := range cands {
		if c.upper < floor {
			continue
		}
		c.exact = dot(sc.q, c.g.vec(int(c.row)))
		sc.rescored++
		c.id, _ = c.g.id(int(c.row))
		kept = append(kept, c)
	}
	slices.SortFunc(kept, func(a, b candidate) int {
		if c := cmp.Compare(b.exact, a.exact); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	kept = kept[:min(m, len(kept))]
	hits := make([]Hit, len(kept))
	for i, c := range kept {
		hits[i] = Hit{ID: c.id, Score: float64(c.exact)}
	}
	return hits, nil
}

package local

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sync"

	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/paperseek/paperseek/index"
)

// accumulator holds one keyword query's score per paper, indexed by
// Bleve's internal document number, and the papers it touched (so
// clearing it and picking the top cost what the query matched, not the
// corpus). Pooled: a server reuses a few instead of allocating a corpus-
// sized array per request.
type accumulator struct {
	score   []float64
	touched []uint64
	// live, once pruned (bm25 skipped papers that could not reach its top
	// n), holds every paper that still can: top picks from it alone.
	live   []uint64
	pruned bool
}

var accumulators = sync.Pool{New: func() any { return &accumulator{} }}

// release clears what the query touched and returns acc to the pool.
func (acc *accumulator) release() {
	for _, d := range acc.touched {
		acc.score[d] = 0
	}
	acc.touched = acc.touched[:0]
	acc.live, acc.pruned = nil, false
	accumulators.Put(acc)
}

// add adds c to doc's score; a paper is touched by a positive c only.
func (acc *accumulator) add(doc uint64, c float64) {
	if c <= 0 {
		return
	}
	if doc >= uint64(len(acc.score)) {
		acc.score = slices.Grow(acc.score, int(doc+1)-len(acc.score))
		acc.score = acc.score[:cap(acc.score)]
	}
	if acc.score[doc] == 0 {
		acc.touched = append(acc.touched, doc)
	}
	acc.score[doc] += c
}

// bm25 adds the BM25 score for the weighted terms of every paper that
// can still reach the top n (of the papers allowed lets through; nil: all):
// the top n by exact score, exactly as if every paper were scored.
//
// Terms go from the highest possible contribution to the lowest (w·idf·
// (k1+1): rare words first), so the common words of a title come last.
// Before each term, the n-th best score so far is compared with R, the
// most the remaining terms could add: once it is higher, no paper untouched
// so far can reach the top n, and neither can a touched one whose score
// plus R stays below it (MaxScore, Turtle & Flood 1995). From then on the
// remaining, long posting lists are not walked but skipped through
// (Advance) to the papers still in the running. Papers dropped keep a
// partial score below the final n-th, so they never rank. Terms are summed
// in the same order for every paper: a paper's score is the same float
// whatever was pruned.
//
// With a cache (serve), each term's postings are walked decoded from it,
// decoded into it first when missing; the scores are the same floats.
func (acc *accumulator) bm25(ctx context.Context, r bindex.IndexReader, weights map[string]float64, docs int, avgdl float64, n int, allowed *bitset, cache *postingCache) error {
	type term struct {
		text string
		w    float64 // query weight × idf
		max  float64 // the most it adds to a paper's score
		tfr  bindex.TermFieldReader
		dec  *decodedPostings // from the cache, else nil: walk tfr
	}
	var terms []term
	defer func() {
		for _, t := range terms {
			t.tfr.Close()
		}
	}()
	for text, qw := range weights {
		if qw <= 0 {
			continue
		}
		tfr, err := r.TermFieldReader(ctx, []byte(text), FieldText, true, true, false)
		if err != nil {
			return fmt.Errorf("keyword index: %w", err)
		}
		df := int(tfr.Count())
		if df == 0 {
			tfr.Close()
			continue
		}
		w := qw * index.IDF(docs, df)
		t := term{text: text, w: w, max: w * (bm25K1 + 1), tfr: tfr}
		if cache != nil {
			if t.dec = cache.get(text); t.dec == nil {
				dec, ok, err := decodePostings(ctx, tfr)
				if err != nil {
					tfr.Close()
					return err
				}
				if ok {
					t.dec = dec
					cache.put(text, dec)
				} else if t.tfr, err = r.TermFieldReader(ctx, []byte(text), FieldText, true, true, false); err != nil {
					tfr.Close()
					return fmt.Errorf("keyword index: %w", err)
				} else {
					tfr.Close() // walked to its end; t.tfr is a fresh one
				}
			}
		}
		terms = append(terms, t)
	}
	slices.SortFunc(terms, func(a, b term) int {
		if c := cmp.Compare(b.max, a.max); c != 0 {
			return c
		}
		return cmp.Compare(a.text, b.text)
	})
	rest := make([]float64, len(terms)+1) // rest[i]: the most terms[i:] add
	for i := len(terms) - 1; i >= 0; i-- {
		rest[i] = rest[i+1] + terms[i].max
	}
	score := func(freq uint64, norm float64, w float64) float64 {
		tf := float64(freq)
		dl := 1 / (norm * norm)
		return w * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*dl/avgdl))
	}
	var tfd bindex.TermFieldDoc
	var live []uint64 // the papers still in the running, once pruning starts; sorted
	pruning := false
	for i, t := range terms {
		if i > 0 || len(acc.touched) > 0 {
			if kth, ok := acc.nth(n, live, pruning, allowed); ok && kth > rest[i]*(1+1e-9) {
				live = acc.running(live, pruning, allowed, kth-rest[i]*(1+1e-9))
				pruning = true
			}
		}
		if t.dec != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := t.dec
			if !pruning {
				for j, d := range p.docs {
					acc.add(uint64(d), score(uint64(p.freq[j]), float64(p.norm[j]), t.w))
				}
				continue
			}
			j := 0
			for _, d := range live {
				if j = gallop(p.docs, j, d); j == len(p.docs) {
					break
				}
				if uint64(p.docs[j]) == d {
					acc.add(d, score(uint64(p.freq[j]), float64(p.norm[j]), t.w))
				}
			}
			continue
		}
		if !pruning {
			for j := 0; ; j++ {
				if j%8192 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				got, err := t.tfr.Next(&tfd)
				if err != nil {
					return fmt.Errorf("keyword index: %w", err)
				}
				if got == nil {
					break
				}
				acc.add(got.ID.Value(), score(got.Freq, got.Norm, t.w))
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		var id bindex.IndexInternalID
		at := uint64(0) // the posting the reader stands on (valid when on)
		on := false
		for _, d := range live {
			if !on || at < d {
				id = bindex.NewIndexInternalID(id, d)
				got, err := t.tfr.Advance(id, &tfd)
				if err != nil {
					return fmt.Errorf("keyword index: %w", err)
				}
				if got == nil {
					break // no paper further on holds the term
				}
				at, on = got.ID.Value(), true
			}
			if at == d {
				acc.add(d, score(tfd.Freq, tfd.Norm, t.w))
			}
		}
	}
	acc.live, acc.pruned = live, pruning
	return nil
}

// gallop is the first index at or after from whose number is at least d
// (len(docs) when none is): doubling steps from from, then a binary
// search, so skipping far costs a logarithm and stepping near a few reads.
func gallop(docs []uint32, from int, d uint64) int {
	if from >= len(docs) || uint64(docs[from]) >= d {
		return from
	}
	lo, step := from, 1 // docs[lo] < d
	hi := from + step
	for hi < len(docs) && uint64(docs[hi]) < d {
		lo = hi
		step *= 2
		hi = lo + step
	}
	hi = min(hi, len(docs))
	// docs[lo] < d, and docs[hi] >= d or hi == len(docs)
	for lo+1 < hi {
		mid := int(uint(lo+hi) >> 1)
		if uint64(docs[mid]) < d {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// nthSample bounds how many touched papers nth reads before pruning
// starts (a variable for tests).
var nthSample = 16384

// nth is the n-th best score among the papers in the running (live once
// pruning, else every touched paper allowed lets through), or a lower
// bound of it; ok is false when there are fewer than n.
//
// Before pruning, at 1M papers a title's common words touch half a
// million papers, and reading every one before each term was a fifth of
// a query. The n-th best of the first nthSample touched (the papers of
// the rarest words, where the best are) is a lower bound, and a lower
// bound is all pruning needs: it keeps every paper at least as good as
// floor = bound − what the rest may add, some more than the exact n-th
// would. Only when the sample holds fewer than n papers allowed lets
// through is every touched paper read.
func (acc *accumulator) nth(n int, live []uint64, pruning bool, allowed *bitset) (float64, bool) {
	docs := live
	if !pruning {
		docs = acc.touched
		if len(docs) > nthSample {
			if kth, ok := nthOf(acc.score, docs[:nthSample], n, allowed); ok {
				return kth, true
			}
		}
	}
	return nthOf(acc.score, docs, n, allowed)
}

// nthOf is the n-th best score of docs that allowed (nil: all) lets
// through; ok is false when there are fewer than n.
func nthOf(score []float64, docs []uint64, n int, allowed *bitset) (float64, bool) {
	if len(docs) < n {
		return 0, false
	}
	h := make(minHeap, 0, n)
	for _, d := range docs {
		if allowed != nil && !allowed.has(d) {
			continue
		}
		sc := score[d]
		switch {
		case len(h) < n:
			heap.Push(&h, sc)
		case sc > h[0]:
			h[0] = sc
			heap.Fix(&h, 0)
		}
	}
	if len(h) < n {
		return 0, false
	}
	return h[0], true
}

// running keeps the papers (live, or every touched one allowed lets
// through when not yet pruning) whose score is at least floor, sorted by
// internal number.
func (acc *accumulator) running(live []uint64, pruning bool, allowed *bitset, floor float64) []uint64 {
	if !pruning {
		live = make([]uint64, 0, len(acc.touched)/4)
		keep := func(d uint64) {
			if (allowed == nil || allowed.has(d)) && acc.score[d] >= floor {
				live = append(live, d)
			}
		}
		if len(acc.touched) < len(acc.score)/16 {
			for _, d := range acc.touched {
				keep(d)
			}
			slices.Sort(live)
			return live
		}
		// Many touched: a pass over the scores in order beats sorting.
		for d, sc := range acc.score {
			if sc > 0 {
				keep(uint64(d))
			}
		}
		return live
	}
	return slices.DeleteFunc(live, func(d uint64) bool { return acc.score[d] < floor })
}

// minHeap of scores: the root is the lowest.
type minHeap []float64

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// scored is one paper's internal number and score.
type scored struct {
	doc   uint64
	score float64
}

// better is the ranking order: higher score first, then lower internal
// number.
func better(a, b scored) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	return cmp.Compare(a.doc, b.doc)
}

// worstFirst is a heap whose root is the worst of the kept papers.
type worstFirst []scored

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return better(h[i], h[j]) > 0 }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// top is the best n touched papers that allowed (nil: all) lets through,
// best first: picked from the papers still in the running when bm25
// pruned (the others score below its n-th best), else from every
// touched paper.
func (acc *accumulator) top(n int, allowed *bitset) []scored {
	docs := acc.touched
	if acc.pruned {
		docs = acc.live
	}
	h := make(worstFirst, 0, min(n, len(docs)))
	for _, d := range docs {
		if allowed != nil && !allowed.has(d) {
			continue
		}
		c := scored{doc: d, score: acc.score[d]}
		switch {
		case len(h) < n:
			heap.Push(&h, c)
		case better(c, h[0]) < 0:
			h[0] = c
			heap.Fix(&h, 0)
		}
	}
	out := []scored(h)
	slices.SortFunc(out, better)
	return out
}

// bitset is a set of internal document numbers.
type bitset struct{ words []uint64 }

func (b *bitset) set(d uint64) {
	w := int(d / 64)
	if w >= len(b.words) {
		b.words = slices.Grow(b.words, w+1-len(b.words))
		b.words = b.words[:w+1]
	}
	b.words[w] |= 1 << (d % 64)
}

func (b *bitset) has(d uint64) bool {
	w := int(d / 64)
	return w < len(b.words) && b.words[w]&(1<<(d%64)) != 0
}

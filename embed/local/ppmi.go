package local

import (
	"context"
	"math"
	"slices"
	"sync"
)

// ppmiMatrix counts word–context co-occurrences within ±window tokens (over
// the in-vocabulary stream of each document, never across documents) and
// returns the positive PMI matrix with context-distribution smoothing α
// (Levy, Goldberg & Dagan 2015):
//
//	PPMI(w,c) = max(0, ln(#(w,c)·Σ_c' #c'^α / (#w·#c^α)))
//
// Memory stays bounded: rows are processed in blocks whose co-occurrence
// events fit a fixed buffer (sorted and run-length counted, then reduced to
// their positive entries), instead of one hash map over all pairs.
func ppmiMatrix(ctx context.Context, t *tokenized, window int, alpha float64, workers int) (*csr, error) {
	v := len(t.terms)
	// Marginals: windows are symmetric, so a word's row sum equals its
	// column sum: the number of in-window neighbours of its occurrences.
	marg := make([]float64, v)
	for d := 0; d < t.docs(); d++ {
		s := t.stream[t.start[d]:t.start[d+1]]
		n := len(s)
		for i, w := range s {
			marg[w] += float64(min(i, window) + min(n-1-i, window))
		}
	}
	var z float64
	ctxPow := make([]float64, v)
	for c, m := range marg {
		ctxPow[c] = math.Pow(m, alpha)
		z += ctxPow[c]
	}

	// Blocks of consecutive rows with at most blockEvents events each.
	const blockEvents = 8 << 20 // 64 MiB of uint64 keys per worker
	type block struct{ lo, hi int }
	var blocks []block
	lo, ev := 0, 0.0
	for w := 0; w < v; w++ {
		if ev > 0 && ev+marg[w] > blockEvents {
			blocks = append(blocks, block{lo, w})
			lo, ev = w, 0
		}
		ev += marg[w]
	}
	blocks = append(blocks, block{lo, v})

	type part struct {
		rowLen []int
		idx    []int32
		val    []float32
	}
	parts := make([]part, len(blocks))
	if workers < 1 {
		workers = 1
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for bi, b := range blocks {
		if err := ctx.Err(); err != nil {
			errOnce.Do(func() { firstErr = err })
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			keys := make([]uint64, 0, blockEvents)
			for d := 0; d < t.docs(); d++ {
				s := t.stream[t.start[d]:t.start[d+1]]
				for i, w := range s {
					if int(w) < b.lo || int(w) >= b.hi {
						continue
					}
					row := uint64(int(w)-b.lo) << 32
					for j := max(0, i-window); j <= min(len(s)-1, i+window); j++ {
						if j != i {
							keys = append(keys, row|uint64(s[j]))
						}
					}
				}
			}
			slices.Sort(keys)
			p := part{rowLen: make([]int, b.hi-b.lo)}
			for i := 0; i < len(keys); {
				j := i + 1
				for j < len(keys) && keys[j] == keys[i] {
					j++
				}
				r := int(keys[i] >> 32)
				c := int32(keys[i] & 0xffffffff)
				w := b.lo + r
				pmi := math.Log(float64(j-i) * z / (marg[w] * ctxPow[c]))
				if pmi > 0 {
					p.rowLen[r]++
					p.idx = append(p.idx, c)
					p.val = append(p.val, float32(pmi))
				}
				i = j
			}
			parts[bi] = p
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	total := 0
	for _, p := range parts {
		total += len(p.idx)
	}
	a := &csr{rows: v, cols: v, ptr: make([]int, 1, v+1),
		idx: make([]int32, 0, total), val: make([]float32, 0, total)}
	for _, p := range parts {
		for _, n := range p.rowLen {
			a.ptr = append(a.ptr, a.ptr[len(a.ptr)-1]+n)
		}
		a.idx = append(a.idx, p.idx...)
		a.val = append(a.val, p.val...)
	}
	return a, nil
}

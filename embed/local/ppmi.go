package local

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
)

// ppmiMatrix counts word–context co-occurrences within ±window tokens (over
// the in-vocabulary stream of each document, never across documents) and
// returns the positive PMI matrix with context-distribution smoothing α
// (Levy, Goldberg & Dagan 2015):
//
//	PPMI(w,c) = max(0, ln(#(w,c)·Σ_c' #c'^α / (#w·#c^α)))
//
// Rows are built independently and in parallel from an inverted list of
// every word's positions: a row's contexts are counted in a dense per-worker
// array (vocabulary-sized, cache-resident) and only the distinct contexts
// are sorted. No hash map, no buffer of all co-occurrence events; memory is
// the position list (4 bytes a token) and the result.
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

	// occ[occPtr[w]:occPtr[w+1]] are the stream positions of word w, in
	// increasing order.
	occPtr := make([]int, v+1)
	for _, w := range t.stream {
		occPtr[w+1]++
	}
	for w := 0; w < v; w++ {
		occPtr[w+1] += occPtr[w]
	}
	if uint64(len(t.stream)) > math.MaxUint32 {
		return nil, fmt.Errorf("co-occurrence: %d tokens exceed the position range", len(t.stream))
	}
	occ := make([]uint32, len(t.stream))
	next := slices.Clone(occPtr[:v])
	for p, w := range t.stream {
		occ[next[w]] = uint32(p)
		next[w]++
	}
	next = nil

	// Chunks of consecutive rows with about chunkEvents events each; the
	// output is assembled in row order, so it does not depend on how the
	// chunks are spread over workers.
	const chunkEvents = 2 << 20
	type chunk struct {
		lo, hi int
		rowLen []int
		idx    []int32
		val    []float32
	}
	var chunks []*chunk
	lo, ev := 0, 0.0
	for w := 0; w < v; w++ {
		if ev > 0 && ev+marg[w] > chunkEvents {
			chunks = append(chunks, &chunk{lo: lo, hi: w})
			lo, ev = w, 0
		}
		ev += marg[w]
	}
	chunks = append(chunks, &chunk{lo: lo, hi: v})

	docs := t.docs()
	var mu sync.Mutex
	var firstErr error
	parallelFor(len(chunks), workers, func(clo, chi int) {
		cnt := make([]int32, v)
		var touched []int32
		for _, ch := range chunks[clo:chi] {
			if err := ctx.Err(); err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
				return
			}
			ch.rowLen = make([]int, ch.hi-ch.lo)
			for w := ch.lo; w < ch.hi; w++ {
				touched = touched[:0]
				d := 0
				for _, pu := range occ[occPtr[w]:occPtr[w+1]] {
					p := int(pu)
					// Positions increase, so the document does too.
					if t.start[d+1] <= p {
						d += sort.Search(docs-d, func(i int) bool { return t.start[d+i+1] > p })
					}
					for j := max(t.start[d], p-window); j <= min(t.start[d+1]-1, p+window); j++ {
						if j == p {
							continue
						}
						c := t.stream[j]
						if cnt[c] == 0 {
							touched = append(touched, c)
						}
						cnt[c]++
					}
				}
				slices.Sort(touched)
				n := 0
				for _, c := range touched {
					pmi := math.Log(float64(cnt[c]) * z / (marg[w] * ctxPow[c]))
					cnt[c] = 0
					if pmi > 0 {
						ch.idx = append(ch.idx, c)
						ch.val = append(ch.val, float32(pmi))
						n++
					}
				}
				ch.rowLen[w-ch.lo] = n
			}
		}
	})
	if firstErr != nil {
		return nil, firstErr
	}
	occ = nil
	total := 0
	for _, ch := range chunks {
		total += len(ch.idx)
	}
	a := &csr{rows: v, cols: v, ptr: make([]int, 1, v+1),
		idx: make([]int32, 0, total), val: make([]float32, 0, total)}
	for i, ch := range chunks {
		for _, n := range ch.rowLen {
			a.ptr = append(a.ptr, a.ptr[len(a.ptr)-1]+n)
		}
		a.idx = append(a.idx, ch.idx...)
		a.val = append(a.val, ch.val...)
		chunks[i] = nil
	}
	return a, nil
}

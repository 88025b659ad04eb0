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
}

var accumulators = sync.Pool{New: func() any { return &accumulator{} }}

// release clears what the query touched and returns acc to the pool.
func (acc *accumulator) release() {
	for _, d := range acc.touched {
		acc.score[d] = 0
	}
	acc.touched = acc.touched[:0]
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

// bm25 adds every paper's BM25 score for the weighted terms, walking each
// term's postings once. Terms are summed in sorted order, so a paper's
// score is the same float on every run.
func (acc *accumulator) bm25(ctx context.Context, r bindex.IndexReader, weights map[string]float64, docs int, avgdl float64) error {
	terms := make([]string, 0, len(weights))
	for t := range weights {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	var tfd bindex.TermFieldDoc
	for _, term := range terms {
		qw := weights[term]
		if qw <= 0 {
			continue
		}
		tfr, err := r.TermFieldReader(ctx, []byte(term), FieldText, true, true, false)
		if err != nil {
			return fmt.Errorf("keyword index: %w", err)
		}
		df := int(tfr.Count())
		if df == 0 {
			tfr.Close()
			continue
		}
		idf := index.IDF(docs, df)
		for i := 0; ; i++ {
			if i%8192 == 0 {
				if err := ctx.Err(); err != nil {
					tfr.Close()
					return err
				}
			}
			got, err := tfr.Next(&tfd)
			if err != nil {
				tfr.Close()
				return fmt.Errorf("keyword index: %w", err)
			}
			if got == nil {
				break
			}
			tf := float64(got.Freq)
			dl := 1 / (got.Norm * got.Norm)
			acc.add(got.ID.Value(), qw*idf*tf*(bm25K1+1)/(tf+bm25K1*(1-bm25B+bm25B*dl/avgdl)))
		}
		tfr.Close()
	}
	return nil
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
// best first.
func (acc *accumulator) top(n int, allowed *bitset) []scored {
	h := make(worstFirst, 0, min(n, len(acc.touched)))
	for _, d := range acc.touched {
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

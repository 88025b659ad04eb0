package local

import (
	"cmp"
	"container/list"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	bindex "github.com/blevesearch/bleve_index_api"
)

// A long-running server asks for the same common words again and again,
// and walking a word's postings through Bleve costs ~70 ns a posting
// (a title query touches ~120k of them at 119k papers): most of a
// keyword leg. A postingCache keeps the postings of recently asked words
// decoded, as flat arrays the BM25 loop walks at a few ns a posting.
//
// It is only ever attached to a Store, which is one generation's
// read-only view: the postings it caches cannot change under it. It holds
// exactly what the term reader yields (internal number, frequency, norm),
// so a score computed from it is the same float as one computed from the
// reader: the ranking does not depend on whether a word was cached.
// One-shot commands do not use it (decoding a list to walk it once costs
// more than walking it); serve turns it on (Store.Preload).

// postingCacheBytes bounds the decoded postings a Store of papers papers
// keeps: 1 KiB a paper, at least 256 MiB and at most 2 GiB. Every word's
// postings together take about 850 bytes a paper (100 MB at 119k arXiv
// papers), so up to 2M papers the whole index's fit. At 1M papers a
// 256 MiB cache kept a served hybrid query at a p50 of 50–62 ms, 1 GiB at
// 29–42 ms (bench/load, one client, the same 500 titles twice, the two
// servers alternating).
func postingCacheBytes(papers int) int64 {
	return min(max(int64(papers)<<10, 256<<20), 2<<30)
}

// bytesPerPosting is what one decoded posting takes.
const bytesPerPosting = 4 + 4 + 2

// decodedPostings is one word's postings in internal-number order.
type decodedPostings struct {
	docs []uint32
	norm []float32 // the field-length norm Bleve reports (a float32 value)
	freq []uint16
}

func (p *decodedPostings) size() int64 { return int64(len(p.docs)) * bytesPerPosting }

// postingCache is a byte-bounded LRU of decoded postings by word.
type postingCache struct {
	mu    sync.Mutex
	limit int64
	bytes int64
	order *list.List // of *cacheEntry, most recently used first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	term string
	list *decodedPostings
}

func newPostingCache(limit int64) *postingCache {
	return &postingCache{limit: limit, order: list.New(), byKey: map[string]*list.Element{}}
}

// get returns the cached postings of term, or nil.
func (c *postingCache) get(term string) *decodedPostings {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[term]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cacheEntry).list
	}
	return nil
}

// put keeps p as term's postings, evicting the least recently used words
// to stay within the limit. A list larger than a quarter of the limit is
// not kept: it would push out many others.
func (c *postingCache) put(term string, p *decodedPostings) {
	if p.size() > c.limit/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[term]; ok {
		return // decoded concurrently by another query
	}
	c.byKey[term] = c.order.PushFront(&cacheEntry{term: term, list: p})
	c.bytes += p.size()
	for c.bytes > c.limit {
		e := c.order.Back()
		ce := e.Value.(*cacheEntry)
		c.order.Remove(e)
		delete(c.byKey, ce.term)
		c.bytes -= ce.list.size()
	}
}

// decodePostings walks tfr (a fresh reader of one word) to its end. ok is
// false when a posting does not fit the compact form (a frequency above
// 65535 or an internal number above 2³²−1): the word is then walked in
// Bleve as before.
func decodePostings(ctx context.Context, tfr bindex.TermFieldReader) (p *decodedPostings, ok bool, err error) {
	n := int(tfr.Count())
	p = &decodedPostings{docs: make([]uint32, 0, n), norm: make([]float32, 0, n), freq: make([]uint16, 0, n)}
	var tfd bindex.TermFieldDoc
	for j := 0; ; j++ {
		if j%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
		}
		got, err := tfr.Next(&tfd)
		if err != nil {
			return nil, false, fmt.Errorf("keyword index: %w", err)
		}
		if got == nil {
			return p, true, nil
		}
		d := got.ID.Value()
		if d > math.MaxUint32 || got.Freq > math.MaxUint16 || float64(float32(got.Norm)) != got.Norm {
			return nil, false, nil
		}
		p.docs = append(p.docs, uint32(d))
		p.norm = append(p.norm, float32(got.Norm))
		p.freq = append(p.freq, uint16(got.Freq))
	}
}

// warmFloor is the fewest postings a word must have for warmPostings to
// decode it ahead of its first query: a rarer word costs a query at most
// ~70 µs to decode then.
const warmFloor = 1000

// warmPostings decodes the postings of the index's commonest words into
// c, the commonest first, until they fill half of it (the other half is
// left to the words queries bring in). A server runs it once, in the
// background, when it loads a generation: a title query at 1M papers
// walks ~1M postings of a handful of common words, and decoding each the
// first time it was asked made most of a new server's query time
// (bench/load at 1M, one client: p50 38 ms over 500 titles once, 29 ms
// when the same titles were asked again).
func warmPostings(ctx context.Context, r bindex.IndexReader, c *postingCache) error {
	dict, err := r.FieldDict(FieldText)
	if err != nil {
		return fmt.Errorf("keyword index: %w", err)
	}
	type word struct {
		term string
		n    uint64
	}
	var words []word
	for {
		e, err := dict.Next()
		if err != nil {
			dict.Close()
			return fmt.Errorf("keyword index: %w", err)
		}
		if e == nil {
			break
		}
		if e.Count >= warmFloor {
			words = append(words, word{e.Term, e.Count})
		}
	}
	if err := dict.Close(); err != nil {
		return fmt.Errorf("keyword index: %w", err)
	}
	slices.SortFunc(words, func(a, b word) int { return cmp.Compare(b.n, a.n) })
	budget := c.limit / 2
	for _, w := range words {
		size := int64(w.n) * bytesPerPosting
		if size > budget || size > c.limit/4 {
			continue // too large for what is left (or for put); a rarer word may fit
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.has(w.term) {
			continue
		}
		tfr, err := r.TermFieldReader(ctx, []byte(w.term), FieldText, true, true, false)
		if err != nil {
			return fmt.Errorf("keyword index: %w", err)
		}
		dec, ok, err := decodePostings(ctx, tfr)
		tfr.Close()
		if err != nil {
			return err
		}
		if ok {
			c.put(w.term, dec)
			budget -= dec.size()
		}
	}
	return nil
}

// has reports whether term's postings are cached, leaving the order of
// use alone.
func (c *postingCache) has(term string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.byKey[term]
	return ok
}

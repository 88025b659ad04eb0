package words

import (
	"bytes"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// MaxStems bounds the stem cache: past this many distinct words, new words
// are stemmed each time and not kept. The 119k arXiv set's title and
// abstract make 16.7M tokens of 194,452 distinct words after stop words
// (paperseek_en); an entry costs about a hundred bytes (map slot, key and
// stem), so the cache stays near 30 MiB at most whatever the corpus, and
// the words past the bound are the rare ones.
const MaxStems = 1 << 18

const stemShards = 64

// stems maps a word to its Porter stem. A shard's lock is held for a map
// lookup only; sharding keeps two cores off each other's lock.
var stems struct {
	seed   maphash.Seed
	n      atomic.Int64
	shards [stemShards]struct {
		mu sync.RWMutex
		m  map[string][]byte
		_  [32]byte // its own cache line, with mu and m
	}
}

func init() {
	stems.seed = maphash.MakeSeed()
	for i := range stems.shards {
		stems.shards[i].m = make(map[string][]byte)
	}
}

// Stem returns the Porter stem of term as Bleve's stemmer_porter filter
// makes it (runes in, go-porterstemmer's StemWithoutLowerCasing, UTF-8
// out; invalid UTF-8 becomes U+FFFD on the way). The result may be shared
// with other callers: it must not be modified. Safe for concurrent use.
func Stem(term []byte) []byte {
	sh := &stems.shards[maphash.Bytes(stems.seed, term)%stemShards]
	sh.mu.RLock()
	s, ok := sh.m[string(term)]
	sh.mu.RUnlock()
	if ok {
		return s
	}
	s = porterStem(term)
	if stems.n.Load() < MaxStems {
		sh.mu.Lock()
		if _, ok := sh.m[string(term)]; !ok {
			if stems.n.Add(1) <= MaxStems {
				// string(term) copies: the key never aliases a caller's buffer.
				sh.m[string(term)] = s
			} else {
				stems.n.Add(-1)
			}
		}
		sh.mu.Unlock()
	}
	return s
}

// porterStem is Bleve's porter filter on one term, with the result's
// capacity cut to its length so that no append can write into a shared
// stem.
func porterStem(term []byte) []byte {
	s := analysis.BuildTermFromRunes(porterstemmer.StemWithoutLowerCasing(bytes.Runes(term)))
	return s[:len(s):len(s)]
}

// StemFilter is Bleve's stemmer_porter token filter through Stem: it stems
// every token not marked KeyWord. Terms it sets are shared and read-only.
type StemFilter struct{}

// Filter implements analysis.TokenFilter.
func (StemFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if !t.KeyWord {
			t.Term = Stem(t.Term)
		}
	}
	return input
}

package local

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/paperseek/paperseek/index"
)

// gallop must land on the first number at or after d from any start, the
// pruned walk's only way through a cached list.
func TestGallop(t *testing.T) {
	docs := []uint32{2, 3, 5, 8, 13, 21, 34, 55, 89, 144}
	for from := 0; from <= len(docs); from++ {
		for d := uint64(0); d < 150; d++ {
			want := from
			for want < len(docs) && uint64(docs[want]) < d {
				want++
			}
			if got := gallop(docs, from, d); got != want {
				t.Fatalf("gallop(from %d, %d) = %d, want %d", from, d, got, want)
			}
		}
	}
	if got := gallop(nil, 0, 7); got != 0 {
		t.Fatalf("gallop over no postings = %d, want 0", got)
	}
}

// The cache keeps what fits its byte limit, evicting the least recently
// used word first, and never keeps a list too big to share the cache.
func TestPostingCacheEvictsLeastRecentlyUsed(t *testing.T) {
	list := func(n int) *decodedPostings {
		return &decodedPostings{docs: make([]uint32, n), norm: make([]float32, n), freq: make([]uint16, n)}
	}
	c := newPostingCache(40 * bytesPerPosting)
	c.put("a", list(10))
	c.put("b", list(10))
	c.put("c", list(10))
	c.get("a") // b is now the least recently used
	c.put("d", list(10))
	c.put("e", list(10)) // over the limit: b goes
	for term, kept := range map[string]bool{"a": true, "b": false, "c": true, "d": true, "e": true} {
		if got := c.get(term) != nil; got != kept {
			t.Errorf("%s kept %v, want %v", term, got, kept)
		}
	}
	c.put("huge", list(11)) // more than a quarter of the limit
	if c.get("huge") != nil {
		t.Error("a list over a quarter of the limit was kept")
	}
	if c.bytes > c.limit {
		t.Errorf("holds %d bytes, limit %d", c.bytes, c.limit)
	}
}

// TestPostingCacheGrowsWithTheIndex checks the served cache's bound: the
// 256 MiB floor for a small index, 1 KiB a paper above it (every word's
// postings of 1M papers fit), 2 GiB at most.
func TestPostingCacheGrowsWithTheIndex(t *testing.T) {
	for _, tt := range []struct {
		papers int
		want   int64
	}{
		{0, 256 << 20},
		{118_820, 256 << 20},
		{1_000_000, 1_000_000 << 10},
		{2_700_000, 2 << 30},
	} {
		if got := postingCacheBytes(tt.papers); got != tt.want {
			t.Errorf("%d papers: cache of %d bytes, want %d", tt.papers, got, tt.want)
		}
	}
}

// TestServedStoreWarmsCommonWords: a server's store decodes the postings
// of the words at least warmFloor papers hold before any query asks for
// them, leaves rarer words to their first query, and ranks the same with
// them cached.
func TestServedStoreWarmsCommonWords(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(warmFloor+200, "w")) // "method" in all, "protein" in a sixth
	one := open(t, dir)
	served := open(t, dir)
	if err := served.Preload(); err != nil {
		t.Fatal(err)
	}
	term := func(w string) string { return analyze(served.analyzer)(w)[0] }
	c := served.postings.Load()
	for deadline := time.Now().Add(30 * time.Second); !c.has(term("method")); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the served store never decoded the postings of a word every paper holds")
		}
	}
	if c.has(term("protein")) {
		t.Errorf("a word of %d papers (under %d) was decoded before any query asked for it", (warmFloor+200)/6, warmFloor)
	}
	ctx := context.Background()
	q := index.KeywordQuery{Text: "protein folding method"}
	want, err := one.Keyword(ctx, q, index.Filter{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	got, err := served.Keyword(ctx, q, index.Filter{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("with warmed postings\n%v\nwithout\n%v", got, want)
	}
}

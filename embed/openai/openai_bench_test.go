package openai

import (
	"context"
	"fmt"
	"testing"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/embed/cache"
	"github.com/paperseek/paperseek/embed/openai/openaitest"
)

// benchTexts are abstract-sized (~1 KB) texts.
func benchTexts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("paper %d: %0980d", i, i)
	}
	return out
}

// BenchmarkEmbedDocuments is our overhead per 1024 abstracts at 1536
// dimensions against an in-process server: request building, JSON decoding
// of ~30 MB of floats, checking and normalising. A real server's latency
// comes on top.
func BenchmarkEmbedDocuments(b *testing.B) {
	srv := openaitest.NewServer(b)
	srv.Dimensions = 1536
	e, err := New(Config{BaseURL: srv.URL, Model: "text-embedding-3-small", Dimensions: 1536})
	if err != nil {
		b.Fatal(err)
	}
	texts := benchTexts(1024)
	for b.Loop() {
		if _, err := e.EmbedDocuments(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbedDocumentsCached is a re-index where every text is cached:
// no request at all, one pread per text.
func BenchmarkEmbedDocumentsCached(b *testing.B) {
	srv := openaitest.NewServer(b)
	srv.Dimensions = 1536
	c, err := cache.Open(b.TempDir(), embed.Fingerprint{Name: "openai", Model: "text-embedding-3-small", Dimensions: 1536})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	e, err := New(Config{BaseURL: srv.URL, Model: "text-embedding-3-small", Dimensions: 1536, Cache: c})
	if err != nil {
		b.Fatal(err)
	}
	texts := benchTexts(1024)
	if _, err := e.EmbedDocuments(context.Background(), texts); err != nil {
		b.Fatal(err)
	}
	before := srv.RequestCount()
	for b.Loop() {
		if _, err := e.EmbedDocuments(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
	}
	if srv.RequestCount() != before {
		b.Fatalf("cached run sent %d requests", srv.RequestCount()-before)
	}
}

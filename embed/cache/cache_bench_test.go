package cache

import (
	"fmt"
	"testing"

	"github.com/paperseek/paperseek/embed"
)

// The benchmarks use text-embedding-3-small's 1536 dimensions, the largest
// records we expect in practice.
var benchFP = embed.Fingerprint{Name: "openai", Model: "text-embedding-3-small", Dimensions: 1536}

func benchBatch(start, n int) ([]string, [][]float32) {
	ts := make([]string, n)
	vs := make([][]float32, n)
	for i := range n {
		ts[i] = fmt.Sprintf("benchmark paper %d", start+i)
		v := make([]float32, benchFP.Dimensions)
		for j := range v {
			v[j] = float32(start+i+j) * 1e-4
		}
		vs[i] = v
	}
	return ts, vs
}

func fillCache(b *testing.B, dir string, n int) {
	b.Helper()
	c, err := Open(dir, benchFP)
	if err != nil {
		b.Fatal(err)
	}
	for start := 0; start < n; start += 256 {
		ts, vs := benchBatch(start, min(256, n-start))
		if err := c.Put(ts, vs); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkOpen measures the cost of a re-run's start: reading and checking
// every record of a 10k-entry file (~62 MB) to rebuild the in-memory index.
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	const n = 10000
	fillCache(b, dir, n)
	b.SetBytes(n * recordSize(benchFP.Dimensions))
	for b.Loop() {
		c, err := Open(dir, benchFP)
		if err != nil {
			b.Fatal(err)
		}
		if c.Len() != n {
			b.Fatalf("Len = %d", c.Len())
		}
		_ = c.Close()
	}
}

// BenchmarkGet is one cache hit: a pread of one record, its checksum, decode.
func BenchmarkGet(b *testing.B) {
	dir := b.TempDir()
	const n = 2048
	fillCache(b, dir, n)
	c, err := Open(dir, benchFP)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ts, _ := benchBatch(0, n)
	i := 0
	for b.Loop() {
		if _, ok := c.Get(ts[i%n]); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

// BenchmarkPut256 is the write of one default-sized embedding batch,
// dominated by the fsync that makes it durable.
func BenchmarkPut256(b *testing.B) {
	c, err := Open(b.TempDir(), benchFP)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	start := 0
	for b.Loop() {
		b.StopTimer()
		ts, vs := benchBatch(start, 256)
		start += 256
		b.StartTimer()
		if err := c.Put(ts, vs); err != nil {
			b.Fatal(err)
		}
	}
}

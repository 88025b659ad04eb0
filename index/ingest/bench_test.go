package ingest

import (
	"io"
	"os"
	"testing"
)

// BenchmarkReadArxiv119k reads the 119k-paper arXiv set (gzipped JSON
// lines, 191 MB raw) end to end: gunzip, line splitting, JSON decoding and
// cleaning, which is the whole input side of `paperseek index`.
func BenchmarkReadArxiv119k(b *testing.B) {
	const path = "../../../shared/data/arxiv/arxiv-119k.jsonl.gz"
	if _, err := os.Stat(path); err != nil {
		b.Skipf("shared data not available: %v", err)
	}
	papers := 0
	for b.Loop() {
		r, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil { // a bad record here is a regression too
				b.Fatalf("reading %s: %v", path, err)
			}
			papers++
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(papers)/b.Elapsed().Seconds(), "papers/s")
	b.ReportMetric(float64(papers)/float64(b.N), "papers/op")
}

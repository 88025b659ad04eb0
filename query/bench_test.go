package query

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// The scale benchmarks search a prebuilt index of the 119k-paper arXiv set:
//
//	paperseek index --index /tmp/ps-119k ../shared/data/arxiv/arxiv-119k.jsonl.gz
//	PAPERSEEK_BENCH_INDEX=/tmp/ps-119k go test -run '^$' -bench 119k ./query
//
// (bench/search.sh does both.) Without the variable they are skipped.
func openBenchIndex(b *testing.B) *Engine {
	dir := os.Getenv("PAPERSEEK_BENCH_INDEX")
	if dir == "" {
		b.Skip("set PAPERSEEK_BENCH_INDEX to an index directory (see bench/search.sh)")
	}
	ix, err := index.Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	return New(ix, Options{})
}

// benchQueries are title-length queries of the kind people type, on topics
// the arXiv set covers.
var benchQueries = []string{
	"speculative decoding for large language models",
	"kv cache compression long context",
	"retrieval augmented generation hallucination",
	"graph neural networks for molecules",
	"diffusion models image editing",
	"reinforcement learning from human feedback",
	"vision transformer efficient attention",
	"federated learning privacy",
	"mixture of experts routing",
	"code generation benchmark",
	"quantum error correction surface code",
	"robot manipulation imitation learning",
	"low rank adaptation fine tuning",
	"multimodal reasoning benchmark",
	"time series forecasting transformer",
	"adversarial robustness certified defense",
}

// queriesForBench are benchQueries, or the lines of the file named by
// PAPERSEEK_BENCH_QUERIES (bench/titles.sh 500: the queries bench/scale.sh
// and the HTTP load runs send, whole titles).
func queriesForBench(b *testing.B) []string {
	path := os.Getenv("PAPERSEEK_BENCH_QUERIES")
	if path == "" {
		return benchQueries
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var qs []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			qs = append(qs, l)
		}
	}
	if len(qs) == 0 {
		b.Fatalf("%s holds no queries", path)
	}
	return qs
}

func benchSearch(b *testing.B, mode Mode, k int) {
	e := openBenchIndex(b)
	queries := queriesForBench(b)
	ctx := context.Background()
	if p, ok := e.st.(interface{ Preload() error }); ok { // as serve does
		if err := p.Preload(); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		resp, err := e.Search(ctx, Request{Query: q, Mode: mode, K: k})
		if err != nil {
			b.Fatal(err)
		}
		if len(resp.Results) == 0 {
			b.Fatalf("no results for %q", q)
		}
	}
}

func BenchmarkKeyword119k(b *testing.B)  { benchSearch(b, ModeKeyword, 10) }
func BenchmarkSemantic119k(b *testing.B) { benchSearch(b, ModeSemantic, 10) }
func BenchmarkHybrid119k(b *testing.B)   { benchSearch(b, ModeHybrid, 10) }

func BenchmarkRelated119k(b *testing.B) {
	e := openBenchIndex(b)
	ctx := context.Background()
	// Seeds: the papers the benchmark queries find, a spread of topics.
	var seeds []string
	for _, q := range benchQueries {
		resp, err := e.Search(ctx, Request{Query: q, Mode: ModeKeyword, K: 20, IDsOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range resp.Results {
			seeds = append(seeds, r.ID)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := seeds[(i*7919)%len(seeds)]
		if _, err := e.Related(ctx, id, Request{K: 10}); err != nil && !strings.Contains(err.Error(), "no paper") {
			b.Fatal(err)
		}
	}
}

// BenchmarkHybridDemo needs no data: the 60-paper demo index TestMain built.
func BenchmarkHybridDemo(b *testing.B) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := testEngine.Search(ctx, Request{Query: benchQueries[i%len(benchQueries)]}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOneShot119k is a one-shot `paperseek search` without the
// process: open the index, search (hybrid), close.
func BenchmarkOneShot119k(b *testing.B) {
	dir := os.Getenv("PAPERSEEK_BENCH_INDEX")
	if dir == "" {
		b.Skip("set PAPERSEEK_BENCH_INDEX to an index directory (see bench/search.sh)")
	}
	queries := queriesForBench(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		ix, err := index.Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := New(ix, Options{}).Search(ctx, Request{Query: queries[i%len(queries)]}); err != nil {
			b.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkEvaluate scores a SciFact-sized run: the 809 judged train queries,
// 100 results each, the relevant papers spread through the ranking.
func BenchmarkEvaluate(b *testing.B) {
	path := filepath.Join("..", "..", "..", "shared", "data", "beir", "scifact", "qrels", "train.tsv")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("shared data absent: %v", err)
	}
	qrels, err := ReadQrels(path)
	if err != nil {
		b.Fatal(err)
	}
	run := make(map[string][]string, len(qrels))
	n := 0
	for qid, docs := range qrels {
		ranked := make([]string, 0, 100)
		for i := 0; len(ranked) < 100; i++ {
			ranked = append(ranked, fmt.Sprintf("filler-%d", i))
		}
		pos := n % 20
		for doc := range docs {
			ranked[pos] = doc
			pos += 7
		}
		run[qid] = ranked
		n++
	}
	b.ReportAllocs()
	for b.Loop() {
		if s := Evaluate(qrels, run); s.Queries != len(qrels) {
			b.Fatalf("evaluated %d queries, want %d", s.Queries, len(qrels))
		}
	}
}

package local

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"testing"
)

// scifactTexts returns SciFact's 5,183 abstracts (title + "\n" + text) from
// the shared data, or skips the benchmark when it is absent.
func scifactTexts(b *testing.B) []string {
	f, err := os.Open("../../../shared/data/beir/scifact/corpus.jsonl")
	if err != nil {
		b.Skip("shared data absent")
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d struct{ Title, Text string }
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			b.Fatal(err)
		}
		texts = append(texts, d.Title+"\n"+d.Text)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return texts
}

// BenchmarkEmbedQuery embeds a typical query with a model trained on SciFact
// (5,183 abstracts).
func BenchmarkEmbedQuery(b *testing.B) {
	ctx := context.Background()
	m, err := Train(ctx, TextsCorpus(scifactTexts(b)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	const q = "Vitamin D deficiency increases the risk of cardiovascular disease in elderly patients."
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.EmbedQuery(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

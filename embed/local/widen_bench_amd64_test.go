package local

import (
	"context"
	"testing"

	"github.com/paperseek/paperseek/embed"
)

// BenchmarkEmbedTerms embeds SciFact's 5,183 abstracts from their terms, as
// an index run embeds ASCII papers (the words already analysed), with the
// model trained on them: sub-benchmarks "avx" and "go" sum the word rows
// with addWidened's kernel and without it, in the same run.
//
//	go test ./embed/local -run '^$' -bench EmbedTerms -count 5
func BenchmarkEmbedTerms(b *testing.B) {
	texts := scifactTexts(b)
	m, err := Train(context.Background(), TextsCorpus(texts), Options{})
	if err != nil {
		b.Fatal(err)
	}
	docs := make([]embed.Document, len(texts))
	for i, t := range texts {
		terms := []string{}
		m.tok.tokens(t, func(s string) { terms = append(terms, s) })
		docs[i] = embed.Document{Text: t, Terms: terms}
	}
	out := make([]float32, m.Dimensions())
	hasAVX := useAVX
	defer func() { useAVX = hasAVX }()
	for _, k := range []struct {
		name string
		avx  bool
	}{{"avx", true}, {"go", false}} {
		if k.avx && !hasAVX {
			continue
		}
		b.Run(k.name, func(b *testing.B) {
			useAVX = k.avx
			var ids []int32
			for b.Loop() {
				for _, d := range docs {
					ids = m.embed(d, out, ids)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(docs)), "ns/doc")
		})
	}
}

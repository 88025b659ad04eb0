package local

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTokenizeCorpusMatchesSerial checks the parallel tokeniser (several
// batches, per-batch word numbering merged in order) against a direct
// serial pass: same stream, counts, document frequencies and word ids in
// first-occurrence order, for any number of workers.
func TestTokenizeCorpusMatchesSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var texts []string
	for d := 0; d < 1300; d++ { // more than two batches of 512
		text := ""
		for i := rng.IntN(30); i > 0; i-- {
			text += fmt.Sprintf("word%d running ", rng.IntN(2000)*rng.IntN(3))
		}
		texts = append(texts, text)
	}
	tok, err := newTokenizer(TokenizerEn)
	if err != nil {
		t.Fatal(err)
	}
	want := &tokenized{start: []int{0}}
	ids := map[string]int32{}
	for _, text := range texts {
		seen := map[int32]bool{}
		tok.tokens(text, func(w string) {
			id, ok := ids[w]
			if !ok {
				id = int32(len(want.terms))
				ids[w] = id
				want.terms = append(want.terms, w)
				want.count = append(want.count, 0)
				want.df = append(want.df, 0)
			}
			want.count[id]++
			if !seen[id] {
				seen[id] = true
				want.df[id]++
			}
			want.stream = append(want.stream, id)
		})
		want.start = append(want.start, len(want.stream))
	}
	for _, workers := range []int{1, 3} {
		got, err := tokenizeCorpus(context.Background(), TextsCorpus(texts).documents(), TokenizerEn, tok, workers)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.terms, want.terms) || !slices.Equal(got.count, want.count) ||
			!slices.Equal(got.df, want.df) || !slices.Equal(got.stream, want.stream) ||
			!slices.Equal(got.start, want.start) {
			t.Fatalf("%d workers: tokenized corpus differs from the serial pass", workers)
		}
	}
}

// TestTrainingSamplesCorpusOverMaxDocs checks that a corpus over MaxDocs
// trains exactly the model of its evenly spaced sample (the counts and
// document frequencies are the sample's own, not the whole corpus's), and
// that the cap matters: the whole corpus gives another model.
func TestTrainingSamplesCorpusOverMaxDocs(t *testing.T) {
	_, texts := seedPapers(t)
	const keep = 40
	var sample []string
	for j := 0; j < keep; j++ {
		sample = append(sample, texts[j*len(texts)/keep])
	}
	train := func(texts []string, maxDocs int) []byte {
		t.Helper()
		m, err := Train(context.Background(), TextsCorpus(texts), Options{Dimensions: 16, Seed: 7, MaxDocs: maxDocs})
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sampled := train(texts, keep)
	if !slices.Equal(sampled, train(sample, 0)) {
		t.Fatalf("MaxDocs %d over %d papers: the model differs from one trained on the evenly spaced sample", keep, len(texts))
	}
	// Told the corpus's size, training skips the rest as it reads; told a
	// wrong one, it reads the corpus whole again: the same model each time.
	for _, size := range []int{len(texts), len(texts) + 5, len(texts) - 5} {
		m, err := Train(context.Background(), TextsCorpus(texts), Options{Dimensions: 16, Seed: 7, MaxDocs: keep, CorpusSize: size})
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(b, sampled) {
			t.Fatalf("CorpusSize %d of %d papers: the model differs from the sampled one", size, len(texts))
		}
	}
	if slices.Equal(sampled, train(texts, 0)) {
		t.Fatalf("MaxDocs %d over %d papers gave the whole corpus's model: nothing was sampled", keep, len(texts))
	}
	if !slices.Equal(train(texts, len(texts)), train(texts, 0)) {
		t.Fatal("MaxDocs equal to the corpus size changed the model")
	}
}

package local

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// A paper holding a quoted phrase scores its BM25 plus the phrase's bonus;
// one holding the same words apart, or in another order, scores its BM25
// alone. A stop word the analyser drops keeps its gap, which any one word
// fills.
func TestPhraseBonusExact(t *testing.T) {
	dir := t.TempDir()
	papers := []index.Paper{
		{ID: "phrase", Title: "Routing in a mixture of experts", Abstract: "Sparse layers route tokens."},
		{ID: "apart", Title: "Experts and their mixture routing", Abstract: "Mixture routing schemes, experts say, route tokens to experts; routing a mixture well needs experts."},
		{ID: "gap", Title: "Mixture gating experts", Abstract: "Another word instead of the stop word."},
		{ID: "two", Title: "Mixture gating of experts", Abstract: "Two words where the phrase has one."},
		{ID: "stop", Title: "Mixture for experts", Abstract: "Another stop word in the gap."},
		{ID: "other", Title: "Graph kernels", Abstract: "Kernels for molecules."},
	}
	build(t, dir, index.WriteOptions{}, papers)
	s := open(t, dir)
	if ok, _ := s.MatchesPhrases(); !ok {
		t.Fatal("a new index does not match phrases")
	}
	ctx := context.Background()
	text := `"mixture of experts" routing`
	plain, err := s.Keyword(ctx, index.KeywordQuery{Text: text}, index.Filter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	quoted, err := s.Keyword(ctx, index.KeywordQuery{Text: text, Phrases: index.ParsePhrases(text)}, index.Filter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.TermStats(ctx, index.Terms("mixture of experts"))
	if err != nil {
		t.Fatal(err)
	}
	bonus := index.PhraseBonus(st)
	score := func(hits []index.Hit, id string) float64 {
		for _, h := range hits {
			if h.ID == id {
				return h.Score
			}
		}
		t.Fatalf("%s not found", id)
		return 0
	}
	if plain[0].ID != "apart" {
		t.Fatalf("without quotes %s leads; the test wants the paper holding the words apart to", plain[0].ID)
	}
	if quoted[0].ID != "phrase" {
		t.Errorf("with quotes %s leads, want the paper holding the phrase", quoted[0].ID)
	}
	want := map[string]float64{
		"phrase": score(plain, "phrase") + bonus,
		"stop":   score(plain, "stop") + bonus, // "for" is dropped like "of"
		"apart":  score(plain, "apart"),
		// The dropped stop word stands for any one word, as in Lucene.
		"gap": score(plain, "gap") + bonus,
		"two": score(plain, "two"),
	}
	for id, want := range want {
		if got := score(quoted, id); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s scored %v with the phrase quoted, want %v", id, got, want)
		}
	}
}

// Phrases keep the keyword ranking prefix-stable across re-scoring blocks.
func TestPhraseKeywordIsPrefixStable(t *testing.T) {
	dir := t.TempDir()
	papers := corpus(900, "p")
	for i := range papers {
		if i%4 == 0 { // the words apart in a quarter of the papers
			papers[i].Abstract += " decoding is speculative here"
		}
	}
	build(t, dir, index.WriteOptions{}, papers)
	s := open(t, dir)
	ctx := context.Background()
	q := index.KeywordQuery{Text: `"speculative decoding" draft model memory`, Phrases: []string{"speculative decoding"}}
	full, err := s.Keyword(ctx, q, index.Filter{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(full) < 450 {
		t.Fatalf("only %d hits; the test needs more than two blocks", len(full))
	}
	for _, n := range []int{1, 10, 199, 200, 201, 399, 401} {
		got, err := s.Keyword(ctx, q, index.Filter{}, n)
		if err != nil {
			t.Fatal(err)
		}
		if ids(got) != ids(full[:min(n, len(full))]) {
			t.Errorf("the top %d is not a prefix of the top 1000", n)
		}
	}
}

// An index made before word positions were recorded (testdata, built by
// the previous release) reads as before, matching phrases as words and
// saying how to fix it; the next index run adds positions and keeps every
// vector.
func TestIndexWithoutPositions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "old")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "format2-index"))); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if ok, fix := s.MatchesPhrases(); ok || fix == "" {
		t.Fatalf("MatchesPhrases = %v, %q on an index without positions", ok, fix)
	}
	q := index.KeywordQuery{Text: `"kv cache"`, Phrases: []string{"kv cache"}}
	asWords, err := s.Keyword(ctx, q, index.Filter{}, 20)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.Keyword(ctx, index.KeywordQuery{Text: "kv cache"}, index.Filter{}, 20)
	if err != nil || ids(asWords) != ids(plain) || len(plain) == 0 {
		t.Fatalf("phrase on an old index = %s, plain words = %s (%v)", ids(asWords), ids(plain), err)
	}
	vecs := map[string][]float32{}
	for _, h := range plain {
		if vecs[h.ID], err = s.Vector(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	build(t, dir, index.WriteOptions{}) // an index run adding nothing
	s = open(t, dir)
	if ok, _ := s.MatchesPhrases(); !ok {
		t.Fatal("an index run did not add word positions")
	}
	for id, want := range vecs {
		got, err := s.Vector(ctx, id)
		if err != nil || len(got) != len(want) {
			t.Fatalf("vector of %s after the run: %v", id, err)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("vector of %s changed", id)
			}
		}
	}
	if n := s.Info().Papers; n != 16 {
		t.Errorf("%d papers after the run, want 16", n)
	}
	quoted, err := s.Keyword(ctx, q, index.Filter{}, 20)
	if err != nil || ids(quoted) == ids(plain) {
		t.Errorf("after the run the phrase still ranks as plain words: %s (%v)", ids(quoted), err)
	}
}

package local

import (
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/paperseek/paperseek/internal/words/wordstest"
)

// TestEnTokenizerIsBleve: the "en" tokenizer, with package words' tokenizer
// and stemmer, gives the token streams and words Bleve's "en" analyzer
// gives.
func TestEnTokenizerIsBleve(t *testing.T) {
	old, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := newTokenizer(TokenizerEn)
	if err != nil {
		t.Fatal(err)
	}
	a := tk.(bleveTokenizer).a
	check := func(text string) {
		want := old.Analyze([]byte(text))
		if err := wordstest.Same(want, a.Analyze([]byte(text))); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		var got, gotBytes []string
		tk.tokens(text, func(s string) { got = append(got, s) })
		tk.tokenBytes(text, func(b []byte) { gotBytes = append(gotBytes, string(b)) })
		if len(got) != len(want) || !slices.Equal(got, gotBytes) {
			t.Fatalf("%q: tokens %q, tokenBytes %q, want %d words", text, got, gotBytes, len(want))
		}
		for i, w := range want {
			if got[i] != string(w.Term) {
				t.Fatalf("%q: word %d is %q, want %q", text, i, got[i], w.Term)
			}
		}
	}
	for _, s := range wordstest.All(t, "../../testdata") {
		check(s)
	}
	t.Run("arxiv-119k", func(t *testing.T) { wordstest.Arxiv119k(t, check) })
}

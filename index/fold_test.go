package index

import (
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/paperseek/paperseek/internal/words/wordstest"
)

func TestAnalyzerFoldsAccents(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"Đoković", "Djokovic"},
		{"DJOKOVIĆ", "djokovic"},
		{"Schrödinger equation", "Schrodinger equations"},
		{"Müller's café", "Muller cafe"},
		{"Straße", "strasse"},
		{"Ærø", "aero"},
	} {
		if a, b := Terms(tt.a), Terms(tt.b); !slices.Equal(a, b) || len(a) == 0 {
			t.Errorf("Terms(%q) = %q, Terms(%q) = %q: want the same", tt.a, a, tt.b, b)
		}
	}
	// Letters with no ASCII form stay; stop words are still stopped after folding.
	if got := Terms("μ-opioid θέμα"); !slices.Contains(got, "μ") {
		t.Errorf("Greek lost: %q", got)
	}
	if got := Terms("thé"); len(got) != 0 {
		t.Errorf("\"thé\" folds to the stop word \"the\": %q", got)
	}
}

// TestAnalyzerIsBleve: paperseek_en, with package words' tokenizer and
// stemmer, gives the token streams it gave built from Bleve's unicode
// tokenizer and porter filter.
func TestAnalyzerIsBleve(t *testing.T) {
	cache := registry.NewCache()
	tok, err := cache.TokenizerNamed(unicode.Name)
	if err != nil {
		t.Fatal(err)
	}
	var filters []analysis.TokenFilter
	for _, name := range []string{en.PossessiveName, lowercase.Name, foldFilterName, en.StopName, porter.Name} {
		f, err := cache.TokenFilterNamed(name)
		if err != nil {
			t.Fatal(err)
		}
		filters = append(filters, f)
	}
	old := &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: filters}
	check := func(text string) {
		if err := wordstest.Same(old.Analyze([]byte(text)), Analyzer().Analyze([]byte(text))); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	}
	for _, s := range wordstest.All(t, "../testdata") {
		check(s)
	}
	t.Run("arxiv-119k", func(t *testing.T) { wordstest.Arxiv119k(t, check) })
}

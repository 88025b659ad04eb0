package index

import (
	"bytes"
	"encoding/json"
	"os"
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
	old := bleveAnalyzer(t)
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

// bleveAnalyzer is paperseek_en as it was built from Bleve's unicode
// tokenizer and porter filter.
func bleveAnalyzer(t testing.TB) analysis.Analyzer {
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
	return &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: filters}
}

// BenchmarkAnalyzer analyzes the bundled papers' title + abstract, as the
// keyword index does, with paperseek_en built on Bleve's tokenizer and
// stemmer and on package words':
//
//	go test -run '^$' -bench Analyzer -count 6 ./index
func BenchmarkAnalyzer(b *testing.B) {
	papers, err := os.ReadFile("../testdata/papers.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var texts [][]byte
	for _, line := range bytes.Split(papers, []byte("\n")) {
		var p struct{ Title, Abstract string }
		if json.Unmarshal(line, &p) == nil {
			texts = append(texts, []byte(p.Title+"\n"+p.Abstract))
		}
	}
	for _, c := range []struct {
		name string
		a    analysis.Analyzer
	}{{"bleve", bleveAnalyzer(b)}, {"words", Analyzer()}} {
		b.Run(c.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				for _, t := range texts {
					n += len(c.a.Analyze(t))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/token")
		})
	}
}

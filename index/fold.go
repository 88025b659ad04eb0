package index

import (
	"bytes"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/paperseek/paperseek/internal/words"
)

// AnalyzerName is the analyzer every new index ranks with: Bleve's `en`
// analyzer with accents folded after lower-casing, so that "Schrödinger"
// and "Schrodinger", "Đoković" and "Djokovic", "Müller" and "Muller" are
// the same word. Indexes built before it keep the `en` analyzer their
// Bleve mapping names (rebuild one to fold).
const AnalyzerName = "paperseek_en"

// foldFilterName is the token filter that folds accents.
const foldFilterName = "paperseek_fold"

func init() {
	if err := registry.RegisterTokenFilter(foldFilterName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	}); err != nil {
		panic(err)
	}
	if err := registry.RegisterAnalyzer(AnalyzerName, newFoldingAnalyzer); err != nil {
		panic(err)
	}
}

// newFoldingAnalyzer is `en` (unicode words, possessives, lower case, stop
// words, Porter) with folding between lower-casing and stop words, so that
// folded words are stopped and stemmed like any other. Words and stems come
// from package words: Bleve's unicode tokenizer and Porter filter, the same
// tokens, faster.
func newFoldingAnalyzer(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
	return words.Analyzer(cache, en.PossessiveName, lowercase.Name, foldFilterName, en.StopName)
}

// foldFilter folds each token's letters to their unaccented ASCII forms
// (Lucene's ASCII folding, as Bleve has it), except that đ becomes "dj",
// as Serbian and Croatian names are written without it (Đoković,
// Djokovic). Letters with no such form (Greek, CJK) are kept.
type foldFilter struct{}

var ascii = asciifolding.New()

func (foldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if ASCII(t.Term) {
			continue
		}
		term := t.Term
		if bytes.Contains(term, []byte("đ")) {
			term = []byte(strings.ReplaceAll(string(term), "đ", "dj"))
		}
		t.Term = ascii.Filter(term)
	}
	return input
}

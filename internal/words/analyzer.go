package words

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Analyzer is a Bleve analyzer of this package's words, the token filters
// named (looked up in cache, in order) and then this package's Porter
// stems: Bleve's `en` chain is Analyzer(cache, possessive, to_lower,
// stop_en).
func Analyzer(cache *registry.Cache, filters ...string) (analysis.Analyzer, error) {
	chain := make([]analysis.TokenFilter, 0, len(filters)+1)
	for _, name := range filters {
		f, err := cache.TokenFilterNamed(name)
		if err != nil {
			return nil, err
		}
		chain = append(chain, f)
	}
	chain = append(chain, StemFilter{})
	return &analysis.DefaultAnalyzer{Tokenizer: Tokenizer{}, TokenFilters: chain}, nil
}

package local

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/paperseek/paperseek/internal/words"
)

// Tokenizer names accepted in Options.Tokenizer. The name is stored in the
// model file so a query is always cut into words exactly like the corpus was.
const (
	// TokenizerEn is Bleve's "en" analyzer (possessives, lower case, stop
	// words, Porter stemmer): the same words the keyword leg sees.
	TokenizerEn = "en"
	// TokenizerPlain lower-cases, splits on anything that is not a letter or
	// digit and drops the same stop words, without stemming.
	TokenizerPlain = "plain"
)

// tokenizer cuts a text into the words the model knows about. Implementations
// are safe for concurrent use.
type tokenizer interface {
	tokens(text string, emit func(tok string))
	// tokenBytes emits the same words as tokens; the slice is only valid
	// during the call (training looks words up without copying them).
	tokenBytes(text string, emit func(tok []byte))
}

func newTokenizer(name string) (tokenizer, error) {
	switch name {
	case TokenizerEn:
		a, err := newEnAnalyzer()
		if err != nil {
			return nil, fmt.Errorf("bleve analyzer %q: %w", en.AnalyzerName, err)
		}
		return bleveTokenizer{a}, nil
	case TokenizerPlain:
		stop := analysis.NewTokenMap()
		if err := stop.LoadBytes(en.EnglishStopWords); err != nil {
			return nil, fmt.Errorf("english stop words: %w", err)
		}
		return plainTokenizer{stop}, nil
	}
	return nil, fmt.Errorf("unknown tokenizer %q (want %q or %q)", name, TokenizerEn, TokenizerPlain)
}

// newEnAnalyzer is Bleve's "en" analyzer (unicode words, possessives, lower
// case, stop words, Porter) with the words and stems of package words: the
// same tokens, faster.
func newEnAnalyzer() (analysis.Analyzer, error) {
	return words.Analyzer(registry.NewCache(), en.PossessiveName, lowercase.Name, en.StopName)
}

type bleveTokenizer struct{ a analysis.Analyzer }

func (b bleveTokenizer) tokens(text string, emit func(string)) {
	for _, t := range b.a.Analyze([]byte(text)) {
		emit(string(t.Term))
	}
}

func (b bleveTokenizer) tokenBytes(text string, emit func([]byte)) {
	for _, t := range b.a.Analyze([]byte(text)) {
		emit(t.Term)
	}
}

type plainTokenizer struct{ stop analysis.TokenMap }

func (p plainTokenizer) tokenBytes(text string, emit func([]byte)) {
	p.tokens(text, func(s string) { emit([]byte(s)) })
}

func (p plainTokenizer) tokens(text string, emit func(string)) {
	isSep := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
	for _, f := range strings.FieldsFunc(text, isSep) {
		f = strings.ToLower(f)
		if _, stop := p.stop[f]; stop || len(f) < 2 {
			continue
		}
		emit(f)
	}
}

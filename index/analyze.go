package index

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
)

// Analyzer is the one analysis every store ranks with (AnalyzerName):
// Bleve's `en` analyzer (Unicode word segmentation, lower case, English
// possessives and stop words removed, Porter stemming) with accents folded.
// A directory store indexes with it; a cluster store is sent text already
// analysed by it, so a BM25 score means the same on both.
func Analyzer() analysis.Analyzer { return foldingAnalyzer() }

var foldingAnalyzer = sync.OnceValue(func() analysis.Analyzer {
	a, err := registry.NewCache().AnalyzerNamed(AnalyzerName)
	if err != nil { // registered in this package's init: this cannot fail
		panic("index: no " + AnalyzerName + " analyzer: " + err.Error())
	}
	return a
})

// Terms returns the analysed terms of text, in order, repeats kept.
func Terms(text string) []string {
	toks := Analyzer().Analyze([]byte(text))
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = string(t.Term)
	}
	return out
}

// StockAnalyzer reports whether the analyzer named name cuts every ASCII
// text into exactly the terms of Bleve's stock `en` analyzer, the ones
// embed.Document.Terms holds: `en` itself, and AnalyzerName, whose one
// difference, folding accents, leaves ASCII words as they are. Terms an
// index computed with it can then be handed to an embedder instead of
// being analysed again.
func StockAnalyzer(name string) bool {
	return name == AnalyzerName || name == en.AnalyzerName
}

// StockTerms returns terms(), what the analyzer named analyzer made of
// text, when they are also what Bleve's `en` analyzer makes of it
// (StockAnalyzer and an ASCII text), else nil without calling terms: the
// terms of a text with accents or any other non-ASCII letter are not known
// to be the same, and an embedder must analyse it itself.
func StockTerms(analyzer, text string, terms func() []string) []string {
	if !StockAnalyzer(analyzer) || !ASCII(text) {
		return nil
	}
	return terms()
}

// ASCII reports whether s is all ASCII.
func ASCII[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

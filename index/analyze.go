package index

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
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

package index

import (
	"math"
	"strings"
	"unicode/utf8"
)

// ParsePhrases returns the exact phrases of a query: the text between each
// balanced pair of double quotes ("…", or typographic “…”), in order,
// blank ones left out. Nothing else is syntax, and nothing can be a syntax
// error: a quote without its partner is an ordinary character, which the
// analyser drops like any punctuation.
func ParsePhrases(q string) []string {
	var out []string
	rest := q
	for {
		open := strings.IndexAny(rest, "\"\u201c\u201d")
		if open < 0 {
			return out
		}
		_, w := utf8.DecodeRuneInString(rest[open:])
		body := rest[open+w:]
		end := strings.IndexAny(body, "\"\u201c\u201d")
		if end < 0 {
			return out // an unbalanced quote is literal
		}
		if p := strings.TrimSpace(body[:end]); p != "" {
			out = append(out, p)
		}
		_, w = utf8.DecodeRuneInString(body[end:])
		rest = body[end+w:]
	}
}

// BM25K1 is the term-frequency saturation of the textbook BM25 every store
// ranks with (Store.Keyword); BM25B its length normalisation.
const (
	BM25K1 = 1.2
	BM25B  = 0.75
)

// IDF is BM25's inverse document frequency of a term held by df of docs
// papers: log(1 + (N − df + 0.5)/(df + 0.5)).
func IDF(docs, df int) float64 {
	return math.Log(1 + (float64(docs)-float64(df)+0.5)/(float64(df)+0.5))
}

// PhraseBonus is what a paper holding an exact phrase (KeywordQuery.Phrases)
// gains on top of its BM25 score: the phrase words' weight at full
// saturation, Σ idf·(k1+1) — as much again as those words could ever earn
// as plain words. Measured against requiring the phrase, this strong boost
// lost far less on queries whose quotes are not what relevance hinges on
// (README), and a paper without the phrase can still be found.
func PhraseBonus(st TermStats) float64 {
	var b float64
	for _, df := range st.DF {
		if df > 0 {
			b += IDF(st.Docs, df) * (BM25K1 + 1)
		}
	}
	return b
}

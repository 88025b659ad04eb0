package weaviate

import (
	"fmt"
	"strconv"
	"strings"
)

// Explanation is a bm25 hit's explainScore, parsed: for each query term
// found in the hit, its frequency and the hit's property length (in
// tokens, but see TermExplanation.Length). With the document's length, the
// corpus's document count, each term's document frequency and the average
// length, that is everything textbook BM25 needs, so a caller can re-score
// hits with corpus-wide statistics.
type Explanation struct {
	Terms map[string]TermExplanation
}

// TermExplanation is one query term's share of a bm25 hit.
type TermExplanation struct {
	Frequency float64 // occurrences of the term in the hit's property
	// Length is the property length bm25 used: the token count under
	// BlockMax WAND, but the number of DISTINCT terms under the older WAND
	// (collections created with USE_INVERTED_SEARCHABLE=false). Store the
	// true length as a property of its own for textbook BM25.
	Length float64
}

// ParseExplain parses Weaviate's explainScore text for a bm25 hit:
// ", BM25F_<term>_frequency:<n>, BM25F_<term>_propLength:<n>, …" (v1.35's
// BlockMax WAND format; terms in any order). Entries it does not know are
// ignored. Terms containing "_" or ":" are fine: the value follows the
// last colon and the suffix is matched from the right.
func ParseExplain(s string) (Explanation, error) {
	ex := Explanation{Terms: map[string]TermExplanation{}}
	// Entries are separated by ", ". A term may hold a comma ("1,000" is one
	// token of Bleve's unicode tokenizer) but never a space (the ranking
	// property is whitespace-tokenised), so ", " is unambiguous.
	for _, part := range strings.Split(s, ", ") {
		part = strings.TrimSpace(part)
		if !strings.HasPrefix(part, "BM25F_") {
			continue
		}
		colon := strings.LastIndexByte(part, ':')
		if colon < 0 {
			return Explanation{}, fmt.Errorf("explainScore entry %q has no value", part)
		}
		key, val := part[len("BM25F_"):colon], part[colon+1:]
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return Explanation{}, fmt.Errorf("explainScore entry %q: %w", part, err)
		}
		var term string
		var isFreq bool
		switch {
		case strings.HasSuffix(key, "_frequency"):
			term, isFreq = strings.TrimSuffix(key, "_frequency"), true
		case strings.HasSuffix(key, "_propLength"):
			term = strings.TrimSuffix(key, "_propLength")
		default:
			continue
		}
		te := ex.Terms[term]
		if isFreq {
			te.Frequency = v
		} else {
			te.Length = v
		}
		ex.Terms[term] = te
	}
	return ex, nil
}

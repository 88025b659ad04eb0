package query

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paperseek/paperseek/index"
)

// snippetLen is the target length of a snippet in bytes: about two lines.
const snippetLen = 240

// Mark tags surround matched words in snippets. Everything else in a
// snippet is HTML-escaped, so a snippet can go into a page as-is.
const (
	MarkOpen  = "<mark>"
	MarkClose = "</mark>"
)

// terms returns the analysed (stemmed, lower-cased, stop-word-free) terms
// of text, as the keyword leg sees them.
func analysedTerms(text string) map[string]bool {
	out := map[string]bool{}
	for _, t := range index.Terms(text) {
		out[t] = true
	}
	return out
}

type span struct{ start, end int }

// snippet returns an HTML-safe excerpt of abstract around the densest
// cluster of query terms, with each run of matched words in <mark> tags.
// With no match it is the abstract's opening.
func snippet(abstract string, terms map[string]bool) string {
	if abstract == "" {
		return ""
	}
	var matches []span
	var matchTerms []string
	if len(terms) > 0 {
		for _, t := range index.Analyzer().Analyze([]byte(abstract)) {
			if terms[string(t.Term)] {
				matches = append(matches, span{t.Start, t.End})
				matchTerms = append(matchTerms, string(t.Term))
			}
		}
	}
	// Pick the window of snippetLen bytes, starting a little before some
	// match, that covers the most distinct terms (then the most matches).
	from := 0
	best, bestHits := -1, -1
	for i, m := range matches {
		distinct := map[string]bool{}
		hits := 0
		for j := i; j < len(matches) && matches[j].end <= m.start+snippetLen; j++ {
			distinct[matchTerms[j]] = true
			hits++
		}
		if len(distinct) > best || (len(distinct) == best && hits > bestHits) {
			best, bestHits = len(distinct), hits
			from = max(0, m.start-snippetLen/6)
		}
	}
	from = wordStart(abstract, from)
	to := wordEnd(abstract, min(len(abstract), from+snippetLen))
	if to < from {
		to = from
	}

	var b strings.Builder
	if from > 0 {
		b.WriteString("… ")
	}
	pos := from
	for i := 0; i < len(matches); i++ {
		m := matches[i]
		if m.start < from || m.end > to {
			continue
		}
		// Merge matches separated only by spaces into one mark.
		end := m.end
		for i+1 < len(matches) && matches[i+1].end <= to && strings.TrimSpace(abstract[end:matches[i+1].start]) == "" {
			i++
			end = matches[i].end
		}
		b.WriteString(html.EscapeString(abstract[pos:m.start]))
		b.WriteString(MarkOpen)
		b.WriteString(html.EscapeString(abstract[m.start:end]))
		b.WriteString(MarkClose)
		pos = end
	}
	b.WriteString(html.EscapeString(abstract[pos:to]))
	if to < len(abstract) {
		b.WriteString(" …")
	}
	return b.String()
}

// wordStart moves i back to the start of the word it falls in.
func wordStart(s string, i int) int {
	for i > 0 && i < len(s) {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if unicode.IsSpace(r) {
			break
		}
		i -= size
	}
	return i
}

// wordEnd moves i forward to the end of the word it falls in.
func wordEnd(s string, i int) int {
	for i < len(s) && i > 0 {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// PlainSnippet turns a snippet into terminal text: marks become on/off
// (e.g. ANSI bold, or nothing when piped) and entities are unescaped.
func PlainSnippet(s, on, off string) string {
	s = strings.ReplaceAll(s, MarkOpen, "\uE000")
	s = strings.ReplaceAll(s, MarkClose, "\uE001")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "\uE000", on)
	return strings.ReplaceAll(s, "\uE001", off)
}

package index

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Paper is one abstract as paperseek stores and returns it. Fields with no
// value are omitted from JSON, as the contract requires.
type Paper struct {
	ID         string   `json:"id"`
	Title      string   `json:"title,omitempty"`
	Abstract   string   `json:"abstract,omitempty"`
	Authors    []string `json:"authors,omitempty"`
	Year       int      `json:"year,omitempty"`
	Categories []string `json:"categories,omitempty"`
	Published  string   `json:"published,omitempty"` // YYYY-MM-DD
	URL        string   `json:"url,omitempty"`
	// External ids: the same paper arriving from two sources is recognised
	// by any of them. DOI is lower case without a resolver prefix, ArXiv
	// has no version suffix ("2401.01234", "cs/0701113"), PMID is digits.
	DOI   string `json:"doi,omitempty"`
	ArXiv string `json:"arxiv,omitempty"`
	PMID  string `json:"pmid,omitempty"`
}

// Text is what both rankers see: the title and the abstract as one text.
// One combined field ranks better than two: nDCG@10 0.689 against 0.619
// on SciFact-train, 0.392 against 0.370 on CISI (Bleve, shared judgments).
func (p *Paper) Text() string {
	switch {
	case p.Title == "":
		return p.Abstract
	case p.Abstract == "":
		return p.Title
	}
	return p.Title + "\n" + p.Abstract
}

// CleanText repairs invalid UTF-8 and collapses every run of whitespace
// (including the hard line breaks of arXiv abstracts) into one space.
func CleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	// One pass, one allocation: this runs on every title and abstract of a
	// large import (strings.Fields + Join was a quarter of reading time).
	// Bytes, not runes: a stretch of ASCII that is neither space nor NUL
	// is copied whole, and only a byte ≥ 0x80 is decoded, to see whether
	// it starts a Unicode space (U+0085, U+00A0, U+2003, …); s is valid
	// UTF-8 here, so a rune's bytes are what WriteRune would write.
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		switch {
		case c == 0:
			i++
			continue
		case c < utf8.RuneSelf:
			if asciiSpace[c] {
				space = b.Len() > 0
				i++
				continue
			}
			for size < len(s)-i {
				if c := s[i+size]; c >= utf8.RuneSelf || c == 0 || asciiSpace[c] {
					break
				}
				size++
			}
		default:
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				space = b.Len() > 0
				i += size
				continue
			}
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// asciiSpace marks the ASCII bytes unicode.IsSpace reports: tab, line
// feed, vertical tab, form feed, carriage return and space.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// Merge is old updated by newer: every field newer has a value for wins,
// the others keep old's, and the id stays old's. It is how a record of a
// paper already indexed from another source (the same DOI, arXiv id or
// PMID) updates it.
func Merge(old, newer Paper) Paper {
	m := old
	str := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	str(&m.Title, newer.Title)
	str(&m.Abstract, newer.Abstract)
	str(&m.Published, newer.Published)
	str(&m.URL, newer.URL)
	str(&m.DOI, newer.DOI)
	str(&m.ArXiv, newer.ArXiv)
	str(&m.PMID, newer.PMID)
	if len(newer.Authors) > 0 {
		m.Authors = newer.Authors
	}
	if len(newer.Categories) > 0 {
		m.Categories = newer.Categories
	}
	if newer.Year != 0 {
		m.Year = newer.Year
	}
	return m
}

// Package index owns the on-disk index: the paper model, the index directory
// (manifest, generations, writer lock), the Bleve keyword index and the
// chromem-go vector store.
package index

import (
	"strings"
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
	DOI        string   `json:"doi,omitempty"`
}

// Text is what both rankers see: the title and the abstract as one text.
// Measured in DESIGN.md: one combined field ranks better than two.
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
	s = strings.ReplaceAll(s, "\x00", "")
	return strings.Join(strings.Fields(s), " ")
}

package ingest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paperseek/paperseek/index"
)

// maxIDBytes keeps ids to something a person can type and the index can use
// as a key; longer "ids" are almost always a column mix-up.
const maxIDBytes = 1024

// record is one input record after format-specific decoding and before
// cleaning and validation, which are the same for every format.
type record struct {
	id, title, abstract string
	authors             []string
	categories          []string
	year                int
	published           string // YYYY-MM-DD
	url                 string
	doi, arxiv, pmid    string // external ids in any form the normalisers read
	// latex: the title and abstract are LaTeX source (BibTeX, arXiv), to
	// be decoded to Unicode text.
	latex bool
	// textLater: a Semantic Scholar papers row, whose abstract may come
	// from the join; the title-or-abstract check is made after it.
	textLater bool
}

// finish cleans r into a Paper, or returns why the record must be skipped.
func (r *record) finish() (index.Paper, string) {
	id := strings.TrimSpace(strings.ToValidUTF8(r.id, "\uFFFD"))
	switch {
	case id == "":
		return index.Paper{}, "missing id"
	case len(id) > maxIDBytes:
		return index.Paper{}, fmt.Sprintf("id longer than %d bytes", maxIDBytes)
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		// An id with a tab or newline could not be typed on a command line
		// nor written back into a qrels file.
		return index.Paper{}, fmt.Sprintf("id %s contains a control character", quoteShort(id))
	}
	title, abstract := r.title, r.abstract
	if r.latex {
		title, abstract = decodeLaTeX(title), decodeLaTeX(abstract)
	}
	p := index.Paper{
		ID:        id,
		Title:     index.CleanText(title),
		Abstract:  index.CleanText(abstract),
		Year:      r.year,
		Published: r.published,
		URL:       strings.TrimSpace(strings.ToValidUTF8(r.url, "\uFFFD")),
	}
	if !r.textLater {
		if reason := checkText(&p); reason != "" {
			return index.Paper{}, reason
		}
	}
	if r.doi != "" {
		p.DOI = index.NormalizeDOI(strings.ToValidUTF8(r.doi, "\uFFFD"))
	}
	if r.arxiv != "" {
		p.ArXiv = index.NormalizeArXiv(r.arxiv)
	}
	if p.ArXiv == "" && strings.HasPrefix(p.DOI, index.ArXivDOIPrefix) {
		p.ArXiv = index.NormalizeArXiv(p.DOI[len(index.ArXivDOIPrefix):])
	}
	if r.pmid != "" {
		p.PMID = index.NormalizePMID(r.pmid)
	}
	for _, a := range r.authors {
		if a = cleanName(a); a != "" {
			p.Authors = append(p.Authors, a)
		}
	}
	seen := make(map[string]bool, len(r.categories))
	for _, c := range r.categories {
		c = strings.TrimSpace(strings.ToValidUTF8(c, "\uFFFD"))
		if c != "" && !seen[c] {
			seen[c] = true
			p.Categories = append(p.Categories, c)
		}
	}
	if p.Year == 0 && len(p.Published) >= 4 {
		p.Year, _ = strconv.Atoi(p.Published[:4])
	}
	return p, ""
}

// keywordList splits a keywords value ("deep learning, transformers;
// NLP") into its keywords. Reference managers separate them with commas
// (BibLaTeX, JabRef, CSL) or semicolons; a keyword keeps its inner spaces.
func keywordList(s string) []string {
	var out []string
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if k = strings.Join(strings.Fields(k), " "); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// checkText is the rule every format shares: a paper needs a title or an
// abstract to be found by anything.
func checkText(p *index.Paper) string {
	if p.Title == "" && p.Abstract == "" {
		return "missing both title and abstract"
	}
	return ""
}

// parseYearText reads a year written as text ("2021", " 2021 ", "2021.0").
// Empty means unknown.
func parseYearText(field, s string) (int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ""
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Sprintf("field %q: want a number, got %s", field, quoteShort(s))
	}
	return checkYear(field, f, s)
}

// checkYear accepts 0 as "unknown" (many exports write 0 for a missing year)
// and otherwise a four-digit year.
func checkYear(field string, f float64, literal string) (int, string) {
	if f == 0 {
		return 0, ""
	}
	if f != float64(int(f)) || f < 1000 || f > 9999 {
		return 0, fmt.Sprintf("field %q: want a year between 1000 and 9999, got %s", field, literal)
	}
	return int(f), ""
}

// dateLayouts are the date forms accepted for "published", most common
// first. RFC 1123 with a one-digit day is how arXiv writes version dates.
var dateLayouts = []string{
	"2006-01-02",
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006",
	"2006/01/02",
}

// parseDateText reads a date and returns it as YYYY-MM-DD plus its year. A
// bare year ("2021") or year and month ("2021-03") give the year only:
// the day is not known, so no date is invented.
func parseDateText(field, s string) (date string, year int, reason string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", 0, ""
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			// The date as written, in its own zone: converting to UTC would
			// move papers published late in the evening to the next day.
			return t.Format("2006-01-02"), t.Year(), ""
		}
	}
	for _, layout := range []string{"2006", "2006-01"} {
		if t, err := time.Parse(layout, s); err == nil {
			if y, r := checkYear(field, float64(t.Year()), s); r == "" && y != 0 {
				return "", y, ""
			}
		}
	}
	return "", 0, fmt.Sprintf("field %q: want a date like 2021-03-04, got %s", field, quoteShort(s))
}

// splitAuthors splits an author string: on ";" when there is one (so
// "Smith, J.; Doe, K." keeps each name whole), else on ","; each piece is
// further split on " and " ("A, B and C", "A, B, and C").
func splitAuthors(s string) []string {
	sep := ","
	if strings.Contains(s, ";") {
		sep = ";"
	}
	var names []string
	for _, piece := range strings.Split(s, sep) {
		piece = strings.TrimSpace(piece)
		piece = strings.TrimPrefix(piece, "and ")
		for _, name := range strings.Split(piece, " and ") {
			if name = strings.TrimSpace(name); name != "" {
				names = append(names, name)
			}
		}
	}
	return names
}

// splitCategories accepts the space-separated arXiv form and the comma or
// semicolon lists spreadsheets produce; category names never contain those.
func splitCategories(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ';'
	})
}

// stripParens drops parenthesised groups, which in arXiv author strings are
// affiliations ("A. Smith (MIT), B. Jones ((1) CERN)"), not names.
func stripParens(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cleanName normalises an author name: LaTeX accents and commands turned
// into the letters they stand for (so that a search for "Balázs" finds
// "Bal\'azs"; every format, as names are never meant to hold markup),
// whitespace collapsed and invalid UTF-8 repaired.
func cleanName(s string) string {
	return index.CleanText(decodeLaTeX(s))
}

// quoteShort quotes a value for an error message, cut to a readable length.
func quoteShort(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return strconv.Quote(s)
}

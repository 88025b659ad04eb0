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
	url, doi            string
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
	p := index.Paper{
		ID:        id,
		Title:     index.CleanText(r.title),
		Abstract:  index.CleanText(r.abstract),
		Year:      r.year,
		Published: r.published,
		URL:       strings.TrimSpace(strings.ToValidUTF8(r.url, "\uFFFD")),
		DOI:       cleanDOI(r.doi),
	}
	if p.Title == "" && p.Abstract == "" {
		return index.Paper{}, "missing both title and abstract"
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

// cleanDOI keeps the bare DOI: people paste resolver links and "doi:" forms,
// but the same paper must compare equal however its DOI was written.
func cleanDOI(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	lower := strings.ToLower(s)
	for _, prefix := range []string{"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"} {
		if strings.HasPrefix(lower, prefix) {
			return strings.TrimSpace(s[len(prefix):])
		}
	}
	return s
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

// cleanName normalises an author name: whitespace collapsed, invalid UTF-8
// repaired and the common LaTeX accents of arXiv author strings turned into
// the letters they stand for, so that a search for "Balázs" finds
// "Bal\'azs". Unknown commands are left as written.
func cleanName(s string) string {
	if strings.ContainsAny(s, `\{}`) {
		s = strings.Map(func(r rune) rune {
			if r == '{' || r == '}' {
				return -1
			}
			return r
		}, delatex(s))
	}
	return index.CleanText(s)
}

// accents maps a LaTeX accent command to pairs of (base letter, accented
// letter). Only letters that exist precomposed are listed, which covers
// the Latin alphabets arXiv author names use.
var accents = map[string]string{
	`'`: "aáeéiíoóuúyýAÁEÉIÍOÓUÚYÝcćCĆnńNŃsśSŚzźZŹlĺLĹrŕRŔgǵGǴ",
	"`": "aàeèiìoòuùAÀEÈIÌOÒUÙnǹNǸ",
	`^`: "aâeêiîoôuûAÂEÊIÎOÔUÛcĉCĈgĝGĜhĥHĤjĵJĴsŝSŜwŵWŴyŷYŶ",
	`"`: "aäeëiïoöuüyÿAÄEËIÏOÖUÜYŸ",
	`~`: "aãoõnñAÃOÕNÑiĩIĨuũUŨ",
	`=`: "aāeēiīoōuūAĀEĒIĪOŌUŪ",
	`.`: "zżZŻeėEĖIİgġGĠcċCĊ",
	`u`: "aăAĂgğGĞuŭUŬeĕEĔiĭIĬoŏOŎ",
	`v`: "cčCČsšSŠzžZŽrřRŘeěEĚnňNŇdďDĎtťTŤlľLĽ",
	`H`: "oőOŐuűUŰ",
	`c`: "cçCÇsşSŞtţTŢgģGĢkķKĶlļLĻnņNŅrŗRŖ",
	`k`: "aąAĄeęEĘiįIĮuųUŲ",
	`r`: "aåAÅuůUŮ",
}

// letters maps LaTeX commands that are whole letters.
var letters = map[string]string{
	"o": "ø", "O": "Ø", "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
	"aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}

func accented(accent string, base rune) (rune, bool) {
	table := accents[accent]
	for i, w := 0, 0; i < len(table); i += w {
		r, n := utf8.DecodeRuneInString(table[i:])
		acc, m := utf8.DecodeRuneInString(table[i+n:])
		w = n + m
		if r == base {
			return acc, true
		}
	}
	return 0, false
}

// delatex rewrites \'a, \'{a}, {\'a}, \v{s}, \"{\i} and letter commands
// like {\O} or \ss{}.
func delatex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		cmd, rest := latexCommand(s[i+1:])
		if _, ok := accents[cmd]; ok {
			if base, after, ok := latexArgument(rest); ok {
				if r, ok := accented(cmd, base); ok {
					b.WriteRune(r)
					i = len(s) - len(after)
					continue
				}
			}
		}
		if l, ok := letters[cmd]; ok && cmd != "" {
			b.WriteString(l)
			rest = strings.TrimPrefix(rest, "{}")
			i = len(s) - len(rest)
			continue
		}
		b.WriteByte('\\')
		i++
	}
	return b.String()
}

// latexCommand splits off a command name: one symbol, or a run of letters.
func latexCommand(s string) (string, string) {
	if s == "" {
		return "", s
	}
	if !isASCIILetter(s[0]) {
		return s[:1], s[1:]
	}
	n := 0
	for n < len(s) && isASCIILetter(s[n]) {
		n++
	}
	return s[:n], s[n:]
}

// latexArgument reads an accent's argument: "a", " a", "{a}", "{\i}".
func latexArgument(s string) (rune, string, bool) {
	s = strings.TrimLeft(s, " ")
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return 0, s, false
		}
		inner := strings.TrimSpace(s[1:end])
		if inner == `\i` || inner == `\j` {
			inner = inner[1:]
		}
		r, n := utf8.DecodeRuneInString(inner)
		if n == 0 || n != len(inner) {
			return 0, s, false
		}
		return r, s[end+1:], true
	}
	if strings.HasPrefix(s, `\i`) && (len(s) == 2 || !isASCIILetter(s[2])) {
		return 'i', s[2:], true
	}
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLetter(r) {
		return 0, s, false
	}
	return r, s[n:], true
}

func isASCIILetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// quoteShort quotes a value for an error message, cut to a readable length.
func quoteShort(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return strconv.Quote(s)
}

package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/internal/bytesize"
)

// csvColumns is where each known field sits in a row, -1 when absent.
type csvColumns struct {
	id, title, abstract, text, authors, categories, year, published, url, doi, arxiv, pmid int
}

// findColumns maps header names (trimmed, any case) to fields; the first
// column of a name wins, and "id" is preferred over BEIR's "_id".
func findColumns(header []string) csvColumns {
	c := csvColumns{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
	idAlt := -1
	for i, name := range header {
		var slot *int
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "id":
			slot = &c.id
		case "_id":
			slot = &idAlt
		case "title":
			slot = &c.title
		case "abstract":
			slot = &c.abstract
		case "text":
			slot = &c.text
		case "authors":
			slot = &c.authors
		case "categories":
			slot = &c.categories
		case "year":
			slot = &c.year
		case "published":
			slot = &c.published
		case "url":
			slot = &c.url
		case "doi":
			slot = &c.doi
		case "arxiv":
			slot = &c.arxiv
		case "pmid":
			slot = &c.pmid
		}
		if slot != nil && *slot < 0 {
			*slot = i
		}
	}
	if c.id < 0 {
		c.id = idAlt
	}
	return c
}

// detectCSVHeader finds the delimiter that makes line a header naming an id
// and a title: tab (TSV), comma, or the semicolon spreadsheets in many
// locales write. If none does, the error says what is missing.
func detectCSVHeader(name string, line []byte) (byte, []string, csvColumns, error) {
	var best []string
	for _, delim := range []byte{'\t', ',', ';'} {
		var p csvParser
		p.delim = delim
		if !p.feed(line) {
			continue
		}
		cols := findColumns(p.fields)
		if cols.id >= 0 && cols.title >= 0 {
			return delim, p.fields, cols, nil
		}
		if len(p.fields) > len(best) {
			best = p.fields
		}
	}
	cols := findColumns(best)
	list := strings.Join(best, ", ")
	if len(list) > 120 {
		list = list[:120] + "…"
	}
	switch {
	case cols.id >= 0:
		return 0, nil, cols, fmt.Errorf("%s: CSV header has no \"title\" column (columns: %s)", name, list)
	case cols.title >= 0:
		return 0, nil, cols, fmt.Errorf("%s: CSV header has no \"id\" (or \"_id\") column (columns: %s)", name, list)
	}
	return 0, nil, cols, fmt.Errorf("%s: not a recognised input format: want JSON lines, a JSON array, CSV/TSV with a header naming id and title, BibTeX, RIS, PubMed XML or arXiv OAI-PMH XML", name)
}

// csvParser parses RFC 4180 records one line at a time, so a quoted field
// may span lines. It is forgiving where files in the wild are sloppy: a
// quote inside an unquoted field is a literal quote, spaces before an
// opening quote are ignored, and text after a closing quote is kept.
type csvParser struct {
	delim      byte
	fields     []string
	cur        []byte
	inQuote    bool
	fieldStart bool // only spaces seen so far in the current field
	size       int  // bytes of the record so far
}

func (p *csvParser) reset() {
	p.fields = p.fields[:0]
	p.cur = p.cur[:0]
	p.inQuote = false
	p.fieldStart = true
	p.size = 0
}

// feed adds one line (without its line end) and reports whether the record
// is complete; if not, the line ended inside a quoted field.
func (p *csvParser) feed(line []byte) bool {
	if p.size == 0 {
		p.fieldStart = true
	}
	p.size += len(line) + 1
	for i := 0; i < len(line); i++ {
		c := line[i]
		if p.inQuote {
			if c != '"' {
				p.cur = append(p.cur, c)
			} else if i+1 < len(line) && line[i+1] == '"' {
				p.cur = append(p.cur, '"')
				i++
			} else {
				p.inQuote = false
			}
			continue
		}
		switch {
		case c == p.delim:
			p.fields = append(p.fields, string(p.cur))
			p.cur = p.cur[:0]
			p.fieldStart = true
		case c == '"' && p.fieldStart:
			p.cur = p.cur[:0]
			p.inQuote = true
			p.fieldStart = false
		default:
			if c != ' ' {
				p.fieldStart = false
			}
			p.cur = append(p.cur, c)
		}
	}
	if p.inQuote {
		p.cur = append(p.cur, '\n')
		return false
	}
	p.fields = append(p.fields, string(p.cur))
	p.cur = p.cur[:0]
	return true
}

type csvSource struct {
	name  string
	lines *lineReader
	cols  csvColumns
	width int
	p     csvParser
	done  bool
}

func (s *csvSource) next() (entry, error) {
	if s.done {
		return entry{}, io.EOF
	}
	for {
		line, err := s.lines.next()
		if errors.Is(err, errLineTooLong) {
			return entry{}, s.recordError(s.lines.line, "line longer than "+bytesize.Format(int64(s.lines.max)))
		}
		if err != nil {
			return entry{}, streamFatal(s.name, err)
		}
		if isBlank(line) {
			continue
		}
		start := s.lines.line
		s.p.reset()
		complete := s.p.feed(line)
		for !complete {
			line, err = s.lines.next()
			switch {
			case err == io.EOF:
				s.done = true
				return entry{}, s.recordError(start, "unterminated quoted field")
			case errors.Is(err, errLineTooLong):
				return entry{}, s.unclosedQuote(start)
			case err != nil:
				return entry{}, streamFatal(s.name, err)
			}
			complete = s.p.feed(line)
			if s.p.size > s.lines.max {
				return entry{}, s.unclosedQuote(start)
			}
		}
		if len(s.p.fields) != s.width {
			return entry{}, s.recordError(start, fmt.Sprintf("wrong number of fields: want %d, got %d", s.width, len(s.p.fields)))
		}
		p, reason := s.row(s.p.fields)
		if reason != "" {
			return entry{}, s.recordError(start, reason)
		}
		return entry{rec: Record{Paper: p}, kind: FormatCSV, line: start}, nil
	}
}

// unclosedQuote stops the run: after a quoted field that never ends there
// is no telling where any later record starts.
func (s *csvSource) unclosedQuote(start int) error {
	return fmt.Errorf("%s:%d: quoted field runs past %s; is a closing quote missing?", s.name, start, bytesize.Format(int64(s.lines.max)))
}

func (s *csvSource) recordError(line int, reason string) error {
	return &RecordError{File: s.name, Line: line, Reason: reason}
}

func (s *csvSource) row(f []string) (index.Paper, string) {
	cell := func(i int) string {
		if i < 0 {
			return ""
		}
		return f[i]
	}
	rec := record{
		id:       cell(s.cols.id),
		title:    cell(s.cols.title),
		abstract: cell(s.cols.abstract),
		url:      cell(s.cols.url),
		doi:      cell(s.cols.doi),
		arxiv:    cell(s.cols.arxiv),
		pmid:     cell(s.cols.pmid),
	}
	if strings.TrimSpace(rec.abstract) == "" {
		rec.abstract = cell(s.cols.text)
	}
	if a := cell(s.cols.authors); a != "" {
		rec.authors = splitAuthors(a)
	}
	if c := cell(s.cols.categories); c != "" {
		rec.categories = splitCategories(c)
	}
	var reason string
	if rec.year, reason = parseYearText("year", cell(s.cols.year)); reason != "" {
		return index.Paper{}, reason
	}
	var year int
	if rec.published, year, reason = parseDateText("published", cell(s.cols.published)); reason != "" {
		return index.Paper{}, reason
	}
	if rec.year == 0 {
		rec.year = year
	}
	return rec.finish()
}

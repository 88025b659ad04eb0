package ingest

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// BibTeX and BibLaTeX (.bib), parsed by hand: the Go parsers
// (github.com/jschaf/bibtex, github.com/nickng/bibtex) cannot be fetched
// here, and neither recovers from a broken entry, which a reader of users'
// bibliographies must.
//
// Every entry type is a paper (@article, @inproceedings, @misc, @online,
// …); @string defines macros (months jan…dec are predefined), values are
// {braced}, "quoted", numbers or macro names joined with #; @comment and
// @preamble are skipped, as is any text outside an entry (BibTeX's own
// rule) and, inside an entry between fields, a % comment to the end of the
// line. Field names are case-insensitive; the first of a repeated field
// wins.
//
// The id is the citation key. Fields read: title and abstract (LaTeX
// decoded, latex.go), author (editor when there is none: split on "and" at
// brace depth 0; "Last, First" and "von Last, Jr, First" become "First
// Last"; a {Braced Name} is kept whole; "others" is dropped), year (the
// leading year of "2020a" or "{in press}" style values; others ignored),
// date (BibLaTeX), month and day for the publication date, doi, url, pmid,
// eprint with archivePrefix or eprinttype arXiv (or an "arXiv:…" in
// journal, note, howpublished; an arXiv url or DOI) for the arXiv id, and
// primaryClass as the category of an arXiv paper, then keywords (split at
// commas and semicolons, LaTeX decoded) as further categories: a paper's
// categories are its subject labels, which is what a reference manager's
// keywords are, and what `paperseek search --category` filters on (and
// what the BibTeX export writes as keywords, so a round trip keeps them).
//
// A broken entry (a missing = or comma, an unclosed brace) is one bad
// record reported at the line of its @, and reading resumes at the next
// line that starts with @type{ (or @type( ): an unclosed brace therefore
// costs one entry, never the rest of the file.

// bibMonths are BibTeX's predefined month macros.
var bibMonths = map[string]string{
	"jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
	"jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December",
}

type bibSource struct {
	name     string
	lines    *lineReader
	macros   map[string]string
	macroLen int // bytes of all @string values: bounded like one record
	chunk    []byte
	pending  []byte // the @ line that starts the next chunk, read with the previous one
	pendLine int
	havePend bool
	queue    []bibResult
	after    []bibResult // errors that come after the chunk being parsed
	eof      bool
}

func (s *bibSource) tooLong(line int) error {
	return &RecordError{File: s.name, Line: line, Reason: "entry longer than " + sizeText(s.lines.max)}
}

type bibResult struct {
	e   entry
	err error
}

func newBibSource(name string, lines *lineReader) *bibSource {
	return &bibSource{name: name, lines: lines, macros: map[string]string{}}
}

// isBibEntryStart reports whether line starts an entry: "@type{" or
// "@type(" after optional white space.
func isBibEntryStart(line []byte) bool {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i >= len(line) || line[i] != '@' {
		return false
	}
	_, ok := bibEntryHead(string(line[i+1:]))
	return ok
}

// bibEntryHead reads "type {" at the start of s and returns the length of
// "type". Entry types are identifiers (letters, digits, - and _): a run of
// them ends at any other byte, so looking at every @ of a text costs one
// pass over it.
func bibEntryHead(s string) (int, bool) {
	n := 0
	for n < len(s) && (isASCIILetter(s[n]) || s[n] >= '0' && s[n] <= '9' || s[n] == '-' || s[n] == '_') {
		n++
	}
	if n == 0 || !isASCIILetter(s[0]) {
		return 0, false
	}
	j := n
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	return n, j < len(s) && (s[j] == '{' || s[j] == '(')
}

func hasBibEntryLine(head []byte) bool {
	for _, line := range strings.Split(string(head), "\n") {
		if isBibEntryStart([]byte(line)) {
			return true
		}
	}
	return false
}

func (s *bibSource) next() (entry, error) {
	for {
		if len(s.queue) > 0 {
			r := s.queue[0]
			s.queue = s.queue[1:]
			return r.e, r.err
		}
		if s.eof && !s.havePend {
			return entry{}, io.EOF
		}
		if err := s.fill(); err != nil {
			return entry{}, err
		}
	}
}

// fill reads one chunk (an @ line and the lines up to the next one) and
// queues what it holds.
func (s *bibSource) fill() error {
	start := 0
	s.chunk = s.chunk[:0]
	if s.havePend {
		s.chunk = append(s.chunk, s.pending...)
		start = s.pendLine
		s.havePend = false
	} else {
		for {
			line, err := s.lines.next()
			switch {
			case errors.Is(err, errLineTooLong):
				if isBibEntryStart(s.lines.prefix) {
					s.queue = append(s.queue, bibResult{err: s.tooLong(s.lines.line)})
					return nil
				}
				continue // text outside entries is a comment
			case err == io.EOF:
				s.eof = true
				return nil
			case err != nil:
				return streamFatal(s.name, err)
			}
			if isBibEntryStart(line) {
				s.chunk = append(s.chunk, line...)
				start = s.lines.line
				break
			}
		}
	}
	s.chunk = append(s.chunk, '\n')
	tooLong := false
	for !s.eof {
		line, err := s.lines.next()
		switch {
		case errors.Is(err, errLineTooLong):
			if isBibEntryStart(s.lines.prefix) {
				// An entry of its own, too long to keep: this chunk ends
				// here, and reading resumes at the next entry after it.
				s.after = append(s.after, bibResult{err: s.tooLong(s.lines.line)})
				goto parse
			}
			tooLong = true
			continue
		case err == io.EOF:
			s.eof = true
			continue
		case err != nil:
			return streamFatal(s.name, err)
		}
		if isBibEntryStart(line) {
			s.pending = append(s.pending[:0], line...)
			s.pendLine, s.havePend = s.lines.line, true
			break
		}
		if len(s.chunk)+len(line) >= s.lines.max {
			tooLong = true
			continue
		}
		s.chunk = append(s.chunk, line...)
		s.chunk = append(s.chunk, '\n')
	}
parse:
	defer func() {
		s.queue = append(s.queue, s.after...)
		s.after = s.after[:0]
	}()
	if tooLong {
		s.queue = append(s.queue, bibResult{err: s.tooLong(start)})
		return nil
	}
	p := bibParser{s: string(s.chunk), line: start, macros: s.macros, macroLen: &s.macroLen, macroMax: s.lines.max,
		chunkEnd: s.havePend, nextLine: s.pendLine}
	for p.seekEntry() {
		at := p.line
		fields, key, err := p.entry()
		if err != nil {
			s.queue = append(s.queue, bibResult{err: &RecordError{File: s.name, Line: at, Reason: err.Error()}})
			break // the rest of the chunk cannot be trusted
		}
		if fields == nil {
			continue // @string, @comment, @preamble
		}
		paper, reason := bibPaper(key, fields)
		if reason != "" {
			s.queue = append(s.queue, bibResult{err: &RecordError{File: s.name, Line: at, Reason: reason}})
			continue
		}
		s.queue = append(s.queue, bibResult{e: entry{rec: Record{Paper: paper}, kind: FormatBibTeX, line: at}})
	}
	return nil
}

// bibParser parses the entries of one chunk.
type bibParser struct {
	s        string
	i        int
	line     int
	macros   map[string]string
	macroLen *int
	macroMax int
	chunkEnd bool // the chunk ends where the next entry starts (else at the end of input)
	nextLine int
}

func (p *bibParser) advance(n int) {
	p.line += strings.Count(p.s[p.i:p.i+n], "\n")
	p.i += n
}

// seekEntry moves to the next @ that starts an entry; text before it is a
// comment.
func (p *bibParser) seekEntry() bool {
	for {
		j := strings.IndexByte(p.s[p.i:], '@')
		if j < 0 {
			p.advance(len(p.s) - p.i)
			return false
		}
		p.advance(j)
		if _, ok := bibEntryHead(p.s[p.i+1:]); ok {
			return true
		}
		p.advance(1)
	}
}

// skipSpace skips white space and, when comments is set, % comments.
func (p *bibParser) skipSpace(comments bool) {
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case isSpace(c):
			p.advance(1)
		case c == '%' && comments:
			end := strings.IndexByte(p.s[p.i:], '\n')
			if end < 0 {
				end = len(p.s) - p.i
			}
			p.advance(end)
		default:
			return
		}
	}
}

// unclosed is the error of an entry the chunk ends inside.
func (p *bibParser) unclosed(what string) error {
	if p.chunkEnd {
		return fmt.Errorf("%s not closed before the next entry on line %d", what, p.nextLine)
	}
	return fmt.Errorf("%s not closed before the end of the input", what)
}

func (p *bibParser) peek() (byte, bool) {
	if p.i >= len(p.s) {
		return 0, false
	}
	return p.s[p.i], true
}

// entry parses the entry at the @. It returns the fields of a paper entry
// (nil for @string, @comment, @preamble) and its key.
func (p *bibParser) entry() (map[string]string, string, error) {
	n, _ := bibEntryHead(p.s[p.i+1:])
	typ := strings.ToLower(p.s[p.i+1 : p.i+1+n])
	p.advance(1 + n)
	p.skipSpace(false)
	open := p.s[p.i]
	closer := byte('}')
	if open == '(' {
		closer = ')'
	}
	p.advance(1)
	switch typ {
	case "comment":
		depth := 1
		for p.i < len(p.s) {
			c := p.s[p.i]
			p.advance(1)
			switch {
			case c == open && open == '{' || c == '{' && open == '(':
				depth++
			case c == closer || c == '}' && open == '(':
				if depth--; depth == 0 {
					return nil, "", nil
				}
			}
		}
		return nil, "", p.unclosed("@comment")
	case "preamble":
		p.skipSpace(true)
		if _, err := p.value("@preamble", closer); err != nil {
			return nil, "", err
		}
		p.skipSpace(true)
		if c, ok := p.peek(); !ok {
			return nil, "", p.unclosed("@preamble")
		} else if c != closer {
			return nil, "", fmt.Errorf("line %d: want %q to close @preamble, got %q", p.line, closer, c)
		}
		p.advance(1)
		return nil, "", nil
	case "string":
		fields, err := p.fields(closer, "@string")
		if err != nil {
			return nil, "", err
		}
		for name, v := range fields {
			if *p.macroLen += len(name) + len(v); *p.macroLen > p.macroMax {
				return nil, "", fmt.Errorf("@string definitions longer than %s in all", sizeText(p.macroMax))
			}
			p.macros[name] = v
		}
		return nil, "", nil
	}
	p.skipSpace(false)
	keyStart := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == ',' || c == closer || isSpace(c) || c == '}' {
			break
		}
		p.advance(1)
	}
	key := p.s[keyStart:p.i]
	p.skipSpace(true)
	c, ok := p.peek()
	switch {
	case !ok:
		return nil, "", p.unclosed("entry @" + typ + "{" + key)
	case key == "" || strings.ContainsAny(key, "={\"#"):
		return nil, "", fmt.Errorf("@%s without a citation key", typ)
	case c == closer:
		p.advance(1)
		return map[string]string{}, key, nil
	case c != ',':
		return nil, "", fmt.Errorf("line %d: want , after the citation key %s, got %q", p.line, quoteShort(key), c)
	}
	fields, err := p.fields(closer, "entry "+key)
	return fields, key, err
}

// fields parses "name = value" pairs separated by commas up to closer.
func (p *bibParser) fields(closer byte, what string) (map[string]string, error) {
	fields := map[string]string{}
	for {
		p.skipSpace(true)
		c, ok := p.peek()
		switch {
		case !ok:
			return nil, p.unclosed(what)
		case c == closer:
			p.advance(1)
			return fields, nil
		case c == ',':
			p.advance(1)
			continue
		}
		start := p.i
		for p.i < len(p.s) && isBibNameByte(p.s[p.i]) {
			p.advance(1)
		}
		name := strings.ToLower(p.s[start:p.i])
		if name == "" {
			return nil, fmt.Errorf("line %d: want a field name or %q in %s, got %q", p.line, closer, what, c)
		}
		p.skipSpace(true)
		if c, ok := p.peek(); !ok {
			return nil, p.unclosed(what)
		} else if c != '=' {
			return nil, fmt.Errorf("line %d: want = after field %s, got %q", p.line, quoteShort(name), c)
		}
		p.advance(1)
		p.skipSpace(true)
		v, err := p.value(name, closer)
		if err != nil {
			return nil, err
		}
		if _, seen := fields[name]; !seen {
			fields[name] = v
		}
		p.skipSpace(true)
		if c, ok := p.peek(); !ok {
			return nil, p.unclosed(what)
		} else if c != ',' && c != closer {
			return nil, fmt.Errorf("line %d: want , or %q after the value of field %s, got %q", p.line, closer, quoteShort(name), c)
		}
	}
}

// isBibNameByte: BibTeX names (fields, macros, types) are any printable
// ASCII but white space and "#%'(),={}.
func isBibNameByte(c byte) bool {
	return c > ' ' && c < 0x7f && strings.IndexByte("\"#%'(),={}", c) < 0
}

// value parses pieces joined by #; braces inside are kept for the LaTeX
// decoder, which drops them.
func (p *bibParser) value(field string, closer byte) (string, error) {
	var b strings.Builder
	for {
		c, ok := p.peek()
		if !ok {
			return "", p.unclosed("field " + quoteShort(field))
		}
		switch {
		case c == '{':
			start, line := p.i, p.line
			end := matchBraceBib(p.s, p.i)
			if end < 0 {
				p.line = line
				return "", p.unclosedValue(field, "{", line)
			}
			b.WriteString(p.s[start+1 : end])
			p.advance(end + 1 - p.i)
		case c == '"':
			start, line := p.i, p.line
			depth := 0
			j := p.i + 1
			for ; j < len(p.s); j++ {
				if ch := p.s[j]; ch == '{' {
					depth++
				} else if ch == '}' {
					depth--
				} else if ch == '"' && depth <= 0 {
					break
				}
			}
			if j >= len(p.s) {
				return "", p.unclosedValue(field, `"`, line)
			}
			b.WriteString(p.s[start+1 : j])
			p.advance(j + 1 - p.i)
		case c >= '0' && c <= '9':
			start := p.i
			for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				p.advance(1)
			}
			b.WriteString(p.s[start:p.i])
		case isBibNameByte(c):
			start := p.i
			for p.i < len(p.s) && isBibNameByte(p.s[p.i]) {
				p.advance(1)
			}
			name := strings.ToLower(p.s[start:p.i])
			if v, ok := p.macros[name]; ok {
				b.WriteString(v)
			} else {
				// An undefined macro is empty, as BibTeX makes it (with a
				// warning there).
				b.WriteString(bibMonths[name])
			}
		default:
			return "", fmt.Errorf("line %d: want a value ({…}, \"…\", a number or a @string name) for field %s, got %q", p.line, quoteShort(field), c)
		}
		p.skipSpace(false)
		if c, ok := p.peek(); ok && c == '#' {
			p.advance(1)
			p.skipSpace(false)
			continue
		}
		return b.String(), nil
	}
}

func (p *bibParser) unclosedValue(field, opener string, line int) error {
	if p.chunkEnd {
		return fmt.Errorf("line %d: %s of field %s not closed before the next entry on line %d", line, opener, quoteShort(field), p.nextLine)
	}
	return fmt.Errorf("line %d: %s of field %s not closed before the end of the input", line, opener, quoteShort(field))
}

// matchBraceBib returns the } closing the { at j, counting every brace as
// BibTeX does (a backslash does not hide one from it), or -1.
func matchBraceBib(s string, j int) int {
	depth := 0
	for k := j; k < len(s); k++ {
		switch s[k] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return k
			}
		}
	}
	return -1
}

// bibPaper makes the paper of an entry.
func bibPaper(key string, f map[string]string) (index.Paper, string) {
	rec := record{id: key, title: f["title"], abstract: f["abstract"], latex: true}
	names := f["author"]
	if strings.TrimSpace(names) == "" {
		names = f["editor"]
	}
	rec.authors = bibNames(names)
	rec.year = leadingYear(f["year"])
	if d := strings.TrimSpace(f["date"]); d != "" {
		start, _, _ := strings.Cut(d, "/") // a range: its start
		if date, year, r := parseDateText("date", start); r == "" {
			rec.published = date
			if rec.year == 0 {
				rec.year = year
			}
		} else if rec.year == 0 {
			rec.year = leadingYear(start)
		}
	}
	if rec.published == "" && rec.year != 0 {
		if m := bibMonth(f["month"]); m != 0 {
			if d, err := strconv.Atoi(strings.TrimSpace(f["day"])); err == nil {
				if date, _, r := parseDateText("date", fmt.Sprintf("%04d-%02d-%02d", rec.year, m, d)); r == "" {
					rec.published = date
				}
			}
		}
	}
	rec.doi = bibVerbatim(f["doi"])
	rec.url = bibVerbatim(f["url"])
	rec.pmid = bibVerbatim(f["pmid"])
	archive := strings.ToLower(strings.TrimSpace(bibVerbatim(f["archiveprefix"]) + bibVerbatim(f["eprinttype"])))
	if eprint := bibVerbatim(f["eprint"]); eprint != "" && (archive == "arxiv" || archive == "" && f["primaryclass"] != "") {
		rec.arxiv = index.NormalizeArXiv(eprint)
	}
	if rec.arxiv == "" {
		for _, field := range []string{"journal", "journaltitle", "note", "howpublished", "url"} {
			v := bibVerbatim(f[field])
			if i := strings.Index(strings.ToLower(v), "arxiv"); i >= 0 {
				if a := arxivAfter(v[i:]); a != "" {
					rec.arxiv = a
					break
				}
			}
		}
	}
	if c := strings.TrimSpace(bibVerbatim(f["primaryclass"])); rec.arxiv != "" && isArXivCategory(c) {
		rec.categories = []string{c}
	}
	rec.categories = append(rec.categories, keywordList(decodeLaTeX(f["keywords"]))...)
	return rec.finish()
}

// arxivAfter reads the arXiv id in "arXiv:2401.01234", "arXiv preprint
// arXiv:2401.01234", "arxiv.org/abs/2401.01234".
func arxivAfter(s string) string {
	lower := strings.ToLower(s)
	for _, marker := range []string{"arxiv:", "arxiv.org/abs/", "arxiv.org/pdf/"} {
		if i := strings.LastIndex(lower, marker); i >= 0 {
			rest := strings.TrimSpace(s[i+len(marker):])
			if end := strings.IndexAny(rest, " ,;}"); end >= 0 {
				rest = rest[:end]
			}
			if a := index.NormalizeArXiv(rest); a != "" {
				return a
			}
		}
	}
	return ""
}

// bibVerbatim reads an identifier-like field (doi, url, eprint): braces
// dropped and LaTeX escapes of special characters undone ("10.1007/a\_b"),
// nothing else decoded (a DOI may hold "--").
func bibVerbatim(s string) string {
	if !strings.ContainsAny(s, `{}\`) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{' || c == '}':
		case c == '\\' && i+1 < len(s) && strings.IndexByte("_&%#$~{}", s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i++
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

// bibMonth reads a month as a number, an English name or an abbreviation
// ("3", "March", "mar", "Mar."), or 0.
func bibMonth(s string) int {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "{}."))
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 12 {
		return n
	}
	if len(s) >= 3 {
		for i, m := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
			if s[:3] == m {
				return i + 1
			}
		}
	}
	return 0
}

// bibNames splits a BibTeX name list and writes each name First Last.
func bibNames(s string) []string {
	var names []string
	for _, name := range splitBibAnd(s) {
		if strings.EqualFold(name, "others") {
			continue // "and others" is et al.
		}
		parts := splitDepth0(name, ',')
		switch len(parts) {
		case 1:
			names = append(names, name)
		case 2: // von Last, First
			names = append(names, strings.TrimSpace(parts[1]+" "+parts[0]))
		default: // von Last, Jr, First
			names = append(names, strings.TrimSpace(parts[2]+" "+parts[0]+" "+parts[1]))
		}
	}
	return names
}

// splitBibAnd splits on the word "and" (any case) at brace depth 0.
func splitBibAnd(s string) []string {
	var names []string
	var cur strings.Builder
	depth := 0
	flush := func() {
		if n := strings.Join(strings.Fields(cur.String()), " "); n != "" {
			names = append(names, n)
		}
		cur.Reset()
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{':
			depth++
		case c == '}':
			depth--
		case depth == 0 && isSpace(c) && i+4 < len(s) && strings.EqualFold(s[i+1:i+4], "and") && isSpace(s[i+4]):
			flush()
			i += 4
			continue
		}
		cur.WriteByte(c)
	}
	flush()
	return names
}

// splitDepth0 splits s on sep outside braces and trims the parts.
func splitDepth0(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case sep:
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(parts, strings.TrimSpace(s[start:]))
}

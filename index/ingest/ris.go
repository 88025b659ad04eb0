package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/paperseek/paperseek/index"
)

// RIS, as reference managers (EndNote, Zotero, Mendeley) and databases
// export it: records from "TY  - " to "ER  - ", one tag a line ("XX  - "
// with exactly two spaces, as the format requires), CRLF or LF. Lines that
// are not tagged continue the previous tag's value (long abstracts); text
// before the first record is ignored (some databases write provenance
// lines there).
//
// Tags read: ID; TI or T1 (CT, BT for books); AU or A1, repeated, in order
// ("Last, First[, Suffix]" is turned into "First Last Suffix"); AB or N2;
// PY or Y1 ("2022///", "2022/03/15/") and DA for the year and date; DO
// (also written as a resolver link); UR, L1, L2 (a doi.org link gives the
// DOI, an arxiv.org one the arXiv id); AN with DB PubMed/MEDLINE, or
// "PMID: 123", gives the PMID; an N1 note "arXiv:…" the arXiv id; KW,
// repeated, the categories (one keyword a line; a line listing several
// with semicolons is split), as BibTeX keywords are.
//
// The id is ID; else the DOI; else "ris:" and the first 16 hex digits of
// the SHA-256 of the normalised title (lower case, runs of letters and
// digits joined by one space), a newline, and the year (empty if unknown).
// The same record therefore gets the same id in every export.

type risSource struct {
	name   string
	lines  *lineReader
	in     bool // inside a record
	start  int  // line of its TY
	size   int
	bad    string // why the record being read will be skipped
	fields []risField
	stray  bool // reported a tagged line outside any record; quiet until the next TY
	done   bool
}

type risField struct {
	tag   string
	value []byte // appended to by continuation lines
}

// risTag splits "XX  - value" (or "XX  -" with nothing after it).
func risTag(line []byte) (string, string, bool) {
	if len(line) < 5 || !isUpperASCII(line[0]) || !isUpperASCII(line[1]) && (line[1] < '0' || line[1] > '9') ||
		line[2] != ' ' || line[3] != ' ' || line[4] != '-' {
		return "", "", false
	}
	if len(line) == 5 {
		return string(line[:2]), "", true
	}
	if line[5] != ' ' {
		return "", "", false
	}
	return string(line[:2]), string(line[6:]), true
}

func isUpperASCII(c byte) bool { return c >= 'A' && c <= 'Z' }

func isRISStart(line []byte) bool {
	tag, _, ok := risTag(line)
	return ok && tag == "TY"
}

// hasRISStartLine reports whether a TY line is among the lines of head.
func hasRISStartLine(head []byte) bool {
	for _, line := range strings.Split(string(head), "\n") {
		if isRISStart([]byte(strings.TrimSuffix(line, "\r"))) {
			return true
		}
	}
	return false
}

func (s *risSource) begin(line int, typ string) {
	s.in, s.start, s.size, s.bad, s.stray = true, line, 0, "", false
	s.fields = append(s.fields[:0], risField{"TY", []byte(typ)})
}

func (s *risSource) next() (entry, error) {
	for {
		if s.done {
			return entry{}, io.EOF
		}
		line, err := s.lines.next()
		switch {
		case errors.Is(err, errLineTooLong):
			if s.in {
				s.bad = "line " + strconv.Itoa(s.lines.line) + " longer than " + sizeText(s.lines.max)
				continue
			}
			continue // outside a record: ignored like any other text there
		case err == io.EOF:
			s.done = true
			if s.in {
				s.in = false
				return entry{}, &RecordError{File: s.name, Line: s.start, Reason: "record not closed by an ER line before the end of the input"}
			}
			return entry{}, io.EOF
		case err != nil:
			return entry{}, streamFatal(s.name, err)
		}
		tag, value, tagged := risTag(line)
		if !s.in {
			switch {
			case tagged && tag == "TY":
				s.begin(s.lines.line, value)
			case tagged && !s.stray && tag != "ER":
				s.stray = true
				return entry{}, &RecordError{File: s.name, Line: s.lines.line, Reason: fmt.Sprintf("RIS tag %s outside a record (a record starts with TY)", tag)}
			}
			continue
		}
		if s.size += len(line) + 1; s.size > s.lines.max && s.bad == "" {
			s.bad = "record longer than " + sizeText(s.lines.max)
		}
		switch {
		case tagged && tag == "ER":
			s.in = false
			if s.bad != "" {
				return entry{}, &RecordError{File: s.name, Line: s.start, Reason: s.bad}
			}
			p, reason := s.paper()
			if reason != "" {
				return entry{}, &RecordError{File: s.name, Line: s.start, Reason: reason}
			}
			return entry{rec: Record{Paper: p}, kind: FormatRIS, line: s.start}, nil
		case tagged && tag == "TY":
			start := s.start
			s.begin(s.lines.line, value)
			return entry{}, &RecordError{File: s.name, Line: start, Reason: fmt.Sprintf("record not closed by an ER line before the TY on line %d", s.lines.line)}
		case s.bad != "":
		case tagged:
			s.fields = append(s.fields, risField{tag, []byte(value)})
		case len(s.fields) > 0:
			// A continuation of the previous tag's value.
			last := &s.fields[len(s.fields)-1]
			last.value = append(append(last.value, '\n'), line...)
		}
	}
}

// paper builds the record's paper from its tags.
func (s *risSource) paper() (index.Paper, string) {
	var rec record
	first := func(tags ...string) string {
		for _, t := range tags {
			for _, f := range s.fields {
				if v := strings.TrimSpace(string(f.value)); f.tag == t && v != "" {
					return v
				}
			}
		}
		return ""
	}
	rec.id = first("ID")
	rec.title = first("TI", "T1", "CT", "BT")
	rec.abstract = first("AB", "N2")
	var database string
	for _, f := range s.fields {
		v := strings.TrimSpace(string(f.value))
		switch f.tag {
		case "AU", "A1":
			if v != "" {
				rec.authors = append(rec.authors, lastFirst(v))
			}
		case "UR", "L1", "L2", "LK":
			lower := strings.ToLower(v)
			switch {
			case strings.Contains(lower, "doi.org/") && rec.doi == "":
				rec.doi = v
			case strings.Contains(lower, "arxiv.org/") && rec.arxiv == "":
				rec.arxiv = index.NormalizeArXiv(v)
			}
			if rec.url == "" && f.tag == "UR" {
				rec.url = v
			}
		case "N1":
			if i := strings.Index(strings.ToLower(v), "arxiv:"); i >= 0 && rec.arxiv == "" {
				rec.arxiv = index.NormalizeArXiv(v[i:])
			}
		case "DB", "DP":
			database += " " + strings.ToLower(v)
		case "KW":
			// A KW line is one keyword, which may hold a comma ("Fishes,
			// Tropical" is a MeSH heading); only semicolons list several.
			for _, k := range strings.Split(v, ";") {
				rec.categories = append(rec.categories, strings.Join(strings.Fields(k), " "))
			}
		}
	}
	if d := first("DO"); d != "" {
		rec.doi = d
	}
	if an := first("AN"); an != "" {
		lower := strings.ToLower(an)
		switch {
		case strings.HasPrefix(lower, "pmid"):
			rec.pmid = strings.TrimSpace(strings.TrimLeft(an[4:], ": "))
		case strings.Contains(database, "pubmed") || strings.Contains(database, "medline"):
			rec.pmid = an
		}
	}
	for _, tag := range []string{"PY", "Y1", "DA"} {
		year, date := risDate(first(tag))
		if rec.year == 0 {
			rec.year = year
		}
		if rec.published == "" {
			rec.published = date
		}
	}
	if rec.id == "" {
		rec.id = index.NormalizeDOI(rec.doi)
	}
	if rec.id == "" {
		if strings.TrimSpace(rec.title) == "" {
			return index.Paper{}, "no ID, DO or title to make an id from"
		}
		rec.id = risStableID(rec.title, rec.year)
	}
	return rec.finish()
}

// risDate reads "2022", "2022///", "2022/03/15/", "2022/03/15/Spring" or
// "2022-03-15": the year, and the date when it is complete and valid.
func risDate(s string) (int, string) {
	year := leadingYear(s)
	if year == 0 {
		return 0, ""
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' })
	if len(parts) >= 3 {
		m, err1 := strconv.Atoi(strings.TrimSpace(parts[1]))
		d, err2 := strconv.Atoi(strings.TrimSpace(parts[2]))
		if err1 == nil && err2 == nil {
			if date, _, r := parseDateText("DA", fmt.Sprintf("%04d-%02d-%02d", year, m, d)); r == "" {
				return year, date
			}
		}
	}
	return year, ""
}

// lastFirst turns "Last, First" into "First Last" and "Last, First,
// Suffix" into "First Last Suffix"; a name without a comma is kept, and so
// is a company's ("Barnes and Noble, Inc.": RIS has no mark for an
// organisation, and what follows its comma is a company form, never a
// given name).
func lastFirst(name string) string {
	parts := strings.Split(name, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	switch {
	case len(parts) < 2, companyForms[strings.ToLower(parts[len(parts)-1])]:
		return name
	case len(parts) == 2:
		return strings.TrimSpace(parts[1] + " " + parts[0])
	}
	return strings.Join(strings.Fields(parts[1]+" "+parts[0]+" "+strings.Join(parts[2:], " ")), " ")
}

// companyForms end the names of companies, after a comma.
var companyForms = map[string]bool{
	"inc": true, "inc.": true, "ltd": true, "ltd.": true, "llc": true, "corp": true, "corp.": true,
	"co": true, "co.": true, "gmbh": true, "ag": true, "plc": true, "s.a.": true, "b.v.": true,
}

// risStableID is the id of a record without ID or DOI (see the top).
func risStableID(title string, year int) string {
	y := ""
	if year != 0 {
		y = strconv.Itoa(year)
	}
	sum := sha256.Sum256([]byte(normalisedTitle(title) + "\n" + y))
	return "ris:" + hex.EncodeToString(sum[:8])
}

// normalisedTitle is the title as a key: lower case, its runs of letters
// and digits joined by one space.
func normalisedTitle(title string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(index.CleanText(title)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

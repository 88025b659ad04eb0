package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// jsonRecord holds every field any JSON format uses, undecoded, so that one
// pass finds them all and each can then be checked for its accepted types.
// It is reused from record to record to keep the buffers. encoding/json
// matches keys regardless of case, so "Title" or "ID" are read as well,
// which is what someone who wrote them meant.
type jsonRecord struct {
	ID            json.RawMessage `json:"id"`
	BEIRID        json.RawMessage `json:"_id"`
	Title         json.RawMessage `json:"title"`
	Abstract      json.RawMessage `json:"abstract"`
	Text          json.RawMessage `json:"text"`
	Authors       json.RawMessage `json:"authors"`
	AuthorsParsed json.RawMessage `json:"authors_parsed"`
	Categories    json.RawMessage `json:"categories"`
	Year          json.RawMessage `json:"year"`
	Published     json.RawMessage `json:"published"`
	URL           json.RawMessage `json:"url"`
	DOI           json.RawMessage `json:"doi"`
	Versions      json.RawMessage `json:"versions"`
	UpdateDate    json.RawMessage `json:"update_date"`
	ArXiv         json.RawMessage `json:"arxiv"`
	PMID          json.RawMessage `json:"pmid"`
	// CSL-JSON (csl.go).
	Type    json.RawMessage `json:"type"`
	Author  json.RawMessage `json:"author"`
	Issued  json.RawMessage `json:"issued"`
	Number  json.RawMessage `json:"number"`
	Note    json.RawMessage `json:"note"`
	Keyword json.RawMessage `json:"keyword"`
	// OpenAlex works (openalex.go).
	DisplayName     json.RawMessage `json:"display_name"`
	InvertedIndex   json.RawMessage `json:"abstract_inverted_index"`
	Authorships     json.RawMessage `json:"authorships"`
	PublicationYear json.RawMessage `json:"publication_year"`
	PublicationDate json.RawMessage `json:"publication_date"`
	IDs             json.RawMessage `json:"ids"`
	PrimaryLocation json.RawMessage `json:"primary_location"`
	Locations       json.RawMessage `json:"locations"`
	// Semantic Scholar (s2.go); the Datasets spell the keys in lower case,
	// which encoding/json matches as well.
	PaperID     json.RawMessage `json:"paperId"`
	CorpusID    json.RawMessage `json:"corpusId"`
	ExternalIDs json.RawMessage `json:"externalIds"`
	PubDate     json.RawMessage `json:"publicationDate"`
}

func (j *jsonRecord) reset() {
	for _, f := range []*json.RawMessage{
		&j.ID, &j.BEIRID, &j.Title, &j.Abstract, &j.Text, &j.Authors, &j.AuthorsParsed,
		&j.Categories, &j.Year, &j.Published, &j.URL, &j.DOI, &j.Versions, &j.UpdateDate,
		&j.ArXiv, &j.PMID, &j.Type, &j.Author, &j.Issued, &j.Number, &j.Note, &j.Keyword,
		&j.DisplayName, &j.InvertedIndex, &j.Authorships, &j.PublicationYear, &j.PublicationDate,
		&j.IDs, &j.PrimaryLocation, &j.Locations, &j.PaperID, &j.CorpusID, &j.ExternalIDs, &j.PubDate,
	} {
		*f = (*f)[:0]
	}
}

// jsonDecoder turns one JSON value into a paper.
type jsonDecoder struct {
	rec jsonRecord
}

// decode returns the paper in data and the kind of record it was (FormatJSONL
// for generic, or the format its fields name), or the reason to skip it.
func (d *jsonDecoder) decode(data []byte) (index.Paper, Format, string) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return index.Paper{}, FormatJSONL, "empty record"
	}
	if trimmed[0] != '{' {
		var v json.RawMessage
		if err := json.Unmarshal(trimmed, &v); err != nil {
			// The decoder's message ("invalid character 'o' in literal
			// null") describes its own state, not the line.
			return index.Paper{}, FormatJSONL, "invalid JSON: want an object, got " + quoteShort(string(bytes.TrimRight(trimmed, " \t\r\n")))
		}
		return index.Paper{}, FormatJSONL, "want a JSON object, got " + describe(v)
	}
	j := &d.rec
	j.reset()
	if err := json.Unmarshal(trimmed, j); err != nil {
		return index.Paper{}, FormatJSONL, syntaxReason(err)
	}
	kind := j.kind()
	var rec record
	var reason string
	switch kind {
	case FormatBEIR:
		reason = j.beir(&rec)
	case FormatArxiv:
		reason = j.arxiv(&rec)
	case FormatS2:
		reason = j.s2Graph(&rec)
	case FormatS2Papers:
		reason = j.s2Paper(&rec)
	case FormatS2Abstracts:
		reason = j.s2Abstract(&rec)
	case FormatOpenAlex:
		reason = j.openAlex(&rec)
	case FormatCSL:
		reason = j.csl(&rec)
	default:
		reason = j.generic(&rec)
	}
	if reason != "" {
		return index.Paper{}, kind, reason
	}
	p, reason := rec.finish()
	return p, kind, reason
}

// kind tells the record kinds apart by the fields only one of them has.
// Checked in this order: BEIR (_id); arXiv snapshot (versions or
// authors_parsed); Semantic Scholar Graph API (paperId); Semantic Scholar
// Datasets (corpusid: a papers row has a title, an abstracts row an
// abstract and no title); OpenAlex (authorships, abstract_inverted_index,
// or an https://openalex.org/ id); CSL-JSON (a string "type" with an
// "issued" object or an "author" list of objects); anything else is
// generic.
func (j *jsonRecord) kind() Format {
	switch {
	case isSet(j.BEIRID):
		return FormatBEIR
	case isSet(j.Versions) || isSet(j.AuthorsParsed):
		return FormatArxiv
	case isSet(j.PaperID):
		return FormatS2
	case isSet(j.CorpusID):
		if !isSet(j.Title) && isSet(j.Abstract) {
			return FormatS2Abstracts
		}
		return FormatS2Papers
	case isSet(j.Authorships) || isSet(j.InvertedIndex) || bytes.HasPrefix(j.ID, []byte(`"https://openalex.org/`)):
		return FormatOpenAlex
	case isSet(j.Type) && j.Type[0] == '"' && (startsWith(j.Issued, '{') || startsWith(j.Author, '[', '{')):
		return FormatCSL
	}
	return FormatJSONL
}

// startsWith reports whether raw begins with the given structural bytes,
// white space between them allowed: "[{" is a list of objects.
func startsWith(raw json.RawMessage, want ...byte) bool {
	for _, w := range want {
		raw = bytes.TrimLeft(raw, " \t\r\n")
		if len(raw) == 0 || raw[0] != w {
			return false
		}
		raw = raw[1:]
	}
	return true
}

func syntaxReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "invalid JSON: " + strings.ReplaceAll(se.Error(), "JSON input", "input")
	}
	return "invalid JSON: " + err.Error()
}

// beir reads a BEIR corpus line. BEIR's own fields are _id, title and text;
// anything else (its "metadata") is not ours to interpret.
func (j *jsonRecord) beir(rec *record) string {
	var reason string
	if rec.id, reason = jsonID("_id", j.BEIRID); reason != "" {
		return reason
	}
	if rec.title, reason = jsonString("title", j.Title); reason != "" {
		return reason
	}
	if rec.abstract, reason = jsonString("text", j.Text); reason != "" {
		return reason
	}
	if strings.TrimSpace(rec.abstract) == "" {
		rec.abstract, reason = jsonString("abstract", j.Abstract)
	}
	return reason
}

// generic reads the fields the contract lists for generic JSON lines, and
// the external ids a paper written by `paperseek get --json` carries.
func (j *jsonRecord) generic(rec *record) string {
	if r := j.common(rec); r != "" {
		return r
	}
	var r string
	if rec.authors, r = jsonAuthors("authors", j.Authors); r != "" {
		return r
	}
	if rec.arxiv, r = jsonString("arxiv", j.ArXiv); r != "" {
		return r
	}
	if rec.pmid, r = jsonID("pmid", j.PMID); r != "" {
		return r
	}
	if rec.arxiv == "" && looksArXiv(rec.id, rec.categories) {
		// A line of arXiv's own metadata in the generic shape (id, title,
		// abstract, categories, as the 119k arXiv set is written): its id
		// is an arXiv id and its text is arXiv's LaTeX.
		rec.arxiv = rec.id
		rec.latex = true
	}
	return ""
}

// looksArXiv reports whether a generic record is arXiv metadata: its id is
// an arXiv identifier and one of its categories an arXiv category. Both are
// required, so that a user's own numbering ("1234.5678") is never taken
// for an arXiv id.
func looksArXiv(id string, categories []string) bool {
	if len(categories) == 0 || !isArXivCategory(categories[0]) {
		return false
	}
	id = strings.TrimSpace(id)
	return id != "" && (id[0] >= '0' && id[0] <= '9' || strings.IndexByte(id, '/') > 0) && index.NormalizeArXiv(id) != ""
}

// common reads every generic field except authors, which arXiv lines
// write differently.
func (j *jsonRecord) common(rec *record) string {
	var r string
	if rec.id, r = jsonID("id", j.ID); r != "" {
		return r
	}
	if rec.title, r = jsonString("title", j.Title); r != "" {
		return r
	}
	if rec.abstract, r = jsonString("abstract", j.Abstract); r != "" {
		return r
	}
	if strings.TrimSpace(rec.abstract) == "" {
		if rec.abstract, r = jsonString("text", j.Text); r != "" {
			return r
		}
	}
	if rec.categories, r = jsonCategories(j.Categories); r != "" {
		return r
	}
	if rec.year, r = jsonYear(j.Year); r != "" {
		return r
	}
	var year int
	if rec.published, year, r = jsonDate("published", j.Published); r != "" {
		return r
	}
	if rec.year == 0 {
		rec.year = year
	}
	if rec.url, r = jsonString("url", j.URL); r != "" {
		return r
	}
	rec.doi, r = jsonString("doi", j.DOI)
	return r
}

// arxiv reads an arXiv metadata snapshot line: the generic fields, then the
// snapshot's own: authors_parsed for names (already split and accented
// properly, unlike the LaTeX "authors" string), the first version's date
// as the publication date, and the abs page as the URL. The title and
// abstract are arXiv's LaTeX source, decoded (latex.go); the id is the
// paper's arXiv id.
func (j *jsonRecord) arxiv(rec *record) string {
	if r := j.common(rec); r != "" {
		return r
	}
	names, r := jsonAuthorsParsed(j.AuthorsParsed)
	if r != "" {
		return r
	}
	if len(names) == 0 {
		if isSet(j.Authors) && j.Authors[0] == '"' {
			// Parenthesised groups in the snapshot's author string are
			// affiliations, not names.
			names = arxivAuthorString(unquote(j.Authors))
		} else if names, r = jsonAuthors("authors", j.Authors); r != "" {
			return r
		}
	}
	rec.authors = names
	date, year, r := jsonVersionsDate(j.Versions)
	if r != "" {
		return r
	}
	if date == "" {
		if date, year, r = jsonDate("update_date", j.UpdateDate); r != "" {
			return r
		}
	}
	if date != "" {
		rec.published = date
		if !isSet(j.Year) {
			rec.year = year
		}
	}
	if id := strings.TrimSpace(rec.id); rec.url == "" && id != "" {
		rec.url = "https://arxiv.org/abs/" + id
	}
	rec.arxiv = rec.id
	rec.latex = true
	return ""
}

func isSet(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// unquote decodes a JSON string the decoder has already validated; the
// common case without escapes needs no second parse.
func unquote(raw json.RawMessage) string {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner)
	}
	var s string
	_ = json.Unmarshal(raw, &s) // cannot fail: raw is a valid JSON string
	return s
}

// describe names a JSON value for an error message: strings and numbers by
// value, containers by kind.
func describe(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return quoteShort(unquote(raw))
	case '{':
		return "an object"
	case '[':
		return "a list"
	}
	s := string(raw)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

func jsonString(field string, raw json.RawMessage) (string, string) {
	if !isSet(raw) {
		return "", ""
	}
	if raw[0] != '"' {
		return "", fmt.Sprintf("field %q: want a string, got %s", field, describe(raw))
	}
	return unquote(raw), ""
}

// jsonID accepts a string or a number; a number keeps its literal digits,
// so 1000000 stays "1000000" and never becomes "1e+06".
func jsonID(field string, raw json.RawMessage) (string, string) {
	if !isSet(raw) {
		return "", ""
	}
	switch c := raw[0]; {
	case c == '"':
		return unquote(raw), ""
	case c == '-' || c >= '0' && c <= '9':
		return string(raw), ""
	}
	return "", fmt.Sprintf("field %q: want a string or a number, got %s", field, describe(raw))
}

func jsonYear(raw json.RawMessage) (int, string) {
	if !isSet(raw) {
		return 0, ""
	}
	switch c := raw[0]; {
	case c == '"':
		return parseYearText("year", unquote(raw))
	case c == '-' || c >= '0' && c <= '9':
		return parseYearText("year", string(raw))
	}
	return 0, fmt.Sprintf("field %q: want a number, got %s", "year", describe(raw))
}

func jsonDate(field string, raw json.RawMessage) (string, int, string) {
	if !isSet(raw) {
		return "", 0, ""
	}
	switch c := raw[0]; {
	case c == '"':
		return parseDateText(field, unquote(raw))
	case c == '-' || c >= '0' && c <= '9':
		// A bare number can only be a year.
		y, r := parseYearText(field, string(raw))
		return "", y, r
	}
	return "", 0, fmt.Sprintf("field %q: want a date like 2021-03-04, got %s", field, describe(raw))
}

// jsonAuthors accepts a list of names, a list of {"name": …} objects (as
// Crossref-like exports write them), or one string of names.
func jsonAuthors(field string, raw json.RawMessage) ([]string, string) {
	if !isSet(raw) {
		return nil, ""
	}
	switch raw[0] {
	case '"':
		return splitAuthors(unquote(raw)), ""
	case '[':
	default:
		return nil, fmt.Sprintf("field %q: want a list of names or a string, got %s", field, describe(raw))
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Sprintf("field %q: %v", field, err)
	}
	names := make([]string, 0, len(items))
	for _, item := range items {
		switch {
		case !isSet(item):
		case item[0] == '"':
			names = append(names, unquote(item))
		case item[0] == '{':
			var obj struct {
				Name json.RawMessage `json:"name"`
			}
			if err := json.Unmarshal(item, &obj); err != nil {
				return nil, fmt.Sprintf("field %q: %v", field, err)
			}
			if !isSet(obj.Name) || obj.Name[0] != '"' {
				return nil, fmt.Sprintf("field %q: want each author as a string or {\"name\": string}, got an object without a string \"name\"", field)
			}
			names = append(names, unquote(obj.Name))
		default:
			return nil, fmt.Sprintf("field %q: want each author as a string or {\"name\": string}, got %s", field, describe(item))
		}
	}
	return names, ""
}

// jsonAuthorsParsed reads arXiv's [[last, first, suffix], …] into
// "First Last Suffix".
func jsonAuthorsParsed(raw json.RawMessage) ([]string, string) {
	if !isSet(raw) {
		return nil, ""
	}
	var parts [][]*string
	if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, fmt.Sprintf("field %q: want a list of [last, first, suffix] lists, got %s", "authors_parsed", describe(raw))
	}
	names := make([]string, 0, len(parts))
	for _, p := range parts {
		var last, first, suffix string
		if len(p) > 0 && p[0] != nil {
			last = *p[0]
		}
		if len(p) > 1 && p[1] != nil {
			first = *p[1]
		}
		if len(p) > 2 && p[2] != nil {
			suffix = *p[2]
		}
		names = append(names, strings.Join(strings.Fields(first+" "+last+" "+suffix), " "))
	}
	return names, ""
}

// jsonVersionsDate returns the date of arXiv's first version.
func jsonVersionsDate(raw json.RawMessage) (string, int, string) {
	if !isSet(raw) {
		return "", 0, ""
	}
	var versions []struct {
		Created json.RawMessage `json:"created"`
	}
	if err := json.Unmarshal(raw, &versions); err != nil {
		return "", 0, fmt.Sprintf("field %q: want a list of {\"created\": date} objects, got %s", "versions", describe(raw))
	}
	if len(versions) == 0 {
		return "", 0, ""
	}
	return jsonDate("versions", versions[0].Created)
}

func jsonCategories(raw json.RawMessage) ([]string, string) {
	if !isSet(raw) {
		return nil, ""
	}
	switch raw[0] {
	case '"':
		return splitCategories(unquote(raw)), ""
	case '[':
		var items []*string
		if err := json.Unmarshal(raw, &items); err == nil {
			cats := make([]string, 0, len(items))
			for _, c := range items {
				if c != nil {
					cats = append(cats, *c)
				}
			}
			return cats, ""
		}
	}
	return nil, fmt.Sprintf("field %q: want a list of strings or a space-separated string, got %s", "categories", describe(raw))
}

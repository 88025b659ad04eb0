package ingest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// csl reads a CSL-JSON item, the format Zotero, Mendeley and citeproc
// exchange (an array of items): id, title, abstract, author, issued, DOI,
// URL, PMID. The arXiv id comes from "number" ("arXiv:2401.01234", as
// Zotero writes preprints), a "note" line starting with "arXiv:", an arXiv
// URL, or an arXiv DOI. "keyword" (a string of comma-separated keywords)
// gives the categories, as BibTeX keywords do. "container-title" (the
// journal) is not kept: papers have no venue field.
func (j *jsonRecord) csl(rec *record) string {
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
	rec.title, rec.abstract = cslText(rec.title), cslText(rec.abstract)
	if rec.authors, r = cslNames(j.Author); r != "" {
		return r
	}
	if rec.year, rec.published, r = cslDate("issued", j.Issued); r != "" {
		return r
	}
	if rec.doi, r = jsonString("DOI", j.DOI); r != "" {
		return r
	}
	if rec.url, r = jsonString("URL", j.URL); r != "" {
		return r
	}
	if rec.pmid, r = jsonID("PMID", j.PMID); r != "" {
		return r
	}
	// Optional fields that only give the arXiv id: read when they are
	// strings, ignored otherwise (CSL processors write numbers there too).
	for _, raw := range []json.RawMessage{j.Number, j.Note} {
		if isSet(raw) && raw[0] == '"' {
			for _, line := range strings.Split(unquote(raw), "\n") {
				if line = strings.TrimSpace(line); len(line) > 6 && strings.EqualFold(line[:6], "arxiv:") {
					if a := index.NormalizeArXiv(line); a != "" && rec.arxiv == "" {
						rec.arxiv = a
					}
				}
			}
		}
	}
	if isSet(j.Keyword) && j.Keyword[0] == '"' {
		rec.categories = keywordList(unquote(j.Keyword))
	}
	if rec.arxiv == "" && strings.Contains(strings.ToLower(rec.url), "arxiv.org/") {
		rec.arxiv = index.NormalizeArXiv(rec.url)
	}
	return ""
}

// cslMarkup is the rich-text markup CSL allows in titles; it is dropped,
// its text kept. Nothing else that looks like a tag is touched ("p < 0.05").
var cslMarkup = strings.NewReplacer(
	"<i>", "", "</i>", "", "<b>", "", "</b>", "", "<sup>", "", "</sup>", "", "<sub>", "", "</sub>", "",
	`<span class="nocase">`, "", `<span style="font-variant:small-caps;">`, "", "</span>", "",
)

func cslText(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	return cslMarkup.Replace(s)
}

// cslNames reads CSL name objects: "literal" (an organisation), or given,
// particles, family and suffix in reading order.
func cslNames(raw json.RawMessage) ([]string, string) {
	if !isSet(raw) {
		return nil, ""
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Sprintf("field %q: want a list of name objects, got %s", "author", describe(raw))
	}
	names := make([]string, 0, len(items))
	for _, item := range items {
		part := func(key string) string {
			v := item[key]
			if !isSet(v) || v[0] != '"' {
				return ""
			}
			return unquote(v)
		}
		if lit := part("literal"); lit != "" {
			names = append(names, lit)
			continue
		}
		name := strings.Join(strings.Fields(strings.Join([]string{
			part("given"), part("dropping-particle"), part("non-dropping-particle"), part("family"), part("suffix"),
		}, " ")), " ")
		if name != "" {
			names = append(names, name)
		}
	}
	return names, ""
}

// cslDate reads a CSL date: {"date-parts": [[2020, 1, 15]]} (numbers or
// numeric strings, the first part of a range), {"raw": "2020-01-15"}, or
// {"literal": "2020"}. A full date is the publication date.
func cslDate(field string, raw json.RawMessage) (int, string, string) {
	if !isSet(raw) {
		return 0, "", ""
	}
	if raw[0] == '"' { // some tools write the date as a plain string
		date, year, r := parseDateText(field, unquote(raw))
		return year, date, r
	}
	var d struct {
		Parts   [][]json.RawMessage `json:"date-parts"`
		Raw     json.RawMessage     `json:"raw"`
		Literal json.RawMessage     `json:"literal"`
	}
	bad := fmt.Sprintf("field %q: want {\"date-parts\": [[year, month, day]]}, got %s", field, describe(raw))
	if err := json.Unmarshal(raw, &d); err != nil {
		return 0, "", bad
	}
	if len(d.Parts) > 0 && len(d.Parts[0]) > 0 {
		var parts []int
		for _, p := range d.Parts[0] {
			text := string(p)
			if isSet(p) && p[0] == '"' {
				text = unquote(p)
			}
			n, err := strconv.Atoi(strings.TrimSpace(text))
			if err != nil {
				return 0, "", bad
			}
			parts = append(parts, n)
		}
		year, r := checkYear(field, float64(parts[0]), strconv.Itoa(parts[0]))
		if r != "" {
			return 0, "", r
		}
		if len(parts) >= 3 && year != 0 {
			if date, _, r := parseDateText(field, fmt.Sprintf("%04d-%02d-%02d", parts[0], parts[1], parts[2])); r == "" {
				return year, date, ""
			}
		}
		return year, "", ""
	}
	for _, alt := range []json.RawMessage{d.Raw, d.Literal} {
		if isSet(alt) && alt[0] == '"' {
			if date, year, r := parseDateText(field, unquote(alt)); r == "" {
				return year, date, ""
			}
			if y := leadingYear(unquote(alt)); y != 0 {
				return y, "", ""
			}
		}
	}
	return 0, "", ""
}

// leadingYear returns the year a free-form date starts with ("2020/2021",
// "2020a", "(1998)"), or 0.
func leadingYear(s string) int {
	s = strings.TrimLeft(strings.TrimSpace(s), "({[")
	if len(s) < 4 || strings.Trim(s[:4], "0123456789") != "" || len(s) > 4 && s[4] >= '0' && s[4] <= '9' {
		return 0
	}
	y, _ := strconv.Atoi(s[:4])
	if y < 1000 {
		return 0
	}
	return y
}

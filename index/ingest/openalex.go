package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// openAlex reads an OpenAlex work, from the snapshot (one a line) or an
// API page (pages.go): the short id (W…) as the id, title (display_name
// when there is none), the abstract rebuilt from abstract_inverted_index,
// authorships[].author.display_name, publication_year and _date, the DOI
// and PMID from "doi" and "ids", the arXiv id from an arXiv location or an
// arXiv DOI, and the landing page as the URL. Concepts and topics are not
// categories: those are arXiv-style codes that filters match exactly.
func (j *jsonRecord) openAlex(rec *record) string {
	var r string
	var id string
	if id, r = jsonString("id", j.ID); r != "" {
		return r
	}
	rec.id = strings.TrimPrefix(strings.TrimSpace(id), "https://openalex.org/")
	if rec.title, r = jsonString("title", j.Title); r != "" {
		return r
	}
	if strings.TrimSpace(rec.title) == "" {
		if rec.title, r = jsonString("display_name", j.DisplayName); r != "" {
			return r
		}
	}
	if rec.abstract, r = invertedAbstract(j.InvertedIndex); r != "" {
		return r
	}
	if rec.authors, r = openAlexAuthors(j.Authorships); r != "" {
		return r
	}
	if rec.year, r = jsonYear(j.PublicationYear); r != "" {
		return r
	}
	if rec.published, _, r = jsonDate("publication_date", j.PublicationDate); r != "" {
		return r
	}
	if rec.doi, r = jsonString("doi", j.DOI); r != "" {
		return r
	}
	var ids struct {
		DOI   json.RawMessage `json:"doi"`
		PMID  json.RawMessage `json:"pmid"`
		ArXiv json.RawMessage `json:"arxiv"`
	}
	if isSet(j.IDs) {
		if err := json.Unmarshal(j.IDs, &ids); err != nil {
			return fmt.Sprintf("field %q: want an object of ids, got %s", "ids", describe(j.IDs))
		}
	}
	if rec.doi == "" {
		rec.doi, _ = jsonString("ids.doi", ids.DOI)
	}
	rec.pmid, _ = jsonID("ids.pmid", ids.PMID)
	rec.arxiv, _ = jsonString("ids.arxiv", ids.ArXiv)

	type location struct {
		Landing json.RawMessage `json:"landing_page_url"`
		PDF     json.RawMessage `json:"pdf_url"`
	}
	var primary location
	var others []location
	_ = json.Unmarshal(j.PrimaryLocation, &primary) // optional: a wrong shape gives no URL
	_ = json.Unmarshal(j.Locations, &others)
	for _, loc := range append([]location{primary}, others...) {
		for _, raw := range []json.RawMessage{loc.Landing, loc.PDF} {
			if isSet(raw) && raw[0] == '"' {
				u := unquote(raw)
				if rec.arxiv == "" && strings.Contains(u, "arxiv.org/") {
					rec.arxiv = index.NormalizeArXiv(u)
				}
			}
		}
	}
	if isSet(primary.Landing) && primary.Landing[0] == '"' {
		rec.url = unquote(primary.Landing)
	} else if strings.HasPrefix(id, "https://openalex.org/") {
		rec.url = id
	}
	return ""
}

// invertedAbstract rebuilds an abstract from OpenAlex's inverted index
// ({"word": [positions]}): words in position order, and words sharing a
// position (OpenAlex writes some that way) both kept, in the order they
// appear in the index.
func invertedAbstract(raw json.RawMessage) (string, string) {
	if !isSet(raw) {
		return "", ""
	}
	bad := fmt.Sprintf("field %q: want an object of word: [positions], got %s", "abstract_inverted_index", describe(raw))
	if raw[0] != '{' {
		return "", bad
	}
	type placed struct {
		pos  int
		word string
	}
	var words []placed
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		return "", bad
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", bad
		}
		word, _ := t.(string)
		var positions []int
		if err := dec.Decode(&positions); err != nil {
			return "", bad
		}
		for _, p := range positions {
			if p < 0 {
				return "", bad
			}
			words = append(words, placed{p, word})
		}
	}
	if _, err := dec.Token(); err != nil && err != io.EOF { // }
		return "", bad
	}
	slices.SortStableFunc(words, func(a, b placed) int { return a.pos - b.pos })
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.word)
	}
	return b.String(), ""
}

// openAlexAuthors reads authorships[].author.display_name, or the name as
// printed on the paper (raw_author_name) when the author is not resolved.
func openAlexAuthors(raw json.RawMessage) ([]string, string) {
	if !isSet(raw) {
		return nil, ""
	}
	var list []struct {
		Author struct {
			DisplayName json.RawMessage `json:"display_name"`
		} `json:"author"`
		Raw json.RawMessage `json:"raw_author_name"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Sprintf("field %q: want a list of {\"author\": {\"display_name\": …}}, got %s", "authorships", describe(raw))
	}
	var names []string
	for _, a := range list {
		for _, v := range []json.RawMessage{a.Author.DisplayName, a.Raw} {
			if isSet(v) && v[0] == '"' {
				if n := unquote(v); strings.TrimSpace(n) != "" {
					names = append(names, n)
					break
				}
			}
		}
	}
	return names, ""
}

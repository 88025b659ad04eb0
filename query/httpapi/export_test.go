package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
)

// readExport reads an exported answer back with the readers `paperseek
// index` uses, checking the detected format.
func readExport(t *testing.T, body []byte, want ingest.Format) []index.Paper {
	t.Helper()
	rd, err := ingest.NewReader("answer", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("answer is not a readable file: %v\n%s", err, body)
	}
	if rd.Format() != want && len(body) > 3 {
		t.Errorf("answer read as %s, want %s\n%s", rd.Format(), want, body)
	}
	var out []index.Paper
	for {
		p, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading the answer: %v\n%s", err, body)
		}
		out = append(out, p)
	}
}

func paperIDs(papers []index.Paper) []string {
	out := make([]string, len(papers))
	for i, p := range papers {
		out[i] = p.ID
	}
	return out
}

// Every route that answers with papers answers with a reference file when
// asked, holding the same papers in the same order as its JSON answer.
func TestExportFormats(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()
	relatedPath := "/v1/papers/" + url.PathEscape(slashID) + "/related?k=4"
	paperPath := "/v1/papers/" + url.PathEscape(spaceID)
	tests := []struct {
		name, method, target, body string
	}{
		{"GET search", "GET", "/v1/search?q=language+models&k=5", ""},
		{"POST search", "POST", "/v1/search?k=1", `{"query":"language models","k":5}`},
		{"GET paper", "GET", paperPath + "?x=1", ""},
		{"GET related", "GET", relatedPath, ""},
		{"POST related", "POST", "/v1/related?x=1", `{"text":"streaming language models with attention sinks","k":3}`},
	}
	formats := []struct {
		param, contentType string
		read               ingest.Format
	}{
		{"bibtex", "application/x-bibtex; charset=utf-8", ingest.FormatBibTeX},
		{"RIS", "application/x-research-info-systems; charset=utf-8", ingest.FormatRIS},
		{"csl-json", "application/vnd.citationstyles.csl+json; charset=utf-8", ingest.FormatCSL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := call(h, tt.method, tt.target, tt.body)
			if plain.Code != http.StatusOK {
				t.Fatalf("JSON answer: %d %s", plain.Code, plain.Body)
			}
			var want []string
			if strings.HasPrefix(tt.target, "/v1/papers/") && !strings.Contains(tt.target, "/related") {
				var p index.Paper
				if err := json.Unmarshal(plain.Body.Bytes(), &p); err != nil {
					t.Fatal(err)
				}
				want = []string{p.ID}
			} else {
				want = ids(decodeResponse(t, plain.Body.Bytes()))
			}
			if len(want) == 0 {
				t.Fatal("the JSON answer has no papers: nothing to compare")
			}
			// format=json is the JSON answer itself.
			if j := call(h, tt.method, tt.target+"&format=json", tt.body); !strings.HasPrefix(j.Header().Get("Content-Type"), "application/json") || j.Code != http.StatusOK {
				t.Errorf("format=json: %d %s", j.Code, j.Header().Get("Content-Type"))
			}
			for _, f := range formats {
				rec := call(h, tt.method, tt.target+"&format="+f.param, tt.body)
				if rec.Code != http.StatusOK {
					t.Fatalf("format=%s: %d %s", f.param, rec.Code, rec.Body)
				}
				if ct := rec.Header().Get("Content-Type"); ct != f.contentType {
					t.Errorf("format=%s: Content-Type %q, want %q", f.param, ct, f.contentType)
				}
				if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") {
					t.Errorf("format=%s: Content-Disposition %q", f.param, cd)
				}
				got := readExport(t, rec.Body.Bytes(), f.read)
				// BibTeX keys keep ids that are usable keys; others get
				// an author-year-word key, so compare titles there.
				if f.read == ingest.FormatBibTeX {
					var titles, wantTitles []string
					for _, p := range got {
						titles = append(titles, p.Title)
					}
					for _, id := range want {
						rec := call(h, "GET", "/v1/papers/"+url.PathEscape(id), "")
						var p index.Paper
						json.Unmarshal(rec.Body.Bytes(), &p)
						wantTitles = append(wantTitles, p.Title)
					}
					if !slices.Equal(titles, wantTitles) {
						t.Errorf("format=%s: titles %q, want %q", f.param, titles, wantTitles)
					}
					continue
				}
				if !slices.Equal(paperIDs(got), want) {
					t.Errorf("format=%s: papers %q, want %q", f.param, paperIDs(got), want)
				}
			}
		})
	}
}

func TestExportFormatErrors(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()
	rec := call(h, "GET", "/v1/search?q=graph&format=endnote", "")
	if rec.Code != http.StatusBadRequest || !strings.Contains(apiError(t, rec.Body.Bytes()).Message, `format must be json, bibtex, ris or csl-json, got "endnote"`) {
		t.Errorf("unknown format: %d %s", rec.Code, rec.Body)
	}
	// Errors stay the contract's JSON body whatever the format asked.
	rec = call(h, "GET", "/v1/papers/no-such-paper?format=bibtex", "")
	if rec.Code != http.StatusNotFound || apiError(t, rec.Body.Bytes()).Code != CodeNotFound {
		t.Errorf("unknown paper as bibtex: %d %s", rec.Code, rec.Body)
	}
	rec = call(h, "GET", "/v1/search?q=graph&k=0&format=ris", "")
	if rec.Code != http.StatusBadRequest || apiError(t, rec.Body.Bytes()).Code != CodeBadRequest {
		t.Errorf("bad k as ris: %d %s", rec.Code, rec.Body)
	}
	// No results is an empty, valid file.
	rec = call(h, "GET", "/v1/search?q=qqqqzzzzxxxx&mode=keyword&format=csl-json", "")
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Errorf("no results as csl-json: %d %q", rec.Code, rec.Body)
	}
}

// The paper routes take a paper's external ids as well as its id.
func TestPaperRoutesByExternalID(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()
	for _, path := range []string{
		"/v1/papers/" + url.PathEscape("doi:10.1000/FOLD.2019"),
		"/v1/papers/doi:10.1000/fold.2019", // unescaped, from a shell
		"/v1/papers/" + url.PathEscape("doi:https://doi.org/10.1000/fold.2019"),
		"/v1/papers/pmid:31000001",
	} {
		rec := call(h, "GET", path, "")
		var p index.Paper
		if err := json.Unmarshal(rec.Body.Bytes(), &p); rec.Code != http.StatusOK || err != nil || p.ID != "bio/0001" || p.DOI != "10.1000/fold.2019" {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	rec := call(h, "GET", "/v1/papers/pmid:31000001/related?k=5", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("related by PMID: %d %s", rec.Code, rec.Body)
	}
	if got := ids(decodeResponse(t, rec.Body.Bytes())); len(got) == 0 || slices.Contains(got, "bio/0001") {
		t.Errorf("related by PMID = %v: empty, or the paper itself", got)
	}
	rec = call(h, "GET", "/v1/papers/doi:10.9999/none", "")
	if rec.Code != http.StatusNotFound || !strings.Contains(apiError(t, rec.Body.Bytes()).Message, `no paper with doi "10.9999/none"`) {
		t.Errorf("unknown DOI: %d %s", rec.Code, rec.Body)
	}
	rec = call(h, "GET", "/v1/papers/doi:hello", "")
	if rec.Code != http.StatusBadRequest || !strings.Contains(apiError(t, rec.Body.Bytes()).Message, "is not a DOI") {
		t.Errorf("malformed DOI: %d %s", rec.Code, rec.Body)
	}
}

package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/export"
	"github.com/paperseek/paperseek/query"
)

// The answers of the search, related and paper routes can also be a file
// a reference manager imports: ?format=bibtex, ris or csl-json (format=json,
// or none, is the JSON document). The parameter is read from the query
// string on GET and POST alike, so a POST body stays the contract's.

// exportTypes are the media types each format is served as: what the
// formats' users register (JabRef and BibDesk for BibTeX, the RIS
// specification, the CSL project for CSL-JSON).
var exportTypes = map[export.Format]struct{ contentType, ext string }{
	export.BibTeX:  {"application/x-bibtex; charset=utf-8", "bib"},
	export.RIS:     {"application/x-research-info-systems; charset=utf-8", "ris"},
	export.CSLJSON: {"application/vnd.citationstyles.csl+json; charset=utf-8", "json"},
}

type formatKey struct{}

// exportable reads the format parameter before any work: a misspelt
// format is a 400 that costs no search. The format travels to
// writeAnswer in the request's context.
func exportable(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := value(r.URL.Query(), "format")
		if !ok || v == "" || strings.EqualFold(v, "json") {
			next.ServeHTTP(w, r)
			return
		}
		f, err := export.ParseFormat(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("format must be json, bibtex, ris or csl-json, got %q", v))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), formatKey{}, f)))
	})
}

// writeAnswer writes a route's answer: the JSON document, or its papers in
// the format the request asked for.
func writeAnswer(w http.ResponseWriter, r *http.Request, v any) {
	f, _ := r.Context().Value(formatKey{}).(export.Format)
	papers, ok := papersOf(v)
	if f == "" || !ok {
		writeJSON(w, http.StatusOK, v)
		return
	}
	var buf bytes.Buffer
	if err := export.Write(&buf, f, papers); err != nil {
		writeError(w, http.StatusInternalServerError, CodeInternal, "internal error: cannot write the papers as "+string(f))
		return
	}
	t := exportTypes[f]
	h := w.Header()
	h.Set("Content-Type", t.contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	// A browser following a link saves the file under a name its reference
	// manager (or the Zotero connector) recognises by extension.
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="paperseek.%s"`, t.ext))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// papersOf is the papers of an answer that has some, in its order.
func papersOf(v any) ([]index.Paper, bool) {
	switch a := v.(type) {
	case *query.Response:
		papers := make([]index.Paper, len(a.Results))
		for i := range a.Results {
			papers[i] = a.Results[i].Paper
		}
		return papers, true
	case index.Paper:
		return []index.Paper{a}, true
	}
	return nil, false
}

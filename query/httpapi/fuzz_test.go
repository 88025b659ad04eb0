package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzRequestDecoders feeds arbitrary query strings, bodies and paper paths
// to the decoders every API request goes through before any search runs.
// Whatever arrives, a decoder either produces a request or an error that
// the server answers with 400 and the contract's error body (one line,
// naming the problem) — never a panic, never a 500. Paper ids survive path
// escaping both ways, so any id a client can escape reaches the index.
func FuzzRequestDecoders(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzRequestDecoders, from the contract's
	// examples to bad escapes, NaN, deep nesting and path traversal.
	f.Add("q=graph+neural+networks&k=5", []byte(`{"query":"graph neural networks","k":5}`), "cs%2F0701113")
	f.Fuzz(func(t *testing.T, rawQuery string, body []byte, escaped string) {
		// GET parameters, as r.URL.Query() hands them over (it drops
		// malformed pairs).
		v, _ := url.ParseQuery(rawQuery)
		req, err := searchFromQuery(v)
		if err != nil {
			clientError(t, "GET "+rawQuery, err)
		} else {
			cats := 0
			for _, c := range v["category"] {
				cats += strings.Count(c, ",") + 1
			}
			if req.Query != v.Get("q") || req.Filter.Author != v.Get("author") || len(req.Filter.Categories) != cats {
				t.Fatalf("GET %q: decoded %+v", rawQuery, req)
			}
		}

		// POST bodies of both kinds.
		var sb searchBody
		if err := decodeBody(body, &sb); err != nil {
			clientError(t, "POST /v1/search", err)
		} else {
			mustBeObject(t, body)
			if _, err := sb.request(sb.Query); err != nil {
				clientError(t, "POST /v1/search", err)
			}
		}
		var rb relatedBody
		if err := decodeBody(body, &rb); err != nil {
			clientError(t, "POST /v1/related", err)
		} else {
			mustBeObject(t, body)
			if _, err := rb.request(""); err != nil {
				clientError(t, "POST /v1/related", err)
			}
		}

		// Paper paths.
		id, _, err := paperPath("/v1/papers/" + escaped)
		if err != nil {
			clientError(t, "GET /v1/papers/"+escaped, err)
			return
		}
		if !strings.Contains(escaped, "%") && id != strings.TrimSuffix(escaped, "/related") {
			t.Fatalf("path %q names paper %q", escaped, id)
		}
		for _, related := range []bool{false, true} {
			path := "/v1/papers/" + url.PathEscape(id)
			if related {
				path += "/related"
			}
			back, rel, err := paperPath(path)
			if err != nil || back != id || rel != related {
				t.Fatalf("id %q escaped as %s decodes as %q, related %v (%v)", id, path, back, rel, err)
			}
		}
	})
}

// clientError checks that err is answered as the client's mistake: 400
// with the contract's error body and a one-line message.
func clientError(t *testing.T, what string, err error) {
	t.Helper()
	rec := httptest.NewRecorder()
	writeParamError(rec, err)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("%.200s: %v answered with %d, want 400", what, err, rec.Code)
	}
	e := apiError(t, rec.Body.Bytes())
	if e.Code != CodeBadRequest || strings.ContainsAny(e.Message, "\r\n") {
		t.Fatalf("%.200s: error body %+v", what, e)
	}
}

// mustBeObject checks an accepted body: one JSON object, or a bare null,
// which decodes as an empty object and then fails on the missing query
// or text.
func mustBeObject(t *testing.T, body []byte) {
	t.Helper()
	trimmed := bytes.TrimSpace(body)
	if !json.Valid(body) || (len(trimmed) > 0 && trimmed[0] != '{' && string(trimmed) != "null") {
		t.Fatalf("accepted a body that is not one JSON object: %.200q", body)
	}
}

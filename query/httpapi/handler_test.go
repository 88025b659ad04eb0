package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/query"
)

func decodeResponse(t *testing.T, body []byte) *query.Response {
	t.Helper()
	var resp query.Response
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("response %q is not a search document: %v", body, err)
	}
	return &resp
}

func ids(resp *query.Response) []string {
	out := make([]string, len(resp.Results))
	for i, r := range resp.Results {
		out[i] = r.ID
	}
	return out
}

// sameResults compares two result lists field by field (everything but
// took_ms, which is a measurement).
func sameResults(t *testing.T, got, want *query.Response) {
	t.Helper()
	g, _ := json.Marshal(got.Results)
	w, _ := json.Marshal(want.Results)
	if string(g) != string(w) || got.Query != want.Query || got.Mode != want.Mode {
		t.Errorf("HTTP answer differs from the query layer's:\n got %s %s %s\nwant %s %s %s", got.Query, got.Mode, g, want.Query, want.Mode, w)
	}
}

// direct runs req through the query layer the CLI uses.
func direct(t *testing.T, s *Server, fn func(e *query.Engine) (*query.Response, error)) *query.Response {
	t.Helper()
	e, release, err := s.Engines.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	resp, err := fn(e)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestSearchMatchesQueryLayer(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()
	weight := 0.4
	tests := []struct {
		name   string
		params string
		req    query.Request
		check  func(t *testing.T, resp *query.Response)
	}{
		{
			name:   "hybrid default",
			params: "q=graph+kernels",
			req:    query.Request{Query: "graph kernels"},
			check: func(t *testing.T, resp *query.Response) {
				if len(resp.Results) == 0 || resp.Results[0].ID != slashID {
					t.Errorf("first result %v, want %s", ids(resp), slashID)
				}
				if !strings.Contains(resp.Results[0].Snippet, "<mark>") {
					t.Errorf("snippet %q has no marked term", resp.Results[0].Snippet)
				}
			},
		},
		{
			name:   "keyword with k",
			params: "q=speculative+decoding&mode=keyword&k=3",
			req:    query.Request{Query: "speculative decoding", Mode: query.ModeKeyword, K: 3},
			check: func(t *testing.T, resp *query.Response) {
				if len(resp.Results) != 3 {
					t.Errorf("%d results, want 3", len(resp.Results))
				}
			},
		},
		{
			name:   "semantic with offset",
			params: "q=memory+for+language+model+inference&mode=semantic&k=5&offset=2",
			req:    query.Request{Query: "memory for language model inference", Mode: query.ModeSemantic, K: 5, Offset: 2},
			check: func(t *testing.T, resp *query.Response) {
				if len(resp.Results) == 0 || resp.Results[0].Rank != 3 {
					t.Errorf("offset 2 should start at rank 3: %+v", resp.Results)
				}
			},
		},
		{
			name:   "year range",
			params: "q=language+models&year=2024..2025&k=50",
			req:    query.Request{Query: "language models", K: 50, Filter: query.Filter{Years: query.YearRange{From: 2024, To: 2025}}},
			check: func(t *testing.T, resp *query.Response) {
				if len(resp.Results) == 0 {
					t.Fatal("no results")
				}
				for _, r := range resp.Results {
					if r.Year < 2024 || r.Year > 2025 {
						t.Errorf("%s has year %d, outside 2024..2025", r.ID, r.Year)
					}
				}
			},
		},
		{
			name:   "category and author",
			params: "q=protein+folding&category=q-bio.BM&author=franklin",
			req:    query.Request{Query: "protein folding", Filter: query.Filter{Categories: []string{"q-bio.BM"}, Author: "franklin"}},
			check: func(t *testing.T, resp *query.Response) {
				if got := ids(resp); !slices.Equal(got, []string{"bio/0001"}) {
					t.Errorf("got %v, want only bio/0001", got)
				}
			},
		},
		{
			name:   "rrf fusion",
			params: "q=kv+cache+compression&fusion=rrf&rrf_k=30&explain=true",
			req:    query.Request{Query: "kv cache compression", Fusion: query.FusionRRF, RRFK: 30, Explain: true},
			check: func(t *testing.T, resp *query.Response) {
				// explain=true is read: every result says how its score was made.
				for _, r := range resp.Results {
					x := r.Explain
					if x == nil {
						t.Fatalf("%s: no explain with explain=true", r.ID)
					}
					if x.Fusion != "rrf" || x.RRFK != 30 || x.KeywordWeight != nil {
						t.Errorf("%s: explain %+v, want rrf with k 30", r.ID, *x)
					}
					if d := x.Keyword + x.Semantic - r.Score; d > 1e-5 || d < -1e-5 {
						t.Errorf("%s: parts %g + %g do not add up to the score %g", r.ID, x.Keyword, x.Semantic, r.Score)
					}
				}
			},
		},
		{
			name:   "blend weight",
			params: "q=kv+cache+compression&keyword_weight=0.4&explain=1",
			req:    query.Request{Query: "kv cache compression", KeywordWeight: &weight, Explain: true},
			check: func(t *testing.T, resp *query.Response) {
				for _, r := range resp.Results {
					if x := r.Explain; x == nil || x.Fusion != "blend" || x.KeywordWeight == nil || *x.KeywordWeight != 0.4 {
						t.Fatalf("%s: explain %+v, want blend with keyword weight 0.4", r.ID, x)
					}
				}
			},
		},
		{
			name:   "no explain",
			params: "q=kv+cache+compression&mode=keyword",
			req:    query.Request{Query: "kv cache compression", Mode: query.ModeKeyword},
			check: func(t *testing.T, resp *query.Response) {
				for _, r := range resp.Results {
					if r.Explain != nil {
						t.Errorf("%s: explain without explain=true", r.ID)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(h, "GET", "/v1/search?"+tt.params, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			got := decodeResponse(t, rec.Body.Bytes())
			want := direct(t, s, func(e *query.Engine) (*query.Response, error) { return e.Search(context.Background(), tt.req) })
			sameResults(t, got, want)
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestSearchPOSTEqualsGET(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()
	tests := []struct{ get, post string }{
		{"q=graph+kernels", `{"query":"graph kernels"}`},
		{"q=language+models&k=4&offset=1&mode=keyword&year=2024..", `{"query":"language models","k":4,"offset":1,"mode":"keyword","year":"2024.."}`},
		{"q=language+models&year=2025", `{"query":"language models","year":2025}`},
		{"q=language+models&since=2024-01-01&mode=keyword", `{"query":"language models","since":"2024-01-01","mode":"keyword"}`},
		{"q=streaming&category=cs.CL&author=lovelace", `{"query":"streaming","categories":["cs.CL"],"author":"lovelace"}`},
		{"q=cache&fusion=rrf&rrf_k=10", `{"query":"cache","fusion":"rrf","rrf_k":10}`},
		{"q=cache&keyword_weight=0", `{"query":"cache","keyword_weight":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.post, func(t *testing.T) {
			g := call(h, "GET", "/v1/search?"+tt.get, "")
			p := call(h, "POST", "/v1/search", tt.post, "Content-Type", "application/json")
			if g.Code != http.StatusOK || p.Code != http.StatusOK {
				t.Fatalf("GET %d %s / POST %d %s", g.Code, g.Body, p.Code, p.Body)
			}
			sameResults(t, decodeResponse(t, p.Body.Bytes()), decodeResponse(t, g.Body.Bytes()))
		})
	}
}

func TestBadRequests(t *testing.T) {
	s, _ := newServer(t, "", func(s *Server) { s.MaxBodyBytes = 1 << 20 })
	h := s.Handler()
	big := `{"query":"` + strings.Repeat("a", 1<<20) + `"}`
	tests := []struct {
		name, method, target, body string
		status                     int
		code, message              string
	}{
		{"k zero", "GET", "/v1/search?q=x&k=0", "", 400, CodeBadRequest, "k must be between 1 and 1000"},
		{"k too big", "GET", "/v1/search?q=x&k=1001", "", 400, CodeBadRequest, "k must be between 1 and 1000"},
		{"k not a number", "GET", "/v1/search?q=x&k=ten", "", 400, CodeBadRequest, `k must be a whole number, got "ten"`},
		{"negative offset", "GET", "/v1/search?q=x&offset=-1", "", 400, CodeBadRequest, "offset must be between 0"},
		{"unknown mode", "GET", "/v1/search?q=x&mode=fuzzy", "", 400, CodeBadRequest, `mode must be hybrid, keyword or semantic, got "fuzzy"`},
		{"reversed years", "GET", "/v1/search?q=x&year=2025..2020", "", 400, CodeBadRequest, `year range "2025..2020" is empty`},
		{"malformed year", "GET", "/v1/search?q=x&year=20x1", "", 400, CodeBadRequest, "year must be YEAR, FROM..TO"},
		{"malformed since", "GET", "/v1/search?q=x&since=yesterday", "", 400, CodeBadRequest, "since must be a date"},
		{"malformed since in body", "POST", "/v1/search", `{"query":"x","since":"7 days"}`, 400, CodeBadRequest, "since must be a date"},
		{"missing query", "GET", "/v1/search", "", 400, CodeBadRequest, "query is empty"},
		{"blank query", "GET", "/v1/search?q=+++", "", 400, CodeBadRequest, "query is empty"},
		{"unknown fusion", "GET", "/v1/search?q=x&fusion=max", "", 400, CodeBadRequest, "fusion must be blend, rrf, native or native-ranked"},
		{"weight out of range", "GET", "/v1/search?q=x&keyword_weight=1.5", "", 400, CodeBadRequest, "keyword weight must be between 0 and 1"},
		{"weight not a number", "GET", "/v1/search?q=x&keyword_weight=half", "", 400, CodeBadRequest, "keyword_weight must be a number"},
		{"rrf k not a number", "GET", "/v1/search?q=x&rrf_k=x", "", 400, CodeBadRequest, "rrf_k must be a positive number"},
		{"explain not a bool", "GET", "/v1/search?q=x&explain=maybe", "", 400, CodeBadRequest, "explain must be true or false"},
		{"empty category", "GET", "/v1/search?q=x&category=", "", 400, CodeBadRequest, "category must not be empty"},
		{"related bad k", "GET", "/v1/papers/" + url.PathEscape(slashID) + "/related?k=5000", "", 400, CodeBadRequest, "k must be between 1 and 1000"},
		{"related unknown mode", "GET", "/v1/papers/" + url.PathEscape(slashID) + "/related?mode=x", "", 400, CodeBadRequest, "mode must be"},

		{"malformed JSON", "POST", "/v1/search", `{"query": "x",`, 400, CodeBadRequest, "request body is not valid JSON"},
		{"JSON syntax error", "POST", "/v1/search", `{"query" "x"}`, 400, CodeBadRequest, "request body is not valid JSON"},
		{"empty body", "POST", "/v1/search", "", 400, CodeBadRequest, "request body is empty"},
		{"not an object", "POST", "/v1/search", `["x"]`, 400, CodeBadRequest, "request body must be a JSON object, not an array"},
		{"two documents", "POST", "/v1/search", `{"query":"x"}{"query":"y"}`, 400, CodeBadRequest, "one JSON object and nothing after it"},
		{"unknown field", "POST", "/v1/search", `{"query":"x","limit":3}`, 400, CodeBadRequest, `unknown field "limit"`},
		{"k as string", "POST", "/v1/search", `{"query":"x","k":"3"}`, 400, CodeBadRequest, "k must be a whole number, not a string"},
		{"k fractional", "POST", "/v1/search", `{"query":"x","k":2.5}`, 400, CodeBadRequest, "k must be a whole number"},
		{"k zero in body", "POST", "/v1/search", `{"query":"x","k":0}`, 400, CodeBadRequest, "k must be between 1 and 1000"},
		{"categories not a list", "POST", "/v1/search", `{"query":"x","categories":"cs.CL"}`, 400, CodeBadRequest, "categories must be a list of strings"},
		{"year reversed in body", "POST", "/v1/search", `{"query":"x","year":"2030..2020"}`, 400, CodeBadRequest, "is empty"},
		{"year object", "POST", "/v1/search", `{"query":"x","year":{"from":2020}}`, 400, CodeBadRequest, "year must be a string"},
		{"mode in body", "POST", "/v1/search", `{"query":"x","mode":"exact"}`, 400, CodeBadRequest, "mode must be"},
		{"empty related text", "POST", "/v1/related", `{"text":"  "}`, 400, CodeBadRequest, "text is empty"},
		{"related with query field", "POST", "/v1/related", `{"query":"x"}`, 400, CodeBadRequest, `unknown field "query"`},
		{"body over 1 MiB", "POST", "/v1/search", big, 413, CodeTooLarge, "larger than 1 MiB"},
		{"related body over 1 MiB", "POST", "/v1/related", big, 413, CodeTooLarge, "larger than 1 MiB"},

		{"unknown id", "GET", "/v1/papers/no-such-paper", "", 404, CodeNotFound, `no paper with id "no-such-paper"`},
		{"unknown id related", "GET", "/v1/papers/no-such-paper/related", "", 404, CodeNotFound, `no paper with id "no-such-paper"`},
		{"missing id", "GET", "/v1/papers/", "", 404, CodeNotFound, "no paper id in the path"},
		{"traversal is just an id", "GET", "/v1/papers/..%2F..%2Fetc%2Fpasswd", "", 404, CodeNotFound, `no paper with id "../../etc/passwd"`},
		{"unknown endpoint", "GET", "/v1/searches", "", 404, CodeNotFound, "no such endpoint"},
		{"unknown top-level path", "GET", "/etc/passwd", "", 404, CodeNotFound, "no such endpoint"},
		{"embedded directory not exposed", "GET", "/page/app.js", "", 404, CodeNotFound, "no such endpoint"},

		{"DELETE search", "DELETE", "/v1/search", "", 405, CodeMethodNotAllowed, "DELETE is not allowed on /v1/search"},
		{"POST stats", "POST", "/v1/stats", "{}", 405, CodeMethodNotAllowed, "use GET or HEAD"},
		{"PUT paper", "PUT", "/v1/papers/x", "{}", 405, CodeMethodNotAllowed, "PUT is not allowed"},
		{"GET related text", "GET", "/v1/related", "", 405, CodeMethodNotAllowed, "use POST"},
		{"POST healthz", "POST", "/healthz", "", 405, CodeMethodNotAllowed, "use GET or HEAD"},
		{"POST page", "POST", "/", "", 405, CodeMethodNotAllowed, "use GET or HEAD"},
	}
	allow := map[string]string{
		"/v1/search": "GET, HEAD, POST", "/v1/stats": "GET, HEAD", "/v1/papers/x": "GET, HEAD",
		"/v1/related": "POST", "/healthz": "GET, HEAD", "/": "GET, HEAD",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(h, tt.method, tt.target, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			e := apiError(t, rec.Body.Bytes())
			if e.Code != tt.code || !strings.Contains(e.Message, tt.message) {
				t.Errorf("error %+v, want code %s and a message containing %q", e, tt.code, tt.message)
			}
			if tt.status == 405 {
				if got := rec.Header().Get("Allow"); got != allow[tt.target] {
					t.Errorf("Allow %q, want %q", got, allow[tt.target])
				}
			}
		})
	}
}

func TestPapers(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()
	tests := []struct {
		name, path, wantID string
	}{
		{"slash escaped", "/v1/papers/cs%2F0701113", slashID},
		{"slash unescaped", "/v1/papers/cs/0701113", slashID},
		{"spaces escaped", "/v1/papers/" + url.PathEscape(spaceID), spaceID},
		{"markup in id", "/v1/papers/" + url.PathEscape(hostileID), hostileID},
		{"plain", "/v1/papers/2502.00004", "2502.00004"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(h, "GET", tt.path, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var p index.Paper
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			e, release, _ := s.Engines.Acquire()
			defer release()
			want, err := e.Store().Paper(context.Background(), tt.wantID)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(p)
			w, _ := json.Marshal(want)
			if string(got) != string(w) {
				t.Errorf("got %s, want %s", got, w)
			}
		})
	}
}

func TestRelated(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()
	tests := []struct {
		name, path string
		id         string
		req        query.Request
	}{
		{"slash id", "/v1/papers/cs%2F0701113/related", slashID, query.Request{}},
		{"slash id unescaped", "/v1/papers/cs/0701113/related?k=3", slashID, query.Request{K: 3}},
		{"space id keyword", "/v1/papers/" + url.PathEscape(spaceID) + "/related?mode=keyword", spaceID, query.Request{Mode: query.ModeKeyword}},
		{"filtered", "/v1/papers/2502.00004/related?year=2020..", "2502.00004", query.Request{Filter: query.Filter{Years: query.YearRange{From: 2020}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(h, "GET", tt.path, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			got := decodeResponse(t, rec.Body.Bytes())
			if got.Mode != query.ModeRelated || got.Query != tt.id {
				t.Errorf("query %q mode %q, want %q related", got.Query, got.Mode, tt.id)
			}
			if len(got.Results) == 0 {
				t.Fatal("no related papers")
			}
			if slices.Contains(ids(got), tt.id) {
				t.Errorf("%s is listed as related to itself: %v", tt.id, ids(got))
			}
			want := direct(t, s, func(e *query.Engine) (*query.Response, error) {
				return e.Related(context.Background(), tt.id, tt.req)
			})
			sameResults(t, got, want)
		})
	}

	t.Run("free text", func(t *testing.T) {
		text := "We fold proteins by predicting the structure of amino acid chains."
		body, _ := json.Marshal(map[string]any{"text": text, "k": 4})
		rec := call(h, "POST", "/v1/related", string(body))
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		got := decodeResponse(t, rec.Body.Bytes())
		want := direct(t, s, func(e *query.Engine) (*query.Response, error) {
			return e.RelatedText(context.Background(), text, query.Request{K: 4})
		})
		sameResults(t, got, want)
		if len(got.Results) != 4 {
			t.Errorf("%d results, want 4", len(got.Results))
		}
	})
}

func TestStatsAndHealth(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()

	rec := call(h, "GET", "/v1/stats", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("stats: %d %s", rec.Code, rec.Body)
	}
	var st index.Stats
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	e, release, _ := s.Engines.Acquire()
	want, err := e.Store().Stats(context.Background())
	release()
	if err != nil {
		t.Fatal(err)
	}
	if st != want || st.Papers != 60+13+len(extraPapers) {
		t.Errorf("stats %+v, want %+v with %d papers", st, want, 60+13+len(extraPapers))
	}

	rec = call(h, "GET", "/healthz", "")
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` {
		t.Errorf("healthz: %d %s", rec.Code, rec.Body)
	}
	if rec := call(h, "HEAD", "/healthz", ""); rec.Code != http.StatusOK {
		t.Errorf("HEAD healthz: %d", rec.Code)
	}
}

func TestPage(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()
	tests := []struct {
		path, ctype, contains string
	}{
		{"/", "text/html", `<script src="app.js" defer></script>`},
		{"/app.js", "javascript", "textContent"},
		{"/style.css", "text/css", "mark"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := call(h, "GET", tt.path, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tt.ctype)
			}
			if !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
			csp := rec.Header().Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP %q must allow only the page's own scripts", csp)
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			etag := rec.Header().Get("ETag")
			again := call(h, "GET", tt.path, "", "If-None-Match", etag)
			if etag == "" || again.Code != http.StatusNotModified {
				t.Errorf("revalidation with ETag %q: %d, want 304", etag, again.Code)
			}
		})
	}
	// The page never puts API data into HTML: no innerHTML, no
	// insertAdjacentHTML, no document.write anywhere in its script.
	js := call(h, "GET", "/app.js", "").Body.String()
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(js, sink) {
			t.Errorf("app.js uses %s", sink)
		}
	}
}

func TestToken(t *testing.T) {
	const token = "s3cret-token-value"
	s, logs := newServer(t, "", func(s *Server) { s.Token = token })
	h := s.Handler()
	tests := []struct {
		name, method, target, auth string
		status                     int
	}{
		{"no header", "GET", "/v1/search?q=graph", "", 401},
		{"wrong token, same length", "GET", "/v1/search?q=graph", "Bearer s3cret-token-valuX", 401},
		{"wrong token, shorter", "GET", "/v1/search?q=graph", "Bearer s3cret", 401},
		{"prefix of the token", "GET", "/v1/search?q=graph", "Bearer " + token[:len(token)-1], 401},
		{"token with extra", "GET", "/v1/search?q=graph", "Bearer " + token + "x", 401},
		{"basic scheme", "GET", "/v1/search?q=graph", "Basic " + token, 401},
		{"scheme only", "GET", "/v1/search?q=graph", "Bearer", 401},
		{"raw token", "GET", "/v1/search?q=graph", token, 401},
		{"token in the query string", "GET", "/v1/search?q=graph&token=" + token, "", 401},
		{"papers", "GET", "/v1/papers/" + url.PathEscape(slashID), "", 401},
		{"related", "GET", "/v1/papers/" + url.PathEscape(slashID) + "/related", "", 401},
		{"related text", "POST", "/v1/related", "", 401},
		{"stats", "GET", "/v1/stats", "", 401},
		{"unknown endpoint reveals nothing", "GET", "/v1/admin", "", 401},
		{"wrong method reveals nothing", "DELETE", "/v1/stats", "", 401},

		{"right token", "GET", "/v1/search?q=graph", "Bearer " + token, 200},
		{"scheme is case-insensitive", "GET", "/v1/stats", "bearer " + token, 200},
		{"paper with token", "GET", "/v1/papers/" + url.PathEscape(slashID), "Bearer " + token, 200},
		{"healthz is open", "GET", "/healthz", "", 200},
		{"page is open", "GET", "/", "", 200},
		{"page script is open", "GET", "/app.js", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.auth != "" {
				hdr = []string{"Authorization", tt.auth}
			}
			body := ""
			if tt.method == "POST" {
				body = `{"text":"protein folding"}`
			}
			rec := call(h, tt.method, tt.target, body, hdr...)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 401 {
				if e := apiError(t, rec.Body.Bytes()); e.Code != CodeUnauthorized {
					t.Errorf("code %q", e.Code)
				}
				if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
				}
				if strings.Contains(rec.Body.String(), token) {
					t.Error("the 401 body repeats the token")
				}
			}
		})
	}
	if l := logs.String(); strings.Contains(l, token) || strings.Contains(l, "s3cret") {
		t.Errorf("the access log contains the token:\n%s", l)
	}
}

func TestAccessLog(t *testing.T) {
	s, logs := newServer(t, "", nil)
	h := s.Handler()
	call(h, "GET", "/v1/search?q=private+words&k=2", "")
	call(h, "GET", "/v1/papers/cs%2F0701113", "")
	call(h, "GET", "/v1/search?k=0", "")
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	want := []string{
		"method=GET path=/v1/search status=200",
		"method=GET path=/v1/papers/cs%2F0701113 status=200",
		"method=GET path=/v1/search status=400",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d log lines, want %d:\n%s", len(lines), len(want), logs)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], "msg=request "+w) || !strings.Contains(lines[i], "bytes=") || !strings.Contains(lines[i], "duration_ms=") {
			t.Errorf("line %d = %q, want %q with bytes and duration", i, lines[i], w)
		}
	}
	if strings.Contains(logs.String(), "private") {
		t.Error("the access log contains the query text")
	}
}

func TestLimiterSaturated(t *testing.T) {
	s, _ := newServer(t, "", func(s *Server) {
		s.MaxConcurrent = 1
		s.MaxQueued = -1 // no waiting line: the second request is refused
	})
	h := s.Handler()
	release, err := s.limit.acquire(context.Background()) // a request in flight
	if err != nil {
		t.Fatal(err)
	}
	rec := call(h, "GET", "/v1/search?q=graph", "")
	if rec.Code != http.StatusTooManyRequests || apiError(t, rec.Body.Bytes()).Code != CodeTooManyRequests {
		t.Fatalf("status %d %s, want 429", rec.Code, rec.Body)
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Requests that never reach the index are not limited.
	for _, target := range []string{"/healthz", "/", "/v1/search?q=x&k=0"} {
		if rec := call(h, "GET", target, ""); rec.Code == http.StatusTooManyRequests {
			t.Errorf("%s: 429 although it needs no slot", target)
		}
	}
	release()
	if rec := call(h, "GET", "/v1/search?q=graph", ""); rec.Code != http.StatusOK {
		t.Fatalf("after the slot came free: %d %s", rec.Code, rec.Body)
	}
}

func TestLimiterLine(t *testing.T) {
	s, _ := newServer(t, "", func(s *Server) {
		s.MaxConcurrent = 1
		s.MaxQueued = 1
	})
	h := s.Handler()
	release, err := s.limit.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan int)
	go func() { waiting <- call(h, "GET", "/v1/search?q=graph", "").Code }()
	// Wait until that request stands in line (two admitted: the slot
	// holder and it); a third is then turned away.
	for len(s.limit.admitted) < 2 {
		select {
		case code := <-waiting:
			t.Fatalf("the queued request finished with %d while the slot was held", code)
		default:
		}
		runtime.Gosched()
	}
	if rec := call(h, "GET", "/v1/search?q=graph", ""); rec.Code != http.StatusTooManyRequests {
		t.Errorf("third request: %d, want 429", rec.Code)
	}
	release()
	if code := <-waiting; code != http.StatusOK {
		t.Errorf("queued request: %d, want 200 once the slot came free", code)
	}
}

func TestDeadline(t *testing.T) {
	s, _ := newServer(t, "", func(s *Server) { s.RequestTimeout = 1 }) // 1ns: over before it starts
	rec := call(s.Handler(), "GET", "/v1/search?q=language+models", "")
	if rec.Code != http.StatusServiceUnavailable || apiError(t, rec.Body.Bytes()).Code != CodeTimeout {
		t.Fatalf("status %d %s, want 503 timeout", rec.Code, rec.Body)
	}
}

func TestClientGoneIsLoggedAs499(t *testing.T) {
	s, logs := newServer(t, "", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client hung up before the search ran
	req := httptest.NewRequestWithContext(ctx, "GET", "/v1/search?q=language+models", nil)
	req.Host = "localhost"
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != StatusClientClosedRequest || rec.Body.Len() != 0 {
		t.Errorf("status %d body %q, want 499 and no body", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "status=499") {
		t.Errorf("log: %s", logs)
	}
}

package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/query"
)

func TestRecommend(t *testing.T) {
	s, _ := newServer(t, "", nil)
	h := s.Handler()
	protein := []string{"2503.00006", "2503.00007"}
	tests := []struct {
		name, target, body string
		seeds              query.Seeds
		req                query.Request
	}{
		{
			name:   "positive and negative",
			target: "/v1/recommend",
			body:   `{"positive":["2503.00006","2503.00007"],"negative":["2501.00001"],"k":5}`,
			seeds:  query.Seeds{Positive: protein, Negative: []string{"2501.00001"}},
			req:    query.Request{K: 5},
		},
		{
			name:   "Semantic Scholar names and ?limit",
			target: "/v1/recommend?limit=3&fields=title",
			body:   `{"positivePaperIds":["2503.00006","2503.00007"],"negativePaperIds":["2501.00001"]}`,
			seeds:  query.Seeds{Positive: protein, Negative: []string{"2501.00001"}},
			req:    query.Request{K: 3},
		},
		{
			name:   "texts with filters",
			target: "/v1/recommend",
			body:   `{"texts":["Folding proteins from their amino acid sequence."],"year":"2019..","categories":["q-bio.BM"],"mode":"keyword"}`,
			seeds:  query.Seeds{Texts: []string{"Folding proteins from their amino acid sequence."}},
			req:    query.Request{Mode: query.ModeKeyword, Filter: query.Filter{Years: query.YearRange{From: 2019}, Categories: []string{"q-bio.BM"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(h, "POST", tt.target, tt.body)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			got := decodeResponse(t, rec.Body.Bytes())
			if got.Mode != query.ModeRelated || len(got.Results) == 0 {
				t.Fatalf("mode %q, %d results", got.Mode, len(got.Results))
			}
			for _, id := range append(slices.Clone(tt.seeds.Positive), tt.seeds.Negative...) {
				if slices.Contains(ids(got), id) {
					t.Errorf("seed %s returned: %v", id, ids(got))
				}
			}
			want := direct(t, s, func(e *query.Engine) (*query.Response, error) {
				return e.Recommend(context.Background(), tt.seeds, tt.req)
			})
			sameResults(t, got, want)
		})
	}

	for _, tt := range []struct {
		name, target, body string
		status             int
		code, message      string
	}{
		{"nothing to start from", "/v1/recommend", `{"negative":["2501.00001"]}`, 400, CodeBadRequest, "no paper to recommend from"},
		{"empty id", "/v1/recommend", `{"positive":[" "]}`, 400, CodeBadRequest, "a paper id in positive or negative is empty"},
		{"unknown field", "/v1/recommend", `{"positive":["2503.00006"],"like":["x"]}`, 400, CodeBadRequest, "known fields: positive, negative, positivePaperIds"},
		{"both", "/v1/recommend", `{"positive":["2503.00006"],"negative":["2503.00006"]}`, 400, CodeBadRequest, "both a positive and a negative"},
		{"bad limit", "/v1/recommend?limit=many", `{"positive":["2503.00006"]}`, 400, CodeBadRequest, "limit must be a whole number"},
		{"bad k", "/v1/recommend", `{"positive":["2503.00006"],"k":5000}`, 400, CodeBadRequest, "k must be between 1 and 1000"},
		{"bad since", "/v1/recommend", `{"positive":["2503.00006"],"since":"soon"}`, 400, CodeBadRequest, "since must be a date"},
		{"unknown paper", "/v1/recommend", `{"positive":["2503.00006","nope"]}`, 404, CodeNotFound, `no paper with id "nope"`},
		{"malformed ref", "/v1/recommend", `{"positive":["doi:hello"]}`, 400, CodeBadRequest, "not a DOI"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(h, "POST", tt.target, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			e := apiError(t, rec.Body.Bytes())
			if e.Code != tt.code || !strings.Contains(e.Message, tt.message) {
				t.Errorf("error %+v, want code %s and a message containing %q", e, tt.code, tt.message)
			}
		})
	}
	// The same for a malformed reference in the path.
	if rec := call(h, "GET", "/v1/papers/doi:hello/related", ""); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"bad paper reference: \"doi:hello\" is not a DOI`) {
		t.Errorf("GET /v1/papers/doi:hello/related: %d %s", rec.Code, rec.Body)
	}
	rec := call(h, "GET", "/v1/recommend", "")
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Errorf("GET /v1/recommend: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] == nil {
		t.Errorf("405 body %s is not the contract's error shape", rec.Body)
	}
}

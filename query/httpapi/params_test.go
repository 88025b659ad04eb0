package httpapi

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/paperseek/paperseek/query"
)

func TestPaperPath(t *testing.T) {
	tests := []struct {
		escaped string
		id      string
		related bool
	}{
		{"/v1/papers/2401.01234", "2401.01234", false},
		{"/v1/papers/cs%2F0701113", "cs/0701113", false},
		{"/v1/papers/cs/0701113", "cs/0701113", false},
		{"/v1/papers/cs%2F0701113/related", "cs/0701113", true},
		{"/v1/papers/cs/0701113/related", "cs/0701113", true},
		{"/v1/papers/a%20b%20c", "a b c", false},
		{"/v1/papers/a%20b/related", "a b", true},
		{"/v1/papers/a+b", "a+b", false}, // + is a plus in a path, not a space
		{"/v1/papers/notes%2Frelated", "notes/related", false},
		{"/v1/papers/related", "related", false},
		{"/v1/papers/related/related", "related", true},
		{"/v1/papers/%E2%9C%93", "✓", false},
	}
	for _, tt := range tests {
		t.Run(tt.escaped, func(t *testing.T) {
			id, related, err := paperPath(tt.escaped)
			if err != nil || id != tt.id || related != tt.related {
				t.Errorf("paperPath = %q, %v, %v; want %q, %v", id, related, err, tt.id, tt.related)
			}
		})
	}
}

func TestSearchFromQuery(t *testing.T) {
	w := 0.25
	tests := []struct {
		query string
		want  query.Request
	}{
		{"q=kv+cache", query.Request{Query: "kv cache"}},
		{"q=x&k=5&offset=10", query.Request{Query: "x", K: 5, Offset: 10}},
		{"q=x&mode=keyword&fusion=rrf&rrf_k=20", query.Request{Query: "x", Mode: query.ModeKeyword, Fusion: "rrf", RRFK: 20}},
		{"q=x&year=2019..2023", query.Request{Query: "x", Filter: query.Filter{Years: query.YearRange{From: 2019, To: 2023}}}},
		{"q=x&year=..2018", query.Request{Query: "x", Filter: query.Filter{Years: query.YearRange{To: 2018}}}},
		{"q=x&category=cs.CL&category=cs.LG", query.Request{Query: "x", Filter: query.Filter{Categories: []string{"cs.CL", "cs.LG"}}}},
		{"q=x&category=cs.CL,+cs.IR", query.Request{Query: "x", Filter: query.Filter{Categories: []string{"cs.CL", "cs.IR"}}}},
		{"q=x&author=Turing", query.Request{Query: "x", Filter: query.Filter{Author: "Turing"}}},
		{"q=x&explain", query.Request{Query: "x", Explain: true}},
		{"q=x&explain=false", query.Request{Query: "x"}},
		{"q=x&keyword_weight=0.25", query.Request{Query: "x", KeywordWeight: &w}},
		{"q=x&k=", query.Request{Query: "x"}},
		{"q=x&_=1712345", query.Request{Query: "x"}}, // cache busters are ignored
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.query)
			got, err := searchFromQuery(v)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeBody(t *testing.T) {
	three := 3
	tests := []struct {
		body string
		want searchBody
	}{
		{`{"query":"x"}`, searchBody{Query: "x"}},
		{` {"query":"x","k":3} ` + "\n", searchBody{Query: "x", searchOptions: searchOptions{K: &three}}},
		{`{"query":"x","year":2021}`, searchBody{Query: "x", searchOptions: searchOptions{Year: yearValue{From: 2021, To: 2021}}}},
		{`{"query":"x","year":"2020.."}`, searchBody{Query: "x", searchOptions: searchOptions{Year: yearValue{From: 2020}}}},
		{`{"query":"x","year":null,"categories":null}`, searchBody{Query: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			var got searchBody
			if err := decodeBody([]byte(tt.body), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

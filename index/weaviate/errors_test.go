package weaviate

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Answers the real server gives (recorded from v1.35.2, see
// weaviatetest/testdata and the notes) must become the right error kind,
// with the server's message kept.
func TestErrorKinds(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		kind    error
		message string
	}{
		{"class exists", 422, `{"error":[{"message":"class name Papers already exists"}]}`, ErrBadRequest, "class name Papers already exists"},
		{"bad uuid", 422, `{"code":601,"message":"body.objects.3.id in body must be of type uuid: \"x\""}`, ErrBadRequest, `body.objects.3.id in body must be of type uuid: "x"`},
		{"node down, nodes listing", 500, `{"error":[{"message":"node: node2: send http request: Get \"http://127.0.0.1:8121/nodes/status\": dial tcp 127.0.0.1:8121: connect: connection refused"}]}`, ErrUnavailable, "node: node2"},
		{"raft lost", 500, `{"error":[{"message":"failed to execute query: leader not found, can not resolve nodes [node1,node2]"}]}`, ErrUnavailable, "leader not found"},
		{"shard listing with a node gone", 404, `{"error":[{"message":"shard burERMq5ScUP: resolve node name \"node2\" to host"}]}`, ErrUnavailable, "resolve node name"},
		{"missing object", 404, ``, ErrNotFound, ""},
		{"bad key", 401, `{"code":401,"message":"unauthorized"}`, ErrAuth, "unauthorized"},
		{"proxy page", 502, `<html>Bad Gateway</html>`, ErrUnavailable, "<html>Bad Gateway</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := New(Config{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Ready(t.Context())
			var we *Error
			if !errors.Is(err, tt.kind) || !errors.As(err, &we) || we.Status != tt.status {
				t.Fatalf("got %v, want kind %v with status %d", err, tt.kind, tt.status)
			}
			if tt.message != "" && (len(we.Messages) == 0 || !contains(we.Messages[0], tt.message)) {
				t.Errorf("messages %q lack %q", we.Messages, tt.message)
			}
		})
	}
}

// GraphQL errors come with HTTP 200; they fail the request even next to
// data, with the kind read from the message.
func TestGraphQLErrorsFail(t *testing.T) {
	tests := []struct {
		body string
		kind error
	}{
		{`{"data":{"Get":{"q0":null}},"errors":[{"message":"explorer: get class: vector search: object search at index failr2: inconsistent consistency levels: shard 8Av52LSuxHgU resolved to 2, shard RjJiB3ctgwf2 resolved to 1","path":["Get","q0"]}]}`, ErrUnavailable},
		{`{"data":{"Get":{"q0":null}},"errors":[{"message":"explorer: get class: vector search: object search at index failr1: remote shard object search burERMq5ScUP: connect: Post \"http://127.0.0.1:8121/indices/FailR1/shards/burERMq5ScUP/objects/_search\": dial tcp 127.0.0.1:8121: connect: connection refused"}]}`, ErrUnavailable},
		{`{"errors":[{"message":"Cannot query field \"Nope\" on type \"GetObjectsObj\".","path":null}]}`, ErrBadRequest},
		{`{"data":{"Get":{"q0":[]}},"errors":[{"message":"knn search: distance between entrypoint and query node: 2 vs 3: vector lengths don't match"}]}`, ErrBadRequest},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(tt.body))
		}))
		c, _ := New(Config{URL: srv.URL})
		_, err := c.Search(t.Context(), Search{Class: "C", BM25: &BM25{Query: "x"}})
		srv.Close()
		if !errors.Is(err, tt.kind) {
			t.Errorf("%.80s: got %v, want %v", tt.body, err, tt.kind)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestParseExplain(t *testing.T) {
	ex, err := ParseExplain(", BM25F_sat_frequency:1, BM25F_1,000_propLength:4, BM25F_cs_ai_frequency:2, BM25F_1,000_frequency:3, BM25F_a:b_frequency:5, BM25F_cs_ai_propLength:4")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]TermExplanation{"sat": {1, 0}, "1,000": {3, 4}, "cs_ai": {2, 4}, "a:b": {5, 0}}
	if len(ex.Terms) != len(want) {
		t.Fatalf("terms %v, want %v", ex.Terms, want)
	}
	for term, w := range want {
		if ex.Terms[term] != w {
			t.Errorf("%q: %+v, want %+v", term, ex.Terms[term], w)
		}
	}
	if _, err := ParseExplain(", BM25F_x_frequency:abc"); err == nil {
		t.Error("a non-number frequency parsed")
	}
}

package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
	"github.com/paperseek/paperseek/query"
	"github.com/paperseek/paperseek/query/httpapi"
)

// serve starts the real server over an index of the judged fixture.
func serve(t *testing.T, token string) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	w, err := index.BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	rd, err := ingest.Open(filepath.Join("..", "..", "testdata", "eval", "papers.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var papers []index.Paper
	for {
		p, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		papers = append(papers, p)
	}
	if _, _, err := w.Add(context.Background(), papers); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	engines, err := httpapi.OpenReloader(ctx, dir, nil, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engines.Close() })
	srv := httptest.NewServer((&httpapi.Server{Engines: engines, Token: token}).Handler())
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).String()
}

func fixtureQueries(t *testing.T) []string {
	t.Helper()
	qs, err := readQueries(filepath.Join("..", "..", "testdata", "eval", "queries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func TestRunReportsEveryRequest(t *testing.T) {
	addr := serve(t, "")
	rep, err := run(context.Background(), config{
		Addr: addr, Clients: 4, Mode: "hybrid", K: 3, Queries: fixtureQueries(t),
		Requests: 60, PID: os.Getpid(), Duration: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests != 60 || rep.Errors != 0 {
		t.Fatalf("requests %d errors %d %v, want 60 and none", rep.Requests, rep.Errors, rep.ErrorsBy)
	}
	// Some fixture queries share no word with the corpus and find less.
	if rep.MeanResults <= 1 || rep.MeanResults > 3 {
		t.Errorf("mean results %v, want close to k = 3", rep.MeanResults)
	}
	if !(rep.P50MS > 0 && rep.P50MS <= rep.P95MS && rep.P95MS <= rep.P99MS && rep.P99MS <= rep.MaxMS) {
		t.Errorf("percentiles out of order: %+v", rep)
	}
	if rep.RSSBefore <= 0 || rep.RSSAfter <= 0 || rep.PeakRSS < rep.RSSAfter {
		t.Errorf("memory of our own process not read: %+v", rep)
	}
}

func TestRunCountsErrorsByKind(t *testing.T) {
	addr := serve(t, "")
	// An empty query is a 400: every request after the first valid one fails.
	rep, err := run(context.Background(), config{
		Addr: addr, Clients: 2, Mode: "keyword", K: 5, Queries: []string{"graph kernels", " "}, Requests: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 5 || rep.ErrorsBy["HTTP 400"] != 5 || rep.Requests != 10 {
		t.Errorf("report %+v: want 5 of 10 requests failed with HTTP 400", rep)
	}
}

func TestRunFailsFastOnAWrongToken(t *testing.T) {
	addr := serve(t, "right")
	_, err := run(context.Background(), config{Addr: addr, Clients: 1, Mode: "hybrid", K: 1, Queries: []string{"x"}, Token: "wrong", Requests: 5})
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("err = %v, want the first request's 401", err)
	}
}

func TestReadQueries(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"plain lines", "kv cache\n\n  protein folding  \n", []string{"kv cache", "protein folding"}},
		{"BEIR queries", `{"_id":"1","text":"graph kernels"}` + "\n" + `{"_id":"2","text":"attention"}`, []string{"graph kernels", "attention"}},
		{"papers give titles", `{"id":"a","title":"Scaling Laws","abstract":"…"}`, []string{"Scaling Laws"}},
		{"query field", `{"query":"retrieval"}`, []string{"retrieval"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "q")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readQueries(path)
			if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, []byte("\n\n"), 0o644)
	if _, err := readQueries(empty); err == nil {
		t.Error("a file without queries is accepted")
	}
}

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		values []time.Duration
		p      float64
		want   time.Duration
	}{
		{ms(5), 99, 5 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(hundred...), 95, 95 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 100, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(tt.values, tt.p); got != tt.want {
			t.Errorf("p%v of %d values = %v, want %v", tt.p, len(tt.values), got, tt.want)
		}
	}
}

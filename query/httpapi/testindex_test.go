package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
	"github.com/paperseek/paperseek/query"
)

// The shared index: the repository's sample papers, the judged fixture
// (for the id with a slash, cs/0701113) and a few papers made here for the
// HTTP cases: an id with spaces, a hostile paper whose every field holds
// markup, and one with a category for the filter.
var sharedIndex string

var testdataFiles = []string{
	filepath.Join("..", "..", "testdata", "papers.jsonl"),
	filepath.Join("..", "..", "testdata", "eval", "papers.jsonl"),
}

const (
	spaceID   = "paper with spaces"
	slashID   = "cs/0701113"
	hostileID = `x"><img src=x onerror="window.__pwned='id'">`
)

var extraPapers = []index.Paper{
	{
		ID:         spaceID,
		Title:      "Attention Sinks Keep Streaming Language Models Stable",
		Abstract:   "Keeping the first tokens of a sequence in the attention window lets a streaming language model run on inputs far longer than its training context without its perplexity exploding.",
		Authors:    []string{"Ada Lovelace", "Alan Turing"},
		Year:       2024,
		Categories: []string{"cs.CL"},
	},
	{
		ID:         "bio/0001",
		Title:      "Energy Landscapes of Protein Folding",
		Abstract:   "Folding funnels explain how a protein finds its native structure among astronomically many conformations: the energy landscape is rugged but biased toward the native state.",
		Authors:    []string{"Rosalind Franklin"},
		Year:       2019,
		Categories: []string{"q-bio.BM"},
		DOI:        "10.1000/Fold.2019",
		PMID:       "31000001",
	},
	{
		ID:         hostileID,
		Title:      `<script>window.__pwned='title'</script>Zebra <b>Stripes</b> & "Camouflage"`,
		Abstract:   `Zebra stripes <img src=x onerror="window.__pwned='abstract'"> confuse biting flies & predators; <script>window.__pwned='abstract2'</script> we measure how stripes dazzle.`,
		Authors:    []string{`<img src=x onerror="window.__pwned='author'">Mallory`},
		Year:       2021,
		Categories: []string{`<i onmouseover="window.__pwned='cat'">q-bio.PE</i>`},
		URL:        `javascript:window.__pwned='url'`,
		DOI:        `10.1000/"><script>window.__pwned='doi'</script>`,
	},
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "paperseek-httpapi-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := buildIndex(context.Background(), dir, extraPapers, testdataFiles...); err != nil {
		fmt.Fprintln(os.Stderr, "build test index:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	sharedIndex = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildIndex adds the papers of files and extra to the index in dir (made
// if absent) in one `paperseek index` run: one new generation.
func buildIndex(ctx context.Context, dir string, extra []index.Paper, files ...string) error {
	w, err := index.BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		return err
	}
	defer w.Abort()
	for _, f := range files {
		rd, err := ingest.Open(f)
		if err != nil {
			return err
		}
		var papers []index.Paper
		for {
			p, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rd.Close()
				return err
			}
			papers = append(papers, p)
		}
		rd.Close()
		if _, _, err := w.Add(context.Background(), papers); err != nil {
			return err
		}
	}
	if len(extra) > 0 {
		if _, _, err := w.Add(context.Background(), extra); err != nil {
			return err
		}
	}
	_, err = w.Commit(ctx)
	return err
}

// privateIndex gives a test its own index to write to: a fresh build of the
// judged fixture (small and quick).
func privateIndex(t *testing.T, extra ...index.Paper) string {
	t.Helper()
	dir := t.TempDir()
	if err := buildIndex(context.Background(), dir, extra, filepath.Join("..", "..", "testdata", "eval", "papers.jsonl")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newServer returns a Server over dir (the shared index when empty) with
// its log captured; configure adjusts it before first use.
func newServer(t *testing.T, dir string, configure func(*Server)) (*Server, *syncBuffer) {
	t.Helper()
	if dir == "" {
		dir = sharedIndex
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	engines, err := OpenReloader(context.Background(), dir, logger, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engines.Close() })
	s := &Server{Engines: engines, Logger: logger}
	if configure != nil {
		configure(s)
	}
	return s, logs
}

// call sends one request to h and returns the recorded response.
func call(h http.Handler, method, target string, body string, header ...string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	// As a client of a server on loopback addresses it (httptest's
	// default is example.com, which a token-less server refuses).
	req.Host = "127.0.0.1:8080"
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// apiError decodes the contract's error body, failing the test when the
// body has another shape.
func apiError(t *testing.T, body []byte) ErrorDetail {
	t.Helper()
	var e ErrorBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error body %q is not {\"error\":{\"code\":…,\"message\":…}} (%v)", body, err)
	}
	return e.Error
}

package openai

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/embed/cache"
	"github.com/paperseek/paperseek/embed/openai/openaitest"
)

// sleeper records the pauses asked for instead of sleeping.
type sleeper struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}

// newEmbedder points an Embedder at srv with a recording Sleep; change
// adjusts the config before New.
func newEmbedder(t *testing.T, srv *openaitest.Server, change func(*Config)) (*Embedder, *sleeper) {
	t.Helper()
	s := &sleeper{}
	cfg := Config{BaseURL: srv.URL, APIKey: "sk-test", Sleep: s.sleep}
	if change != nil {
		change(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e, s
}

func docs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Paper %03d. Sparse attention for long-context language models, part %d.", i, i)
	}
	return out
}

// checkVectors asserts got[i] is the server's vector for prefix+texts[i].
func checkVectors(t *testing.T, got [][]float32, texts []string, prefix string, dims int) {
	t.Helper()
	if len(got) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(got), len(texts))
	}
	for i, txt := range texts {
		want := openaitest.Vector(prefix+txt, dims)
		if !close32(got[i], want) {
			t.Fatalf("vector %d is not the one for %q (results out of order?)", i, prefix+txt)
		}
	}
}

func close32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}

func TestBatching(t *testing.T) {
	long := strings.Repeat("x", 1000)
	tests := []struct {
		name      string
		texts     []string
		change    func(*Config)
		wantSizes []int // inputs per request, sorted
	}{
		{
			name:      "default bound of 256 inputs",
			texts:     docs(600),
			wantSizes: []int{88, 256, 256},
		},
		{
			name:      "bounded by count",
			texts:     docs(10),
			change:    func(c *Config) { c.MaxBatchInputs = 3 },
			wantSizes: []int{1, 3, 3, 3},
		},
		{
			// Each text is 72 bytes: two fit in 150, three do not.
			name:      "bounded by bytes",
			texts:     docs(9),
			change:    func(c *Config) { c.MaxBatchBytes = 150 },
			wantSizes: []int{1, 2, 2, 2, 2},
		},
		{
			name:      "a text longer than the byte bound goes alone",
			texts:     []string{"short one", long, "short two"},
			change:    func(c *Config) { c.MaxBatchBytes = 500 },
			wantSizes: []int{1, 1, 1},
		},
		{
			name:      "identical texts are sent once",
			texts:     []string{"a", "b", "a", "c", "b", "a"},
			wantSizes: []int{3},
		},
		{
			name:      "both bounds, prefix counted in bytes",
			texts:     docs(12),
			change:    func(c *Config) { c.MaxBatchInputs = 4; c.MaxBatchBytes = 200; c.DocPrefix = "search_document: " },
			wantSizes: []int{2, 2, 2, 2, 2, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(t)
			e, _ := newEmbedder(t, srv, tt.change)
			got, err := e.EmbedDocuments(context.Background(), tt.texts)
			if err != nil {
				t.Fatal(err)
			}
			checkVectors(t, got, tt.texts, e.cfg.DocPrefix, srv.Dimensions)

			var sizes []int
			for _, r := range srv.Requests() {
				sizes = append(sizes, len(r.Input))
				bytes := 0
				for _, in := range r.Input {
					bytes += len(in)
				}
				if len(r.Input) > 1 && bytes > e.cfg.MaxBatchBytes {
					t.Errorf("request of %d inputs has %d bytes, over the bound %d", len(r.Input), bytes, e.cfg.MaxBatchBytes)
				}
				if r.EncodingFormat != "float" || r.Model != "text-embedding-3-small" || r.Authorization != "Bearer sk-test" {
					t.Errorf("request sent encoding_format %q, model %q, auth %q", r.EncodingFormat, r.Model, r.Authorization)
				}
			}
			sort.Ints(sizes)
			if !slices.Equal(sizes, tt.wantSizes) {
				t.Fatalf("request sizes %v, want %v", sizes, tt.wantSizes)
			}
		})
	}
}

func TestDimensions(t *testing.T) {
	tests := []struct {
		name     string
		model    string
		dims     int
		wantSent int // `dimensions` in the request, 0 for absent
		wantDims int // size of the vectors returned and in the fingerprint
	}{
		{"text-embedding-3 with dimensions asks for them", "text-embedding-3-small", 16, 16, 16},
		{"text-embedding-3 native size is learned", "text-embedding-3-large", 0, 0, 8},
		{"other models are never sent dimensions", "nomic-embed-text", 8, 0, 8},
		{"other models native size is learned", "nomic-embed-text", 0, 0, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(t) // refuses `dimensions` for non-3 models, as OpenAI does
			e, _ := newEmbedder(t, srv, func(c *Config) { c.Model = tt.model; c.Dimensions = tt.dims })
			if got := e.Fingerprint().Dimensions; got != tt.dims {
				t.Fatalf("Fingerprint().Dimensions before any request = %d, want %d", got, tt.dims)
			}
			vecs, err := e.EmbedDocuments(context.Background(), []string{"one", "two"})
			if err != nil {
				t.Fatal(err)
			}
			checkVectors(t, vecs, []string{"one", "two"}, "", tt.wantDims)
			if got := srv.Requests()[0].Dimensions; got != tt.wantSent {
				t.Errorf("request carried dimensions %d, want %d", got, tt.wantSent)
			}
			want := embed.Fingerprint{Name: "openai", Model: tt.model, Dimensions: tt.wantDims}
			if got := e.Fingerprint(); got != want {
				t.Errorf("Fingerprint() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestResponseOrder(t *testing.T) {
	raw := func(body string) func(*openaitest.Server) {
		return func(s *openaitest.Server) {
			s.Fail = func(int, []string) *openaitest.Failure {
				return &openaitest.Failure{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, RawBody: body}
			}
		}
	}
	tests := []struct {
		name    string
		setup   func(*openaitest.Server)
		wantErr string // "" for success; else an ErrUnavailable mentioning this
	}{
		{"data in input order", func(*openaitest.Server) {}, ""},
		{"data reversed, indices intact", func(s *openaitest.Server) { s.Reverse = true }, ""},
		{"every index 0: positional", func(s *openaitest.Server) { s.OmitIndex = true }, ""},
		{"an index out of range", raw(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,0]},{"object":"embedding","index":7,"embedding":[0,1]}]}`), "index 7"},
		{"an index twice", raw(`{"object":"list","data":[{"object":"embedding","index":1,"embedding":[1,0]},{"object":"embedding","index":1,"embedding":[0,1]}]}`), "index 1"},
		{"fewer embeddings than inputs", raw(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,0]}]}`), "returned 1 embeddings for 2 inputs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(t)
			tt.setup(srv)
			e, s := newEmbedder(t, srv, nil)
			texts := []string{"first", "second"}
			got, err := e.EmbedDocuments(context.Background(), texts)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				checkVectors(t, got, texts, "", 8)
				return
			}
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrUnavailable mentioning %q", err, tt.wantErr)
			}
			if len(s.got()) != 0 {
				t.Fatalf("a malformed answer was retried")
			}
		})
	}
}

func TestVectorsAreUnitLength(t *testing.T) {
	srv := openaitest.NewServer(t)
	srv.Unnormalized = true // like some local servers
	e, _ := newEmbedder(t, srv, nil)
	vecs, err := e.EmbedDocuments(context.Background(), []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, vecs, []string{"a", "b"}, "", 8)
	q, err := e.EmbedQuery(context.Background(), "a query")
	if err != nil {
		t.Fatal(err)
	}
	if !close32(q, openaitest.Vector("a query", 8)) {
		t.Fatalf("query vector not normalised: %v", q)
	}
}

func TestRetries(t *testing.T) {
	fixedNow := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	upTo := func(bounds ...time.Duration) func(*testing.T, []time.Duration) {
		return func(t *testing.T, got []time.Duration) {
			if len(got) != len(bounds) {
				t.Fatalf("slept %v, want %d backoff pauses", got, len(bounds))
			}
			for i, d := range got {
				if d < 0 || d > bounds[i] {
					t.Errorf("pause %d = %v, want within [0, %v]", i, d, bounds[i])
				}
			}
		}
	}
	exactly := func(want ...time.Duration) func(*testing.T, []time.Duration) {
		return func(t *testing.T, got []time.Duration) {
			if !slices.Equal(got, want) {
				t.Fatalf("slept %v, want exactly %v", got, want)
			}
		}
	}
	failFirst := func(fs ...*openaitest.Failure) func(int, []string) *openaitest.Failure {
		return func(n int, _ []string) *openaitest.Failure {
			if n <= len(fs) {
				return fs[n-1]
			}
			return nil
		}
	}
	always := func(f *openaitest.Failure) func(int, []string) *openaitest.Failure {
		return func(int, []string) *openaitest.Failure { return f }
	}
	withHeader := func(f *openaitest.Failure, k, v string) *openaitest.Failure {
		f.Header = http.Header{k: {v}}
		return f
	}

	tests := []struct {
		name         string
		fail         func(int, []string) *openaitest.Failure
		serverKey    string // the key the server wants, "" for any
		maxRetries   int
		wantRequests int
		wantErr      error  // nil: success
		wantMsg      string // substring of the error
		checkSleeps  func(*testing.T, []time.Duration)
	}{
		{
			name:         "429 then success",
			fail:         failFirst(openaitest.RateLimited("")),
			wantRequests: 2,
			checkSleeps:  upTo(time.Second),
		},
		{
			name:         "Retry-After in seconds is honoured exactly",
			fail:         failFirst(openaitest.RateLimited("7")),
			wantRequests: 2,
			checkSleeps:  exactly(7 * time.Second),
		},
		{
			name:         "Retry-After as an HTTP-date is honoured",
			fail:         failFirst(openaitest.RateLimited(fixedNow.Add(42 * time.Second).Format(http.TimeFormat))),
			wantRequests: 2,
			checkSleeps:  exactly(42 * time.Second),
		},
		{
			name:         "retry-after-ms wins over Retry-After",
			fail:         failFirst(withHeader(openaitest.RateLimited(""), "Retry-After-Ms", "1500")),
			wantRequests: 2,
			checkSleeps:  exactly(1500 * time.Millisecond),
		},
		{
			name:         "503 with Retry-After is honoured too",
			fail:         failFirst(withHeader(openaitest.ServerError(503), "Retry-After", "3")),
			wantRequests: 2,
			checkSleeps:  exactly(3 * time.Second),
		},
		{
			name:         "5xx and a dropped connection are retried with growing backoff",
			fail:         failFirst(openaitest.ServerError(500), openaitest.ServerError(502), &openaitest.Failure{DropConnection: true}),
			wantRequests: 4,
			checkSleeps:  upTo(time.Second, 2*time.Second, 4*time.Second),
		},
		{
			name:         "5xx forever gives up as unavailable",
			fail:         always(openaitest.ServerError(500)),
			maxRetries:   3,
			wantRequests: 4,
			wantErr:      ErrUnavailable,
			wantMsg:      "unavailable after 4 attempts: HTTP 500: The server had an error",
			checkSleeps:  upTo(time.Second, 2*time.Second, 4*time.Second),
		},
		{
			name:         "an HTML error page from a proxy is retried and quoted",
			fail:         always(&openaitest.Failure{Status: 502, RawBody: "<html><body>\n<h1>502 Bad Gateway</h1>\n</body></html>"}),
			maxRetries:   1,
			wantRequests: 2,
			wantErr:      ErrUnavailable,
			wantMsg:      "HTTP 502: <html><body> <h1>502 Bad Gateway</h1> </body></html>",
			checkSleeps:  upTo(time.Second),
		},
		{
			name:         "a Retry-After beyond the cap stops at once",
			fail:         always(openaitest.RateLimited("3600")),
			wantRequests: 1,
			wantErr:      ErrUnavailable,
			wantMsg:      "asked to wait 1h0m0s before retrying",
			checkSleeps:  exactly(),
		},
		{
			name:         "401 is not retried",
			serverKey:    "sk-the-right-one",
			wantRequests: 1,
			wantErr:      ErrAuth,
			wantMsg:      "embedding server rejected the API key (HTTP 401): check OPENAI_API_KEY",
			checkSleeps:  exactly(),
		},
		{
			name:         "403 is not retried and says why",
			fail:         always(&openaitest.Failure{Status: 403, Message: "Project does not have access to model text-embedding-3-small", Type: "invalid_request_error"}),
			wantRequests: 1,
			wantErr:      ErrAuth,
			wantMsg:      "Project does not have access to model",
			checkSleeps:  exactly(),
		},
		{
			name:         "insufficient_quota is not retried",
			fail:         always(openaitest.QuotaExceeded()),
			wantRequests: 1,
			wantErr:      ErrQuota,
			wantMsg:      "check your plan and billing details",
			checkSleeps:  exactly(),
		},
		{
			name:         "400 is not retried and shows the server's message",
			fail:         always(openaitest.BadRequest("This model's maximum context length is 8192 tokens, however you requested 9001 tokens.")),
			wantRequests: 1,
			wantMsg:      "embedding server refused the request (HTTP 400: This model's maximum context length is 8192 tokens",
			checkSleeps:  exactly(),
		},
		{
			name:         "a 200 that is not JSON is not retried",
			fail:         always(&openaitest.Failure{Status: 200, RawBody: "<html>Welcome to nginx!</html>"}),
			wantRequests: 1,
			wantErr:      ErrUnavailable,
			wantMsg:      "is OPENAI_BASE_URL an OpenAI-compatible server?",
			checkSleeps:  exactly(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(t)
			srv.Fail = tt.fail
			srv.APIKey = tt.serverKey
			e, s := newEmbedder(t, srv, func(c *Config) { c.MaxRetries = tt.maxRetries })
			e.now = func() time.Time { return fixedNow }
			texts := []string{"retry me", "and me"}
			vecs, err := e.EmbedDocuments(context.Background(), texts)
			if got := srv.RequestCount(); got != tt.wantRequests {
				t.Errorf("server saw %d requests, want %d", got, tt.wantRequests)
			}
			tt.checkSleeps(t, s.got())
			switch {
			case tt.wantErr == nil && tt.wantMsg == "":
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				checkVectors(t, vecs, texts, "", srv.Dimensions)
				return
			case err == nil:
				t.Fatalf("no error, want %v %q", tt.wantErr, tt.wantMsg)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %v", err, tt.wantErr)
			}
			for _, other := range []error{ErrAuth, ErrQuota, ErrUnavailable, ErrDimensions} {
				if other != tt.wantErr && errors.Is(err, other) {
					t.Errorf("error %q also matches %v", err, other)
				}
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestNetworkFailureGivesUpAsUnavailable(t *testing.T) {
	srv := openaitest.NewServer(t)
	url := srv.URL
	e, s := newEmbedder(t, srv, func(c *Config) { c.MaxRetries = 2 })
	// Nothing listens there any more: every attempt is refused.
	srv.Close()
	_, err := e.EmbedQuery(context.Background(), "anyone there?")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("err = %v, want ErrUnavailable naming %s after 3 attempts", err, url)
	}
	if len(s.got()) != 2 {
		t.Fatalf("slept %v, want 2 pauses", s.got())
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func TestDimensionMismatch(t *testing.T) {
	msg := "embedding server returned 768-dimensional vectors but the index uses 1536: rebuild the index with --rebuild or use the same model"
	tests := []struct {
		name  string
		setup func(t *testing.T, srv *openaitest.Server, c *Config)
		want  string
	}{
		{
			name: "configured size differs from what the model returns",
			setup: func(t *testing.T, srv *openaitest.Server, c *Config) {
				srv.Dimensions, srv.IgnoreDimensions = 768, true
				c.Model, c.Dimensions = "nomic-embed-text", 1536
			},
			want: msg,
		},
		{
			name: "the cache's size is expected when none is configured",
			setup: func(t *testing.T, srv *openaitest.Server, c *Config) {
				srv.Dimensions = 768
				c.Model = "nomic-embed-text"
				c.Cache = openCache(t, t.TempDir(), embed.Fingerprint{Name: "openai", Model: "nomic-embed-text", Dimensions: 1536})
			},
			want: msg,
		},
		{
			name: "a server that changes size mid-run",
			setup: func(t *testing.T, srv *openaitest.Server, c *Config) {
				srv.Embed = func(in string, dims int) []float32 {
					if in == "odd one" {
						dims = 4
					}
					return openaitest.Vector(in, dims)
				}
				c.Model, c.Concurrency, c.MaxBatchInputs = "nomic-embed-text", 1, 1
			},
			want: "embedding server returned 4-dimensional vectors but the index uses 8",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(t)
			e, s := newEmbedder(t, srv, func(c *Config) { tt.setup(t, srv, c) })
			_, err := e.EmbedDocuments(context.Background(), []string{"first", "odd one"})
			if !errors.Is(err, ErrDimensions) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrDimensions %q", err, tt.want)
			}
			if len(s.got()) != 0 {
				t.Errorf("a dimension mismatch was retried: slept %v", s.got())
			}
			if c := e.cfg.Cache; c != nil && c.Len() != 0 {
				t.Errorf("vectors of the wrong size reached the cache: %d entries", c.Len())
			}
		})
	}
}

func TestZeroVectorIsAnError(t *testing.T) {
	srv := openaitest.NewServer(t)
	srv.Embed = func(in string, dims int) []float32 {
		if in == "empty meaning" {
			return make([]float32, dims)
		}
		return openaitest.Vector(in, dims)
	}
	e, _ := newEmbedder(t, srv, nil)
	_, err := e.EmbedDocuments(context.Background(), []string{"fine", "empty meaning"})
	if err == nil || !strings.Contains(err.Error(), `zero or non-finite vector for the text "empty meaning"`) {
		t.Fatalf("err = %v, want a zero-vector error naming the text", err)
	}
}

func TestPrefixes(t *testing.T) {
	srv := openaitest.NewServer(t)
	e, _ := newEmbedder(t, srv, func(c *Config) {
		c.Model = "nomic-embed-text"
		c.DocPrefix, c.QueryPrefix = "search_document: ", "search_query: "
	})
	ctx := context.Background()
	texts := []string{"Attention is all you need", "KV cache compression"}
	vecs, err := e.EmbedDocuments(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, vecs, texts, "search_document: ", 8)
	q, err := e.EmbedQuery(ctx, "KV cache compression")
	if err != nil {
		t.Fatal(err)
	}
	if !close32(q, openaitest.Vector("search_query: KV cache compression", 8)) {
		t.Fatal("query was not embedded with the query prefix")
	}
	want := []string{"search_document: Attention is all you need", "search_document: KV cache compression", "search_query: KV cache compression"}
	if got := srv.Inputs(); !slices.Equal(got, want) {
		t.Fatalf("server received %q, want %q", got, want)
	}
	fp := e.Fingerprint()
	if fp.DocPrefix != "search_document: " || fp.QueryPrefix != "search_query: " {
		t.Fatalf("fingerprint lacks the prefixes: %+v", fp)
	}
}

func openCache(t *testing.T, dir string, fp embed.Fingerprint) *cache.Cache {
	t.Helper()
	c, err := cache.Open(dir, fp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

var cacheFP = embed.Fingerprint{Name: "openai", Model: "text-embedding-3-small", Dimensions: 8, DocPrefix: "passage: "}

func TestCacheHits(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "cache")
	texts := docs(30)
	srv := openaitest.NewServer(t)
	var progress []int
	change := func(c *cache.Cache) func(*Config) {
		return func(cfg *Config) {
			cfg.Cache, cfg.DocPrefix, cfg.MaxBatchInputs = c, "passage: ", 8
			cfg.Progress = func(n int) { progress = append(progress, n) }
		}
	}
	sum := func() int {
		s := 0
		for _, n := range progress {
			s += n
		}
		progress = nil
		return s
	}

	c := openCache(t, dir, cacheFP)
	e, _ := newEmbedder(t, srv, change(c))
	first, err := e.EmbedDocuments(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	if srv.RequestCount() != 4 || c.Len() != 30 || sum() != 30 {
		t.Fatalf("first run: %d requests, %d cached; want 4 and 30", srv.RequestCount(), c.Len())
	}

	steps := []struct {
		name         string
		reopen       bool
		texts        []string
		wantRequests int
		wantInputs   []string
	}{
		{name: "same texts again", texts: texts},
		{name: "after closing and reopening the cache", reopen: true, texts: texts},
		{name: "reordered with duplicates", texts: append(reversed(texts), texts[3], texts[3])},
		{name: "one new text among cached ones", reopen: true, texts: append([]string{"a new paper"}, texts...),
			wantRequests: 1, wantInputs: []string{"passage: a new paper"}},
	}
	outer := t // the reopened cache must outlive the step that opens it
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.reopen {
				_ = c.Close()
				c = openCache(outer, dir, cacheFP)
				e, _ = newEmbedder(t, srv, change(c))
			}
			before := len(srv.Requests())
			got, err := e.EmbedDocuments(ctx, st.texts)
			if err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()[before:]
			if len(reqs) != st.wantRequests {
				t.Fatalf("%d requests, want %d", len(reqs), st.wantRequests)
			}
			var inputs []string
			for _, r := range reqs {
				inputs = append(inputs, r.Input...)
			}
			if !slices.Equal(inputs, st.wantInputs) {
				t.Fatalf("requested %q, want %q", inputs, st.wantInputs)
			}
			checkVectors(t, got, st.texts, "passage: ", 8)
			if s := sum(); s != len(st.texts) {
				t.Fatalf("progress added up to %d, want %d", s, len(st.texts))
			}
		})
	}
	// The cached vectors are the very ones the first run returned.
	again, err := e.EmbedDocuments(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range texts {
		if !slices.Equal(again[i], first[i]) {
			t.Fatalf("cached vector %d differs from the one first returned", i)
		}
	}
}

func TestCacheMustMatchEmbedder(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := openCache(t, t.TempDir(), cacheFP)
	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"other model", func(cfg *Config) { cfg.Model = "text-embedding-3-large"; cfg.DocPrefix = "passage: " }},
		{"other prefix", func(cfg *Config) { cfg.DocPrefix = "search_document: " }},
		{"other dimensions", func(cfg *Config) { cfg.DocPrefix = "passage: "; cfg.Dimensions = 16 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{BaseURL: srv.URL, Cache: c}
			tt.change(&cfg)
			if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "embedding cache holds") {
				t.Fatalf("New accepted a cache of another fingerprint: err = %v", err)
			}
		})
	}
}

func TestResumeAfterFailureHalfway(t *testing.T) {
	for _, conc := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency %d", conc), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			texts := docs(40)
			cfg := func(c *cache.Cache) func(*Config) {
				return func(cfg *Config) {
					cfg.Cache, cfg.DocPrefix, cfg.MaxBatchInputs, cfg.Concurrency = c, "passage: ", 5, conc
					cfg.MaxRetries = -1
				}
			}

			// First run: the server breaks down from its third request on.
			broken := openaitest.NewServer(t)
			broken.Fail = func(n int, _ []string) *openaitest.Failure {
				if n >= 3 {
					return openaitest.ServerError(503)
				}
				return nil
			}
			c := openCache(t, dir, cacheFP)
			e, _ := newEmbedder(t, broken, cfg(c))
			if _, err := e.EmbedDocuments(ctx, texts); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("first run: err = %v, want ErrUnavailable", err)
			}
			if c.Len() != 10 {
				t.Fatalf("first run cached %d texts, want the 10 of its two good requests", c.Len())
			}
			_ = c.Close()

			// Second run, as after restarting the program: a healthy server
			// is asked for the other 30 texts only.
			healthy := openaitest.NewServer(t)
			c = openCache(t, dir, cacheFP)
			e, _ = newEmbedder(t, healthy, cfg(c))
			got, err := e.EmbedDocuments(ctx, texts)
			if err != nil {
				t.Fatal(err)
			}
			checkVectors(t, got, texts, "passage: ", 8)
			// Between them the two runs paid for every text exactly once.
			paid := map[string]int{}
			for _, r := range broken.Requests()[:2] {
				for _, in := range r.Input {
					paid[in]++
				}
			}
			second := healthy.Inputs()
			for _, in := range second {
				paid[in]++
			}
			if len(second) != 30 || len(paid) != 40 {
				t.Fatalf("second run requested %d texts, want 30; %d distinct texts paid for, want 40", len(second), len(paid))
			}
			for in, n := range paid {
				if n != 1 {
					t.Fatalf("%q was paid for %d times", in, n)
				}
			}
			for _, txt := range texts {
				if _, ok := c.Get("passage: " + txt); !ok {
					t.Fatalf("%q is not cached after the second run", txt)
				}
			}
		})
	}
}

func TestCancelKeepsWhatWasPaidFor(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := openaitest.NewServer(t)
	c := openCache(t, t.TempDir(), cacheFP)
	e, _ := newEmbedder(t, srv, func(cfg *Config) {
		cfg.Cache, cfg.DocPrefix, cfg.MaxBatchInputs, cfg.Concurrency = c, "passage: ", 5, 1
		// Ctrl-C right after the first batch arrived.
		cfg.Progress = func(int) { cancel() }
	})
	_, err := e.EmbedDocuments(ctx, docs(40))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if srv.RequestCount() != 1 || c.Len() != 5 {
		t.Fatalf("%d requests and %d cached, want 1 and 5", srv.RequestCount(), c.Len())
	}
}

func TestConcurrencyBound(t *testing.T) {
	for _, conc := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("concurrency %d", conc), func(t *testing.T) {
			srv := openaitest.NewServer(t)
			// The first conc requests wait for each other, so a client that
			// overlaps requests is seen doing it; the delay gives a client
			// that overlaps too many the chance to show that too.
			srv.Gate = conc
			srv.Delay = 2 * time.Millisecond
			e, _ := newEmbedder(t, srv, func(c *Config) { c.Concurrency, c.MaxBatchInputs = conc, 2 })
			texts := docs(32)
			got, err := e.EmbedDocuments(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			checkVectors(t, got, texts, "", 8)
			if srv.RequestCount() != 16 {
				t.Fatalf("%d requests, want 16", srv.RequestCount())
			}
			if m := srv.MaxInFlight(); m != conc {
				t.Fatalf("server saw up to %d requests at once, want exactly %d", m, conc)
			}
		})
	}
}

func TestFailureStopsOtherBatches(t *testing.T) {
	// One batch is refused for good while others wait to retry a 429: they
	// must give up instead of sleeping through their backoff, and no new
	// batch may start.
	srv := openaitest.NewServer(t)
	srv.Gate = 2
	srv.Fail = func(n int, inputs []string) *openaitest.Failure {
		if inputs[0] == "passage: bad" {
			return openaitest.BadRequest("input too long")
		}
		return openaitest.RateLimited("")
	}
	s := &sleeper{}
	block := func(ctx context.Context, d time.Duration) error {
		_ = s.sleep(ctx, d)
		<-ctx.Done() // a real, long backoff: only an interruption ends it
		return ctx.Err()
	}
	e, _ := newEmbedder(t, srv, func(c *Config) {
		c.Concurrency, c.MaxBatchInputs, c.DocPrefix, c.Sleep = 2, 1, "passage: ", block
	})
	_, err := e.EmbedDocuments(context.Background(), []string{"bad", "throttled", "never sent 1", "never sent 2"})
	if err == nil || !strings.Contains(err.Error(), "input too long") {
		t.Fatalf("err = %v, want the 400 that stopped the run", err)
	}
	for _, in := range srv.Inputs() {
		if strings.HasPrefix(in, "passage: never sent") {
			t.Fatalf("a new batch (%q) was started after a failure", in)
		}
	}
}

func TestProbe(t *testing.T) {
	srv := openaitest.NewServer(t)
	srv.Dimensions = 12
	e, _ := newEmbedder(t, srv, nil)
	if d := e.Fingerprint().Dimensions; d != 0 {
		t.Fatalf("dimensions known before Probe: %d", d)
	}
	if err := e.Probe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := e.Fingerprint().Dimensions; d != 12 {
		t.Fatalf("after Probe dimensions = %d, want 12", d)
	}
	// The probe's answer makes the two-step setup work: a cache opened with
	// the learned fingerprint is accepted by a new Embedder.
	c := openCache(t, t.TempDir(), e.Fingerprint())
	if _, err := New(Config{BaseURL: srv.URL, Cache: c}); err != nil {
		t.Fatalf("New with the probed fingerprint's cache: %v", err)
	}

	srv.APIKey = "sk-right"
	if err := e.Probe(context.Background()); !errors.Is(err, ErrAuth) {
		t.Fatalf("Probe with a wrong key: err = %v, want ErrAuth", err)
	}
}

func TestEmbedDocumentsEdgeCases(t *testing.T) {
	srv := openaitest.NewServer(t)
	e, _ := newEmbedder(t, srv, nil)
	got, err := e.EmbedDocuments(context.Background(), nil)
	if err != nil || len(got) != 0 || srv.RequestCount() != 0 {
		t.Fatalf("no texts: %v, %v, %d requests", got, err, srv.RequestCount())
	}
	got, err = e.EmbedDocuments(context.Background(), []string{"same", "same"})
	if err != nil {
		t.Fatal(err)
	}
	got[0][0] = 42
	if got[1][0] == 42 {
		t.Fatal("two results share one backing array")
	}
}

func TestNew(t *testing.T) {
	t.Run("environment defaults", func(t *testing.T) {
		srv := openaitest.NewServer(t)
		t.Setenv("OPENAI_BASE_URL", srv.URL+"/")
		t.Setenv("OPENAI_API_KEY", "sk-from-env\n")
		e, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.EmbedQuery(context.Background(), "q"); err != nil {
			t.Fatal(err)
		}
		r := srv.Requests()[0]
		if r.Authorization != "Bearer sk-from-env" || r.Model != "text-embedding-3-small" {
			t.Fatalf("request used auth %q model %q", r.Authorization, r.Model)
		}
	})
	t.Run("no key for local servers", func(t *testing.T) {
		srv := openaitest.NewServer(t)
		t.Setenv("OPENAI_API_KEY", "")
		e, err := New(Config{BaseURL: srv.URL, Model: "nomic-embed-text"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.EmbedQuery(context.Background(), "q"); err != nil {
			t.Fatal(err)
		}
		if a := srv.Requests()[0].Authorization; a != "" {
			t.Fatalf("sent Authorization %q without a key", a)
		}
	})
	bad := []struct {
		name string
		cfg  Config
		want string
	}{
		{"not a URL", Config{BaseURL: "localhost:11434"}, "not an http(s) URL"},
		{"too many inputs per batch", Config{BaseURL: "http://x/v1", MaxBatchInputs: 4096}, "between 1 and 2048"},
		{"negative concurrency", Config{BaseURL: "http://x/v1", Concurrency: -1}, "concurrency"},
		{"negative dimensions", Config{BaseURL: "http://x/v1", Dimensions: -3}, "dimensions"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"none", http.Header{}, 0, false},
		{"seconds", http.Header{"Retry-After": {"5"}}, 5 * time.Second, true},
		{"zero", http.Header{"Retry-After": {"0"}}, 0, true},
		{"fractional seconds", http.Header{"Retry-After": {"0.25"}}, 250 * time.Millisecond, true},
		{"HTTP-date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second, true},
		{"HTTP-date in the past", http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{"milliseconds win", http.Header{"Retry-After-Ms": {"20"}, "Retry-After": {"1"}}, 20 * time.Millisecond, true},
		{"negative", http.Header{"Retry-After": {"-4"}}, 0, false},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0, false},
		{"absurdly large", http.Header{"Retry-After": {"1e300"}}, math.MaxInt64, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := retryAfter(tt.header, now)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("retryAfter = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBackoffHasFullJitter(t *testing.T) {
	for attempt := 1; attempt <= 8; attempt++ {
		ceil := min(backoffCap, backoffBase<<(attempt-1))
		lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
		for range 2000 {
			d := backoff(attempt)
			if d < 0 || d > ceil {
				t.Fatalf("backoff(%d) = %v, outside [0, %v]", attempt, d, ceil)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		// Full jitter spreads pauses over the whole range.
		if lo > ceil/10 || hi < ceil*9/10 {
			t.Fatalf("backoff(%d) ranged only over [%v, %v] of [0, %v]", attempt, lo, hi, ceil)
		}
	}
}

package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/embed/cache"
)

const (
	defaultBaseURL     = "https://api.openai.com/v1"
	defaultModel       = "text-embedding-3-small"
	defaultBatchInputs = 256
	apiMaxBatchInputs  = 2048 // OpenAI refuses more inputs in one request
	// Byte-level BPE tokens are at least one byte long, so a request of at
	// most this many bytes stays under the ~300k-token request limit
	// whatever the language or LaTeX density of the abstracts.
	defaultBatchBytes  = 256 << 10
	defaultConcurrency = 4
	defaultMaxRetries  = 6
	// A request that hangs is retried like any other network failure. Long
	// enough for a local server embedding a full batch on a CPU.
	defaultRequestTimeout = 5 * time.Minute
	probeText             = "paperseek dimension probe"
)

// Config configures an Embedder. The zero value talks to OpenAI with
// $OPENAI_API_KEY and text-embedding-3-small.
type Config struct {
	// BaseURL of the API, up to and including /v1. Default: $OPENAI_BASE_URL,
	// else https://api.openai.com/v1.
	BaseURL string
	// APIKey is sent as a bearer token. Default: $OPENAI_API_KEY. May be
	// empty for local servers such as Ollama.
	APIKey string
	// Model, default "text-embedding-3-small".
	Model string
	// Dimensions is the vector size. 0 means the model's native size,
	// learned from the first response. It is sent as `dimensions` only to
	// text-embedding-3 models (others refuse it); for other models it is
	// only checked.
	Dimensions int
	// DocPrefix and QueryPrefix are prepended to documents and queries, as
	// e5, bge and nomic models want (e.g. "search_document: ").
	DocPrefix, QueryPrefix string
	// MaxBatchInputs bounds the inputs of one request: default 256, at most 2048.
	MaxBatchInputs int
	// MaxBatchBytes bounds the summed size of the inputs of one request
	// (default 256 KiB, which keeps a request under OpenAI's 300k-token
	// limit). A single longer input is sent alone.
	MaxBatchBytes int
	// Concurrency is the number of requests in flight, default 4.
	Concurrency int
	// MaxRetries is how often a failed request is retried, default 6;
	// negative means never.
	MaxRetries int
	// HTTPClient, default a client with a 5-minute timeout per request.
	HTTPClient *http.Client
	// Cache, if set, serves and stores document embeddings. Its fingerprint
	// must match this embedder's; when Dimensions is 0 the cache's
	// dimensions are expected.
	Cache *cache.Cache
	// Sleep waits between retries. Default: a timer that returns early with
	// ctx's error when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress, if set, is called with the number of input texts just
	// completed (cache hits at once, then each batch as it arrives); the
	// counts of one EmbedDocuments call add up to len(texts). Calls are
	// serialised.
	Progress func(done int)
}

// Embedder is an embed.Embedder backed by an OpenAI-compatible server. It
// is safe for concurrent use.
type Embedder struct {
	cfg      Config
	client   *goopenai.Client
	sendDims int          // `dimensions` sent in requests, 0 for none
	dims     atomic.Int64 // expected dimensions, 0 until known
	now      func() time.Time

	progressMu sync.Mutex
}

var _ embed.Embedder = (*Embedder)(nil)

// New checks cfg, fills in defaults and returns an Embedder. It does not
// contact the server; Probe does.
func New(cfg Config) (*Embedder, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = os.Getenv("OPENAI_BASE_URL")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = defaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("embedding server URL %q is not an http(s) URL: check OPENAI_BASE_URL", cfg.BaseURL)
	}
	if cfg.APIKey == "" {
		cfg.APIKey = os.Getenv("OPENAI_API_KEY")
	}
	// A key pasted with its newline would make every request fail in
	// net/http before it is sent, which looks like a network failure.
	cfg.APIKey = strings.TrimSpace(cfg.APIKey)
	if cfg.Model == "" {
		cfg.Model = defaultModel
	}
	switch {
	case cfg.Dimensions < 0:
		return nil, fmt.Errorf("embedding dimensions must not be negative, got %d", cfg.Dimensions)
	case cfg.MaxBatchInputs < 0 || cfg.MaxBatchInputs > apiMaxBatchInputs:
		return nil, fmt.Errorf("embedding batch size must be between 1 and %d, got %d", apiMaxBatchInputs, cfg.MaxBatchInputs)
	case cfg.MaxBatchBytes < 0:
		return nil, fmt.Errorf("embedding batch byte limit must not be negative, got %d", cfg.MaxBatchBytes)
	case cfg.Concurrency < 0:
		return nil, fmt.Errorf("embedding concurrency must not be negative, got %d", cfg.Concurrency)
	}
	if cfg.MaxBatchInputs == 0 {
		cfg.MaxBatchInputs = defaultBatchInputs
	}
	if cfg.MaxBatchBytes == 0 {
		cfg.MaxBatchBytes = defaultBatchBytes
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = defaultConcurrency
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = defaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: defaultRequestTimeout}
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}

	cc := goopenai.DefaultConfig(cfg.APIKey)
	cc.BaseURL = cfg.BaseURL
	cc.HTTPClient = headerDoer{cfg.HTTPClient}
	e := &Embedder{cfg: cfg, client: goopenai.NewClientWithConfig(cc), now: time.Now}
	if strings.HasPrefix(cfg.Model, "text-embedding-3") {
		e.sendDims = cfg.Dimensions
	}
	e.dims.Store(int64(cfg.Dimensions))

	if cfg.Cache != nil {
		want, got := e.Fingerprint(), cfg.Cache.Fingerprint()
		if want.Dimensions == 0 {
			want.Dimensions = got.Dimensions
		}
		if want != got {
			return nil, fmt.Errorf("embedding cache holds %s but the embedder is %s", got, want)
		}
		e.dims.Store(int64(got.Dimensions))
	}
	return e, nil
}

// Fingerprint identifies the vector space. Dimensions is 0 until known when
// it was not configured: call Probe first.
func (e *Embedder) Fingerprint() embed.Fingerprint {
	return embed.Fingerprint{
		Name:        "openai",
		Model:       e.cfg.Model,
		Dimensions:  int(e.dims.Load()),
		DocPrefix:   e.cfg.DocPrefix,
		QueryPrefix: e.cfg.QueryPrefix,
	}
}

// Probe embeds one short text, so the dimensions are known afterwards and
// a wrong key, URL or model is reported before any real work starts.
func (e *Embedder) Probe(ctx context.Context) error {
	_, err := e.request(ctx, ctx, []string{probeText})
	return err
}

// EmbedQuery embeds one search query with the query prefix. Queries are
// not cached: they are rarely repeated and the index is read-only then.
func (e *Embedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	vecs, err := e.request(ctx, ctx, []string{e.cfg.QueryPrefix + text})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ctxErr says why embedding stopped early, keeping both the context's
// error (for errors.Is) and a cancellation cause when one was given.
func ctxErr(ctx context.Context) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
		return fmt.Errorf("embedding stopped: %w (%w)", err, cause)
	}
	return fmt.Errorf("embedding stopped: %w", err)
}

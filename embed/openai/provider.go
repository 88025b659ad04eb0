package openai

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/embed/cache"
)

// Name is this embedder's name in --embedder and in index fingerprints.
const Name = "openai"

func init() { embed.Register(Name, provider{}) }

type provider struct{}

// Query re-creates an index's embedder for queries. A person is waiting on
// a query: it retries briefly, then says the server is down, rather than
// back off for half a minute as a long import may.
func (provider) Query(st embed.State, baseURL string) (embed.Embedder, error) {
	f := st.Fingerprint
	cfg := Config{Model: f.Model, Dimensions: f.Dimensions, DocPrefix: f.DocPrefix, QueryPrefix: f.QueryPrefix,
		MaxRetries: 2, HTTPClient: &http.Client{Timeout: 30 * time.Second}, BaseURL: baseURL}
	if cfg.BaseURL == "" {
		cfg.BaseURL = st.Config["base_url"]
	}
	return New(cfg)
}

// Prepare sets up the embedder of an index run with the persistent cache
// in args.CacheDir, keyed by the full fingerprint.
func (provider) Prepare(ctx context.Context, a embed.PrepareArgs) (*embed.Prepared, error) {
	s := a.Spec
	cfg := Config{Model: s.Model, Dimensions: s.Dimensions, DocPrefix: s.DocPrefix, QueryPrefix: s.QueryPrefix,
		Progress: s.Progress, Concurrency: a.Workers, BaseURL: s.BaseURL}
	fresh := a.Prev == nil
	if !fresh {
		have := a.Prev.Fingerprint
		cfg.Model, cfg.Dimensions, cfg.DocPrefix, cfg.QueryPrefix = have.Model, have.Dimensions, have.DocPrefix, have.QueryPrefix
		if cfg.BaseURL == "" {
			cfg.BaseURL = a.Prev.Config["base_url"]
		}
	}
	e, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Dimensions == 0 {
		// The cache is keyed by the full fingerprint, so the model's
		// native size must be known first: one tiny request.
		if err := e.Probe(ctx); err != nil {
			return nil, err
		}
	}
	p := &embed.Prepared{ReembedAll: fresh}
	if a.CacheDir != "" {
		c, err := cache.Open(a.CacheDir, e.Fingerprint())
		if err != nil {
			return nil, fmt.Errorf("open embedding cache: %w", err)
		}
		cfg.Cache = c
		cfg.Dimensions = e.Fingerprint().Dimensions
		if e, err = New(cfg); err != nil {
			c.Close()
			return nil, err
		}
		p.Close = c.Close
	}
	p.Embedder = e
	p.State = embed.State{Fingerprint: e.Fingerprint()}
	if cfg.BaseURL != "" {
		// Remembered so that searching later needs no environment.
		p.State.Config = map[string]string{"base_url": cfg.BaseURL}
	}
	return p, nil
}

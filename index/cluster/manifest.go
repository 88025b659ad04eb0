package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
)

// formatVersion is the layout version of the collections; a cluster
// written by a newer paperseek is refused rather than misread.
const formatVersion = 1

// manifestKey is the blob holding the manifest in the meta collection.
const manifestKey = "manifest"

// manifest is what a directory index keeps in manifest.json: written last
// by every Commit, so its counts and generation describe a finished run.
type manifest struct {
	Format     int               `json:"format"`
	Generation int               `json:"generation"`
	Papers     int               `json:"papers"`
	Tokens     int64             `json:"tokens"` // analysed terms of all papers, for BM25's average length
	Embedder   embed.Fingerprint `json:"embedder"`
	// EmbedderConfig is what re-creating the embedder needs; ModelKey names
	// the blob holding the local model ("" for none).
	EmbedderConfig map[string]string `json:"embedder_config,omitempty"`
	ModelKey       string            `json:"model_key,omitempty"`
	State          map[string]string `json:"state,omitempty"`
	Created        time.Time         `json:"created"`
	Updated        time.Time         `json:"updated"`
}

func (m *manifest) info(loc string) index.Info {
	return index.Info{Location: loc, Embedder: m.Embedder, Papers: m.Papers, Generation: m.Generation,
		Created: m.Created, Updated: m.Updated, State: m.State}
}

// readManifest reads the manifest of loc; an error wrapping
// index.ErrNoIndex when the cluster holds none.
func readManifest(ctx context.Context, c *wv.Client, loc Location, cl wv.ConsistencyLevel) (*manifest, error) {
	raw, err := c.GetBlob(ctx, loc.Meta(), manifestKey, cl)
	if err != nil && !errors.Is(err, wv.ErrNotFound) && !errors.Is(err, wv.ErrUnavailable) {
		// Some servers answer 422 rather than 404 for an object of a
		// collection that does not exist.
		if ok, cerr := c.ClassExists(ctx, loc.Meta()); cerr == nil && !ok {
			err = &wv.Error{Op: "read the manifest", Kind: wv.ErrNotFound}
		}
	}
	if errors.Is(err, wv.ErrNotFound) {
		return nil, fmt.Errorf("%w at %s: create one with `paperseek index --index %s FILE`", index.ErrNoIndex, loc.Raw, loc.Raw)
	}
	if err != nil {
		return nil, wrap("read the manifest", err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: the manifest of %s is not valid JSON: %w", index.ErrCorrupt, loc.Raw, err)
	}
	if m.Format > formatVersion {
		return nil, fmt.Errorf("index %s has format %d, this paperseek reads up to %d: upgrade paperseek", loc.Raw, m.Format, formatVersion)
	}
	return &m, nil
}

func writeManifest(ctx context.Context, c *wv.Client, loc Location, m *manifest, cl wv.ConsistencyLevel) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return wrap("write the manifest", c.PutBlob(ctx, loc.Meta(), manifestKey, raw, 0, cl))
}

// clusterBlob is the model, read from the cluster when an embedder first
// needs it.
type clusterBlob struct {
	c    *wv.Client
	loc  Location
	key  string
	cl   wv.ConsistencyLevel
	once sync.Once
	data []byte
	err  error
}

func (b *clusterBlob) Bytes() ([]byte, error) {
	b.once.Do(func() {
		b.data, b.err = b.c.GetBlob(context.Background(), b.loc.Meta(), b.key, b.cl)
		switch {
		case errors.Is(b.err, wv.ErrNotFound), errors.Is(b.err, wv.ErrBlobCorrupt):
			b.err = fmt.Errorf("%w: the model %s of %s: %w", index.ErrCorrupt, b.key, b.loc.Raw, b.err)
		case b.err != nil:
			b.err = wrap("read the model", b.err)
		}
	})
	return b.data, b.err
}

func (m *manifest) embedderState(c *wv.Client, loc Location, cl wv.ConsistencyLevel) embed.State {
	st := embed.State{Fingerprint: m.Embedder, Config: m.EmbedderConfig}
	if m.ModelKey != "" {
		st.Model = &clusterBlob{c: c, loc: loc, key: m.ModelKey, cl: cl}
	}
	return st
}

// wrap turns a client error into what the command layer maps: a cluster
// that cannot answer fully is index.ErrUnavailable (exit 1, HTTP 503).
func wrap(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, wv.ErrUnavailable):
		return fmt.Errorf("%w: %s: %w", index.ErrUnavailable, what, err)
	case errors.Is(err, wv.ErrTLS):
		return fmt.Errorf("%s: %w (a weaviates:// server's certificate must chain to a trusted CA: add the CA to the system's store, or point $SSL_CERT_FILE at it; for a plain-HTTP server use weaviate://)", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

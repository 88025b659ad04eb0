package index

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/embed/cache"
	"github.com/paperseek/paperseek/embed/local"
	"github.com/paperseek/paperseek/embed/openai"
)

// Embedder names accepted by --embedder.
const (
	EmbedderLocal  = "local"
	EmbedderOpenAI = "openai"
)

const (
	localModelName = "embedder.bin"
	cacheDirName   = "cache"
)

// EmbedderSpec is the embedder a user asked for. Zero fields mean "not
// given": an existing index keeps its own, a new one gets the defaults.
type EmbedderSpec struct {
	Name        string // "local" (default) or "openai"
	Model       string // openai only; default text-embedding-3-small
	Dimensions  int    // local: model size (default 256); openai: requested size
	DocPrefix   string
	QueryPrefix string
	// Progress, if set, is told how many papers a remote embedder finished.
	Progress func(done int)
}

// check refuses a spec that contradicts the embedder m was built with:
// vectors of two models must never be mixed in one index.
func (s EmbedderSpec) check(m *Manifest) error {
	have := m.Embedder
	mismatch := func(what, want, got string) error {
		return fmt.Errorf("%w: the index was built with %s %s, not %s; to switch, re-index everything with --rebuild",
			ErrEmbedderMismatch, what, got, want)
	}
	if s.Name != "" && s.Name != have.Name {
		return mismatch("embedder", s.Name, have.Name)
	}
	if s.Model != "" && s.Model != have.Model && have.Name == EmbedderOpenAI {
		return mismatch("model", s.Model, have.Model)
	}
	if s.Dimensions != 0 && s.Dimensions != have.Dimensions && have.Name == EmbedderOpenAI {
		return mismatch("dimensions", fmt.Sprint(s.Dimensions), fmt.Sprint(have.Dimensions))
	}
	if (s.DocPrefix != "" && s.DocPrefix != have.DocPrefix) || (s.QueryPrefix != "" && s.QueryPrefix != have.QueryPrefix) {
		return mismatch("prefixes", fmt.Sprintf("%q/%q", s.DocPrefix, s.QueryPrefix), fmt.Sprintf("%q/%q", have.DocPrefix, have.QueryPrefix))
	}
	return nil
}

// CheckEmbedder refuses a query-time spec that differs from the index's.
func (ix *Index) CheckEmbedder(s EmbedderSpec) error { return s.check(&ix.manifest) }

// prepareEmbedder returns the embedder for this run, the config to record in
// the manifest, and whether every paper must be (re-)embedded.
func (w *Writer) prepareEmbedder(ctx context.Context) (embed.Embedder, map[string]string, bool, error) {
	spec := w.opts.Embedder
	fresh := w.prev == nil || w.opts.Rebuild
	name := spec.Name
	if name == "" {
		name = EmbedderLocal
		if !fresh {
			name = w.prev.Embedder.Name
		}
	}
	switch name {
	case EmbedderLocal:
		path := filepath.Join(w.genDir, localModelName)
		if !fresh && !w.opts.Retrain {
			// Papers added later are embedded with the stored model: a
			// silent retrain would move every old vector.
			prevModel := filepath.Join(w.dir, genDirName(w.prev.Generation), localModelName)
			if err := linkOrCopy(prevModel, path); err != nil {
				return nil, nil, false, fmt.Errorf("%w: local model: %v", ErrCorrupt, err)
			}
			m, err := local.Load(path)
			if err != nil {
				return nil, nil, false, fmt.Errorf("%w: local model: %v", ErrCorrupt, err)
			}
			return m, map[string]string{"model_file": localModelName}, false, nil
		}
		if w.opts.Progress != nil {
			w.opts.Progress("training", 0, 0)
		}
		failpoint(FailTraining)
		dims := spec.Dimensions
		if dims == 0 && !fresh {
			dims = w.prev.Embedder.Dimensions
		}
		m, err := local.Train(ctx, w.corpus, local.Options{Dimensions: dims, Workers: w.opts.Workers})
		if err != nil {
			return nil, nil, false, fmt.Errorf("train local embedding model: %w", err)
		}
		if err := m.Save(path); err != nil {
			return nil, nil, false, fmt.Errorf("save local embedding model: %w", err)
		}
		return m, map[string]string{"model_file": localModelName}, true, nil
	case EmbedderOpenAI:
		cfg := openai.Config{Model: spec.Model, Dimensions: spec.Dimensions, DocPrefix: spec.DocPrefix, QueryPrefix: spec.QueryPrefix, Progress: spec.Progress, Concurrency: w.opts.Workers}
		if !fresh {
			have := w.prev.Embedder
			cfg.Model, cfg.Dimensions, cfg.DocPrefix, cfg.QueryPrefix = have.Model, have.Dimensions, have.DocPrefix, have.QueryPrefix
		}
		e, err := openai.New(cfg)
		if err != nil {
			return nil, nil, false, err
		}
		if cfg.Dimensions == 0 {
			// The cache is keyed by the full fingerprint, so the model's
			// native size must be known first: one tiny request.
			if err := e.Probe(ctx); err != nil {
				return nil, nil, false, err
			}
		}
		c, err := cache.Open(filepath.Join(w.dir, cacheDirName), e.Fingerprint())
		if err != nil {
			return nil, nil, false, fmt.Errorf("open embedding cache: %w", err)
		}
		cfg.Cache = c
		cfg.Dimensions = e.Fingerprint().Dimensions
		if e, err = openai.New(cfg); err != nil {
			c.Close()
			return nil, nil, false, err
		}
		w.closers = append(w.closers, c.Close)
		var recorded map[string]string
		if base := os.Getenv("OPENAI_BASE_URL"); base != "" {
			// Remembered so that searching later needs no environment.
			recorded = map[string]string{"base_url": base}
		}
		return e, recorded, fresh, nil
	default:
		return nil, nil, false, fmt.Errorf("%w: unknown embedder %q (want %q or %q)", ErrUsage, name, EmbedderLocal, EmbedderOpenAI)
	}
}

// queryEmbedder re-creates the embedder an index was built with, for
// embedding queries.
func queryEmbedder(m *Manifest, genDir string) (embed.Embedder, error) {
	switch m.Embedder.Name {
	case EmbedderLocal:
		file := m.EmbedderConfig["model_file"]
		if file == "" {
			file = localModelName
		}
		model, err := local.Load(filepath.Join(genDir, file))
		if err != nil {
			return nil, fmt.Errorf("%w: local model: %v", ErrCorrupt, err)
		}
		return model, nil
	case EmbedderOpenAI:
		f := m.Embedder
		// A person is waiting on a query: retry briefly, then say the
		// server is down, rather than back off for half a minute as a
		// long import may.
		cfg := openai.Config{Model: f.Model, Dimensions: f.Dimensions, DocPrefix: f.DocPrefix, QueryPrefix: f.QueryPrefix,
			MaxRetries: 2, HTTPClient: &http.Client{Timeout: 30 * time.Second}}
		if os.Getenv("OPENAI_BASE_URL") == "" {
			cfg.BaseURL = m.EmbedderConfig["base_url"]
		}
		return openai.New(cfg)
	default:
		return nil, fmt.Errorf("%w: unknown embedder %q in the manifest", ErrCorrupt, m.Embedder.Name)
	}
}

func linkOrCopy(src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return err
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return copyFile(src, dst)
}

package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/blevesearch/bleve/v2"

	"github.com/paperseek/paperseek/embed"
)

const keywordDirName = "keyword"

// Index is a read-only view of the current generation of an index
// directory: what `search`, `get`, `related`, `stats` and `serve` use.
// Writers build the next generation beside it, so an open Index is never
// disturbed by an `index` run; Reopen picks up the new generation.
type Index struct {
	dir      string
	genDir   string
	manifest Manifest
	kw       bleve.Index
	vectors  *Vectors
	embedder embed.Embedder
}

// Open opens dir's current generation for reading. It fails with ErrNoIndex
// when dir holds no index.
func Open(ctx context.Context, dir string) (*Index, error) {
	for attempt := 0; ; attempt++ {
		m, err := ReadManifest(dir)
		if err != nil {
			if errors.Is(err, ErrNoIndex) {
				return nil, fmt.Errorf("%w at %s: create one with `paperseek index FILE`", ErrNoIndex, dir)
			}
			return nil, err
		}
		ix, err := openGeneration(ctx, dir, m)
		if err == nil || attempt == 2 {
			return ix, err
		}
		// Two index runs may have committed while we opened, removing the
		// generation we had read; then the manifest names a newer one.
		if now, merr := ReadManifest(dir); merr != nil || now.Generation == m.Generation {
			return nil, err
		}
	}
}

func openGeneration(ctx context.Context, dir string, m *Manifest) (*Index, error) {
	genDir := filepath.Join(dir, genDirName(m.Generation))
	if _, err := os.Stat(genDir); err != nil {
		return nil, fmt.Errorf("%w: generation %d named by the manifest is missing", ErrCorrupt, m.Generation)
	}
	kw, err := openKeyword(filepath.Join(genDir, keywordDirName), true)
	if err != nil {
		return nil, err
	}
	ix := &Index{dir: dir, genDir: genDir, manifest: *m, kw: kw}
	if ix.vectors, err = loadVectors(ctx, filepath.Join(genDir, vectorsName)); err != nil {
		kw.Close()
		return nil, err
	}
	if ix.embedder, err = queryEmbedder(m, genDir); err != nil {
		kw.Close()
		return nil, err
	}
	return ix, nil
}

// Close releases the index files.
func (ix *Index) Close() error { return ix.kw.Close() }

// Dir is the index directory.
func (ix *Index) Dir() string { return ix.dir }

// Manifest describes the open generation.
func (ix *Index) Manifest() Manifest { return ix.manifest }

// Keyword is the Bleve index of the open generation (read-only).
func (ix *Index) Keyword() bleve.Index { return ix.kw }

// Vectors is the semantic store of the open generation.
func (ix *Index) Vectors() *Vectors { return ix.vectors }

// Embedder embeds queries in the index's vector space.
func (ix *Index) Embedder() embed.Embedder { return ix.embedder }

// Paper returns the stored paper with id, or an error wrapping ErrNotFound.
func (ix *Index) Paper(id string) (Paper, error) { return lookupPaper(ix.kw, id) }

// Stats is the `stats --json` document.
type Stats struct {
	Papers     int    `json:"papers"`
	Embedder   string `json:"embedder"`
	Model      string `json:"model,omitempty"`
	Dimensions int    `json:"dimensions"`
	IndexBytes int64  `json:"index_bytes"`
	Created    string `json:"created"`
	Updated    string `json:"updated"`
	Generation int    `json:"generation"`
	// KeywordDocs and Vectors are each leg's own count; both equal Papers
	// in a consistent index.
	KeywordDocs uint64 `json:"keyword_docs"`
	Vectors     int    `json:"vectors"`
}

// Stats reports the open generation's size and provenance.
func (ix *Index) Stats() (Stats, error) {
	n, err := ix.kw.DocCount()
	if err != nil {
		return Stats{}, fmt.Errorf("count keyword documents: %w", err)
	}
	size, err := dirSize(ix.genDir)
	if err != nil {
		return Stats{}, fmt.Errorf("measure index size: %w", err)
	}
	m := ix.manifest
	return Stats{
		Papers:      m.Papers,
		Embedder:    m.Embedder.Name,
		Model:       m.Embedder.Model,
		Dimensions:  m.Embedder.Dimensions,
		IndexBytes:  size,
		Created:     m.Created.UTC().Format("2006-01-02T15:04:05Z07:00"),
		Updated:     m.Updated.UTC().Format("2006-01-02T15:04:05Z07:00"),
		Generation:  m.Generation,
		KeywordDocs: n,
		Vectors:     ix.vectors.Count(),
	}, nil
}

func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	return total, err
}

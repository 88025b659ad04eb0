package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/internal/atomicfile"
)

// FormatVersion is the on-disk layout version. An index written by a newer
// paperseek with a higher version is refused rather than misread; one of
// an older version is upgraded by the next index run (reading it asks for
// `paperseek index --upgrade`).
//
// Format 2 added external ids (doi, arxiv, pmid) and the publication day
// as indexed keyword fields, and publication dates to the vectors file.
const FormatVersion = 2

const manifestName = "manifest.json"

// Manifest is the one file that says which generation of the index is
// current. Everything else in the directory is either referenced by it or
// garbage left by an interrupted run. It is replaced by an atomic rename, so
// a reader always sees either the old or the new generation, never a mix.
type Manifest struct {
	Format     int               `json:"format"`
	Generation int               `json:"generation"`
	Papers     int               `json:"papers"`
	Embedder   embed.Fingerprint `json:"embedder"`
	// EmbedderConfig holds what is needed to re-create the embedder at query
	// time beyond the fingerprint (e.g. the local model's file name).
	EmbedderConfig map[string]string `json:"embedder_config,omitempty"`
	// Vectors is the vector store's own count, so that `stats` need not
	// open it (absent in manifests of older paperseeks).
	Vectors *int `json:"vectors,omitempty"`
	// Tokens is the number of analysed tokens in all papers' ranking text,
	// for BM25's average document length without opening the vectors.
	Tokens *int64 `json:"tokens,omitempty"`
	// State is what index runs recorded (index.Writer.SetState).
	State   map[string]string `json:"state,omitempty"`
	Created time.Time         `json:"created"`
	Updated time.Time         `json:"updated"`
}

// genDirName is the directory holding one generation's files.
func genDirName(gen int) string { return fmt.Sprintf("gen-%06d", gen) }

// ReadManifest loads dir's manifest. It fails with an error wrapping
// index.ErrNoIndex when there is none.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, manifestName)
	b, err := os.ReadFile(path)
	if err != nil {
		if uerr := notADirectory(dir); uerr != nil {
			return nil, uerr
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s: create one with `paperseek index FILE`", index.ErrNoIndex, dir)
		}
		return nil, fmt.Errorf("read index manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %s is not valid JSON: %w", index.ErrCorrupt, path, err)
	}
	if m.Format > FormatVersion {
		return nil, fmt.Errorf("index %s has format %d, this paperseek reads up to %d: upgrade paperseek", dir, m.Format, FormatVersion)
	}
	if m.Generation <= 0 {
		return nil, fmt.Errorf("%w: %s names no generation", index.ErrCorrupt, path)
	}
	return &m, nil
}

// writeManifest switches the index to m with write-temp, fsync, rename,
// fsync-directory: the commit point of every index run.
func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, manifestName), b)
}

func (m *Manifest) info(dir string) index.Info {
	return index.Info{Location: dir, Embedder: m.Embedder, Papers: m.Papers, Generation: m.Generation,
		Created: m.Created, Updated: m.Updated, State: m.State}
}

// modelFile is the name of the generation's model file.
func (m *Manifest) modelFile() string {
	if file := m.EmbedderConfig["model_file"]; file != "" {
		return file
	}
	return localModelName
}

// embedderState is the recorded embedder of the generation in genDir; its
// model file is read only if an embedder asks for it.
func (m *Manifest) embedderState(genDir string) embed.State {
	st := embed.State{Fingerprint: m.Embedder, Config: m.EmbedderConfig}
	if m.EmbedderConfig["model_file"] != "" || m.Embedder.Name == "local" {
		st.Model = &fileBlob{path: filepath.Join(genDir, m.modelFile())}
	}
	return st
}

// writeFileAtomic replaces path with data (atomicfile); a crash test can
// stop the process after the manifest's data is durable, before the
// rename that switches generations.
func writeFileAtomic(path string, data []byte) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if filepath.Base(path) == manifestName {
		if err := f.Sync(); err != nil {
			return err
		}
		failpoint(FailManifestWrite)
	}
	return f.Commit()
}

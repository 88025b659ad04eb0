package embed

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// State is what an index records about its embedder: enough to re-create
// it for queries on any machine that can read the index.
type State struct {
	Fingerprint Fingerprint
	// Config holds what re-creating the embedder needs beyond the
	// fingerprint (e.g. an embedding server's base URL).
	Config map[string]string
	// Model is the learned model of an embedder that keeps one inside the
	// index (local); nil for the others.
	Model Blob
}

// Blob is a stored model, read only when an embedder needs it. A Blob
// that is built on demand (a freshly trained model) may also implement
// io.WriterTo, writing the same bytes as Bytes without holding them all:
// an index storing it in a file streams it.
type Blob interface {
	// Bytes returns the model's bytes. They may be a read-only mapping of
	// a file: callers must not modify them.
	Bytes() ([]byte, error)
}

// Mapper is implemented by a Blob kept in an immutable file that can be
// mapped into memory instead of read and copied: an embedder built from the
// mapping reads only the parts a query touches, so a one-shot process pays
// for a few pages, not the whole model.
type Mapper interface {
	Map() (*Mapping, error)
}

// Mapping is a read-only file mapping that its owner (an open index) unmaps
// when it closes. Readers pin it while they read, so closing waits for them
// and a reader that comes later gets an error instead of a fault.
type Mapping struct {
	// Data is the mapped file; read it only while pinned.
	Data   []byte
	mu     sync.RWMutex
	closed bool
	unmap  func() error
}

// NewMapping wraps data; unmap (may be nil) releases it on Close.
func NewMapping(data []byte, unmap func() error) *Mapping {
	return &Mapping{Data: data, unmap: unmap}
}

// ErrUnmapped is returned by an embedder whose mapped model was closed.
var ErrUnmapped = errors.New("the model's index was closed")

// Pin keeps the mapping valid until Unpin; it fails once Close has run.
func (m *Mapping) Pin() error {
	m.mu.RLock()
	if m.closed {
		m.mu.RUnlock()
		return ErrUnmapped
	}
	return nil
}

// Unpin ends a Pin that succeeded.
func (m *Mapping) Unpin() { m.mu.RUnlock() }

// Close waits for pinned readers, then unmaps. Later calls do nothing.
func (m *Mapping) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	m.Data = nil
	if m.unmap == nil {
		return nil
	}
	return m.unmap()
}

// BytesBlob is a Blob held in memory.
type BytesBlob []byte

// Bytes implements Blob.
func (b BytesBlob) Bytes() ([]byte, error) { return b, nil }

// Provider makes embedders of one name. Embedder packages register one
// (Register) from their init; an index never names a concrete embedder.
type Provider interface {
	// Query re-creates the embedder recorded in st, for embedding queries.
	// baseURL, when not empty, overrides a recorded server address.
	Query(st State, baseURL string) (Embedder, error)
	// Prepare returns the embedder for an index run.
	Prepare(ctx context.Context, args PrepareArgs) (*Prepared, error)
}

// PrepareArgs is what an index run knows when it needs its embedder.
type PrepareArgs struct {
	// Spec is what the user asked for; zero fields mean "as Prev has it".
	Spec Spec
	// Prev is the index's recorded state; nil for a new index or a rebuild.
	Prev *State
	// Retrain re-learns a trained model from the whole corpus.
	Retrain bool
	// Corpus streams every paper in the index as the run will leave it
	// (its text, and its terms when known), for embedders that learn from
	// it. It may be called more than once.
	Corpus func(fn func(doc Document) error) error
	// CorpusSize is how many documents Corpus yields (0: unknown), so that a
	// trainer learning from a sample can skip the rest as it reads.
	CorpusSize int
	// CacheDir is where a remote embedder may keep its embedding cache
	// ("" for none).
	CacheDir string
	// Workers bounds training threads or concurrent requests (0: default).
	Workers int
	// Phase, if set, is told when a long phase (training) starts.
	Phase func(name string)
}

// Prepared is the embedder of an index run.
type Prepared struct {
	Embedder Embedder
	// State is what the index must record after the run.
	State State
	// ModelChanged says State.Model is new and must be stored; otherwise
	// it is Prev's model, unchanged.
	ModelChanged bool
	// ReembedAll says the vector space changed: every paper needs a new
	// vector and no old vector may survive.
	ReembedAll bool
	// Close releases what the embedder opened (a cache); may be nil.
	Close func() error
}

var (
	providersMu sync.RWMutex
	providers   = map[string]Provider{}
)

// Register makes the embedder name available. It panics on a duplicate
// name, a programming error.
func Register(name string, p Provider) {
	providersMu.Lock()
	defer providersMu.Unlock()
	if _, dup := providers[name]; dup {
		panic("embed: provider registered twice: " + name)
	}
	providers[name] = p
}

// DefaultName is the embedder of a new index when none is asked for: the
// one that needs no network.
const DefaultName = "local"

func provider(name string) (Provider, error) {
	providersMu.RLock()
	defer providersMu.RUnlock()
	if p := providers[name]; p != nil {
		return p, nil
	}
	var names []string
	for n := range providers {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("%w %q (want %s)", ErrUnknown, name, strings.Join(names, " or "))
}

// ForQueries re-creates the embedder recorded in st, for queries.
func ForQueries(st State, baseURL string) (Embedder, error) {
	p, err := provider(st.Fingerprint.Name)
	if err != nil {
		return nil, err
	}
	return p.Query(st, baseURL)
}

// Prepare returns the embedder for an index run: the one args.Spec names,
// else the one the index has, else DefaultName.
func Prepare(ctx context.Context, args PrepareArgs) (*Prepared, error) {
	name := args.Spec.Name
	if name == "" {
		name = DefaultName
		if args.Prev != nil {
			name = args.Prev.Fingerprint.Name
		}
	}
	p, err := provider(name)
	if err != nil {
		return nil, err
	}
	return p.Prepare(ctx, args)
}

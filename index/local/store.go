package local

import (
	"context"
	"errors"
	"fmt"
	"github.com/blevesearch/bleve/v2/analysis"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	mmap "github.com/blevesearch/mmap-go"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/local/vectors"
)

const keywordDirName = "keyword"

// Store is a read-only view of the current generation of an index
// directory: what `search`, `get`, `related`, `stats` and `serve` use.
// Writers build the next generation beside it, so an open Store is never
// disturbed by an `index` run.
//
// Opening reads the manifest and opens the Bleve index (a few
// milliseconds: every command reads papers); the vectors and the model are
// loaded the first time a method needs them, so `get` and `stats` never
// touch them.
type Store struct {
	dir      string
	genDir   string
	manifest Manifest
	kw       bleve.Index
	// analyzer is the one the keyword index was built with (textAnalyzer):
	// queries must be cut into the same terms.
	analyzer analysis.Analyzer
	// positions: the keyword index records word positions (phrases).
	positions bool

	vecOnce sync.Once
	vectors *vectors.Set
	vecErr  error

	// embedder is the recorded embedder; its model is read once, when
	// first needed.
	embedder embed.State

	// postings caches decoded postings for the keyword leg once Preload
	// has run (serve); nil for one-shot commands (postings.go).
	postings atomic.Pointer[postingCache]
	// stopWarm stops the cache's warming (warmPostings) and waits for it;
	// nil until Preload starts it.
	stopWarm func()
}

var _ index.Store = (*Store)(nil)

// Open opens dir's current generation for reading. It fails with an error
// wrapping index.ErrNoIndex when dir holds no index.
func Open(ctx context.Context, dir string) (*Store, error) {
	for attempt := 0; ; attempt++ {
		m, err := ReadManifest(dir)
		if err != nil {
			return nil, err
		}
		st, err := openGeneration(dir, m)
		if err == nil || attempt == 2 {
			return st, err
		}
		// Two index runs may have committed while we opened, removing the
		// generation we had read; then the manifest names a newer one.
		if now, merr := ReadManifest(dir); merr != nil || now.Generation == m.Generation {
			return nil, err
		}
	}
}

func openGeneration(dir string, m *Manifest) (*Store, error) {
	if m.Format < FormatVersion {
		return nil, index.Usagef("the index in %s was built by an older paperseek (format %d); bring it up to date once with `paperseek index --upgrade --index %s` (nothing is re-embedded)",
			dir, m.Format, dir)
	}
	genDir := filepath.Join(dir, genDirName(m.Generation))
	if _, err := os.Stat(genDir); err != nil {
		return nil, fmt.Errorf("%w: generation %d named by the manifest is missing", index.ErrCorrupt, m.Generation)
	}
	kw, err := openKeyword(filepath.Join(genDir, keywordDirName), keywordRead)
	if err != nil {
		return nil, err
	}
	a, err := textAnalyzer(kw)
	if err != nil {
		kw.Close()
		return nil, err
	}
	return &Store{dir: dir, genDir: genDir, manifest: *m, kw: kw, analyzer: a, positions: hasPositions(kw), embedder: m.embedderState(genDir)}, nil
}

// Close releases the index files.
func (s *Store) Close() error {
	if s.stopWarm != nil {
		s.stopWarm()
	}
	err := s.kw.Close()
	if s.vectors != nil {
		err = errors.Join(err, s.vectors.Close())
	}
	if b, ok := s.embedder.Model.(*fileBlob); ok {
		err = errors.Join(err, b.close())
	}
	return err
}

// Location is the index directory.
func (s *Store) Location() string { return s.dir }

// Manifest describes the open generation.
func (s *Store) Manifest() Manifest { return s.manifest }

// Info implements index.Store.
func (s *Store) Info() index.Info { return s.manifest.info(s.dir) }

// Preload loads what Open leaves for later (the vectors and the model), so
// that a server pays for it before its first request, not during it, and
// keeps serving its generation even after an index run removed its files.
// It also turns on the keyword leg's postings cache: a process that
// preloads answers many queries.
func (s *Store) Preload() error {
	if c := newPostingCache(postingCacheBytes(s.manifest.Papers)); s.postings.CompareAndSwap(nil, c) {
		if err := s.warm(c); err != nil {
			return err
		}
	}
	if _, err := s.loadVectors(); err != nil {
		return err
	}
	// Mapping the model keeps its file readable after an index run
	// removed the generation; the pages are read on first use.
	if b, ok := s.embedder.Model.(embed.Mapper); ok {
		if _, err := b.Map(); err != nil {
			return err
		}
	} else if s.embedder.Model != nil {
		if _, err := s.embedder.Model.Bytes(); err != nil {
			return err
		}
	}
	return nil
}

// warm fills c with the commonest words' postings in the background
// (warmPostings) until it is done or the store is closed. A failure only
// leaves those words to be decoded by their first query.
func (s *Store) warm(c *postingCache) error {
	adv, err := s.kw.Advanced()
	if err != nil {
		return fmt.Errorf("keyword index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("keyword index: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer r.Close()
		_ = warmPostings(ctx, r, c)
	}()
	s.stopWarm = func() { cancel(); <-done }
	return nil
}

// loadVectors maps the vector set once.
func (s *Store) loadVectors() (*vectors.Set, error) {
	s.vecOnce.Do(func() { s.vectors, s.vecErr = openVectors(s.genDir) })
	return s.vectors, s.vecErr
}

// Paper implements index.Store.
func (s *Store) Paper(_ context.Context, id string) (index.Paper, error) {
	return lookupPaper(s.kw, id)
}

// Papers implements index.Store.
func (s *Store) Papers(ctx context.Context, ids []string) ([]index.Paper, error) {
	out := make([]index.Paper, len(ids))
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := lookupPaper(s.kw, id)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// Vector implements index.Store.
func (s *Store) Vector(_ context.Context, id string) ([]float32, error) {
	v, err := s.loadVectors()
	if err != nil {
		return nil, err
	}
	if vec, ok := v.Vector(id); ok {
		return vec, nil
	}
	if !v.Contains(id) {
		return nil, index.NotFoundf("no paper with id %s", quoteID(id))
	}
	return nil, nil
}

// Nearest implements index.Store.
func (s *Store) Nearest(ctx context.Context, vec []float32, f index.Filter, n int) ([]index.Hit, error) {
	v, err := s.loadVectors()
	if err != nil {
		return nil, err
	}
	hits, err := v.Search(ctx, vec, n, vectorFilter(f))
	if err != nil {
		return nil, fmt.Errorf("semantic search: %w", err)
	}
	out := make([]index.Hit, len(hits))
	for i, h := range hits {
		out[i] = index.Hit{ID: h.ID, Score: h.Score}
	}
	return out, nil
}

// EmbedderState implements index.Store: the fingerprint and config from
// the manifest, and the model file of the generation, read when needed.
func (s *Store) EmbedderState(context.Context) (embed.State, error) {
	return s.embedder, nil
}

// Stats implements index.Store. It reads the manifest's counts and the
// keyword index's own count; the vectors file is not opened.
func (s *Store) Stats(context.Context) (index.Stats, error) {
	n, err := s.kw.DocCount()
	if err != nil {
		return index.Stats{}, fmt.Errorf("count keyword documents: %w", err)
	}
	size, err := dirSize(s.genDir)
	if err != nil {
		return index.Stats{}, fmt.Errorf("measure index size: %w", err)
	}
	m := s.manifest
	vectors := m.Vectors
	if m.Vectors == nil { // written before the manifest counted vectors
		v, err := s.loadVectors()
		if err != nil {
			return index.Stats{}, err
		}
		c := v.Count()
		vectors = &c
	}
	return index.Stats{
		Papers:      m.Papers,
		Embedder:    m.Embedder.Name,
		Model:       m.Embedder.Model,
		Dimensions:  m.Embedder.Dimensions,
		IndexBytes:  size,
		Created:     m.Created.UTC().Format("2006-01-02T15:04:05Z07:00"),
		Updated:     m.Updated.UTC().Format("2006-01-02T15:04:05Z07:00"),
		Generation:  m.Generation,
		KeywordDocs: n,
		Vectors:     *vectors,
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

// fileBlob is a model file read or mapped when an embedder first needs it.
// The mapping lives as long as the Store that made the blob (Close unmaps
// it); a generation's files never change, so mapping them is safe.
type fileBlob struct {
	path string
	once sync.Once
	data []byte
	err  error

	mapOnce sync.Once
	mapping *embed.Mapping
	mapErr  error
}

var _ embed.Mapper = (*fileBlob)(nil)

func (b *fileBlob) Bytes() ([]byte, error) {
	b.once.Do(func() {
		b.data, b.err = os.ReadFile(b.path)
		if b.err != nil {
			b.err = b.fileError("read", b.err)
		}
	})
	return b.data, b.err
}

// Map implements embed.Mapper.
func (b *fileBlob) Map() (*embed.Mapping, error) {
	b.mapOnce.Do(func() {
		f, err := os.Open(b.path)
		if err != nil {
			b.mapErr = b.fileError("open", err)
			return
		}
		defer f.Close() // the mapping outlives the descriptor
		st, err := f.Stat()
		if err != nil {
			b.mapErr = b.fileError("stat", err)
			return
		}
		if st.Size() == 0 || int64(int(st.Size())) != st.Size() {
			b.mapErr = fmt.Errorf("%w: the model file %s is %d bytes", index.ErrCorrupt, b.path, st.Size())
			return
		}
		data, err := mmap.Map(f, mmap.RDONLY, 0)
		if err != nil {
			b.mapErr = b.fileError("map", err)
			return
		}
		b.mapping = embed.NewMapping(data, data.Unmap)
	})
	return b.mapping, b.mapErr
}

func (b *fileBlob) fileError(op string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: the model file %s is missing", index.ErrCorrupt, b.path)
	}
	return fmt.Errorf("%s model %s: %w", op, b.path, err)
}

// close unmaps the model once its readers are done; an embedder made from
// it fails from then on (embed.ErrUnmapped).
func (b *fileBlob) close() error {
	b.mapOnce.Do(func() { b.mapErr = errors.New("index closed") }) // no mapping after Close
	if b.mapping == nil {
		return nil
	}
	return b.mapping.Close()
}

// backend registers the directory store for plain paths.
type backend struct{}

func init() { index.Register("", backend{}) }

func (backend) Open(ctx context.Context, location string) (index.Store, error) {
	st, err := Open(ctx, location)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return st, nil
}

func (backend) Stat(_ context.Context, location string) (index.Info, error) {
	m, err := ReadManifest(location)
	if err != nil {
		return index.Info{}, err
	}
	return m.info(location), nil
}

func (backend) BeginWrite(ctx context.Context, location string, opts index.WriteOptions) (index.Writer, error) {
	w, err := BeginWrite(ctx, location, opts)
	if err != nil {
		return nil, err
	}
	return w, nil
}

func (backend) Check(ctx context.Context, location string, repair bool, opts index.WriteOptions) (index.CheckReport, error) {
	if repair {
		return Repair(ctx, location, opts)
	}
	return Check(ctx, location)
}

// VectorIDs lists every paper that has a vector, sorted (for tools and
// consistency tests that compare the legs).
func (s *Store) VectorIDs() ([]string, error) {
	v, err := s.loadVectors()
	if err != nil {
		return nil, err
	}
	var ids []string
	err = v.Each(func(id string) error { ids = append(ids, id); return nil })
	return ids, err
}

// vectorsDirName holds a generation's vector set (index/local/vectors).
const vectorsDirName = "vectors"

// openVectors maps the vector set of the generation in genDir.
func openVectors(genDir string) (*vectors.Set, error) {
	set, err := vectors.Open(filepath.Join(genDir, vectorsDirName))
	if err != nil {
		if errors.Is(err, vectors.ErrCorrupt) || errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", index.ErrCorrupt, err)
		}
		return nil, fmt.Errorf("open vectors: %w", err)
	}
	return set, nil
}

// vectorFilter is f as the vector set takes it.
func vectorFilter(f index.Filter) vectors.Filter {
	return vectors.Filter{YearFrom: f.Years.From, YearTo: f.Years.To, Since: f.Since, Categories: f.Categories, Author: f.Author}
}

// metaOf is what the vector set keeps of a paper for filtering and BM25.
func metaOf(p *index.Paper, length int) vectors.Meta {
	m := vectors.Meta{Year: p.Year, Published: p.Published, Categories: p.Categories, Length: length}
	for _, a := range p.Authors {
		m.AuthorsLC = append(m.AuthorsLC, strings.ToLower(a))
	}
	return m
}

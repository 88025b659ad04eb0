package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
)

// Store reads an index on a Weaviate cluster. It is safe for concurrent use.
type Store struct {
	loc     Location
	c       *wv.Client
	m       manifest
	layout  wv.Layout
	members []string
	// read is the consistency level of reads: QUORUM on a replicated
	// collection (so a replica that missed writes is outvoted), none on an
	// unreplicated one (the server refuses it there).
	read     wv.ConsistencyLevel
	embedder embed.State
}

var _ index.Store = (*Store)(nil)

// Options say how to reach the cluster.
type Options struct {
	// APIKey is sent as a bearer token when set.
	APIKey string
	// HTTPClient defaults to one with a 60 s timeout per request.
	HTTPClient *http.Client
	// LeaseTTL and LeaseSettle time the writer lease (lease.go); zero
	// means DefaultLeaseTTL and DefaultLeaseSettle.
	LeaseTTL, LeaseSettle time.Duration
}

// connect parses location and makes a client for it: the first step of
// every way in (Open, BeginWrite, Stat).
func (o Options) connect(location string) (Location, *wv.Client, error) {
	loc, err := ParseLocation(location)
	if err != nil {
		return Location{}, nil, err
	}
	c, err := wv.New(wv.Config{URL: loc.URL, APIKey: o.APIKey, HTTPClient: o.HTTPClient})
	if err != nil {
		return Location{}, nil, fmt.Errorf("%w: %w", index.ErrUsage, err)
	}
	return loc, c, nil
}

// consistency is the level for reads and writes on a collection of
// replicas: QUORUM when replicated, else none.
func consistency(replicas int) wv.ConsistencyLevel {
	if replicas > 1 {
		return wv.Quorum
	}
	return ""
}

// Open opens the index at location for reading. It fails with an error
// wrapping index.ErrNoIndex when the collection or its manifest is missing.
func Open(ctx context.Context, location string, o Options) (*Store, error) {
	loc, c, err := o.connect(location)
	if err != nil {
		return nil, err
	}
	layout, err := c.ClassLayout(ctx, loc.Class)
	if errors.Is(err, wv.ErrNotFound) {
		return nil, fmt.Errorf("%w at %s: the cluster has no collection %s; create one with `paperseek index --index %s FILE`", index.ErrNoIndex, loc.Raw, loc.Class, loc.Raw)
	}
	if err != nil {
		return nil, wrap("open "+loc.Raw, err)
	}
	read := consistency(layout.Replicas)
	m, err := readManifest(ctx, c, loc, read)
	if err != nil {
		return nil, err
	}
	members, err := c.Members(ctx)
	if err != nil {
		// Coverage then names only the nodes that answer; it still counts
		// the shards.
		members = nil
	}
	s := &Store{loc: loc, c: c, m: *m, layout: layout, members: members, read: read}
	s.embedder = m.embedderState(c, loc, read)
	return s, nil
}

// Location implements index.Store.
func (s *Store) Location() string { return s.loc.Raw }

// Info implements index.Store.
func (s *Store) Info() index.Info { return s.m.info(s.loc.Raw) }

// Close implements index.Store; the client holds nothing to release.
func (s *Store) Close() error { return nil }

// Preload reads the model now, so that a server pays for it before its
// first request.
func (s *Store) Preload() error {
	if s.embedder.Model != nil {
		_, err := s.embedder.Model.Bytes()
		return err
	}
	return nil
}

// EmbedderState implements index.Store.
func (s *Store) EmbedderState(context.Context) (embed.State, error) { return s.embedder, nil }

// complete fails unless every shard of the collection has a replica on a
// healthy node. It runs after each read: Weaviate answers from the shards
// it can reach without saying that others were missing, so an answer read
// while a shard was down is caught either here or by the read failing.
func (s *Store) complete(ctx context.Context) error {
	h, err := s.c.Coverage(ctx, s.loc.Class, s.layout.Shards, s.members)
	if err != nil {
		return wrap("check the cluster's health", err)
	}
	return wrap("the cluster cannot answer fully", h.Err())
}

// Stats implements index.Store: the manifest's counts and the cluster's own.
func (s *Store) Stats(ctx context.Context) (index.Stats, error) {
	n, err := s.c.Count(ctx, s.loc.Class, nil)
	if err != nil {
		return index.Stats{}, wrap("count papers", err)
	}
	if err := s.complete(ctx); err != nil {
		return index.Stats{}, err
	}
	m := s.m
	return index.Stats{
		Papers:      m.Papers,
		Embedder:    m.Embedder.Name,
		Model:       m.Embedder.Model,
		Dimensions:  m.Embedder.Dimensions,
		Created:     m.Created.UTC().Format(time.RFC3339),
		Updated:     m.Updated.UTC().Format(time.RFC3339),
		Generation:  m.Generation,
		KeywordDocs: uint64(n),
		// Every object is written with its vector.
		Vectors: n,
	}, nil
}

// object reads the stored object of paper id (with its vector when
// withVector), or an error wrapping index.ErrNotFound. A missing object is
// only "not found" when every shard could be asked.
func (s *Store) object(ctx context.Context, id string, withVector bool) (wv.Object, error) {
	o, err := s.c.GetObject(ctx, s.loc.Class, wv.ObjectID(id), withVector, s.read)
	if errors.Is(err, wv.ErrNotFound) {
		if err := s.complete(ctx); err != nil {
			return wv.Object{}, err
		}
		return wv.Object{}, fmt.Errorf("%w: no paper with id %s", index.ErrNotFound, quoteID(id))
	}
	if err != nil {
		return wv.Object{}, wrap("read paper "+quoteID(id), err)
	}
	return o, nil
}

// Paper implements index.Store.
func (s *Store) Paper(ctx context.Context, id string) (index.Paper, error) {
	o, err := s.object(ctx, id, false)
	if err != nil {
		return index.Paper{}, err
	}
	return decodeObject(o)
}

// Papers implements index.Store, in one request (a filter on the object
// ids); a paper missing from the answer is only "not found" when every
// shard could be asked.
func (s *Store) Papers(ctx context.Context, ids []string) ([]index.Paper, error) {
	if len(ids) == 0 {
		return []index.Paper{}, nil
	}
	uuids := make([]string, len(ids))
	for i, id := range ids {
		uuids[i] = wv.ObjectID(id)
	}
	res, err := s.c.Search(ctx, wv.Search{Class: s.loc.Class, Where: wv.IDAny(uuids...), Limit: len(ids),
		Properties: paperProps, Consistency: s.read})
	if err != nil {
		return nil, wrap("read papers", err)
	}
	byID := make(map[string]index.Paper, len(ids))
	for _, h := range res[0] {
		p, err := decodeHit(h)
		if err != nil {
			return nil, err
		}
		byID[p.ID] = p.paper()
	}
	out := make([]index.Paper, len(ids))
	for i, id := range ids {
		p, ok := byID[id]
		if !ok {
			if err := s.complete(ctx); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w: no paper with id %s", index.ErrNotFound, quoteID(id))
		}
		out[i] = p
	}
	return out, nil
}

// Resolve implements index.Store.
func (s *Store) Resolve(ctx context.Context, ref string) (string, error) {
	_, err := s.object(ctx, ref, false)
	if err == nil {
		return ref, nil
	}
	if !errors.Is(err, index.ErrNotFound) {
		return "", err
	}
	r, perr := index.ParseRef(ref)
	if perr != nil {
		return "", fmt.Errorf("%w: %w", index.ErrUsage, perr)
	}
	if r.Scheme == "" {
		return "", err
	}
	owners, err := ownersOf(ctx, s.c, s.loc.Class, s.read, []index.Ref{r})
	if err != nil {
		return "", err
	}
	if err := s.complete(ctx); err != nil {
		return "", err
	}
	if id, ok := owners[r]; ok {
		return id, nil
	}
	return "", fmt.Errorf("%w: no paper with %s %s", index.ErrNotFound, r.Scheme, quoteID(r.Value))
}

// ownersOf finds which papers hold each of refs, in one request. When two
// papers hold one (which check reports) the first by id wins, as in a
// directory index.
func ownersOf(ctx context.Context, c *wv.Client, class string, cl wv.ConsistencyLevel, refs []index.Ref) (map[index.Ref]string, error) {
	out := map[index.Ref]string{}
	if len(refs) == 0 {
		return out, nil
	}
	values := map[string][]string{}
	want := map[index.Ref]bool{}
	for _, r := range refs {
		if !want[r] {
			values[r.Scheme] = append(values[r.Scheme], r.Value)
			want[r] = true
		}
	}
	var ors []*wv.Where
	for _, kind := range []string{index.SchemeDOI, index.SchemeArXiv, index.SchemePMID} {
		if vs := values[kind]; len(vs) > 0 {
			ors = append(ors, wv.TextAny(refProp[kind], vs...))
		}
	}
	// Every paper holds at most three ids, so 3·len(refs) hits hold every
	// owner when no id is shared; more only when check would complain.
	res, err := c.Search(ctx, wv.Search{Class: class, Where: wv.Or(ors...), Limit: 3*len(refs) + 10,
		Properties: []string{propID, propDOI, propArXiv, propPMID}, Consistency: cl})
	if err != nil {
		return nil, wrap("look up external ids", err)
	}
	var hits []storedPaper
	for _, h := range res[0] {
		p, err := decodeHit(h)
		if err != nil {
			return nil, err
		}
		hits = append(hits, p)
	}
	slices.SortFunc(hits, func(a, b storedPaper) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	for _, p := range hits {
		for kind, v := range map[string]string{index.SchemeDOI: p.DOI, index.SchemeArXiv: p.ArXiv, index.SchemePMID: p.PMID} {
			r := index.Ref{Scheme: kind, Value: v}
			if _, seen := out[r]; v != "" && want[r] && !seen {
				out[r] = p.ID
			}
		}
	}
	return out, nil
}

// Vector implements index.Store.
func (s *Store) Vector(ctx context.Context, id string) ([]float32, error) {
	o, err := s.object(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if len(o.Vector) == 0 {
		return nil, nil
	}
	return o.Vector, nil
}

// quoteID quotes an id for a message, cut short if it is absurdly long.
func quoteID(id string) string {
	const maxShown = 100
	if len(id) <= maxShown {
		return fmt.Sprintf("%q", id)
	}
	return fmt.Sprintf("%q… (%d bytes)", id[:maxShown], len(id))
}

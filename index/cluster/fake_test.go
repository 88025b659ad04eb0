package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/embed"
	_ "github.com/paperseek/paperseek/embed/local"
	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

// samplePapers reads the repository's 60-paper sample.
func samplePapers(t *testing.T) []index.Paper {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/papers.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var ps []index.Paper
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var p index.Paper
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

func fakeLocation(srv *weaviatetest.Server, class string) string {
	return "weaviate://" + strings.TrimPrefix(srv.URL, "http://") + "/" + class
}

// indexPapers runs one index run of ps on location.
func indexPapers(t *testing.T, location string, opts index.WriteOptions, ps []index.Paper) (added, replaced int) {
	t.Helper()
	ctx := context.Background()
	w, err := BeginWrite(ctx, location, opts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	added, replaced, err = w.Add(ctx, slices.Clone(ps))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return added, replaced
}

func TestParseLocation(t *testing.T) {
	good, err := ParseLocation("weaviate://127.0.0.1:8081/Papers")
	if err != nil || good.URL != "http://127.0.0.1:8081" || good.Class != "Papers" || good.Meta() != "Papers_paperseek" {
		t.Errorf("ParseLocation = %+v, %v", good, err)
	}
	for _, bad := range []string{"weaviate://127.0.0.1:8081", "weaviate:///Papers", "weaviate://h:1/papers",
		"weaviate://h:1/A/B", "weaviate://u:p@h:1/Papers", "weaviate://h:1/Papers?x=1", "weaviate://h:1/Papers_paperseek"} {
		if _, err := ParseLocation(bad); !errors.Is(err, index.ErrUsage) || !strings.Contains(err.Error(), "weaviate://HOST:PORT/COLLECTION") {
			t.Errorf("ParseLocation(%q) = %v, want a usage error showing the syntax", bad, err)
		}
	}
}

func TestNewLayout(t *testing.T) {
	for _, c := range []struct {
		shards, replicas, nodes int
		wantS, wantR            int
		refused                 bool
	}{
		{0, 0, 3, 3, 3, false}, // default: survives one lost node of three
		{0, 0, 1, 1, 1, false},
		{0, 0, 5, 5, 3, false},
		{6, 2, 3, 6, 2, false},
		{0, 1, 3, 0, 0, true}, // one node down would silently drop its shards
		{0, 4, 3, 0, 0, true}, // more replicas than nodes
		{-1, 0, 3, 0, 0, true},
	} {
		s, r, err := newLayout(index.WriteOptions{Shards: c.shards, Replicas: c.replicas}, c.nodes)
		if c.refused != (err != nil) || s != c.wantS || r != c.wantR || (err != nil && !errors.Is(err, index.ErrUsage)) {
			t.Errorf("newLayout(%d shards, %d replicas, %d nodes) = %d, %d, %v", c.shards, c.replicas, c.nodes, s, r, err)
		}
	}
}

// A shard with every replica down drops out of Weaviate's answers without
// an error; the store must turn that into index.ErrUnavailable on every
// read, never a shorter list.
func TestLostShardIsAnErrorNotAShorterList(t *testing.T) {
	ctx := context.Background()
	srv := weaviatetest.NewServer(t)
	srv.Nodes = 3
	loc := fakeLocation(srv, "Papers")
	ps := samplePapers(t)
	indexPapers(t, loc, index.WriteOptions{Shards: 3, Replicas: 2}, ps)
	st, err := Open(ctx, loc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := index.KeywordQuery{Text: "language model inference"}
	full, err := st.Keyword(ctx, q, index.Filter{}, 100)
	if err != nil || len(full) == 0 {
		t.Fatalf("Keyword = %d hits, %v", len(full), err)
	}
	vec, err := st.Vector(ctx, ps[0].ID)
	if err != nil {
		t.Fatal(err)
	}

	srv.Kill(1)
	srv.Kill(2)
	// What Weaviate itself answers now: a shorter list and no error.
	raw, _ := wv.New(wv.Config{URL: srv.URL})
	res, err := raw.Search(ctx, wv.Search{Class: "Papers", BM25: &wv.BM25{Query: "languag model infer"}, Limit: 100, Consistency: wv.One})
	if err != nil || len(res[0]) >= len(full) {
		t.Fatalf("the fake no longer drops lost shards silently (%d hits, %v): this test proves nothing", len(res[0]), err)
	}
	checks := map[string]func() error{
		"Keyword": func() error { _, err := st.Keyword(ctx, q, index.Filter{}, 100); return err },
		"Nearest": func() error { _, err := st.Nearest(ctx, vec, index.Filter{}, 10); return err },
		"Hybrid": func() error {
			_, err := st.Hybrid(ctx, index.HybridQuery{Text: q.Text, Vector: vec, KeywordWeight: 0.5}, index.Filter{}, 10)
			return err
		},
		"TermStats": func() error { _, err := st.TermStats(ctx, []string{"model"}); return err },
		"Stats":     func() error { _, err := st.Stats(ctx); return err },
		"Papers":    func() error { _, err := st.Papers(ctx, []string{ps[0].ID, ps[1].ID, ps[2].ID, ps[3].ID}); return err },
		"Resolve":   func() error { _, err := st.Resolve(ctx, "doi:10.1/absent"); return err },
		"Check":     func() error { _, err := Check(ctx, loc, Options{}); return err },
	}
	for name, f := range checks {
		if err := f(); !errors.Is(err, index.ErrUnavailable) {
			t.Errorf("%s with a shard lost: %v, want index.ErrUnavailable", name, err)
		}
	}
	srv.Restart(1)
	srv.Restart(2)
	again, err := st.Keyword(ctx, q, index.Filter{}, 100)
	if err != nil || !slices.Equal(again, full) {
		t.Errorf("after restart: %d hits, %v; want the %d of before", len(again), err, len(full))
		for i := range min(len(again), len(full)) {
			if again[i] != full[i] {
				t.Errorf("hit %d: %+v, before %+v", i, again[i], full[i])
			}
		}
	}
}

// Replacing by id or by a shared external id, and deleting by either,
// behave as in a directory index; a repeated run never duplicates.
func TestWritesAreIdempotentAndRecogniseExternalIDs(t *testing.T) {
	ctx := context.Background()
	srv := weaviatetest.NewServer(t)
	loc := fakeLocation(srv, "Ext")
	a := index.Paper{ID: "a", Title: "Graph neural networks for proteins", Abstract: "We fold proteins with graphs.", DOI: "10.1/A", Year: 2020}
	b := index.Paper{ID: "b", Title: "Quantum spin chains", Abstract: "Spins in a chain.", ArXiv: "2101.00001v2"}
	c := index.Paper{ID: "c", Title: "Cancer cell imaging", Abstract: "Imaging cells."}
	if added, replaced := indexPapers(t, loc, index.WriteOptions{}, []index.Paper{a, b, c}); added != 3 || replaced != 0 {
		t.Fatalf("first run: %d added, %d replaced", added, replaced)
	}
	// The same DOI under another id replaces a, merged, under a's id.
	a2 := index.Paper{ID: "pmid:9", Abstract: "A better abstract about proteins.", DOI: "https://doi.org/10.1/a", PMID: "9"}
	if added, replaced := indexPapers(t, loc, index.WriteOptions{}, []index.Paper{a2, c}); added != 0 || replaced != 2 {
		t.Fatalf("second run: %d added, %d replaced; want 0, 2", added, replaced)
	}
	st, err := Open(ctx, loc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Info().Papers != 3 || st.Info().Generation != 2 {
		t.Errorf("info %+v, want 3 papers at generation 2", st.Info())
	}
	got, err := st.Paper(ctx, "a")
	if err != nil || got.Title != a.Title || got.Abstract != a2.Abstract || got.PMID != "9" || got.Year != 2020 {
		t.Errorf("merged paper %+v, %v", got, err)
	}
	for ref, want := range map[string]string{"doi:10.1/a": "a", "pmid:9": "a", "arxiv:2101.00001": "b", "c": "c"} {
		if id, err := st.Resolve(ctx, ref); err != nil || id != want {
			t.Errorf("Resolve(%s) = %q, %v; want %s", ref, id, err, want)
		}
	}
	if _, err := st.Resolve(ctx, "nope"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("Resolve(nope): %v", err)
	}
	if _, err := st.Paper(ctx, "nope"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("Paper(nope): %v", err)
	}

	w, err := BeginWrite(ctx, loc, index.WriteOptions{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, unknown, err := w.Delete(ctx, []string{"arxiv:2101.00001", "c", "zzz", "c"})
	// The second "c" names a paper already deleted, as in a directory index.
	if err != nil || n != 2 || !slices.Equal(unknown, []string{"zzz", "c"}) {
		t.Errorf("Delete = %d, %v, %v; want 2 deleted, zzz and the repeated c unknown", n, unknown, err)
	}
	if _, err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	st, err = Open(ctx, loc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Info().Papers != 1 {
		t.Errorf("%d papers after deleting two of three", st.Info().Papers)
	}
	if _, err := st.Paper(ctx, "b"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("deleted paper b: %v", err)
	}
	r, err := Check(ctx, loc, Options{})
	if err != nil || !r.OK {
		t.Errorf("check after deletes: %+v, %v", r, err)
	}
	// The layout is fixed at creation.
	if _, err := BeginWrite(ctx, loc, index.WriteOptions{Shards: 7}, Options{}); !errors.Is(err, index.ErrUsage) {
		t.Errorf("--shards 7 on an existing one-shard collection: %v, want a usage error", err)
	}
}

func mustState(t *testing.T, st index.Store) embed.State {
	t.Helper()
	s, err := st.EmbedderState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func embedQuery(t *testing.T, st embed.State, q string) []float32 {
	t.Helper()
	e, err := embed.ForQueries(st, "")
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.EmbedQuery(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A server that would create the collection with BlockMax WAND (whose
// bm25 misses recent papers in v1.35) is refused at creation, saying how
// to start it instead.
func TestBlockMaxWANDRefused(t *testing.T) {
	srv := weaviatetest.NewServer(t)
	srv.BlockMaxWAND = true
	ctx := context.Background()
	loc := fakeLocation(srv, "Bmw")
	w, err := BeginWrite(ctx, loc, index.WriteOptions{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Add(ctx, samplePapers(t)[:3]); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx); !errors.Is(err, index.ErrUsage) || !strings.Contains(err.Error(), "USE_INVERTED_SEARCHABLE=false") {
		t.Errorf("Commit on a BlockMax WAND server: %v", err)
	}
	if _, err := Open(ctx, loc, Options{}); !errors.Is(err, index.ErrNoIndex) {
		t.Errorf("Open after the refused run: %v, want ErrNoIndex (nothing left behind)", err)
	}
}

package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/query"
)

func newPaper(i int) index.Paper {
	return index.Paper{
		ID:       fmt.Sprintf("added/%d", i),
		Title:    fmt.Sprintf("Narwhal Tusk Sensing, Part %d", i),
		Abstract: "The narwhal tusk is a sensory organ: its tubules let seawater reach nerve endings, so the whale can feel salinity changes.",
		Year:     2025,
	}
}

func TestOpenReloaderWithoutIndex(t *testing.T) {
	_, err := OpenReloader(context.Background(), t.TempDir(), nil, query.Options{})
	if !errors.Is(err, index.ErrNoIndex) {
		t.Fatalf("err = %v, want ErrNoIndex", err)
	}
}

// A new generation is picked up; requests that started on the old one
// finish on it; the old one is closed when its last user releases it.
func TestReloaderSwitchesGenerations(t *testing.T) {
	dir := privateIndex(t)
	r, err := OpenReloader(context.Background(), dir, nil, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()

	old, releaseOld, err := r.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Check(ctx); changed || err != nil {
		t.Fatalf("Check with no new generation = %v, %v", changed, err)
	}

	if err := buildIndex(ctx, dir, []index.Paper{newPaper(1)}); err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Check(ctx); !changed || err != nil {
		t.Fatalf("Check after a commit = %v, %v; want a switch", changed, err)
	}
	if r.Generation() != 2 {
		t.Errorf("serving generation %d, want 2", r.Generation())
	}

	cur, releaseCur, err := r.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer releaseCur()
	if _, err := cur.Store().Paper(context.Background(), "added/1"); err != nil {
		t.Errorf("new generation lacks the new paper: %v", err)
	}

	// The old engine still answers, from its own generation.
	if _, err := old.Store().Paper(context.Background(), "added/1"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("old generation sees the new paper (err %v)", err)
	}
	if resp, err := old.Search(ctx, query.Request{Query: "graph kernels"}); err != nil || len(resp.Results) == 0 {
		t.Fatalf("search on the old generation while in use: %v", err)
	}

	releaseOld()
	releaseOld() // a second call is harmless
	if _, err := old.Search(ctx, query.Request{Query: "graph kernels"}); err == nil {
		t.Error("the old generation is still open after its last user released it")
	}
	if resp, err := cur.Search(ctx, query.Request{Query: "narwhal tusk"}); err != nil || len(resp.Results) == 0 || resp.Results[0].ID != "added/1" {
		t.Errorf("current generation: %v %v", resp, err)
	}
}

// While papers are added again and again, concurrent searches never fail
// and never see a half-written index.
func TestReloaderUnderConcurrentSearches(t *testing.T) {
	dir := privateIndex(t)
	r, err := OpenReloader(context.Background(), dir, nil, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var searches atomic.Int64
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				e, release, err := r.Acquire()
				if err != nil {
					errs <- err
					return
				}
				resp, err := e.Search(ctx, query.Request{Query: "kv cache compression", K: 5})
				if err == nil {
					// Hydrating each result reads stored fields: a torn
					// generation would fail here.
					for _, res := range resp.Results {
						if _, err = e.Store().Paper(context.Background(), res.ID); err != nil {
							break
						}
					}
				}
				release()
				if err != nil && ctx.Err() == nil {
					errs <- err
					return
				}
				searches.Add(1)
			}
		}()
	}
	const rounds = 4
	for i := 1; i <= rounds; i++ {
		if err := buildIndex(ctx, dir, []index.Paper{newPaper(i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Check(ctx); err != nil {
			t.Fatal(err)
		}
		e, release, _ := r.Acquire()
		st, err := e.Store().Stats(context.Background())
		release()
		if err != nil || st.Papers != 13+i || st.Vectors != st.Papers || int(st.KeywordDocs) != st.Papers {
			t.Fatalf("after round %d: %+v %v", i, st, err)
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("search during reloads: %v", err)
	}
	if r.Generation() != 1+rounds {
		t.Errorf("generation %d, want %d", r.Generation(), 1+rounds)
	}
	t.Logf("%d searches across %d reloads", searches.Load(), rounds)
}

// A manifest naming a generation that cannot be opened leaves the server
// on the generation it has; fixing the manifest lets the next check move.
func TestReloaderKeepsServingWhenNewGenerationIsUnreadable(t *testing.T) {
	dir := privateIndex(t)
	r, err := OpenReloader(context.Background(), dir, nil, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()

	path := filepath.Join(dir, "manifest.json")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(good, &m); err != nil {
		t.Fatal(err)
	}
	m["generation"] = 99
	bad, _ := json.Marshal(m)
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Check(ctx); changed || err == nil {
		t.Fatalf("Check on a manifest naming a missing generation = %v, %v; want an error", changed, err)
	}
	e, release, err := r.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.Search(ctx, query.Request{Query: "protein structure"})
	release()
	if err != nil || len(resp.Results) == 0 || r.Generation() != 1 {
		t.Fatalf("still serving generation 1? gen %d, %v", r.Generation(), err)
	}

	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := buildIndex(ctx, dir, []index.Paper{newPaper(1)}); err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Check(ctx); !changed || err != nil {
		t.Fatalf("Check after the repair = %v, %v", changed, err)
	}
}

func TestReloaderClosed(t *testing.T) {
	r, err := OpenReloader(context.Background(), privateIndex(t), nil, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, release, err := r.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, _, err := r.Acquire(); !errors.Is(err, ErrClosed) {
		t.Errorf("Acquire after Close: %v", err)
	}
	// A request still running when the server closes finishes normally.
	if _, err := e.Search(context.Background(), query.Request{Query: "graph"}); err != nil {
		t.Errorf("in-flight search after Close: %v", err)
	}
	release()
	if _, err := e.Search(context.Background(), query.Request{Query: "graph"}); err == nil {
		t.Error("index still open after Close and the last release")
	}
}

// A request slow enough to span two index runs holds a generation whose
// directory the second run deletes; open files keep it readable to the end.
func TestHeldGenerationOutlivesItsDirectory(t *testing.T) {
	dir := privateIndex(t)
	r, err := OpenReloader(context.Background(), dir, nil, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	held, release, err := r.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for i := 1; i <= 2; i++ {
		if err := buildIndex(ctx, dir, []index.Paper{newPaper(i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "gen-000001")); !os.IsNotExist(err) {
		t.Fatalf("generation 1 should have been removed by the third run (stat: %v)", err)
	}
	resp, err := held.Search(ctx, query.Request{Query: "speculative decoding draft model"})
	if err != nil || len(resp.Results) == 0 || resp.Results[0].Title == "" {
		t.Fatalf("search on the removed generation: %+v %v", resp, err)
	}
	if p, err := held.Store().Paper(context.Background(), slashID); err != nil || p.Title == "" {
		t.Fatalf("paper from the removed generation: %+v %v", p, err)
	}
}

package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/local/vectors"
)

// corpus returns n small papers with distinct vocabulary, enough for the
// local embedder to train on.
func corpus(n int, prefix string) []index.Paper {
	topics := []string{
		"speculative decoding accelerates language model inference with a draft model",
		"kv cache compression reduces memory for long context transformers",
		"retrieval augmented generation grounds answers in retrieved documents",
		"graph neural networks learn node embeddings by message passing",
		"protein folding prediction with deep attention networks",
		"diffusion models generate images by iterative denoising",
	}
	out := make([]index.Paper, n)
	for i := range out {
		t := topics[i%len(topics)]
		out[i] = index.Paper{
			ID:         fmt.Sprintf("%s%03d", prefix, i),
			Title:      fmt.Sprintf("Paper %d on %s", i, t[:20]),
			Abstract:   fmt.Sprintf("We study %s. Variant %d of the method improves results.", t, i),
			Authors:    []string{fmt.Sprintf("Author %d", i%5), "Common Coauthor"},
			Year:       2020 + i%5,
			Categories: []string{[]string{"cs.CL", "cs.LG", "q-bio.BM"}[i%3]},
		}
	}
	return out
}

// build runs one index run over papers into dir and returns its manifest.
func build(t *testing.T, dir string, opts index.WriteOptions, papers ...[]index.Paper) *Manifest {
	t.Helper()
	ctx := context.Background()
	w, err := BeginWrite(ctx, dir, opts)
	if err != nil {
		t.Fatalf("BeginWrite: %v", err)
	}
	defer w.Abort()
	for _, ps := range papers {
		if _, _, err := w.Add(context.Background(), ps); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	if _, err := w.commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func open(t *testing.T, dir string) *Store {
	t.Helper()
	ix, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestCommitThenOpen(t *testing.T) {
	dir := t.TempDir()
	papers := corpus(30, "p")
	m := build(t, dir, index.WriteOptions{}, papers)
	if m.Papers != 30 || m.Generation != 1 || m.Embedder.Name != "local" {
		t.Fatalf("manifest = %+v, want 30 papers, generation 1, local embedder", m)
	}
	ix := open(t, dir)
	st, err := ix.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Papers != 30 || st.KeywordDocs != 30 || st.Vectors != 30 {
		t.Errorf("stats = %+v, want 30 papers in both legs", st)
	}
	got, err := ix.Paper(context.Background(), "p007")
	if err != nil {
		t.Fatal(err)
	}
	want := papers[7]
	if got.Title != want.Title || got.Abstract != want.Abstract || got.Year != want.Year ||
		fmt.Sprint(got.Authors) != fmt.Sprint(want.Authors) || fmt.Sprint(got.Categories) != fmt.Sprint(want.Categories) {
		t.Errorf("Paper(p007) = %+v, want %+v", got, want)
	}
	if _, err := ix.Paper(context.Background(), "nope"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("Paper(nope) error = %v, want index.ErrNotFound", err)
	}
}

func TestReplaceByID(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(30, "p"))
	w, err := BeginWrite(context.Background(), dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	changed := corpus(30, "p")[:2]
	changed[0].Title = "A replaced title about speculative decoding"
	fresh := corpus(3, "new")
	added, replaced, err := w.Add(context.Background(), append(changed, fresh...))
	if err != nil {
		t.Fatal(err)
	}
	// The same id twice in one run replaces the first copy.
	dup := changed[1]
	dup.Title = "Second copy in the same run"
	a2, r2, err := w.Add(context.Background(), []index.Paper{dup})
	if err != nil {
		t.Fatal(err)
	}
	m, err := w.Commit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if added != 3 || replaced != 2 || a2 != 0 || r2 != 1 {
		t.Errorf("added/replaced = %d/%d then %d/%d, want 3/2 then 0/1", added, replaced, a2, r2)
	}
	if m.Papers != 33 {
		t.Errorf("papers = %d, want 33", m.Papers)
	}
	ix := open(t, dir)
	for id, title := range map[string]string{"p000": changed[0].Title, "p001": dup.Title} {
		p, err := ix.Paper(context.Background(), id)
		if err != nil || p.Title != title {
			t.Errorf("Paper(%s) = %q, %v; want title %q", id, p.Title, err, title)
		}
	}
	if n := vecsOf(t, ix).Count(); n != 33 {
		t.Errorf("vectors = %d, want 33", n)
	}
}

func TestAbortLeavesPreviousGeneration(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(30, "p"))
	before, _ := os.ReadFile(filepath.Join(dir, manifestName))

	w, err := BeginWrite(context.Background(), dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Add(context.Background(), corpus(5, "x")); err != nil {
		t.Fatal(err)
	}
	w.Abort()

	after, _ := os.ReadFile(filepath.Join(dir, manifestName))
	if string(before) != string(after) {
		t.Error("an aborted run changed the manifest")
	}
	if _, err := os.Stat(filepath.Join(dir, genDirName(2))); !os.IsNotExist(err) {
		t.Errorf("aborted generation directory still exists (stat err %v)", err)
	}
	ix := open(t, dir)
	if _, err := ix.Paper(context.Background(), "x000"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("paper from the aborted run is visible: %v", err)
	}
	if n := vecsOf(t, ix).Count(); n != 30 {
		t.Errorf("vectors = %d, want 30", n)
	}
}

// A committed run must not disturb the generation a reader has open: the
// keyword index of the new generation shares segment files with the old one
// by hard links, so this proves the old copy really is left alone.
func TestOpenReaderUnaffectedByLaterRun(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(30, "p"))
	old := open(t, dir)

	changed := corpus(1, "p")
	changed[0].Title = "Rewritten in generation two"
	build(t, dir, index.WriteOptions{}, changed, corpus(4, "n"))

	if p, err := old.Paper(context.Background(), "p000"); err != nil || p.Title != corpus(1, "p")[0].Title {
		t.Errorf("old reader sees %q, %v; want the generation-1 title", p.Title, err)
	}
	if n, _ := old.kw.DocCount(); n != 30 {
		t.Errorf("old reader counts %d papers, want 30", n)
	}
	cur := open(t, dir)
	if cur.Manifest().Generation != 2 || cur.Manifest().Papers != 34 {
		t.Errorf("new reader: generation %d with %d papers, want 2 with 34", cur.Manifest().Generation, cur.Manifest().Papers)
	}
}

func TestSecondWriterFailsFast(t *testing.T) {
	dir := t.TempDir()
	w, err := BeginWrite(context.Background(), dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	done := make(chan error, 1)
	go func() {
		w2, err := BeginWrite(context.Background(), dir, index.WriteOptions{})
		if err == nil {
			w2.Abort()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, index.ErrLocked) {
			t.Fatalf("second writer: %v, want index.ErrLocked", err)
		}
	case <-time.After(20 * time.Second): // a hang, not a timing assertion
		t.Fatal("second writer blocked instead of failing")
	}
	w.Abort()
	// Once released, the lock can be taken again.
	w3, err := BeginWrite(context.Background(), dir, index.WriteOptions{})
	if err != nil {
		t.Fatalf("writer after release: %v", err)
	}
	w3.Abort()
}

func TestEmbedderMismatchRefused(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(30, "p"))
	_, err := BeginWrite(context.Background(), dir, index.WriteOptions{Embedder: embed.Spec{Name: "openai"}})
	if !errors.Is(err, embed.ErrMismatch) {
		t.Fatalf("err = %v, want embed.ErrMismatch", err)
	}
	// The refused run must not have left the index locked.
	build(t, dir, index.WriteOptions{}, corpus(2, "q"))
}

func TestOpenMissingIndex(t *testing.T) {
	_, err := Open(context.Background(), t.TempDir())
	if !errors.Is(err, index.ErrNoIndex) {
		t.Fatalf("err = %v, want index.ErrNoIndex", err)
	}
}

func TestRetrainReembedsEverything(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(30, "p"))
	before := open(t, dir)
	v1, _ := vecsOf(t, before).Vector("p000")

	// Without --retrain, new papers are embedded with the stored model, so
	// old vectors do not move.
	build(t, dir, index.WriteOptions{}, corpus(6, "n"))
	mid := open(t, dir)
	v2, _ := vecsOf(t, mid).Vector("p000")
	if fmt.Sprint(v1) != fmt.Sprint(v2) {
		t.Error("adding papers without --retrain changed an existing vector")
	}
	m := build(t, dir, index.WriteOptions{Retrain: true})
	if m.Papers != 36 {
		t.Fatalf("papers after retrain = %d, want 36", m.Papers)
	}
	after := open(t, dir)
	if vecsOf(t, after).Count() != 36 {
		t.Errorf("vectors after retrain = %d, want 36", vecsOf(t, after).Count())
	}
}

func TestRebuildStartsEmpty(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(30, "p"))
	m := build(t, dir, index.WriteOptions{Rebuild: true}, corpus(12, "r"))
	if m.Papers != 12 {
		t.Fatalf("papers after rebuild = %d, want 12", m.Papers)
	}
	ix := open(t, dir)
	if _, err := ix.Paper(context.Background(), "p000"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("paper from before the rebuild still present: %v", err)
	}
}

func TestStaleGenerationsRemoved(t *testing.T) {
	dir := t.TempDir()
	for i := range 4 {
		build(t, dir, index.WriteOptions{}, corpus(30+i, "p"))
	}
	// A crashed run's leftover directory is also collected.
	if err := os.MkdirAll(filepath.Join(dir, genDirName(9)), 0o755); err != nil {
		t.Fatal(err)
	}
	build(t, dir, index.WriteOptions{}, corpus(1, "z"))
	entries, _ := os.ReadDir(dir)
	var gens []string
	for _, e := range entries {
		if e.IsDir() && len(e.Name()) > 4 && e.Name()[:4] == "gen-" {
			gens = append(gens, e.Name())
		}
	}
	want := fmt.Sprint([]string{genDirName(4), genDirName(5)})
	if fmt.Sprint(gens) != want {
		t.Errorf("generations on disk = %v, want %s (current and previous)", gens, want)
	}
}

// vecsOf is the store's vector store, loaded.
func vecsOf(t *testing.T, s *Store) *vectors.Set {
	t.Helper()
	v, err := s.loadVectors()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A writer used after Abort or Commit says so; it panicked on its closed
// Bleve index.
func TestWriterFinished(t *testing.T) {
	ctx := context.Background()
	for _, finish := range []string{"abort", "commit"} {
		w, err := BeginWrite(ctx, t.TempDir(), index.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if finish == "abort" {
			w.Abort()
		} else {
			if _, _, err := w.Add(ctx, corpus(50, "p")); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := w.Add(ctx, corpus(1, "x")); !errors.Is(err, errWriterFinished) {
			t.Errorf("Add after %s: %v", finish, err)
		}
		if _, _, err := w.Delete(ctx, []string{"x1"}); !errors.Is(err, errWriterFinished) {
			t.Errorf("Delete after %s: %v", finish, err)
		}
		if _, err := w.Commit(ctx); !errors.Is(err, errWriterFinished) {
			t.Errorf("Commit after %s: %v", finish, err)
		}
	}
}

package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

func TestSpoolKeepsTheLatestRecord(t *testing.T) {
	s, err := createSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.remove()
	long := strings.Repeat("déjà vu ", 2000) // longer than one read
	papers := []index.Paper{
		{ID: "a", Title: "First", Abstract: "old text", Year: 2001, Categories: []string{"cs.CL"}},
		{ID: "b", Title: "Long", Abstract: long, Published: "2020-02-03", Authors: []string{"Ada Lovelace", "Alan Turing"}},
		{ID: "a", Title: "First, revised", Abstract: "new text", Year: -5, Categories: []string{"cs.LG", "stat.ML"}, Authors: []string{""}},
		{ID: "c"},
	}
	// Terms: unknown, known and empty, and more distinct ones than a
	// byte numbers, repeated.
	var many []string
	for i := range 700 {
		many = append(many, fmt.Sprintf("w%d", i%300))
	}
	terms := [][]string{{"old", "text"}, nil, {}, many}
	for i := range papers {
		if err := s.put(&papers[i], i-1, terms[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.get("a"); err == nil {
		t.Error("get before flush succeeded; it must refuse to read records still buffered")
	}
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	for i, want := range papers[1:] {
		got, err := s.get(want.ID)
		if err != nil {
			t.Fatalf("get(%q): %v", want.ID, err)
		}
		if got.Text != want.Text() || got.Year != want.Year || got.Published != want.Published ||
			!slices.Equal(got.Categories, want.Categories) || !slices.Equal(got.Authors, want.Authors) {
			t.Errorf("get(%q) = %+v, want the fields of %+v", want.ID, got, want)
		}
		if got.Length != i {
			t.Errorf("get(%q).Length = %d, want %d", want.ID, got.Length, i)
		}
		if wt := terms[i+1]; (got.Terms == nil) != (wt == nil) || !slices.Equal(got.Terms, wt) {
			t.Errorf("get(%q).Terms = %q, want %q", want.ID, got.Terms, wt)
		}
	}
	s.forget("c")
	if s.has("c") {
		t.Error("a forgotten (deleted) paper is still in the spool")
	}
	if _, err := s.get("c"); err == nil {
		t.Error("get of a forgotten paper succeeded")
	}
}

// The spool lives only inside the generation being built: a committed
// generation does not hold it, and papers are trained and embedded from it
// with the same metadata Bleve stores (the vector filters agree with the
// keyword ones).
func TestSpoolIsGoneAfterCommit(t *testing.T) {
	dir := t.TempDir()
	papers := corpus(40, "p")
	again := corpus(40, "p")[:5]
	for i := range again {
		again[i].Year = 1999
		again[i].Categories = []string{"math.AG"}
	}
	m := build(t, dir, index.WriteOptions{}, papers, again)
	gen := filepath.Join(dir, genDirName(m.Generation))
	if left, _ := filepath.Glob(filepath.Join(gen, "spool-*")); len(left) > 0 {
		t.Errorf("the committed generation still holds the spool: %v", left)
	}
	st := open(t, dir)
	ctx := context.Background()
	vec, err := st.Vector(ctx, "p001")
	if err != nil || vec == nil {
		t.Fatalf("Vector(p001) = %v, %v", vec, err)
	}
	f := index.Filter{Years: index.YearRange{From: 1999, To: 1999}, Categories: []string{"math.AG"}}
	hits, err := st.Nearest(ctx, vec, f, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 5 {
		t.Errorf("semantic search filtered to the 5 replaced papers' new year and category found %d, want 5 (replaced papers embedded with their latest record)", len(hits))
	}
}

func TestAbortRemovesTheSpool(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	w, err := BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Add(ctx, corpus(10, "p")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(w.genDir, spoolName(0))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no spool while the run is open: %v", err)
	}
	w.Abort()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the spool outlived Abort (stat: %v)", err)
	}
}

// The BM25 length spooled for each paper is Bleve's own count of the
// ranking field's tokens, and it equals what analysing the text again
// (as embedding did before) gives.
func TestSpoolLengthIsTheAnalysedLength(t *testing.T) {
	ctx := context.Background()
	w, err := BeginWrite(ctx, t.TempDir(), index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	papers := corpus(30, "p")
	papers[3].Abstract = "Déjà vu: naïve Bayes, p-values and 3.5% of the C++ code. " + papers[3].Abstract
	papers[4].Title, papers[4].Abstract = "", ""
	if _, _, err := w.Add(ctx, papers); err != nil {
		t.Fatal(err)
	}
	if err := w.settle(); err != nil { // the last batch reaches the spool
		t.Fatal(err)
	}
	if err := w.spool.flush(); err != nil {
		t.Fatal(err)
	}
	for _, p := range papers {
		sp, err := w.spool.get(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := len(index.Analyzer().Analyze([]byte(p.Text()))); sp.Length != want {
			t.Errorf("%s: spooled length %d, analysing the text gives %d", p.ID, sp.Length, want)
		}
	}
}

// No file of the spool grows past its chunk limit (the first ones are
// small), and records are read back from whichever file holds them.
func TestSpoolFilesStaySmall(t *testing.T) {
	dir := t.TempDir()
	s, err := createSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.remove()
	var papers []index.Paper
	for i := range 400 {
		papers = append(papers, index.Paper{ID: fmt.Sprintf("p%03d", i), Title: fmt.Sprint(i), Abstract: strings.Repeat("x", 3000+i)})
	}
	for i := range papers {
		if err := s.put(&papers[i], i, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	if len(s.files) < 3 {
		t.Errorf("1.2 MB spooled into %d files, want several", len(s.files))
	}
	for i := range s.files {
		fi, err := os.Stat(filepath.Join(dir, spoolName(i)))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > chunkLimit(i) {
			t.Errorf("spool file %d holds %d bytes, over its limit %d", i, fi.Size(), chunkLimit(i))
		}
	}
	for i, p := range papers {
		got, err := s.get(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != p.Text() || got.Length != i {
			t.Fatalf("%s read back wrong (%d bytes, length %d)", p.ID, len(got.Text), got.Length)
		}
	}
}

// TestSpoolRecordCutShortIsAnError: a record cut anywhere (a torn spool
// file) decodes to errShortRecord, never to a panic or a shorter paper.
func TestSpoolRecordCutShortIsAnError(t *testing.T) {
	var sc termScratch
	var rec []byte
	rec = appendString(rec, "Title\nAn abstract about models")
	rec = appendStrings(rec, []string{"cs.CL", "cs.LG"})
	rec = sc.appendTerms(rec, []string{"titl", "abstract", "model", "abstract"})
	decode := func(b []byte) (string, []string, []string, error) {
		d := decoder{b: b}
		text, cats, terms := d.string(), d.strings(), d.terms()
		return text, cats, terms, d.err
	}
	text, cats, terms, err := decode(rec)
	if err != nil || text != "Title\nAn abstract about models" || len(cats) != 2 || !slices.Equal(terms, []string{"titl", "abstract", "model", "abstract"}) {
		t.Fatalf("whole record: %q %v %v, %v", text, cats, terms, err)
	}
	for n := range len(rec) {
		if _, _, _, err := decode(rec[:n]); !errors.Is(err, errShortRecord) {
			t.Errorf("record cut to %d of %d bytes: error %v, want %v", n, len(rec), err, errShortRecord)
		}
	}
}

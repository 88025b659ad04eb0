package local

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/paperseek/paperseek/index"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// segments counts the segments of the keyword index of generation gen as
// a reader sees them (its latest snapshot; files an older snapshot still
// names may linger on disk until Bleve's cleanup gets to them).
func segments(t *testing.T, dir string, gen int) int {
	t.Helper()
	kw, err := openKeyword(filepath.Join(dir, genDirName(gen), keywordDirName), keywordRead)
	if err != nil {
		t.Fatal(err)
	}
	defer kw.Close()
	adv, err := kw.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		t.Fatalf("keyword index is a %T, not scorch", adv)
	}
	n, ok := sc.StatsMap()["num_root_filesegments"].(uint64)
	if !ok {
		t.Fatalf("scorch stats lack num_root_filesegments: %v", sc.StatsMap())
	}
	return int(n)
}

func TestBuildLeavesFewKeywordSegments(t *testing.T) {
	dir := t.TempDir()
	papers := corpus(400, "p")
	var batches [][]index.Paper
	for i := 0; i < len(papers); i += 10 { // one Bleve segment per batch
		batches = append(batches, papers[i:i+10])
	}
	var phases []string
	record := func(name string, _, _ int) {
		if len(phases) == 0 || phases[len(phases)-1] != name {
			phases = append(phases, name)
		}
	}
	build(t, dir, index.WriteOptions{Progress: record}, batches...)
	if !slices.Contains(phases, "merging") {
		t.Errorf("a fresh build reported phases %v, want a merging phase", phases)
	}
	if n := segments(t, dir, 1); n > 2 {
		t.Errorf("a fresh index of 40 batches is left in %d keyword segments, want at most 2 (merged)", n)
	}
	st := open(t, dir)
	hits, err := st.Keyword(context.Background(), index.KeywordQuery{Text: "protein folding"}, index.Filter{}, 400)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 400/6+1 && len(hits) != 400/6 {
		t.Errorf("protein folding matches %d papers after the merge, want every sixth of 400", len(hits))
	}

	// An update keeps a working index (merged or not: Bleve's own tiered
	// merging looks after small ones).
	phases = nil
	build(t, dir, index.WriteOptions{Progress: record}, corpus(5, "q"))
	if got := open(t, dir).Info().Papers; got != 405 {
		t.Errorf("%d papers after the update, want 405", got)
	}
	if slices.Contains(phases, "merging") {
		t.Errorf("an update of 5 papers in 405 reported phases %v: it must leave merging to Bleve", phases)
	}
}

// TestCommitOpeningMergesNothing: the keyword index a commit reopens must
// not merge in the background. Merging maps the segments it reads, and
// at 1M papers that put 2 GB of the index into the build's memory during
// training, for work the commit's own merge had already done (or, for a
// small update, leaves to the next run). Opened for writing, the same
// index does merge: that is what the test would see without the mode.
func TestCommitOpeningMergesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), keywordDirName)
	kw, err := createKeyword(path)
	if err != nil {
		t.Fatal(err)
	}
	kw.Close()
	// Forty one-paper segments, written with merges off so that all stay.
	kw, err = bleve.OpenUsing(path, map[string]interface{}{"scorchMergePlanOptions": noMerges})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range corpus(40, "p") {
		b := kw.NewBatch()
		if err := b.Index(p.ID, keywordDoc(&p)); err != nil {
			t.Fatal(err)
		}
		if err := kw.Batch(b); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	kw.Close()

	stats := func(kw bleve.Index) map[string]interface{} {
		adv, err := kw.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		return adv.(*scorch.Scorch).StatsMap()
	}
	// waitFor polls scorch's counter key until it is at least 1.
	waitFor := func(kw bleve.Index, key string) bool {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if n, _ := stats(kw)[key].(uint64); n > 0 {
				return true
			}
		}
		return false
	}

	kw, err = openKeyword(path, keywordCommit)
	if err != nil {
		t.Fatal(err)
	}
	if !waitFor(kw, "TotFileMergePlan") {
		t.Fatal("Bleve's merger never planned on the reopened index")
	}
	st := stats(kw)
	if n := st["TotFileMergePlanTasks"].(uint64); n != 0 {
		t.Errorf("opened for the commit, Bleve planned %d merges of 40 segments, want none", n)
	}
	if n := st["num_root_filesegments"].(uint64); n != 40 {
		t.Errorf("opened for the commit, the index has %d segments, want its 40", n)
	}
	kw.Close()

	kw, err = openKeyword(path, keywordWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer kw.Close()
	if !waitFor(kw, "TotFileMergePlanTasks") {
		t.Error("opened for writing, Bleve never merged the 40 segments: the fixture proves nothing")
	}
}

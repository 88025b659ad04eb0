package local

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paperseek/paperseek/index"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// segments counts the segments of the keyword index of generation gen as
// a reader sees them (its latest snapshot; files an older snapshot still
// names may linger on disk until Bleve's cleanup gets to them).
func segments(t *testing.T, dir string, gen int) int {
	t.Helper()
	kw, err := openKeyword(filepath.Join(dir, genDirName(gen), keywordDirName), true)
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

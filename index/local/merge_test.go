package local

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// segments counts the keyword index's segment files in generation gen.
func segments(t *testing.T, dir string, gen int) int {
	t.Helper()
	zaps, err := filepath.Glob(filepath.Join(dir, genDirName(gen), keywordDirName, "store", "*.zap"))
	if err != nil {
		t.Fatal(err)
	}
	return len(zaps)
}

func TestBuildLeavesFewKeywordSegments(t *testing.T) {
	dir := t.TempDir()
	papers := corpus(400, "p")
	var batches [][]index.Paper
	for i := 0; i < len(papers); i += 10 { // one Bleve segment per batch
		batches = append(batches, papers[i:i+10])
	}
	build(t, dir, index.WriteOptions{}, batches...)
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
	build(t, dir, index.WriteOptions{}, corpus(5, "q"))
	if got := open(t, dir).Info().Papers; got != 405 {
		t.Errorf("%d papers after the update, want 405", got)
	}
}

package local

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paperseek/paperseek/index"
)

func TestCheckAndRepair(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(30, "p"))

	r, err := Check(ctx, dir)
	if err != nil || !r.OK || r.Papers != 30 || r.KeywordDocs != 30 || r.Vectors != 30 {
		t.Fatalf("fresh index: %+v, %v", r, err)
	}

	// Damage the current generation behind paperseek's back: drop one
	// vector and add a stray one (a bug or a hand edit could do this).
	path := filepath.Join(dir, genDirName(1), vectorsName)
	v, err := loadVectors(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	stray, _ := v.Get("p001")
	if err := v.Delete(ctx, "p003"); err != nil {
		t.Fatal(err)
	}
	if err := v.Put(ctx, "ghost", stray, PaperMeta{}); err != nil {
		t.Fatal(err)
	}
	if err := v.save(path); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".manifest.json.tmp-123"), []byte("{"), 0o644)

	r, err = Check(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || !slices.Equal(r.MissingVectors, []string{"p003"}) || !slices.Equal(r.OrphanVectors, []string{"ghost"}) {
		t.Fatalf("damaged index: %+v", r)
	}
	if !slices.Contains(r.Leftovers, ".manifest.json.tmp-123") {
		t.Errorf("leftover temp file not reported: %v", r.Leftovers)
	}
	if r.Summary() == "" {
		t.Error("empty summary")
	}

	r, err = Repair(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || !r.Repaired || r.Papers != 30 || r.Vectors != 30 || len(r.Leftovers) != 0 {
		t.Fatalf("after repair: %+v", r)
	}
	ix := open(t, dir)
	if _, ok := vecsOf(t, ix).Get("p003"); !ok {
		t.Error("p003 still has no vector")
	}
	if _, ok := vecsOf(t, ix).Get("ghost"); ok {
		t.Error("the stray vector survived")
	}
}

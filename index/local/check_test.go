package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/local/vectors"
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
	gen := filepath.Join(dir, genDirName(1))
	v, err := openVectors(gen)
	if err != nil {
		t.Fatal(err)
	}
	stray, _ := v.Vector("p001")
	damaged := filepath.Join(t.TempDir(), "vectors")
	b, err := vectors.NewBuilder(damaged, v)
	if err != nil {
		t.Fatal(err)
	}
	b.Delete("p003")
	if err := b.Put("ghost", stray, vectors.Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx, vectors.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	if err := os.RemoveAll(filepath.Join(gen, vectorsDirName)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(damaged, filepath.Join(gen, vectorsDirName)); err != nil {
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
	if _, ok := vecsOf(t, ix).Vector("p003"); !ok {
		t.Error("p003 still has no vector")
	}
	if vecsOf(t, ix).Contains("ghost") {
		t.Error("the stray vector survived")
	}
}

// TestCheckVerifiesTheWholeModel flips one bit inside the model's arrays:
// searches map the model and read only their words' rows, so it is Check
// that must read every byte and find the damage.
func TestCheckVerifiesTheWholeModel(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	build(t, dir, index.WriteOptions{}, corpus(30, "p"))
	path := filepath.Join(dir, genDirName(1), localModelName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-100] ^= 0x01 // in the last array, before the checksum
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(ctx, dir); !errors.Is(err, index.ErrCorrupt) {
		t.Fatalf("Check with a damaged model = %v, want ErrCorrupt", err)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGetAndStatsReadNoVectorsNorModel proves that `get` and `stats` open
// only what they show: with every file of the vector set and the model
// replaced by garbage and made unreadable, they print exactly what they
// printed before, while a semantic search (which must read them) fails.
func TestGetAndStatsReadNoVectorsNorModel(t *testing.T) {
	ix := t.TempDir()
	must(t, "index", "--index", ix, "testdata/papers.jsonl")
	doc := searchJSON(t, ix, "--mode", "keyword", "-k", "1", "neural")
	if len(doc.Results) == 0 {
		t.Fatal("no paper to get")
	}
	id := doc.Results[0]["id"].(string)
	commands := [][]string{
		{"get", "--index", ix, id},
		{"get", "--index", ix, "--json", id},
		{"stats", "--index", ix},
		{"stats", "--index", ix, "--json"},
	}
	before := make([]string, len(commands))
	for i, args := range commands {
		before[i] = must(t, args...).stdout
	}

	gens, err := filepath.Glob(filepath.Join(ix, "gen-*"))
	if err != nil || len(gens) != 1 {
		t.Fatalf("want one generation, got %v (%v)", gens, err)
	}
	var spoiled []string
	spoil := func(path string) {
		// Same size (stats reports the index size), other bytes, no
		// permission: reading it either fails or finds garbage.
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.Repeat("x", int(info.Size()))), 0o000); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o000); err != nil {
			t.Fatal(err)
		}
		spoiled = append(spoiled, path)
	}
	spoil(filepath.Join(gens[0], "embedder.bin"))
	vecFiles, err := filepath.Glob(filepath.Join(gens[0], "vectors", "*"))
	if err != nil || len(vecFiles) == 0 {
		t.Fatalf("no vector files in %s (%v)", gens[0], err)
	}
	for _, f := range vecFiles {
		spoil(f)
	}
	t.Cleanup(func() {
		for _, f := range spoiled {
			os.Chmod(f, 0o600) // let TempDir's cleanup remove them
		}
	})

	for i, args := range commands {
		if got := must(t, args...).stdout; got != before[i] {
			t.Errorf("paperseek %s changed once the vectors and the model were unreadable:\nbefore:\n%s\nafter:\n%s",
				strings.Join(args, " "), before[i], got)
		}
	}
	// The spoiled files are really in the way of a command that needs them.
	if r := ps(t, nil, "search", "--index", ix, "--mode", "semantic", "neural networks"); r.code == 0 {
		t.Errorf("semantic search succeeded without readable vectors and model:\n%s", r.stdout)
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Papers named by external id, removed with delete, an older index
// upgraded: through the binary, as a user does it.
func TestExternalIDsAndDelete(t *testing.T) {
	dir := t.TempDir()
	ix := filepath.Join(dir, "ix")
	src := filepath.Join(dir, "papers.jsonl")
	lines := []string{
		`{"id":"a","title":"Speculative decoding with a draft model","abstract":"We draft tokens with a small model.","doi":"10.1000/A"}`,
		`{"id":"b","title":"KV cache compression for long contexts","abstract":"Quantising the cache saves memory."}`,
		`{"id":"c","title":"Graph neural networks for molecules","abstract":"Message passing predicts properties."}`,
	}
	if err := os.WriteFile(src, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, "index", "--index", ix, src)

	// get and related by DOI, any case, with a resolver prefix.
	r := must(t, "get", "--index", ix, "--json", "doi:https://doi.org/10.1000/a")
	var p struct{ ID, DOI string }
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || p.ID != "a" || p.DOI != "10.1000/a" {
		t.Errorf("get doi: = %s (%v)", r.stdout, err)
	}
	rel := searchJSON(t, ix, "related", "doi:10.1000/a", "-k", "5")
	for _, id := range ids(rel) {
		if id == "a" {
			t.Errorf("related by DOI returned the paper itself: %v", ids(rel))
		}
	}
	if r := ps(t, nil, "get", "--index", ix, "doi:10.9/none"); r.code != 2 || !strings.Contains(r.stderr, `no paper with doi "10.9/none"`) {
		t.Errorf("unknown doi: exit %d, %q", r.code, r.stderr)
	}

	// The same paper from another source replaces it under its id.
	other := filepath.Join(dir, "other.jsonl")
	os.WriteFile(other, []byte(`{"id":"smith2024","title":"Speculative decoding, the published version","doi":"10.1000/a"}`+"\n"), 0o644)
	r = must(t, "index", "--index", ix, "--json", other)
	if !strings.Contains(r.stdout, `"replaced": 1`) || !strings.Contains(r.stdout, `"total": 3`) {
		t.Errorf("second source: %s", r.stdout)
	}
	r = must(t, "get", "--index", ix, "a")
	if !strings.Contains(r.stdout, "the published version") || !strings.Contains(r.stdout, "We draft tokens") {
		t.Errorf("merged paper:\n%s", r.stdout)
	}

	// delete: by id and DOI, stdin, unknown ids reported with exit 1.
	r = ps(t, strings.NewReader("b\n\nnope\n"), "delete", "--index", ix, "--json", "doi:10.1000/A", "-")
	if r.code != 1 || !strings.Contains(r.stderr, "no paper nope") {
		t.Errorf("delete with an unknown id: exit %d, stderr %q", r.code, r.stderr)
	}
	var sum struct {
		Deleted int
		Unknown []string
		Total   int
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Deleted != 2 || sum.Total != 1 || len(sum.Unknown) != 1 {
		t.Errorf("delete summary %s (%v)", r.stdout, err)
	}
	checkOK(t, ix)
	if r := ps(t, nil, "get", "--index", ix, "b"); r.code != 2 {
		t.Errorf("deleted paper still found: exit %d", r.code)
	}
	if r := ps(t, nil, "delete", "--index", ix); r.code != 2 {
		t.Errorf("delete without ids: exit %d", r.code)
	}
}

func TestUpgradeOfAnOlderIndex(t *testing.T) {
	ix := filepath.Join(t.TempDir(), "old")
	if err := os.CopyFS(ix, os.DirFS(filepath.Join(repoRoot(t), "testdata", "format1-index"))); err != nil {
		t.Fatal(err)
	}
	r := ps(t, nil, "search", "--index", ix, "language models")
	if r.code != 2 || !strings.Contains(r.stderr, "paperseek index --upgrade") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("search on a format-1 index: exit %d, stderr %q", r.code, r.stderr)
	}
	must(t, "index", "--upgrade", "--index", ix)
	checkOK(t, ix)
	if doc := searchJSON(t, ix, "search", "language models"); len(doc.Results) == 0 {
		t.Error("no results after the upgrade")
	}
	if r := must(t, "index", "--upgrade", "--index", ix); !strings.Contains(r.stderr, "up to date") {
		t.Errorf("second upgrade: %q", r.stderr)
	}
}

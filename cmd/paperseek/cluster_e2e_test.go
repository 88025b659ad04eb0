package main

// The same commands on a weaviate:// index as on a directory: run against
// the in-process fake Weaviate (index/weaviate/weaviatetest), which CI can
// afford; `make cluster-test` runs the real cluster (index/cluster).

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

func TestClusterIndexAnswersLikeADirectory(t *testing.T) {
	srv := weaviatetest.NewServer(t)
	srv.Nodes = 3
	// The requests come from other processes: take the fake's lock once
	// (Restart of a live node is a no-op) so its handlers, which read the
	// knob under that lock, are ordered after the write for the race
	// detector.
	srv.Restart(0)
	loc := "weaviate://" + strings.TrimPrefix(srv.URL, "http://") + "/Papers"
	dir := t.TempDir()
	must(t, "index", "--index", dir, "testdata/papers.jsonl")
	r := must(t, "index", "--index", loc, "--json", "testdata/papers.jsonl")
	var sum indexSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Added != 60 || sum.Total != 60 {
		t.Fatalf("index summary %s (%v), want 60 added of 60", r.stdout, err)
	}
	// A second run of the same file replaces, never duplicates.
	r = must(t, "index", "--index", loc, "--json", "testdata/papers.jsonl")
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Added != 0 || sum.Replaced != 60 || sum.Total != 60 {
		t.Fatalf("second run summary %s (%v), want 60 replaced, 60 in all", r.stdout, err)
	}

	for _, q := range [][]string{
		{"speculative decoding"},
		{"making language model inference cheaper", "--mode", "semantic"},
		{"kv cache compression", "--mode", "keyword", "--year", "2025.."},
		{"agents", "-k", "20"},
		{"graph neural network", "--mode", "hybrid", "-k", "5", "--offset", "5"},
	} {
		want, got := ids(searchJSON(t, dir, q...)), ids(searchJSON(t, loc, q...))
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("search %q: cluster %v, directory %v", q, got, want)
		}
	}
	id := "mirror-speculative-decoding-breaking-the-serial-barrier-in"
	for _, args := range [][]string{{"related", id, "-k", "5", "--json"}, {"get", id, "--json"}} {
		want := must(t, append(args, "--index", dir)...).stdout
		got := must(t, append(args, "--index", loc)...).stdout
		if g, w := canonical(t, got, "took_ms"), canonical(t, want, "took_ms"); !sameDoc(g, w) {
			t.Errorf("%v: cluster\n%v\ndirectory\n%v", args, g, w)
		}
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(must(t, "stats", "--json", "--index", loc).stdout), &st); err != nil ||
		st["papers"] != 60.0 || st["keyword_docs"] != 60.0 || st["vectors"] != 60.0 || st["embedder"] != "local" {
		t.Errorf("stats %v (%v)", st, err)
	}
	if r := ps(t, nil, "check", "--index", loc); r.code != 0 || !strings.Contains(r.stdout+r.stderr, "ok") {
		t.Errorf("check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A node down with its shards' only replicas: loud, never shorter.
	// (The collection has replicas; one with none is refused on a
	// multi-node cluster, so take all three nodes' replicas away.)
	server := startServe(t, binary, loc, nil)
	srv.Kill(1)
	srv.Kill(2)
	r = ps(t, nil, "search", "--index", loc, "--json", "speculative decoding")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "unavailable") {
		t.Errorf("search with two of three nodes down: exit %d, stdout %q, stderr %q; want exit 1 naming the cluster as unavailable", r.code, r.stdout, r.stderr)
	}
	status, body := server.get(t, "/v1/search?q=speculative+decoding")
	if status != 503 || !strings.Contains(string(body), `"code":"backend_unavailable"`) {
		t.Errorf("GET /v1/search with two of three nodes down: %d %s; want 503 backend_unavailable", status, body)
	}
	srv.Restart(1)
	srv.Restart(2)
	if got := ids(searchJSON(t, loc, "speculative decoding")); !slices.Equal(got, ids(searchJSON(t, dir, "speculative decoding"))) {
		t.Errorf("after restart: %v", got)
	}
	if status, body := server.get(t, "/v1/search?q=speculative+decoding"); status != 200 {
		t.Errorf("GET /v1/search after restart: %d %s", status, body)
	}
}

// canonical decodes a JSON document without the keys that differ between
// runs, its results as "id score" pairs.
func canonical(t *testing.T, doc string, drop ...string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	for _, k := range drop {
		delete(v, k)
	}
	// Results as "id score" lines: a difference is then readable.
	if rs, ok := v["results"].([]any); ok {
		var pairs []idScore
		for _, r := range rs {
			m := r.(map[string]any)
			score, _ := m["score"].(float64)
			pairs = append(pairs, idScore{fmt.Sprint(m["id"]), score})
		}
		v["results"] = pairs
	}
	return v
}

type idScore struct {
	ID    string
	Score float64
}

// sameDoc compares two canonical documents: equal but for scores, which
// may differ in the last digits (a directory index keeps document lengths
// as Bleve's float32 norms, a cluster as exact counts).
func sameDoc(a, b map[string]any) bool {
	ra, _ := a["results"].([]idScore)
	rb, _ := b["results"].([]idScore)
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if ra[i].ID != rb[i].ID || math.Abs(ra[i].Score-rb[i].Score) > 1e-4*max(1, math.Abs(rb[i].Score)) {
			return false
		}
	}
	ja, _ := json.Marshal(withoutKey(a, "results"))
	jb, _ := json.Marshal(withoutKey(b, "results"))
	return string(ja) == string(jb)
}

func withoutKey(m map[string]any, k string) map[string]any {
	out := map[string]any{}
	for key, v := range m {
		if key != k {
			out[key] = v
		}
	}
	return out
}

package main

// --fusion native / native-ranked: a cluster's own hybrid search, end to
// end on the fake Weaviate; on a directory index a usage error (exit 2,
// HTTP 400).

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

func TestNativeFusion(t *testing.T) {
	srv := weaviatetest.NewServer(t)
	loc := "weaviate://" + strings.TrimPrefix(srv.URL, "http://") + "/Papers"
	dir := t.TempDir()
	must(t, "index", "--index", dir, "testdata/papers.jsonl")
	must(t, "index", "--index", loc, "testdata/papers.jsonl")

	for _, fusion := range []string{"native", "native-ranked"} {
		doc := searchJSON(t, loc, "--fusion", fusion, "--explain", "-k", "10", "speculative decoding")
		if len(doc.Results) != 10 {
			t.Fatalf("--fusion %s: %d results, want 10", fusion, len(doc.Results))
		}
		for _, r := range doc.Results {
			x, _ := r["explain"].(map[string]any)
			score, _ := r["score"].(float64)
			kw, _ := x["keyword"].(float64)
			sem, _ := x["semantic"].(float64)
			if x["fusion"] != fusion || x["keyword_weight"] == nil || math.Abs(kw+sem-score) > 2e-6 || kw+sem == 0 {
				t.Errorf("--fusion %s: result %v explains %v; want the fusion, the keyword weight and parts adding up to the score", fusion, r["id"], x)
			}
			if r["keyword"] != nil || r["semantic"] != nil {
				t.Errorf("--fusion %s: result %v reports leg ranks %v %v that Weaviate's hybrid does not give", fusion, r["id"], r["keyword"], r["semantic"])
			}
		}
		// Pages continue one another.
		all := ids(doc)
		var paged []string
		for off := 0; off < 10; off += 5 {
			paged = append(paged, ids(searchJSON(t, loc, "--fusion", fusion, "-k", "5", "--offset", strconv.Itoa(off), "speculative decoding"))...)
		}
		if !slices.Equal(paged, all) {
			t.Errorf("--fusion %s: two pages of 5 %v, one of 10 %v", fusion, paged, all)
		}
	}
	// A different ranking from paperseek's blend: the flag is not ignored.
	if n, b := ids(searchJSON(t, loc, "--fusion", "native", "-k", "20", "language model")), ids(searchJSON(t, loc, "-k", "20", "language model")); slices.Equal(n, b) {
		t.Errorf("native and blend rank alike: %v", n)
	}

	// A directory index has no fusion of its own: a usage error.
	for _, args := range [][]string{
		{"search", "--index", dir, "--fusion", "native", "speculative decoding"},
		{"eval", "--index", dir, "--fusion", "native-ranked", "--queries", "testdata/eval/queries.jsonl", "--qrels", "testdata/eval/qrels.tsv"},
	} {
		r := ps(t, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "weaviate://") || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 saying native fusion needs a cluster", args, r.code, r.stdout, r.stderr)
		}
	}
	// Weaviate's hybrid takes no weighted terms or seeds to leave out.
	if r := ps(t, nil, "related", "--index", loc, "--fusion", "native", "mirror-speculative-decoding-breaking-the-serial-barrier-in"); r.code != 2 || !strings.Contains(r.stderr, "searches only") {
		t.Errorf("related --fusion native: exit %d, %q; want exit 2", r.code, r.stderr)
	}
	if r := ps(t, nil, "search", "--index", loc, "--fusion", "nativ", "x"); r.code != 2 || !strings.Contains(r.stderr, "native") {
		t.Errorf("--fusion nativ: exit %d, %q", r.code, r.stderr)
	}

	server := startServe(t, binary, dir, nil)
	status, body := server.get(t, "/v1/search?q=speculative+decoding&fusion=native")
	if status != 400 || !strings.Contains(string(body), `"code":"bad_request"`) {
		t.Errorf("fusion=native on a directory: %d %s; want 400 bad_request", status, body)
	}
	cl := startServe(t, binary, loc, nil)
	status, body = cl.get(t, "/v1/search?q=speculative+decoding&fusion=native&explain=true")
	var resp searchDoc
	if status != 200 || json.Unmarshal(body, &resp) != nil || !slices.Equal(ids(resp), ids(searchJSON(t, loc, "--fusion", "native", "speculative decoding"))) {
		t.Errorf("fusion=native on a cluster: %d %s; want the CLI's results", status, body)
	}
}

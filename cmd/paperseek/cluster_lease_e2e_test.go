package main

import (
	"context"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/cluster"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

// A second index run on a cluster collection fails at once as on a locked
// directory (exit 1, nothing written), and runs once the first is done.
func TestClusterSecondWriterRefused(t *testing.T) {
	srv := weaviatetest.NewServer(t)
	loc := "weaviate://" + strings.TrimPrefix(srv.URL, "http://") + "/Papers"
	ctx := context.Background()
	first, err := cluster.BeginWrite(ctx, loc, index.WriteOptions{}, cluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := ps(t, nil, "index", "--index", loc, "testdata/papers.jsonl")
	if r.code != 1 || !strings.Contains(r.stderr, "another `paperseek index` run is writing to "+loc) {
		t.Errorf("index while another run holds the lease: exit %d\n%s", r.code, r.stderr)
	}
	first.Abort()
	must(t, "index", "--index", loc, "testdata/papers.jsonl")
	if r := must(t, "stats", "--index", loc, "--json"); !strings.Contains(r.stdout, `"papers": 60`) {
		t.Errorf("stats after the run: %s", r.stdout)
	}
}

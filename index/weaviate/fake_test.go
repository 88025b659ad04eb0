package weaviate_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	wv "github.com/paperseek/paperseek/index/weaviate"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

// TestScenarioAgainstFake runs the scenario on the in-process fake: the
// same assertions as on a real cluster, so the fake is fit for the store's
// tests in CI.
func TestScenarioAgainstFake(t *testing.T) {
	srv := weaviatetest.NewServer(t)
	srv.Nodes = 3
	c, err := wv.New(wv.Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	runScenario(t, c, 3)
}

// The fake's node failures behave as measured on a real 3-node cluster
// (TestNodeDownIsDetected and the notes): a lost shard silently shortens
// answers, which only Health reveals; factor 2 fails QUORUM reads with
// "inconsistent consistency levels"; factor 3 answers fully; without a
// raft majority writes fail and reads are partial at every level.
func TestNodeDownAgainstFake(t *testing.T) {
	ctx := context.Background()
	srv := weaviatetest.NewServer(t)
	srv.Nodes = 3
	c, err := wv.New(wv.Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ps := corpus()
	objs := make([]wv.Object, len(ps))
	for i, p := range ps {
		objs[i] = paperObject(p)
	}
	for replicas := 1; replicas <= 3; replicas++ {
		l := papersLayout(fmt.Sprintf("R%d", replicas), 3)
		l.Replicas = replicas
		if err := c.CreateClass(ctx, l); err != nil {
			t.Fatal(err)
		}
		if err := c.BatchPut(ctx, l.Name, objs, ""); err != nil {
			t.Fatal(err)
		}
	}
	full := len(ps)

	srv.Kill(2)
	h, err := c.Health(ctx, "R1")
	if err != nil || !slices.Equal(h.Down, []string{"node2"}) || h.Covered != 2 || !errors.Is(h.Err(), wv.ErrUnavailable) {
		t.Errorf("R1 Health = %+v, %v", h, err)
	}
	if n, err := c.Count(ctx, "R1", nil); err != nil || n >= full || n == 0 {
		t.Errorf("R1 count %d, %v; want a silently partial count", n, err)
	}
	if _, err := c.Count(ctx, "R2", nil); !errors.Is(err, wv.ErrUnavailable) || !strings.Contains(err.Error(), "inconsistent consistency levels") {
		t.Errorf("R2 count at the default QUORUM: %v", err)
	}
	if res, err := c.Search(ctx, wv.Search{Class: "R2", NearVector: []float32{1, 0, 0, 0}, Limit: 100, Consistency: wv.One}); err != nil || len(res[0]) != full {
		t.Errorf("R2 at ONE: %v", err)
	}
	for _, level := range []wv.ConsistencyLevel{wv.One, wv.Quorum, wv.All} {
		if res, err := c.Search(ctx, wv.Search{Class: "R3", NearVector: []float32{1, 0, 0, 0}, Limit: 100, Consistency: level}); err != nil || len(res[0]) != full {
			t.Errorf("R3 at %s: %v", level, err)
		}
	}
	if h, err := c.Health(ctx, "R3"); err != nil || !h.Complete() {
		t.Errorf("R3 Health = %+v, %v", h, err)
	}

	srv.Kill(1) // no raft majority left
	err = c.BatchPut(ctx, "R3", objs[:1], wv.One)
	if !errors.Is(err, wv.ErrUnavailable) {
		t.Errorf("write without a raft majority: %v", err)
	}
	if res, err := c.Search(ctx, wv.Search{Class: "R2", NearVector: []float32{1, 0, 0, 0}, Limit: 100, Consistency: wv.All}); err != nil || len(res[0]) >= full {
		t.Errorf("R2 at ALL with two nodes down: %d hits, %v; want a silently partial answer", len(res[0]), err)
	}
	// node0 still holds every shard of R3 and answers, but reports itself
	// UNHEALTHY without a raft majority (as the real one does): Health
	// calls that incomplete, which is the loud answer wanted.
	if h, err := c.Health(ctx, "R3"); err != nil || h.Complete() || !errors.Is(h.Err(), wv.ErrUnavailable) {
		t.Errorf("R3 Health with two nodes down = %+v, %v; want incomplete", h, err)
	}

	srv.Restart(1)
	srv.Restart(2)
	for _, name := range []string{"R1", "R2", "R3"} {
		if n, err := c.Count(ctx, name, nil); err != nil || n != full {
			t.Errorf("%s after restarts: %d, %v", name, n, err)
		}
	}
}

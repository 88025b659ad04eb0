package cluster

// Tests against a REAL loopback Weaviate cluster (scripts/weaviate.sh), run
// by `make cluster-test`. Without a server binary they skip, saying so; with
// PAPERSEEK_REQUIRE_WEAVIATE set (make cluster-test sets it) they fail
// instead, so the cluster suite never passes by skipping.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/local"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

var rankingQueries = []string{"speculative decoding", "making language model inference cheaper", "kv cache compression",
	"mixture of experts routing", "agents for cloud diagnosis", "fpga accelerator for transformers"}

// localStore indexes ps into a fresh directory index.
func localStore(t *testing.T, ps []index.Paper) *local.Store {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := local.BeginWrite(ctx, dir, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Add(ctx, slices.Clone(ps)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := local.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func hitIDs(hs []index.Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func clusterLocation(url, class string) string {
	return "weaviate://" + strings.TrimPrefix(url, "http://") + "/" + class
}

// legs runs both legs of every ranking query on st: the keyword leg's ids
// and the semantic leg's ids (queries embedded by the store's own
// embedder, as the query layer does).
func legs(t *testing.T, st index.Store, vecs [][]float32) (kw, sem [][]string) {
	t.Helper()
	ctx := context.Background()
	for i, q := range rankingQueries {
		k, err := st.Keyword(ctx, index.KeywordQuery{Text: q}, index.Filter{}, 20)
		if err != nil {
			t.Fatalf("keyword %q: %v", q, err)
		}
		s, err := st.Nearest(ctx, vecs[i], index.Filter{}, 20)
		if err != nil {
			t.Fatalf("nearest %q: %v", q, err)
		}
		kw, sem = append(kw, hitIDs(k)), append(sem, hitIDs(s))
	}
	return kw, sem
}

// TestRealClusterRanksLikeADirectory indexes the sample into a 3-node
// cluster (default layout: 3 shards, 3 replicas) and into a directory: both
// legs rank alike, every node's URL answers the same, check passes, and a
// layout that one lost node would cut short is refused.
func TestRealClusterRanksLikeADirectory(t *testing.T) {
	cl := weaviatetest.StartCluster(t, 3)
	ranksLikeADirectory(t, cl.URLs)
}

// TestFakeClusterRanksLikeADirectory is the same on the fake, for CI.
func TestFakeClusterRanksLikeADirectory(t *testing.T) {
	srv := weaviatetest.NewServer(t)
	srv.Nodes = 3
	ranksLikeADirectory(t, []string{srv.URL})
}

func ranksLikeADirectory(t *testing.T, urls []string) {
	ctx := context.Background()
	ps := samplePapers(t)
	loc := clusterLocation(urls[0], "Papers")
	if _, err := BeginWrite(ctx, clusterLocation(urls[0], "One"), index.WriteOptions{Replicas: 1}, Options{}); !errors.Is(err, index.ErrUsage) {
		t.Errorf("--replicas 1 on 3 nodes: %v, want a usage error", err)
	}
	indexPapers(t, loc, index.WriteOptions{}, ps)
	indexPapers(t, loc, index.WriteOptions{}, ps) // idempotent
	dir := localStore(t, ps)

	st, err := Open(ctx, loc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.layout.Shards != 3 || st.layout.Replicas != 3 || !st.layout.AsyncReplication {
		t.Errorf("default layout %+v, want 3 shards, 3 replicas, async replication", st.layout)
	}
	if n, err := st.Stats(ctx); err != nil || n.Papers != len(ps) || n.KeywordDocs != uint64(len(ps)) {
		t.Errorf("stats %+v, %v", n, err)
	}
	// The model came from the cluster: the store's embedder is the
	// directory's (same corpus, same training), so query vectors agree.
	vecs := make([][]float32, len(rankingQueries))
	for i, q := range rankingQueries {
		stEmb, err := st.EmbedderState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		vecs[i] = embedQuery(t, stEmb, q)
		if want := embedQuery(t, mustState(t, dir), q); !slices.Equal(vecs[i], want) {
			t.Fatalf("query %q embeds differently with the cluster's model", q)
		}
	}
	wantKW, wantSem := legs(t, dir, vecs)
	for node, url := range urls {
		nst, err := Open(ctx, clusterLocation(url, "Papers"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		kw, sem := legs(t, nst, vecs)
		for i, q := range rankingQueries {
			if !slices.Equal(kw[i], wantKW[i]) {
				t.Errorf("node %d keyword %q:\n cluster   %v\n directory %v", node, q, kw[i], wantKW[i])
			}
			// HNSW is approximate: the top 10 must agree as sets.
			if a, b := slices.Sorted(slices.Values(sem[i][:10])), slices.Sorted(slices.Values(wantSem[i][:10])); !slices.Equal(a, b) {
				t.Errorf("node %d semantic %q:\n cluster   %v\n directory %v", node, q, sem[i], wantSem[i])
			}
		}
	}
	r, err := Check(ctx, loc, Options{})
	if err != nil || !r.OK {
		t.Errorf("check: %+v, %v", r, err)
	}
}

// TestRealClusterNodeDown kills one node of three during a stream of
// searches and during an index run, on collections with 3 and 2 replicas:
// every answer is either complete or an index.ErrUnavailable error (zero
// silently partial answers); the index run, repeated, completes with exact
// counts; after a restart the counts converge.
func TestRealClusterNodeDown(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a node and waits for the cluster to notice")
	}
	cl := weaviatetest.StartCluster(t, 3)
	ctx := context.Background()
	ps := samplePapers(t)
	// 600 papers: the sample ten times under other ids.
	var many []index.Paper
	for r := 0; r < 10; r++ {
		for _, p := range ps {
			p.ID = fmt.Sprintf("%s-%d", p.ID, r)
			p.DOI, p.ArXiv, p.PMID = "", "", ""
			many = append(many, p)
		}
	}
	r3 := clusterLocation(cl.URLs[0], "R3")
	r2 := clusterLocation(cl.URLs[0], "R2")
	indexPapers(t, r3, index.WriteOptions{Shards: 3, Replicas: 3}, many)
	indexPapers(t, r2, index.WriteOptions{Shards: 3, Replicas: 2}, many)

	type baseline struct {
		st  *Store
		kw  []string
		vec []float32
		sem []string
	}
	base := map[string]*baseline{}
	for _, loc := range []string{r3, r2} {
		st, err := Open(ctx, loc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b := &baseline{st: st}
		hits, err := st.Keyword(ctx, index.KeywordQuery{Text: "language model inference"}, index.Filter{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		b.kw = hitIDs(hits)
		if b.vec, err = st.Vector(ctx, many[0].ID); err != nil {
			t.Fatal(err)
		}
		// Exact for the baseline: every paper.
		sem, err := st.Nearest(ctx, b.vec, index.Filter{Years: index.YearRange{From: 2025}}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		b.sem = hitIDs(sem)
		base[loc] = b
	}

	// A stream of searches on both collections while node 2 is killed
	// and the cluster notices.
	var (
		mu                  sync.Mutex
		full, loud, partial = map[string]int{}, map[string]int{}, map[string]int{}
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for loc, b := range base {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				hits, err := b.st.Keyword(qctx, index.KeywordQuery{Text: "language model inference"}, index.Filter{}, 1000)
				var sem []index.Hit
				if err == nil {
					sem, err = b.st.Nearest(qctx, b.vec, index.Filter{Years: index.YearRange{From: 2025}}, 1000)
				}
				cancel()
				mu.Lock()
				switch {
				case err == nil && slices.Equal(hitIDs(hits), b.kw) && len(sem) == len(b.sem):
					full[loc]++
				case err != nil && errors.Is(err, index.ErrUnavailable):
					loud[loc]++
				case err != nil:
					t.Errorf("%s: an error that is not ErrUnavailable: %v", loc, err)
				default:
					partial[loc]++
					t.Errorf("%s: a silently partial answer: %d keyword hits (want %d), %d semantic (want %d)", loc, len(hits), len(b.kw), len(sem), len(b.sem))
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(2 * time.Second)
	if err := cl.Kill(2); err != nil {
		t.Fatal(err)
	}
	// Weaviate takes about 20 s to notice a dead node.
	time.Sleep(35 * time.Second)
	close(stop)
	wg.Wait()
	t.Logf("during and after the kill: complete %v, loud failures %v, silently partial %v", full, loud, partial)
	if full[r3] == 0 {
		t.Errorf("3 replicas: no complete answer with one node of three down")
	}

	// Three replicas keep answering fully once the cluster has noticed.
	b := base[r3]
	hits, err := b.st.Keyword(ctx, index.KeywordQuery{Text: "language model inference"}, index.Filter{}, 1000)
	if err != nil || !slices.Equal(hitIDs(hits), b.kw) {
		t.Errorf("3 replicas, one node down: %d hits, %v; want all %d", len(hits), err, len(b.kw))
	}

	// An index run with the node down: 3 replicas write at QUORUM.
	var more []index.Paper
	for _, p := range many[:120] {
		p.ID += "-new"
		more = append(more, p)
	}
	indexPapers(t, r3, index.WriteOptions{}, more)
	indexPapers(t, r3, index.WriteOptions{}, more) // repeated: no duplicates
	st, err := Open(ctx, r3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Info().Papers != len(many)+len(more) {
		t.Errorf("after the run with a node down: %d papers, want %d", st.Info().Papers, len(many)+len(more))
	}
	// Two replicas: QUORUM is both, so reads fail loudly now.
	if _, err := base[r2].st.Keyword(ctx, index.KeywordQuery{Text: "language model inference"}, index.Filter{}, 10); !errors.Is(err, index.ErrUnavailable) {
		t.Errorf("2 replicas, one node down: %v, want ErrUnavailable", err)
	}

	if err := cl.Restart(2); err != nil {
		t.Fatal(err)
	}
	// Asynchronous replication brings the restarted node's replicas up
	// to date: the counts converge, on every node's URL.
	want := len(many) + len(more)
	deadline := time.Now().Add(2 * time.Minute)
	for node, url := range cl.URLs {
		for {
			r, err := Check(ctx, clusterLocation(url, "R3"), Options{})
			if err == nil && r.KeywordDocs == want && r.Papers == want {
				if !r.OK {
					// Measured: objects repaired onto the restarted node
					// may lack their vectors there (v1.35.2); check says
					// so, and --repair writes them again.
					t.Logf("node %d: counts converged; check reports %d papers without a vector there: repairing", node, len(r.MissingVectors))
					rep, err := Repair(ctx, clusterLocation(url, "R3"), index.WriteOptions{}, Options{})
					if err != nil || !rep.OK {
						t.Errorf("node %d: repair: %+v, %v", node, rep, err)
					}
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d: counts did not converge: %+v, %v", node, r, err)
			}
			time.Sleep(2 * time.Second)
		}
	}
}

package cluster

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

func TestFakeClusterWriterLease(t *testing.T) {
	srv := weaviatetest.NewServer(t)
	srv.Nodes = 3
	writerLease(t, srv.URL)
}

func TestRealClusterWriterLease(t *testing.T) {
	cl := weaviatetest.StartCluster(t, 3)
	writerLease(t, cl.URLs[0])
}

// writerLease: a second index run on a collection fails at once with
// index.ErrLocked while the first holds the lease; Abort and Commit
// release it; a crashed run's lease expires and is taken over, and the
// crashed run, should it wake, stops before writing; two runs starting
// together never both get it.
func writerLease(t *testing.T, url string) {
	ctx := context.Background()
	loc := clusterLocation(url, "Leased")
	fast := Options{LeaseSettle: 200 * time.Millisecond}
	ps := samplePapers(t)[:5]

	first, err := BeginWrite(ctx, loc, index.WriteOptions{}, fast)
	if err != nil {
		t.Fatal(err)
	}
	_, err = BeginWrite(ctx, loc, index.WriteOptions{}, fast)
	if !errors.Is(err, index.ErrLocked) || !strings.Contains(err.Error(), "another `paperseek index` run is writing to "+loc) ||
		!strings.Contains(err.Error(), first.lease.me.Run) {
		t.Fatalf("second run while the first holds the lease: %v; want index.ErrLocked naming the first run", err)
	}
	if _, _, err := first.Add(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// Committed: the lease is free.
	second, err := BeginWrite(ctx, loc, index.WriteOptions{}, fast)
	if err != nil {
		t.Fatalf("after the first run committed: %v", err)
	}
	second.Abort()
	// Aborted: free too.
	crashed, err := BeginWrite(ctx, loc, index.WriteOptions{}, Options{LeaseSettle: fast.LeaseSettle, LeaseTTL: 400 * time.Millisecond})
	if err != nil {
		t.Fatalf("after the second run aborted: %v", err)
	}
	// A crash: the run stops renewing, its lease stays behind.
	close(crashed.lease.stop)
	crashed.lease.stopped.Wait()
	if _, err := BeginWrite(ctx, loc, index.WriteOptions{}, fast); !errors.Is(err, index.ErrLocked) {
		t.Fatalf("while the crashed run's lease lasts: %v, want index.ErrLocked", err)
	}
	time.Sleep(500 * time.Millisecond)
	taker, err := BeginWrite(ctx, loc, index.WriteOptions{}, fast)
	if err != nil {
		t.Fatalf("after the crashed run's lease expired: %v; want it taken over", err)
	}
	// The crashed run wakes up: it must not write.
	if _, _, err := crashed.Add(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if _, err := crashed.Commit(ctx); !errors.Is(err, index.ErrLocked) {
		t.Errorf("commit of a run whose lease was taken over: %v, want index.ErrLocked", err)
	}
	taker.Abort()

	// Two held leases (a run that stalled in the window lease.go
	// describes): the higher run id stops before writing, the lower goes on.
	for _, c := range []struct {
		run      string
		wantLock bool
	}{{"0000000000000000-lower", true}, {"ffffffffffffffff-higher", false}} {
		w, err := BeginWrite(ctx, loc, index.WriteOptions{}, fast)
		if err != nil {
			t.Fatal(err)
		}
		other := &lease{c: w.lease.c, loc: w.lease.loc, cl: w.lease.cl, ttl: time.Minute, stop: make(chan struct{}),
			me: leaseHolder{Run: c.run, Host: "elsewhere", Started: time.Now()}}
		if err := other.put(ctx, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.Add(ctx, ps); err != nil {
			t.Fatal(err)
		}
		_, err = w.Commit(ctx)
		if c.wantLock != errors.Is(err, index.ErrLocked) {
			t.Errorf("commit while run %s also holds a lease: %v (want locked: %v)", c.run, err, c.wantLock)
		}
		w.Abort()
		other.release()
	}

	// Runs starting together: exactly one wins, every time.
	for round := range 3 {
		var wg sync.WaitGroup
		ws := make([]*Writer, 3)
		errs := make([]error, 3)
		for i := range ws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ws[i], errs[i] = BeginWrite(ctx, loc, index.WriteOptions{}, Options{})
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				ws[i].Abort()
			case !errors.Is(err, index.ErrLocked):
				t.Errorf("round %d run %d: %v", round, i, err)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d of 3 simultaneous runs got the lease (%v), want exactly 1", round, won, errs)
		}
	}
}

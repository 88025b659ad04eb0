package eval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

func poolQueries(n int) []Query {
	qs := make([]Query, n)
	for i := range qs {
		qs[i] = Query{ID: fmt.Sprintf("q%d", i+1), Text: fmt.Sprintf("text %d", i+1)}
	}
	return qs
}

func TestRunQueriesCollectsEveryQuery(t *testing.T) {
	got, err := RunQueries(context.Background(), 4, poolQueries(50), func(_ context.Context, q Query) ([]RunLine, error) {
		return []RunLine{{QueryID: q.ID, DocID: "d-" + q.ID, Rank: 1, Score: 1}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 || got["q17"][0].DocID != "d-q17" {
		t.Errorf("got %d queries, q17 %v", len(got), got["q17"])
	}
}

// The first error stops the run: no query starts after it (one worker
// makes "after" exact), and the error names its query. (The pool this
// replaced, in the eval command, ran every remaining query first.)
func TestRunQueriesStopsAtFirstError(t *testing.T) {
	boom := errors.New("embedding server down")
	var ran atomic.Int32
	_, err := RunQueries(context.Background(), 1, poolQueries(20), func(_ context.Context, q Query) ([]RunLine, error) {
		ran.Add(1)
		if q.ID == "q3" {
			return nil, boom
		}
		return nil, nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "query q3") {
		t.Errorf("error %v, want the failure of q3", err)
	}
	if n := ran.Load(); n != 3 {
		t.Errorf("%d queries ran; the run should stop at the third", n)
	}
}

// A search running when another fails sees its context cancelled.
func TestRunQueriesCancelsRunningSearches(t *testing.T) {
	started := make(chan struct{})
	_, err := RunQueries(context.Background(), 2, poolQueries(2), func(ctx context.Context, q Query) ([]RunLine, error) {
		if q.ID == "q1" {
			close(started)
			<-ctx.Done() // would block forever without the cancel
			return nil, ctx.Err()
		}
		<-started
		return nil, errors.New("failed")
	})
	if err == nil || !strings.Contains(err.Error(), "query q2: failed") {
		t.Errorf("error %v, want q2's", err)
	}
}

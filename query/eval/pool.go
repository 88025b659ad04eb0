package eval

import (
	"context"
	"fmt"
	"sync"
)

// SearchFunc runs one query and returns its ranked results.
type SearchFunc func(ctx context.Context, q Query) ([]RunLine, error)

// RunQueries runs every query through search, workers at a time, and
// returns each query's results by query id. The first error stops the
// run: no query starts after it, those running see their context
// cancelled, and that error (naming its query) is returned.
func RunQueries(ctx context.Context, workers int, queries []Query, search SearchFunc) (map[string][]RunLine, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(map[string][]RunLine, len(queries))
	var mu sync.Mutex
	var firstErr error
	work := make(chan Query)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range work {
				if ctx.Err() != nil {
					continue // stopped: hand-outs racing the stop are dropped
				}
				lines, err := search(ctx, q)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("query %s: %w", q.ID, err)
					cancel()
				} else if err == nil {
					out[q.ID] = lines
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, q := range queries {
		select {
		case work <- q:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

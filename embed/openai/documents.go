package openai

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// EmbedDocuments returns one unit vector per text, in input order. Each
// text is sent with the document prefix; identical texts are sent once;
// cached ones are not sent at all. Every batch that arrives is written to
// the cache before anything else happens, so when a later batch fails (or
// ctx is cancelled) the work already paid for is kept and a re-run only
// requests the rest. After the first failure no new batch is started and
// batches waiting to retry give up; requests already on the wire finish
// and are cached.
func (e *Embedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	if len(texts) == 0 {
		return out, nil
	}
	uniq := make([]string, 0, len(texts))
	slot := make([]int, len(texts)) // input i → uniq index
	counts := make([]int, 0, len(texts))
	seen := make(map[string]int, len(texts))
	for i, t := range texts {
		s := e.cfg.DocPrefix + t
		j, ok := seen[s]
		if !ok {
			j = len(uniq)
			seen[s] = j
			uniq = append(uniq, s)
			counts = append(counts, 0)
		}
		slot[i] = j
		counts[j]++
	}

	vecs := make([][]float32, len(uniq))
	var misses []int
	hits := 0
	for j, s := range uniq {
		if e.cfg.Cache != nil {
			if v, ok := e.cfg.Cache.Get(s); ok {
				vecs[j] = v
				hits += counts[j]
				continue
			}
		}
		misses = append(misses, j)
	}
	if hits > 0 {
		e.report(hits)
	}
	if len(misses) > 0 {
		if err := e.fetch(ctx, uniq, misses, vecs, counts); err != nil {
			return nil, err
		}
	}

	// Repeated texts get their own copy so a caller that modifies one
	// result does not silently change another.
	given := make([]bool, len(uniq))
	for i, j := range slot {
		if given[j] {
			out[i] = slices.Clone(vecs[j])
		} else {
			out[i] = vecs[j]
			given[j] = true
		}
	}
	return out, nil
}

// fetch requests the texts uniq[j] for j in misses and stores the vectors in
// vecs[j].
func (e *Embedder) fetch(ctx context.Context, uniq []string, misses []int, vecs [][]float32, counts []int) error {
	// stopCtx ends the backoff sleeps of other batches on the first failure;
	// requests themselves run under ctx so that answers already on their way
	// are still received and cached.
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			stop()
		}
	}
	sem := make(chan struct{}, e.cfg.Concurrency)
	for _, batch := range e.batches(uniq, misses) {
		select {
		case sem <- struct{}{}:
		case <-stopCtx.Done():
		}
		// select picks at random when both are ready: check again.
		if stopCtx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			in := make([]string, len(batch))
			for k, j := range batch {
				in[k] = uniq[j]
			}
			got, err := e.request(ctx, stopCtx, in)
			if err == nil && e.cfg.Cache != nil {
				if err = e.cfg.Cache.Put(in, got); err != nil {
					err = fmt.Errorf("save embeddings: %w", err)
				}
			}
			if err != nil {
				fail(err)
				return
			}
			done := 0
			for k, j := range batch {
				vecs[j] = got[k]
				done += counts[j]
			}
			e.report(done)
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if firstErr == nil && ctx.Err() != nil {
		return ctxErr(ctx)
	}
	return firstErr
}

// batches splits the texts uniq[j], j in idx, into requests of at most
// MaxBatchInputs inputs and MaxBatchBytes bytes, keeping their order.
func (e *Embedder) batches(uniq []string, idx []int) [][]int {
	var (
		out   [][]int
		cur   []int
		bytes int
	)
	for _, j := range idx {
		n := len(uniq[j])
		if len(cur) > 0 && (len(cur) == e.cfg.MaxBatchInputs || bytes+n > e.cfg.MaxBatchBytes) {
			out = append(out, cur)
			cur, bytes = nil, 0
		}
		cur = append(cur, j)
		bytes += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (e *Embedder) report(n int) {
	if e.cfg.Progress == nil {
		return
	}
	e.progressMu.Lock()
	defer e.progressMu.Unlock()
	e.cfg.Progress(n)
}

package local

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	chromem "github.com/philippgille/chromem-go"

	"github.com/paperseek/paperseek/index/local/vectors"
)

// exactSample is how many papers' own vectors check uses as queries.
const exactSample = 20

// exactAgreement holds the vector set's search to an exact reference:
// chromem-go's exhaustive scan over every vector, in memory. It is the one
// place chromem-go runs in the product, and the reason it is kept: an
// independent implementation of "the k nearest by cosine" that the
// quantised, partitioned scan must agree with — a wrong kernel, a bad
// quantisation or a damaged list would show here as papers the fast path
// misses. It returns the fraction of the reference's top 10 that the set's
// top 10 holds, over up to exactSample queries spread over the ids.
//
// It costs what loading every vector does (about 1 KB a paper in memory),
// which is why only check runs it.
func exactAgreement(ctx context.Context, set *vectors.Set) (recall float64, queries int, err error) {
	col, err := chromem.NewDB().CreateCollection("exact", nil, func(context.Context, string) ([]float32, error) {
		return nil, errors.New("check supplies every vector")
	})
	if err != nil {
		return 0, 0, err
	}
	var ids []string
	var docs []chromem.Document
	flush := func() error {
		if len(docs) == 0 {
			return nil
		}
		err := col.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0))
		docs = docs[:0]
		return err
	}
	err = set.Each(func(id string) error {
		vec, ok := set.Vector(id)
		if !ok {
			return nil // a paper whose text the embedder did not know: never returned
		}
		ids = append(ids, id)
		docs = append(docs, chromem.Document{ID: id, Embedding: vec})
		if len(docs) == 4096 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, 0, fmt.Errorf("load the exact reference: %w", err)
	}
	const k = 10
	if len(ids) < 2 {
		return 1, 0, nil
	}
	n := min(k, len(ids))
	step := max(1, len(ids)/exactSample)
	found, total := 0, 0
	for i := 0; i < len(ids) && queries < exactSample; i += step {
		q, _ := set.Vector(ids[i])
		ref, err := col.QueryEmbedding(ctx, q, n, nil, nil)
		if err != nil {
			return 0, 0, fmt.Errorf("exact reference: %w", err)
		}
		got, err := set.Search(ctx, q, n, vectors.Filter{})
		if err != nil {
			return 0, 0, err
		}
		// Ties at the cut may be ordered either way: a hit scoring at least
		// the reference's n-th similarity counts as found.
		cut := float64(ref[len(ref)-1].Similarity) - 1e-6
		for _, h := range got {
			if h.Score >= cut {
				found++
			}
		}
		total += len(ref)
		queries++
	}
	return float64(found) / float64(total), queries, nil
}

package vectors

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	chromem "github.com/philippgille/chromem-go"
)

// TestAgreesWithChromem holds Search to chromem-go's exhaustive scan, the
// embedding store the design names and the exact reference paperseek's
// vector files are measured against (bench/vectors does the same at 119k
// and 1M): with group 0 covering the whole set, both return the same
// papers with the same cosines, one list or many, over two segments.
func TestAgreesWithChromem(t *testing.T) {
	ctx := context.Background()
	withProbe(t, math.MaxInt, 1)
	papers := corpus(partitionMin+2000, 32, 31)
	first := build(t, t.TempDir(), nil, papers[:partitionMin+1000], BuildOptions{})
	s := build(t, t.TempDir(), first, papers[partitionMin+1000:], BuildOptions{})
	if s.Segments() != 2 || s.Lists() == 1 {
		t.Fatalf("%d segments, %d lists", s.Segments(), s.Lists())
	}
	col, err := chromem.NewDB().CreateCollection("ref", nil, func(context.Context, string) ([]float32, error) {
		return nil, errors.New("no embedding function: vectors are given")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range papers {
		if u, zero := normalize(p.vec); !zero {
			if err := col.AddDocument(ctx, chromem.Document{ID: p.id, Embedding: u}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for range 20 {
		q := someQuery(rng, papers)
		const n = 100
		ref, err := col.QueryEmbedding(ctx, q, n, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Search(ctx, q, n, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		score := map[string]float32{}
		for _, r := range ref {
			score[r.ID] = r.Similarity
		}
		// The two sum the same products in a different order; only a
		// near-tie at the cut could make the sets differ.
		cut := float64(ref[len(ref)-1].Similarity)
		for _, h := range got {
			sim, ok := score[h.ID]
			if !ok && math.Abs(h.Score-cut) > 1e-5 {
				t.Fatalf("%s (%.6f) is not in chromem-go's top %d (cut %.6f)", h.ID, h.Score, n, cut)
			}
			if ok && math.Abs(h.Score-float64(sim)) > 1e-5 {
				t.Fatalf("%s: cosine %.7f, chromem-go %.7f", h.ID, h.Score, sim)
			}
		}
	}
}

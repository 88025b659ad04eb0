package local

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPPMIMatrixMatchesDefinition compares ppmiMatrix with a direct count of
// the definition over a random corpus with empty, short and long documents
// and a skewed vocabulary, for several windows and worker counts: every
// entry must be bit-identical and in column order.
func TestPPMIMatrixMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const v = 300
	tk := &tokenized{terms: make([]string, v), start: []int{0}}
	for d := 0; d < 400; d++ {
		n := rng.IntN(40)
		if d%50 == 0 {
			n = 0
		}
		for i := 0; i < n; i++ {
			// Zipf-like: low ids are frequent.
			tk.stream = append(tk.stream, int32(float64(v)*math.Pow(rng.Float64(), 3)))
		}
		tk.start = append(tk.start, len(tk.stream))
	}
	for _, window := range []int{1, 2, 5} {
		// The definition, counted with a map.
		counts := map[[2]int32]int{}
		marg := make([]float64, v)
		for d := 0; d < tk.docs(); d++ {
			s := tk.stream[tk.start[d]:tk.start[d+1]]
			for i, w := range s {
				for j := max(0, i-window); j <= min(len(s)-1, i+window); j++ {
					if j != i {
						counts[[2]int32{w, s[j]}]++
						marg[w]++
					}
				}
			}
		}
		var z float64
		for _, m := range marg {
			z += math.Pow(m, 0.75)
		}
		want := map[[2]int32]float32{}
		for k, n := range counts {
			if pmi := math.Log(float64(n) * z / (marg[k[0]] * math.Pow(marg[k[1]], 0.75))); pmi > 0 {
				want[k] = float32(pmi)
			}
		}
		for _, workers := range []int{1, 3} {
			a, err := ppmiMatrix(context.Background(), tk, window, 0.75, workers)
			if err != nil {
				t.Fatal(err)
			}
			if a.nnz() != len(want) {
				t.Fatalf("window %d, %d workers: %d entries, want %d", window, workers, a.nnz(), len(want))
			}
			for r := 0; r < a.rows; r++ {
				for p := a.ptr[r]; p < a.ptr[r+1]; p++ {
					c := a.idx[p]
					if p > a.ptr[r] && a.idx[p-1] >= c {
						t.Fatalf("row %d: columns not increasing", r)
					}
					if w, ok := want[[2]int32{int32(r), c}]; !ok || w != a.val[p] {
						t.Fatalf("window %d: PPMI(%d,%d) = %v, want %v (present %v)", window, r, c, a.val[p], w, ok)
					}
				}
			}
		}
	}
}

package local

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomSparse is a rows×cols matrix with about density·rows·cols non-zero
// entries and a decaying spectrum, like a term–document matrix.
func randomSparse(rows, cols int, density float64, seed uint64) *csr {
	rng := rand.New(rand.NewPCG(seed, 1))
	a := &csr{rows: rows, cols: cols, ptr: []int{0}}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if rng.Float64() < density {
				a.idx = append(a.idx, int32(j))
				a.val = append(a.val, float32(rng.ExpFloat64()/float64(1+j%7)))
			}
		}
		a.ptr = append(a.ptr, len(a.idx))
	}
	return a
}

func TestTruncatedSVDMatchesExact(t *testing.T) {
	for _, tc := range []struct {
		name             string
		rows, cols, k    int
		density          float64
		oversample, iter int
	}{
		{"tall", 300, 120, 10, 0.05, 50, 6},
		{"wide", 80, 400, 10, 0.05, 50, 6},
		{"k above rank", 12, 9, 20, 0.5, 50, 6},
		{"no power iterations, full width", 200, 150, 5, 0.2, 200, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := randomSparse(tc.rows, tc.cols, tc.density, 3)
			dense := mat.NewDense(a.rows, a.cols, nil)
			for i := 0; i < a.rows; i++ {
				for p := a.ptr[i]; p < a.ptr[i+1]; p++ {
					dense.Set(i, int(a.idx[p]), float64(a.val[p]))
				}
			}
			var exact mat.SVD
			if !exact.Factorize(dense, mat.SVDThin) {
				t.Fatal("gonum SVD failed")
			}
			want := exact.Values(nil)
			u, got, k, err := truncatedSVD(context.Background(), a, a.transpose(),
				svdParams{k: tc.k, oversample: tc.oversample, powerIters: tc.iter, seed: 9, workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			wantK := min(tc.k, len(want))
			for wantK > 0 && want[wantK-1] <= want[0]*1e-10 {
				wantK--
			}
			if k != wantK {
				t.Fatalf("k = %d, want %d", k, wantK)
			}
			for i := 0; i < k; i++ {
				if math.Abs(got[i]-want[i]) > 1e-6*want[0] {
					t.Errorf("σ%d = %.9g, want %.9g", i, got[i], want[i])
				}
			}
			// Columns of U are orthonormal and A·Aᵀ·u = σ²·u.
			u64 := make([]float64, len(u))
			for i, x := range u {
				u64[i] = float64(x)
			}
			um := mat.NewDense(a.rows, k, u64)
			var utu mat.Dense
			utu.Mul(um.T(), um)
			// U is stored as float32: orthonormal to float32 precision.
			if !mat.EqualApprox(&utu, eye(k), 1e-6) {
				t.Errorf("UᵀU is not the identity")
			}
			for j := 0; j < k; j++ {
				col := mat.Col(nil, j, um)
				var atu, aatu mat.VecDense
				atu.MulVec(dense.T(), mat.NewVecDense(len(col), col))
				aatu.MulVec(dense, &atu)
				for i, x := range col {
					if math.Abs(aatu.AtVec(i)-got[j]*got[j]*x) > 1e-5*want[0]*want[0] {
						t.Fatalf("column %d of U is not a singular vector", j)
					}
				}
			}
		})
	}
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		d.Set(i, i, 1)
	}
	return d
}

func TestFeedback(t *testing.T) {
	q := []float32{1, 0, 0}
	a := []float32{0, 1, 0}
	b := []float32{0, 0, 1}
	zero := []float32{0, 0, 0}
	s := float32(1 / math.Sqrt(2))
	for _, tc := range []struct {
		name  string
		query []float32
		top   [][]float32
		alpha float64
		want  []float32
	}{
		{"no feedback documents: query unchanged", q, nil, 0.3, q},
		{"only zero documents: query unchanged", q, [][]float32{zero}, 0.3, q},
		{"alpha 1 keeps the query", q, [][]float32{a, b}, 1, q},
		{"alpha 0 is the mean of the documents", q, [][]float32{a, b}, 0, []float32{0, s, s}},
		{"half way", q, [][]float32{a}, 0.5, []float32{s, s, 0}},
		{"zero query takes the documents' direction", zero, [][]float32{a}, 0.3, a},
		{"zero documents are skipped in the mean", q, [][]float32{a, zero}, 0.5, []float32{s, s, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float32(nil), tc.query...)
			got := Feedback(tc.query, tc.top, tc.alpha)
			for i := range got {
				if math.Abs(float64(got[i]-tc.want[i])) > 1e-6 {
					t.Fatalf("Feedback = %v, want %v", got, tc.want)
				}
			}
			for i := range in {
				if in[i] != tc.query[i] {
					t.Fatal("Feedback modified its input")
				}
			}
		})
	}
}

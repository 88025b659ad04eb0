package query

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/paperseek/paperseek/index"
)

// classifierPool is how many papers of a first ranking the per-request
// classifier re-ranks. arxiv-sanity-lite trains against the whole corpus;
// the first ranking's top papers stand in for it, since the store offers
// no scan of every paper's features.
const classifierPool = 1000

// classifierTerms bounds the keyword features: the positives' most
// distinctive terms.
const classifierTerms = 1000

// classify re-ranks a first ranking by a linear classifier trained for
// this request, as arxiv-sanity-lite does: the positives (label 1) against
// the candidates (label 0), classes weighted to balance, over each paper's
// unit embedding and its l2-normalised tf·idf over the positives' terms.
// The candidates are then ranked by the classifier's score.
func (e *Engine) classify(ctx context.Context, req Request, in legInput, docs []string, posVecs [][]float32) ([]Fused, error) {
	first := req
	first.Offset, first.K = 0, min(classifierPool, MaxK)
	fused, err := e.rank(ctx, first, "", in)
	if err != nil {
		return nil, err
	}
	fused = fused[:min(len(fused), classifierPool)]
	if len(fused) == 0 {
		return fused, nil
	}
	useKW, useSem := req.Mode != ModeSemantic, req.Mode != ModeKeyword && in.vector != nil
	var vocab map[string]int
	var idf []float64
	if useKW {
		terms, err := e.pooledTerms(ctx, docs, nil, classifierTerms)
		if err != nil {
			return nil, err
		}
		names := make([]string, len(terms))
		vocab = make(map[string]int, len(terms))
		for i, t := range terms {
			names[i] = t.Term
			vocab[t.Term] = i
		}
		stats, err := e.st.TermStats(ctx, names)
		if err != nil {
			return nil, err
		}
		idf = make([]float64, len(names))
		for i, df := range stats.DF {
			idf[i] = math.Log(1+float64(stats.Docs)/float64(max(df, 1))) + 1
		}
	}
	ids := make([]string, len(fused))
	for i, f := range fused {
		ids[i] = f.ID
	}
	var cand []index.Paper
	if useKW {
		if cand, err = e.st.Papers(ctx, ids); err != nil {
			return nil, err
		}
	}
	features := func(text string, vec []float32) []float64 {
		var x []float64
		if useSem {
			x = make([]float64, len(in.vector))
			if c := centroid([][]float32{vec}); c != nil {
				for i, v := range c {
					x[i] = float64(v)
				}
			}
		}
		if useKW {
			tfidf := make([]float64, len(idf))
			for _, t := range index.Terms(text) {
				if j, ok := vocab[t]; ok {
					tfidf[j] += idf[j]
				}
			}
			var norm float64
			for _, v := range tfidf {
				norm += v * v
			}
			if norm > 0 {
				for j := range tfidf {
					tfidf[j] /= math.Sqrt(norm)
				}
			}
			x = append(x, tfidf...)
		}
		return x
	}
	var X [][]float64
	var y []float64
	for i, d := range docs {
		var v []float32
		if i < len(posVecs) {
			v = posVecs[i]
		}
		X = append(X, features(d, v))
		y = append(y, 1)
	}
	nPos := len(X)
	for i, id := range ids {
		var text string
		if useKW {
			text = cand[i].Text()
		}
		var v []float32
		if useSem {
			if v, err = e.st.Vector(ctx, id); err != nil {
				return nil, err
			}
		}
		X = append(X, features(text, v))
		y = append(y, 0)
	}
	w, b := trainLogistic(X, y, float64(len(ids))/float64(nPos))
	out := make([]Fused, len(fused))
	for i := range fused {
		out[i] = fused[i]
		out[i].Score = dot(w, X[nPos+i]) + b
	}
	slices.SortStableFunc(out, func(a, b Fused) int { return cmp.Compare(b.Score, a.Score) })
	return out, nil
}

// trainLogistic fits an L2-regularised logistic regression by full-batch
// gradient descent; positives weigh posWeight each (class balance).
func trainLogistic(X [][]float64, y []float64, posWeight float64) ([]float64, float64) {
	const (
		iterations = 200
		step       = 1.0
		lambda     = 1e-3
	)
	dim := len(X[0])
	w := make([]float64, dim)
	var b float64
	grad := make([]float64, dim)
	var total float64
	for _, label := range y {
		total += 1 + (posWeight-1)*label
	}
	for range iterations {
		clear(grad)
		var gb float64
		for i, x := range X {
			p := 1 / (1 + math.Exp(-(dot(w, x) + b)))
			weight := 1 + (posWeight-1)*y[i]
			g := weight * (p - y[i]) / total
			for j, v := range x {
				grad[j] += g * v
			}
			gb += g
		}
		for j := range w {
			w[j] -= step * (grad[j] + lambda*w[j])
		}
		b -= step * gb
	}
	return w, b
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

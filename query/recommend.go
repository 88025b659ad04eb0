package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paperseek/paperseek/index"
)

// Seeds are what a recommendation starts from: papers in the index the
// user likes (Positive) and does not (Negative), named by id or external
// id, and the texts of liked papers that are not in the index.
type Seeds struct {
	Positive []string
	Negative []string
	Texts    []string
}

// MaxSeeds bounds the papers and texts one recommendation may start from:
// a large library (a whole .bib export) is fine, an unbounded request is not.
const MaxSeeds = 10000

// Method is how a recommendation turns liked and disliked papers into one
// query per leg: Rocchio relevance feedback. Each variant was measured
// with `paperseek eval --task related` (the table is in the README).
type Method struct {
	// Name is how `eval --method` names the variant.
	Name string
	// Terms is how many of the positives' pooled distinctive terms the
	// keyword leg searches for.
	Terms int
	// Feedback is how many of the query vector's nearest papers are added
	// back into it with weight Rho (pseudo-relevance feedback); 0 is none.
	Feedback int
	Rho      float64
	// Beta weighs the negatives' centroid subtracted from the query
	// vector; 0 ignores them for ranking (they are never returned anyway).
	// The keyword leg has no negatives: a weighted BM25 query has no
	// negative weights.
	Beta float64
	// FusedFeedback takes the feedback papers from a first fused ranking
	// instead of the vector's nearest, and adds them to both legs: their
	// vectors to the query vector, their texts to the pooled terms, each
	// with weight Rho.
	FusedFeedback bool
	// Classifier re-ranks a first ranking by a linear classifier trained
	// for the request (classifier.go), as arxiv-sanity-lite does.
	Classifier bool
}

// The measured variants (bench/recommend.sh; the table is in the README).
// RocchioFused is the default: CISI nDCG@10 0.247 at one positive (mlt
// 0.237) and 0.324 at three (mlt 0.312, `related --text` over the three
// texts 0.283); on SciFact-train 0.597 at one (mlt 0.586), where
// rocchio-prf scored 0.607. The classifier scored lowest everywhere but
// SciFact's 8 queries with three positives.
var (
	// MethodMLT is the single-paper more-like-this `related ID` used
	// before recommendations: 25 terms, the vector itself. With several
	// positives it pools them.
	MethodMLT = Method{Name: "mlt", Terms: moreLikeThisTerms}
	// MethodRocchio pools 50 terms and takes the positives' centroid.
	MethodRocchio = Method{Name: "rocchio", Terms: 50}
	// MethodRocchioNeg subtracts the negatives' centroid as well.
	MethodRocchioNeg = Method{Name: "rocchio-neg", Terms: 50, Beta: 0.25}
	// MethodRocchioPRF adds the nearest papers' centroid too.
	MethodRocchioPRF = Method{Name: "rocchio-prf", Terms: 50, Feedback: 5, Rho: 0.5, Beta: 0.25}
	// MethodRocchioFused feeds back a first fused ranking into both legs.
	// Of T 30/50/100, feedback 3/5/10 and Rho 0.5/1 on CISI, 50/5/0.5
	// was best at three positives and near best at one.
	MethodRocchioFused = Method{Name: "rocchio-fused", Terms: 50, Feedback: 5, Rho: 0.5, Beta: 0.25, FusedFeedback: true}
	// MethodClassifier re-ranks rocchio-neg's first 1000 papers by a
	// per-request classifier.
	MethodClassifier = Method{Name: "classifier", Terms: 50, Beta: 0.25, Classifier: true}
)

// DefaultMethod is what `related` and POST /v1/recommend use.
var DefaultMethod = MethodRocchioFused

// Methods lists the variants eval can compare, the default last.
func Methods() []Method {
	return []Method{MethodMLT, MethodRocchio, MethodRocchioNeg, MethodRocchioPRF, MethodClassifier, MethodRocchioFused}
}

// MethodByName returns the variant named name.
func MethodByName(name string) (Method, bool) {
	for _, m := range Methods() {
		if m.Name == name {
			return m, true
		}
	}
	return Method{}, false
}

// Recommend finds papers like the positives and unlike the negatives with
// the default method. Positives and negatives are never returned.
func (e *Engine) Recommend(ctx context.Context, seeds Seeds, req Request) (*Response, error) {
	return e.RecommendWith(ctx, seeds, req, DefaultMethod)
}

// RecommendWith is Recommend with a chosen method (for eval).
func (e *Engine) RecommendWith(ctx context.Context, seeds Seeds, req Request, m Method) (*Response, error) {
	start := time.Now()
	if err := req.normalize(false); err != nil {
		return nil, err
	}
	texts := make([]string, 0, len(seeds.Texts))
	for _, t := range seeds.Texts {
		if t = strings.TrimSpace(t); t != "" {
			texts = append(texts, truncateUTF8(t, MaxQueryBytes))
		}
	}
	if n := len(seeds.Positive) + len(seeds.Negative) + len(texts); n > MaxSeeds {
		return nil, badRequest("at most %d papers and texts can be given, got %d", MaxSeeds, n)
	}
	if len(seeds.Positive)+len(texts) == 0 {
		return nil, badRequest("no paper to recommend from: give at least one positive paper id or text")
	}
	pos, err := e.resolveAll(ctx, seeds.Positive)
	if err != nil {
		return nil, err
	}
	neg, err := e.resolveAll(ctx, seeds.Negative)
	if err != nil {
		return nil, err
	}
	exclude := make(map[string]bool, len(pos)+len(neg))
	for _, id := range pos {
		exclude[id] = true
	}
	for _, id := range neg {
		if exclude[id] {
			return nil, badRequest("paper %q is both a positive and a negative", id)
		}
		exclude[id] = true
	}
	papers, err := e.st.Papers(ctx, pos)
	if err != nil {
		return nil, err
	}
	docs := make([]string, 0, len(papers)+len(texts))
	for _, p := range papers {
		docs = append(docs, p.Text())
	}
	docs = append(docs, texts...)

	in := legInput{exclude: exclude}
	if in.terms, err = e.pooledTerms(ctx, docs, nil, m.Terms); err != nil {
		return nil, err
	}
	var posVecs [][]float32
	if req.Mode != ModeKeyword {
		vm := m
		if m.FusedFeedback {
			vm.Feedback = 0
		}
		if posVecs, err = e.positiveVectors(ctx, pos, texts); err != nil {
			return nil, err
		}
		if in.vector, err = e.seedVector(ctx, posVecs, pos, neg, vm); err != nil {
			return nil, err
		}
		if in.vector == nil {
			// No positive has a usable vector (nothing its embedder
			// knew): keyword neighbours are still worth giving.
			req.Mode = ModeKeyword
		}
	}
	if m.FusedFeedback && m.Feedback > 0 {
		if err := e.fusedFeedback(ctx, req, &in, docs, m); err != nil {
			return nil, err
		}
	}
	var fused []Fused
	if m.Classifier {
		fused, err = e.classify(ctx, req, in, docs, posVecs)
	} else {
		fused, err = e.rank(ctx, req, "", in)
	}
	if err != nil {
		return nil, err
	}
	// Snippets mark the distinctive words the papers share.
	marks := make(map[string]bool, len(in.terms))
	for _, t := range in.terms {
		marks[t.Term] = true
	}
	return e.respond(ctx, req, seedLabel(pos, len(texts)), ModeRelated, fused, start, marks)
}

// seedLabel is the response's "query": the positive ids, and how many
// texts there were.
func seedLabel(pos []string, texts int) string {
	label := strings.Join(pos, " ")
	if texts > 0 {
		if label != "" {
			label += " "
		}
		label += fmt.Sprintf("+%d texts", texts)
		if texts == 1 {
			label = strings.TrimSuffix(label, "s")
		}
	}
	return label
}

// resolveAll resolves refs to ids, in order, without repeats.
func (e *Engine) resolveAll(ctx context.Context, refs []string) ([]string, error) {
	ids := make([]string, 0, len(refs))
	seen := make(map[string]bool, len(refs))
	for _, ref := range refs {
		id, err := e.st.Resolve(ctx, ref)
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// pooledTerms returns the n most distinctive terms of docs together: each
// term's frequency in a document relative to the document's length (so a
// long paper does not outvote the others), summed over the documents, times
// its idf in the index. Weights are relative to the strongest.
func (e *Engine) pooledTerms(ctx context.Context, docs []string, weights []float64, n int) ([]index.WeightedTerm, error) {
	pooled := map[string]float64{}
	for i, d := range docs {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		terms := index.Terms(d)
		for _, t := range terms {
			pooled[t] += w / float64(len(terms))
		}
	}
	return e.weighTerms(ctx, pooled, n)
}

// positiveVectors are the positives' stored vectors, then the texts'
// (embedded as documents), in order.
func (e *Engine) positiveVectors(ctx context.Context, pos []string, texts []string) ([][]float32, error) {
	var posVecs [][]float32
	for _, id := range pos {
		v, err := e.st.Vector(ctx, id)
		if err != nil {
			return nil, err
		}
		posVecs = append(posVecs, v)
	}
	if len(texts) > 0 {
		emb, err := e.embedder(ctx)
		if err != nil {
			return nil, err
		}
		vecs, err := emb.EmbedDocuments(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("%w: embed texts: %w", ErrEmbedder, err)
		}
		posVecs = append(posVecs, vecs...)
	}
	return posVecs, nil
}

// seedVector is the semantic leg's query: the centroid of the positives'
// unit vectors, minus Beta times the negatives' centroid, plus Rho times
// the centroid of its own Feedback nearest papers. nil when no positive
// has a vector.
func (e *Engine) seedVector(ctx context.Context, posVecs [][]float32, pos, neg []string, m Method) ([]float32, error) {
	q := centroid(posVecs)
	if q == nil {
		return nil, nil
	}
	if m.Beta > 0 && len(neg) > 0 {
		var negVecs [][]float32
		for _, id := range neg {
			v, err := e.st.Vector(ctx, id)
			if err != nil {
				return nil, err
			}
			negVecs = append(negVecs, v)
		}
		addScaled(q, centroid(negVecs), -m.Beta)
	}
	if m.Feedback > 0 {
		// Feedback comes from the whole index, not the filtered part: the
		// nearest papers say what the positives are about, and a narrow
		// filter (--since 7d) would leave only weak neighbours.
		skip := make(map[string]bool, len(pos)+len(neg))
		for _, id := range pos {
			skip[id] = true
		}
		for _, id := range neg {
			skip[id] = true
		}
		hits, err := e.st.Nearest(ctx, q, Filter{}, m.Feedback+len(skip))
		if err != nil {
			return nil, err
		}
		var fb [][]float32
		for _, h := range hits {
			if skip[h.ID] || len(fb) == m.Feedback {
				continue
			}
			v, err := e.st.Vector(ctx, h.ID)
			if err != nil && !errors.Is(err, index.ErrNotFound) {
				return nil, err
			}
			fb = append(fb, v)
		}
		addScaled(q, centroid(fb), m.Rho)
	}
	return q, nil
}

// centroid is the mean of vecs scaled to unit length; nil and zero vectors
// are left out, and nil is returned when none is left.
func centroid(vecs [][]float32) []float32 {
	var sum []float64
	n := 0
	for _, v := range vecs {
		var norm float64
		for _, x := range v {
			norm += float64(x) * float64(x)
		}
		if norm == 0 {
			continue
		}
		if sum == nil {
			sum = make([]float64, len(v))
		}
		if len(v) != len(sum) {
			continue // cannot happen in one index; never index out of range
		}
		inv := 1 / math.Sqrt(norm)
		for i, x := range v {
			sum[i] += float64(x) * inv
		}
		n++
	}
	if n == 0 {
		return nil
	}
	out := make([]float32, len(sum))
	for i, x := range sum {
		out[i] = float32(x / float64(n))
	}
	return out
}

// addScaled adds w·v to q in place (v nil: nothing).
func addScaled(q, v []float32, w float64) {
	if len(v) != len(q) {
		return
	}
	for i := range q {
		q[i] += float32(w * float64(v[i]))
	}
}

// fusedFeedback ranks once, unfiltered, and adds the first m.Feedback
// papers to both legs of in with weight m.Rho.
func (e *Engine) fusedFeedback(ctx context.Context, req Request, in *legInput, docs []string, m Method) error {
	first := req
	first.Filter = Filter{}
	first.Offset = 0
	first.K = m.Feedback
	fused, err := e.rank(ctx, first, "", *in)
	if err != nil {
		return err
	}
	ids := make([]string, 0, m.Feedback)
	for _, f := range fused[:min(len(fused), m.Feedback)] {
		ids = append(ids, f.ID)
	}
	papers, err := e.st.Papers(ctx, ids)
	if err != nil {
		return err
	}
	weights := make([]float64, len(docs), len(docs)+len(papers))
	for i := range weights {
		weights[i] = 1
	}
	all := slices.Clone(docs)
	var vecs [][]float32
	for _, p := range papers {
		all = append(all, p.Text())
		weights = append(weights, m.Rho*float64(len(docs))/float64(len(papers)))
		if in.vector != nil {
			v, err := e.st.Vector(ctx, p.ID)
			if err != nil {
				return err
			}
			vecs = append(vecs, v)
		}
	}
	if in.terms, err = e.pooledTerms(ctx, all, weights, m.Terms); err != nil {
		return err
	}
	if in.vector != nil {
		in.vector = slices.Clone(in.vector)
		addScaled(in.vector, centroid(vecs), m.Rho)
	}
	return nil
}

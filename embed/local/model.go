package local

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/paperseek/paperseek/embed"
)

// Methods accepted in Options.Method.
const (
	MethodPPMISIF = "ppmi-sif"
	MethodLSA     = "lsa"
	MethodBoth    = "ppmi-sif+lsa"
)

// modelVersion is bumped whenever a change alters the vectors produced from
// the same corpus, so two indexes built by different versions never look
// like the same vector space.
const modelVersion = "v1"

// Options controls training. The zero value trains the default model.
type Options struct {
	// Dimensions of the output vectors; 256 when zero. With MethodBoth each
	// half gets half of them. A tiny corpus cannot support many dimensions:
	// the model then has fewer, and Fingerprint reports the actual number.
	Dimensions int
	// Seed of the random projection inside the SVD. The same corpus and
	// seed always give the same model.
	Seed int64
	// Method is MethodBoth when empty.
	Method string
	// Tokenizer is TokenizerEn when empty.
	Tokenizer string
	// MinDocFreq drops words in fewer documents (default 2): a word seen in
	// one paper cannot relate two papers.
	MinDocFreq int
	// MaxVocab caps the vocabulary at the most frequent words (default
	// 100,000), which bounds model size and training memory on big corpora.
	MaxVocab int
	// MaxDocs caps the papers the model learns from (default 200,000): a
	// bigger corpus is sampled evenly. How words relate is learnt well
	// before that (the 119k arXiv set is below it), while training's time
	// and memory grow with the papers: at 1M papers the SVD's matrices
	// alone were several GB. Every paper is still embedded with the model.
	MaxDocs int
	// CorpusSize is how many documents the corpus yields, when the caller
	// knows (0: unknown). Over MaxDocs, the documents outside the sample
	// are then skipped as they are read instead of numbered and dropped
	// (training of 1M papers 114 → 99 s). The model is the same either way.
	CorpusSize int
	// Workers bounds the goroutines used; GOMAXPROCS when zero.
	Workers int
	// Tuning overrides the method's parameters; nil means DefaultTuning().
	// It exists for the measurements in bench/embedlab.
	Tuning *Tuning
}

// Tuning holds the parameters that were chosen by measurement. The product
// leaves Options.Tuning nil.
type Tuning struct {
	Window           int     // co-occurrence window, ± tokens
	ContextSmoothing float64 // exponent α on context counts in PMI
	PPMISigmaPower   float64 // word vectors are UΣ^p
	SIFWeight        float64 // a in a/(a+p(w))
	RemovePC         bool    // remove the first principal component (SIF)
	LSASigmaPower    float64 // LSA term vectors are UΣ^p (0: plain projection)
	LSADocNorm       bool    // unit-normalise tf-idf document columns before the SVD
	Oversample       int     // extra random directions in the SVD
	PowerIters       int     // subspace iterations in the SVD
}

// DefaultTuning returns the parameters the product uses, chosen with
// bench/embedlab. The SVD settings are above the textbook 20/4 on purpose:
// with those, seeds 1, 2, 3 gave CISI hybrid nDCG@10 0.433, 0.420, 0.421, so
// ranking quality depended on luck; at 50/6 two seeds agree within 0.002 on
// both judged sets, for about 1.4× the SVD time.
func DefaultTuning() Tuning {
	return Tuning{
		Window:           5,
		ContextSmoothing: 0.75,
		PPMISigmaPower:   0.5,
		SIFWeight:        3e-4,
		RemovePC:         true,
		LSASigmaPower:    0,
		LSADocNorm:       false,
		Oversample:       50,
		PowerIters:       6,
	}
}

func (o Options) withDefaults() Options {
	if o.Dimensions == 0 {
		o.Dimensions = 256
	}
	if o.Method == "" {
		o.Method = MethodBoth
	}
	if o.Tokenizer == "" {
		o.Tokenizer = TokenizerEn
	}
	if o.MinDocFreq == 0 {
		o.MinDocFreq = 2
	}
	if o.MaxVocab == 0 {
		o.MaxVocab = 100_000
	}
	if o.MaxDocs == 0 {
		o.MaxDocs = 200_000
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Tuning == nil {
		t := DefaultTuning()
		o.Tuning = &t
	}
	return o
}

// ErrTooSmall is wrapped by Train when the corpus is too small to learn
// anything from: no word it could use, or no dimension. The provider then
// stores an untrained model (untrained.go) instead of failing the index run.
var ErrTooSmall = errors.New("the corpus is too small to learn from")

// Model is a trained local embedder. It is safe for concurrent use.
type Model struct {
	method    string
	tokName   string
	tok       tokenizer
	words     []string
	vocab     map[string]int32
	tuning    Tuning
	docs      int // training corpus size, for the record
	sifDims   int
	sifWeight []float32 // per word: a/(a+p(w))
	sifVec    []float32 // words × sifDims
	pc        []float32 // first principal component of SIF document vectors
	lsaDims   int
	idf       []float32 // per word: ln(N/df)
	lsaVec    []float32 // words × lsaDims
	// rows, when set, holds sifWeight, sifVec, idf and lsaVec still in
	// a mapped model file (mapModel); the slices above are then nil.
	// mapping, when set, is that file's mapping, pinned while it is read.
	rows    *mappedRows
	mapping *embed.Mapping
}

var (
	_ embed.Embedder         = (*Model)(nil)
	_ embed.DocumentEmbedder = (*Model)(nil)
)

// trainingGCPercent is the garbage collector's target while a model is
// trained. Training's memory is a few large arrays without pointers (the
// token stream, sparse matrices, the SVD's dense blocks), which cost the
// collector nothing to scan, and at the default of 100 the heap grew to
// twice them: training the 119k arXiv set alone peaked at 994 MB with 100
// and 736 MB with 40, for 8% more training CPU (bench/embedlab -train, the
// machine loaded).
const trainingGCPercent = 40

// Train learns a model from the texts of the corpus (TrainDocuments).
func Train(ctx context.Context, corpus Corpus, opts Options) (*Model, error) {
	return TrainDocuments(ctx, corpus.documents(), opts)
}

// TrainDocuments learns a model from every document of the corpus (at most
// Options.MaxDocs of them); the model is the one Train learns from their
// texts. While it runs the garbage collector works harder
// (trainingGCPercent), unless GOGC asks for less.
func TrainDocuments(ctx context.Context, corpus Documents, opts Options) (*Model, error) {
	if prev := debug.SetGCPercent(trainingGCPercent); prev < trainingGCPercent {
		debug.SetGCPercent(prev) // GOGC set lower (or off): leave it
	} else {
		defer debug.SetGCPercent(prev)
	}
	// Training's arrays are garbage once it returns, but the collector
	// would next run only when the heap doubled over them (its goal comes
	// from the last collection, mid-training): the 119k build's peak came
	// as embedding began. Collect them now and give their memory back.
	defer debug.FreeOSMemory()
	opts = opts.withDefaults()
	tn := *opts.Tuning
	switch opts.Method {
	case MethodPPMISIF, MethodLSA, MethodBoth:
	default:
		return nil, fmt.Errorf("train local embedder: unknown method %q", opts.Method)
	}
	if opts.Dimensions < 2 || tn.Window < 1 || tn.Oversample < 0 || tn.PowerIters < 0 {
		return nil, fmt.Errorf("train local embedder: invalid options (dimensions %d, window %d)", opts.Dimensions, tn.Window)
	}
	tok, err := newTokenizer(opts.Tokenizer)
	if err != nil {
		return nil, fmt.Errorf("train local embedder: %w", err)
	}
	var t *tokenized
	if opts.MaxDocs > 0 && opts.CorpusSize > opts.MaxDocs {
		// The sample is known before reading: number only its documents.
		read := 0
		t, err = tokenizeCorpus(ctx, sampled(corpus, opts.CorpusSize, opts.MaxDocs, &read), opts.Tokenizer, tok, opts.Workers)
		if err == nil && read != opts.CorpusSize {
			t = nil // not the size it was said to be: read it whole below
		}
	}
	if t == nil && err == nil {
		t, err = tokenizeCorpus(ctx, corpus, opts.Tokenizer, tok, opts.Workers)
	}
	if err != nil {
		return nil, fmt.Errorf("train local embedder: %w", err)
	}
	// What the model learns is how words relate across papers: one paper,
	// or papers sharing no word, teach nothing a keyword search does not
	// already do. Such a corpus is too small (ErrTooSmall): the index then
	// works on keywords alone until a later run has enough to learn from.
	if t.docs() < 2 {
		return nil, fmt.Errorf("train local embedder: %w: one document relates no word to another", ErrTooSmall)
	}
	t.sample(opts.MaxDocs)
	t.restrict(opts.MinDocFreq, opts.MaxVocab)
	if len(t.terms) == 0 {
		return nil, fmt.Errorf("train local embedder: %w: no word is in %d of the %d papers", ErrTooSmall, opts.MinDocFreq, t.docs())
	}
	m := &Model{method: opts.Method, tokName: opts.Tokenizer, tok: tok,
		words: t.terms, tuning: tn, docs: t.docs()}
	m.buildVocab()

	sifDims, lsaDims := 0, 0
	switch opts.Method {
	case MethodPPMISIF:
		sifDims = opts.Dimensions
	case MethodLSA:
		lsaDims = opts.Dimensions
	case MethodBoth:
		sifDims = opts.Dimensions / 2
		lsaDims = opts.Dimensions - sifDims
	}
	seed := uint64(opts.Seed)
	if sifDims > 0 {
		if err := m.trainSIF(ctx, t, sifDims, seed, opts.Workers); err != nil {
			return nil, fmt.Errorf("train local embedder: ppmi-sif: %w", err)
		}
	}
	if lsaDims > 0 {
		if err := m.trainLSA(ctx, t, lsaDims, seed+1, opts.Workers); err != nil {
			return nil, fmt.Errorf("train local embedder: lsa: %w", err)
		}
	}
	if m.sifDims+m.lsaDims == 0 {
		return nil, fmt.Errorf("train local embedder: %w: %d documents give no dimension", ErrTooSmall, t.docs())
	}
	return m, nil
}

func (m *Model) buildVocab() {
	m.vocab = make(map[string]int32, len(m.words))
	for i, w := range m.words {
		m.vocab[w] = int32(i)
	}
}

func (m *Model) trainSIF(ctx context.Context, t *tokenized, dims int, seed uint64, workers int) error {
	tn := m.tuning
	a, err := ppmiMatrix(ctx, t, tn.Window, tn.ContextSmoothing, workers)
	if err != nil {
		return err
	}
	at := a.transpose()
	u, sigma, k, err := truncatedSVD(ctx, a, at, svdParams{k: dims, oversample: tn.Oversample,
		powerIters: tn.PowerIters, seed: seed, workers: workers})
	if err != nil {
		return err
	}
	a, at = nil, nil
	if k == 0 {
		return nil
	}
	v := len(t.terms)
	m.sifDims = k
	m.sifVec = scaleColumns(u, v, k, sigma, tn.PPMISigmaPower)
	var total float64
	for _, c := range t.count {
		total += float64(c)
	}
	m.sifWeight = make([]float32, v)
	for w, c := range t.count {
		m.sifWeight[w] = float32(tn.SIFWeight / (tn.SIFWeight + float64(c)/total))
	}
	if tn.RemovePC {
		m.pc = m.principalComponent(t, workers)
	}
	return ctx.Err()
}

func (m *Model) trainLSA(ctx context.Context, t *tokenized, dims int, seed uint64, workers int) error {
	tn := m.tuning
	v, n := len(t.terms), t.docs()
	m.idf = make([]float32, v)
	for w, df := range t.df {
		m.idf[w] = float32(math.Log(float64(n) / float64(df)))
	}
	// Document × term first (one row per document, built in corpus order),
	// then transposed: the SVD wants terms as rows.
	dt := &csr{rows: n, cols: v, ptr: make([]int, 1, n+1)}
	var ids []int32
	for d := 0; d < n; d++ {
		ids = append(ids[:0], t.stream[t.start[d]:t.start[d+1]]...)
		slices.Sort(ids)
		rowStart := len(dt.val)
		var norm float64
		for i := 0; i < len(ids); {
			j := i + 1
			for j < len(ids) && ids[j] == ids[i] {
				j++
			}
			x := (1 + math.Log(float64(j-i))) * float64(m.idf[ids[i]])
			if x > 0 {
				dt.idx = append(dt.idx, ids[i])
				dt.val = append(dt.val, float32(x))
				norm += x * x
			}
			i = j
		}
		if tn.LSADocNorm && norm > 0 {
			s := float32(1 / math.Sqrt(norm))
			for p := rowStart; p < len(dt.val); p++ {
				dt.val[p] *= s
			}
		}
		dt.ptr = append(dt.ptr, len(dt.idx))
	}
	td := dt.transpose()
	u, sigma, k, err := truncatedSVD(ctx, td, dt, svdParams{k: dims, oversample: tn.Oversample,
		powerIters: tn.PowerIters, seed: seed, workers: workers})
	if err != nil {
		return err
	}
	m.lsaDims = k
	if k == 0 {
		m.idf = nil
		return nil
	}
	m.lsaVec = scaleColumns(u, v, k, sigma, tn.LSASigmaPower)
	return ctx.Err()
}

// scaleColumns scales U (row-major rows × k) to U·Σ^p in place and returns it.
func scaleColumns(u []float32, rows, k int, sigma []float64, p float64) []float32 {
	s := make([]float64, k)
	for j := range s {
		s[j] = math.Pow(sigma[j], p)
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < k; j++ {
			u[i*k+j] = float32(float64(u[i*k+j]) * s[j])
		}
	}
	return u
}

// principalComponent is the top right singular vector of the matrix whose
// rows are the SIF averages of every training document: the direction
// common to all texts (frequent-word and style noise) that SIF removes.
func (m *Model) principalComponent(t *tokenized, workers int) []float32 {
	k := m.sifDims
	n := t.docs()
	// Fixed-size chunks summed in chunk order keep the result independent
	// of the number of workers.
	const chunk = 2048
	nChunks := (n + chunk - 1) / chunk
	partial := make([][]float64, nChunks)
	parallelFor(nChunks, workers, func(lo, hi int) {
		vec := make([]float64, k)
		for c := lo; c < hi; c++ {
			g := make([]float64, k*k)
			for d := c * chunk; d < min(n, (c+1)*chunk); d++ {
				clear(vec)
				s := t.stream[t.start[d]:t.start[d+1]]
				if len(s) == 0 {
					continue
				}
				for _, w := range s {
					addWidened(vec, float64(m.sifWeight[w]), m.sifVec[int(w)*k:int(w+1)*k])
				}
				inv := 1 / float64(len(s))
				for i := range vec {
					vec[i] *= inv
				}
				for i, xi := range vec {
					if xi == 0 {
						continue
					}
					gi := g[i*k : (i+1)*k]
					for j := i; j < k; j++ {
						gi[j] += xi * vec[j]
					}
				}
			}
			partial[c] = g
		}
	})
	g := make([]float64, k*k)
	for _, p := range partial {
		for i, x := range p {
			g[i] += x
		}
	}
	return topEigenvector(g, k)
}

// EmbedQuery embeds a search query. A query with no word the model knows is
// the all-zero vector.
func (m *Model) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	if m.mapping != nil {
		if err := m.mapping.Pin(); err != nil {
			return nil, fmt.Errorf("embed query: %w", err)
		}
		defer m.mapping.Unpin()
	}
	out := make([]float32, m.Dimensions())
	m.embed(embed.Document{Text: text}, out, nil)
	return out, nil
}

// EmbedDocuments embeds texts in parallel; the result does not depend on the
// batch it came in.
func (m *Model) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	docs := make([]embed.Document, len(texts))
	for i, t := range texts {
		docs[i].Text = t
	}
	return m.EmbedDocs(ctx, docs)
}

// EmbedDocs implements embed.DocumentEmbedder: EmbedDocuments, taking a
// document's terms instead of analysing its text when they are known and
// the model's tokenizer is the analyzer that made them.
func (m *Model) EmbedDocs(ctx context.Context, docs []embed.Document) ([][]float32, error) {
	if m.mapping != nil {
		if err := m.mapping.Pin(); err != nil {
			return nil, fmt.Errorf("embed documents: %w", err)
		}
		defer m.mapping.Unpin()
	}
	dims := m.Dimensions()
	flat := make([]float32, len(docs)*dims)
	out := make([][]float32, len(docs))
	var mu sync.Mutex
	var err error
	parallelFor(len(docs), 0, func(lo, hi int) {
		var ids []int32
		for i := lo; i < hi; i++ {
			if e := ctx.Err(); e != nil {
				mu.Lock()
				err = e
				mu.Unlock()
				return
			}
			out[i] = flat[i*dims : (i+1)*dims : (i+1)*dims]
			ids = m.embed(docs[i], out[i], ids)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("embed documents: %w", err)
	}
	return out, nil
}

// Dimensions is the length of every vector the model produces.
func (m *Model) Dimensions() int { return m.sifDims + m.lsaDims }

// Fingerprint names the vector space: method, version and dimensions.
func (m *Model) Fingerprint() embed.Fingerprint {
	if m.Dimensions() == 0 {
		return embed.Fingerprint{Name: "local", Model: embed.Untrained}
	}
	name := m.method + "-" + modelVersion
	if m.tokName != TokenizerEn {
		name += "-" + m.tokName
	}
	return embed.Fingerprint{Name: "local", Model: name, Dimensions: m.Dimensions()}
}

// Vocabulary is the number of words the model knows.
func (m *Model) Vocabulary() int { return len(m.words) }

// embed writes the vector of d into out (len Dimensions, zeroed by the
// caller or freshly made) and returns ids for reuse as scratch space.
func (m *Model) embed(d embed.Document, out []float32, ids []int32) []int32 {
	ids = ids[:0]
	add := func(s string) {
		if id, ok := m.vocab[s]; ok {
			ids = append(ids, id)
		}
	}
	if termsUsable(m.tokName, d) {
		for _, s := range d.Terms {
			add(s)
		}
	} else {
		m.tok.tokens(d.Text, add)
	}
	clear(out)
	if len(ids) == 0 {
		return ids
	}
	sif, lsa := out[:m.sifDims], out[m.sifDims:]
	if m.sifDims > 0 {
		k := m.sifDims
		acc := make([]float64, k)
		var buf []float32
		if m.rows != nil {
			buf = make([]float32, k)
		}
		for _, w := range ids {
			addWidened(acc, float64(m.sifWeightOf(w)), m.sifRow(w, buf))
		}
		if m.pc != nil {
			var dot float64
			for j, x := range m.pc {
				dot += acc[j] * float64(x)
			}
			for j, x := range m.pc {
				acc[j] -= dot * float64(x)
			}
		}
		normalizeInto(sif, acc)
	}
	if m.lsaDims > 0 {
		k := m.lsaDims
		acc := make([]float64, k)
		var buf []float32
		if m.rows != nil {
			buf = make([]float32, k)
		}
		slices.Sort(ids)
		for i := 0; i < len(ids); {
			j := i + 1
			for j < len(ids) && ids[j] == ids[i] {
				j++
			}
			w := ids[i]
			wt := (1 + math.Log(float64(j-i))) * float64(m.idfOf(w))
			addWidened(acc, wt, m.lsaRow(w, buf))
			i = j
		}
		normalizeInto(lsa, acc)
	}
	if m.sifDims > 0 && m.lsaDims > 0 {
		// Each half is a unit vector (or zero); scaling both by 1/√2 makes
		// a dot product the mean of the two cosines. Renormalising covers
		// a text where only one half is non-zero.
		normalize(out)
	}
	return ids
}

// The accessors below read a word's entries from the arrays in memory, or
// decode them from the mapped file (into buf, of the row's length).

func (m *Model) sifWeightOf(w int32) float32 {
	if m.rows != nil {
		return m.rows.at(m.rows.sifWeight, int(w))
	}
	return m.sifWeight[w]
}

func (m *Model) sifRow(w int32, buf []float32) []float32 {
	k := m.sifDims
	if m.rows != nil {
		return m.rows.row(m.rows.sifVec, w, k, buf)
	}
	return m.sifVec[int(w)*k : int(w+1)*k]
}

func (m *Model) idfOf(w int32) float32 {
	if m.rows != nil {
		return m.rows.at(m.rows.idf, int(w))
	}
	return m.idf[w]
}

func (m *Model) lsaRow(w int32, buf []float32) []float32 {
	k := m.lsaDims
	if m.rows != nil {
		return m.rows.row(m.rows.lsaVec, w, k, buf)
	}
	return m.lsaVec[int(w)*k : int(w+1)*k]
}

// normalizeInto writes acc/‖acc‖ into dst, or zeros when acc is zero.
func normalizeInto(dst []float32, acc []float64) {
	var ss float64
	for _, x := range acc {
		ss += x * x
	}
	if ss == 0 || math.IsNaN(ss) || math.IsInf(ss, 0) {
		clear(dst)
		return
	}
	inv := 1 / math.Sqrt(ss)
	for i, x := range acc {
		dst[i] = float32(x * inv)
	}
}

// normalize scales v to unit length in place; a zero vector stays zero.
func normalize(v []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		return
	}
	inv := 1 / math.Sqrt(ss)
	for i, x := range v {
		v[i] = float32(float64(x) * inv)
	}
}

// Words implements embed.VocabularyCounter.
func (m *Model) Words(text string, fn func(word string, known bool)) {
	m.tok.tokens(text, func(s string) {
		_, ok := m.vocab[s]
		fn(s, ok)
	})
}

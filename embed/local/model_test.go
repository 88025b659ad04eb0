package local

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/embed"
)

// topicCorpus is a small corpus with four unrelated topics. "automobile"
// never appears together with the target paper's words in that paper, but
// it co-occurs with them (brake, garage, mechanic, tyre) in other papers, as
// a synonym of "car" would in a real corpus.
func topicCorpus() (docs []string, target int) {
	docs = []string{
		"automobile brake failure on wet road studied by a mechanic",
		"the automobile garage replaced worn tyre and brake pads",
		"mechanic inspects automobile engine oil and brake fluid in the garage",
		"automobile tyre pressure and brake distance on the highway",
		"a garage mechanic tunes the automobile engine and checks each tyre",
		"automobile drivers and engine fuel economy on the highway road",
		"fresh bread dough rises in a warm oven before baking with flour",
		"bake the cake with sugar flour and butter in a hot oven",
		"pastry chef kneads dough with butter and sugar for the oven",
		"flour quality changes how bread dough rises and bakes",
		"oven temperature decides the crust of bread and cake",
		"telescope observations of a distant galaxy and its stars",
		"planet orbit around a star measured with a space telescope",
		"galaxy clusters and dark matter seen through the telescope",
		"stars in the galaxy orbit a massive black hole",
		"a new planet found orbiting a nearby star by telescope",
		"orchestra violin and piano concerto in the concert hall",
		"the piano sonata and violin melody charmed the concert audience",
		"choir sings with orchestra and organ in a concert",
		"melody harmony and rhythm of a violin concerto",
		"car brake and tyre repair by the garage mechanic",
	}
	return docs, len(docs) - 1
}

func train(t *testing.T, docs []string, opts Options) *Model {
	t.Helper()
	m, err := Train(context.Background(), TextsCorpus(docs), opts)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	return m
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func norm(v []float32) float64 { return math.Sqrt(dot(v, v)) }

var methods = []string{MethodPPMISIF, MethodLSA, MethodBoth}

func TestSynonymFindsPaperWithNoSharedWord(t *testing.T) {
	docs, target := topicCorpus()
	for _, method := range methods {
		t.Run(method, func(t *testing.T) {
			m := train(t, docs, Options{Method: method, Seed: 1})
			q, _ := m.EmbedQuery(context.Background(), "automobile")
			vecs, _ := m.EmbedDocuments(context.Background(), docs)
			// Rank only the papers that do not contain the query word: the
			// ones a keyword search cannot find.
			type scored struct {
				doc   int
				score float64
			}
			var ranked []scored
			for i, v := range vecs {
				if !strings.Contains(docs[i], "automobile") {
					ranked = append(ranked, scored{i, dot(q, v)})
				}
			}
			slices.SortFunc(ranked, func(a, b scored) int {
				if a.score > b.score {
					return -1
				}
				if a.score < b.score {
					return 1
				}
				return 0
			})
			if ranked[0].doc != target {
				t.Errorf("best paper without the word %q is %q (%.3f), want %q", "automobile",
					docs[ranked[0].doc], ranked[0].score, docs[target])
			}
		})
	}
}

func TestVectorsAreUnitOrZero(t *testing.T) {
	docs, _ := topicCorpus()
	m := train(t, docs, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		text string
		zero bool
	}{
		{"automobile", false},
		{"Bread and CAKE in the oven!", false},
		{"the galaxy's stars", false}, // possessive and stemming: known words
		{"", true},
		{"the of and", true},         // stop words only
		{"zyxwv quokka 12345", true}, // unknown words
		{"choir", true},              // in one paper only: not in the vocabulary
		{"zyxwv telescope", false},   // one known word is enough
	} {
		v, err := m.EmbedQuery(ctx, tc.text)
		if err != nil {
			t.Fatalf("EmbedQuery(%q): %v", tc.text, err)
		}
		if len(v) != m.Fingerprint().Dimensions {
			t.Errorf("EmbedQuery(%q): %d dims, fingerprint says %d", tc.text, len(v), m.Fingerprint().Dimensions)
		}
		n := norm(v)
		switch {
		case tc.zero && n != 0:
			t.Errorf("EmbedQuery(%q) has norm %v, want the zero vector", tc.text, n)
		case !tc.zero && math.Abs(n-1) > 1e-5:
			t.Errorf("EmbedQuery(%q) has norm %v, want 1", tc.text, n)
		}
	}
	vecs, err := m.EmbedDocuments(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vecs {
		if math.Abs(norm(v)-1) > 1e-5 {
			t.Errorf("document %d has norm %v, want 1", i, norm(v))
		}
	}
}

func TestTrainingIsDeterministic(t *testing.T) {
	docs, _ := topicCorpus()
	ctx := context.Background()
	for _, method := range methods {
		t.Run(method, func(t *testing.T) {
			a := train(t, docs, Options{Method: method, Seed: 7, Workers: 1})
			b := train(t, docs, Options{Method: method, Seed: 7, Workers: 3})
			va, _ := a.EmbedDocuments(ctx, docs)
			vb, _ := b.EmbedDocuments(ctx, docs)
			for i := range va {
				if !slices.Equal(va[i], vb[i]) {
					t.Fatalf("document %d: vectors differ between two trainings with the same seed", i)
				}
			}
			if a.Fingerprint() != b.Fingerprint() {
				t.Errorf("fingerprints differ: %v vs %v", a.Fingerprint(), b.Fingerprint())
			}
		})
	}
}

func TestEmbedDocumentsMatchesEmbedQuery(t *testing.T) {
	// A paper embedded in a batch must equal the same text embedded alone,
	// or related-paper lookups would depend on how the index was batched.
	docs, _ := topicCorpus()
	m := train(t, docs, Options{})
	ctx := context.Background()
	vecs, _ := m.EmbedDocuments(ctx, docs)
	for i, d := range docs {
		q, _ := m.EmbedQuery(ctx, d)
		if !slices.Equal(q, vecs[i]) {
			t.Errorf("document %d: batch and single embeddings differ", i)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	docs, _ := topicCorpus()
	ctx := context.Background()
	for _, method := range methods {
		t.Run(method, func(t *testing.T) {
			m := train(t, docs, Options{Method: method, Dimensions: 16})
			dir := t.TempDir()
			path := dir + "/model.bin"
			if err := m.Save(path); err != nil {
				t.Fatalf("Save: %v", err)
			}
			if err := m.Save(path); err != nil { // overwriting works too
				t.Fatalf("second Save: %v", err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d files after Save, want only the model (no temp files left)", len(entries))
			}
			l, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if l.Fingerprint() != m.Fingerprint() {
				t.Errorf("fingerprint %v after load, want %v", l.Fingerprint(), m.Fingerprint())
			}
			want, _ := m.EmbedDocuments(ctx, docs)
			got, _ := l.EmbedDocuments(ctx, docs)
			for i := range want {
				if !slices.Equal(want[i], got[i]) {
					t.Fatalf("document %d embeds differently after Save/Load", i)
				}
			}
			for _, q := range []string{"automobile brake", "galaxy", "unknownword"} {
				a, _ := m.EmbedQuery(ctx, q)
				b, _ := l.EmbedQuery(ctx, q)
				if !slices.Equal(a, b) {
					t.Errorf("query %q embeds differently after Save/Load", q)
				}
			}
		})
	}
}

func TestLoadRejectsDamagedFiles(t *testing.T) {
	docs, _ := topicCorpus()
	m := train(t, docs, Options{Dimensions: 8})
	path := t.TempDir() + "/model.bin"
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"truncated", good[:len(good)-100]},
		{"one bit flipped", flipped},
		{"empty", nil},
		{"not a model", []byte(`{"papers": 3}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := t.TempDir() + "/bad.bin"
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(p); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Load(%s) = %v, want ErrCorrupt", tc.name, err)
			}
		})
	}
	if _, err := Load(t.TempDir() + "/missing.bin"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want os.ErrNotExist", err)
	}
}

func TestTrainErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	docs, _ := topicCorpus()
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		corpus Corpus
		opts   Options
		is     error
	}{
		{"empty corpus", context.Background(), TextsCorpus(nil), Options{}, nil},
		{"only stop words", context.Background(), TextsCorpus([]string{"the and", "of the"}), Options{}, nil},
		{"corpus error", context.Background(), func(fn func(string) error) error {
			_ = fn("a first paper about cars")
			return boom
		}, Options{}, boom},
		{"cancelled", cancelled, TextsCorpus(docs), Options{}, context.Canceled},
		{"unknown method", context.Background(), TextsCorpus(docs), Options{Method: "word2vec"}, nil},
		{"unknown tokenizer", context.Background(), TextsCorpus(docs), Options{Tokenizer: "klingon"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Train(tc.ctx, tc.corpus, tc.opts)
			if err == nil {
				t.Fatalf("Train succeeded (%v), want an error", m.Fingerprint())
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Train error %v, want it to wrap %v", err, tc.is)
			}
		})
	}
}

// An index starts with whatever papers the user has. Two papers that share
// no word, a single one, or papers made only of stop words teach nothing:
// Train says the corpus is too small, and the provider gives an untrained
// model (no dimension, queries get embed.ErrNoModel) instead of failing
// the run; the next run trains again and learns once the corpus allows.
func TestTooSmallCorpusGivesUntrainedModel(t *testing.T) {
	ctx := context.Background()
	for _, docs := range [][]string{
		{"Glaciers retreat in warming climates", "Volcanic eruptions inject sulphate aerosols"},
		{"A single lonely paper about mitochondria"},
		{"the", "of the"},
	} {
		if _, err := Train(ctx, TextsCorpus(docs), Options{}); !errors.Is(err, ErrTooSmall) {
			t.Errorf("%q: Train error %v, want ErrTooSmall", docs, err)
		}
		prep, err := provider{}.Prepare(ctx, embed.PrepareArgs{Corpus: sliceCorpusFunc(docs)})
		if err != nil {
			t.Fatalf("%q: Prepare: %v", docs, err)
		}
		if fp := prep.State.Fingerprint; !fp.Untrained() || fp.Dimensions != 0 || !prep.ReembedAll {
			t.Errorf("%q: prepared %+v, want an untrained model re-embedding all", docs, prep)
		}
		vecs, err := prep.Embedder.EmbedDocuments(ctx, docs)
		if err != nil || len(vecs) != len(docs) || len(vecs[0]) != 0 {
			t.Errorf("%q: EmbedDocuments = %v, %v; want empty vectors", docs, vecs, err)
		}
		// Stored and read back, it is a model that says it has none.
		b, err := prep.State.Model.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		st := embed.State{Fingerprint: prep.State.Fingerprint, Config: prep.State.Config, Model: embed.BytesBlob(b)}
		if _, err := (provider{}).Query(st, ""); !errors.Is(err, embed.ErrNoModel) {
			t.Errorf("%q: Query error %v, want embed.ErrNoModel", docs, err)
		}
		// A later run with enough papers learns a real model, at the
		// default size, without --retrain.
		topics, _ := topicCorpus()
		more := append(slices.Clone(docs), topics...)
		prep, err = provider{}.Prepare(ctx, embed.PrepareArgs{Prev: &st, Corpus: sliceCorpusFunc(more)})
		if err != nil {
			t.Fatal(err)
		}
		if fp := prep.State.Fingerprint; fp.Untrained() || fp.Dimensions == 0 || !prep.ModelChanged || !prep.ReembedAll {
			t.Errorf("%q + topics: prepared %+v, want a trained model", docs, prep)
		}
		if got := prep.State.Config[requestedDimsKey]; got != "256" {
			t.Errorf("requested dimensions recorded as %q, want 256", got)
		}
	}
}

// A model that shrank on a tiny corpus grows back to the size asked for
// when retrained on a bigger one.
func TestRetrainAimsAtRequestedDimensions(t *testing.T) {
	ctx := context.Background()
	tiny := []string{"neural network training", "network training speed", "neural speed"}
	prep, err := provider{}.Prepare(ctx, embed.PrepareArgs{Spec: embed.Spec{Dimensions: 64}, Corpus: sliceCorpusFunc(tiny)})
	if err != nil {
		t.Fatal(err)
	}
	if d := prep.State.Fingerprint.Dimensions; d < 1 || d > 8 {
		t.Fatalf("tiny corpus: %d dimensions", d)
	}
	b, _ := prep.State.Model.Bytes()
	st := embed.State{Fingerprint: prep.State.Fingerprint, Config: prep.State.Config, Model: embed.BytesBlob(b)}
	_, texts := seedPapers(t)
	prep, err = provider{}.Prepare(ctx, embed.PrepareArgs{Prev: &st, Retrain: true, Corpus: sliceCorpusFunc(texts)})
	if err != nil {
		t.Fatal(err)
	}
	if d := prep.State.Fingerprint.Dimensions; d != 64 {
		t.Errorf("retrained on 60 papers: %d dimensions, want the 64 asked for at first", d)
	}
}

func sliceCorpusFunc(docs []string) func(fn func(embed.Document) error) error {
	return func(fn func(embed.Document) error) error {
		for _, d := range docs {
			if err := fn(embed.Document{Text: d}); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestDimensionsShrinkOnTinyCorpus(t *testing.T) {
	docs := []string{"neural network training", "network training speed", "neural speed"}
	for _, method := range methods {
		t.Run(method, func(t *testing.T) {
			m := train(t, docs, Options{Method: method})
			fp := m.Fingerprint()
			if fp.Dimensions < 1 || fp.Dimensions > 8 {
				t.Errorf("3 papers with 4 known words gave %d dimensions", fp.Dimensions)
			}
			v, _ := m.EmbedQuery(context.Background(), "neural")
			if len(v) != fp.Dimensions || math.Abs(norm(v)-1) > 1e-5 {
				t.Errorf("query vector: len %d (fingerprint %d), norm %v", len(v), fp.Dimensions, norm(v))
			}
		})
	}
}

// seedPapers reads the bundled 60-paper demo corpus.
func seedPapers(t testing.TB) (titles, texts []string) {
	f, err := os.Open("../../testdata/papers.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p struct{ Title, Abstract string }
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		titles = append(titles, p.Title)
		texts = append(texts, p.Title+"\n"+p.Abstract)
	}
	return titles, texts
}

func TestDemoCorpus(t *testing.T) {
	titles, texts := seedPapers(t)
	ctx := context.Background()
	m := train(t, texts, Options{})
	fp := m.Fingerprint()
	if fp.Name != "local" || fp.Dimensions < 16 || fp.Dimensions > 256 {
		t.Fatalf("fingerprint %v: want local with 16..256 dimensions for 60 papers", fp)
	}
	vecs, _ := m.EmbedDocuments(ctx, texts)
	// A paper's own title, as a query, should find that paper first.
	first := 0
	for i, title := range titles {
		q, _ := m.EmbedQuery(ctx, title)
		best, bestScore := -1, math.Inf(-1)
		for j, v := range vecs {
			if s := dot(q, v); s > bestScore {
				best, bestScore = j, s
			}
		}
		if best == i {
			first++
		}
	}
	if first < len(titles)*8/10 {
		t.Errorf("a paper's title finds the paper first for %d of %d papers, want at least 80%%", first, len(titles))
	}
}

// Documents whose terms are given train the model and get the vectors of
// their texts, bit for bit, when the terms are the model tokenizer's
// words; a model with another tokenizer ignores terms.
func TestTermsTrainAndEmbedLikeTexts(t *testing.T) {
	ctx := context.Background()
	texts, _ := topicCorpus()
	texts = append(texts, "", "the of and", "Schrödinger's naïve café brake")
	for _, tokName := range []string{TokenizerEn, TokenizerPlain} {
		opts := Options{Dimensions: 8, Tokenizer: tokName}
		want := train(t, texts, opts)
		en := train(t, texts, Options{Dimensions: 8})
		docs := make([]embed.Document, len(texts))
		for i, text := range texts {
			docs[i] = embed.Document{Text: text, Terms: []string{}}
			en.Words(text, func(w string, _ bool) { docs[i].Terms = append(docs[i].Terms, w) })
		}
		if tokName != TokenizerEn {
			for i := range docs { // terms the plain tokenizer must not take
				docs[i].Terms = append(docs[i].Terms, "brake")
			}
		}
		got, err := TrainDocuments(ctx, func(fn func(embed.Document) error) error {
			for _, d := range docs {
				if err := fn(d); err != nil {
					return err
				}
			}
			return nil
		}, opts)
		if err != nil {
			t.Fatal(err)
		}
		wb, _ := want.Encode()
		gb, _ := got.Encode()
		if !slices.Equal(wb, gb) {
			t.Errorf("%s: the model trained from terms differs from the one trained from texts", tokName)
		}
		wv, _ := want.EmbedDocuments(ctx, texts)
		gv, err := want.EmbedDocs(ctx, docs)
		if err != nil {
			t.Fatal(err)
		}
		for i := range wv {
			if !slices.EqualFunc(wv[i], gv[i], func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
				t.Errorf("%s: vector of %q from its terms differs", tokName, texts[i])
			}
		}
	}
}

package local

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	elocal "github.com/paperseek/paperseek/embed/local"
	"github.com/paperseek/paperseek/index"
)

// termsModel is a local model with the default tokenizer; only the way it
// cuts text into words (Words) matters here, not what it learned.
func termsModel(t *testing.T) *elocal.Model {
	t.Helper()
	var texts []string
	for _, p := range corpus(30, "m") {
		texts = append(texts, p.Text())
	}
	m, err := elocal.Train(context.Background(), elocal.TextsCorpus(texts), elocal.Options{Dimensions: 8})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// modelWords is every word the model cuts text into, in order, known to
// it or not: the embedder's own tokenisation.
func modelWords(m *elocal.Model, text string) []string {
	out := []string{}
	m.Words(text, func(w string, _ bool) { out = append(out, w) })
	return out
}

// termsEdgeCases are texts where the analyzers could part: possessives,
// apostrophes, stop words only, numbers, markup, control characters,
// whitespace runs, and non-ASCII texts (whose terms must not be reused).
var termsEdgeCases = [][2]string{
	{"", ""},
	{"", "the of and a an"},
	{"The", ""},
	{"John's model", "O'Neil's and the students' results aren't Bob's'"},
	{"don't can't won't", "it's 'quoted' ''double'' '''"},
	{"U.S. e.g. i.e. et al.", "3.14 1,000 1e-5 10^6 2x2 0.5% $x^2$ \\alpha_{i,j}"},
	{"http://example.com/a?b=c&d=e", "mail foo@bar.org #hashtag @user x_1 x-ray self-attention"},
	{"CamelCase ALLCAPS MiXeD", "running runs ran runner easily fairly generalizations"},
	{"tab\there", "new\nline\r\nwindows  many   spaces\v\f"},
	{"\x00\x01\x1f control", "\x7f del and ~!@#$%^&*()_+`-=[]{}|;:\",./<>?"},
	{"a", "b"},
	{"'s", "'s's 's' s'"},
	{strings.Repeat("word ", 500), strings.Repeat("the ", 300) + "end"},
	{"Déjà vu", "naïve Bayes"},
	{"Schrödinger's cat", "Đoković and Müller"},
	{"John’s model", "curly ’s possessive"},
	{"αβγ Greek", "中文 text"},
	{"plain ASCII title", "then one é at the end"},
	{"thé", "the café"},
}

// bundledPapers reads the repository's paper files (JSON lines with
// title and abstract).
func bundledPapers(t *testing.T) []index.Paper {
	t.Helper()
	var out []index.Paper
	for _, name := range []string{"papers.jsonl", filepath.Join("eval", "papers.jsonl")} {
		f, err := os.Open(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var p struct{ Title, Abstract string }
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out = append(out, index.Paper{Title: p.Title, Abstract: p.Abstract})
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 70 {
		t.Fatalf("only %d bundled papers", len(out))
	}
	return out
}

// randomASCII is a text of words that stress tokenisation, joined by
// random separators, or (one time in four) random ASCII bytes.
func randomASCII(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.IntN(128))
		}
		return string(b)
	}
	words := []string{"the", "a", "of", "models", "model's", "students'", "isn't", "O'Brien's",
		"self-attention", "x_1", "e.g.", "U.S.A.", "3.14", "1,000", "10^-3", "$\\mathbb{R}^n$",
		"GPT-4", "BERT", "running", "generalization", "relational", "happy", "caresses", "ponies",
		"it's", "'s", "s'", "''", "CO2", "H2O", "k-means", "n-gram", "state-of-the-art", "I", "AND",
		"http://arxiv.org/abs/1234.5678", "a.b@c.de", "#1", "50%", "(see", "Fig.", "2)", "[12]"}
	seps := []string{" ", " ", " ", "\n", "\t", ", ", ". ", "; ", "-", "/", "'", "\"", "  ", "\x00", "\x1b"}
	var sb strings.Builder
	for range r.IntN(120) {
		w := words[r.IntN(len(words))]
		if r.IntN(5) == 0 {
			w = strings.ToUpper(w)
		}
		sb.WriteString(w)
		sb.WriteString(seps[r.IntN(len(seps))])
	}
	return sb.String()
}

// The terms the writer keeps from Bleve's analysis of each paper are,
// for every ASCII text, exactly the words the local model cuts the text
// into itself; for any other text the writer keeps none.
func TestSpooledTermsAreTheEmbeddersWords(t *testing.T) {
	var papers []index.Paper
	for _, c := range termsEdgeCases {
		papers = append(papers, index.Paper{Title: c[0], Abstract: c[1]})
	}
	papers = append(papers, bundledPapers(t)...)
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		papers = append(papers, index.Paper{Title: randomASCII(r), Abstract: randomASCII(r)})
	}
	for i := range papers {
		papers[i].ID = fmt.Sprintf("t%05d", i)
	}

	ctx := context.Background()
	w, err := BeginWrite(ctx, t.TempDir(), index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for start := 0; start < len(papers); start += 500 {
		if _, _, err := w.Add(ctx, slices.Clone(papers[start:min(start+500, len(papers))])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.settle(); err != nil { // the last batch reaches the spool
		t.Fatal(err)
	}
	if err := w.spool.flush(); err != nil {
		t.Fatal(err)
	}
	m := termsModel(t)
	reused, nonASCII := 0, 0
	for _, p := range papers {
		sp, err := w.spool.get(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		text := p.Text()
		if !index.ASCII(text) {
			nonASCII++
			if sp.Terms != nil {
				t.Errorf("%s %q: terms %q kept for a non-ASCII text", p.ID, text, sp.Terms)
			}
			continue
		}
		if sp.Terms == nil {
			t.Errorf("%s %q: no terms kept for an ASCII text", p.ID, text)
			continue
		}
		reused++
		if want := modelWords(m, text); !slices.Equal(sp.Terms, want) {
			t.Errorf("%s %q:\nkept terms   %q\nmodel's words %q", p.ID, text, sp.Terms, want)
		}
	}
	if reused < 3000 || nonASCII < 6 {
		t.Errorf("%d ASCII texts with terms, %d non-ASCII: the test covers too little", reused, nonASCII)
	}
}

// A directory index trains and embeds with the terms it kept, and gets
// the model and the vectors of training on and embedding the texts, bit
// for bit.
func TestModelFromTermsIsTheModelFromTexts(t *testing.T) {
	papers := corpus(120, "p")
	for i := range papers {
		if i%7 == 0 { // some texts are analysed by the embedder itself
			papers[i].Abstract += " Schrödinger's naïve café"
		}
	}
	dir := t.TempDir()
	m := build(t, dir, index.WriteOptions{}, papers)

	var texts []string
	for _, p := range papers { // ids are in order: the corpus order
		texts = append(texts, p.Text())
	}
	ctx := context.Background()
	want, err := elocal.Train(ctx, elocal.TextsCorpus(texts), elocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantBytes, err := want.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, genDirName(m.Generation), localModelName))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, wantBytes) {
		t.Fatalf("the index's model (%d bytes) differs from the model trained on the texts (%d bytes)", len(got), len(wantBytes))
	}
	vecs, err := want.EmbedDocuments(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	st := open(t, dir)
	for i, p := range papers {
		v, err := st.Vector(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(v, vecs[i], func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Fatalf("vector of %s differs from the text's embedding", p.ID)
		}
	}
}

package words

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/paperseek/paperseek/internal/words/wordstest"
)

func checkTokenizer(t *testing.T, text string) {
	t.Helper()
	want := unicode.NewUnicodeTokenizer().Tokenize([]byte(text))
	got := Tokenizer{}.Tokenize([]byte(text))
	if err := wordstest.Same(want, got); err != nil {
		t.Fatalf("%q: %v", text, err)
	}
}

func TestTokenizerIsUnicode(t *testing.T) {
	t.Run("edge cases", func(t *testing.T) {
		for _, s := range wordstest.EdgeCases {
			checkTokenizer(t, s)
			// The same text amid words, at the start and at the end.
			checkTokenizer(t, "x "+s+" y")
			checkTokenizer(t, s+s)
		}
	})
	t.Run("random", func(t *testing.T) {
		for _, s := range wordstest.Random(20000, 1) {
			checkTokenizer(t, s)
		}
	})
	t.Run("testdata", func(t *testing.T) {
		for _, s := range wordstest.Testdata(t, "../../testdata") {
			checkTokenizer(t, s)
		}
	})
	t.Run("arxiv-119k", func(t *testing.T) {
		wordstest.Arxiv119k(t, func(s string) { checkTokenizer(t, s) })
	})
}

// TestTokenizerASCII pins what segment does on ASCII, so the fast path is
// read against rules and not only against Bleve.
func TestTokenizerASCII(t *testing.T) {
	for _, c := range []struct {
		text string
		want string // term/type, N for Numeric
	}{
		{"don't stop", "don't stop"},
		{"3.14 1,000 1;2 1:2", "3.14/N 1,000/N 1;2/N 1/N 2/N"},
		{"a.b e.g. a:b a,b", "a.b e.g a:b a b"},
		{"a1.2 1.2a a.1 1.a", "a1.2 1.2a a 1/N 1/N a"},
		{"_ __1 1_ _a_ a_.b 1_.2", "_ __1/N 1_/N _a_ a_ b 1_/N 2/N"},
		{"x86_64 H_2O 10^{-3}", "x86_64 H_2O 10/N 3/N"},
		{"'a' \"b\" a''b", "a b a b"},
	} {
		var got []string
		for _, tok := range (Tokenizer{}).Tokenize([]byte(c.text)) {
			s := string(tok.Term)
			if tok.Type == analysis.Numeric {
				s += "/N"
			}
			got = append(got, s)
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%q: got %q, want %q", c.text, g, c.want)
		}
	}
}

func checkStem(t *testing.T, term string) {
	t.Helper()
	tok := &analysis.Token{Term: []byte(term)}
	porter.NewPorterStemmer().Filter(analysis.TokenStream{tok})
	for range 2 { // the first call may stem, the second finds it kept
		in := []byte(term)
		got := Stem(in)
		if !bytes.Equal(got, tok.Term) {
			t.Fatalf("%q: porter %q, Stem %q", term, tok.Term, got)
		}
		copy(in, bytes.Repeat([]byte{'#'}, len(in))) // the cache must not keep the caller's bytes
	}
}

func TestStemmerIsPorter(t *testing.T) {
	terms := []string{
		"", "a", "is", "as", "sses", "ies", "caresses", "ponies", "ties", "cats", "feed", "agreed",
		"plastered", "motoring", "sing", "conflated", "troubled", "sized", "hopping", "falling",
		"happy", "sky", "relational", "conditional", "rational", "valenci", "digitizer", "generalization",
		"electriciti", "hopeful", "goodness", "revival", "allowance", "adjustment", "controll", "roll",
		"don't", "3.14", "x86_64", "Running", "ÉTUDES", "naïve", "café", "東京", "\xff\xfe", "ab\xc3", "1,000",
	}
	t.Run("words", func(t *testing.T) {
		for _, s := range terms {
			checkStem(t, s)
		}
	})
	t.Run("testdata", func(t *testing.T) {
		for _, s := range wordstest.Testdata(t, "../../testdata") {
			for _, tok := range (Tokenizer{}).Tokenize([]byte(s)) {
				checkStem(t, string(tok.Term))
				checkStem(t, strings.ToLower(string(tok.Term)))
			}
		}
	})
	t.Run("random", func(t *testing.T) {
		for _, s := range wordstest.Random(5000, 2) {
			for _, tok := range (Tokenizer{}).Tokenize([]byte(s)) {
				checkStem(t, string(tok.Term))
			}
		}
	})
	t.Run("filter", func(t *testing.T) {
		// KeyWord tokens are left alone, as porter leaves them.
		text := []byte("Running runners ran quickly")
		want := unicode.NewUnicodeTokenizer().Tokenize(text)
		got := Tokenizer{}.Tokenize(text)
		want[1].KeyWord, got[1].KeyWord = true, true
		if err := wordstest.Same(porter.NewPorterStemmer().Filter(want), StemFilter{}.Filter(got)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 2000 {
					checkStem(t, fmt.Sprintf("concurrent%dizations", (i*7+g)%500))
				}
			})
		}
		wg.Wait()
	})
	t.Run("bounded", func(t *testing.T) {
		// Past MaxStems words the cache stops growing and Stem still stems.
		for i := 0; stems.n.Load() < MaxStems; i++ {
			Stem(fmt.Appendf(nil, "filler%dings", i))
		}
		for i := range 1000 {
			checkStem(t, fmt.Sprintf("overflow%dational", i))
		}
		kept := 0
		for i := range stems.shards {
			kept += len(stems.shards[i].m)
		}
		if n := stems.n.Load(); n != MaxStems || kept != MaxStems {
			t.Fatalf("cache holds %d (counted %d), want %d", kept, n, MaxStems)
		}
	})
}

// benchTexts is the bundled papers' text, the mix an index build sees.
func benchTexts(b *testing.B) [][]byte {
	var out [][]byte
	for _, s := range wordstest.Testdata(b, "../../testdata/papers.jsonl") {
		out = append(out, []byte(s))
	}
	return out
}

// go test -bench . -run '^$' ./internal/words
func BenchmarkTokenizer(b *testing.B) {
	benchTokenizers(b, benchTexts(b))
}

// benchTokenizers times Bleve's tokenizer and this package's on texts, in
// one run, per text.
func benchTokenizers(b *testing.B, texts [][]byte) {
	for _, c := range []struct {
		name string
		tok  analysis.Tokenizer
	}{{"bleve", unicode.NewUnicodeTokenizer()}, {"words", Tokenizer{}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for _, t := range texts {
					c.tok.Tokenize(t)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/text")
		})
	}
}

// BenchmarkTokenizerNonASCII is BenchmarkTokenizer on the 119k arXiv
// set's texts that are not all ASCII (one in eight: a dash, an accent, a
// Greek letter), which Bleve's tokenizer segments whole and this package
// only around their non-ASCII words.
//
//	PAPERSEEK_TOKENIZER_119K=1 go test -bench NonASCII -run '^$' ./internal/words
func BenchmarkTokenizerNonASCII(b *testing.B) {
	var texts [][]byte
	wordstest.Arxiv119k(b, func(s string) {
		if !isASCII([]byte(s)) {
			texts = append(texts, []byte(s))
		}
	})
	benchTokenizers(b, texts)
}

func BenchmarkStem(b *testing.B) {
	var terms analysis.TokenStream
	for _, t := range benchTexts(b) {
		terms = append(terms, Tokenizer{}.Tokenize(bytes.ToLower(t))...)
	}
	for _, c := range []struct {
		name string
		f    analysis.TokenFilter
	}{{"porter", porter.NewPorterStemmer()}, {"memo", StemFilter{}}} {
		b.Run(c.name, func(b *testing.B) {
			stream := make(analysis.TokenStream, len(terms))
			for b.Loop() {
				for i, t := range terms {
					c := *t
					stream[i] = &c
				}
				c.f.Filter(stream)
			}
		})
	}
}

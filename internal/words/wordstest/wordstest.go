// Package wordstest has the texts the words tests (and the analyzer tests
// of the packages that use words) compare old and new analysis on.
package wordstest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Same reports the first difference between two token streams, in every
// field a filter or the index reads.
func Same(want, got analysis.TokenStream) error {
	for i := 0; i < len(want) || i < len(got); i++ {
		if i >= len(want) {
			return fmt.Errorf("extra token %d %v", i, got[i])
		}
		if i >= len(got) {
			return fmt.Errorf("missing token %d %v", i, want[i])
		}
		w, g := want[i], got[i]
		if !bytes.Equal(w.Term, g.Term) || w.Start != g.Start || w.End != g.End ||
			w.Position != g.Position || w.Type != g.Type || w.KeyWord != g.KeyWord {
			return fmt.Errorf("token %d: want %v, got %v", i, w, g)
		}
	}
	return nil
}

// All returns the edge cases, 20,000 random texts and the testdata under
// dir.
func All(t testing.TB, dir string) []string {
	t.Helper()
	out := append([]string(nil), EdgeCases...)
	out = append(out, Random(20000, 3)...)
	return append(out, Testdata(t, dir)...)
}

// EdgeCases are texts at the corners of word segmentation: marks between
// letters and digits (WB6/7, WB11/12), underscores (WB13a/b), marks at the
// ends, runs of marks, CR LF, and non-ASCII that must take Bleve's path.
var EdgeCases = []string{
	"", " ", "a", "A", "1", "_", "__", "'", ".", ":", ",", ";", "\"",
	"don't", "Don't stop", "it's", "students'", "'quoted'", "rock'n'roll", "a''b",
	"3.14", "1,000", "1,000,000.5", "1;2", "1:2", "1'2", "1.", ".5", "1..2", "1.,2",
	"a.b", "a.b.c", "e.g.", "i.e., x", "U.S.A.", "a:b", "a:b:c", "a::b", "a;b", "a,b",
	"a.1", "1.a", "a1.2", "a1,2", "1.2a", "1a.b", "a1.b", "a:1", "1:a", "x86_64", "v1.2.3",
	"a_b", "a_.b", "a._b", "_a", "a_", "_1", "1_", "_1_", "__1__", "1_2", "1_a", "a_1", "_._", "1_.2", "1._2",
	"snake_case_name", "__init__", "foo_bar.baz_qux", "a'_b", "a_'b",
	"end.", "end,", "end'", "end:", "a.\nb", "a\r\nb", "a\rb", "a\vb\fc", "\t\ttab\t",
	"10^{-3}", "$\\alpha$-helix", "O(n\\log n)", "(k,\\ell)-sparse", "H_2O", "CO_2", "x_{i,j}",
	"state-of-the-art", "e-mail", "co-author's", "R&D", "C++", "C#", "3D", "2nd", "1st-order", "10.1103/PhysRevLett.99.010001",
	"https://arxiv.org/abs/0704.0001v2", "user@example.com", "a/b/c", "~1.5 GeV", "-1.5e-3", "+0.5", "50%", "#1",
	"\"quoted\"", "a\"b", "1\"2", "ALL CAPS TITLE", "MiXeD CaSe", "   leading and trailing   ",
	// Not ASCII: Bleve's path, whole.
	"café", "naïve résumé", "e\u0301", "a\u00adb", "Schrödinger's cat", "Đoković", "α-helix", "10 µm", "x ≤ y",
	"東京 tokyo", "カタカナ", "ひらがな", "한국어", "שָׁלוֹם", "ש\"ב", "a\u200db", "don\u2019t", "1\u20182",
	"\xff", "a \xff b", "abc \xffdef", "\xc3", "ok\xc3\xa9ok", "\U0001F600 emoji", "🇫🇷 flag",
	// ASCII and not, mixed: cut at whitespace before an ASCII byte, each
	// side segmented apart.
	"café au lait, naïve: e.g. 3.14 ≤ 5 and don't", "the Schrödinger equation's 1,000 roots",
	"é \u0301b", "é \u00adb cd", "é \u200db", "x\té\ny z", "é\r\nnext line", "a é b é c",
	"a.é b", "é.a b.c", "1,5 µm 2,5", "α β γ", " é", "é ", "\té\t", "é  \n\n  x", "x \xff é y",
}

// Random returns n random texts drawn mostly from ASCII word material and
// the marks that join or split words, with some non-ASCII (combining
// marks, Katakana, Hebrew, invalid bytes) in about one text in ten.
func Random(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ascii := []string{
		"a", "b", "e", "s", "t", "x", "Z", "Q", "0", "1", "5", "9",
		"_", ".", ",", ";", ":", "'", "\"", " ", " ", " ", "\n", "\r", "\r\n", "\t", "\v", "\f",
		"-", "(", ")", "$", "\\", "/", "{", "}", "^", "=", "+", "&", "%", "#", "@", "~", "!", "?",
		"the", "don't", "3.14", "1,000", "e.g.", "x_1", "ion", "ing", "ness", "ization", "s'", "'s",
	}
	other := []string{
		"é", "e\u0301", "\u00ad", "\u200d", "\u2019", "\u2018", "ü", "ß", "α", "µ", "≤",
		"カ", "タ", "ひ", "東", "한", "ש", "ב", "\u05f3", "\u3000", "\xff", "\xc3", "\U0001F600", "\u0085", "\u2028",
	}
	out := make([]string, n)
	var b strings.Builder
	for i := range out {
		b.Reset()
		nonASCII := r.IntN(10) == 0
		for k := r.IntN(40); k >= 0; k-- {
			if nonASCII && r.IntN(8) == 0 {
				b.WriteString(other[r.IntN(len(other))])
			} else {
				b.WriteString(ascii[r.IntN(len(ascii))])
			}
		}
		out[i] = b.String()
	}
	return out
}

// Testdata returns every line of every file under dir (the repository's
// testdata: papers, queries, formats with CRLF, BOMs and invalid UTF-8),
// gzip files unpacked, and each string value of the lines that are JSON
// objects.
func Testdata(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		var rd io.Reader = f
		if strings.HasSuffix(path, ".gz") {
			z, err := gzip.NewReader(f)
			if err != nil {
				return nil // a deliberately bad file
			}
			rd = z
		}
		data, _ := io.ReadAll(rd) // a truncated gzip still gives its start
		for _, line := range strings.Split(string(data), "\n") {
			out = append(out, line)
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil {
				for _, v := range m {
					if s, ok := v.(string); ok {
						out = append(out, s)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("only %d texts under %s", len(out), dir)
	}
	return out
}

// Arxiv119kEnv names the environment variable that turns on the tests over
// the 119k arXiv set (a few minutes of CPU).
const Arxiv119kEnv = "PAPERSEEK_TOKENIZER_119K"

// Arxiv119kPath is the shared 119k arXiv set.
const Arxiv119kPath = "/work/shared/data/arxiv/arxiv-119k.jsonl.gz"

// Arxiv119k calls fn with each paper's keyword text (title + "\n" +
// abstract, as the index has it), or skips the test unless
// PAPERSEEK_TOKENIZER_119K=1.
func Arxiv119k(t testing.TB, fn func(text string)) {
	t.Helper()
	if os.Getenv(Arxiv119kEnv) != "1" {
		t.Skipf("set %s=1 to compare on %s", Arxiv119kEnv, Arxiv119kPath)
	}
	f, err := os.Open(Arxiv119kPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(z)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	n := 0
	for sc.Scan() {
		var p struct{ Title, Abstract string }
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		fn(p.Title + "\n" + p.Abstract)
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 100000 {
		t.Fatalf("only %d papers in %s", n, Arxiv119kPath)
	}
	t.Logf("%d papers", n)
}

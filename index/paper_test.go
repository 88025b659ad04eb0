package index

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"  leading and trailing  ", "leading and trailing"},
		{"arXiv hard\n  line breaks\tand\r\ntabs", "arXiv hard line breaks and tabs"},
		{"nul\x00byte", "nulbyte"},
		{"nul \x00 between", "nul between"},
		{"bad \xff\xfe utf8", "bad \uFFFD utf8"},
		{"non-breaking\u00a0space and\u2003em space", "non-breaking space and em space"},
		{"\n\n\t ", ""},
		{"émoji 🚀  مرحبا", "émoji 🚀 مرحبا"},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// cleanTextRunes is CleanText as it was written first, a rune at a time:
// the reference the byte-wise version must agree with.
func cleanTextRunes(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == 0:
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestCleanTextIsRuneWise: CleanText gives what the rune-wise reference
// gives, on every ASCII control and every Unicode space mixed with words,
// NULs and invalid bytes.
func TestCleanTextIsRuneWise(t *testing.T) {
	var parts []string
	for c := 0; c < utf8.RuneSelf; c++ {
		parts = append(parts, string(rune(c)))
	}
	for r := rune(0x80); r <= 0x3000; r++ {
		if unicode.IsSpace(r) {
			parts = append(parts, string(r))
		}
	}
	parts = append(parts, "word", "é", "🚀", "مرحبا", "\xff", "\xc3", "\xe2\x80", "\u200b", "\ufeff", "\u00a0", "  ", "\r\n")
	rng := rand.New(rand.NewPCG(3, 5))
	var b strings.Builder
	for range 20000 {
		b.Reset()
		for k := rng.IntN(12); k >= 0; k-- {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		s := b.String()
		if got, want := CleanText(s), cleanTextRunes(s); got != want {
			t.Fatalf("CleanText(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		p    Paper
		want string
	}{
		{Paper{Title: "T", Abstract: "A"}, "T\nA"},
		{Paper{Title: "T"}, "T"},
		{Paper{Abstract: "A"}, "A"},
	}
	for _, tt := range tests {
		if got := tt.p.Text(); got != tt.want {
			t.Errorf("%+v.Text() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// BenchmarkCleanText cleans the bundled papers' titles and abstracts (arXiv
// text with hard line breaks), byte-wise and rune-wise in one run.
//
//	go test -bench CleanText -run '^$' ./index
func BenchmarkCleanText(b *testing.B) {
	data, err := os.ReadFile("../testdata/papers.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	for _, line := range strings.Split(string(data), "\n") {
		var p struct{ Title, Abstract string }
		if json.Unmarshal([]byte(line), &p) == nil {
			texts = append(texts, p.Title, p.Abstract)
		}
	}
	for _, c := range []struct {
		name  string
		clean func(string) string
	}{{"bytes", CleanText}, {"runes", cleanTextRunes}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for _, s := range texts {
					c.clean(s)
				}
			}
		})
	}
}

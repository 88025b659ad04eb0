package ingest

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeLaTeX(t *testing.T) {
	tests := []struct{ in, want string }{
		// Issue 14's example, in every spelling of the accent.
		{`Djokovi\'{c}`, "Djoković"},
		{`Djokovi\'c`, "Djoković"},
		{`Djokovi{\'c}`, "Djoković"},
		{`{\DJ}okovi\'{c}`, "Đoković"},
		// Accents.
		{`{\"u}ber \"{o}l \'{e}t\'e`, "über öl été"},
		{`na\"{\i}ve na\"\i ve`, "naïve naïve"},
		{`\c{c}a \c c \v{s} \v s \~n \H{o} \k{a} \r{a} \u{g} \={a} \.{z} \^{o} \` + "`" + `a`, "ça ç š š ñ ő ą å ğ ā ż ô à"},
		{`\d{a} \'{w}`, "ạ ẃ"},
		{`\b{k}`, "k\u0331"}, // no precomposed letter: the combining mark
		// Letters and escapes.
		{`Stra\ss e, \o, \O, \aa, \AA, \ae, \oe, \l, \L, {\i}`, "Straße, ø, Ø, å, Å, æ, œ, ł, Ł, ı"},
		{`Bj\o rn`, "Bjørn"},
		{`R\&D, 50\% of \$5, \#1, snake\_case, \{set\}`, "R&D, 50% of $5, #1, snake_case, {set}"},
		// Symbols keep the space after them ("\ldots and"), unlike TeX.
		{`a\textbackslash b, \textasciitilde, \textasciicircum{}x, \ldots and`, `a\ b, ~, ^x, … and`},
		// Ligatures, quotes, ties.
		{"pages 1--10 --- a dash", "pages 1–10 — a dash"},
		{"``quoted''", "“quoted”"},
		{"model's 'single'", "model's 'single'"},
		{"Fig.~3 and J.~Smith", "Fig. 3 and J. Smith"},
		{"about ~10% and (~5)", "about ~10% and (~5)"},
		// Formatting keeps its text, grouping braces go.
		{`\emph{Deep} {\em learning} \textbf{for} {BERT}`, "Deep learning for BERT"},
		{`\url{http://x.org/a_b--c} \href{http://x}{the site}`, "http://x.org/a_b--c the site"},
		{`{\noopsort{a}}Zeta`, "Zeta"},
		// Math is kept exactly as written.
		{`$\alpha$-decay of {\"u}`, `$\alpha$-decay of ü`},
		{`$a -- b$ and $$\sum_{i}$$ and \(x^{2}\) and \[y\]`, `$a -- b$ and $$\sum_{i}$$ and \(x^{2}\) and \[y\]`},
		{`costs \$5 and \(unclosed`, `costs $5 and \(unclosed`},
		{`a lone $ sign`, `a lone $ sign`},
		{`$\$$`, `$\$$`},
		// Greek outside math; a braced unknown command keeps its braces.
		{`2 {\mu}m and \alpha-synuclein, $\mu$ kept`, `2 μm and α-synuclein, $\mu$ kept`},
		{`{\foo}m {\em x}`, `{\foo}m x`},
		// Unknown commands stay as written, with their arguments.
		{`see \cite{x,y} and \foo`, `see \cite{x,y} and \foo`},
		{`\frac{a}{b}`, `\frac{a}{b}`},
		{`trailing \`, `trailing \`},
		{`\'`, `\'`},
		{`\'{}`, `\'{}`},
		{`\"{ab}`, `\"{ab}`},
		{`\c`, `\c`},
		// Nothing to do: returned as is.
		{"plain text, state-of-the-art", "plain text, state-of-the-art"},
		{"café 😀", "café 😀"},
	}
	for _, tt := range tests {
		if got := decodeLaTeX(tt.in); got != tt.want {
			t.Errorf("decodeLaTeX(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzDecodeLaTeX: whatever the input, the decoder terminates, keeps valid
// UTF-8 valid, never grows the text beyond what its replacements can
// explain, and leaves text without markup alone.
func FuzzDecodeLaTeX(f *testing.F) {
	for _, s := range []string{`Djokovi\'{c}`, `{\"u}`, `$\alpha$`, `\url{a}`, `a--b`, `\`, `{`, `\'{\i}`, `$$x$`, `\(`, `\textbf{\'e}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := decodeLaTeX(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("decodeLaTeX(%q) = %q: invalid UTF-8", s, got)
		}
		// The longest replacement is 3 bytes for a 2-byte command
		// (\,ing marks add at most 2 bytes per backslash); 4x bounds all.
		if len(got) > 4*len(s)+4 {
			t.Fatalf("decodeLaTeX(%q) grew to %d bytes", s, len(got))
		}
		if !mayHaveLaTeX(s) && got != s {
			t.Fatalf("decodeLaTeX(%q) = %q without any markup", s, got)
		}
	})
}

// Unclosed braces and nested unknown commands cost no more than sorting:
// a long text of them decodes at once (scanning for each group's end took
// quadratic time: minutes for these).
func TestDecodeLaTeXLinear(t *testing.T) {
	for _, unit := range []string{"{", `\foo{`, `{\foo`, `\'{`, `\url{`, `\href{`, "{}", "{a}"} {
		s := strings.Repeat(unit, 200_000)
		_ = decodeLaTeX(s)
	}
}

package ingest

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// decodeLaTeX turns the LaTeX markup of text written for TeX (BibTeX
// fields, arXiv titles and abstracts, arXiv author strings) into the
// Unicode text it stands for, so that it displays right and matches a
// search typed with the real letters:
//
//   - accents in every spelling: \'e, \'{e}, {\'e}, \"{\i}, \c{c}, \c c,
//     \v{s}, \H{o}, \~n, \k{a}, \r{a}, \u{g}, \={a}, \.{z}, \d{a}, \b{a};
//     "Djokovi\'{c}" is "Djoković". A letter without a precomposed form
//     gets the combining mark (\'{w} is "w" + U+0301).
//   - letters: \o \O \ss \ae \AE \oe \OE \aa \AA \l \L \i \j \dh \DH \dj
//     \DJ \th \TH \ng \NG; escapes \& \% \$ \# \_ \{ \}; symbols such as
//     \ldots, \textendash, \S, \copyright, \textbackslash, \LaTeX.
//   - TeX ligatures: --- is "—", -- is "–", “ is "“", ” is "”"; a tie ~
//     between two words is a space (a ~ starting a word, "~10%", stays).
//   - formatting commands keep their text: \emph{x}, \textbf{x}, {\em x},
//     \url{x}, \href{link}{text}; grouping braces are dropped.
//   - math is kept exactly as written: $…$, $$…$$, \(…\), \[…\].
//   - Greek letter commands outside math are the letters ("2 {\mu}m" is
//     "2 μm").
//   - any other command is kept as written with its braced arguments
//     ("\cite{x}" stays, "{\foo}" keeps its braces), so nothing is
//     silently lost.
//
// Only text known to be LaTeX goes through here: BibTeX, the arXiv
// snapshot and OAI-PMH records, arXiv-shaped JSON lines, and author names
// of every format. Other formats' titles and abstracts are the user's own
// text and are kept as they are.
func decodeLaTeX(s string) string {
	if !mayHaveLaTeX(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	d := latexText{b: &b, s: s}
	d.run()
	return b.String()
}

// latexText is one text being decoded.
type latexText struct {
	b *strings.Builder
	s string
	// The { of the text in order and the } closing each (-1 if none),
	// paired in one pass when first needed: finding a group's end is then
	// a lookup, so no text of unclosed braces costs quadratic time.
	opens, closes []int32
	paired        bool
}

// mayHaveLaTeX is the fast path: most titles and abstracts hold none of
// what decodeLaTeX changes (math alone is kept as written). One IndexByte
// per character is several times faster than one IndexAny (vectorised
// search against a byte-at-a-time loop), which matters on a large import.
func mayHaveLaTeX(s string) bool {
	return strings.IndexByte(s, '\\') >= 0 || strings.IndexByte(s, '{') >= 0 || strings.IndexByte(s, '}') >= 0 ||
		strings.IndexByte(s, '~') >= 0 || strings.IndexByte(s, '`') >= 0 ||
		strings.Contains(s, "--") || strings.Contains(s, "''")
}

func (d *latexText) run() {
	b, s := d.b, d.s
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '$':
			if end := mathEnd(s, i); end > 0 {
				b.WriteString(s[i:end])
				i = end
				continue
			}
			b.WriteByte('$')
			i++
		case '{':
			// A braced unknown command keeps its braces: "{\foo}m" must
			// not become "\foom".
			if i+2 < len(s) && s[i+1] == '\\' {
				j := i + 2
				for j < len(s) && isASCIILetter(s[j]) {
					j++
				}
				if j > i+2 && j < len(s) && s[j] == '}' && isUnknownCommand(s[i+2:j]) {
					b.WriteString(s[i : j+1])
					i = j + 1
					continue
				}
			}
			i++
		case '}':
			i++
		case '~':
			if i > 0 && isTieBefore(s[i-1]) && i+1 < len(s) && isTieAfter(s[i+1]) {
				b.WriteByte(' ')
			} else {
				b.WriteByte('~')
			}
			i++
		case '-':
			switch {
			case strings.HasPrefix(s[i:], "---"):
				b.WriteString("—")
				i += 3
			case strings.HasPrefix(s[i:], "--"):
				b.WriteString("–")
				i += 2
			default:
				b.WriteByte('-')
				i++
			}
		case '`':
			if strings.HasPrefix(s[i:], "``") {
				b.WriteString("“")
				i += 2
			} else {
				b.WriteByte('`')
				i++
			}
		case '\'':
			if strings.HasPrefix(s[i:], "''") {
				b.WriteString("”")
				i += 2
			} else {
				b.WriteByte('\'')
				i++
			}
		case '\\':
			i = d.commandAt(i)
		default:
			b.WriteByte(c)
			i++
		}
	}
}

// isTieBefore and isTieAfter decide whether a ~ joins two words
// ("Fig.~3", "J.~Smith") rather than standing for "about" ("~10%", "(~5").
func isTieBefore(c byte) bool {
	return isASCIILetter(c) || c >= '0' && c <= '9' || c == '.' || c == ',' || c == ';' || c == ':' || c == ')' || c >= 0x80
}

func isTieAfter(c byte) bool {
	return isASCIILetter(c) || c >= '0' && c <= '9' || c == '\\' || c == '{' || c == '$' || c == '(' || c >= 0x80
}

// mathEnd returns the end of the math starting with the $ at i, or -1 if it
// is not closed (then the $ is a dollar sign).
func mathEnd(s string, i int) int {
	if strings.HasPrefix(s[i:], "$$") {
		for j := i + 2; j+1 < len(s); j++ {
			switch {
			case s[j] == '\\':
				j++
			case s[j] == '$' && s[j+1] == '$':
				return j + 2
			}
		}
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '$':
			return j + 1
		}
	}
	return -1
}

// isUnknownCommand reports whether name is a command the decoder does not
// know.
func isUnknownCommand(name string) bool {
	_, accent := accents[name]
	_, letter := latexLetters[name]
	_, symbol := latexSymbols[name]
	return !accent && !letter && !symbol && latexKinds[name] == unknownCommand
}

// latexCommandAt decodes the command whose backslash is at i and returns
// where the text after it starts.
func (d *latexText) commandAt(i int) int {
	b, s := d.b, d.s
	if i+1 >= len(s) {
		b.WriteByte('\\')
		return i + 1
	}
	c := s[i+1]
	switch {
	case c == '(' || c == '[':
		closer := `\)`
		if c == '[' {
			closer = `\]`
		}
		if end := strings.Index(s[i+2:], closer); end >= 0 {
			end += i + 2 + len(closer)
			b.WriteString(s[i:end])
			return end
		}
		b.WriteString(s[i : i+2])
		return i + 2
	case c == '\\':
		b.WriteByte(' ') // a line break
		return i + 2
	case strings.IndexByte("&%$#_{}", c) >= 0:
		b.WriteByte(c)
		return i + 2
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';' || c == ':' || c == '>':
		b.WriteByte(' ') // control space and the math-mode spaces
		return i + 2
	case c == '-' || c == '/' || c == '@' || c == '!':
		return i + 2 // discretionary hyphen, italic correction, spacing hints
	case strings.IndexByte("'`^\"~=.", c) >= 0:
		if end, ok := d.accent(string(c), i+2); ok {
			return end
		}
		return d.keep(i, i+2)
	case !isASCIILetter(c):
		b.WriteByte('\\')
		return i + 1
	}
	j := i + 1
	for j < len(s) && isASCIILetter(s[j]) {
		j++
	}
	name := s[i+1 : j]
	if _, ok := accents[name]; ok {
		if end, ok := d.accent(name, skipSpaces(s, j)); ok {
			return end
		}
	}
	if l, ok := latexLetters[name]; ok {
		b.WriteString(l)
		// TeX ends a control word at the spaces after it: "Bj\o rn" is Bjørn.
		if strings.HasPrefix(s[j:], "{}") {
			return j + 2
		}
		return skipSpaces(s, j)
	}
	if sym, ok := latexSymbols[name]; ok {
		b.WriteString(sym)
		if strings.HasPrefix(s[j:], "{}") {
			return j + 2
		}
		return j
	}
	switch latexKinds[name] {
	case keepArgument:
		// The command goes; its braced argument is read as text and its
		// grouping braces are dropped like any others.
		return skipSpaces(s, j)
	case dropArgument:
		return d.skipGroup(skipSpaces(s, j))
	case verbatimArgument:
		k := skipSpaces(s, j)
		if k < len(s) && s[k] == '{' {
			if end := d.matchBrace(k); end > 0 {
				b.WriteString(s[k+1 : end])
				return end + 1
			}
		}
		return k
	case skipFirstArgument:
		return d.skipGroup(skipSpaces(s, j))
	}
	return d.keep(i, j)
}

// keepCommand writes the command s[i:j] as it is, with the braced
// arguments that follow it, and returns where the text after them starts.
func (d *latexText) keep(i, j int) int {
	b, s := d.b, d.s
	b.WriteString(s[i:j])
	for j < len(s) && s[j] == '{' {
		end := d.matchBrace(j)
		if end < 0 {
			break
		}
		b.WriteString(s[j : end+1])
		j = end + 1
	}
	return j
}

// latexAccent reads the argument of accent name starting at j ("a", "{a}",
// "{\i}", "\i") and writes the accented letter.
func (d *latexText) accent(name string, j int) (int, bool) {
	b, s := d.b, d.s
	var base rune
	end := j
	switch {
	case j >= len(s):
		return 0, false
	case s[j] == '{':
		close := d.matchBrace(j)
		if close < 0 {
			return 0, false
		}
		inner := strings.TrimSpace(s[j+1 : close])
		if inner == `\i` || inner == `\j` || inner == `{\i}` || inner == `{\j}` {
			inner = strings.Trim(inner, `{}\`)
		}
		r, n := utf8.DecodeRuneInString(inner)
		if n == 0 || n != len(inner) || !unicode.IsLetter(r) {
			return 0, false
		}
		base, end = r, close+1
	case strings.HasPrefix(s[j:], `\i`) || strings.HasPrefix(s[j:], `\j`):
		if j+2 < len(s) && isASCIILetter(s[j+2]) {
			return 0, false
		}
		base, end = rune(s[j+1]), j+2
		if strings.HasPrefix(s[end:], "{}") {
			end += 2
		} else {
			end = skipSpaces(s, end) // \i is a control word: TeX ends it at the spaces
		}
	default:
		r, n := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsLetter(r) {
			return 0, false
		}
		base, end = r, j+n
	}
	if r, ok := accented(name, base); ok {
		b.WriteRune(r)
	} else {
		b.WriteRune(base)
		b.WriteRune(combining[name])
	}
	return end, true
}

func skipSpaces(s string, j int) int {
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
		j++
	}
	return j
}

// skipGroup skips the braced group at j, if there is one.
func (d *latexText) skipGroup(j int) int {
	if j < len(d.s) && d.s[j] == '{' {
		if end := d.matchBrace(j); end > 0 {
			return end + 1
		}
	}
	return j
}

// matchBrace returns the index of the } closing the { at j, or -1. A
// backslash hides the character after it, as in the decoder.
func (d *latexText) matchBrace(j int) int {
	if !d.paired {
		d.paired = true
		var stack []int32
		for k := 0; k < len(d.s); k++ {
			switch d.s[k] {
			case '\\':
				k++
			case '{':
				stack = append(stack, int32(len(d.opens)))
				d.opens = append(d.opens, int32(k))
				d.closes = append(d.closes, -1)
			case '}':
				if n := len(stack); n > 0 {
					d.closes[stack[n-1]] = int32(k)
					stack = stack[:n-1]
				}
			}
		}
	}
	n, found := slices.BinarySearch(d.opens, int32(j))
	if !found {
		return -1
	}
	return int(d.closes[n])
}

// accents maps a LaTeX accent command to pairs of (base letter, accented
// letter) for the letters that exist precomposed; combining gives the mark
// for any other letter.
var accents = map[string]string{
	`'`: "aáeéiíoóuúyýAÁEÉIÍOÓUÚYÝcćCĆnńNŃsśSŚzźZŹlĺLĹrŕRŔgǵGǴwẃWẂkḱKḰmḿMḾpṕPṔ",
	"`": "aàeèiìoòuùAÀEÈIÌOÒUÙnǹNǸwẁWẀyỳYỲ",
	`^`: "aâeêiîoôuûAÂEÊIÎOÔUÛcĉCĈgĝGĜhĥHĤjĵJĴsŝSŜwŵWŴyŷYŶzẑZẐ",
	`"`: "aäeëiïoöuüyÿAÄEËIÏOÖUÜYŸwẅWẄhḧHḦxẍXẌtẗ",
	`~`: "aãoõnñAÃOÕNÑiĩIĨuũUŨeẽEẼyỹYỸvṽVṼ",
	`=`: "aāeēiīoōuūAĀEĒIĪOŌUŪyȳYȲgḡGḠ",
	`.`: "zżZŻeėEĖIİgġGĠcċCĊaȧAȦoȯOȮbḃBḂdḋDḊfḟFḞhḣHḢmṁMṀnṅNṄpṗPṖrṙRṘsṡSṠtṫTṪwẇWẆxẋXẊyẏYẎ",
	`u`: "aăAĂgğGĞuŭUŬeĕEĔiĭIĬoŏOŎ",
	`v`: "cčCČsšSŠzžZŽrřRŘeěEĚnňNŇdďDĎtťTŤlľLĽaǎAǍiǐIǏoǒOǑuǔUǓgǧGǦkǩKǨjǰ",
	`H`: "oőOŐuűUŰ",
	`c`: "cçCÇsşSŞtţTŢgģGĢkķKĶlļLĻnņNŅrŗRŖeȩEȨ",
	`k`: "aąAĄeęEĘiįIĮuųUŲoǫOǪ",
	`r`: "aåAÅuůUŮwẘyẙ",
	`d`: "aạAẠeẹEẸiịIỊoọOỌuụUỤyỵYỴ",
	`b`: "",
}

// combining is the combining mark of each accent command.
var combining = map[string]rune{
	"`": '\u0300', `'`: '\u0301', `^`: '\u0302', `~`: '\u0303', `=`: '\u0304', `u`: '\u0306',
	`.`: '\u0307', `"`: '\u0308', `r`: '\u030A', `H`: '\u030B', `v`: '\u030C', `d`: '\u0323',
	`c`: '\u0327', `k`: '\u0328', `b`: '\u0331',
}

func accented(accent string, base rune) (rune, bool) {
	table := accents[accent]
	for i, w := 0, 0; i < len(table); i += w {
		r, n := utf8.DecodeRuneInString(table[i:])
		acc, m := utf8.DecodeRuneInString(table[i+n:])
		w = n + m
		if r == base {
			return acc, true
		}
	}
	return 0, false
}

// latexLetters are the commands that are whole letters.
var latexLetters = map[string]string{
	"o": "ø", "O": "Ø", "ss": "ß", "SS": "SS", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
	"aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
	"dh": "ð", "DH": "Ð", "dj": "đ", "DJ": "Đ", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
}

// latexSymbols are text-mode symbol commands.
var latexSymbols = map[string]string{
	"ldots": "…", "dots": "…", "textellipsis": "…",
	"textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
	"textquotedblleft": "“", "textquotedblright": "”", "quotedblbase": "„", "quotesinglbase": "‚",
	"guillemotleft": "«", "guillemotright": "»", "guillemetleft": "«", "guillemetright": "»",
	"guilsinglleft": "‹", "guilsinglright": "›",
	"S": "§", "P": "¶", "textsection": "§", "textparagraph": "¶",
	"copyright": "©", "textcopyright": "©", "textregistered": "®", "texttrademark": "™",
	"pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€", "textyen": "¥",
	"textdegree": "°", "textperthousand": "‰", "textbullet": "•", "textperiodcentered": "·",
	"dag": "†", "textdagger": "†", "ddag": "‡", "textdaggerdbl": "‡",
	"textexclamdown": "¡", "textquestiondown": "¿", "textmu": "µ", "texttimes": "×", "textdiv": "÷",
	"textminus": "−", "textpm": "±", "textonehalf": "½", "textonequarter": "¼", "textthreequarters": "¾",
	"textbackslash": `\`, "textbraceleft": "{", "textbraceright": "}", "textless": "<", "textgreater": ">",
	"textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_", "textbar": "|", "textdollar": "$",
	"textasciigrave": "`", "textquotesingle": "'", "textquotedbl": `"`, "textnumero": "№",
	"LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX",
	"slash": "/", "nobreakspace": " ", "quad": " ", "qquad": " ", "enspace": " ", "thinspace": " ",
	// Greek letters written outside math, as abstracts do ("2 {\mu}m",
	// "\alpha-synuclein"); inside $…$ they stay as written with the math.
	"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
	"eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
	"xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
	"upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
	"Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
	"Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}

type latexKind int

const (
	unknownCommand    latexKind = iota
	keepArgument                // formatting: the command goes, its text stays
	dropArgument                // the command and its argument go (\noopsort{a})
	verbatimArgument            // the argument is copied undecoded (\url{a_b})
	skipFirstArgument           // \href{link}{text}, \textcolor{red}{text}: the text stays
)

var latexKinds = map[string]latexKind{
	"emph": keepArgument, "textit": keepArgument, "textbf": keepArgument, "textsc": keepArgument,
	"texttt": keepArgument, "textrm": keepArgument, "textsf": keepArgument, "textsl": keepArgument,
	"textup": keepArgument, "textmd": keepArgument, "textnormal": keepArgument, "mbox": keepArgument,
	"hbox": keepArgument, "text": keepArgument, "underline": keepArgument, "uline": keepArgument,
	"textsuperscript": keepArgument, "textsubscript": keepArgument, "MakeUppercase": keepArgument,
	"MakeLowercase": keepArgument, "uppercase": keepArgument, "lowercase": keepArgument,
	"enquote": keepArgument, "textcolor": skipFirstArgument, "relax": keepArgument, "protect": keepArgument,
	"ignorespaces": keepArgument, "nobreak": keepArgument, "xspace": keepArgument,
	"em": keepArgument, "it": keepArgument, "bf": keepArgument, "sc": keepArgument, "tt": keepArgument,
	"rm": keepArgument, "sf": keepArgument, "sl": keepArgument, "itshape": keepArgument,
	"bfseries": keepArgument, "scshape": keepArgument, "ttfamily": keepArgument, "rmfamily": keepArgument,
	"sffamily": keepArgument, "mdseries": keepArgument, "upshape": keepArgument, "normalfont": keepArgument,
	"small": keepArgument, "footnotesize": keepArgument, "scriptsize": keepArgument, "tiny": keepArgument,
	"normalsize": keepArgument, "large": keepArgument, "Large": keepArgument, "LARGE": keepArgument,
	"huge": keepArgument, "Huge": keepArgument,
	"noopsort": dropArgument, "label": dropArgument,
	"url": verbatimArgument, "path": verbatimArgument, "nolinkurl": verbatimArgument,
	"href": skipFirstArgument,
}

func isASCIILetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

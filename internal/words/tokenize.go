// Package words cuts text into words and stems them exactly as Bleve's
// `unicode` tokenizer and `stemmer_porter` filter do, only faster: most
// arXiv text is ASCII, where Unicode word segmentation (UAX #29, as
// github.com/blevesearch/segment implements it) reduces to a few byte
// classes, and a corpus repeats a few hundred thousand distinct words, so a
// stem is worth remembering. Anything outside those cases goes to Bleve
// itself, so the output is the same token for token (the tests compare
// both on random text and on every paper of the 119k arXiv set).
package words

import (
	"encoding/binary"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// Tokenizer is Bleve's unicode tokenizer with an ASCII fast path. It is
// stateless and safe for concurrent use.
type Tokenizer struct{}

var bleveUnicode = unicode.NewUnicodeTokenizer()

// Byte classes of segment's word-break table (Unicode 8.0
// WordBreakProperty) as they apply to ASCII. Every other ASCII byte
// (space, punctuation, controls, CR/LF, the double quote, whose only rule
// is between Hebrew letters) ends a word and is never part of one.
const (
	other     = iota
	letter    // ALetter: A-Z a-z
	digit     // Numeric: 0-9
	underline // ExtendNumLet: _ (joins anything it touches)
	midLetter // MidLetter: ':' (between two letters only)
	midNum    // MidNum: ',' ';' (between two digits only)
	midBoth   // MidNumLet and Single_Quote: '.' '\'' (between two letters or two digits)
)

var class = func() (t [128]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = letter
		t[c+'a'-'A'] = letter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = digit
	}
	t['_'] = underline
	t[':'] = midLetter
	t[','] = midNum
	t[';'] = midNum
	t['.'] = midBoth
	t['\''] = midBoth
	return t
}()

// Tokenize implements analysis.Tokenizer.
func (Tokenizer) Tokenize(input []byte) analysis.TokenStream {
	if !isASCII(input) {
		// UAX #29 outside ASCII (extending marks, Katakana, Hebrew quotes,
		// ideographs, invalid UTF-8, which stops segment) is Bleve's job.
		return bleveUnicode.Tokenize(input)
	}
	return tokenizeASCII(input)
}

// tokenizeASCII is segment's word machine on ASCII. A word is a run of
// letters, digits and underscores in which a MidLetter or MidNumLet may
// join two letters and a MidNum or MidNumLet two digits (WB5-WB13b); a
// run with a letter is AlphaNumeric, one with a digit and no letter is
// Numeric (segment's Number outranks Letter on a tie), and a run of
// underscores alone is AlphaNumeric. segment takes the longest match, so
// a mark joins only when the byte after it continues the run.
func tokenizeASCII(input []byte) analysis.TokenStream {
	n := len(input)
	// Enough tokens for typical prose (about one word per six bytes); a
	// denser text takes more slabs, each token keeps its place.
	slab := make([]analysis.Token, n/6+1)
	used := 0
	rv := make(analysis.TokenStream, 0, len(slab))
	pos := 1
	for i := 0; i < n; {
		c := class[input[i]]
		if c != letter && c != digit && c != underline {
			i++
			continue
		}
		start := i
		hasLetter, hasDigit := false, false
		prev := c
	run:
		for i < n {
			c = class[input[i]]
			switch c {
			case letter:
				hasLetter = true
			case digit:
				hasDigit = true
			case underline:
			case midLetter, midNum, midBoth:
				if i+1 >= n {
					break run
				}
				next := class[input[i+1]]
				if next != prev || (next == letter && c == midNum) || (next == digit && c == midLetter) || next == underline {
					break run
				}
				i++ // the mark; the letter or digit after it follows
				continue
			default:
				break run
			}
			prev = c
			i++
		}
		if used == len(slab) {
			slab = make([]analysis.Token, len(slab))
			used = 0
		}
		t := &slab[used]
		used++
		t.Term = input[start:i]
		t.Start = start
		t.End = i
		t.Position = pos
		t.Type = analysis.AlphaNumeric
		if hasDigit && !hasLetter {
			t.Type = analysis.Numeric
		}
		rv = append(rv, t)
		pos++
	}
	return rv
}

// isASCII reports whether b has no byte above 0x7f, eight bytes at a time.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

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
	"unicode/utf8"

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
	if isASCII(input) {
		ts := newTokens(len(input))
		ts.ascii(input, 0, len(input))
		return ts.rv
	}
	if !utf8.Valid(input) {
		// segment stops at the first invalid byte: what follows it has no
		// words, which only Bleve's own walk over the whole text gives.
		return bleveUnicode.Tokenize(input)
	}
	return tokenizeMixed(input)
}

// tokenizeMixed is Bleve's tokenizer on valid UTF-8 with some non-ASCII
// (an accent, a Greek letter, a dash in an otherwise ASCII abstract): the
// text is cut after every space, tab or line feed that an ASCII byte
// follows, the runs of cut pieces that are ASCII take the fast path and the
// others Bleve's tokenizer, offsets and positions carried on. No word
// crosses such a cut: the whitespace ends any word before it (UAX #29
// WB3a, WB14; segment's words hold no whitespace), and with an ASCII byte
// after it no extending mark or format character can attach to it (WB4),
// so each side is segmented as in the whole text (TestTokenizerIsUnicode).
func tokenizeMixed(input []byte) analysis.TokenStream {
	ts := newTokens(len(input))
	n := len(input)
	region, regionASCII := 0, true // the run of pieces not yet tokenised
	piece, pieceASCII := 0, true   // the piece being read
	flush := func(end int) {
		if end == region {
			return
		}
		if regionASCII {
			ts.ascii(input, region, end)
		} else {
			ts.bleve(input, region, end)
		}
		region = end
	}
	for i := 0; i < n; i++ {
		c := input[i]
		if c >= utf8.RuneSelf {
			pieceASCII = false
			continue
		}
		if (c == ' ' || c == '\t' || c == '\n') && i+1 < n && input[i+1] < utf8.RuneSelf {
			if pieceASCII != regionASCII {
				flush(piece)
				regionASCII = pieceASCII
			}
			piece, pieceASCII = i+1, true
		}
	}
	if pieceASCII != regionASCII {
		flush(piece)
		regionASCII = pieceASCII
	}
	flush(n)
	return ts.rv
}

// tokens is a token stream being built from pieces of one text.
type tokens struct {
	rv   analysis.TokenStream
	slab []analysis.Token // where the next ASCII tokens are kept
	size int              // the length of a new slab
	pos  int              // the next token's position
}

func newTokens(n int) *tokens {
	// Enough tokens for typical prose (about one word per six bytes); a
	// denser text takes more slabs, each token keeps its place.
	size := n/6 + 1
	return &tokens{rv: make(analysis.TokenStream, 0, size), slab: make([]analysis.Token, size), size: size, pos: 1}
}

// bleve appends Bleve's tokens of input[lo:hi], moved to their place in
// input.
func (ts *tokens) bleve(input []byte, lo, hi int) {
	for _, t := range bleveUnicode.Tokenize(input[lo:hi]) {
		t.Start += lo
		t.End += lo
		t.Position = ts.pos
		ts.pos++
		ts.rv = append(ts.rv, t)
	}
}

// ascii appends the words of input[lo:hi], all ASCII: segment's word
// machine on ASCII. A word is a run of letters, digits and underscores in
// which a MidLetter or MidNumLet may join two letters and a MidNum or
// MidNumLet two digits (WB5-WB13b); a run with a letter is AlphaNumeric,
// one with a digit and no letter is Numeric (segment's Number outranks
// Letter on a tie), and a run of underscores alone is AlphaNumeric.
// segment takes the longest match, so a mark joins only when the byte
// after it continues the run.
func (ts *tokens) ascii(input []byte, lo, hi int) {
	for i := lo; i < hi; {
		c := class[input[i]]
		if c != letter && c != digit && c != underline {
			i++
			continue
		}
		start := i
		hasLetter, hasDigit := false, false
		prev := c
	run:
		for i < hi {
			c = class[input[i]]
			switch c {
			case letter:
				hasLetter = true
			case digit:
				hasDigit = true
			case underline:
			case midLetter, midNum, midBoth:
				if i+1 >= hi {
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
		if len(ts.slab) == 0 {
			ts.slab = make([]analysis.Token, ts.size)
		}
		t := &ts.slab[0]
		ts.slab = ts.slab[1:]
		t.Term = input[start:i]
		t.Start = start
		t.End = i
		t.Position = ts.pos
		t.Type = analysis.AlphaNumeric
		if hasDigit && !hasLetter {
			t.Type = analysis.Numeric
		}
		ts.rv = append(ts.rv, t)
		ts.pos++
	}
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

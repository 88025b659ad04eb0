package ingest

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The XML formats (PubMed, OAI-PMH) are read token by token with
// encoding/xml, each record decoded on its own: a 100 MB baseline file is
// never held whole. A record (or any single token) over the record bound
// stops the run, since XML gives no way to find the next record after an
// unread one; so does malformed XML. Line numbers are the decoder's.

// xml detects the XML format by its root element.
func (r *Reader) xml(name string, br *bufio.Reader, skipped, maxRecord int) (*Reader, error) {
	head, _ := br.Peek(br.Size())
	root := xmlRoot(head)
	x := newXMLStream(name, br, skipped, maxRecord)
	switch root {
	case "PubmedArticleSet", "PubmedArticle", "PubmedBookArticle", "PubmedBookArticleSet", "MedlineCitationSet", "MedlineCitation":
		r.format = FormatPubMed
		r.src = &pubmedSource{x: x}
	case "OAI-PMH":
		r.format = FormatOAI
		r.src = &oaiSource{d: &OAIDecoder{x: x}}
	case "":
		return nil, fmt.Errorf("%s: not a recognised input format: XML without a root element in its first %s", name, sizeText(len(head)))
	default:
		return nil, fmt.Errorf("%s: not a recognised input format: XML document <%s>; want PubMed/MEDLINE XML (<PubmedArticleSet>) or arXiv OAI-PMH (<OAI-PMH>)", name, root)
	}
	return r, nil
}

// xmlRoot returns the name of the first element in head, or "".
func xmlRoot(head []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(head))
	dec.Strict = false
	// Any declared encoding will do to find the root's name; the reader
	// proper says if it cannot read the encoding.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		t, err := dec.RawToken()
		if err != nil {
			return ""
		}
		if se, ok := t.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// errXMLTooLong is returned by the byte source when one token or record
// exceeds the bound.
var errXMLTooLong = errors.New("XML record too long")

// boundedBytes lets the decoder read at most max bytes between two marks.
type boundedBytes struct {
	br   *bufio.Reader
	n    int
	max  int
	over bool
}

func (b *boundedBytes) mark() { b.n = 0 }

func (b *boundedBytes) ReadByte() (byte, error) {
	if b.n >= b.max {
		b.over = true
		return 0, errXMLTooLong
	}
	c, err := b.br.ReadByte()
	if err == nil {
		b.n++
	}
	return c, err
}

func (b *boundedBytes) Read(p []byte) (int, error) {
	if b.n >= b.max {
		b.over = true
		return 0, errXMLTooLong
	}
	if len(p) > b.max-b.n {
		p = p[:b.max-b.n]
	}
	n, err := b.br.Read(p)
	b.n += n
	return n, err
}

// xmlStream is a decoder over one input with the error handling every XML
// format shares.
type xmlStream struct {
	name     string
	dec      *xml.Decoder
	src      *boundedBytes
	lineBase int    // blank lines skipped before the decoder started
	open     string // the record being decoded, for a truncation message
	openLine int
}

func newXMLStream(name string, br *bufio.Reader, lineBase, max int) *xmlStream {
	src := &boundedBytes{br: br, max: max}
	dec := xml.NewDecoder(src)
	dec.Strict = true
	dec.Entity = xml.HTMLEntity // &nbsp; and friends appear in exported text
	dec.CharsetReader = charsetReader
	return &xmlStream{name: name, dec: dec, src: src, lineBase: lineBase}
}

func (x *xmlStream) line() int {
	l, _ := x.dec.InputPos()
	return l + x.lineBase
}

// token returns the next token; io.EOF at the end of the input, any other
// error is fatal and already says so.
func (x *xmlStream) token() (xml.Token, error) {
	x.src.mark()
	x.open = ""
	t, err := x.dec.Token()
	if err != nil {
		return nil, x.fatal(err)
	}
	return t, nil
}

// decode reads the element start opens into v.
func (x *xmlStream) decode(v any, start *xml.StartElement) error {
	x.src.mark()
	x.open, x.openLine = start.Name.Local, x.line()
	if err := x.dec.DecodeElement(v, start); err != nil {
		return x.fatal(err)
	}
	x.open = ""
	return nil
}

func (x *xmlStream) skip() error {
	x.src.mark()
	if err := x.dec.Skip(); err != nil {
		return x.fatal(err)
	}
	return nil
}

func (x *xmlStream) fatal(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var se *streamError
	if errors.As(err, &se) {
		return streamFatal(x.name, err)
	}
	if x.src.over || errors.Is(err, errXMLTooLong) {
		what := "an XML token"
		if x.open != "" {
			what = fmt.Sprintf("<%s> (line %d)", x.open, x.openLine)
		}
		return fmt.Errorf("%s:%d: %s is longer than %s; the rest of the file cannot be read", x.name, x.line(), what, sizeText(x.src.max))
	}
	var enc *encodingError
	if errors.As(err, &enc) {
		return fmt.Errorf("%s: %w", x.name, enc)
	}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		if strings.Contains(syn.Msg, "unexpected EOF") {
			if x.open != "" {
				return fmt.Errorf("%s: truncated XML: the input ends inside <%s> that starts on line %d", x.name, x.open, x.openLine)
			}
			return fmt.Errorf("%s: truncated XML: the input ends before the document does", x.name)
		}
		return fmt.Errorf("%s:%d: invalid XML: %s", x.name, syn.Line+x.lineBase, syn.Msg)
	}
	return fmt.Errorf("%s:%d: invalid XML: %w", x.name, x.line(), err)
}

// charsetReader accepts the declarations UTF-8 files carry, and Latin-1.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		return &latin1Reader{r: bufio.NewReader(input)}, nil
	}
	return nil, &encodingError{charset}
}

// encodingError is an XML declaration of an encoding we do not read.
type encodingError struct{ charset string }

func (e *encodingError) Error() string {
	return fmt.Sprintf("input is XML in the %s encoding: convert it to UTF-8 first (iconv -f %s -t UTF-8)", e.charset, e.charset)
}

type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.buf) < len(p) {
		c, err := l.r.ReadByte()
		if err != nil {
			if len(l.buf) > 0 {
				break
			}
			return 0, err
		}
		l.buf = utf8.AppendRune(l.buf, rune(c))
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

// xmlText is the text of an element with any inline markup (<i>, <sub>,
// <sup>, <b>, MathML) kept as its text: "H<sub>2</sub>O" is "H2O".
type xmlText string

func (t *xmlText) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	s, err := innerText(d)
	*t = xmlText(s)
	return err
}

// innerText reads the text up to the end of the current element.
func innerText(d *xml.Decoder) (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch tok := tok.(type) {
		case xml.CharData:
			b.Write(tok)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil
			}
			depth--
		}
	}
}

func attr(se *xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/paperseek/paperseek/internal/bytesize"
)

// valueScanner cuts a stream of JSON values into single values without
// decoding them: only strings and nesting are tracked. A malformed element
// is therefore one bad record rather than the end of the file, the line
// each element starts on is known, and at most one element is held in
// memory.
type valueScanner struct {
	br   *bufio.Reader
	line int // line of the next unread byte, 1-based
	max  int
	buf  []byte
}

// peek skips white space and returns the next byte without consuming it.
func (v *valueScanner) peek() (byte, error) {
	for {
		c, err := v.br.ReadByte()
		if err != nil {
			return 0, err
		}
		if !isSpace(c) {
			_ = v.br.UnreadByte() // cannot fail right after ReadByte
			return c, nil
		}
		if c == '\n' {
			v.line++
		}
	}
}

// value reads one value starting at the next byte, which must not be white
// space. If it is longer than the bound it is consumed but not kept
// (tooLong). Input ending inside the value is io.ErrUnexpectedEOF.
func (v *valueScanner) value() (data []byte, tooLong bool, err error) {
	v.buf = v.buf[:0]
	keep := func(c byte) {
		if tooLong {
			return
		}
		if len(v.buf) >= v.max {
			tooLong = true
			v.buf = v.buf[:0]
			return
		}
		v.buf = append(v.buf, c)
	}
	first, err := v.br.ReadByte()
	if err != nil {
		return nil, false, err
	}
	keep(first)
	switch first {
	case '{', '[', '"':
	default:
		// A number, literal, or a stray byte: it ends where a structural
		// byte or white space begins, or at the end of input.
		for {
			c, err := v.br.ReadByte()
			if err == io.EOF {
				return v.buf, tooLong, nil
			}
			if err != nil {
				return nil, false, err
			}
			if isSpace(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{' || c == '"' {
				_ = v.br.UnreadByte()
				return v.buf, tooLong, nil
			}
			keep(c)
		}
	}
	depth, inString, escaped := 1, first == '"', false
	if inString {
		depth = 0
	}
	for {
		c, err := v.br.ReadByte()
		if err == io.EOF {
			return nil, false, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, false, err
		}
		if c == '\n' {
			v.line++
		}
		keep(c)
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				if depth == 0 {
					return v.buf, tooLong, nil
				}
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return v.buf, tooLong, nil
			}
		}
	}
}

// valuesSource reads the elements of a JSON array, or JSON objects written
// one after another over several lines each (what `jq` prints by default).
type valuesSource struct {
	name       string
	sc         valueScanner
	dec        jsonDecoder
	array      bool
	afterValue bool // array: an element was read, a comma or ] comes next
	elemLine   int  // array: where the last element started
	done       bool
}

func (s *valuesSource) next() (entry, error) {
	for {
		if s.done {
			return entry{}, io.EOF
		}
		c, err := s.sc.peek()
		if err == io.EOF {
			if s.array {
				return entry{}, fmt.Errorf("%s: truncated JSON array: the input ends at line %d without the closing ]", s.name, s.sc.line)
			}
			s.done = true
			return entry{}, io.EOF
		}
		if err != nil {
			return entry{}, streamFatal(s.name, err)
		}
		if s.array {
			switch {
			case c == ']':
				// A trailing comma before ] is tolerated: it is a common
				// hand-editing slip and loses nothing.
				_, _ = s.sc.br.ReadByte()
				s.done = true
				c, err := s.sc.peek()
				switch {
				case err == io.EOF:
					return entry{}, io.EOF
				case err != nil:
					return entry{}, streamFatal(s.name, err)
				}
				return entry{}, fmt.Errorf("%s:%d: unexpected %q after the end of the JSON array", s.name, s.sc.line, c)
			case c == ',' && s.afterValue:
				_, _ = s.sc.br.ReadByte()
				s.afterValue = false
				continue
			case s.afterValue:
				return entry{}, fmt.Errorf("%s:%d: invalid JSON array: want , or ] after the element that starts on line %d, got %q", s.name, s.sc.line, s.elemLine, c)
			case c == ',':
				return entry{}, fmt.Errorf("%s:%d: invalid JSON array: unexpected ,", s.name, s.sc.line)
			}
		}
		start := s.sc.line
		data, tooLong, err := s.sc.value()
		if err != nil {
			var se *streamError
			if !errors.As(err, &se) && errors.Is(err, io.ErrUnexpectedEOF) {
				what := "JSON"
				if s.array {
					what = "JSON array"
				}
				return entry{}, fmt.Errorf("%s: truncated %s: the input ends inside the value that starts on line %d", s.name, what, start)
			}
			return entry{}, streamFatal(s.name, err)
		}
		s.afterValue, s.elemLine = true, start
		return decodeValue(s.name, &s.sc, &s.dec, data, tooLong, start)
	}
}

// decodeValue turns one JSON value that started on line start of file name
// into an entry, or into the RecordError that skips it: a value longer than
// the scanner holds, or one the decoder refuses.
func decodeValue(name string, sc *valueScanner, dec *jsonDecoder, data []byte, tooLong bool, start int) (entry, error) {
	if tooLong {
		return entry{}, &RecordError{File: name, Line: start, Reason: "record longer than " + bytesize.Format(int64(sc.max))}
	}
	p, kind, reason := dec.decode(data)
	if reason != "" {
		return entry{}, &RecordError{File: name, Line: start, Reason: reason}
	}
	return entry{rec: Record{Paper: p}, kind: kind, line: start}, nil
}

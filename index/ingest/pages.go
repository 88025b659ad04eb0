package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// API pages wrap a list of records in an object: OpenAlex writes
// {"meta":{…},"results":[…],"group_by":[]}, Semantic Scholar's Graph API
// {"total":N,"offset":N,"next":N,"data":[…]} (or {"token":…,"data":[…]}).
// A saved page, or several one after another (a harvest written to one
// file), is read element by element like a JSON array: the other members
// are skipped, the list's elements are records, and memory stays bounded
// by one element.

// pageListKeys are the members that hold the list.
var pageListKeys = map[string]bool{"results": true, "data": true}

// paperKeys are members of a paper record: an object that starts with one
// is a record, not a page.
var paperKeys = map[string]bool{
	"id": true, "_id": true, "title": true, "abstract": true, "paperId": true, "corpusid": true,
	"corpusId": true, "authors": true, "doi": true, "display_name": true,
}

// isListPage reports whether the object the input starts with is an API
// page: within the buffered head, a "results" or "data" member whose value
// is a list comes before any member a paper has.
func isListPage(br *bufio.Reader) bool {
	head, _ := br.Peek(br.Size())
	dec := json.NewDecoder(bytes.NewReader(head))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := t.(string)
		if pageListKeys[key] {
			t, err := dec.Token()
			return err == nil && t == json.Delim('[')
		}
		if paperKeys[key] {
			return false
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return false
}

type pageState int

const (
	betweenPages pageState = iota
	inPage
	inList
)

// pageSource reads the list elements of API pages.
type pageSource struct {
	name       string
	sc         valueScanner
	dec        jsonDecoder
	state      pageState
	afterValue bool // a member or an element was read: , or the closer comes next
	pageLine   int
	elemLine   int
}

func (s *pageSource) fatalf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", s.name, s.sc.line, fmt.Sprintf(format, args...))
}

func (s *pageSource) truncated() error {
	return fmt.Errorf("%s: truncated JSON: the input ends inside the page that starts on line %d", s.name, s.pageLine)
}

func (s *pageSource) next() (entry, error) {
	for {
		c, err := s.sc.peek()
		if err == io.EOF {
			if s.state != betweenPages {
				return entry{}, s.truncated()
			}
			return entry{}, io.EOF
		}
		if err != nil {
			return entry{}, streamFatal(s.name, err)
		}
		switch s.state {
		case betweenPages:
			if c != '{' {
				return entry{}, s.fatalf("invalid JSON: want another page object or the end of the input, got %q", c)
			}
			_, _ = s.sc.br.ReadByte()
			s.state, s.afterValue, s.pageLine = inPage, false, s.sc.line
		case inPage:
			switch {
			case c == '}':
				_, _ = s.sc.br.ReadByte()
				s.state = betweenPages
				continue
			case c == ',' && s.afterValue:
				_, _ = s.sc.br.ReadByte()
				s.afterValue = false
				continue
			case s.afterValue || c != '"':
				return entry{}, s.fatalf("invalid JSON: want a member name, , or } in the page that starts on line %d, got %q", s.pageLine, c)
			}
			raw, _, err := s.sc.value()
			if err != nil {
				return entry{}, s.scanError(err)
			}
			key := unquote(raw)
			if c, err := s.sc.peek(); err != nil {
				return entry{}, s.scanError(err)
			} else if c != ':' {
				return entry{}, s.fatalf("invalid JSON: want : after %s, got %q", quoteShort(key), c)
			}
			_, _ = s.sc.br.ReadByte()
			c, err := s.sc.peek()
			if err != nil {
				return entry{}, s.scanError(err)
			}
			s.afterValue = true
			if pageListKeys[key] && c == '[' {
				_, _ = s.sc.br.ReadByte()
				s.state, s.afterValue = inList, false
				continue
			}
			if _, _, err := s.sc.value(); err != nil { // a member we do not read
				return entry{}, s.scanError(err)
			}
		case inList:
			switch {
			case c == ']':
				_, _ = s.sc.br.ReadByte()
				s.state, s.afterValue = inPage, true
				continue
			case c == ',' && s.afterValue:
				_, _ = s.sc.br.ReadByte()
				s.afterValue = false
				continue
			case s.afterValue:
				return entry{}, s.fatalf("invalid JSON: want , or ] after the element that starts on line %d, got %q", s.elemLine, c)
			case c == ',':
				return entry{}, s.fatalf("invalid JSON: unexpected ,")
			}
			start := s.sc.line
			data, tooLong, err := s.sc.value()
			if err != nil {
				return entry{}, s.scanError(err)
			}
			s.afterValue, s.elemLine = true, start
			return decodeValue(s.name, &s.sc, &s.dec, data, tooLong, start)
		}
	}
}

func (s *pageSource) scanError(err error) error {
	var se *streamError
	if err == io.EOF || !errors.As(err, &se) && errors.Is(err, io.ErrUnexpectedEOF) {
		return s.truncated()
	}
	return streamFatal(s.name, err)
}

package ingest

import (
	"bufio"
	"errors"
	"io"
)

// maxRecordBytes bounds one line (JSON lines) or one record (CSV, JSON
// array element). A bigger one is skipped rather than read into memory, so a
// corrupt file can never make an import allocate without bound.
const maxRecordBytes = 16 << 20

// errLineTooLong marks a line that was skipped because it exceeded the bound.
var errLineTooLong = errors.New("line too long")

// lineReader hands out one line at a time, numbered from 1, holding at most
// max bytes of it. Line ends (\n or \r\n) are stripped.
type lineReader struct {
	br     *bufio.Reader
	max    int
	buf    []byte
	line   int    // number of the line last returned
	prefix []byte // the start of the last line skipped as too long (BibTeX looks for an @ there)
}

// prefixBytes is how much of an overlong line is kept in prefix.
const prefixBytes = 64

// next returns the next line; the slice is valid until the following call.
// A line over the bound is consumed to its end and reported as
// errLineTooLong (l.line is its number). At the end of input it returns
// io.EOF; any other error comes from the underlying stream.
func (l *lineReader) next() ([]byte, error) {
	l.buf = l.buf[:0]
	tooLong := false
	started := false
	for {
		chunk, err := l.br.ReadSlice('\n')
		if len(chunk) > 0 {
			started = true
		}
		if !tooLong {
			// +2 leaves room for the line end, which is not part of the line.
			if len(l.buf)+len(chunk) > l.max+2 {
				tooLong = true
				l.prefix = append(append(l.prefix[:0], l.buf[:min(len(l.buf), prefixBytes)]...), chunk[:min(len(chunk), prefixBytes-min(len(l.buf), prefixBytes))]...)
				l.buf = l.buf[:0]
			} else {
				l.buf = append(l.buf, chunk...)
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			if !started {
				return nil, io.EOF
			}
		default:
			// A partial line before a read error is not a record: the stream
			// is broken and the caller stops.
			return nil, err
		}
		l.line++
		if tooLong {
			return nil, errLineTooLong
		}
		line := trimLineEnd(l.buf)
		if len(line) > l.max {
			return nil, errLineTooLong
		}
		return line, nil
	}
}

func trimLineEnd(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/internal/bytesize"
)

// Format names the detected input format.
type Format string

// The formats NewReader recognises. JSON lines may mix record kinds; the
// format of a JSON lines input is the kind of its first record (generic
// JSONL when the first line is not a valid JSON object).
const (
	FormatJSONL       Format = "jsonl"
	FormatArxiv       Format = "arxiv"
	FormatBEIR        Format = "beir"
	FormatJSONArray   Format = "json-array"
	FormatCSV         Format = "csv"
	FormatTSV         Format = "tsv"
	FormatCSL         Format = "csl-json"
	FormatOpenAlex    Format = "openalex"
	FormatS2          Format = "s2"           // Semantic Scholar Graph API paper objects
	FormatS2Papers    Format = "s2-papers"    // Semantic Scholar Datasets "papers" rows
	FormatS2Abstracts Format = "s2-abstracts" // Semantic Scholar Datasets "abstracts" rows
	FormatBibTeX      Format = "bibtex"
	FormatRIS         Format = "ris"
	FormatPubMed      Format = "pubmed"
	FormatOAI         Format = "arxiv-oai"
)

// Record is one item of an input: a paper to add or, when Delete is set, a
// paper to remove. A deletion's Paper holds only the id the source gives
// the paper and the external id that names it (PubMed: ID "pmid:123" and
// PMID "123"; OAI-PMH: the arXiv id as ID and ArXiv); Ref gives the
// reference to resolve.
type Record struct {
	Paper  index.Paper
	Delete bool
}

// Ref is the reference a deletion names: its external id when it has one
// (the paper may be indexed under another source's id), else its id.
func (r Record) Ref() index.Ref {
	switch p := &r.Paper; {
	case p.PMID != "":
		return index.Ref{Scheme: index.SchemePMID, Value: p.PMID}
	case p.ArXiv != "":
		return index.Ref{Scheme: index.SchemeArXiv, Value: p.ArXiv}
	case p.DOI != "":
		return index.Ref{Scheme: index.SchemeDOI, Value: p.DOI}
	}
	return index.Ref{Value: r.Paper.ID}
}

// RecordError is one skipped record. Its Error text is "FILE:LINE: reason",
// LINE being the 1-based line where the record starts.
type RecordError struct {
	File   string
	Line   int
	Reason string
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// source is one format's record loop.
type source interface {
	next() (entry, error)
}

// entry is what a source yields: a record, plus what the Semantic Scholar
// join needs (the kind of row and the line it starts on).
type entry struct {
	rec  Record
	kind Format // FormatS2Papers and FormatS2Abstracts rows are joined; others pass through
	line int
}

// Reader streams papers from one input.
type Reader struct {
	name    string
	format  Format
	src     source
	closer  io.Closer
	pending []result // the records read while detecting the format
	err     error    // io.EOF or the error that broke the input, once seen
}

type result struct {
	e   entry
	err error
}

// bufSize is the read buffer; detection looks at most this far ahead.
const bufSize = 64 << 10

// NewReader detects the format of r: gzip by its magic bytes (decompressed
// transparently), a UTF-8 byte-order mark is skipped, then JSON array,
// JSON lines or CSV/TSV by the content. name is used in every error
// message ("stdin" for standard input). An input in no recognised format
// is an error naming it. An empty input is valid and holds no papers.
func NewReader(name string, r io.Reader) (*Reader, error) {
	return newReader(name, r, maxRecordBytes)
}

// Open opens path ("-" for standard input, named "stdin" in messages) and
// returns a Reader whose Close closes the file.
func Open(path string) (*Reader, error) {
	if path == "-" {
		return NewReader("stdin", os.Stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err == nil && info.IsDir() {
		_ = f.Close()
		return nil, fmt.Errorf("%s: is a directory, not a file of papers", path)
	}
	rd, err := NewReader(path, f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	rd.closer = f
	return rd, nil
}

// Close releases the input; for a Reader from Open it closes the file.
// The gzip reader is not closed: its Close only repeats the decoding
// error Next has already returned.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	err := r.closer.Close()
	r.closer = nil
	return err
}

// Format reports the detected format.
func (r *Reader) Format() Format { return r.format }

// Name is the input's name as used in messages.
func (r *Reader) Name() string { return r.name }

// Next returns the next paper, or io.EOF at the end. A bad record is a
// *RecordError: report it and call Next again. Any other error means the
// input is broken; its text starts with the file name, and every later
// call returns it again. Deletions are skipped: a caller that applies them
// uses NextRecord.
func (r *Reader) Next() (index.Paper, error) {
	for {
		rec, err := r.NextRecord()
		if err != nil {
			return index.Paper{}, err
		}
		if !rec.Delete {
			return rec.Paper, nil
		}
	}
}

// NextRecord returns the next paper or deletion, with the errors of Next.
// Read alone, a Semantic Scholar Datasets abstracts row has no paper to go
// to and is a *RecordError; a papers row is a paper with the fields it has
// (NewMultiReader joins the two).
func (r *Reader) NextRecord() (Record, error) {
	e, err := r.nextEntry()
	if err != nil {
		return Record{}, err
	}
	switch e.kind {
	case FormatS2Abstracts:
		return Record{}, &RecordError{File: r.name, Line: e.line, Reason: orphanAbstract(e.rec.Paper.ID)}
	case FormatS2Papers:
		if reason := checkText(&e.rec.Paper); reason != "" {
			return Record{}, &RecordError{File: r.name, Line: e.line, Reason: reason}
		}
	}
	return e.rec, nil
}

func (r *Reader) nextEntry() (entry, error) {
	if r.err != nil {
		return entry{}, r.err
	}
	var e entry
	var err error
	if len(r.pending) > 0 {
		e, err = r.pending[0].e, r.pending[0].err
		r.pending = r.pending[1:]
	} else {
		e, err = r.src.next()
	}
	var re *RecordError
	if err != nil && !errors.As(err, &re) {
		r.err = err
	}
	return e, err
}

func newReader(name string, in io.Reader, maxRecord int) (*Reader, error) {
	r := &Reader{name: name}
	br := bufio.NewReaderSize(tagReader{r: in}, bufSize)
	head, err := br.Peek(6)
	if err != nil && err != io.EOF {
		return nil, streamFatal(name, err)
	}
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, streamFatal(name, gzipError(err))
		}
		br = bufio.NewReaderSize(tagReader{r: gz, gzip: true}, bufSize)
		if head, err = br.Peek(6); err != nil && err != io.EOF {
			return nil, streamFatal(name, err)
		}
	}
	if err := unsupported(name, head); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	skipped, first, err := skipBlankLines(br)
	if err == io.EOF {
		r.format = FormatJSONL
		r.src = eofSource{}
		return r, nil
	}
	if err != nil {
		return nil, streamFatal(name, err)
	}
	switch first {
	case '[':
		sc := valueScanner{br: br, line: skipped + 1, max: maxRecord}
		if _, err := sc.peek(); err != nil { // white space before the [ on its line
			return nil, streamFatal(name, err)
		}
		_, _ = br.ReadByte()
		// An array names its format by its first element's kind, as JSON
		// lines do ("csl-json" for Zotero's export), generic ones being
		// "json-array".
		if _, err := r.primeJSON(&valuesSource{name: name, array: true, sc: sc}); err != nil {
			return nil, err
		}
		if r.format == FormatJSONL {
			r.format = FormatJSONArray
		}
		return r, nil
	case '{':
		var src source
		if isListPage(br) {
			// An API page: {"meta":…,"results":[…]} or {"data":[…]}.
			src = &pageSource{name: name, sc: valueScanner{br: br, line: skipped + 1, max: maxRecord}}
		} else if firstLineIsOpenBrace(br) {
			// Pretty-printed objects one after another (`jq` output).
			src = &valuesSource{name: name, sc: valueScanner{br: br, line: skipped + 1, max: maxRecord}}
		} else {
			src = &jsonlSource{name: name, lines: &lineReader{br: br, max: maxRecord, line: skipped}}
		}
		return r.primeJSON(src)
	case '<':
		return r.xml(name, br, skipped, maxRecord)
	}
	lines := &lineReader{br: br, max: maxRecord, line: skipped}
	// A copy: reading the header below may move the buffer under a peek.
	peek, _ := br.Peek(br.Size())
	head = append([]byte(nil), peek...)
	switch {
	case isRISStart(firstLine(head)):
		r.format = FormatRIS
		r.src = &risSource{name: name, lines: lines}
		return r, nil
	case isBibEntryStart(firstLine(head)), first == '%' && hasBibEntryLine(head):
		r.format = FormatBibTeX
		r.src = newBibSource(name, lines)
		return r, nil
	}
	header, err := lines.next()
	switch {
	case errors.Is(err, errLineTooLong):
		header = nil
	case err != nil && err != io.EOF:
		return nil, streamFatal(name, err)
	}
	delim, fields, cols, err := detectCSVHeader(name, header)
	if err != nil {
		// Not a CSV header: text before RIS records (some databases write
		// a few lines of provenance first) or before BibTeX entries (any
		// text outside an entry is a comment in BibTeX).
		switch {
		case hasRISStartLine(head):
			r.format = FormatRIS
			r.src = &risSource{name: name, lines: lines}
			return r, nil
		case hasBibEntryLine(head):
			r.format = FormatBibTeX
			r.src = newBibSource(name, lines)
			return r, nil
		}
		return nil, err
	}
	r.format = FormatCSV
	if delim == '\t' {
		r.format = FormatTSV
	}
	r.src = &csvSource{name: name, lines: lines, cols: cols, width: len(fields), p: csvParser{delim: delim}}
	return r, nil
}

// primeJSON reads the first good record, whose kind names the format
// (bad records before it are kept to be returned first, up to
// primeBadRecords of them: a broken first line must not make a file of
// Semantic Scholar abstracts look like something else).
func (r *Reader) primeJSON(src source) (*Reader, error) {
	r.src = src
	r.format = FormatJSONL
	for {
		e, err := src.next()
		var re *RecordError
		switch {
		case err == nil:
			r.format = e.kind
		case errors.As(err, &re) && len(r.pending) < primeBadRecords:
			r.pending = append(r.pending, result{e, err})
			continue
		case errors.As(err, &re), err == io.EOF:
		case len(r.pending) == 0:
			return nil, err
		}
		r.pending = append(r.pending, result{e, err})
		return r, nil
	}
}

// primeBadRecords bounds the bad records read ahead while detecting.
const primeBadRecords = 100

// firstLineIsOpenBrace reports whether the first line is a lone "{", the
// start of a pretty-printed object rather than a JSON line.
func firstLineIsOpenBrace(br *bufio.Reader) bool {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	} else {
		return false
	}
	return string(bytes.TrimSpace(head)) == "{"
}

// skipBlankLines consumes whole blank lines before the first content,
// returning how many there were and the first content byte (not consumed).
func skipBlankLines(br *bufio.Reader) (int, byte, error) {
	lines := 0
	for {
		buf, err := br.Peek(br.Size())
		for i, c := range buf {
			if !isSpace(c) {
				nl := bytes.LastIndexByte(buf[:i], '\n')
				lines += bytes.Count(buf[:nl+1], []byte{'\n'})
				_, _ = br.Discard(nl + 1)
				return lines, c, nil
			}
		}
		lines += bytes.Count(buf, []byte{'\n'})
		_, _ = br.Discard(len(buf))
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return lines, 0, err
		}
	}
}

// unsupported names inputs that are clearly not text we can read, so the
// user learns what to do instead of seeing "not a recognised format".
func unsupported(name string, head []byte) error {
	for _, m := range []struct{ magic, what, fix string }{
		{"\x28\xb5\x2f\xfd", "zstd-compressed", "decompress it first (zstd -d) or use gzip"},
		{"\xfd7zXZ\x00", "xz-compressed", "decompress it first (xz -d) or use gzip"},
		{"PK\x03\x04", "a zip archive", "extract it first (unzip)"},
		{"\xff\xfe", "UTF-16 text", "convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)"},
		{"\xfe\xff", "UTF-16 text", "convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)"},
	} {
		if bytes.HasPrefix(head, []byte(m.magic)) {
			return fmt.Errorf("%s: input is %s: %s", name, m.what, m.fix)
		}
	}
	if len(head) >= 4 && string(head[:3]) == "BZh" && head[3] >= '1' && head[3] <= '9' {
		return fmt.Errorf("%s: input is bzip2-compressed: decompress it first (bzip2 -d) or use gzip", name)
	}
	return nil
}

// streamError marks a failure of the input stream itself (reading or
// decompressing), as opposed to a problem with what it contains.
type streamError struct {
	err  error
	gzip bool
}

func (e *streamError) Error() string { return e.err.Error() }
func (e *streamError) Unwrap() error { return e.err }

// tagReader marks every error but io.EOF as a streamError, so the format
// readers above it can tell a broken stream from broken content.
type tagReader struct {
	r    io.Reader
	gzip bool
}

func (t tagReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		var se *streamError
		if !errors.As(err, &se) {
			err = &streamError{err: err, gzip: t.gzip}
		}
	}
	return n, err
}

// gzipError tags an error from reading the gzip header.
func gzipError(err error) error {
	var se *streamError
	if errors.As(err, &se) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &streamError{err: err, gzip: true}
}

// streamFatal turns an error of the input stream into the message that
// stops the run; io.EOF passes through.
func streamFatal(name string, err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var se *streamError
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: %w", name, err)
	}
	if se.gzip {
		if errors.Is(se.err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%s: truncated gzip stream: %w", name, se.err)
		}
		return fmt.Errorf("%s: corrupt gzip stream: %w", name, se.err)
	}
	cause := se.err
	var pe *fs.PathError
	if errors.As(cause, &pe) {
		cause = pe.Err
	}
	return fmt.Errorf("%s: read: %w", name, cause)
}

type eofSource struct{}

func (eofSource) next() (entry, error) { return entry{}, io.EOF }

// jsonlSource reads one JSON object a line.
type jsonlSource struct {
	name  string
	lines *lineReader
	dec   jsonDecoder
}

func (s *jsonlSource) next() (entry, error) {
	for {
		line, err := s.lines.next()
		if errors.Is(err, errLineTooLong) {
			return entry{}, &RecordError{File: s.name, Line: s.lines.line, Reason: "line longer than " + bytesize.Format(int64(s.lines.max))}
		}
		if err != nil {
			return entry{}, streamFatal(s.name, err)
		}
		if isBlank(line) {
			continue
		}
		p, kind, reason := s.dec.decode(line)
		if reason != "" {
			return entry{}, &RecordError{File: s.name, Line: s.lines.line, Reason: reason}
		}
		return entry{rec: Record{Paper: p}, kind: kind, line: s.lines.line}, nil
	}
}

// firstLine returns buf up to its first line end.
func firstLine(buf []byte) []byte {
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		return buf[:i]
	}
	return buf
}

package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/paperseek/paperseek/index"
)

// A MultiReader reads all the inputs of one `paperseek index` run as one
// stream of records, which is what the Semantic Scholar Datasets need: a
// release comes as "papers" files and "abstracts" files, joined on
// corpusid. The inputs are detected when the MultiReader is made. Reading
// then goes in three phases:
//
//  1. every input whose first record is an abstracts row is read first,
//     whatever its place on the command line, its abstracts spooled to a
//     temporary on-disk store (spool.go; memory stays bounded however big
//     the release); only its bad records come out;
//  2. the other inputs, in the order given: every record comes out, and a
//     papers row takes the abstract of its corpusid from the spool;
//  3. each spooled abstract that no papers row took is a *RecordError
//     naming its abstracts file and line ("… has no papers row in this run:
//     not indexed").
//
// A run without abstracts files is the inputs one after another, as
// reading each with its own Reader would be. Errors are those of
// Reader.NextRecord: a *RecordError is reported and reading goes on; any
// other error stops the run (and every later call returns it again).
//
// Abstracts files hold abstracts rows only: any other record in one is a
// bad record, and so is an abstracts row in a file that starts with
// something else (it would come too late for the papers already read).
type MultiReader struct {
	readers   []*Reader
	abstracts []int // inputs that start with an abstracts row, read in phase 1
	others    []int
	opts      MultiOptions
	spool     *abstractSpool
	phase     int
	pos       int // index into abstracts or others
	last      int // the input of the last record or error
	closers   []io.Closer
	err       error
}

// Input is one named input of a run; Name is used in messages.
type Input struct {
	Name string
	R    io.Reader
}

// MultiOptions tunes a MultiReader.
type MultiOptions struct {
	// TempDir holds the spool of Semantic Scholar abstracts while a run
	// reads them ("" is the system's temporary directory). It needs about
	// the size of the uncompressed abstracts files.
	TempDir string
}

const (
	phaseSpool = iota
	phaseMain
	phaseOrphans
	phaseDone
)

// NewMultiReader detects the format of every input (a broken or
// unrecognised one is the error, naming it) and returns the reader of the
// run. Close removes the spool; it does not close the inputs.
func NewMultiReader(inputs []Input, opts MultiOptions) (*MultiReader, error) {
	m := &MultiReader{opts: opts, last: -1}
	for i, in := range inputs {
		rd, err := NewReader(in.Name, in.R)
		if err != nil {
			return nil, err
		}
		m.readers = append(m.readers, rd)
		if rd.Format() == FormatS2Abstracts {
			m.abstracts = append(m.abstracts, i)
		} else {
			m.others = append(m.others, i)
		}
	}
	return m, nil
}

// OpenAll opens the files of a run ("-" is standard input, named "stdin")
// and returns their MultiReader, whose Close also closes the files.
func OpenAll(paths []string, opts MultiOptions) (*MultiReader, error) {
	var inputs []Input
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			_ = c.Close()
		}
	}
	stdin := false
	for _, path := range paths {
		if path == "-" {
			if stdin {
				closeAll()
				return nil, errors.New("stdin (-) can be given only once")
			}
			stdin = true
			inputs = append(inputs, Input{Name: "stdin", R: os.Stdin})
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			closeAll()
			return nil, err
		}
		closers = append(closers, f)
		if info, err := f.Stat(); err == nil && info.IsDir() {
			closeAll()
			return nil, fmt.Errorf("%s: is a directory, not a file of papers", path)
		}
		inputs = append(inputs, Input{Name: path, R: f})
	}
	m, err := NewMultiReader(inputs, opts)
	if err != nil {
		closeAll()
		return nil, err
	}
	m.closers = closers
	return m, nil
}

// Len is the number of inputs.
func (m *MultiReader) Len() int { return len(m.readers) }

// Format reports the detected format of input i.
func (m *MultiReader) Format(i int) Format { return m.readers[i].Format() }

// Name is the name of input i.
func (m *MultiReader) Name(i int) string { return m.readers[i].Name() }

// Input is the index of the input the last record or error came from, -1
// before the first: a progress display can follow the files with it.
func (m *MultiReader) Input() int { return m.last }

// Next returns the next paper, skipping deletions, like Reader.Next.
func (m *MultiReader) Next() (index.Paper, error) {
	for {
		rec, err := m.NextRecord()
		if err != nil {
			return index.Paper{}, err
		}
		if !rec.Delete {
			return rec.Paper, nil
		}
	}
}

// NextRecord returns the next paper or deletion of the run, or io.EOF.
func (m *MultiReader) NextRecord() (Record, error) {
	if m.err != nil {
		return Record{}, m.err
	}
	rec, err := m.next()
	var re *RecordError
	if err != nil && !errors.As(err, &re) {
		m.err = err
	}
	return rec, err
}

func (m *MultiReader) next() (Record, error) {
	for {
		switch m.phase {
		case phaseSpool:
			if m.pos >= len(m.abstracts) {
				m.phase, m.pos = phaseMain, 0
				continue
			}
			i := m.abstracts[m.pos]
			m.last = i
			rd := m.readers[i]
			e, err := rd.nextEntry()
			switch {
			case err == io.EOF:
				m.pos++
				continue
			case err != nil:
				return Record{}, err
			case e.kind != FormatS2Abstracts:
				return Record{}, &RecordError{File: rd.name, Line: e.line, Reason: "not a Semantic Scholar abstracts row, in a file of them: give papers and abstracts in separate files"}
			}
			if m.spool == nil {
				if m.spool, err = newAbstractSpool(m.opts.TempDir); err != nil {
					return Record{}, err
				}
			}
			if err := m.spool.put(e.rec.Paper.ID, i, e.line, e.rec.Paper.Abstract); err != nil {
				return Record{}, err
			}
		case phaseMain:
			if m.pos >= len(m.others) {
				m.phase = phaseOrphans
				continue
			}
			i := m.others[m.pos]
			m.last = i
			rd := m.readers[i]
			e, err := rd.nextEntry()
			switch {
			case err == io.EOF:
				m.pos++
				continue
			case err != nil:
				return Record{}, err
			}
			switch e.kind {
			case FormatS2Abstracts:
				return Record{}, &RecordError{File: rd.name, Line: e.line, Reason: "Semantic Scholar abstracts row in a file that does not start with one: give the abstracts in their own files"}
			case FormatS2Papers:
				p := &e.rec.Paper
				if m.spool != nil {
					text, ok, err := m.spool.take(p.ID)
					if err != nil {
						return Record{}, err
					}
					if ok && p.Abstract == "" {
						p.Abstract = index.CleanText(text)
					}
				}
				if reason := checkText(p); reason != "" {
					return Record{}, &RecordError{File: rd.name, Line: e.line, Reason: reason}
				}
			}
			return e.rec, nil
		case phaseOrphans:
			if m.spool == nil {
				m.phase = phaseDone
				continue
			}
			id, input, line, ok, err := m.spool.nextOrphan()
			if err != nil {
				return Record{}, err
			}
			if !ok {
				m.phase = phaseDone
				continue
			}
			m.last = input
			return Record{}, &RecordError{File: m.readers[input].name, Line: line, Reason: orphanAbstract(id)}
		default:
			return Record{}, io.EOF
		}
	}
}

// Close removes the spool and, for OpenAll, closes the files.
func (m *MultiReader) Close() error {
	var err error
	if m.spool != nil {
		err = m.spool.close()
		m.spool = nil
	}
	for _, c := range m.closers {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	m.closers = nil
	return err
}

package ingest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paperseek/paperseek/index"
)

// FuzzReader feeds arbitrary bytes through NewReader and NextRecord, for
// every format (the seeds hold a sample of each). Whatever the input, the
// reader must not panic or stall, every error must name the input, every
// paper must be one the index can take (an id, a title or an abstract,
// clean text, external ids in normal form), and every deletion must name
// a paper. A small record bound makes the overlong-record paths reachable
// with small inputs.
func FuzzReader(f *testing.F) {
	for _, dir := range []string{formatsDir, "../../testdata"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || strings.HasSuffix(e.Name(), ".md") {
				continue
			}
			// Every sample of testdata/formats seeds the corpus: one or more
			// of each format the reader knows.
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := newReader("fuzz", bytes.NewReader(data), 1<<10)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("NewReader error does not name the input: %q", err)
			}
			return
		}
		// Every call consumes input, and gzip expands at most ~1032:1.
		limit := len(data)*1100 + 10
		lastLine := 0
		for i := 0; ; i++ {
			if i > limit {
				t.Fatalf("more than %d results from %d bytes: the reader is not making progress", limit, len(data))
			}
			rec, err := r.NextRecord()
			var re *RecordError
			switch {
			case err == io.EOF:
				if _, again := r.NextRecord(); again != io.EOF {
					t.Fatalf("NextRecord after io.EOF returned %v", again)
				}
				return
			case errors.As(err, &re):
				if re.File != "fuzz" || re.Line < 1 || re.Reason == "" || strings.ContainsAny(re.Reason, "\r\n") {
					t.Fatalf("malformed record error %#v", re)
				}
				if re.Line < lastLine {
					t.Fatalf("record error at line %d after one at line %d", re.Line, lastLine)
				}
				lastLine = re.Line
			case err != nil:
				if !strings.HasPrefix(err.Error(), "fuzz:") {
					t.Fatalf("error does not name the input: %q", err)
				}
				if _, again := r.NextRecord(); again == nil || again.Error() != err.Error() {
					t.Fatalf("NextRecord after %q returned %v", err, again)
				}
				return
			case rec.Delete:
				p := rec.Paper
				if p.ID == "" || p.PMID == "" && p.ArXiv == "" || p.Title != "" || p.Abstract != "" {
					t.Fatalf("malformed deletion %#v", p)
				}
				if ref := rec.Ref(); ref.Scheme == "" {
					t.Fatalf("deletion %#v names no external id", p)
				}
			default:
				checkPaper(t, rec.Paper)
			}
		}
	})
}

func checkPaper(t *testing.T, p index.Paper) {
	t.Helper()
	if p.ID == "" || p.ID != strings.TrimSpace(p.ID) || !utf8.ValidString(p.ID) || strings.IndexFunc(p.ID, unicode.IsControl) >= 0 {
		t.Fatalf("bad id %q", p.ID)
	}
	if p.Title == "" && p.Abstract == "" {
		t.Fatalf("paper %q has neither title nor abstract", p.ID)
	}
	for _, s := range append([]string{p.Title, p.Abstract}, p.Authors...) {
		if s != index.CleanText(s) {
			t.Fatalf("paper %q: text not clean: %q", p.ID, s)
		}
	}
	for _, a := range p.Authors {
		if a == "" {
			t.Fatalf("paper %q: empty author", p.ID)
		}
	}
	for _, c := range p.Categories {
		if c == "" || strings.IndexFunc(c, unicode.IsSpace) >= 0 || !utf8.ValidString(c) {
			t.Fatalf("paper %q: bad category %q", p.ID, c)
		}
	}
	if p.Year != 0 && (p.Year < 1000 || p.Year > 9999) {
		t.Fatalf("paper %q: year %d", p.ID, p.Year)
	}
	if p.Published != "" {
		if _, err := time.Parse("2006-01-02", p.Published); err != nil || p.Year == 0 {
			t.Fatalf("paper %q: published %q, year %d", p.ID, p.Published, p.Year)
		}
	}
	if !utf8.ValidString(p.URL) || p.URL != strings.TrimSpace(p.URL) {
		t.Fatalf("paper %q: url %q", p.ID, p.URL)
	}
	if p.DOI != "" && index.NormalizeDOI(p.DOI) != p.DOI || p.ArXiv != "" && index.NormalizeArXiv(p.ArXiv) != p.ArXiv || p.PMID != "" && index.NormalizePMID(p.PMID) != p.PMID {
		t.Fatalf("paper %q: external ids not normalised: doi %q arxiv %q pmid %q", p.ID, p.DOI, p.ArXiv, p.PMID)
	}
}

// FuzzParseRef: any string is a ref or index.ErrBadRef, and a ref written back
// reads as itself.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"doi:10.1/X", "arxiv:2401.01234v2", "pmid:123", "cs/0701113", "https://doi.org/10.1/a", "https://arxiv.org/abs/hep-th/9901001", "", "doi:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := index.ParseRef(s)
		if err != nil {
			if !errors.Is(err, index.ErrBadRef) {
				t.Fatalf("index.ParseRef(%q): %v is not index.ErrBadRef", s, err)
			}
			return
		}
		again, err := index.ParseRef(ref.String())
		if err != nil || again != ref {
			t.Fatalf("index.ParseRef(%q) = %+v; its String %q reads as %+v, %v", s, ref, ref.String(), again, err)
		}
	})
}

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

// FuzzReader feeds arbitrary bytes through NewReader and Next. Whatever the
// input, the reader must not panic or stall, every error must name the
// input, and every paper must be one the index can take: an id, a title or
// an abstract, clean text. A small record bound makes the overlong-record
// paths reachable with small inputs.
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
			p, err := r.Next()
			var re *RecordError
			switch {
			case err == io.EOF:
				if _, again := r.Next(); again != io.EOF {
					t.Fatalf("Next after io.EOF returned %v", again)
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
				if _, again := r.Next(); again == nil || again.Error() != err.Error() {
					t.Fatalf("Next after %q returned %v", err, again)
				}
				return
			default:
				checkPaper(t, p)
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
	if !utf8.ValidString(p.URL) || !utf8.ValidString(p.DOI) || p.URL != strings.TrimSpace(p.URL) || p.DOI != strings.TrimSpace(p.DOI) {
		t.Fatalf("paper %q: url %q doi %q", p.ID, p.URL, p.DOI)
	}
}

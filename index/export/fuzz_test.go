package export

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
)

// FuzzRoundTrip exports a paper with arbitrary text in every format and
// reads it back with the ingest readers: the export must always be
// readable as exactly that one paper, with its title and abstract
// unchanged (CSL-JSON excepted for titles holding CSL's own rich-text
// tags, which citeproc reads as markup).
func FuzzRoundTrip(f *testing.F) {
	for _, p := range awkward {
		f.Add(p.Title, p.Abstract, strings.Join(p.Authors, ";"))
	}
	f.Add(`{\"u} $x$ -- ''`, `\textbackslash{} \\ }{`, "A B;C, D")
	f.Fuzz(func(t *testing.T, title, abstract, authors string) {
		p := index.Paper{ID: "fz", Title: index.CleanText(title), Abstract: index.CleanText(abstract), Year: 2020}
		for _, a := range strings.Split(authors, ";") {
			if a = index.CleanText(a); a != "" {
				p.Authors = append(p.Authors, a)
			}
		}
		if p.Title == "" && p.Abstract == "" {
			return
		}
		for _, format := range Formats {
			var buf bytes.Buffer
			if err := Write(&buf, format, []index.Paper{p}); err != nil {
				t.Fatal(err)
			}
			r, err := ingest.NewReader("export", bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%s export unreadable: %v\n%s", format, err, buf.Bytes())
			}
			var got []index.Paper
			for {
				q, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s export: %v\n%s", format, err, buf.Bytes())
				}
				got = append(got, q)
			}
			if len(got) != 1 {
				t.Fatalf("%s export read back as %d papers\n%s", format, len(got), buf.Bytes())
			}
			if format == CSLJSON && strings.ContainsAny(p.Title+p.Abstract, "<") {
				continue
			}
			if got[0].Title != p.Title || got[0].Abstract != p.Abstract {
				t.Fatalf("%s round trip changed the text:\n title %q\n    -> %q\n abstract %q\n       -> %q\n%s",
					format, p.Title, got[0].Title, p.Abstract, got[0].Abstract, buf.Bytes())
			}
		}
	})
}

package export

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
)

// awkward are papers that test every escape and name rule.
var awkward = []index.Paper{
	{
		ID:       "awk-1",
		Title:    `Braces {x}, 100% & $5, C# & snake_case, x^2, a~b, back\slash -- "quotes" ''two'' ` + "``tick''" + ` — Đoković, 東京`,
		Abstract: `Math as written: $\alpha$-decay with $x_{i}^{2}$; an unbalanced } brace; \& and \% stay; state-of-the-art; model's.`,
		Authors:  []string{"Novak Djoković", "Ludwig van Beethoven", "John Doe Jr.", "World Health Organization", "Plato", "Barnes and Noble", "Jean de la Fontaine", "Barnes and Noble, Inc.", "Acme Widgets, Ltd."},
		Year:     2024, Published: "2024-01-15",
		DOI: "10.1000/abc_def--x", ArXiv: "2401.01234", PMID: "123",
		Categories: []string{"cs.CL", "cs.AI"}, URL: "https://example.org/a_b?x=1&y=%20",
	},
	{
		ID: "hep-th/9901001", Title: "An old-style arXiv paper", Abstract: "Only an arXiv id.",
		Authors: []string{"Hrvoje Nikolić"}, Year: 1999, ArXiv: "hep-th/9901001", Categories: []string{"hep-th"},
	},
	{ID: "paper with spaces", Title: "No year, no authors, no abstract"},
	{ID: "only abstract", Abstract: "A paper known by its abstract alone {with braces}."},
	{ID: "dup 1", Title: "Deep Learning of Things", Authors: []string{"Ann Smith"}, Year: 2020, DOI: "10.1000/x1"},
	{ID: "dup 2", Title: "Deep learning, again", Authors: []string{"Bob Smith"}, Year: 2020, PMID: "456"},
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"bibtex": BibTeX, "BibLaTeX": BibTeX, " ris ": RIS, "csl-json": CSLJSON, "CSL": CSLJSON} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseFormat("endnote"); err == nil || !strings.Contains(err.Error(), "want bibtex, ris or csl-json") {
		t.Errorf("ParseFormat(endnote) = %v", err)
	}
}

// readBack reads an export with the ingest readers, as `paperseek index`
// of the exported file would.
func readBack(t *testing.T, f Format, data []byte) ([]index.Paper, ingest.Format) {
	t.Helper()
	r, err := ingest.NewReader("export", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading the %s export: %v\n%s", f, err, data)
	}
	var out []index.Paper
	for {
		p, err := r.Next()
		if err == io.EOF {
			return out, r.Format()
		}
		if err != nil {
			t.Fatalf("reading the %s export: %v\n%s", f, err, data)
		}
		out = append(out, p)
	}
}

// What a round trip keeps, by format: title, authors, year, DOI, arXiv id
// and abstract always; the PMID, the publication date and the categories
// (written as keywords) too.
func kept(p index.Paper) index.Paper {
	return index.Paper{Title: p.Title, Abstract: p.Abstract, Authors: p.Authors, Year: p.Year, Published: p.Published,
		DOI: p.DOI, ArXiv: p.ArXiv, PMID: p.PMID, Categories: p.Categories}
}

func TestRoundTrip(t *testing.T) {
	want := map[Format]ingest.Format{BibTeX: ingest.FormatBibTeX, RIS: ingest.FormatRIS, CSLJSON: ingest.FormatCSL}
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f, awkward); err != nil {
				t.Fatal(err)
			}
			got, format := readBack(t, f, buf.Bytes())
			if format != want[f] {
				t.Errorf("read back as %q, want %q", format, want[f])
			}
			if len(got) != len(awkward) {
				t.Fatalf("read back %d papers, want %d:\n%s", len(got), len(awkward), buf.Bytes())
			}
			for i := range awkward {
				if g, w := kept(got[i]), kept(awkward[i]); !reflect.DeepEqual(g, w) {
					t.Errorf("paper %q after a %s round trip:\n got %#v\nwant %#v", awkward[i].ID, f, g, w)
				}
			}
			if t.Failed() {
				t.Logf("export:\n%s", buf.Bytes())
			}
		})
	}
}

// Ids survive where the format can carry them: RIS and CSL always, BibTeX
// when the id is a usable key; the others get derived keys, unique in the
// output.
func TestIDsAndKeys(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteBibTeX(&buf, awkward); err != nil {
		t.Fatal(err)
	}
	got, _ := readBack(t, BibTeX, buf.Bytes())
	var keys []string
	for _, p := range got {
		keys = append(keys, p.ID)
	}
	want := []string{"awk-1", "hep-th/9901001", "anonno", "anon", "smith2020deep", "smith2020deepa"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	for _, f := range []Format{RIS, CSLJSON} {
		buf.Reset()
		if err := Write(&buf, f, awkward); err != nil {
			t.Fatal(err)
		}
		got, _ := readBack(t, f, buf.Bytes())
		for i, p := range got {
			if p.ID != awkward[i].ID {
				t.Errorf("%s: id %q, want %q", f, p.ID, awkward[i].ID)
			}
		}
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		p    index.Paper
		want string
	}{
		{index.Paper{ID: "vaswani2017"}, "vaswani2017"},
		{index.Paper{ID: "pmid:31715818"}, "pmid:31715818"},
		{index.Paper{ID: "10.1093/mind/lix.236.433"}, "10.1093/mind/lix.236.433"},
		{index.Paper{ID: "a b", Title: "Attention Is All You Need", Authors: []string{"Ashish Vaswani"}, Year: 2017}, "vaswani2017attention"},
		{index.Paper{ID: "a b", Title: "The Đoković Effect", Authors: []string{"Novak Đoković"}, Year: 2024}, "dokovic2024dokovic"},
		{index.Paper{ID: "a b", Title: "On the Road", Authors: []string{"Ludwig van Beethoven"}}, "beethovenroad"},
		{index.Paper{ID: "a b", Title: "東京", Authors: []string{"World Health Organization"}, Year: 2020}, "world2020"},
		{index.Paper{ID: "a b", Authors: []string{"Smith, J."}, Year: 2020}, "smith2020"},
		{index.Paper{ID: "-leading-dash"}, "anon"},
		{index.Paper{ID: strings.Repeat("x", 65)}, "anon"},
	}
	for _, tt := range tests {
		if got := bibKey(&tt.p); got != tt.want {
			t.Errorf("bibKey(%q, %q) = %q, want %q", tt.p.ID, tt.p.Title, got, tt.want)
		}
	}
	used := map[string]bool{}
	var got []string
	for range 28 {
		got = append(got, uniqueKey(used, "k"))
	}
	if got[0] != "k" || got[1] != "ka" || got[26] != "kz" || got[27] != "kaa" {
		t.Errorf("unique keys %q", got)
	}
	if uniqueKey(used, "K") != "Kab" {
		t.Error("keys differing in case only are not told apart")
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ in, bib, ris string }{
		{"Ashish Vaswani", "Vaswani, Ashish", "Vaswani, Ashish"},
		{"Ludwig van Beethoven", "van Beethoven, Ludwig", "van Beethoven, Ludwig"},
		{"Jean de la Fontaine", "de la Fontaine, Jean", "de la Fontaine, Jean"},
		{"John Doe Jr.", "Doe, Jr., John", "Doe, John, Jr."},
		{"Martin Luther King III", "King, III, Martin Luther", "King, Martin Luther, III"},
		{"Plato", "Plato", "Plato"},
		{"ATLAS Collaboration", "{ATLAS Collaboration}", "ATLAS Collaboration"},
		{"Barnes and Noble", "{Barnes and Noble}", "Barnes and Noble"},
		{"Smith, J.", "Smith, J.", "Smith, J."},
		{"O'Brien_x", `O'Brien\_x`, "O'Brien_x"},
	}
	for _, tt := range tests {
		if got := bibName(tt.in); got != tt.bib {
			t.Errorf("bibName(%q) = %q, want %q", tt.in, got, tt.bib)
		}
		if got := risName(tt.in); got != tt.ris {
			t.Errorf("risName(%q) = %q, want %q", tt.in, got, tt.ris)
		}
	}
}

func TestBibEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a\b`, `a\textbackslash{}b`},
		{"{x}", `\{x\}`},
		{"} {", `\textbraceright{} \textbraceleft{}`},
		{"& % $ # _ ~ ^", `\& \% \$ \# \_ \textasciitilde{} \textasciicircum{}`},
		{"a--b---c", "a-{}-b-{}-{}-c"},
		{"``q''", "`{}`q'{}'"},
		{"it's state-of-the-art", "it's state-of-the-art"},
	}
	for _, tt := range tests {
		if got := bibEscape(tt.in); got != tt.want {
			t.Errorf("bibEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEmpty(t *testing.T) {
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, f, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := readBack(t, f, buf.Bytes()); len(got) != 0 {
			t.Errorf("%s: empty export read back as %d papers", f, len(got))
		}
	}
	if err := Write(io.Discard, "endnote", nil); err == nil {
		t.Error("unknown format accepted")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	for _, f := range Formats {
		if err := Write(failWriter{}, f, awkward); err == nil || err.Error() != "disk full" {
			t.Errorf("%s: write error %v, want disk full", f, err)
		}
	}
}

// doi, eprint and url are verbatim fields: written unescaped, as biber and
// pandoc read them literally (an escaped DOI came back as "…8\_23").
func TestBibTeXVerbatimFields(t *testing.T) {
	var buf bytes.Buffer
	p := index.Paper{ID: "v", Title: "T", DOI: "10.1007/978-3-540-74126-8_23", ArXiv: "2401.01234",
		URL: "https://example.org/a_b?x=1&y=%20#frag"}
	if err := WriteBibTeX(&buf, []index.Paper{p}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"{10.1007/978-3-540-74126-8_23}", "{2401.01234}", "{https://example.org/a_b?x=1&y=%20#frag}"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("BibTeX lacks %s:\n%s", want, buf.String())
		}
	}
	back, _ := readBack(t, BibTeX, buf.Bytes())
	if len(back) != 1 || back[0].DOI != p.DOI || back[0].URL != p.URL {
		t.Errorf("read back %+v", back)
	}
}

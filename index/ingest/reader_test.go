package ingest

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

const formatsDir = "../../testdata/formats"

// drained is everything one input yielded.
type drained struct {
	format Format
	papers []index.Paper
	bad    []string // RecordError texts, in order
	fatal  string   // the error that stopped reading, "" if it reached io.EOF
}

// drain reads an input the way `paperseek index` does: bad records are
// collected and skipped, any other error stops.
func drain(t *testing.T, r *Reader) drained {
	t.Helper()
	d := drained{format: r.Format()}
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("reader does not reach the end")
		}
		p, err := r.Next()
		var re *RecordError
		switch {
		case err == io.EOF:
			return d
		case errors.As(err, &re):
			d.bad = append(d.bad, re.Error())
		case err != nil:
			d.fatal = err.Error()
			if _, again := r.Next(); again == nil || again.Error() != err.Error() {
				t.Errorf("Next after a broken input returned %v, want the same error again", again)
			}
			return d
		default:
			d.papers = append(d.papers, p)
		}
	}
}

func openAndDrain(t *testing.T, path string) drained {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		return drained{fatal: err.Error()}
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	return drain(t, r)
}

func TestFixtures(t *testing.T) {
	arxivAbstract := func(prefix string) func(*testing.T, []index.Paper) {
		return func(t *testing.T, ps []index.Paper) {
			if !strings.HasPrefix(ps[0].Abstract, prefix) || strings.ContainsAny(ps[0].Abstract, "\n\r") || strings.Contains(ps[0].Abstract, "  ") {
				t.Errorf("abstract not cleaned: %q", ps[0].Abstract)
			}
		}
	}
	tests := []struct {
		file   string
		format Format
		papers []index.Paper
		// ignoreAbstract compares papers without their abstracts (long
		// real ones); check then looks at them.
		ignoreAbstract bool
		check          func(*testing.T, []index.Paper)
		bad            []string // "LINE: reason", the file name is added
		fatal          string   // the file name and ": " are added
	}{
		{
			file: "generic.jsonl", format: FormatJSONL,
			papers: []index.Paper{
				{ID: "1000000", Title: "zebrafishjsonl: regeneration of the caudal fin", Abstract: "We study fin regeneration in zebrafish.",
					Authors: []string{"Ada Lovelace", "Alan Turing"}, Categories: []string{"q-bio.TO", "q-bio.CB"}, Year: 2021,
					Published: "2021-03-04", URL: "https://example.org/zf", DOI: "10.1000/zf.1"},
				// An arXiv id with arXiv categories: arXiv-shaped, so its arXiv id is known.
				{ID: "cs/0701113", Title: "Opaque ids with slashes", Abstract: "Ids are opaque strings.",
					Authors: []string{"Grace Hopper", "Edsger W. Dijkstra", "Barbara Liskov"}, Categories: []string{"cs.DS", "cs.PL"}, Year: 2007,
					ArXiv: "cs/0701113"},
				{ID: "paper with spaces", Title: "Semicolon-separated authors", Abstract: "Names keep their commas.",
					Authors: []string{"Smith, J.", "Doe, K."}, Year: 2019, Published: "2019-06-30"},
				{ID: "42", Title: "A bare year as the date", Year: 1998},
				{ID: "title-only", Title: "A title alone is enough"},
				{ID: "abstract-only", Abstract: "An abstract alone is enough too."},
			},
		},
		{
			file: "arxiv-snapshot.jsonl", format: FormatArxiv, ignoreAbstract: true,
			papers: []index.Paper{
				{ID: "0704.0001", Title: "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
					Authors: []string{"C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"}, Year: 2007, Categories: []string{"hep-ph"},
					Published: "2007-04-02", URL: "https://arxiv.org/abs/0704.0001", DOI: "10.1103/physrevd.76.013009", ArXiv: "0704.0001"},
				{ID: "0704.0002", Title: "Sparsity-certifying Graph Decompositions",
					Authors: []string{"Ileana Streinu", "Louis Theran"}, Year: 2007, Categories: []string{"math.CO", "cs.CG"},
					Published: "2007-03-31", URL: "https://arxiv.org/abs/0704.0002", ArXiv: "0704.0002"},
				{ID: "0704.0062", Title: "On-line Viterbi Algorithm and Its Relationship to Random Walks",
					Authors: []string{"Rastislav Šrámek", "Broňa Brejová", "Tomáš Vinař"}, Year: 2007, Categories: []string{"cs.DS"},
					Published: "2007-03-31", URL: "https://arxiv.org/abs/0704.0062", DOI: "10.1007/978-3-540-74126-8_23", ArXiv: "0704.0062"},
				{ID: "2401.00001", Title: "zebrafisharxiv: a snapshot line without authors_parsed",
					Authors: []string{"Péter Frenkel", "Rastislav Šrámek", "J. Müller"}, Year: 2024, Categories: []string{"cs.IR", "cs.DL"},
					Published: "2024-01-02", URL: "https://arxiv.org/abs/2401.00001", ArXiv: "2401.00001"},
				// Issue 14: the title's LaTeX accent (Gr\"obner) is resolved.
				{ID: "0704.0019", Title: "Approximation for extinction probability of the contact process based on the Gröbner basis",
					Authors: []string{"Norio Konno"}, Year: 2007, Categories: []string{"math.PR", "math.AG"},
					Published: "2007-03-31", URL: "https://arxiv.org/abs/0704.0019", ArXiv: "0704.0019"},
			},
			check: arxivAbstract("A fully differential calculation in perturbative quantum chromodynamics is presented for"),
		},
		{
			// Lines in the generic shape of the 119k arXiv set: an arXiv id
			// with an arXiv category is arXiv's own text, decoded; the
			// same shape with a user's category is kept as written.
			file: "arxiv-generic.jsonl", format: FormatJSONL,
			papers: []index.Paper{
				{ID: "2501.00042", Title: "zebrafisharxivjsonl: Serve statistics of Djoković – a $\\chi^2$ study",
					Abstract: "We model “clutch” points with $p<10^{-3}$ and find a 50% edge; see Fig. 2.",
					Authors:  []string{"Novak Djoković", "Rafael Nadal"}, Year: 2025, Categories: []string{"stat.AP", "cs.LG"}, ArXiv: "2501.00042"},
				{ID: "2501.00043", Title: `Same shape, but a user's own category: Djokovi\'{c} stays as written`, Abstract: "Text -- kept.",
					Year: 2025, Categories: []string{"tennis"}},
			},
		},
		{
			file: "beir.jsonl", format: FormatBEIR,
			papers: []index.Paper{
				{ID: "beir-1", Title: "zebrafishbeir corpus line", Abstract: "BEIR keeps the abstract in a field called text."},
				{ID: "beir-2", Abstract: "A BEIR line with an empty title still has an abstract."},
				{ID: "31715818", Title: "Numeric BEIR id", Abstract: "Some corpora write ids as numbers."},
			},
		},
		{
			file: "array.json", format: FormatJSONArray,
			papers: []index.Paper{
				{ID: "arr-1", Title: "zebrafisharray: the first element", Abstract: "Elements of a JSON array are read one at a time.",
					Authors: []string{"Rosalind Franklin"}, Year: 1953},
				{ID: "arr-2", Title: "Second element on one line", Abstract: "Line numbers point at where each element starts."},
				{ID: "7", Title: "Third element", Year: 2020, Published: "2020-02-29"},
			},
		},
		{
			file: "pretty.json", format: FormatJSONL,
			papers: []index.Paper{
				{ID: "jq-1", Title: "zebrafishjq: objects as jq prints them", Abstract: "Pretty-printed objects one after another, not in an array."},
				{ID: "jq-2", Title: "Second pretty object", Abstract: "Each object spans several lines."},
			},
		},
		{
			file: "papers.csv", format: FormatCSV,
			papers: []index.Paper{
				{ID: "csv-1", Title: "zebrafishcsv: quoted, with commas", Abstract: `A quoted abstract that spans three lines, with "doubled quotes".`,
					Authors: []string{"Marie Curie", "Pierre Curie"}, Year: 1903, Categories: []string{"physics.chem-ph"}, DOI: "10.1000/csv.1"},
				{ID: "csv-2", Title: "Plain row", Abstract: "An unquoted abstract.", Authors: []string{"Lise Meitner"}, Categories: []string{"nucl-th"}},
			},
		},
		{
			file: "papers.tsv", format: FormatTSV,
			papers: []index.Paper{
				{ID: "tsv-1", Title: "zebrafishtsv: tab separated", Abstract: `Tabs separate the columns; "quotes" inside are literal.`, Year: 2022},
				{ID: "tsv-2", Title: "Second TSV row", Abstract: "Another abstract."},
			},
		},
		{
			file: "papers.jsonl.gz", format: FormatJSONL,
			papers: []index.Paper{
				{ID: "gz-1", Title: "zebrafishgzip: compressed lines", Abstract: "Gzip is detected by its magic bytes."},
				{ID: "gz-2", Title: "Second gzip line", Abstract: "Decompressed as it is read."},
			},
		},
		{
			file: "papers-csv.dat", format: FormatCSV,
			papers: []index.Paper{
				{ID: "dat-1", Title: "zebrafishdat: a gzipped CSV named .dat", Abstract: "The name says nothing; the bytes say gzip and then CSV."},
			},
		},
		{
			file: "bom-crlf.jsonl", format: FormatJSONL,
			papers: []index.Paper{
				{ID: "crlf-1", Title: "zebrafishcrlf: BOM and CRLF", Abstract: "Windows line ends and a byte-order mark."},
				{ID: "crlf-2", Title: "Second CRLF line", Abstract: "Still fine."},
			},
		},
		{
			file: "bom-crlf.csv", format: FormatCSV,
			papers: []index.Paper{
				{ID: "xl-1", Title: "zebrafishexcel: semicolons, BOM, CRLF", Abstract: "A spreadsheet export with a line break; in a cell.", Year: 2023},
				{ID: "xl-2", Title: "Second spreadsheet row", Abstract: "Plain cell."},
			},
		},
		{
			file: "invalid-utf8.jsonl", format: FormatJSONL,
			papers: []index.Paper{
				{ID: "utf8-1", Title: "zebrafishutf8: broken \uFFFD bytes", Abstract: "Latin-1 caf\uFFFD and a cut \uFFFD sequence.",
					Authors: []string{"Ren\uFFFD Descartes"}},
			},
		},
		{
			file: "bad-malformed.jsonl", format: FormatJSONL,
			papers: []index.Paper{
				{ID: "ok-1", Title: "Good line before the bad ones", Abstract: "Read."},
				{ID: "ok-2", Title: "Good line after the bad ones", Abstract: "Also read."},
			},
			bad: []string{
				"2: invalid JSON: unexpected end of input",
				`3: invalid JSON: want an object, got "not json at all"`,
				"4: want a JSON object, got a list",
			},
		},
		{
			file: "bad-missing-id.jsonl", format: FormatJSONL,
			papers: []index.Paper{{ID: "has-id", Title: "This one has an id", Abstract: "Read."}},
			bad:    []string{"1: missing id", "2: missing id", "3: missing id"},
		},
		{
			file: "bad-empty-text.jsonl", format: FormatJSONL,
			papers: []index.Paper{{ID: "has-text", Abstract: "Read."}},
			bad:    []string{"1: missing both title and abstract", "2: missing both title and abstract"},
		},
		{
			file: "bad-types.jsonl", format: FormatJSONL,
			papers: []index.Paper{{ID: "t9", Title: "The good record among the bad", Year: 2020}},
			bad: []string{
				`1: field "year": want a number, got "abc"`,
				`2: field "authors": want a list of names or a string, got 12`,
				`3: field "title": want a string, got a list`,
				`4: field "id": want a string or a number, got true`,
				`5: field "categories": want a list of strings or a space-separated string, got an object`,
				`6: field "published": want a date like 2021-03-04, got "last tuesday"`,
				`7: field "year": want a year between 1000 and 9999, got 20211`,
				`8: field "authors": want each author as a string or {"name": string}, got an object without a string "name"`,
			},
		},
		{
			file: "bad-rows.csv", format: FormatCSV,
			papers: []index.Paper{{ID: "r1", Title: "Good row", Abstract: "Read."}},
			bad: []string{
				"3: wrong number of fields: want 3, got 4",
				"4: missing id",
				"5: missing both title and abstract",
				"6: unterminated quoted field",
			},
		},
		{
			file: "bad-truncated-array.json", format: FormatJSONArray,
			papers: []index.Paper{{ID: "ta-1", Title: "Read before the cut", Abstract: "The array goes on."}},
			fatal:  "truncated JSON array: the input ends inside the value that starts on line 3",
		},
		{
			file:  "bad-no-title.csv",
			fatal: `CSV header has no "title" column (columns: id, abstract, year)`,
		},
		{
			file:  "bad-plain.txt",
			fatal: "not a recognised input format: want JSON lines, a JSON array, CSV/TSV with a header naming id and title, BibTeX, RIS, PubMed XML or arXiv OAI-PMH XML",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(formatsDir, tt.file)
			got := openAndDrain(t, path)
			var wantFatal string
			if tt.fatal != "" {
				wantFatal = path + ": " + tt.fatal
			}
			if got.fatal != wantFatal {
				t.Fatalf("stopped with %q, want %q", got.fatal, wantFatal)
			}
			if tt.fatal != "" && tt.papers == nil {
				return // NewReader refused the input
			}
			if got.format != tt.format {
				t.Errorf("format %q, want %q", got.format, tt.format)
			}
			papers := got.papers
			if tt.ignoreAbstract {
				if tt.check != nil && len(papers) > 0 {
					tt.check(t, papers)
				}
				papers = make([]index.Paper, len(got.papers))
				for i, p := range got.papers {
					p.Abstract = ""
					papers[i] = p
				}
			}
			if !reflect.DeepEqual(papers, tt.papers) {
				t.Errorf("papers:\n got %#v\nwant %#v", papers, tt.papers)
			}
			var wantBad []string
			for _, b := range tt.bad {
				wantBad = append(wantBad, path+":"+b)
			}
			if !reflect.DeepEqual(got.bad, wantBad) {
				t.Errorf("bad records:\n got %q\nwant %q", got.bad, wantBad)
			}
		})
	}
}

// Records read before a gzip stream breaks do not make the file usable:
// the reader must end in an error that stops the run, and must not report
// the cut-off last line as a bad record.
func TestTruncatedGzip(t *testing.T) {
	path := filepath.Join(formatsDir, "bad-truncated.jsonl.gz")
	got := openAndDrain(t, path)
	if want := path + ": truncated gzip stream: unexpected EOF"; got.fatal != want {
		t.Fatalf("stopped with %q, want %q", got.fatal, want)
	}
	if len(got.bad) != 0 {
		t.Errorf("bad records %q, want none", got.bad)
	}
	if len(got.papers) == 0 || len(got.papers) >= 200 {
		t.Fatalf("read %d papers before the cut, want some but not all 200", len(got.papers))
	}
	for i, p := range got.papers {
		if want := "trunc-" + strconv.Itoa(i+1); p.ID != want {
			t.Fatalf("paper %d is %q, want %q", i, p.ID, want)
		}
	}
}

// The demo corpus is a verbatim copy of the shared seed file.
func TestDemoCorpus(t *testing.T) {
	const path = "../../testdata/papers.jsonl"
	got := openAndDrain(t, path)
	if got.fatal != "" || len(got.bad) != 0 {
		t.Fatalf("demo corpus: fatal %q, bad %q", got.fatal, got.bad)
	}
	if len(got.papers) != 60 {
		t.Fatalf("demo corpus has %d papers, want 60", len(got.papers))
	}
	first := got.papers[0]
	if first.ID != "aoi-turning-failed-trajectories-into-training-signals-for" || first.Year != 2026 || first.Published != "2026-03-16" {
		t.Errorf("first paper %q year %d published %q", first.ID, first.Year, first.Published)
	}
	seen := map[string]bool{}
	for _, p := range got.papers {
		if seen[p.ID] {
			t.Errorf("duplicate id %q", p.ID)
		}
		seen[p.ID] = true
		if p.Title == "" || p.Abstract == "" {
			t.Errorf("%s: missing title or abstract", p.ID)
		}
	}
	shared, err := os.ReadFile("../../../shared/data/seed-papers.jsonl")
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	ours, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(ours) != string(shared) {
		t.Error("testdata/papers.jsonl differs from the shared seed-papers.jsonl")
	}
}

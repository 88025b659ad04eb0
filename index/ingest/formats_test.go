package ingest

import (
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// records is everything a run yields, deletions included.
type records struct {
	format Format
	recs   []Record
	bad    []string
	fatal  string
}

// nextRecorder is a Reader or a MultiReader.
type nextRecorder interface {
	NextRecord() (Record, error)
}

func drainRecords(t *testing.T, r nextRecorder) records {
	t.Helper()
	var d records
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("reader does not reach the end")
		}
		rec, err := r.NextRecord()
		var re *RecordError
		switch {
		case err == io.EOF:
			if _, again := r.NextRecord(); again != io.EOF {
				t.Errorf("NextRecord after io.EOF returned %v", again)
			}
			return d
		case errors.As(err, &re):
			d.bad = append(d.bad, re.Error())
		case err != nil:
			d.fatal = err.Error()
			if _, again := r.NextRecord(); again == nil || again.Error() != err.Error() {
				t.Errorf("NextRecord after a broken input returned %v, want the same error again", again)
			}
			return d
		default:
			d.recs = append(d.recs, rec)
		}
	}
}

func paper(p index.Paper) Record { return Record{Paper: p} }
func deletion(id string) Record  { return Record{Paper: index.Paper{ID: id, ArXiv: id}, Delete: true} }
func pmidDeletion(n string) Record {
	return Record{Paper: index.Paper{ID: "pmid:" + n, PMID: n}, Delete: true}
}

// TestFormatFixtures reads the sample of each new format in
// testdata/formats and checks every record, bad record and deletion.
func TestFormatFixtures(t *testing.T) {
	tests := []struct {
		file   string
		format Format
		recs   []Record
		bad    []string // "LINE: reason", the file name is added
		fatal  string   // the file name is added
	}{
		{
			file: "references.bib", format: FormatBibTeX,
			recs: []Record{
				paper(index.Paper{ID: "djokovic2024",
					Title:    "zebrafishbibtex: Serve Statistics of Đoković – BERT vs. $\\chi^2$ at 50% & Beyond",
					Abstract: "We study “clutch” points—the $p$-value is below $10^{-3}$—with naïve models of ß-like ångström data, ça, š, ñ.",
					Authors:  []string{"Novak Djoković", "Jörg Müller", "Mikkel Øbro"}, Year: 2024, Published: "2024-01-15",
					DOI: "10.1000/jmlr.2024.42", Categories: []string{"tennis", "statistics"}}),
				paper(index.Paper{ID: "vaswani2017", Title: "Attention is All you Need",
					Authors: []string{"Ashish Vaswani", "Noam Shazeer", "Niki Parmar"}, Year: 2017, ArXiv: "1706.03762"}),
				paper(index.Paper{ID: "liu2024kv", Title: "KV Cache Compression for Long Contexts",
					Authors: []string{"Yi Liu", "Ludwig van Beethoven", "Jean de la Fontaine", "World Health Organization"},
					Year:    2024, Categories: []string{"cs.CL"}, URL: "https://arxiv.org/abs/2401.01234v2", ArXiv: "2401.01234"}),
				paper(index.Paper{ID: "ramanujan2023", Title: "BibLaTeX dates and eprint types",
					Abstract: "A BibLaTeX entry: the date field, eprinttype, and a % comment line inside.",
					Authors:  []string{"Srinivasa Ramanujan Jr", "Barnes", "Noble", "Barnes and Noble, Inc."},
					Year:     2023, Published: "2023-05-17", ArXiv: "hep-th/9901001", PMID: "12345678"}),
				paper(index.Paper{ID: "knuth1984", Title: "The TeXbook", Authors: []string{"Donald E. Knuth"}, Year: 1984}),
				paper(index.Paper{ID: "after_broken", Title: "Read again after the broken entries", Authors: []string{"Else Somebody"},
					DOI: "10.1007/978-3-540-74126-8_23"}),
			},
			bad: []string{
				`62: line 64: want , or '}' after the value of field "title", got 'a'`,
				`67: line 68: { of field "title" not closed before the next entry on line 72`,
				"78: missing both title and abstract",
				"79: @misc without a citation key",
			},
		},
		{
			file: "references.ris", format: FormatRIS,
			recs: []Record{
				paper(index.Paper{ID: "ris-1", Title: "zebrafishris: tagged lines and CRLF",
					Abstract: "An abstract that is long enough to be wrapped by the exporting tool onto a continuation line, and then a third one.",
					Authors:  []string{"Ada Lovelace", "Charles Babbage", "Augusta Ada King Countess of Lovelace", "World Health Organization"},
					Year:     2022, Published: "2022-03-15", URL: "https://example.org/ris-1", DOI: "10.1000/ris.1",
					Categories: []string{"engines", "analytical"}}),
				paper(index.Paper{ID: "10.1093/mind/lix.236.433", Title: "A record without ID: its DOI is the id", Abstract: "DO gives the id.",
					Authors: []string{"Alan Turing"}, Year: 1950, DOI: "10.1093/mind/lix.236.433"}),
				paper(index.Paper{ID: "ris:d3f77a5e9a85ff81", Title: "Neither ID nor DOI: a stable id from title and year",
					Authors: []string{"Grace Hopper"}, Year: 1952, Published: "1952-05-03", URL: "http://arxiv.org/abs/2401.01234v3", ArXiv: "2401.01234"}),
				paper(index.Paper{ID: "ris:5bfb31ad18bd17c6", Title: "A PubMed record", Year: 2019, Published: "2019-11-21", PMID: "31715818"}),
				paper(index.Paper{ID: "ris-after", Title: "Read after the unclosed record", ArXiv: "1706.03762"}),
			},
			bad: []string{
				"45: record not closed by an ER line before the TY on line 49",
				"55: RIS tag AU outside a record (a record starts with TY)",
				"58: missing both title and abstract",
				"63: record not closed by an ER line before the end of the input",
			},
		},
		{
			file: "zotero-csl.json", format: FormatCSL,
			recs: []Record{
				paper(index.Paper{ID: "http://zotero.org/users/local/AbCdEfGh/items/ZB8Q2KXU",
					Title: "zebrafishcsl: Danio rerio fins regrow in CO2-rich water", Abstract: "Zebrafish regenerate their fins; we show how.",
					Authors: []string{"Christiane Nüsslein-Volhard", "Ludwig van Beethoven", "John Smith Jr.", "Zebrafish Imaging Consortium"},
					Year:    2019, Published: "2019-11-21", DOI: "10.1038/s41586-019-1711-4", PMID: "31715818"}),
				paper(index.Paper{ID: "vaswani2017", Title: "Attention Is All You Need",
					Abstract: "The dominant sequence transduction models are based on complex recurrent or convolutional neural networks.",
					Authors:  []string{"Ashish Vaswani", "Noam Shazeer"}, Year: 2017, Published: "2017-06-12",
					URL: "http://arxiv.org/abs/1706.03762", DOI: "10.48550/arxiv.1706.03762", ArXiv: "1706.03762"}),
				paper(index.Paper{ID: "42", Title: "Dates as raw strings and years only", Authors: []string{"Donald E. Knuth"}, Year: 1984}),
			},
			bad: []string{
				`42: field "author": want a list of name objects, got "Somebody"`,
				`49: field "issued": want {"date-parts": [[year, month, day]]}, got an object`,
			},
		},
		{
			file: "openalex-works.jsonl", format: FormatOpenAlex,
			recs: []Record{
				paper(index.Paper{ID: "W2741809807",
					Title: "zebrafishopenalex: The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles",
					// Words in position order; "well-" and "known" share the last position and both stay.
					Abstract: "Despite growing interest in Open Access (OA) to scholarly literature, there is an unmet need for large-scale, up-to-date, and reproducible studies well- known",
					Authors:  []string{"Heather Piwowar", "Jason Priem", "Stefanie Haustein"}, Year: 2018, Published: "2018-02-13",
					URL: "https://doi.org/10.7717/peerj.4375", DOI: "10.7717/peerj.4375", PMID: "29456894"}),
				paper(index.Paper{ID: "W4389000001", Title: "KV Cache Compression for Long Contexts", Authors: []string{"Yi Liu"},
					Year: 2024, Published: "2024-01-02", URL: "https://arxiv.org/abs/2401.01234", DOI: "10.48550/arxiv.2401.01234", ArXiv: "2401.01234"}),
			},
			bad: []string{
				`3: field "authorships": want a list of {"author": {"display_name": …}}, got "Nobody"`,
				`4: field "abstract_inverted_index": want an object of word: [positions], got an object`,
			},
		},
		{
			file: "openalex-page.json", format: FormatOpenAlex,
			recs: []Record{
				paper(index.Paper{ID: "W2000000005", Title: "zebrafishopenalexpage: a work from an API page", Abstract: "Pages wrap results.",
					Authors: []string{"Heather Piwowar", "Jason Priem", "Stefanie Haustein"}, Year: 2018, Published: "2018-02-13",
					URL: "https://doi.org/10.7717/peerj.4375"}),
				paper(index.Paper{ID: "W2000000006", Title: "KV Cache Compression for Long Contexts", Authors: []string{"Yi Liu"},
					Year: 2024, Published: "2024-01-02", URL: "https://arxiv.org/abs/2401.01234", DOI: "10.48550/arxiv.2401.01234", ArXiv: "2401.01234"}),
			},
		},
		{
			file: "s2-graph.jsonl", format: FormatS2,
			recs: []Record{
				paper(index.Paper{ID: "649def34f8be52c8b66281af98ae884c09aef38b", Title: "zebrafishs2graph: Attention is All you Need",
					Abstract: "The dominant sequence transduction models are based on complex recurrent or convolutional neural networks in an encoder-decoder configuration.",
					Authors:  []string{"Ashish Vaswani", "Noam M. Shazeer"}, Year: 2017, Published: "2017-06-12",
					URL: "https://www.semanticscholar.org/paper/649def34f8be52c8b66281af98ae884c09aef38b", ArXiv: "1706.03762"}),
				paper(index.Paper{ID: "0f6d9b1c2f6b1d7a1e2c3b4a5d6e7f8091a2b3c4", Title: "A Graph API paper with a DOI and a PMID", Year: 2019,
					DOI: "10.1038/s41586-019-1711-4", PMID: "31715818"}),
			},
			bad: []string{`3: field "year": want a number, got a list`},
		},
		{
			file: "s2-graph-page.json", format: FormatS2,
			recs: []Record{
				paper(index.Paper{ID: "1111111111111111111111111111111111111111", Title: "zebrafishs2page: a paper from a search page",
					Abstract: "The dominant sequence transduction models are based on complex recurrent or convolutional neural networks in an encoder-decoder configuration.",
					Authors:  []string{"Ashish Vaswani", "Noam M. Shazeer"}, Year: 2017, Published: "2017-06-12",
					URL: "https://www.semanticscholar.org/paper/649def34f8be52c8b66281af98ae884c09aef38b", ArXiv: "1706.03762"}),
				paper(index.Paper{ID: "0f6d9b1c2f6b1d7a1e2c3b4a5d6e7f8091a2b3c4", Title: "A Graph API paper with a DOI and a PMID", Year: 2019,
					DOI: "10.1038/s41586-019-1711-4", PMID: "31715818"}),
			},
		},
		{
			// Read alone, a Datasets papers file keeps what its rows hold.
			file: "s2-papers.jsonl", format: FormatS2Papers,
			recs: []Record{
				paper(index.Paper{ID: "s2:13756489", Title: "zebrafishs2datasets: Attention is All you Need",
					Authors: []string{"Ashish Vaswani", "Noam M. Shazeer"}, Year: 2017, Published: "2017-06-12",
					URL: "https://www.semanticscholar.org/paper/649def34f8be52c8b66281af98ae884c09aef38b", ArXiv: "1706.03762"}),
				paper(index.Paper{ID: "s2:207940001", Title: "A paper without an abstract row keeps its title", Year: 2019,
					URL: "https://www.semanticscholar.org/paper/0f6d", DOI: "10.1038/s41586-019-1711-4", PMID: "31715818"}),
			},
			bad: []string{"3: missing both title and abstract", "4: missing both title and abstract"},
		},
		{
			// Read alone, every abstracts row is one without its paper.
			file: "s2-abstracts.jsonl", format: FormatS2Abstracts,
			bad: []string{
				"1: " + orphanAbstract("s2:999999999"),
				"2: " + orphanAbstract("s2:13756489"),
				"3: invalid JSON: unexpected end of input",
				"4: " + orphanAbstract("s2:300000004"),
			},
		},
		{
			file: "pubmed-baseline.xml", format: FormatPubMed,
			recs: []Record{
				paper(index.Paper{ID: "pmid:31715818",
					Title:    "zebrafishpubmed: CO2 sensing in Danio rerio larvae—a structured abstract.",
					Abstract: "BACKGROUND: Fish sense CO2 through the gills; the role of Ca2+ signalling is unclear. METHODS: We imaged 120 larvae at 5 dpf. RESULTS: Responses rose with p < 0.05 & were dose dependent.",
					// The author marked ValidYN="N" is an erratum; initials stand in for a missing fore name.
					Authors: []string{"Christiane Nüsslein-Volhard", "JR Smith Jr", "Zebrafish Imaging Consortium"},
					Year:    2019, Published: "2019-11-06", URL: "https://pubmed.ncbi.nlm.nih.gov/31715818/",
					// ELocationID's DOI, not the one of a cited reference.
					DOI: "10.1038/s41586-019-1711-4", PMID: "31715818"}),
				paper(index.Paper{ID: "pmid:10000001", Title: "Seasonal dates come as MedlineDate.", Abstract: "An unstructured abstract with no label.",
					Authors: []string{"Ana María García-Márquez"}, Year: 1998, URL: "https://pubmed.ncbi.nlm.nih.gov/10000001/",
					DOI: "10.1000/old.1998.12", PMID: "10000001"}),
				paper(index.Paper{ID: "pmid:10000002", Title: "Un titre seulement en français.", Year: 2024,
					URL: "https://pubmed.ncbi.nlm.nih.gov/10000002/", PMID: "10000002"}),
				paper(index.Paper{ID: "pmid:20301295", Title: "Book chapters are read from their BookDocument",
					Abstract: "CLINICAL CHARACTERISTICS: Chapters have abstracts too.", Authors: []string{"Margaret P Adam"}, Year: 1993,
					URL: "https://pubmed.ncbi.nlm.nih.gov/20301295/", PMID: "20301295"}),
			},
			bad: []string{"90: missing both title and abstract"},
		},
		{
			file: "pubmed-update.xml.gz", format: FormatPubMed,
			recs: []Record{
				paper(index.Paper{ID: "pmid:10000001", Title: "zebrafishpubmedupdate: a revised version of an indexed citation.",
					Abstract: "The update file replaces the baseline record with the same PMID.", Year: 1999, Published: "1999-01-15",
					URL: "https://pubmed.ncbi.nlm.nih.gov/10000001/", PMID: "10000001"}),
				pmidDeletion("10000002"),
				pmidDeletion("10000003"),
			},
		},
		{
			file: "oai-arxivraw.xml", format: FormatOAI,
			recs: []Record{
				paper(index.Paper{ID: "0704.0019",
					Title:    "Approximation for extinction probability of the contact process based on the Gröbner basis",
					Abstract: "In this note we give a new method for getting a series of approximations for the extinction probability of the one-dimensional contact process by using the Gröbner basis.",
					Authors:  []string{"Norio Konno"}, Year: 2007, Categories: []string{"math.PR", "math.AG"}, Published: "2007-03-31",
					URL: "https://arxiv.org/abs/0704.0019", ArXiv: "0704.0019"}),
				paper(index.Paper{ID: "0704.0073", Title: "A transcendental approach to Kollár's injectivity theorem",
					Abstract: "We treat Kollár's injectivity theorem from the analytic (or differential geometric) viewpoint. More precisely, we give a curvature condition which implies Kollár type cohomology injectivity theorems. Our main theorem is formulated for a compact Kähler manifold, but the proof uses the space of harmonic forms on a Zariski open set with a suitable complete Kähler metric. We need neither covering tricks, desingularizations, nor Leray's spectral sequence.",
					Authors:  []string{"Osamu Fujino"}, Year: 2007, Categories: []string{"math.AG"}, Published: "2007-04-01",
					URL: "https://arxiv.org/abs/0704.0073", ArXiv: "0704.0073"}),
				paper(index.Paper{ID: "2401.09999",
					Title:    "zebrafishoairaw: Serve statistics of Djoković and Nadal – a $\\chi^2$ study of “clutch” points",
					Abstract: "We count 1 000 points per player and find a 50% edge on break points; the $p$-value is below $10^{-3}$.",
					Authors:  []string{"Novak Djoković", "Rafael Nadal", "J. Müller"}, Year: 2024, Categories: []string{"cs.LG", "stat.AP"},
					Published: "2024-01-18", URL: "https://arxiv.org/abs/2401.09999",
					// The journal DOI is preferred over arXiv's own DataCite DOI.
					DOI: "10.1000/tennis.42", ArXiv: "2401.09999"}),
				deletion("0704.0002"),
			},
		},
		{
			file: "oai-arxiv.xml", format: FormatOAI,
			recs: []Record{
				paper(index.Paper{ID: "0704.0001", Title: "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
					Abstract: "A fully differential calculation in perturbative quantum chromodynamics is presented for the production of massive photon pairs at hadron colliders.",
					Authors:  []string{"C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"}, Year: 2007, Categories: []string{"hep-ph"},
					Published: "2007-04-02", URL: "https://arxiv.org/abs/0704.0001", DOI: "10.1103/physrevd.76.013009", ArXiv: "0704.0001"}),
				paper(index.Paper{ID: "hep-th/9901001", Title: "zebrafishoai: an old-style identifier & a braced title",
					Abstract: "Old identifiers keep their archive; the text has <angle brackets> and an en dash: 1–2.",
					Authors:  []string{"Hrvoje Nikolić", "ATLAS Collaboration", "John Doe Jr"}, Year: 1999, Categories: []string{"hep-th", "gr-qc"},
					Published: "1999-01-01", URL: "https://arxiv.org/abs/hep-th/9901001", ArXiv: "hep-th/9901001"}),
				deletion("math/0309136"),
			},
			bad: []string{"39: missing both title and abstract"},
		},
		{file: "oai-no-records.xml", format: FormatOAI},
		{file: "bad-oai-error.xml", format: FormatOAI,
			fatal: "the repository answered with OAI-PMH error badResumptionToken: Resumption token expired|42 is invalid or expired"},
		{file: "bad-truncated-pubmed.xml", format: FormatPubMed,
			fatal: "truncated XML: the input ends inside <PubmedArticle> that starts on line 4"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(formatsDir, tt.file)
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Format() != tt.format {
				t.Errorf("format %q, want %q", r.Format(), tt.format)
			}
			got := drainRecords(t, r)
			var wantFatal string
			if tt.fatal != "" {
				wantFatal = path + ": " + tt.fatal
			}
			if got.fatal != wantFatal {
				t.Errorf("stopped with %q, want %q", got.fatal, wantFatal)
			}
			if len(got.recs) != len(tt.recs) {
				t.Errorf("%d records, want %d", len(got.recs), len(tt.recs))
			}
			for i := range min(len(got.recs), len(tt.recs)) {
				if !reflect.DeepEqual(got.recs[i], tt.recs[i]) {
					t.Errorf("record %d:\n got %#v\nwant %#v", i, got.recs[i], tt.recs[i])
				}
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

// Next, the call existing callers make, yields the papers and passes over
// deletions.
func TestNextSkipsDeletions(t *testing.T) {
	got := openAndDrain(t, filepath.Join(formatsDir, "pubmed-update.xml.gz"))
	if want := []string{"pmid:10000001"}; !reflect.DeepEqual(ids(got.papers), want) || got.fatal != "" || len(got.bad) != 0 {
		t.Errorf("ids %q bad %q fatal %q, want %q", ids(got.papers), got.bad, got.fatal, want)
	}
}

func TestRecordRef(t *testing.T) {
	tests := []struct {
		rec  Record
		want string
	}{
		{pmidDeletion("123"), "pmid:123"},
		{deletion("2401.01234"), "arxiv:2401.01234"},
		{Record{Paper: index.Paper{ID: "x", DOI: "10.1/a"}, Delete: true}, "doi:10.1/a"},
		{Record{Paper: index.Paper{ID: "plain id"}, Delete: true}, "plain id"},
	}
	for _, tt := range tests {
		if got := tt.rec.Ref().String(); got != tt.want {
			t.Errorf("Ref of %+v = %q, want %q", tt.rec.Paper, got, tt.want)
		}
	}
}

// The Semantic Scholar Datasets join: abstracts files are read first
// whatever their place, papers rows take their abstracts, a papers row
// without one keeps its title, and an abstract without a papers row is
// reported with its own file and line.
func TestSemanticScholarJoin(t *testing.T) {
	papers := filepath.Join(formatsDir, "s2-papers.jsonl")
	abstracts := filepath.Join(formatsDir, "s2-abstracts.jsonl")
	for _, order := range [][]string{{papers, abstracts}, {abstracts, papers}} {
		t.Run(filepath.Base(order[0])+" first", func(t *testing.T) {
			m, err := OpenAll(append(order, filepath.Join(formatsDir, "generic.jsonl")), MultiOptions{TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := m.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			got := drainRecords(t, m)
			if got.fatal != "" {
				t.Fatalf("stopped with %q", got.fatal)
			}
			var gotIDs []string
			abstract := map[string]string{}
			for _, r := range got.recs {
				gotIDs = append(gotIDs, r.Paper.ID)
				abstract[r.Paper.ID] = r.Paper.Abstract
			}
			want := []string{"s2:13756489", "s2:207940001", "s2:300000004", "1000000", "cs/0701113", "paper with spaces", "42", "title-only", "abstract-only"}
			if !reflect.DeepEqual(gotIDs, want) {
				t.Fatalf("ids %q, want %q", gotIDs, want)
			}
			if !strings.HasPrefix(abstract["s2:13756489"], "The dominant sequence transduction models") {
				t.Errorf("joined abstract %q", abstract["s2:13756489"])
			}
			if abstract["s2:207940001"] != "" {
				t.Errorf("a paper without an abstracts row got %q", abstract["s2:207940001"])
			}
			if abstract["s2:300000004"] != "A paper row without a title gets its text from here." {
				t.Errorf("untitled paper's abstract %q", abstract["s2:300000004"])
			}
			wantBad := []string{
				abstracts + ":3: invalid JSON: unexpected end of input",
				papers + ":3: missing both title and abstract",
				abstracts + ":1: " + orphanAbstract("s2:999999999"),
			}
			if !reflect.DeepEqual(got.bad, wantBad) {
				t.Errorf("bad:\n got %q\nwant %q", got.bad, wantBad)
			}
		})
	}
}

// An abstracts file whose first line is broken is still an abstracts file.
func TestJoinAfterABrokenFirstLine(t *testing.T) {
	m, err := NewMultiReader([]Input{
		{Name: "abstracts", R: strings.NewReader("{\"corpusid\":\n" + `{"corpusid":7,"abstract":"joined"}` + "\n")},
		{Name: "papers", R: strings.NewReader(`{"corpusid":7,"title":"T"}` + "\n")},
	}, MultiOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Format(0) != FormatS2Abstracts {
		t.Errorf("format %q", m.Format(0))
	}
	got := drainRecords(t, m)
	if len(got.recs) != 1 || got.recs[0].Paper.Abstract != "joined" || !reflect.DeepEqual(got.bad, []string{"abstracts:1: invalid JSON: unexpected end of input"}) {
		t.Errorf("records %+v bad %q", got.recs, got.bad)
	}
}

// The spool goes away with the reader, and a broken input stops the run
// with its name.
func TestMultiReaderCleanupAndErrors(t *testing.T) {
	tmp := t.TempDir()
	m, err := OpenAll([]string{filepath.Join(formatsDir, "s2-abstracts.jsonl"), filepath.Join(formatsDir, "bad-truncated.jsonl.gz")}, MultiOptions{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	got := drainRecords(t, m)
	if !strings.Contains(got.fatal, "bad-truncated.jsonl.gz: truncated gzip stream") {
		t.Errorf("stopped with %q", got.fatal)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("spool left behind: %q", left)
	}
	if _, err := OpenAll([]string{filepath.Join(formatsDir, "generic.jsonl"), filepath.Join(formatsDir, "bad-plain.txt")}, MultiOptions{}); err == nil ||
		!strings.HasPrefix(err.Error(), filepath.Join(formatsDir, "bad-plain.txt")+": not a recognised input format") {
		t.Errorf("unrecognised input: %v", err)
	}
	if _, err := OpenAll([]string{"-", "-"}, MultiOptions{}); err == nil {
		t.Error("stdin twice accepted")
	}
}

// Many abstracts go through the spool in many write transactions and come
// back whole.
func TestSpoolManyAbstracts(t *testing.T) {
	saved := spoolTxBytes
	spoolTxBytes = 64 << 10
	defer func() { spoolTxBytes = saved }()
	var abstracts, papers strings.Builder
	long := strings.Repeat("word ", 100)
	const n = 4000 // 2 MB of abstracts: about 30 transactions
	for i := range n {
		id := strconv.Itoa(i)
		abstracts.WriteString(`{"corpusid":` + id + `,"abstract":"` + id + " " + long + `"}` + "\n")
		if i%2 == 0 {
			papers.WriteString(`{"corpusid":` + id + `,"title":"paper ` + id + `"}` + "\n")
		}
	}
	m, err := NewMultiReader([]Input{
		{Name: "papers", R: strings.NewReader(papers.String())},
		{Name: "abstracts", R: strings.NewReader(abstracts.String())},
	}, MultiOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got := drainRecords(t, m)
	if got.fatal != "" || len(got.recs) != n/2 || len(got.bad) != n/2 {
		t.Fatalf("fatal %q, %d records, %d bad; want %d and %d", got.fatal, len(got.recs), len(got.bad), n/2, n/2)
	}
	for _, r := range got.recs {
		id := strings.TrimPrefix(r.Paper.ID, "s2:")
		if !strings.HasPrefix(r.Paper.Abstract, id+" word word") {
			t.Fatalf("%s: abstract %.40q", r.Paper.ID, r.Paper.Abstract)
		}
	}
}

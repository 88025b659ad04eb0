package ingest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

func readRecords(t *testing.T, input string, maxRecord int) records {
	t.Helper()
	r, err := newReader("in", strings.NewReader(input), maxRecord)
	if err != nil {
		return records{fatal: err.Error()}
	}
	d := drainRecords(t, r)
	d.format = r.Format()
	return d
}

func recIDs(rs []Record) []string {
	var out []string
	for _, r := range rs {
		id := r.Paper.ID
		if r.Delete {
			id = "-" + id
		}
		out = append(out, id)
	}
	return out
}

// Detection of the new formats, by content only.
func TestDetectNewFormats(t *testing.T) {
	const entry = "@article{k, title = {T}}\n"
	tests := []struct {
		name   string
		input  string
		format Format
		ids    []string
		bad    []string
		fatal  string
	}{
		{name: "BibTeX", input: entry, format: FormatBibTeX, ids: []string{"k"}},
		{name: "BibTeX, indented, type in capitals, parentheses", input: "  @ARTICLE ( k, title = {T} )\n", format: FormatBibTeX, ids: []string{"k"}},
		{name: "BibTeX after % comments", input: "% Encoding: UTF-8\n\n" + entry, format: FormatBibTeX, ids: []string{"k"}},
		{name: "BibTeX after free text", input: "This file was made by hand.\nIt has two lines of text.\n" + entry, format: FormatBibTeX, ids: []string{"k"}},
		{name: "gzipped BibTeX with BOM", input: gzipped(t, "\ufeff"+entry), format: FormatBibTeX, ids: []string{"k"}},
		{name: "RIS", input: "TY  - JOUR\nID  - r\nTI  - T\nER  - \n", format: FormatRIS, ids: []string{"r"}},
		{name: "RIS after provenance lines", input: "Provider: X\nDatabase: Y\n\nTY  - JOUR\nID  - r\nTI  - T\nER  -\n", format: FormatRIS, ids: []string{"r"}},
		{name: "RIS with one space is not RIS", input: "TY - JOUR\nTI - T\nER - \n",
			fatal: "in: not a recognised input format: want JSON lines, a JSON array, CSV/TSV with a header naming id and title, BibTeX, RIS, PubMed XML or arXiv OAI-PMH XML"},
		{name: "a CSV header wins over a later @ line", input: "id,title\n\"@a{x,\",t\n", format: FormatCSV, ids: []string{"@a{x,"}},
		{name: "PubMed", input: "<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID><Article><ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
			format: FormatPubMed, ids: []string{"pmid:7"}},
		{name: "MEDLINE citation set", input: "<MedlineCitationSet><MedlineCitation><PMID>8</PMID><Article><ArticleTitle>T</ArticleTitle></Article></MedlineCitation><DeleteCitation><PMID>9</PMID></DeleteCitation></MedlineCitationSet>",
			format: FormatPubMed, ids: []string{"pmid:8", "-pmid:9"}},
		{name: "OAI-PMH", input: "<OAI-PMH><ListRecords><record><header status=\"deleted\"><identifier>oai:arXiv.org:2401.01234</identifier></header></record></ListRecords></OAI-PMH>",
			format: FormatOAI, ids: []string{"-2401.01234"}},
		{name: "two OAI pages one after another", input: "<OAI-PMH><ListRecords><record><header status=\"deleted\"><identifier>oai:arXiv.org:2401.01234</identifier></header></record></ListRecords></OAI-PMH>\n" +
			"<OAI-PMH><ListRecords><record><header status=\"deleted\"><identifier>oai:arXiv.org:2401.01235</identifier></header></record></ListRecords></OAI-PMH>\n",
			format: FormatOAI, ids: []string{"-2401.01234", "-2401.01235"}},
		{name: "other XML", input: "<?xml version=\"1.0\"?>\n<rss><channel/></rss>",
			fatal: "in: not a recognised input format: XML document <rss>; want PubMed/MEDLINE XML (<PubmedArticleSet>) or arXiv OAI-PMH (<OAI-PMH>)"},
		{name: "XML in another encoding", input: "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<PubmedArticleSet></PubmedArticleSet>",
			fatal: "in: input is XML in the UTF-16 encoding: convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)"},
		{name: "Latin-1 XML", input: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID><Article><ArticleTitle>Caf\xe9</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
			format: FormatPubMed, ids: []string{"pmid:7"}},
		{name: "malformed XML", input: "<PubmedArticleSet><PubmedArticle></Wrong></PubmedArticleSet>", format: FormatPubMed,
			fatal: "in:1: invalid XML: element <PubmedArticle> closed by </Wrong>"},
		{name: "OpenAlex API page", input: `{"meta":{"count":1,"page":1},"results":[{"id":"https://openalex.org/W1","title":"T"}],"group_by":[]}`,
			format: FormatOpenAlex, ids: []string{"W1"}},
		{name: "S2 page, pretty", input: "{\n  \"total\": 1,\n  \"data\": [\n    {\"paperId\": \"p1\", \"title\": \"T\"},\n    {\"paperId\": 5}\n  ]\n}\n",
			format: FormatS2, ids: []string{"p1"}, bad: []string{`in:5: field "paperId": want a string, got 5`}},
		{name: "pages one after another", input: `{"data":[{"paperId":"a","title":"T"}]}` + "\n" + `{"data":[{"paperId":"b","title":"T"}],"next":2}` + "\n",
			format: FormatS2, ids: []string{"a", "b"}},
		{name: "a record with a data list is a record", input: `{"id":"x","title":"T","data":[1]}` + "\n", format: FormatJSONL, ids: []string{"x"}},
		{name: "an empty page", input: `{"results":[]}`, format: FormatJSONL},
		{name: "a page cut short", input: `{"results":[{"id":"https://openalex.org/W1","title":"T"},{"id"`,
			format: FormatOpenAlex, ids: []string{"W1"}, fatal: "in: truncated JSON: the input ends inside the page that starts on line 1"},
		{name: "a page with a broken member", input: `{"results":[],"x" 1}`, fatal: `in:1: invalid JSON: want : after "x", got '1'`},
		{name: "CSL array", input: `[{"id":"c","type":"article","title":"T","issued":{"date-parts":[[2020]]}}]`, format: FormatCSL, ids: []string{"c"}},
		{name: "CSL lines", input: `{"id":"c","type":"article","title":"T","author":[{"literal":"X"}]}` + "\n", format: FormatCSL, ids: []string{"c"}},
		{name: "type and author as a string are generic fields", input: `{"id":"g","title":"T","type":"article","author":"Smith","issued":"2020"}` + "\n", format: FormatJSONL, ids: []string{"g"}},
		{name: "an array of generic records stays json-array", input: `[{"id":"g","title":"T","type":"x"}]`, format: FormatJSONArray, ids: []string{"g"}},
		{name: "S2 abstracts array", input: `[{"corpusid":1,"abstract":"a"}]`, format: FormatS2Abstracts,
			bad: []string{"in:1: " + orphanAbstract("s2:1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readRecords(t, tt.input, maxRecordBytes)
			if got.fatal != tt.fatal {
				t.Fatalf("stopped with %q, want %q", got.fatal, tt.fatal)
			}
			if tt.fatal != "" && tt.format == "" {
				return
			}
			if got.format != tt.format {
				t.Errorf("format %q, want %q", got.format, tt.format)
			}
			if ids := recIDs(got.recs); !reflect.DeepEqual(ids, tt.ids) {
				t.Errorf("ids %q, want %q", ids, tt.ids)
			}
			if !reflect.DeepEqual(got.bad, tt.bad) {
				t.Errorf("bad %q, want %q", got.bad, tt.bad)
			}
		})
	}
}

func TestBibTeXFields(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  index.Paper
		bad   string
	}{
		{name: "macros, months, concatenation",
			input: `@string{me = "Ada " # {Lovelace}} @string{yr = {2021}}` + "\n" + `@misc{k, author = me, title = "A " # {B} # " C", year = yr, month = sep, day = 9}`,
			want:  index.Paper{ID: "k", Title: "A B C", Authors: []string{"Ada Lovelace"}, Year: 2021, Published: "2021-09-09"}},
		{name: "macro names any case, undefined macro empty",
			input: `@STRING{Jour = "J"}` + "\n" + `@misc{k, title = JOUR # undefined # " x"}`,
			want:  index.Paper{ID: "k", Title: "J x"}},
		{name: "quotes may hold braces and quotes inside them",
			input: `@misc{k, title = "The {"}Quoted{"} {Word}"}`,
			want:  index.Paper{ID: "k", Title: `The "Quoted" Word`}},
		{name: "nested braces and 'and' inside them",
			input: `@misc{k, title = {{Nested {deep}} words}, author = {{Barnes and Noble} and Ada {van der} Berg and Smith, Jr., John}}`,
			want:  index.Paper{ID: "k", Title: "Nested deep words", Authors: []string{"Barnes and Noble", "Ada van der Berg", "John Smith Jr."}}},
		{name: "AND in capitals, others dropped, editor when no author",
			input: `@book{k, title = {T}, editor = {A. One AND B. Two and others}}`,
			want:  index.Paper{ID: "k", Title: "T", Authors: []string{"A. One", "B. Two"}}},
		{name: "first of a repeated field wins, names any case",
			input: `@misc{k, TITLE = {First}, title = {Second}, Year = {1999}}`,
			want:  index.Paper{ID: "k", Title: "First", Year: 1999}},
		{name: "year with a letter, date range",
			input: `@misc{k, title = {T}, year = {2020a}, date = {2019-12-31/2020-01-02}}`,
			want:  index.Paper{ID: "k", Title: "T", Year: 2020, Published: "2019-12-31"}},
		{name: "unusable year ignored",
			input: `@misc{k, title = {T}, year = {forthcoming}}`,
			want:  index.Paper{ID: "k", Title: "T"}},
		{name: "eprint with primaryClass and no archivePrefix",
			input: `@misc{k, title = {T}, eprint = {arXiv:2401.01234v3}, primaryClass = {cs.LG}}`,
			want:  index.Paper{ID: "k", Title: "T", ArXiv: "2401.01234", Categories: []string{"cs.LG"}}},
		{name: "eprint of another archive is not arXiv",
			input: `@misc{k, title = {T}, eprint = {2401.01234}, eprinttype = {hal}}`,
			want:  index.Paper{ID: "k", Title: "T"}},
		{name: "arXiv DOI gives the arXiv id",
			input: `@misc{k, title = {T}, doi = {10.48550/ARXIV.2401.01234}}`,
			want:  index.Paper{ID: "k", Title: "T", DOI: "10.48550/arxiv.2401.01234", ArXiv: "2401.01234"}},
		{name: "escaped DOI and URL, junk DOI dropped",
			input: `@misc{k, title = {T}, doi = {n/a}, url = {http://x.org/a\_b\%20}}`,
			want:  index.Paper{ID: "k", Title: "T", URL: "http://x.org/a_b%20"}},
		{name: "% comments between fields, not inside values",
			input: "@misc{k,\n % title = {Commented},\n title = {50% off}, % trailing\n}",
			want:  index.Paper{ID: "k", Title: "50% off"}},
		{name: "keys with odd characters",
			input: `@misc{Doe:2020/x-y.z+1, title = {T}}`,
			want:  index.Paper{ID: "Doe:2020/x-y.z+1", Title: "T"}},
		{name: "two entries on one line", input: `@misc{a, title={A}} @misc{b, title={B}}`,
			want: index.Paper{ID: "a", Title: "A"}},
		{name: "missing =", input: "@misc{k, title {T}}", bad: `in:1: line 1: want = after field "title", got '{'`},
		{name: "a value of nothing", input: "@misc{k, title = , year = 1}", bad: `in:1: line 1: want a value ({…}, "…", a number or a @string name) for field "title", got ','`},
		{name: "unclosed quote", input: "@misc{k, title = \"T}", bad: `in:1: line 1: " of field "title" not closed before the end of the input`},
		{name: "entry never closed", input: "@misc{k, title = {T}", bad: "in:1: entry k not closed before the end of the input"},
		{name: "bad @string", input: "@string{x = }\n@misc{k, title = x}", bad: `in:1: line 1: want a value ({…}, "…", a number or a @string name) for field "x", got '}'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readRecords(t, tt.input, maxRecordBytes)
			if got.fatal != "" {
				t.Fatalf("stopped with %q", got.fatal)
			}
			if tt.bad != "" {
				if len(got.bad) == 0 || got.bad[0] != tt.bad {
					t.Fatalf("bad %q, want %q first", got.bad, tt.bad)
				}
				return
			}
			if len(got.bad) != 0 || len(got.recs) == 0 {
				t.Fatalf("bad %q, %d records", got.bad, len(got.recs))
			}
			if !reflect.DeepEqual(got.recs[0].Paper, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got.recs[0].Paper, tt.want)
			}
		})
	}
}

// Macros are bounded in all, like one record: a file of endless @string
// cannot grow memory without bound.
func TestBibTeXMacroBound(t *testing.T) {
	input := strings.Repeat("@string{m = {"+strings.Repeat("x", 60)+"}}\n", 2) + strings.Repeat("@string{n = {"+strings.Repeat("y", 60)+"}}\n", 2) + "@misc{k, title = m # n}\n"
	got := readRecords(t, input, 150)
	if want := []string{"in:3: @string definitions longer than 150 bytes in all", "in:4: @string definitions longer than 150 bytes in all"}; !reflect.DeepEqual(got.bad, want) {
		t.Errorf("bad %q, want %q", got.bad, want)
	}
	if len(got.recs) != 1 || got.recs[0].Paper.Title != strings.Repeat("x", 60) {
		t.Errorf("records %+v", got.recs)
	}
}

// A broken entry costs that entry only; an overlong one too.
func TestBibTeXRecovery(t *testing.T) {
	input := "@misc{a, title = {A}}\n" +
		"@misc{broken, title = {never closed\n" +
		"   more text\n" +
		"@misc{b, title = {B}}\n" +
		"@misc{big, title = {" + strings.Repeat("x", 300) + "}}\n" +
		"@misc{c, title = {C}}\n"
	got := readRecords(t, input, 200)
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(recIDs(got.recs), want) {
		t.Errorf("ids %q, want %q", recIDs(got.recs), want)
	}
	want := []string{`in:2: line 2: { of field "title" not closed before the next entry on line 4`, "in:5: entry longer than 200 bytes"}
	if !reflect.DeepEqual(got.bad, want) {
		t.Errorf("bad %q, want %q", got.bad, want)
	}
}

func TestRISFields(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  index.Paper
	}{
		{name: "N2 when there is no AB, Y1, DO as a resolver link",
			input: "TY  - JOUR\nID  - r\nTI  - T\nN2  - the abstract\nY1  - 2019/11/21\nDO  - https://doi.org/10.1/ABC\nER  - \n",
			want:  index.Paper{ID: "r", Title: "T", Abstract: "the abstract", Year: 2019, Published: "2019-11-21", DOI: "10.1/abc"}},
		{name: "a line with one space before the hyphen continues the value",
			input: "TY  - JOUR\nID  - r\nTI  - Title that goes on\nUK - based studies\nER  - \n",
			want:  index.Paper{ID: "r", Title: "Title that goes on UK - based studies"}},
		{name: "a DOI link in UR, PMID: in AN",
			input: "TY  - JOUR\nID  - r\nTI  - T\nUR  - https://doi.org/10.1/x\nAN  - PMID: 42\nER  - \n",
			want:  index.Paper{ID: "r", Title: "T", URL: "https://doi.org/10.1/x", DOI: "10.1/x", PMID: "42"}},
		{name: "an accession number of another database is not a PMID",
			input: "TY  - JOUR\nID  - r\nTI  - T\nAN  - WOS:000123\nDB  - Web of Science\nER  - \n",
			want:  index.Paper{ID: "r", Title: "T"}},
		{name: "a date that does not exist gives the year only",
			input: "TY  - JOUR\nID  - r\nTI  - T\nPY  - 2021/02/30/\nER  - \n",
			want:  index.Paper{ID: "r", Title: "T", Year: 2021}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readRecords(t, tt.input, maxRecordBytes)
			if got.fatal != "" || len(got.bad) != 0 || len(got.recs) != 1 {
				t.Fatalf("fatal %q bad %q, %d records", got.fatal, got.bad, len(got.recs))
			}
			if !reflect.DeepEqual(got.recs[0].Paper, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got.recs[0].Paper, tt.want)
			}
		})
	}
	// The stable id depends on the title's words and the year only.
	a := readRecords(t, "TY  - JOUR\nTI  - Deep   Learning: a Survey!\nPY  - 2020\nER  - \n", maxRecordBytes)
	b := readRecords(t, "TY  - GEN\nTI  - deep learning — A SURVEY\nPY  - 2020///\nAU  - X, Y\nER  - \n", maxRecordBytes)
	c := readRecords(t, "TY  - GEN\nTI  - deep learning — A SURVEY\nPY  - 2021\nER  - \n", maxRecordBytes)
	if len(a.recs) != 1 || len(b.recs) != 1 || len(c.recs) != 1 || a.recs[0].Paper.ID != b.recs[0].Paper.ID || a.recs[0].Paper.ID == c.recs[0].Paper.ID {
		t.Errorf("stable ids: %q %q %q", recIDs(a.recs), recIDs(b.recs), recIDs(c.recs))
	}
	// A record over the bound is skipped; the next is read.
	got := readRecords(t, "TY  - JOUR\nID  - big\nAB  - "+strings.Repeat("x", 90)+"\n"+strings.Repeat("y", 90)+"\nER  - \nTY  - JOUR\nID  - ok\nTI  - T\nER  - \n", 150)
	if !reflect.DeepEqual(recIDs(got.recs), []string{"ok"}) || !reflect.DeepEqual(got.bad, []string{"in:1: record longer than 150 bytes"}) {
		t.Errorf("overlong record: ids %q bad %q", recIDs(got.recs), got.bad)
	}
}

// XML records are read one at a time; one over the bound stops the run
// (XML gives no way to find the next record) with a message saying so.
func TestXMLBound(t *testing.T) {
	article := func(pmid, title string) string {
		return "<PubmedArticle><MedlineCitation><PMID>" + pmid + "</PMID><Article><ArticleTitle>" + title + "</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n"
	}
	input := "<PubmedArticleSet>\n" + article("1", "ok") + article("2", strings.Repeat("x", 500)) + article("3", "never read") + "</PubmedArticleSet>"
	got := readRecords(t, input, 300)
	if !reflect.DeepEqual(recIDs(got.recs), []string{"pmid:1"}) {
		t.Errorf("ids %q", recIDs(got.recs))
	}
	if want := "in:3: <PubmedArticle> (line 3) is longer than 300 bytes; the rest of the file cannot be read"; got.fatal != want {
		t.Errorf("stopped with %q, want %q", got.fatal, want)
	}
}

func TestParseOAIPage(t *testing.T) {
	for _, tt := range []struct {
		file      string
		records   []string
		bad       int
		token     *ResumptionToken
		errorCode string
		request   OAIRequest
	}{
		{file: "oai-arxivraw.xml", records: []string{"0704.0019", "0704.0073", "2401.09999", "-0704.0002"},
			token:   &ResumptionToken{Token: "6960524|1001", CompleteListSize: 4123, Cursor: 0},
			request: OAIRequest{URL: "http://export.arxiv.org/oai2", Verb: "ListRecords", MetadataPrefix: "arXivRaw", Set: "math", From: "2007-03-30"}},
		{file: "oai-arxiv.xml", records: []string{"0704.0001", "hep-th/9901001", "-math/0309136"}, bad: 1,
			token:   &ResumptionToken{Token: "", CompleteListSize: 4123, Cursor: 1001},
			request: OAIRequest{URL: "http://export.arxiv.org/oai2", Verb: "ListRecords", ResumptionToken: "6960524|1001"}},
		{file: "oai-no-records.xml", errorCode: "noRecordsMatch",
			request: OAIRequest{URL: "http://export.arxiv.org/oai2", Verb: "ListRecords", MetadataPrefix: "arXivRaw", Set: "cs", From: "2026-12-02"}},
		{file: "bad-oai-error.xml", errorCode: "badResumptionToken",
			request: OAIRequest{URL: "http://export.arxiv.org/oai2", Verb: "ListRecords", ResumptionToken: "expired|42"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			r, err := openFile(t, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			page, err := ParseOAIPage(r)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, rec := range page.Records {
				id := rec.Paper.ID
				if rec.Deleted {
					id = "-" + id
				}
				ids = append(ids, id)
				if rec.Identifier != "oai:arXiv.org:"+rec.Paper.ID || rec.Datestamp == "" || rec.Line == 0 {
					t.Errorf("record %q: identifier %q datestamp %q line %d", rec.Paper.ID, rec.Identifier, rec.Datestamp, rec.Line)
				}
			}
			if !reflect.DeepEqual(ids, tt.records) || len(page.Bad) != tt.bad {
				t.Errorf("records %q bad %d, want %q and %d", ids, len(page.Bad), tt.records, tt.bad)
			}
			if !reflect.DeepEqual(page.Resumption, tt.token) {
				t.Errorf("token %+v, want %+v", page.Resumption, tt.token)
			}
			if code := ""; page.Error != nil {
				code = page.Error.Code
				if code != tt.errorCode {
					t.Errorf("error %v, want code %q", page.Error, tt.errorCode)
				}
			} else if tt.errorCode != "" {
				t.Errorf("no error, want %q", tt.errorCode)
			}
			if page.Request != tt.request {
				t.Errorf("request %+v, want %+v", page.Request, tt.request)
			}
			if page.ResponseDate == "" {
				t.Error("no responseDate")
			}
		})
	}
	if _, err := ParseOAIPage(strings.NewReader("<OAI-PMH><ListRecords><record>")); err == nil || !strings.Contains(err.Error(), "truncated XML") {
		t.Errorf("truncated page: %v", err)
	}
	// The sets of a record are kept, for a harvester that wants them.
	page, err := ParseOAIPage(strings.NewReader(`<OAI-PMH><ListRecords><record><header><identifier>oai:arXiv.org:2401.01234</identifier><datestamp>2024-01-02</datestamp><setSpec>cs</setSpec><setSpec>math</setSpec></header><metadata><arXiv><id>2401.01234</id><title>T</title></arXiv></metadata></record></ListRecords></OAI-PMH>`))
	if err != nil || len(page.Records) != 1 || !reflect.DeepEqual(page.Records[0].Sets, []string{"cs", "math"}) {
		t.Errorf("sets: %+v, %v", page, err)
	}
}

func openFile(t *testing.T, name string) (*os.File, error) {
	t.Helper()
	f, err := os.Open(filepath.Join(formatsDir, name))
	if err == nil {
		t.Cleanup(func() { f.Close() })
	}
	return f, err
}

// Inputs made to be slow: a line of @ signs for the BibTeX entry search,
// and a RIS value continued over many short lines. Both must take linear
// time (they took quadratic: minutes at these sizes).
func TestPathologicalInputsAreLinear(t *testing.T) {
	bib := "@misc{k, title = {T}}\n" + strings.Repeat("@", 2<<20) + "\n"
	if got := readRecords(t, bib, maxRecordBytes); len(got.recs) != 1 {
		t.Errorf("bibtex: %d records, bad %q, fatal %q", len(got.recs), got.bad, got.fatal)
	}
	ris := "TY  - JOUR\nID  - r\nTI  - T\nAB  - a\n" + strings.Repeat("b\n", 1<<20) + "ER  - \n"
	if got := readRecords(t, ris, maxRecordBytes); len(got.recs) != 1 || len(got.recs[0].Paper.Abstract) != 2<<20+1 {
		t.Errorf("ris: %d records, bad %q", len(got.recs), got.bad)
	}
}

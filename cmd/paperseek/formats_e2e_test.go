package main

// The reference-manager and catalogue formats through the binary: every
// reader in one `paperseek index` run, deletions, the Semantic Scholar
// join, the same paper from every pair of sources, and exports read back.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// newFormats are the fixtures of the readers issue 11 added, in the order
// of its table; bad records in them are expected (see
// testdata/formats/README.md).
var newFormats = []string{
	"testdata/formats/references.bib",
	"testdata/formats/references.ris",
	"testdata/formats/zotero-csl.json",
	"testdata/formats/openalex-works.jsonl",
	"testdata/formats/openalex-page.json",
	"testdata/formats/s2-graph.jsonl",
	"testdata/formats/s2-graph-page.json",
	"testdata/formats/s2-abstracts.jsonl", // before its papers file: the join does not depend on the order given
	"testdata/formats/s2-papers.jsonl",
	"testdata/formats/pubmed-baseline.xml",
	"testdata/formats/pubmed-update.xml.gz",
	"testdata/formats/oai-arxivraw.xml",
	"testdata/formats/oai-arxiv.xml",
	"testdata/formats/oai-no-records.xml",
}

var badRecordLine = regexp.MustCompile(`^testdata/formats/[a-z0-9.-]+:[0-9]+: \S`)

func TestEveryNewFormatInOneRun(t *testing.T) {
	ix := t.TempDir()
	r := ps(t, nil, append([]string{"index", "--index", ix, "--json"}, newFormats...)...)
	if r.code != 1 {
		t.Fatalf("index with bad records: exit %d, want 1\n%s", r.code, r.stderr)
	}
	var sum map[string]float64
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("index --json: %v\n%s", err, r.stdout)
	}
	// 35 papers read, 15 of them already there from another source (or
	// earlier in the run); the update file deletes one baseline citation
	// (its other PMID, and the OAI deletions, name papers never indexed).
	want := map[string]float64{"added": 20, "replaced": 15, "deleted": 1, "skipped": 18, "total": 19}
	for k, v := range want {
		if sum[k] != v {
			t.Errorf("summary %s = %v, want %v (%s)", k, sum[k], v, r.stdout)
		}
	}
	// Every bad record is one line naming its file and line, and nothing
	// else is on stderr but the closing line.
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	bad := 0
	for _, l := range lines[:len(lines)-1] {
		if !badRecordLine.MatchString(l) {
			t.Errorf("stderr line is not FILE:LINE: reason: %q", l)
		}
		bad++
	}
	if bad != 18 || !strings.Contains(lines[len(lines)-1], "18 bad records skipped") {
		t.Errorf("%d bad-record lines, last line %q", bad, lines[len(lines)-1])
	}
	for _, l := range []string{
		"testdata/formats/references.bib:79: @misc without a citation key",
		"testdata/formats/references.ris:45: record not closed by an ER line before the TY on line 49",
		"testdata/formats/s2-abstracts.jsonl:1: Semantic Scholar abstract of corpusid 999999999 has no papers row in this run",
		"testdata/formats/oai-arxiv.xml:39: missing both title and abstract",
	} {
		if !strings.Contains(r.stderr, l) {
			t.Errorf("stderr lacks %q", l)
		}
	}
	// The papers row of corpusid 13756489 took its abstract.
	if strings.Contains(r.stderr, "corpusid 13756489") {
		t.Errorf("the Semantic Scholar join missed a papers row:\n%s", r.stderr)
	}
	// Each fixture's marked paper is found, under the id of the first
	// source that brought it (a later source with the same DOI, arXiv id
	// or PMID replaced it under that id, its title winning).
	for word, id := range map[string]string{
		"zebrafishbibtex":       "djokovic2024",
		"zebrafishris":          "ris-1",
		"zebrafishopenalex":     "W2741809807",
		"zebrafishopenalexpage": "W2000000005",
		"zebrafishs2datasets":   "vaswani2017",          // arXiv 1706.03762, first from the BibTeX file
		"zebrafishpubmed":       "ris:5bfb31ad18bd17c6", // PMID 31715818, first from the RIS file
		"zebrafishpubmedupdate": "pmid:10000001",
		"zebrafishoairaw":       "2401.09999",
		"zebrafishoai":          "ramanujan2023", // arXiv hep-th/9901001, first from the BibTeX file
	} {
		if got := ids(searchJSON(t, ix, "--mode", "keyword", "-k", "3", word)); len(got) == 0 || got[0] != id {
			t.Errorf("search %s = %v, want %s first", word, got, id)
		}
	}
	for _, gone := range []string{"zebrafishcsl", "zebrafishs2graph", "zebrafishs2page"} {
		// Their papers were replaced by later sources' records of them.
		if got := ids(searchJSON(t, ix, "--mode", "keyword", gone)); len(got) != 0 {
			t.Errorf("search %s = %v: a title a later source replaced is still indexed", gone, got)
		}
	}
	var p struct {
		ID, Title, Abstract, DOI, ArXiv, PMID string
	}
	getJSON(t, ix, "arxiv:1706.03762", &p)
	if p.ID != "vaswani2017" || !strings.HasPrefix(p.Abstract, "The dominant sequence transduction models") || p.ArXiv != "1706.03762" {
		t.Errorf("arxiv:1706.03762 = %+v", p)
	}
	if r := ps(t, nil, "get", "--index", ix, "pmid:10000002"); r.code != 2 {
		t.Errorf("a citation the update file deleted is still there: exit %d", r.code)
	}
	checkOK(t, ix)

	// Again, for people: the update file alone. Its deletions name papers
	// that are gone now, which the summary line says.
	r = must(t, "index", "--index", ix, "testdata/formats/pubmed-update.xml.gz")
	if !strings.Contains(r.stderr, "indexed 1 paper: 0 added, 1 replaced, 0 deleted (2 more not in the index), 0 skipped in ") {
		t.Errorf("human summary: %q", r.stderr)
	}
	// A run without deletions does not mention them.
	r = must(t, "index", "--index", ix, "testdata/formats/oai-no-records.xml")
	if strings.Contains(r.stderr, "deleted") {
		t.Errorf("a run without deletions mentions them: %q", r.stderr)
	}
}

func getJSON(t *testing.T, ix, ref string, v any) {
	t.Helper()
	r := must(t, "get", "--index", ix, "--json", ref)
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("get --json %s: %v\n%s", ref, err, r.stdout)
	}
}

// samePaper is one paper as each source writes it (testdata/formats/
// same-paper): the files of a source and the id it gives the paper.
var samePaper = []struct {
	files []string
	id    string
}{
	{[]string{"generic.jsonl"}, "lab-notes-17"},
	{[]string{"arxiv-snapshot.jsonl"}, "2403.01234"},
	{[]string{"references.bib"}, "garcia2024calcium"},
	{[]string{"references.ris"}, "10.7554/elife.91234"},
	{[]string{"zotero-csl.json"}, "http://zotero.org/users/local/AbCdEfGh/items/SAME2024"},
	{[]string{"openalex.jsonl"}, "W4392000001"},
	{[]string{"s2-graph.jsonl"}, "5a1c0ffee5a1c0ffee5a1c0ffee5a1c0ffee5a1c"},
	{[]string{"s2-abstracts.jsonl", "s2-papers.jsonl"}, "s2:268000001"},
	{[]string{"pubmed.xml"}, "pmid:38512345"},
	{[]string{"oai-arxivraw.xml"}, "2403.01234"},
}

func samePaperFiles(i int) []string {
	var out []string
	for _, f := range samePaper[i].files {
		out = append(out, filepath.Join("testdata/formats/same-paper", f))
	}
	return out
}

// The same paper from any two sources is indexed once, under the id the
// first source gave it: every pair, in one run, each record in its own
// batch (so the second finds the first in the index, as it would in a
// later run).
func TestSamePaperFromTwoSourcesIndexedOnce(t *testing.T) {
	for i := range samePaper {
		for j := i + 1; j < len(samePaper); j++ {
			first, second := samePaper[i], samePaper[j]
			t.Run(fmt.Sprintf("%s+%s", first.files[len(first.files)-1], second.files[len(second.files)-1]), func(t *testing.T) {
				t.Parallel() // each pair has its own index; the runs are processes
				ix := t.TempDir()
				args := append([]string{"index", "--index", ix, "--json", "--batch-size", "1"}, samePaperFiles(i)...)
				r := must(t, append(args, samePaperFiles(j)...)...)
				var sum map[string]float64
				json.Unmarshal([]byte(r.stdout), &sum)
				if sum["total"] != 1 || sum["added"] != 1 || sum["replaced"] != 1 {
					t.Fatalf("summary %s", r.stdout)
				}
				var p struct{ ID, Title string }
				getJSON(t, ix, "doi:10.7554/ELIFE.91234", &p)
				if p.ID != first.id || !strings.Contains(p.Title, "zebrafishsame") {
					t.Errorf("the paper is %+v, want id %q", p, first.id)
				}
			})
		}
	}
}

// All ten sources in one run (one batch) and then again in a second run:
// still one paper, known by each of its external ids, with every field.
func TestSamePaperFromEverySource(t *testing.T) {
	ix := t.TempDir()
	var all []string
	for i := range samePaper {
		all = append(all, samePaperFiles(i)...)
	}
	r := must(t, append([]string{"index", "--index", ix, "--json"}, all...)...)
	if !strings.Contains(r.stdout, `"added": 1,`) || !strings.Contains(r.stdout, `"replaced": 9,`) || !strings.Contains(r.stdout, `"total": 1,`) {
		t.Errorf("one run of every source: %s", r.stdout)
	}
	r = must(t, append([]string{"index", "--index", ix, "--json"}, all...)...)
	if !strings.Contains(r.stdout, `"added": 0,`) || !strings.Contains(r.stdout, `"replaced": 10,`) || !strings.Contains(r.stdout, `"total": 1,`) {
		t.Errorf("second run of every source: %s", r.stdout)
	}
	// For people: one more source, still one paper.
	if r := must(t, append([]string{"index", "--index", ix}, samePaperFiles(8)...)...); !strings.Contains(r.stderr, "indexed 1 paper: 0 added, 1 replaced, 0 skipped in ") || !strings.Contains(r.stderr, "; 1 paper in ") {
		t.Errorf("human summary: %q", r.stderr)
	}
	for _, ref := range []string{"lab-notes-17", "doi:https://doi.org/10.7554/eLife.91234", "arxiv:2403.01234v2", "pmid:38512345"} {
		var p struct {
			ID, Title, Abstract, DOI, ArXiv, PMID string
			Authors                               []string
			Year                                  int
		}
		getJSON(t, ix, ref, &p)
		if p.ID != "lab-notes-17" || p.DOI != "10.7554/elife.91234" || p.ArXiv != "2403.01234" || p.PMID != "38512345" ||
			p.Year != 2024 || !slices.Equal(p.Authors, []string{"Ana García-Márquez", "Jonas Müller"}) || !strings.HasPrefix(p.Abstract, "Larval zebrafish sense CO2") {
			t.Errorf("get %s = %+v", ref, p)
		}
	}
	checkOK(t, ix)
}

// exportedPaper is what a round trip keeps.
type exportedPaper struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Abstract   string   `json:"abstract"`
	Authors    []string `json:"authors"`
	Year       int      `json:"year"`
	DOI        string   `json:"doi"`
	ArXiv      string   `json:"arxiv"`
	PMID       string   `json:"pmid"`
	Categories []string `json:"categories"`
}

// everyPaper lists the index's papers: a semantic search ranks them all,
// fused by RRF so that no score floor applies (a cosine below 0 would fall
// under the default one).
func everyPaper(t *testing.T, ix string) []exportedPaper {
	t.Helper()
	r := must(t, "search", "--index", ix, "--json", "--fusion", "rrf", "-k", "1000", "we study models and show results")
	var doc struct{ Results []exportedPaper }
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(doc.Results, func(a, b exportedPaper) int { return strings.Compare(a.Title+a.ID, b.Title+b.ID) })
	return doc.Results
}

// Export, then `paperseek index` of the export into a new index: the same
// papers, with their title, authors, year, DOI, arXiv id, PMID, abstract
// and categories (written as keywords), and their ids, which RIS and
// CSL-JSON carry as they are and BibTeX as its keys when an id is a
// usable key.
func TestExportRoundTrip(t *testing.T) {
	ix := t.TempDir()
	src := []string{
		"testdata/formats/references.bib", "testdata/formats/zotero-csl.json", "testdata/formats/pubmed-baseline.xml",
		"testdata/formats/oai-arxivraw.xml", "testdata/formats/openalex-works.jsonl", "testdata/formats/arxiv-snapshot.jsonl",
		"testdata/formats/same-paper/openalex.jsonl", "testdata/formats/generic.jsonl",
	}
	must(t, append([]string{"index", "--index", ix, "--skip-bad"}, src...)...)
	want := everyPaper(t, ix)
	if len(want) < 20 {
		t.Fatalf("only %d papers to export", len(want))
	}
	dir := t.TempDir()
	for _, f := range []string{"bibtex", "ris", "csl-json"} {
		t.Run(f, func(t *testing.T) {
			r := must(t, "search", "--index", ix, "--format", f, "--fusion", "rrf", "-k", "1000", "we study models and show results")
			file := filepath.Join(dir, "export."+f)
			if err := os.WriteFile(file, []byte(r.stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			back := filepath.Join(dir, "back-"+f)
			// No --skip-bad: every exported record must read back.
			must(t, "index", "--index", back, file)
			got := everyPaper(t, back)
			if len(got) != len(want) {
				t.Fatalf("%d papers read back, want %d", len(got), len(want))
			}
			for i := range want {
				w, g := want[i], got[i]
				if f == "bibtex" && g.ID != w.ID {
					g.ID = w.ID // a key made for an id that is not one (index/export's TestKeys checks those)
				}
				// A person's name stored as written "Smith, J." comes back
				// "J. Smith", as every reader of these formats turns it.
				for k, a := range w.Authors {
					if last, first, ok := strings.Cut(a, ", "); ok && !strings.Contains(first, ",") && k < len(g.Authors) && g.Authors[k] == first+" "+last {
						g.Authors[k] = a
					}
				}
				if fmt.Sprint(g) != fmt.Sprint(w) {
					t.Errorf("round trip changed a paper:\n got %+v\nwant %+v", g, w)
				}
			}
		})
	}
}

package main

// End-to-end tests of the small things a CLI is expected to get right
// (issue 14): an --index that names a file, a first run that fails, tiny
// corpora, LaTeX and accents, out-of-vocabulary hints, author names.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// --index naming a file (or a path under a file) is the same one-line
// usage error (exit 2) for every command, never an I/O error.
func TestIndexNamingAFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "papers.jsonl")
	write(t, file, `{"id":"a","title":"t"}`+"\n")
	queries := filepath.Join(dir, "q.jsonl")
	write(t, queries, `{"_id":"1","text":"t"}`+"\n")
	qrels := filepath.Join(dir, "qrels.tsv")
	write(t, qrels, "1\ta\t1\n")
	commands := [][]string{
		{"index", "testdata/formats/generic.jsonl"},
		{"index", "--retrain"},
		{"index", "--upgrade"},
		{"search", "x"},
		{"related", "a"},
		{"related", "--text", "some text"},
		{"get", "a"},
		{"delete", "a"},
		{"stats"},
		{"check"},
		{"check", "--repair"},
		{"eval", "--queries", queries, "--qrels", qrels},
		{"serve", "--addr", "127.0.0.1:0"},
	}
	for _, loc := range []string{file, filepath.Join(file, "ix")} {
		for _, args := range commands {
			r := ps(t, nil, append(args, "--index", loc)...)
			line := strings.TrimSpace(r.stderr)
			if r.code != 2 || strings.Contains(line, "\n") || !strings.Contains(line, file) ||
				!strings.Contains(line, "is a file") || strings.Contains(line, "not a directory") {
				t.Errorf("%v --index %s: exit %d, stderr %q; want exit 2 and one line saying %s is a file", args, loc, r.code, r.stderr, file)
			}
		}
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != `{"id":"a","title":"t"}`+"\n" {
		t.Errorf("the file given as --index was changed: %q, %v", b, err)
	}
}

// A first index run that fails leaves nothing behind: no directory holding
// only LOCK, no empty generation; a directory that existed stays, empty.
func TestFailedFirstRunLeavesNothing(t *testing.T) {
	base := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"broken file", []string{"testdata/formats/generic.jsonl", "testdata/formats/bad-plain.txt"}},
		{"truncated gzip", []string{"testdata/formats/bad-truncated.jsonl.gz"}},
		{"unknown embedder", []string{"--embedder", "word2vec", "testdata/formats/generic.jsonl"}},
	} {
		ix := filepath.Join(base, "new", "deeper", "ix")
		r := ps(t, nil, append([]string{"index", "--index", ix}, tt.args...)...)
		if r.code == 0 {
			t.Fatalf("%s: exit 0", tt.name)
		}
		if _, err := os.Stat(filepath.Join(base, "new")); !os.IsNotExist(err) {
			t.Errorf("%s: the failed first run left %s behind (%v)", tt.name, filepath.Join(base, "new"), err)
		}
		existing := filepath.Join(base, "existing")
		if err := os.MkdirAll(existing, 0o755); err != nil {
			t.Fatal(err)
		}
		r = ps(t, nil, append([]string{"index", "--index", existing}, tt.args...)...)
		if r.code == 0 {
			t.Fatalf("%s: exit 0", tt.name)
		}
		if ents, err := os.ReadDir(existing); err != nil || len(ents) != 0 {
			t.Errorf("%s: the failed first run left %v in the directory it was given (%v)", tt.name, ents, err)
		}
	}
	// The next run still creates the index there.
	ix := filepath.Join(base, "new", "ix")
	must(t, "index", "--index", ix, "testdata/formats/generic.jsonl")
	must(t, "search", "--index", ix, "zebrafish")
}

// Names written "Family, Given" are shown joined by "; " so that two
// people never read as four; plain names keep ", ".
func TestAuthorsWithCommasShownUnambiguously(t *testing.T) {
	ix := t.TempDir()
	file := filepath.Join(t.TempDir(), "p.jsonl")
	write(t, file, `{"id":"attn","title":"Attention is all you need","abstract":"The transformer uses attention only.","authors":["Vaswani, Ashish","Shazeer, Noam"]}
{"id":"bert","title":"BERT: pre-training of deep bidirectional transformers","abstract":"Attention based encoders pre-trained on text.","authors":["Jacob Devlin","Ming-Wei Chang","Kenton Lee","Kristina Toutanova"]}
`)
	must(t, "index", "--index", ix, file)
	r := must(t, "search", "--index", ix, "--mode", "keyword", "attention transformer")
	if !strings.Contains(r.stdout, "attn · Vaswani, Ashish; Shazeer, Noam · ") {
		t.Errorf("search output does not show the two names separated by \"; \":\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "bert · Jacob Devlin, Ming-Wei Chang, Kenton Lee et al. · ") {
		t.Errorf("search output changed plain names:\n%s", r.stdout)
	}
	r = must(t, "get", "--index", ix, "attn")
	if !strings.Contains(r.stdout, "authors:    Vaswani, Ashish; Shazeer, Noam\n") {
		t.Errorf("get output:\n%s", r.stdout)
	}
	// --json keeps the list as stored.
	if doc := searchJSON(t, ix, "--mode", "keyword", "attention transformer"); len(doc.Results) == 0 ||
		strings.Join(toStrings(doc.Results[0]["authors"]), "|") != "Vaswani, Ashish|Shazeer, Noam" {
		t.Errorf("search --json authors: %v", doc.Results)
	}
}

func toStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// Any number of papers indexes. Too few to learn a semantic model from
// (one paper, papers sharing no word) is not a failure: keyword search
// works at once, the semantic leg says why it is empty (stderr, and a
// "warnings" entry in the JSON document, also over HTTP), and a later run
// with enough papers learns the model without --retrain.
func TestTinyCorporaIndexAndSayWhy(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "one.jsonl")
	write(t, one, `{"id":"glacier","title":"Glaciers retreat in warming climates","abstract":"Alpine glaciers lost mass every year since 1980."}`+"\n")
	two := filepath.Join(dir, "two.jsonl")
	write(t, two, `{"id":"glacier","title":"Glaciers retreat in warming climates"}
{"id":"volcano","title":"Volcanic eruptions inject sulphate aerosols"}
`)
	five := filepath.Join(dir, "five.jsonl")
	demo, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata", "papers.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, five, strings.Join(strings.SplitAfterN(string(demo), "\n", 6)[:5], ""))

	for _, tt := range []struct {
		name, file, query string
		untrained         bool
	}{
		{"1 paper", one, "glaciers", true},
		{"2 papers sharing no word", two, "volcanic aerosols", true},
		{"5 papers", five, "language models", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ix := filepath.Join(t.TempDir(), "ix")
			r := must(t, "index", "--index", ix, tt.file)
			if said := strings.Contains(r.stderr, "too few to learn a semantic model from yet"); said != tt.untrained {
				t.Errorf("index stderr says too few: %v, want %v:\n%s", said, tt.untrained, r.stderr)
			}
			must(t, "check", "--index", ix)
			stats := must(t, "stats", "--index", ix, "--json")
			if got := strings.Contains(stats.stdout, `"model": "untrained"`); got != tt.untrained {
				t.Errorf("stats: untrained %v, want %v:\n%s", got, tt.untrained, stats.stdout)
			}
			kw := searchJSON(t, ix, "--mode", "keyword", tt.query)
			if len(kw.Results) == 0 {
				t.Fatalf("keyword search %q found nothing", tt.query)
			}
			for _, mode := range []string{"hybrid", "semantic"} {
				r := must(t, "search", "--index", ix, "--json", "--mode", mode, tt.query)
				var doc struct {
					Results  []map[string]any `json:"results"`
					Warnings []string         `json:"warnings"`
				}
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
					t.Fatal(err)
				}
				warned := len(doc.Warnings) == 1 && strings.HasPrefix(doc.Warnings[0], "no semantic model yet") &&
					strings.Contains(r.stderr, "paperseek: warning: no semantic model yet")
				if warned != tt.untrained {
					t.Errorf("%s: warned %v, want %v (warnings %q, stderr %q)", mode, warned, tt.untrained, doc.Warnings, r.stderr)
				}
				if !tt.untrained {
					continue
				}
				switch mode {
				case "hybrid": // the keyword results
					if len(doc.Results) != len(kw.Results) || doc.Results[0]["id"] != kw.Results[0]["id"] || doc.Results[0]["semantic"] != nil {
						t.Errorf("hybrid on an untrained index: %v, want the keyword results %v", doc.Results, kw.Results)
					}
				case "semantic":
					if len(doc.Results) != 0 {
						t.Errorf("semantic on an untrained index returned %v", doc.Results)
					}
				}
			}
			if tt.untrained {
				// Related papers fall back to keywords, and say so.
				r := must(t, "related", "--index", ix, "--text", tt.query)
				if !strings.Contains(r.stderr, "no semantic model yet") {
					t.Errorf("related --text: stderr %q", r.stderr)
				}
			}
		})
	}

	// Growing the 1-paper index learns a model on the next run, no flag.
	ix := filepath.Join(dir, "grow")
	must(t, "index", "--index", ix, one)
	srv := startServe(t, binary, ix, nil)
	code, body := srv.get(t, "/v1/search?q=glaciers")
	if code != 200 || !strings.Contains(string(body), `"warnings":["no semantic model yet: 1 paper indexed so far`) {
		t.Errorf("GET /v1/search on a 1-paper index: %d %s", code, body)
	}
	r := must(t, "index", "--index", ix, "testdata/papers.jsonl")
	if strings.Contains(r.stderr, "too few") {
		t.Errorf("61 papers still too few:\n%s", r.stderr)
	}
	stats := must(t, "stats", "--index", ix)
	if !strings.Contains(stats.stdout, "embedder    local/ppmi-sif+lsa-v1, ") {
		t.Errorf("no model after growing the index:\n%s", stats.stdout)
	}
	doc := searchJSON(t, ix, "--mode", "semantic", "speculative decoding")
	if len(doc.Results) == 0 {
		t.Errorf("semantic search after growing found nothing")
	}
	// The server picks the new generation up and stops warning.
	deadline := time.Now().Add(serveSafetyNet)
	for {
		code, body = srv.get(t, "/v1/search?q=speculative+decoding&mode=semantic")
		if code == 200 && !strings.Contains(string(body), "warnings") && strings.Contains(string(body), `"semantic":{`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server still answers %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Papers mostly made of words the stored model never saw get a hint to
// --retrain (stderr, and "warnings" in the --json summary); papers on the
// index's own topics do not, and neither does the retrain itself.
func TestOutOfVocabularyRunSuggestsRetrain(t *testing.T) {
	ix := t.TempDir()
	must(t, "index", "--index", ix, "testdata/papers.jsonl") // LLM papers

	dir := t.TempDir()
	// The same topics under new ids: words the model knows.
	demo, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata", "papers.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	same := filepath.Join(dir, "same.jsonl")
	var lines []string
	for i, l := range strings.Split(strings.TrimSpace(string(demo)), "\n")[:30] {
		var p map[string]any
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatal(err)
		}
		p["id"] = fmt.Sprintf("again-%d", i)
		b, _ := json.Marshal(p)
		lines = append(lines, string(b))
	}
	write(t, same, strings.Join(lines, "\n")+"\n")
	// Marine biology: words no LLM abstract holds, recurring across papers.
	words := strings.Fields("coral reef plankton salinity tide kelp sediment trench whale sonar algae estuary mangrove krill seagrass dolphin lagoon brine urchin anemone")
	marine := filepath.Join(dir, "marine.jsonl")
	lines = nil
	for i := 0; i < 40; i++ {
		var text []string
		for j := 0; j < 12; j++ {
			text = append(text, words[(i*7+j*3)%len(words)])
		}
		lines = append(lines, fmt.Sprintf(`{"id":"marine-%d","title":"Marine survey %d","abstract":%q}`, i, i, strings.Join(text, " ")))
	}
	write(t, marine, strings.Join(lines, "\n")+"\n")

	r := must(t, "index", "--index", ix, "--json", same)
	if strings.Contains(r.stderr, "--retrain") || strings.Contains(r.stdout, "warnings") {
		t.Errorf("papers on the index's topics drew a hint:\n%s%s", r.stderr, r.stdout)
	}
	r = must(t, "index", "--index", ix, "--json", marine)
	var sum struct{ Warnings []string }
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0], "run `paperseek index --retrain`") ||
		!strings.Contains(r.stderr, "paperseek: warning: the index's semantic model knows only ") {
		t.Errorf("marine papers into an LLM index: warnings %q, stderr %q", sum.Warnings, r.stderr)
	}
	r = must(t, "index", "--index", ix, "--retrain")
	if strings.Contains(r.stderr, "--retrain") {
		t.Errorf("the retrain itself drew a hint:\n%s", r.stderr)
	}
	// After it, the model knows them: more marine papers are fine.
	r = must(t, "index", "--index", ix, marine)
	if strings.Contains(r.stderr, "--retrain") {
		t.Errorf("after --retrain, marine papers still drew a hint:\n%s", r.stderr)
	}
}

// LaTeX in arXiv titles and abstracts (the snapshot, and arXiv lines in the
// generic shape) is shown as Unicode, math kept as written, and accents
// fold in search: Djokovic, Đoković and Djokovi\'{c} (indexed) are one word.
func TestLaTeXAccentsDisplayAndMatch(t *testing.T) {
	file := filepath.Join(t.TempDir(), "arxiv.jsonl")
	write(t, file, `{"id":"2101.00001","title":"Serve speed of Novak Djokovi\\'{c}","abstract":"We model Djokovi\\'{c}'s serve with $\\alpha \\approx 0.5$ and a Schr\\\"odinger-like equation.","authors_parsed":[["Djokovi\\'c","Novak",""]],"categories":"physics.pop-ph","versions":[{"version":"v1","created":"Mon, 4 Jan 2021 00:00:00 GMT"}]}
{"id":"2101.00002","title":"Return games of Djokovi\\'{c} on clay","abstract":"Clay slows the ball; M\\\"uller measured it.","categories":"physics.pop-ph"}
{"id":"plain-3","title":"Đoković at Wimbledon","abstract":"Grass courts favour the serve of Đoković."}
`)
	ix := t.TempDir()
	must(t, "index", "--index", ix, file)
	r := must(t, "get", "--index", ix, "2101.00001")
	for _, want := range []string{"Serve speed of Novak Djoković\n", "authors:    Novak Djoković\n", "We model Djoković's serve with $\\alpha \\approx 0.5$ and a Schrödinger-like\nequation."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("get shows no %q:\n%s", want, r.stdout)
		}
	}
	if r := must(t, "get", "--index", ix, "2101.00002"); !strings.Contains(r.stdout, "Return games of Djoković on clay") || !strings.Contains(r.stdout, "Müller measured") {
		t.Errorf("generic arXiv line not decoded:\n%s", r.stdout)
	}
	all := []string{"2101.00001", "2101.00002", "plain-3"}
	for _, q := range []string{"Djokovic", "Đoković", "djoković", "DJOKOVIC"} {
		got := ids(searchJSON(t, ix, "--mode", "keyword", q))
		slices.Sort(got)
		if !slices.Equal(got, all) {
			t.Errorf("search %q found %v, want %v", q, got, all)
		}
	}
	for q, want := range map[string]string{"Schrodinger": "2101.00001", "Muller": "2101.00002", "mueller": ""} {
		got := ids(searchJSON(t, ix, "--mode", "keyword", q))
		if want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0] != want) {
			t.Errorf("search %q found %v, want [%s]", q, got, want)
		}
	}
	// The snippet marks the accented word a folded query matched.
	doc := searchJSON(t, ix, "--mode", "keyword", "Djokovic grass")
	if len(doc.Results) == 0 || doc.Results[0]["id"] != "plain-3" || !strings.Contains(doc.Results[0]["snippet"].(string), "<mark>Đoković</mark>") {
		t.Errorf("snippet: %v", doc.Results)
	}
}

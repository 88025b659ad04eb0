package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// recCorpus has three subjects with their own words, so "like these" has
// an unambiguous answer whatever the embedder learns from so few papers.
const recCorpus = `{"id":"r1","title":"Dense retrieval of scholarly papers","abstract":"Dense passage retrieval ranks scholarly papers with neural encoders and inverted indexes.","published":"2023-01-10","doi":"10.1000/r1"}
{"id":"r2","title":"Sparse and dense retrieval combined","abstract":"Hybrid retrieval fuses sparse inverted indexes with dense passage encoders for ranking papers.","published":"2023-06-01"}
{"id":"r3","title":"Retrieval evaluation with judged papers","abstract":"Ranking quality of passage retrieval measured with relevance judgments and inverted indexes.","published":"2024-03-05"}
{"id":"r4","title":"Learned sparse retrieval","abstract":"Sparse retrieval with learned term weights in inverted indexes ranks passages.","published":"2025-02-01"}
{"id":"p1","title":"Protein folding with attention","abstract":"Protein structure prediction folds amino acid chains with attention over residues.","published":"2023-02-02","doi":"10.1000/p1"}
{"id":"p2","title":"Folding membrane proteins","abstract":"Membrane protein folding predicted from amino acid residues and contact maps.","published":"2024-04-04"}
{"id":"p3","title":"Protein contact maps","abstract":"Residue contact maps guide protein structure folding of amino acid chains.","published":"2025-05-05"}
{"id":"c1","title":"Register allocation in compilers","abstract":"Graph colouring register allocation for optimising compilers of loops.","published":"2023-03-03"}
{"id":"c2","title":"Loop optimisation in compilers","abstract":"Optimising compilers unroll and vectorise loops after register allocation.","published":"2024-07-07"}
{"id":"c3","title":"Compiler intermediate representations","abstract":"Static single assignment form in optimising compilers simplifies register allocation.","published":"2025-08-08"}
`

func recIndex(t *testing.T) string {
	t.Helper()
	ix := t.TempDir()
	file := filepath.Join(t.TempDir(), "rec.jsonl")
	write(t, file, recCorpus)
	must(t, "index", "--index", ix, file)
	return ix
}

func relatedJSON(t *testing.T, ix string, args ...string) searchDoc {
	t.Helper()
	r := must(t, append([]string{"related", "--index", ix, "--json"}, args...)...)
	var doc searchDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("related --json printed something that is not one JSON document: %v\n%s", err, r.stdout)
	}
	return doc
}

// subject is the subject letter of each result id ("r", "p", "c").
func subjects(ids []string, n int) string {
	var b strings.Builder
	for _, id := range ids[:min(n, len(ids))] {
		b.WriteByte(id[0])
	}
	return b.String()
}

func TestRelatedSeveralPapers(t *testing.T) {
	ix := recIndex(t)

	// One id keeps the contract: the id as the query, itself never returned.
	doc := relatedJSON(t, ix, "p1")
	if doc.Query != "p1" || doc.Mode != "related" || slices.Contains(ids(doc), "p1") {
		t.Fatalf("related p1: query %q mode %q results %v", doc.Query, doc.Mode, ids(doc))
	}
	if got := subjects(ids(doc), 2); got != "pp" {
		t.Errorf("related p1 ranks %v first, want the two other protein papers", ids(doc))
	}

	for _, mode := range []string{"hybrid", "keyword", "semantic"} {
		doc = relatedJSON(t, ix, "--mode", mode, "r1", "doi:10.1000/p1", "--unlike", "c1")
		got := ids(doc)
		for _, seed := range []string{"r1", "p1", "c1"} {
			if slices.Contains(got, seed) {
				t.Errorf("%s: related r1 p1 --unlike c1 returned the seed %s: %v", mode, seed, got)
			}
		}
		if doc.Query != "r1 p1" {
			t.Errorf("%s: query %q, want the positives' ids", mode, doc.Query)
		}
		if mode != "semantic" && strings.ContainsRune(subjects(got, 5), 'c') {
			t.Errorf("%s: related r1 p1 ranks a compiler paper among the first five: %v", mode, got)
		}
	}

	// Filters apply as in search: --since keeps recent papers only.
	doc = relatedJSON(t, ix, "r1", "r2", "--since", "2024-04-01")
	for _, id := range ids(doc) {
		if !slices.Contains([]string{"r4", "p3", "c2", "c3", "p2"}, id) {
			t.Errorf("related --since 2024-04-01 returned %s, published before", id)
		}
	}
	if got := ids(doc); len(got) == 0 || got[0] != "r4" {
		t.Errorf("related r1 r2 --since 2024-04-01 = %v, want r4 first", got)
	}
}

func TestRelatedFromLibrary(t *testing.T) {
	ix := recIndex(t)
	// One entry is in the index under another id (found by its DOI), one
	// only by its text.
	bib := filepath.Join(t.TempDir(), "my.bib")
	write(t, bib, `@article{smith2023,
  title = {Protein folding with attention},
  doi = {10.1000/P1},
  year = {2023}
}
@article{jones2026,
  title = {Amino acid residues in protein folding},
  abstract = {Predicting protein structure and folding from amino acid residues.},
  year = {2026}
}
`)
	r := must(t, "related", "--index", ix, "--json", "--from", bib)
	var doc searchDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, r.stdout)
	}
	got := ids(doc)
	if slices.Contains(got, "p1") {
		t.Errorf("--from returned p1, which the library holds: %v", got)
	}
	if subjects(got, 2) != "pp" {
		t.Errorf("--from a protein library ranks %v first, want protein papers", got)
	}
	if !strings.Contains(r.stderr, "2 papers, 1 of them in the index, 1 by their text") {
		t.Errorf("stderr does not account for the library: %q", r.stderr)
	}
}

func TestRelatedUsageErrors(t *testing.T) {
	ix := recIndex(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--unlike", "r1"}, "related needs one or more paper IDs"},
		{[]string{"r1", "--unlike", "r1"}, `paper "r1" is both a positive and a negative`},
		{[]string{"r1", "nope"}, `no paper with id "nope"`},
		{[]string{"r1", "--unlike", "nope"}, `no paper with id "nope"`},
		{[]string{"r1", "--text", "protein"}, "not both"},
		{[]string{"--from", "no-such-file.bib"}, "no-such-file.bib"},
	} {
		r := ps(t, nil, append([]string{"related", "--index", ix}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("related %v: exit %d, stderr %q; want exit 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// eval --task related scores recommendations from each judged query's
// first relevant papers; testdata/eval has five queries with two relevant
// papers, each the other's nearest neighbour, so every method finds them.
func TestEvalRelated(t *testing.T) {
	ix := t.TempDir()
	must(t, "index", "--index", ix, "testdata/eval/papers.jsonl")
	q, qrels := "testdata/eval/queries.jsonl", "testdata/eval/qrels.tsv"
	r := must(t, "eval", "--index", ix, "--queries", q, "--qrels", qrels, "--task", "related", "--method", "all", "--json")
	var doc struct {
		Queries int                           `json:"queries"`
		Runs    map[string]map[string]float64 `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("eval --task related --json: %v\n%s", err, r.stdout)
	}
	if doc.Queries != 5 {
		t.Errorf("queries = %d, want the 5 with two relevant papers", doc.Queries)
	}
	for _, m := range []string{"text", "mlt", "rocchio", "rocchio-neg", "rocchio-prf", "classifier", "rocchio-fused"} {
		run, ok := doc.Runs[m]
		if !ok {
			t.Errorf("no run for method %s: %v", m, doc.Runs)
			continue
		}
		if run["ndcg@10"] < 0.9 || run["recall@100"] != 1 {
			t.Errorf("%s: %v; each target is its positive's nearest paper", m, run)
		}
	}
	r = must(t, "eval", "--index", ix, "--queries", q, "--qrels", qrels, "--task", "related", "--json")
	assertKeys(t, "eval --task related --json", r.stdout, []string{"queries", "mode", "ndcg@10", "recall@100", "map@100", "mrr@10"}, nil)
	if !strings.Contains(r.stdout, `"mode": "rocchio-fused"`) {
		t.Errorf("the default method is not rocchio-fused: %s", r.stdout)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--positives", "2"}, "more than 2 relevant papers"},
		{[]string{"--positives", "0"}, "positives must be between 1 and 100"},
		{[]string{"--method", "svm"}, `method must be text, mlt`},
		{[]string{"--task", "rank"}, "task must be search or related"},
	} {
		r := ps(t, nil, append([]string{"eval", "--index", ix, "--queries", q, "--qrels", qrels, "--task", "related"}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("eval %v: exit %d, stderr %q; want exit 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

package eval

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The judged fixture in testdata/eval is what the end-to-end eval test runs
// paperseek on; these tests keep it consistent and pin what a known keyword
// ranking scores on it.
var fixture = filepath.Join("..", "..", "testdata", "eval")

func TestFixtureIsConsistent(t *testing.T) {
	f, err := os.Open(filepath.Join(fixture, "papers.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	papers := make(map[string]bool)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var p struct {
			ID       string `json:"id"`
			Title    string `json:"title"`
			Abstract string `json:"abstract"`
			Year     int    `json:"year"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("papers.jsonl:%d: %v", n, err)
		}
		if p.ID == "" || p.Title == "" || p.Abstract == "" || p.Year == 0 || papers[p.ID] {
			t.Errorf("papers.jsonl:%d: want a new id, a title, an abstract and a year: %+v", n, p)
		}
		papers[p.ID] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	qrels, err := ReadQrels(filepath.Join(fixture, "qrels.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for qid, docs := range qrels {
		for doc := range docs {
			if !papers[doc] {
				t.Errorf("qrels.tsv: query %s judges %s, which is not in papers.jsonl", qid, doc)
			}
		}
	}
	queries, err := ReadQueries(filepath.Join(fixture, "queries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	run, missing := JudgedQueries(queries, qrels)
	var ids []string
	for _, q := range run {
		ids = append(ids, q.ID)
	}
	// 6 is judged with no relevant paper and 7 is not judged: neither runs.
	if want := []string{"1", "2", "3", "4", "5"}; !slices.Equal(ids, want) || len(missing) != 0 {
		t.Errorf("queries to run %q (missing %q), want %q", ids, missing, want)
	}
}

// keyword-bleve.run is Bleve's ranking of the fixture (see the README there).
// Per query, papers named by the number ending their id, grade in brackets,
// 1/log2(3) = 0.63093:
//
//	1: 1(2) 3(0) 2(1)      nDCG (3+1/2)/(3+0.63093) = 0.96394  R 1    AP (1+2/3)/2 = 0.83333  RR 1
//	2: 4(2) …, 5 missing   nDCG 3/3.63093 = 0.82623             R 1/2  AP 1/2                  RR 1
//	3: 6(2) 8 7(1) 12      nDCG (3+1/2)/3.63093 = 0.96394       R 1    AP (1+2/3)/2            RR 1
//	4: 9(0) 8(2) …, 12 missing  nDCG 3·0.63093/3.63093 = 0.52130 R 1/2  AP (1/2)/2 = 0.25       RR 1/2
//	5: 10(2) 13(0) …, 11 missing  nDCG 0.82623                  R 1/2  AP 1/2                  RR 1
//
// Means over the five: nDCG 4.10165/5, recall 3.5/5, MAP 2.91667/5, MRR 4.5/5.
func TestFixtureKeywordRun(t *testing.T) {
	qrels, err := ReadQrels(filepath.Join(fixture, "qrels.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := ReadRun(filepath.Join(fixture, "keyword-bleve.run"))
	if err != nil {
		t.Fatal(err)
	}
	got := Evaluate(qrels, run)
	want := Scores{Queries: 5, NDCG10: 4.1016462094 / 5, Recall100: 0.7, MAP100: 2.9166666667 / 5, MRR10: 0.9}
	if got.Queries != want.Queries || math.Abs(got.NDCG10-want.NDCG10) > 1e-9 ||
		math.Abs(got.Recall100-want.Recall100) > 1e-9 || math.Abs(got.MAP100-want.MAP100) > 1e-9 ||
		math.Abs(got.MRR10-want.MRR10) > 1e-9 {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

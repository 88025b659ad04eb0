package eval

import (
	"math"
	"slices"
	"testing"
)

func TestEvaluate(t *testing.T) {
	qrels := Qrels{
		"q1": {"a": 2, "b": 1, "n": 0},
		"q2": {"c": 1},
		"q3": {"d": 0},  // judged, nothing relevant: not evaluated
		"q4": {"e": 1},  // absent from every run below: scores 0
		"q5": {"f": -1}, // negative only: not evaluated either
	}
	// q1 ranked a, n, b:
	//   nDCG@10 = (3/1 + 1/log2(4)) / (3/1 + 1/log2(3)) = 3.5/3.63093 = 0.96394
	//   Recall@100 = 2/2; MAP@100 = (1/1 + 2/3)/2 = 0.83333; MRR@10 = 1
	q1 := QueryScores{QueryID: "q1", NDCG10: 0.9639404333, Recall100: 1, MAP100: 5.0 / 6, MRR10: 1}
	zero := func(id string) QueryScores { return QueryScores{QueryID: id} }

	tests := []struct {
		name    string
		run     map[string][]string
		want    Scores
		wantPer []QueryScores
	}{
		{
			name: "empty results, missing and unjudged queries",
			run: map[string][]string{
				"q1": {"a", "n", "b"},
				"q2": {},    // no results: 0
				"q3": {"d"}, // not evaluated
				"q9": {"z"}, // unjudged: ignored
			},
			// Averages over q1, q2, q4: (0.96394+0+0)/3 and so on.
			want:    Scores{Queries: 3, NDCG10: 0.9639404333 / 3, Recall100: 1.0 / 3, MAP100: 5.0 / 18, MRR10: 1.0 / 3},
			wantPer: []QueryScores{q1, zero("q2"), zero("q4")},
		},
		{
			name: "perfect run",
			run: map[string][]string{
				"q1": {"a", "b"}, "q2": {"c"}, "q4": {"e"},
			},
			want: Scores{Queries: 3, NDCG10: 1, Recall100: 1, MAP100: 1, MRR10: 1},
			wantPer: []QueryScores{
				{QueryID: "q1", NDCG10: 1, Recall100: 1, MAP100: 1, MRR10: 1},
				{QueryID: "q2", NDCG10: 1, Recall100: 1, MAP100: 1, MRR10: 1},
				{QueryID: "q4", NDCG10: 1, Recall100: 1, MAP100: 1, MRR10: 1},
			},
		},
		{
			name:    "nil run scores every evaluated query 0",
			run:     nil,
			want:    Scores{Queries: 3},
			wantPer: []QueryScores{zero("q1"), zero("q2"), zero("q4")},
		},
		{
			// The metrics use the system's order as given: two documents the
			// system scored alike are not reordered.
			name: "order of tied results is the system's",
			run:  map[string][]string{"q2": {"x", "c"}},
			// q2: nDCG = 1/log2(3); AP = 1/2; RR = 1/2; the others 0.
			want: Scores{Queries: 3, NDCG10: d2 / 3, Recall100: 1.0 / 3, MAP100: 0.5 / 3, MRR10: 0.5 / 3},
			wantPer: []QueryScores{zero("q1"),
				{QueryID: "q2", NDCG10: d2, Recall100: 1, MAP100: 0.5, MRR10: 0.5}, zero("q4")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(qrels, tt.run)
			if got.Queries != tt.want.Queries || !near(got.NDCG10, tt.want.NDCG10) ||
				!near(got.Recall100, tt.want.Recall100) || !near(got.MAP100, tt.want.MAP100) ||
				!near(got.MRR10, tt.want.MRR10) {
				t.Errorf("Evaluate = %+v\nwant       %+v", got, tt.want)
			}
			per := EvaluateQueries(qrels, tt.run)
			if !slices.EqualFunc(per, tt.wantPer, nearQuery) {
				t.Errorf("EvaluateQueries = %+v\nwant              %+v", per, tt.wantPer)
			}
		})
	}
}

func TestEvaluateNoEvaluableQueries(t *testing.T) {
	got := Evaluate(Qrels{"q": {"a": 0}}, map[string][]string{"q": {"a"}})
	if got != (Scores{}) {
		t.Errorf("Evaluate = %+v, want zero Scores", got)
	}
}

func TestEvaluateQueriesOrder(t *testing.T) {
	qrels := Qrels{"10": {"a": 1}, "9": {"a": 1}, "09b": {"a": 1}, "100": {"a": 1}, "b": {"a": 1}, "a": {"a": 1}}
	var ids []string
	for _, q := range EvaluateQueries(qrels, nil) {
		ids = append(ids, q.QueryID)
	}
	want := []string{"9", "10", "100", "09b", "a", "b"}
	if !slices.Equal(ids, want) {
		t.Errorf("order %q, want %q", ids, want)
	}
}

func TestJudgedQueries(t *testing.T) {
	qrels := Qrels{
		"1":  {"a": 1},
		"2":  {"a": 0},
		"3":  {"a": 2},
		"4":  {"b": 1}, // no query text for it
		"10": {"c": 1},
	}
	queries := []Query{{"3", "third"}, {"1", "first"}, {"2", "no relevant"}, {"7", "unjudged"}}
	run, missing := JudgedQueries(queries, qrels)
	wantRun := []Query{{"3", "third"}, {"1", "first"}}
	if !slices.Equal(run, wantRun) {
		t.Errorf("run %v, want %v", run, wantRun)
	}
	if want := []string{"4", "10"}; !slices.Equal(missing, want) {
		t.Errorf("missing %q, want %q", missing, want)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func nearQuery(a, b QueryScores) bool {
	return a.QueryID == b.QueryID && near(a.NDCG10, b.NDCG10) && near(a.Recall100, b.Recall100) &&
		near(a.MAP100, b.MAP100) && near(a.MRR10, b.MRR10)
}

package eval

import (
	"cmp"
	"slices"
	"strings"
)

// Qrels are relevance judgments: query id → document id → graded relevance.
// A grade above 0 is relevant; 0 or negative means judged non-relevant.
type Qrels map[string]map[string]int

// Query is one query to run: its id in the judgments and its text.
type Query struct {
	ID   string
	Text string
}

// The cutoffs of the contract's four metrics.
const (
	NDCGCutoff   = 10
	RecallCutoff = 100
	MAPCutoff    = 100
	MRRCutoff    = 10
)

// Scores is the contract's eval document body: each metric averaged over the
// evaluated queries.
type Scores struct {
	Queries   int     `json:"queries"`
	NDCG10    float64 `json:"ndcg@10"`
	Recall100 float64 `json:"recall@100"`
	MAP100    float64 `json:"map@100"`
	MRR10     float64 `json:"mrr@10"`
}

// QueryScores is one query's metrics, for finding the queries a change helped
// or hurt.
type QueryScores struct {
	QueryID   string  `json:"query"`
	NDCG10    float64 `json:"ndcg@10"`
	Recall100 float64 `json:"recall@100"`
	MAP100    float64 `json:"map@100"`
	MRR10     float64 `json:"mrr@10"`
}

// Relevant reports whether the query has at least one relevant judgment, the
// condition for being evaluated.
func (q Qrels) Relevant(queryID string) bool {
	return countRelevant(q[queryID]) > 0
}

// Evaluate scores a run (query id → ranked document ids, best first) against
// the judgments and averages each metric over the evaluated queries.
//
// Evaluated are the judged queries with at least one relevant document. A
// judged query with no relevant document is left out: every metric is 0 for
// it whatever the system does, so it would only scale the average down.
// (trec_eval and BEIR count such a query as 0 when the run contains it; on
// SciFact and CISI every judged query has a relevant document, so the two
// agree there.) A judged query that is absent from the run, or has no
// results, scores 0 — trec_eval's -c, so a query that fails cannot flatter
// the average. Queries in the run without judgments are ignored.
func Evaluate(qrels Qrels, run map[string][]string) Scores {
	per := EvaluateQueries(qrels, run)
	s := Scores{Queries: len(per)}
	if len(per) == 0 {
		return s
	}
	for _, q := range per {
		s.NDCG10 += q.NDCG10
		s.Recall100 += q.Recall100
		s.MAP100 += q.MAP100
		s.MRR10 += q.MRR10
	}
	n := float64(len(per))
	s.NDCG10 /= n
	s.Recall100 /= n
	s.MAP100 /= n
	s.MRR10 /= n
	return s
}

// EvaluateQueries returns the metrics of every query Evaluate averages over,
// ordered by query id: decimal ids first in numeric order, then the others.
func EvaluateQueries(qrels Qrels, run map[string][]string) []QueryScores {
	ids := make([]string, 0, len(qrels))
	for id := range qrels {
		if qrels.Relevant(id) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, compareIDs)
	out := make([]QueryScores, 0, len(ids))
	deepest := max(NDCGCutoff, RecallCutoff, MAPCutoff, MRRCutoff)
	for _, id := range ids {
		top, rel := topDistinct(run[id], deepest), qrels[id]
		cut := func(k int) []string { return top[:min(k, len(top))] }
		out = append(out, QueryScores{
			QueryID:   id,
			NDCG10:    ndcg(cut(NDCGCutoff), rel, NDCGCutoff),
			Recall100: recall(cut(RecallCutoff), rel),
			MAP100:    averagePrecision(cut(MAPCutoff), rel),
			MRR10:     reciprocalRank(cut(MRRCutoff), rel),
		})
	}
	return out
}

// JudgedQueries picks the queries worth running: those with at least one
// relevant judgment, in the order given. missing lists, sorted, the evaluated
// query ids that queries lacks; Evaluate scores them 0, so a caller should
// warn about them rather than let the average drop silently.
func JudgedQueries(queries []Query, qrels Qrels) (run []Query, missing []string) {
	have := make(map[string]bool, len(queries))
	for _, q := range queries {
		have[q.ID] = true
		if qrels.Relevant(q.ID) {
			run = append(run, q)
		}
	}
	for id := range qrels {
		if !have[id] && qrels.Relevant(id) {
			missing = append(missing, id)
		}
	}
	slices.SortFunc(missing, compareIDs)
	return run, missing
}

// compareIDs puts plain decimal ids first, in numeric order (most judged sets
// number their queries, and "10" should follow "9"), then the others as
// strings.
func compareIDs(a, b string) int {
	an, bn := isDigits(a), isDigits(b)
	switch {
	case an && bn:
		a2, b2 := strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if c := cmp.Compare(len(a2), len(b2)); c != 0 {
			return c
		}
		if c := strings.Compare(a2, b2); c != 0 {
			return c
		}
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

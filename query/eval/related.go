package eval

import "slices"

// RelatedTask is one recommendation to score, made from a judged query:
// some of its relevant papers are what the user likes, the others what a
// recommender should find.
type RelatedTask struct {
	QueryID string
	// Positives are the query's first m relevant papers by id (as strings).
	Positives []string
	// Negatives are relevant papers of another query (see RelatedTasks).
	Negatives []string
	// Targets are the query's judgments without the positives and
	// negatives: the ranking of everything else is scored against them.
	Targets map[string]int
}

// RelatedTasks turns judgments into recommendation tasks: every query
// with at least m+1 relevant papers gives one, its first m relevant papers
// (by id) the positives and the rest the
// targets, in query id order. Paper ids are opaque strings and are ordered
// as strings ("1000" before "28"). With negatives > 0, each task also gets the
// first that many relevant papers of the next task's query (the first
// task's for the last) that are not relevant to its own: papers on another
// subject the user does not want.
func RelatedTasks(qrels Qrels, m, negatives int) []RelatedTask {
	ids := make([]string, 0, len(qrels))
	for id, rel := range qrels {
		if countRelevant(rel) >= m+1 {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, compareIDs)
	relevant := func(qid string) []string {
		var docs []string
		for doc, g := range qrels[qid] {
			if g > 0 {
				docs = append(docs, doc)
			}
		}
		slices.Sort(docs)
		return docs
	}
	tasks := make([]RelatedTask, len(ids))
	for i, qid := range ids {
		docs := relevant(qid)
		t := RelatedTask{QueryID: qid, Positives: docs[:m], Targets: map[string]int{}}
		if negatives > 0 && len(ids) > 1 {
			for _, doc := range relevant(ids[(i+1)%len(ids)]) {
				if len(t.Negatives) == negatives {
					break
				}
				if qrels[qid][doc] <= 0 {
					t.Negatives = append(t.Negatives, doc)
				}
			}
		}
		for doc, g := range qrels[qid] {
			if !slices.Contains(t.Positives, doc) && !slices.Contains(t.Negatives, doc) {
				t.Targets[doc] = g
			}
		}
		tasks[i] = t
	}
	return tasks
}

// TaskQrels are the tasks' targets as judgments, for Evaluate.
func TaskQrels(tasks []RelatedTask) Qrels {
	q := make(Qrels, len(tasks))
	for _, t := range tasks {
		q[t.QueryID] = t.Targets
	}
	return q
}

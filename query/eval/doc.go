// Package eval measures ranking quality against relevance judgments the way
// trec_eval and BEIR do, so that paperseek's numbers can be compared with
// published ones and every ranking default can be chosen by measurement.
//
// The per-query metrics take a ranking (document ids, best first) and one
// query's judgments (document id → graded relevance). A grade above 0 is
// relevant; 0 or a negative grade means judged non-relevant, which counts
// exactly like an unjudged document. A cutoff k ≤ 0 means no cutoff.
//
// A ranking that repeats an id is a bug in the system under test, but it must
// not earn twice: only the first occurrence counts, later ones are dropped and
// the documents after them move up. That is what trec_eval computes on the
// run with the repeats removed (trec_eval itself refuses a run with repeats),
// so paperseek's numbers and trec_eval's on the written run file agree.
package eval

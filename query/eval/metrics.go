package eval

import (
	"math"
	"slices"
)

// NDCG is normalised discounted cumulative gain at cutoff k: graded gains
// 2^rel−1 discounted by log2(rank+1), divided by the same sum for the ideal
// ranking of all judged documents. With binary judgments it equals
// trec_eval's ndcg_cut; with graded ones trec_eval uses linear gains (rel)
// while the contract asks for 2^rel−1, which rewards placing the best
// documents first more strongly.
func NDCG(ranked []string, rel map[string]int, k int) float64 {
	return ndcg(topDistinct(ranked, k), rel, k)
}

// ndcg and the functions below take a ranking already cut to k distinct ids,
// so Evaluate can dedupe each ranking once for all four metrics.
func ndcg(top []string, rel map[string]int, k int) float64 {
	var dcg float64
	for i, id := range top {
		if r := rel[id]; r > 0 {
			dcg += gain(r) / math.Log2(float64(i+2))
		}
	}
	if dcg == 0 {
		return 0
	}
	grades := make([]int, 0, len(rel))
	for _, r := range rel {
		if r > 0 {
			grades = append(grades, r)
		}
	}
	slices.Sort(grades)
	slices.Reverse(grades)
	if k > 0 && len(grades) > k {
		grades = grades[:k]
	}
	var ideal float64
	for i, r := range grades {
		ideal += gain(r) / math.Log2(float64(i+2))
	}
	return dcg / ideal
}

// Recall is the share of all relevant documents found in the top k.
func Recall(ranked []string, rel map[string]int, k int) float64 {
	return recall(topDistinct(ranked, k), rel)
}

func recall(top []string, rel map[string]int) float64 {
	total := countRelevant(rel)
	if total == 0 {
		return 0
	}
	found := 0
	for _, id := range top {
		if rel[id] > 0 {
			found++
		}
	}
	return float64(found) / float64(total)
}

// AveragePrecision is the mean, over ALL relevant documents, of the precision
// at the rank where each was found in the top k (a relevant document not in
// the top k contributes 0). Dividing by every relevant document rather than by
// those retrieved or by min(k, relevant) is trec_eval's map_cut, which BEIR
// reports as MAP@k.
func AveragePrecision(ranked []string, rel map[string]int, k int) float64 {
	return averagePrecision(topDistinct(ranked, k), rel)
}

func averagePrecision(top []string, rel map[string]int) float64 {
	total := countRelevant(rel)
	if total == 0 {
		return 0
	}
	found := 0
	var sum float64
	for i, id := range top {
		if rel[id] > 0 {
			found++
			sum += float64(found) / float64(i+1)
		}
	}
	return sum / float64(total)
}

// ReciprocalRank is 1/rank of the first relevant document in the top k, or 0
// when there is none. trec_eval's recip_rank has no cutoff; MRR@10 is BEIR's.
func ReciprocalRank(ranked []string, rel map[string]int, k int) float64 {
	return reciprocalRank(topDistinct(ranked, k), rel)
}

func reciprocalRank(top []string, rel map[string]int) float64 {
	for i, id := range top {
		if rel[id] > 0 {
			return 1 / float64(i+1)
		}
	}
	return 0
}

// gain is the graded gain of a relevant document: a grade-2 document is worth
// three grade-1 documents, not two.
func gain(rel int) float64 {
	return math.Exp2(float64(rel)) - 1
}

func countRelevant(rel map[string]int) int {
	n := 0
	for _, r := range rel {
		if r > 0 {
			n++
		}
	}
	return n
}

// topDistinct returns the first k distinct ids of ranked (all of them when
// k ≤ 0), dropping repeats as the package comment explains.
func topDistinct(ranked []string, k int) []string {
	if k <= 0 || k > len(ranked) {
		k = len(ranked)
	}
	seen := make(map[string]struct{}, k)
	out := make([]string, 0, k)
	for _, id := range ranked {
		if len(out) == k {
			break
		}
		if _, dup := seen[id]; dup {
			continue
		}
		seen[id] = struct{}{}
		out = append(out, id)
	}
	return out
}

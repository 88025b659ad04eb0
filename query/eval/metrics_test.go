package eval

import (
	"math"
	"testing"
)

// 1/log2(3): the discount of rank 2.
const d2 = 0.6309297536

type metricCase struct {
	name   string
	ranked []string
	rel    map[string]int
	k      int
	want   float64
}

func checkMetric(t *testing.T, metric func([]string, map[string]int, int) float64, cases []metricCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := metric(c.ranked, c.rel, c.k); math.Abs(got-c.want) > 1e-9 {
				t.Errorf("got %.10f, want %.10f", got, c.want)
			}
		})
	}
}

func TestNDCG(t *testing.T) {
	checkMetric(t, NDCG, []metricCase{
		{"perfect binary", []string{"a", "b"}, map[string]int{"a": 1, "b": 1}, 10, 1},
		// DCG = (2^1−1)/log2(2) + (2^2−1)/log2(3) = 1 + 3·0.63093 = 2.89279
		// IDCG = (2^2−1)/1 + (2^1−1)/log2(3) = 3 + 0.63093 = 3.63093
		// 2.89279/3.63093 = 0.79671. Linear gains (rel) would give
		// (1+2·0.63093)/(2+0.63093) = 0.85961: 2^rel−1 makes burying the
		// grade-2 document cost more.
		{"graded rel 2 below rel 1", []string{"b", "a"}, map[string]int{"a": 2, "b": 1}, 10, 0.7967075810},
		{"graded ideal order", []string{"a", "b"}, map[string]int{"a": 2, "b": 1}, 10, 1},
		{"relevant only beyond k", []string{"x", "y", "a"}, map[string]int{"a": 1}, 2, 0},
		// a at rank 2: DCG = 0.63093; IDCG over both judged relevant = 1 + 0.63093.
		{"k larger than list", []string{"x", "a"}, map[string]int{"a": 1, "b": 1}, 10, d2 / (1 + d2)},
		// The ideal ranking is cut at k too: one slot, filled by a relevant doc.
		{"ideal cut at k", []string{"a", "x"}, map[string]int{"a": 1, "b": 1, "c": 1}, 1, 1},
		// The repeated x is dropped, a moves up to rank 2 within k=2.
		{"duplicate moves later docs up", []string{"x", "x", "a"}, map[string]int{"a": 1}, 2, d2},
		// a counts once: DCG = 1, IDCG = 1 + 0.63093 (b is missing).
		{"duplicate relevant counts once", []string{"a", "a"}, map[string]int{"a": 1, "b": 1}, 10, 1 / (1 + d2)},
		{"judged non-relevant earns nothing", []string{"n", "a"}, map[string]int{"n": 0, "a": 1}, 10, d2},
		{"negative grade earns nothing", []string{"n", "a"}, map[string]int{"n": -1, "a": 1}, 10, d2},
		{"unjudged earns nothing", []string{"u", "a"}, map[string]int{"a": 1}, 10, d2},
		{"empty ranking", nil, map[string]int{"a": 1}, 10, 0},
		{"no relevant judged", []string{"a"}, map[string]int{"a": 0}, 10, 0},
		{"no judgments", []string{"a"}, nil, 10, 0},
		{"k 0 means no cutoff", []string{"x", "a"}, map[string]int{"a": 1}, 0, d2},
	})
}

func TestRecall(t *testing.T) {
	rel := map[string]int{"a": 1, "b": 2, "c": 1, "n": 0}
	checkMetric(t, Recall, []metricCase{
		{"one of three in top 2", []string{"a", "x", "b"}, rel, 2, 1.0 / 3},
		{"two of three in top 100", []string{"a", "x", "b"}, rel, 100, 2.0 / 3},
		{"all found", []string{"c", "b", "a"}, rel, 100, 1},
		{"grade does not matter", []string{"b"}, rel, 100, 1.0 / 3},
		{"judged non-relevant not counted", []string{"n"}, rel, 100, 0},
		{"duplicate relevant counts once", []string{"a", "a", "a"}, map[string]int{"a": 1, "b": 1}, 100, 0.5},
		// x is repeated: distinct top 2 is x, a.
		{"duplicate moves later docs up", []string{"x", "x", "a"}, map[string]int{"a": 1}, 2, 1},
		{"empty ranking", []string{}, rel, 100, 0},
		{"no relevant judged", []string{"n"}, map[string]int{"n": 0}, 100, 0},
	})
}

func TestAveragePrecision(t *testing.T) {
	rel := map[string]int{"a": 1, "b": 1, "c": 1}
	checkMetric(t, AveragePrecision, []metricCase{
		// a at rank 2: P=1/2; b at rank 4: P=2/4; c never: 0. (1/2+1/2)/3.
		{"divides by all relevant", []string{"x", "a", "y", "b"}, rel, 100, 1.0 / 3},
		// Only a within k=2: (1/2)/3, not (1/2)/1 (retrieved) nor (1/2)/2 (min(k,R)).
		{"relevant beyond k still in denominator", []string{"x", "a", "y", "b"}, rel, 2, 1.0 / 6},
		{"perfect", []string{"a", "b", "c"}, rel, 100, 1},
		// Grades do not matter: a (2) at 1: P=1; b (1) at 3: P=2/3. (1+2/3)/2.
		{"graded counts as relevant", []string{"a", "n", "b"}, map[string]int{"a": 2, "b": 1, "n": 0}, 100, (1 + 2.0/3) / 2},
		// Distinct ranking is a, b: (1/1 + 2/2)/2.
		{"duplicate counts once", []string{"a", "a", "b"}, map[string]int{"a": 1, "b": 1}, 100, 1},
		{"judged non-relevant first", []string{"n", "a"}, map[string]int{"n": 0, "a": 1}, 100, 0.5},
		{"k larger than list", []string{"a"}, rel, 100, 1.0 / 3},
		{"empty ranking", nil, rel, 100, 0},
		{"no relevant judged", []string{"a"}, map[string]int{"a": 0}, 100, 0},
	})
}

func TestReciprocalRank(t *testing.T) {
	rel := map[string]int{"a": 1, "b": 2}
	eleven := []string{"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "a"}
	checkMetric(t, ReciprocalRank, []metricCase{
		{"first", []string{"a", "x"}, rel, 10, 1},
		{"third", []string{"x", "y", "a"}, rel, 10, 1.0 / 3},
		{"beyond k", []string{"x", "y", "a"}, rel, 2, 0},
		{"graded counts as relevant", []string{"x", "b"}, rel, 10, 0.5},
		{"duplicate moves later docs up", []string{"x", "x", "a"}, rel, 2, 0.5},
		{"judged non-relevant first", []string{"n", "a"}, map[string]int{"n": 0, "a": 1}, 10, 0.5},
		{"k 0 means no cutoff", eleven, rel, 0, 1.0 / 12},
		{"k larger than list", []string{"x", "a"}, rel, 100, 0.5},
		{"empty ranking", nil, rel, 10, 0},
	})
}

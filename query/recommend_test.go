package query

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestCentroid(t *testing.T) {
	got := centroid([][]float32{{3, 4}, nil, {0, 0}, {0, 2}})
	want := []float32{0.3, 0.9} // mean of (0.6, 0.8) and (0, 1); nil and zero left out
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Fatalf("centroid = %v, want %v", got, want)
		}
	}
	if centroid([][]float32{nil, {0, 0}}) != nil {
		t.Error("centroid of no usable vector is not nil")
	}
	q := []float32{1, 1}
	addScaled(q, []float32{2, -2}, 0.25)
	if !slices.Equal(q, []float32{1.5, 0.5}) {
		t.Errorf("addScaled = %v", q)
	}
	addScaled(q, nil, 1)
	if !slices.Equal(q, []float32{1.5, 0.5}) {
		t.Errorf("addScaled with nil changed q: %v", q)
	}
}

func TestPooledTermsNormalisePerPaper(t *testing.T) {
	ctx := context.Background()
	// A long text repeating one word must not outvote a short one: each
	// paper contributes its term frequencies relative to its length.
	long := strings.Repeat("speculative decoding draft model verification ", 20)
	terms, err := testEngine.pooledTerms(ctx, []string{long, "quantization"}, nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	var quant float64
	for _, wt := range terms {
		if strings.HasPrefix(wt.Term, "quantiz") {
			quant = wt.Weight
		}
	}
	if quant < 0.5 {
		t.Errorf("the short paper's only word weighs %v among %v; pooling is not per paper", quant, terms)
	}
}

func TestRecommend(t *testing.T) {
	ctx := context.Background()
	papers, err := demoPapers("../testdata/papers.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var spec []string
	for _, p := range papers {
		if strings.Contains(strings.ToLower(p.Title), "speculative") {
			spec = append(spec, p.ID)
		}
	}
	if len(spec) < 3 {
		t.Fatalf("the demo corpus has %d speculative decoding papers, the test needs 3", len(spec))
	}
	for _, m := range Methods() {
		for _, mode := range modes {
			resp, err := testEngine.RecommendWith(ctx, Seeds{Positive: spec[:2], Negative: spec[2:3]}, Request{Mode: mode, K: 5}, m)
			if err != nil {
				t.Fatalf("%s %s: %v", m.Name, mode, err)
			}
			if resp.Query != spec[0]+" "+spec[1] || resp.Mode != ModeRelated {
				t.Errorf("%s %s: query %q mode %q", m.Name, mode, resp.Query, resp.Mode)
			}
			if len(resp.Results) != 5 {
				t.Errorf("%s %s: %d results, want 5", m.Name, mode, len(resp.Results))
			}
			for _, r := range resp.Results {
				if slices.Contains(spec[:3], r.ID) {
					t.Errorf("%s %s: seed %s returned", m.Name, mode, r.ID)
				}
			}
		}
	}

	// Texts alone: papers not in the index, embedded as documents.
	resp, err := testEngine.Recommend(ctx, Seeds{Texts: []string{"A small draft model proposes tokens that the large model verifies in parallel."}}, Request{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Query != "+1 text" || len(resp.Results) == 0 || !strings.Contains(strings.ToLower(resp.Results[0].Title+resp.Results[0].Abstract), "specul") {
		t.Errorf("recommend from a text: query %q results %v", resp.Query, resultIDs(resp))
	}

	for _, tt := range []struct {
		seeds Seeds
		want  string
	}{
		{Seeds{}, "no paper to recommend from"},
		{Seeds{Negative: spec[:1], Texts: []string{"  "}}, "no paper to recommend from"},
		{Seeds{Positive: spec[:1], Negative: spec[:1]}, "both a positive and a negative"},
		{Seeds{Texts: make([]string, MaxSeeds+1)}, "no paper to recommend from"}, // empty texts are dropped
		{Seeds{Positive: make([]string, MaxSeeds+1)}, "at most 10000 papers and texts"},
	} {
		if _, err := testEngine.Recommend(ctx, tt.seeds, Request{}); err == nil || !IsBadRequest(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Recommend(%d positives, %d negatives, %d texts): %v, want a bad request %q", len(tt.seeds.Positive), len(tt.seeds.Negative), len(tt.seeds.Texts), err, tt.want)
		}
	}
	if _, err := testEngine.Recommend(ctx, Seeds{Positive: []string{spec[0], "no-such-id"}}, Request{}); err == nil || !strings.Contains(err.Error(), `no paper with id "no-such-id"`) {
		t.Errorf("unknown positive: %v", err)
	}
}

// A negative moves the semantic query away from its subject: with a strong
// Beta, its nearest neighbours fall in the ranking.
func TestRecommendNegativesPushAway(t *testing.T) {
	ctx := context.Background()
	papers, err := demoPapers("../testdata/papers.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	pos, neg := papers[0].ID, papers[1].ID
	plain := Method{Name: "t", Terms: 50}
	push := Method{Name: "t", Terms: 50, Beta: 2}
	req := Request{Mode: ModeSemantic, K: 59}
	a, err := testEngine.RecommendWith(ctx, Seeds{Positive: []string{pos}, Negative: []string{neg}}, req, plain)
	if err != nil {
		t.Fatal(err)
	}
	b, err := testEngine.RecommendWith(ctx, Seeds{Positive: []string{pos}, Negative: []string{neg}}, req, push)
	if err != nil {
		t.Fatal(err)
	}
	// The negative's own nearest paper (other than the positive).
	near, err := testEngine.Related(ctx, neg, Request{Mode: ModeSemantic, K: 3})
	if err != nil {
		t.Fatal(err)
	}
	var target string
	for _, r := range near.Results {
		if r.ID != pos {
			target = r.ID
			break
		}
	}
	rank := func(resp *Response) int {
		return slices.IndexFunc(resp.Results, func(r Result) bool { return r.ID == target })
	}
	if rank(b) <= rank(a) {
		t.Errorf("the negative's nearest paper %s ranks %d with Beta 2, %d without: not pushed away", target, rank(b), rank(a))
	}
}

package query

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func hits(spec string) []Hit {
	// "a:3 b:2 c:1" → ranked hits with scores.
	var out []Hit
	for _, f := range strings.Fields(spec) {
		var h Hit
		id, score, _ := strings.Cut(f, ":")
		h.ID = id
		fmt.Sscan(score, &h.Score)
		out = append(out, h)
	}
	return out
}

func order(fs []Fused) string {
	var s []string
	for _, f := range fs {
		s = append(s, fmt.Sprintf("%s=%.3f", f.ID, f.Score))
	}
	return strings.Join(s, " ")
}

func TestBlend(t *testing.T) {
	tests := []struct {
		name        string
		kw, sem     string
		w, kwMax    float64
		want        string
		wantKeyword map[string]int // id → keyword rank (0 = absent)
	}{
		{
			// kw min-max: a=1 b=.5 c=0, scaled by a's share 10/20 = .5;
			// sem min-max: c=1 a=0, scaled by c's cosine .9.
			// a = .7·1·.5 = .35; b = .7·.5·.5 = .175; c = .3·1·.9 = .27
			name: "weighted", kw: "a:10 b:6 c:2", sem: "c:0.9 a:0.5", w: 0.7, kwMax: 20,
			want:        "a=0.350 c=0.270 b=0.175",
			wantKeyword: map[string]int{"a": 1, "b": 2, "c": 3},
		},
		{
			// The example: an unrelated paper matching one common
			// word of the query (a small share of what the query could
			// score) and a negative cosine. Min-max gave it about 0.85.
			name: "weak best match scores low", kw: "a:1.5", sem: "a:-0.04", w: 0.75, kwMax: 25,
			want: "a=0.045",
		},
		{
			name: "semantic only paper", kw: "a:5 b:1", sem: "z:0.5 a:0.2", w: 0.5, kwMax: 10,
			// a = .5·1·.5 = .25; z = .5·1·.5 = .25 → tie broken by best rank (both 1), then keyword rank: a first.
			want:        "a=0.250 z=0.250 b=0.000",
			wantKeyword: map[string]int{"a": 1, "z": 0, "b": 2},
		},
		{
			// One hit, or all-equal scores, normalise to 1, not NaN.
			name: "single hit leg", kw: "a:3", sem: "b:0.4 c:0.4", w: 0.6, kwMax: 3,
			want: "a=0.600 b=0.160 c=0.160",
		},
		{name: "empty legs", kw: "", sem: "", w: 0.7, kwMax: 1, want: ""},
		{name: "no attainable keyword score", kw: "a:2", sem: "", w: 0.7, kwMax: 0, want: "a=0.000"},
		{name: "weight 1 is keyword only", kw: "a:2 b:1", sem: "b:0.9 a:0.1", w: 1, kwMax: 2, want: "a=1.000 b=0.000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Blend(hits(tt.kw), hits(tt.sem), tt.w, tt.kwMax)
			if order(got) != tt.want {
				t.Errorf("Blend = %s\nwant    %s", order(got), tt.want)
			}
			for _, f := range got {
				if math.IsNaN(f.Score) || f.Score < 0 || f.Score > 1 {
					t.Errorf("score of %s = %v, want in [0, 1]", f.ID, f.Score)
				}
				if want, ok := tt.wantKeyword[f.ID]; ok {
					if (want == 0) != (f.Keyword == nil) || (f.Keyword != nil && f.Keyword.Rank != want) {
						t.Errorf("%s keyword leg = %+v, want rank %d", f.ID, f.Keyword, want)
					}
				}
			}
		})
	}
}

func TestRRF(t *testing.T) {
	// a: 1/61 + 1/62; b: 1/62; c: 1/61
	got := RRF(hits("a:9 b:8"), hits("c:0.9 a:0.8"), 60)
	want := fmt.Sprintf("a=%.3f c=%.3f b=%.3f", 1.0/61+1.0/62, 1.0/61, 1.0/62)
	if order(got) != want {
		t.Errorf("RRF = %s, want %s", order(got), want)
	}
	if got[0].Keyword.Rank != 1 || got[0].Semantic.Rank != 2 || got[0].Keyword.Score != 9 || got[0].Semantic.Score != 0.8 {
		t.Errorf("legs of a = %+v %+v, want keyword #1 (9) and semantic #2 (0.8)", got[0].Keyword, got[0].Semantic)
	}
}

// Page 2 never repeats page 1, whatever depth the legs were read to: the
// fused order of the papers page 1 saw must not change when a deeper page
// reads the legs further.
func TestFusionPagingStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	leg := func(n int, prefix string) []Hit {
		out := make([]Hit, n)
		score := 100.0
		for i := range out {
			score -= rng.Float64() * 2
			// Papers are shared between legs about half the time.
			id := fmt.Sprintf("%s%d", prefix, rng.IntN(3*n))
			if rng.IntN(2) == 0 {
				id = fmt.Sprintf("s%d", rng.IntN(3*n))
			}
			out[i] = Hit{ID: id, Score: score}
		}
		return dedup(out)
	}
	for trial := range 50 {
		kw, sem := leg(300, "k"), leg(300, "v")
		for _, fuse := range []struct {
			name string
			f    func(k, s []Hit) []Fused
		}{
			{"blend", func(k, s []Hit) []Fused { return Blend(k, s, 0.7, 150) }},
			{"blend min-max", func(k, s []Hit) []Fused { return BlendMinMax(k, s, 0.7) }},
			{"rrf", func(k, s []Hit) []Fused { return RRF(k, s, 60) }},
		} {
			shallow := fuse.f(kw[:min(len(kw), MinWindow)], sem[:min(len(sem), MinWindow)])
			deep := fuse.f(kw, sem)
			// Every paper the shallow read found keeps its place at the top
			// of the deep read.
			for i := range shallow {
				if shallow[i].ID != deep[i].ID {
					t.Fatalf("trial %d %s: position %d is %s shallow but %s deep", trial, fuse.name, i, shallow[i].ID, deep[i].ID)
				}
			}
			seen := map[string]bool{}
			for _, f := range deep {
				if seen[f.ID] {
					t.Fatalf("trial %d %s: %s listed twice", trial, fuse.name, f.ID)
				}
				seen[f.ID] = true
			}
		}
	}
}

func dedup(hs []Hit) []Hit {
	seen := map[string]bool{}
	out := hs[:0]
	for _, h := range hs {
		if !seen[h.ID] {
			seen[h.ID] = true
			out = append(out, h)
		}
	}
	return out
}

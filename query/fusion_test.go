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
		w           float64
		want        string
		wantKeyword map[string]int // id → keyword rank (0 = absent)
	}{
		{
			// kw norm: a=1 b=0.5 c=0; sem norm: c=1 a=0.
			// a = .7·1 + .3·0 = .7; b = .7·.5 = .35; c = .7·0 + .3·1 = .3
			name: "weighted", kw: "a:10 b:6 c:2", sem: "c:0.9 a:0.5", w: 0.7,
			want:        "a=0.700 b=0.350 c=0.300",
			wantKeyword: map[string]int{"a": 1, "b": 2, "c": 3},
		},
		{
			name: "semantic only paper", kw: "a:5 b:1", sem: "z:0.8 a:0.2", w: 0.5,
			// a = .5·1 + .5·0 = .5; z = .5·1 = .5 → tie broken by best rank (both 1), then keyword rank: a first.
			want:        "a=0.500 z=0.500 b=0.000",
			wantKeyword: map[string]int{"a": 1, "z": 0, "b": 2},
		},
		{
			// One hit, or all-equal scores, normalise to 1, not NaN.
			name: "single hit leg", kw: "a:3", sem: "b:0.4 c:0.4", w: 0.6,
			want: "a=0.600 b=0.400 c=0.400",
		},
		{name: "empty legs", kw: "", sem: "", w: 0.7, want: ""},
		{name: "weight 1 is keyword only", kw: "a:2 b:1", sem: "b:0.9 a:0.1", w: 1, want: "a=1.000 b=0.000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Blend(hits(tt.kw), hits(tt.sem), tt.w)
			if order(got) != tt.want {
				t.Errorf("Blend = %s\nwant    %s", order(got), tt.want)
			}
			for _, f := range got {
				if math.IsNaN(f.Score) {
					t.Errorf("NaN score for %s", f.ID)
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
			{"blend", func(k, s []Hit) []Fused { return Blend(k, s, 0.7) }},
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

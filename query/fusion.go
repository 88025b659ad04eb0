package query

import (
	"cmp"
	"slices"

	"github.com/paperseek/paperseek/index"
)

// Hit is one paper in one ranker's list, best first.
type Hit = index.Hit

// LegHit is where one ranker placed a paper: its 1-based rank and raw score.
type LegHit struct {
	Rank  int     `json:"rank"`
	Score float64 `json:"score"`
}

// Fused is one paper after fusion, with each leg's own rank and raw score
// (nil when that leg did not return the paper).
type Fused struct {
	ID       string
	Score    float64
	Keyword  *LegHit
	Semantic *LegHit
	// KeywordPart and SemanticPart are what each leg added to Score.
	KeywordPart, SemanticPart float64
}

// FusionDepth is how many of each leg's top hits contribute to a fused
// score. Legs may be retrieved deeper (for deep pages), but a hit below
// this rank adds nothing, exactly as if the leg had not returned it; so a
// paper's fused score never depends on how deep the legs were read, and
// page 2 continues page 1 without repeats or gaps.
const FusionDepth = 100

// Blend fuses two ranked lists: each leg's top FusionDepth scores are
// min-max normalised per query, as DESIGN.md measured best, and then scaled
// by how good that leg's best match is on an absolute scale — the keyword
// leg's best BM25 score as a share of the best the query could reach in
// this index (keywordMax, see KeywordMax), the semantic leg's best cosine
// (0 if negative). score = w·kw·bestKW + (1−w)·sem·bestSem, a leg that
// missed a paper contributing 0.
//
// Min-max alone gives the best paper of every query a score near 1
// whatever it is: a query matching only one common word of an unrelated
// paper scored 0.85. Scaled, a weak best match scores low, scores of two
// queries compare, and a floor (--min-score) means the same everywhere.
// Scaling each leg by an absolute reference alone (score/keywordMax,
// cosine) lost 0.003–0.014 nDCG@10 on SciFact; this kept it (README).
func Blend(keyword, semantic []Hit, keywordWeight, keywordMax float64) []Fused {
	kn := minMax(keyword)
	sn := minMax(semantic)
	var bestKW, bestSem float64
	if len(keyword) > 0 {
		bestKW = keywordShare(keyword[0].Score, keywordMax)
	}
	if len(semantic) > 0 {
		bestSem = max(0, semantic[0].Score)
	}
	return fuse(keyword, semantic, func(leg int, i int) float64 {
		if leg == 0 {
			return keywordWeight * kn[i] * bestKW
		}
		return (1 - keywordWeight) * sn[i] * bestSem
	})
}

// keywordShare is a BM25 score as a share of the query's best attainable
// one, in [0, 1].
func keywordShare(score, best float64) float64 {
	if best <= 0 {
		return 0
	}
	return min(max(score/best, 0), 1)
}

// BlendMinMax is the former blend: each leg's top FusionDepth scores
// min-max normalised per query, then weighted. Kept for bench/embedlab,
// which compares embeddings by it; its scores do not compare across
// queries.
func BlendMinMax(keyword, semantic []Hit, keywordWeight float64) []Fused {
	kn := minMax(keyword)
	sn := minMax(semantic)
	return fuse(keyword, semantic, func(leg int, i int) float64 {
		if leg == 0 {
			return keywordWeight * kn[i]
		}
		return (1 - keywordWeight) * sn[i]
	})
}

// RRF fuses by reciprocal rank: score = Σ 1/(k + rank). It ignores raw
// scores, which makes it robust to legs on different scales.
func RRF(keyword, semantic []Hit, k float64) []Fused {
	return fuse(keyword, semantic, func(_ int, i int) float64 {
		return 1 / (k + float64(i+1))
	})
}

// minMax maps a leg's top FusionDepth scores onto [0,1] (the worst of them
// to 0, the best to 1). A leg whose scores are all equal (one hit, or ties)
// maps to 1: every hit is that leg's best.
func minMax(hits []Hit) []float64 {
	out := make([]float64, len(hits))
	top := hits[:min(len(hits), FusionDepth)]
	if len(top) == 0 {
		return out
	}
	lo, hi := top[0].Score, top[0].Score
	for _, h := range top[1:] {
		lo = min(lo, h.Score)
		hi = max(hi, h.Score)
	}
	for i, h := range top {
		if hi > lo {
			out[i] = (h.Score - lo) / (hi - lo)
		} else {
			out[i] = 1
		}
	}
	return out
}

// fuse sums contrib over both legs' top FusionDepth hits and sorts by fused
// score. Ties break on the paper's best rank in either leg, then keyword
// rank, semantic rank and id: a total order, so paging never repeats or
// skips a paper.
func fuse(keyword, semantic []Hit, contrib func(leg, i int) float64) []Fused {
	byID := make(map[string]*Fused, len(keyword)+len(semantic))
	order := make([]*Fused, 0, len(keyword)+len(semantic))
	get := func(id string) *Fused {
		f := byID[id]
		if f == nil {
			f = &Fused{ID: id}
			byID[id] = f
			order = append(order, f)
		}
		return f
	}
	add := func(leg int, hits []Hit, slot func(*Fused) **LegHit, part func(*Fused) *float64) {
		rank := 0
		for i, h := range hits {
			f := get(h.ID)
			if *slot(f) != nil {
				continue // a leg lists each paper once; ignore repeats
			}
			rank++
			*slot(f) = &LegHit{Rank: rank, Score: h.Score}
			if i < FusionDepth {
				c := contrib(leg, i)
				f.Score += c
				*part(f) = c
			}
		}
	}
	add(0, keyword, func(f *Fused) **LegHit { return &f.Keyword }, func(f *Fused) *float64 { return &f.KeywordPart })
	add(1, semantic, func(f *Fused) **LegHit { return &f.Semantic }, func(f *Fused) *float64 { return &f.SemanticPart })
	out := make([]Fused, len(order))
	for i, f := range order {
		out[i] = *f
	}
	slices.SortFunc(out, compareFused)
	return out
}

const noRank = int(^uint(0) >> 1)

func legRank(l *LegHit) int {
	if l == nil {
		return noRank
	}
	return l.Rank
}

func compareFused(a, b Fused) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	ak, as := legRank(a.Keyword), legRank(a.Semantic)
	bk, bs := legRank(b.Keyword), legRank(b.Semantic)
	if c := cmp.Compare(min(ak, as), min(bk, bs)); c != 0 {
		return c
	}
	if c := cmp.Compare(ak, bk); c != 0 {
		return c
	}
	if c := cmp.Compare(as, bs); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

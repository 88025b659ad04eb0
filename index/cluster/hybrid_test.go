package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

// The explainScore lines of Weaviate v1.35.2's hybrid, as the real server
// wrote them (recorded from a 3-node cluster).
func TestHybridParts(t *testing.T) {
	for _, c := range []struct {
		explain  string
		kw, sem  float64
		describe string
	}{
		{"\nHybrid (Result Set keyword,bm25) Document a93d26b1-71b9-53d3-81ba-6e668d129756: original score 4.1997323, normalized score: 0.5 - \nHybrid (Result Set vector,hybridVector) Document a93d26b1-71b9-53d3-81ba-6e668d129756: original score 1, normalized score: 0.25",
			0.5, 0.25, "relativeScoreFusion, both legs"},
		{"\nHybrid (Result Set vector,hybridVector) Document a93d26b1-71b9-53d3-81ba-6e668d129756 contributed 0.008333334 to the score\nHybrid (Result Set keyword,bm25) Document a93d26b1-71b9-53d3-81ba-6e668d129756 contributed 0.016666668 to the score",
			0.016666668, 0.008333334, "rankedFusion, both legs"},
		{"\nHybrid (Result Set keyword,bm25) Document f9cc99ee-68cb-58ac-b603-8f48c3477da5 contributed 1e-05 to the score", 1e-05, 0, "rankedFusion, keyword only"},
		{"", 0, 0, "no explanation"},
	} {
		kw, sem := hybridParts(c.explain)
		if math.Abs(kw-c.kw) > 1e-12 || math.Abs(sem-c.sem) > 1e-12 {
			t.Errorf("%s: parts %g + %g, want %g + %g", c.describe, kw, sem, c.kw, c.sem)
		}
	}
}

// hybridPapers is the sample and two variants of each paper (180
// papers), so that rankings cross a hybrid block (100).
func hybridPapers(t *testing.T) []index.Paper {
	ps := samplePapers(t)
	for _, p := range slices.Clone(ps) {
		for _, prefix := range []string{"A study of ", "Notes on "} {
			v := p
			v.ID = prefix[:1] + "-" + p.ID
			v.Title = prefix + p.Title
			v.DOI, v.ArXiv, v.PMID = "", "", ""
			ps = append(ps, v)
		}
	}
	return ps
}

func TestFakeClusterNativeHybrid(t *testing.T) {
	srv := weaviatetest.NewServer(t)
	srv.Nodes = 3
	nativeHybrid(t, srv.URL)
}

func TestRealClusterNativeHybrid(t *testing.T) {
	cl := weaviatetest.StartCluster(t, 3)
	nativeHybrid(t, cl.URLs[0])
}

// nativeHybrid checks Store.Hybrid on the cluster at url: it is Weaviate's
// own hybrid (the same order as a raw request with alpha = 1 − keyword
// weight and the fusion asked for), each hit's parts add up to its score,
// the ranking is prefix-stable across blocks, and filters apply.
func nativeHybrid(t *testing.T, url string) {
	ctx := context.Background()
	ps := hybridPapers(t)
	loc := clusterLocation(url, "Hybrid")
	indexPapers(t, loc, index.WriteOptions{}, ps)
	st, err := Open(ctx, loc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := wv.New(wv.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	state := mustState(t, st)
	const weight = 0.85
	for _, q := range rankingQueries {
		vec := embedQuery(t, state, q)
		for _, ranked := range []bool{false, true} {
			name := fmt.Sprintf("%q ranked=%v", q, ranked)
			hq := index.HybridQuery{Text: q, Vector: vec, KeywordWeight: weight, Ranked: ranked}
			top, err := st.Hybrid(ctx, hq, index.Filter{}, 10)
			if err != nil || len(top) != 10 {
				t.Fatalf("%s: %d hits, %v", name, len(top), err)
			}
			fusion := wv.RelativeScoreFusion
			if ranked {
				fusion = wv.RankedFusion
			}
			res, err := raw.Search(ctx, wv.Search{Class: "Hybrid", Hybrid: &wv.Hybrid{Query: strings.Join(index.Terms(q), " "), Vector: vec,
				Alpha: 1 - weight, Fusion: fusion, Properties: []string{propText}}, Limit: hybridBlock, Properties: []string{propID}, Consistency: wv.Quorum})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, h := range res[0][:10] {
				var id string
				_ = json.Unmarshal(h.Properties[propID], &id)
				want = append(want, id)
			}
			if got := hybridIDs(top); !slices.Equal(got, want) {
				t.Errorf("%s:\n store %v\n raw   %v", name, got, want)
			}
			for _, h := range top {
				if math.Abs(h.Keyword+h.Semantic-h.Score) > 1e-5*max(1, h.Score) || h.Keyword < 0 || h.Semantic < 0 {
					t.Errorf("%s: %s scored %g, parts %g + %g", name, h.ID, h.Score, h.Keyword, h.Semantic)
				}
			}
			// Prefix-stable across blocks, never a paper twice.
			deep, err := st.Hybrid(ctx, hq, index.Filter{}, 250)
			if err != nil {
				t.Fatal(err)
			}
			mid, err := st.Hybrid(ctx, hq, index.Filter{}, 130)
			if err != nil {
				t.Fatal(err)
			}
			d := hybridIDs(deep)
			if len(d) != len(ps) || len(d) < 130 || len(slices.Compact(slices.Sorted(slices.Values(d)))) != len(ps) ||
				!slices.Equal(d[:10], hybridIDs(top)) || !slices.Equal(d[:130], hybridIDs(mid)) {
				t.Fatalf("%s: 250 deep gives %d papers (%d distinct) of %d; prefix of 10 %v, of 130 %v", name, len(d),
					len(slices.Compact(slices.Sorted(slices.Values(d)))), len(ps), slices.Equal(d[:min(10, len(d))], hybridIDs(top)), slices.Equal(d[:min(130, len(d))], hybridIDs(mid)))
			}
		}
	}
	// Filters: only papers the filter keeps, and all of them (the vector
	// leg reaches every one).
	f := index.Filter{Years: index.YearRange{From: 2025}}
	want := 0
	for _, p := range ps {
		if p.Year >= 2025 {
			want++
		}
	}
	hits, err := st.Hybrid(ctx, index.HybridQuery{Text: "language model", Vector: embedQuery(t, state, "language model"), KeywordWeight: weight}, f, 200)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Papers(ctx, hybridIDs(hits))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != want || want == 0 || want == len(ps) {
		t.Errorf("year 2025..: %d hits, want %d (of %d)", len(got), want, len(ps))
	}
	for _, p := range got {
		if p.Year < 2025 {
			t.Errorf("year 2025..: %s from %d", p.ID, p.Year)
		}
	}
	// No model: keywords alone (alpha 0).
	kwOnly, err := st.Hybrid(ctx, index.HybridQuery{Text: "speculative decoding", KeywordWeight: weight}, index.Filter{}, 10)
	if err != nil || len(kwOnly) == 0 {
		t.Fatalf("keywords alone: %d hits, %v", len(kwOnly), err)
	}
	for i, h := range kwOnly {
		if h.Semantic != 0 || (i == 0 && h.Keyword == 0) {
			t.Errorf("keywords alone: hit %d %s parts %g + %g", i, h.ID, h.Keyword, h.Semantic)
		}
	}
}

func hybridIDs(hs []index.HybridHit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

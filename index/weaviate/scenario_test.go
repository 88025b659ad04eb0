package weaviate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	wv "github.com/paperseek/paperseek/index/weaviate"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

// The scenario is one pass over everything the cluster store will ask of
// Weaviate, with the answers checked against what paperseek computes
// itself (textbook BM25, exact cosine, filters evaluated in Go). It runs
// against a real cluster (cluster_test.go) and against the fake
// (fake_test.go): the same assertions hold for both, and the real run
// records its requests and answers as the fake's fixtures.

const (
	papersClass = "ScenarioPapers" // one shard: bm25 statistics are the corpus's
	shardedName = "ScenarioSharded"
	blobsClass  = "ScenarioBlobs"
)

type paper struct {
	id         string
	tokens     []string
	year       int
	categories []string
	authors    []string // lower case
	published  string   // YYYY-MM-DD or ""
	vector     []float32
}

// corpus is 24 papers built from a fixed pseudo-random sequence: varied
// lengths and term frequencies (so BM25 scores rarely tie), some papers
// without a year, categories, authors or date.
func corpus() []paper {
	vocab := []string{"graph", "neural", "network", "protein", "fold", "cancer", "cell", "quantum", "spin",
		"languag", "model", "retriev", "1,000", "cs_ai", "dens", "spars", "attent", "transform"}
	cats := []string{"cs.AI", "cs.CL", "q-bio.BM", "quant-ph"}
	people := []string{"ada lovelace", "alan turing", "grace hopper", "barbara liskov", "edsger dijkstra"}
	seed := uint64(42)
	next := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int((seed >> 33) % uint64(n))
	}
	var ps []paper
	for i := 0; i < 24; i++ {
		p := paper{id: fmt.Sprintf("p%02d", i)}
		n := 4 + next(27)
		for j := 0; j < n; j++ {
			// Skewed: early words are common, late ones rare.
			p.tokens = append(p.tokens, vocab[min(next(len(vocab)), next(len(vocab)))])
		}
		if i%7 != 3 {
			p.year = 2015 + next(10)
		}
		for _, c := range cats {
			if next(3) == 0 {
				p.categories = append(p.categories, c)
			}
		}
		for _, a := range people {
			if next(4) == 0 {
				p.authors = append(p.authors, a)
			}
		}
		if i%5 != 2 {
			p.published = fmt.Sprintf("%d-%02d-%02d", 2015+next(10), 1+next(12), 1+next(28))
		}
		p.vector = []float32{float32(next(100)) - 50, float32(next(100)) - 50, float32(next(100)) - 50, float32(next(100)) - 50}
		ps = append(ps, p)
	}
	return ps
}

func paperObject(p paper) wv.Object {
	props := map[string]any{
		"paperId":    p.id,
		"text":       strings.Join(p.tokens, " "),
		"textLength": len(p.tokens),
	}
	if p.year != 0 {
		props["year"] = p.year
	}
	if p.categories != nil {
		props["categories"] = p.categories
	}
	if p.authors != nil {
		props["authorsLc"] = p.authors
	}
	if p.published != "" {
		props["published"] = p.published + "T00:00:00Z"
	}
	return wv.Object{ID: wv.ObjectID(p.id), Properties: props, Vector: p.vector}
}

func papersLayout(name string, shards int) wv.Class {
	return wv.Class{
		Name: name,
		Properties: []wv.Property{
			{Name: "paperId", DataType: wv.Text, Tokenization: wv.Field, Filterable: true},
			{Name: "text", DataType: wv.Text, Tokenization: wv.Whitespace, Searchable: true, Filterable: true},
			{Name: "textLength", DataType: wv.Int, Filterable: true},
			{Name: "year", DataType: wv.Int, Filterable: true, RangeFilters: true},
			{Name: "categories", DataType: wv.TextArray, Tokenization: wv.Field, Filterable: true},
			{Name: "authorsLc", DataType: wv.TextArray, Tokenization: wv.Field, Filterable: true},
			{Name: "published", DataType: wv.Date, Filterable: true},
		},
		Vectors: true,
		Shards:  shards,
	}
}

// textbookBM25 is BM25 with k1 1.2, b 0.75 and idf log(1+(N−df+0.5)/(df+0.5))
// over ps, the way paperseek's embedded index scores; a query term given n
// times counts n times.
func textbookBM25(ps []paper, query []string, tf func(p paper, term string) (f, dl float64, ok bool)) map[string]float64 {
	df := map[string]int{}
	total := 0
	for _, p := range ps {
		seen := map[string]bool{}
		for _, t := range p.tokens {
			if !seen[t] {
				df[t]++
				seen[t] = true
			}
		}
		total += len(p.tokens)
	}
	avgdl := float64(total) / float64(len(ps))
	qn := map[string]int{}
	for _, q := range query {
		qn[q]++
	}
	out := map[string]float64{}
	for _, p := range ps {
		s := 0.0
		for q, n := range qn {
			f, dl, ok := tf(p, q)
			if !ok || f == 0 {
				continue
			}
			d := float64(df[q])
			idf := math.Log(1 + (float64(len(ps))-d+0.5)/(d+0.5))
			s += float64(n) * idf * f * 2.2 / (f + 1.2*(0.25+0.75*dl/avgdl))
		}
		if s > 0 {
			out[p.id] = s
		}
	}
	return out
}

func countTF(p paper, term string) (float64, float64, bool) {
	n := 0
	for _, t := range p.tokens {
		if t == term {
			n++
		}
	}
	return float64(n), float64(len(p.tokens)), true
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

func hitPaperID(t *testing.T, h wv.Hit) string {
	t.Helper()
	var id string
	if err := json.Unmarshal(h.Properties["paperId"], &id); err != nil {
		t.Fatalf("hit %s: paperId %s: %v", h.ID, h.Properties["paperId"], err)
	}
	return id
}

func hitIDs(t *testing.T, hits []wv.Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = hitPaperID(t, h)
	}
	return ids
}

// runScenario runs the whole scenario on c. nodes is the cluster size.
func runScenario(t *testing.T, c *wv.Client, nodes int) {
	ctx := context.Background()
	ps := corpus()
	byID := map[string]paper{}
	for _, p := range ps {
		byID[p.id] = p
	}
	for _, name := range []string{papersClass, shardedName, blobsClass} {
		if err := c.DeleteClass(ctx, name); err != nil {
			t.Fatalf("delete %s: %v", name, err)
		}
	}

	t.Run("schema", func(t *testing.T) {
		if ok, err := c.ClassExists(ctx, papersClass); err != nil || ok {
			t.Fatalf("ClassExists before create = %v, %v; want false, nil", ok, err)
		}
		if err := c.CreateClass(ctx, papersLayout(papersClass, 1)); err != nil {
			t.Fatal(err)
		}
		err := c.CreateClass(ctx, papersLayout(papersClass, 1))
		if !errors.Is(err, wv.ErrBadRequest) {
			t.Fatalf("second CreateClass: %v, want ErrBadRequest", err)
		}
		l, err := c.ClassLayout(ctx, papersClass)
		if err != nil {
			t.Fatal(err)
		}
		text := l.Properties["text"]
		if l.Shards != 1 || l.Replicas != 1 || l.K1 != 1.2 || l.B != 0.75 || l.StopwordsPreset != "none" || !l.Vectors ||
			text.Tokenization != wv.Whitespace || !text.Searchable || !text.Filterable || l.Properties["year"].DataType != wv.Int ||
			!l.Properties["year"].RangeFilters || l.Properties["categories"].DataType != wv.TextArray {
			t.Errorf("layout %+v", l)
		}
		if _, err := c.ClassLayout(ctx, "NoSuchClass"); !errors.Is(err, wv.ErrNotFound) {
			t.Errorf("ClassLayout(NoSuchClass): %v, want ErrNotFound", err)
		}
	})

	t.Run("batch upsert is idempotent", func(t *testing.T) {
		objs := make([]wv.Object, len(ps))
		for i, p := range ps {
			objs[i] = paperObject(p)
		}
		for round := 1; round <= 2; round++ {
			if err := c.BatchPut(ctx, papersClass, objs, ""); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			n, err := c.Count(ctx, papersClass, nil)
			if err != nil || n != len(ps) {
				t.Fatalf("round %d: count %d, %v; want %d", round, n, err, len(ps))
			}
		}
	})

	t.Run("batch reports refused objects", func(t *testing.T) {
		bad := paperObject(paper{id: "bad", tokens: []string{"x"}, vector: []float32{1, 0, 0, 0}})
		bad.Properties["year"] = "not a year"
		good := paperObject(paper{id: "good", tokens: []string{"x"}, vector: []float32{0, 1, 0, 0}})
		err := c.BatchPut(ctx, papersClass, []wv.Object{bad, good}, "")
		var be *wv.BatchError
		if !errors.As(err, &be) || !errors.Is(err, wv.ErrBadRequest) || len(be.Failed) != 1 || be.Failed[0].ID != bad.ID {
			t.Fatalf("BatchPut(bad, good) = %v, want a BatchError naming only %s", err, bad.ID)
		}
		if !strings.Contains(be.Failed[0].Messages[0], "year") {
			t.Errorf("message %q does not name the property", be.Failed[0].Messages[0])
		}
		if _, err := c.GetObject(ctx, papersClass, good.ID, false, ""); err != nil {
			t.Errorf("the good object of the batch was not stored: %v", err)
		}
		if err := c.DeleteObject(ctx, papersClass, good.ID, ""); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("get object", func(t *testing.T) {
		p := ps[5]
		o, err := c.GetObject(ctx, papersClass, wv.ObjectID(p.id), true, "")
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			PaperID    string   `json:"paperId"`
			Text       string   `json:"text"`
			Categories []string `json:"categories"`
			Published  string   `json:"published"`
			Year       int      `json:"year"`
		}
		if err := o.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if o.ID != wv.ObjectID(p.id) || got.PaperID != p.id || got.Text != strings.Join(p.tokens, " ") || got.Year != p.year ||
			!slices.Equal(got.Categories, p.categories) || !slices.Equal(o.Vector, p.vector) {
			t.Errorf("GetObject = %+v %+v, want %+v", o, got, p)
		}
		if p.published != "" && !strings.HasPrefix(got.Published, p.published) {
			t.Errorf("published %q, want %s…", got.Published, p.published)
		}
		if _, err := c.GetObject(ctx, papersClass, wv.ObjectID("absent"), false, ""); !errors.Is(err, wv.ErrNotFound) {
			t.Errorf("GetObject(absent): %v, want ErrNotFound", err)
		}
	})

	query := []string{"graph", "neural", "neural", "1,000", "nosuchterm"}
	want := textbookBM25(ps, query, countTF)

	t.Run("bm25 re-scored from explainScore and textLength is textbook BM25", func(t *testing.T) {
		res, err := c.Search(ctx, wv.Search{Class: papersClass, BM25: &wv.BM25{Query: strings.Join(query, " "), Properties: []string{"text"}},
			Limit: 100, Properties: []string{"paperId", "textLength"}, Explain: true})
		if err != nil {
			t.Fatal(err)
		}
		hits := res[0]
		if len(hits) != len(want) {
			t.Fatalf("%d hits, want %d (every paper with a query term)", len(hits), len(want))
		}
		for i, h := range hits {
			id := hitPaperID(t, h)
			var length float64
			if err := json.Unmarshal(h.Properties["textLength"], &length); err != nil {
				t.Fatal(err)
			}
			ex, err := wv.ParseExplain(h.Explain)
			if err != nil {
				t.Fatal(err)
			}
			// The term frequencies come from explainScore; the length from
			// the paper's own textLength, because explainScore's length is
			// the token count under BlockMax WAND but the number of
			// distinct terms under the older WAND.
			re := textbookBM25(ps, query, func(p paper, term string) (float64, float64, bool) {
				if p.id != id {
					return 0, 0, false
				}
				te, ok := ex.Terms[term]
				return te.Frequency, length, ok
			})[id]
			if math.Abs(re-want[id]) > 1e-9*want[id] {
				t.Errorf("hit %d %s: re-scored %.9f, textbook %.9f (explain %q)", i, id, re, want[id], h.Explain)
			}
			if h.Score <= 0 || (i > 0 && h.Score > hits[i-1].Score) {
				t.Errorf("hit %d scores %.6f, after %.6f", i, h.Score, hits[i-1].Score)
			}
		}
	})

	t.Run("paging is prefix-stable", func(t *testing.T) {
		search := func(limit, offset int) []string {
			res, err := c.Search(ctx, wv.Search{Class: papersClass, BM25: &wv.BM25{Query: "graph neural"}, Limit: limit, Offset: offset, Properties: []string{"paperId"}})
			if err != nil {
				t.Fatal(err)
			}
			return hitIDs(t, res[0])
		}
		all := search(10, 0)
		if first := search(3, 0); !slices.Equal(first, all[:3]) {
			t.Errorf("limit 3 %v is not a prefix of limit 10 %v", first, all)
		}
		if page := search(3, 2); !slices.Equal(page, all[2:5]) {
			t.Errorf("offset 2 limit 3 %v, want %v", page, all[2:5])
		}
	})

	qv := []float32{3, -1, 2, 0.5}
	t.Run("nearVector gives cosine distances", func(t *testing.T) {
		res, err := c.Search(ctx, wv.Search{Class: papersClass, NearVector: qv, Limit: 100, Properties: []string{"paperId"}, WithVector: true})
		if err != nil {
			t.Fatal(err)
		}
		hits := res[0]
		if len(hits) != len(ps) {
			t.Fatalf("%d hits, want %d", len(hits), len(ps))
		}
		for i, h := range hits {
			p := byID[hitPaperID(t, h)]
			if sim := cosine(qv, p.vector); math.Abs((1-h.Distance)-sim) > 1e-5 {
				t.Errorf("%s: 1 − distance = %.6f, cosine %.6f", p.id, 1-h.Distance, sim)
			}
			if !slices.Equal(h.Vector, p.vector) {
				t.Errorf("%s: vector %v, want %v", p.id, h.Vector, p.vector)
			}
			if i > 0 && h.Distance < hits[i-1].Distance {
				t.Errorf("hit %d closer than hit %d", i, i-1)
			}
		}
	})

	yearIn := func(lo, hi int) func(p paper) bool {
		return func(p paper) bool { return p.year != 0 && p.year >= lo && p.year <= hi }
	}
	since, _ := time.Parse(time.DateOnly, "2019-06-01")
	author, exact := wv.LikeSubstring("authorsLc", "ing") // turing, … ("grace hopper" does not match)
	if !exact {
		t.Fatal("LikeSubstring(ing) is not exact")
	}
	filters := []struct {
		name  string
		where *wv.Where
		keep  func(p paper) bool
	}{
		{"year range", wv.IntRange("year", 2017, 2020), yearIn(2017, 2020)},
		{"year from", wv.IntRange("year", 2021, 0), func(p paper) bool { return p.year >= 2021 }},
		{"categories any of", wv.TextAny("categories", "cs.CL", "quant-ph"), func(p paper) bool {
			return slices.Contains(p.categories, "cs.CL") || slices.Contains(p.categories, "quant-ph")
		}},
		{"author substring", author, func(p paper) bool {
			return slices.ContainsFunc(p.authors, func(a string) bool { return strings.Contains(a, "ing") })
		}},
		{"published on or after", wv.DateOnOrAfter("published", since), func(p paper) bool { return p.published >= "2019-06-01" }},
		{"all at once", wv.And(wv.IntRange("year", 2016, 2023), wv.TextAny("categories", "cs.AI", "q-bio.BM"), wv.DateOnOrAfter("published", since)),
			func(p paper) bool {
				return yearIn(2016, 2023)(p) && (slices.Contains(p.categories, "cs.AI") || slices.Contains(p.categories, "q-bio.BM")) && p.published >= "2019-06-01"
			}},
	}
	t.Run("filters", func(t *testing.T) {
		for _, f := range filters {
			var wantIDs []string
			for _, p := range ps {
				if f.keep(p) {
					wantIDs = append(wantIDs, p.id)
				}
			}
			res, err := c.Search(ctx, wv.Search{Class: papersClass, NearVector: qv, Where: f.where, Limit: 100, Properties: []string{"paperId"}},
				wv.Search{Class: papersClass, BM25: &wv.BM25{Query: "graph neural network"}, Where: f.where, Limit: 100, Properties: []string{"paperId"}})
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			got := hitIDs(t, res[0])
			slices.Sort(got)
			if !slices.Equal(got, wantIDs) {
				t.Errorf("%s (%s): nearVector found %v, want %v", f.name, f.where, got, wantIDs)
			}
			for _, id := range hitIDs(t, res[1]) {
				if !f.keep(byID[id]) {
					t.Errorf("%s: bm25 found %s, which the filter excludes", f.name, id)
				}
			}
			n, err := c.Count(ctx, papersClass, f.where)
			if err != nil || n != len(wantIDs) {
				t.Errorf("%s: Count = %d, %v; want %d", f.name, n, err, len(wantIDs))
			}
		}
	})

	t.Run("aliased searches answer like separate ones", func(t *testing.T) {
		a := wv.Search{Class: papersClass, BM25: &wv.BM25{Query: "protein fold"}, Limit: 5, Properties: []string{"paperId"}}
		b := wv.Search{Class: papersClass, NearVector: qv, Limit: 5, Properties: []string{"paperId"}}
		both, err := c.Search(ctx, a, b)
		if err != nil {
			t.Fatal(err)
		}
		ra, err1 := c.Search(ctx, a)
		rb, err2 := c.Search(ctx, b)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !slices.Equal(hitIDs(t, both[0]), hitIDs(t, ra[0])) || !slices.Equal(hitIDs(t, both[1]), hitIDs(t, rb[0])) {
			t.Errorf("together %v %v, apart %v %v", hitIDs(t, both[0]), hitIDs(t, both[1]), hitIDs(t, ra[0]), hitIDs(t, rb[0]))
		}
	})

	t.Run("term counts and length sum", func(t *testing.T) {
		terms := []string{"graph", "neural", "1,000", "cs_ai", "nosuchterm"}
		got, err := c.TermCounts(ctx, papersClass, "text", terms)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for i, term := range terms {
			df := 0
			for _, p := range ps {
				if slices.Contains(p.tokens, term) {
					df++
				}
			}
			if got[i] != df {
				t.Errorf("df(%q) = %d, want %d", term, got[i], df)
			}
		}
		for _, p := range ps {
			total += len(p.tokens)
		}
		s, err := c.SumInt(ctx, papersClass, "textLength", nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.Count != len(ps) || s.Sum != float64(total) {
			t.Errorf("SumInt(textLength) = %+v, want count %d sum %d", s, len(ps), total)
		}
	})

	t.Run("errors carry the server's message", func(t *testing.T) {
		_, err := c.Search(ctx, wv.Search{Class: "NoSuchClass", BM25: &wv.BM25{Query: "x"}})
		var we *wv.Error
		if !errors.Is(err, wv.ErrBadRequest) || !errors.As(err, &we) || !strings.Contains(strings.Join(we.Messages, " "), "NoSuchClass") {
			t.Errorf("search of an unknown collection: %v", err)
		}
		_, err = c.Search(ctx, wv.Search{Class: papersClass, BM25: &wv.BM25{Query: "x"}, Properties: []string{"nosuchprop"}})
		if !errors.Is(err, wv.ErrBadRequest) || !strings.Contains(err.Error(), "nosuchprop") {
			t.Errorf("search returning an unknown property: %v", err)
		}
		_, err = c.Search(ctx, wv.Search{Class: papersClass, BM25: &wv.BM25{Query: "x"}, Consistency: wv.Quorum})
		if !errors.Is(err, wv.ErrBadRequest) || !strings.Contains(err.Error(), "consistencyLevel") {
			t.Errorf("consistency level on a collection without replication: %v", err)
		}
		_, err = c.Count(ctx, papersClass, wv.IntRange("nosuchprop", 1, 2))
		if !errors.Is(err, wv.ErrBadRequest) {
			t.Errorf("count filtered on an unknown property: %v", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := c.DeleteObject(ctx, papersClass, wv.ObjectID("p00"), ""); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteObject(ctx, papersClass, wv.ObjectID("p00"), ""); err != nil {
			t.Errorf("second delete: %v, want nil (idempotent)", err)
		}
		if _, err := c.GetObject(ctx, papersClass, wv.ObjectID("p00"), false, ""); !errors.Is(err, wv.ErrNotFound) {
			t.Errorf("GetObject after delete: %v, want ErrNotFound", err)
		}
		r, err := c.DeleteWhere(ctx, papersClass, wv.IDAny(wv.ObjectID("p01"), wv.ObjectID("p02"), wv.ObjectID("absent")), "")
		if err != nil || r.Matches != 2 || r.Successful != 2 {
			t.Errorf("DeleteWhere = %+v, %v; want 2 matched and deleted", r, err)
		}
		if n, err := c.Count(ctx, papersClass, nil); err != nil || n != len(ps)-3 {
			t.Errorf("count after deletes %d, %v; want %d", n, err, len(ps)-3)
		}
		// Deleted papers leave the bm25 statistics too.
		got, err := c.TermCounts(ctx, papersClass, "text", []string{"graph"})
		df := 0
		for _, p := range ps[3:] {
			if slices.Contains(p.tokens, "graph") {
				df++
			}
		}
		if err != nil || got[0] != df {
			t.Errorf("df(graph) after deletes %v, %v; want %d", got, err, df)
		}
	})

	t.Run("list pages through every object", func(t *testing.T) {
		var ids []string
		after := ""
		for pages := 0; ; pages++ {
			page, err := c.List(ctx, papersClass, after, 7, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Objects {
				ids = append(ids, o.Properties["paperId"].(string))
			}
			if page.Next == "" || pages > 10 {
				break
			}
			after = page.Next
		}
		slices.Sort(ids)
		var want []string
		for _, p := range ps[3:] {
			want = append(want, p.id)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("listed %v, want %v", ids, want)
		}
	})

	t.Run("sharded collection", func(t *testing.T) {
		shards := nodes
		if err := c.CreateClass(ctx, papersLayout(shardedName, shards)); err != nil {
			t.Fatal(err)
		}
		objs := make([]wv.Object, len(ps))
		for i, p := range ps {
			objs[i] = paperObject(p)
		}
		if err := c.BatchPut(ctx, shardedName, objs, ""); err != nil {
			t.Fatal(err)
		}
		n, err := c.Count(ctx, shardedName, nil)
		if err != nil || n != len(ps) {
			t.Fatalf("count %d, %v", n, err)
		}
		h, err := c.Health(ctx, shardedName)
		if err != nil || !h.Complete() || h.Shards != shards || len(h.Members) != nodes || len(h.Down) != 0 || h.Err() != nil {
			t.Errorf("Health = %+v, %v; want %d shards all covered by %d healthy members", h, err, shards, nodes)
		}
		res, err := c.Search(ctx, wv.Search{Class: shardedName, NearVector: qv, Limit: 100, Properties: []string{"paperId"}})
		if err != nil || len(res[0]) != len(ps) {
			t.Errorf("nearVector over %d shards: %v", shards, err)
		}
	})

	t.Run("blobs", func(t *testing.T) {
		if err := c.CreateClass(ctx, wv.BlobClass(blobsClass, 1, false)); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, 40_000)
		for i := range data {
			data[i] = byte(i * 7 % 251)
		}
		if _, err := c.GetBlob(ctx, blobsClass, "model", ""); !errors.Is(err, wv.ErrNotFound) {
			t.Fatalf("GetBlob before PutBlob: %v, want ErrNotFound", err)
		}
		for round, d := range [][]byte{data, data[:20_001], []byte(`{"fingerprint":"x"}`)} {
			if err := c.PutBlob(ctx, blobsClass, "model", d, 16<<10, ""); err != nil {
				t.Fatal(err)
			}
			got, err := c.GetBlob(ctx, blobsClass, "model", "")
			if err != nil || !bytes.Equal(got, d) {
				t.Fatalf("round %d: GetBlob = %d bytes, %v; want the %d put", round, len(got), err, len(d))
			}
			// Old versions' chunks are gone: one head, and the chunks of
			// the current version.
			n, err := c.Count(ctx, blobsClass, nil)
			if want := 1 + (len(d)+(16<<10)-1)/(16<<10); err != nil || n != want {
				t.Errorf("round %d: %d objects in the blob collection, %v; want %d", round, n, err, want)
			}
		}
	})

	t.Run("nodes", func(t *testing.T) {
		ns, err := c.Nodes(ctx, "")
		if err != nil || len(ns) != nodes {
			t.Fatalf("Nodes = %d, %v; want %d", len(ns), err, nodes)
		}
		for _, n := range ns {
			if n.Status != wv.Healthy {
				t.Errorf("node %s is %s", n.Name, n.Status)
			}
		}
	})
}

// recorder keeps every request and answer that passes through it, for
// the fake's fixtures.
type recorder struct {
	next   http.RoundTripper
	mu     sync.Mutex
	log    []weaviatetest.Exchange
	paused bool
}

// event records something done to the cluster (see weaviatetest.Exchange).
func (r *recorder) event(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, weaviatetest.Exchange{Event: e})
}

// pause stops recording (while a test polls a cluster in transition,
// whose answers depend on timing); resume starts again.
func (r *recorder) pause(p bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paused = p
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.paused {
		return resp, nil
	}
	r.log = append(r.log, weaviatetest.Exchange{
		Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
		Request: json.RawMessage(compactOr(body)), Status: resp.StatusCode, Response: json.RawMessage(compactOr(answer)),
	})
	return resp, nil
}

// compactOr is JSON compacted, or the bytes quoted as a JSON string when
// they are not JSON (an empty body is null).
func compactOr(b []byte) []byte {
	if len(bytes.TrimSpace(b)) == 0 {
		return []byte("null")
	}
	var buf bytes.Buffer
	if json.Compact(&buf, b) == nil {
		return buf.Bytes()
	}
	q, _ := json.Marshal(string(b))
	return q
}

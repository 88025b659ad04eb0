package query

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

var testEngine *Engine

// TestMain builds one index from the bundled 60-paper demo corpus, with
// authors and categories assigned deterministically so filters have
// something to bite on.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "paperseek-query-test-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		papers, err := demoPapers("../testdata/papers.jsonl")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		ctx := context.Background()
		w, err := index.BeginWrite(ctx, dir, index.WriteOptions{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, _, err := w.Add(ctx, papers); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, err := w.Commit(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		ix, err := index.Open(ctx, dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer ix.Close()
		testEngine = New(ix, Options{})
		return m.Run()
	}()
	os.Exit(code)
}

var testCategories = []string{"cs.CL", "cs.LG", "cs.DC"}

func demoPapers(path string) ([]index.Paper, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []index.Paper
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		var p index.Paper
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		p.Categories = []string{testCategories[i%3]}
		p.Authors = []string{fmt.Sprintf("Researcher %c", 'A'+i%7), "Grace Hopper"}
		if i%10 == 0 {
			p.Authors = append(p.Authors, "Ada Lovelace")
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

func search(t *testing.T, req Request) *Response {
	t.Helper()
	resp, err := testEngine.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("Search(%+v): %v", req, err)
	}
	return resp
}

func resultIDs(r *Response) []string {
	out := make([]string, len(r.Results))
	for i, res := range r.Results {
		out[i] = res.ID
	}
	return out
}

var modes = []Mode{ModeHybrid, ModeKeyword, ModeSemantic}

func TestSearchFindsTheObviousPaper(t *testing.T) {
	for _, mode := range modes {
		resp := search(t, Request{Query: "speculative decoding", Mode: mode, K: 5})
		if len(resp.Results) == 0 {
			t.Fatalf("%s: no results", mode)
		}
		if !strings.Contains(strings.ToLower(resp.Results[0].Title), "speculative") {
			t.Errorf("%s: top result %q is not about speculative decoding", mode, resp.Results[0].Title)
		}
		if resp.Mode != mode || resp.Query != "speculative decoding" {
			t.Errorf("response echoes mode %q query %q", resp.Mode, resp.Query)
		}
	}
}

// The contract: keyword/semantic objects are present only when that ranker
// returned the paper; ranks are 1-based and consecutive; scores descend.
func TestResponseShape(t *testing.T) {
	for _, mode := range modes {
		resp := search(t, Request{Query: "kv cache compression for long context", Mode: mode, K: 20})
		for i, r := range resp.Results {
			if r.Rank != i+1 {
				t.Errorf("%s: result %d has rank %d", mode, i, r.Rank)
			}
			if i > 0 && r.Score > resp.Results[i-1].Score {
				t.Errorf("%s: scores rise at rank %d", mode, r.Rank)
			}
			if r.Title == "" || r.Abstract == "" {
				t.Errorf("%s: result %s not hydrated: %+v", mode, r.ID, r.Paper)
			}
			switch mode {
			case ModeKeyword:
				if r.Keyword == nil || r.Semantic != nil {
					t.Errorf("keyword mode: legs %+v %+v", r.Keyword, r.Semantic)
				}
			case ModeSemantic:
				if r.Semantic == nil || r.Keyword != nil {
					t.Errorf("semantic mode: legs %+v %+v", r.Keyword, r.Semantic)
				}
			case ModeHybrid:
				if r.Semantic == nil && r.Keyword == nil {
					t.Errorf("hybrid: %s has no leg", r.ID)
				}
			}
		}
		b, _ := json.Marshal(resp.Results[0])
		var fields map[string]any
		json.Unmarshal(b, &fields)
		for _, k := range []string{"rank", "id", "title", "abstract", "authors", "year", "categories", "score", "snippet"} {
			if _, ok := fields[k]; !ok {
				t.Errorf("%s: JSON result lacks %q: %s", mode, k, b)
			}
		}
		if _, ok := fields["doi"]; ok {
			t.Errorf("%s: empty doi not omitted", mode)
		}
	}
}

func TestPagingNeverRepeats(t *testing.T) {
	for _, mode := range modes {
		for _, fusion := range []string{FusionBlend, FusionRRF} {
			q := Request{Query: "language model inference efficiency", Mode: mode, Fusion: fusion}
			all := q
			all.K = 42
			want := resultIDs(search(t, all))
			var got []string
			for off := 0; off < 42; off += 7 {
				page := q
				page.K, page.Offset = 7, off
				resp := search(t, page)
				for i, r := range resp.Results {
					if r.Rank != off+i+1 {
						t.Errorf("%s/%s: offset %d result %d has rank %d", mode, fusion, off, i, r.Rank)
					}
				}
				got = append(got, resultIDs(resp)...)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s/%s: pages of 7 = %v\nwant one page of 42 = %v", mode, fusion, got, want)
			}
		}
	}
}

func TestFilters(t *testing.T) {
	tests := []struct {
		name   string
		filter Filter
		ok     func(index.Paper) bool
	}{
		{"one year", Filter{Years: YearRange{From: 2025, To: 2025}}, func(p index.Paper) bool { return p.Year == 2025 }},
		{"open range", Filter{Years: YearRange{From: 2026, To: 0}}, func(p index.Paper) bool { return p.Year >= 2026 }},
		// A paper with no year is outside every year range.
		{"up to", Filter{Years: YearRange{From: 0, To: 2024}}, func(p index.Paper) bool { return p.Year != 0 && p.Year <= 2024 }},
		{"category", Filter{Categories: []string{"cs.DC"}}, func(p index.Paper) bool { return slices.Contains(p.Categories, "cs.DC") }},
		{"any of two categories", Filter{Categories: []string{"cs.DC", "cs.CL"}}, func(p index.Paper) bool {
			return slices.Contains(p.Categories, "cs.DC") || slices.Contains(p.Categories, "cs.CL")
		}},
		{"author substring, any case", Filter{Author: "LOVEL"}, func(p index.Paper) bool { return slices.Contains(p.Authors, "Ada Lovelace") }},
		{"all at once", Filter{Years: YearRange{From: 2025, To: 2026}, Categories: []string{"cs.LG"}, Author: "researcher"}, func(p index.Paper) bool {
			return p.Year >= 2025 && p.Year <= 2026 && slices.Contains(p.Categories, "cs.LG")
		}},
	}
	for _, tt := range tests {
		for _, mode := range modes {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				// No score floor: a hybrid score depends on the papers the
				// filter leaves (min-max), so a floor would cut others.
				unfiltered := search(t, Request{Query: "model", Mode: mode, K: 60, MinScore: floor(0)})
				filtered := search(t, Request{Query: "model", Mode: mode, K: 60, Filter: tt.filter, MinScore: floor(0)})
				if len(filtered.Results) == 0 {
					t.Fatal("filter left no results; the test corpus should have some")
				}
				for _, r := range filtered.Results {
					if !tt.ok(r.Paper) {
						t.Errorf("%s (%d %v %v) does not pass the filter", r.ID, r.Year, r.Categories, r.Authors)
					}
				}
				// Every unfiltered result that passes is also found, and
				// single-leg rankings keep their relative order: a filter
				// restricts, it does not re-score.
				var want []string
				for _, r := range unfiltered.Results {
					if tt.ok(r.Paper) {
						want = append(want, r.ID)
					}
				}
				got := resultIDs(filtered)
				if mode != ModeHybrid && !slices.Equal(got, want) {
					t.Errorf("filtered = %v\nwant      %v", got, want)
				}
				if mode == ModeHybrid && len(got) != len(want) {
					t.Errorf("filtered hybrid found %d papers, unfiltered ones passing the filter %d", len(got), len(want))
				}
			})
		}
	}
}

func TestHostileQueryText(t *testing.T) {
	queries := []string{
		`"unbalanced quote`, `title:(foo`, `a AND OR NOT`, `*`, `?`, `~2`, `+-!^`, `\`, "nul\x00byte",
		"مرحبا بالعالم", "🚀 decoding 🚀", strings.Repeat("token ", 20000),
	}
	for _, q := range queries {
		for _, mode := range modes {
			if _, err := testEngine.Search(context.Background(), Request{Query: q, Mode: mode}); err != nil {
				t.Errorf("%s %.40q: %v", mode, q, err)
			}
		}
	}
}

func TestSnippetMarksMatches(t *testing.T) {
	resp := search(t, Request{Query: "speculative decoding", Mode: ModeKeyword, K: 3})
	for _, r := range resp.Results {
		if !strings.Contains(strings.ToLower(r.Snippet), "<mark>speculative decoding</mark>") &&
			!strings.Contains(strings.ToLower(r.Snippet), "<mark>speculative</mark>") {
			t.Errorf("snippet of %s marks no query word: %s", r.ID, r.Snippet)
		}
	}
}

func TestSnippetEscapesHTML(t *testing.T) {
	got := snippet(`A <script>alert("x")</script> study of caching & decoding.`, analysedTerms("caching"))
	want := `A &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; study of <mark>caching</mark> &amp; decoding.`
	if got != want {
		t.Errorf("snippet = %s\nwant      %s", got, want)
	}
	if plain := PlainSnippet(got, "[", "]"); plain != `A <script>alert("x")</script> study of [caching] & decoding.` {
		t.Errorf("PlainSnippet = %s", plain)
	}
}

func TestSnippetWindowsOnMatches(t *testing.T) {
	abstract := strings.Repeat("filler words about nothing much. ", 30) + "Here the quantization of weights matters. " + strings.Repeat("more filler text here. ", 30)
	got := snippet(abstract, analysedTerms("quantization weights"))
	if !strings.HasPrefix(got, "… ") || !strings.HasSuffix(got, " …") {
		t.Errorf("a mid-abstract snippet should be elided on both sides: %s", got)
	}
	if !strings.Contains(got, "<mark>quantization</mark> of <mark>weights</mark>") {
		t.Errorf("snippet misses the matches: %s", got)
	}
	if len(got) > snippetLen+60 {
		t.Errorf("snippet is %d bytes", len(got))
	}
}

func TestRelatedExcludesItself(t *testing.T) {
	seed := search(t, Request{Query: "speculative decoding", Mode: ModeKeyword, K: 1}).Results[0]
	for _, mode := range modes {
		resp, err := testEngine.Related(context.Background(), seed.ID, Request{Mode: mode, K: 10})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Mode != ModeRelated || resp.Query != seed.ID {
			t.Errorf("%s: response mode %q query %q", mode, resp.Mode, resp.Query)
		}
		if len(resp.Results) == 0 {
			t.Fatalf("%s: nothing related to %s", mode, seed.ID)
		}
		for _, r := range resp.Results {
			if r.ID == seed.ID {
				t.Errorf("%s: related lists the paper itself", mode)
			}
		}
	}
	// The paper's nearest neighbour should share its topic.
	resp, _ := testEngine.Related(context.Background(), seed.ID, Request{K: 3})
	found := false
	for _, r := range resp.Results {
		found = found || strings.Contains(strings.ToLower(r.Title+r.Abstract), "speculative")
	}
	if !found {
		t.Errorf("no paper related to %q mentions speculative decoding: %v", seed.Title, resultIDs(resp))
	}
	if _, err := testEngine.Related(context.Background(), "no-such-id", Request{}); err == nil || !strings.Contains(err.Error(), `no paper with id "no-such-id"`) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestRelatedText(t *testing.T) {
	resp, err := testEngine.RelatedText(context.Background(), "We propose a draft model that proposes tokens verified in parallel by the target model to speed up generation.", Request{K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Results) == 0 || !strings.Contains(strings.ToLower(resp.Results[0].Title+resp.Results[0].Abstract), "specul") {
		t.Errorf("related text found %v", resultIDs(resp))
	}
}

func floor(x float64) *float64 { return &x }

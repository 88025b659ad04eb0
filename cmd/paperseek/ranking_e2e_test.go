package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// Phrases, --sort date and --min-score through the built binary and the
// HTTP server, on the bundled sample papers.
func TestPhrasesSortAndMinScore(t *testing.T) {
	ix := filepath.Join(t.TempDir(), "ix")
	must(t, "index", "--index", ix, "testdata/papers.jsonl")
	holders := phraseHolders(t, "kv cache")
	if len(holders) < 3 {
		t.Fatalf("the sample should hold the phrase kv cache several times, found %v", holders)
	}

	t.Run("phrase", func(t *testing.T) {
		for _, mode := range []string{"keyword", "hybrid"} {
			quoted := ids(searchJSON(t, ix, "--mode", mode, "--min-score", "0", "-k", "20", `"kv cache"`))
			plain := ids(searchJSON(t, ix, "--mode", mode, "--min-score", "0", "-k", "20", "kv cache"))
			// Papers holding the phrase come first; without quotes a paper
			// holding both words apart is among them.
			top := quoted[:len(holders)]
			if mode == "keyword" && !sameSet(top, holders) {
				t.Errorf("%s: top %d of \"kv cache\" = %v, want the papers holding the phrase %v", mode, len(holders), top, holders)
			}
			if !slices.Contains(holders, quoted[0]) {
				t.Errorf("%s: first result %s does not hold the phrase", mode, quoted[0])
			}
			if mode == "keyword" && sameSet(plain[:len(holders)], holders) {
				t.Errorf("%s: without quotes the same papers lead (%v): the test shows nothing", mode, plain[:len(holders)])
			}
		}
		// An unbalanced quote is an ordinary character: no error, the same
		// answer as without it. So is any other punctuation.
		plain := ids(searchJSON(t, ix, "--mode", "keyword", "kv cache"))
		for _, q := range []string{`"kv cache`, `kv cache"`, `"kv" "" cache"`, `(kv) AND cache:*`} {
			if got := ids(searchJSON(t, ix, "--mode", "keyword", q)); !slices.Equal(got[:2], plain[:2]) {
				t.Errorf("%q: %v, want the plain query's %v", q, got, plain)
			}
		}
	})

	t.Run("sort date", func(t *testing.T) {
		full := searchJSON(t, ix, "--sort", "date", "-k", "30", "language models")
		if len(full.Results) < 10 {
			t.Fatalf("only %d results", len(full.Results))
		}
		relevance := ids(searchJSON(t, ix, "-k", "100", "language models"))
		for i, r := range full.Results {
			if i > 0 && dateOf(r) > dateOf(full.Results[i-1]) {
				t.Errorf("result %d (%s) is newer than result %d (%s)", i+1, dateOf(r), i, dateOf(full.Results[i-1]))
			}
			if !slices.Contains(relevance, r["id"].(string)) {
				t.Errorf("%s is sorted by date but not among the relevant papers", r["id"])
			}
		}
		var paged []string
		for off := 0; off < 30; off += 6 {
			paged = append(paged, ids(searchJSON(t, ix, "--sort", "date", "-k", "6", "--offset", itoa(off), "language models"))...)
		}
		if !slices.Equal(paged, ids(full)) {
			t.Errorf("pages of 6 by date = %v\nwant %v", paged, ids(full))
		}
		if r := ps(t, nil, "search", "--index", ix, "--sort", "newest", "x"); r.code != 2 || !strings.Contains(r.stderr, "sort must be relevance or date") {
			t.Errorf("--sort newest: exit %d, %q", r.code, r.stderr)
		}
	})

	t.Run("min score", func(t *testing.T) {
		all := searchJSON(t, ix, "--min-score", "0", "-k", "100", "speculative decoding")
		cut := searchJSON(t, ix, "--min-score", "0.3", "-k", "100", "speculative decoding")
		if len(cut.Results) == 0 || len(cut.Results) >= len(all.Results) {
			t.Fatalf("--min-score 0.3 kept %d of %d", len(cut.Results), len(all.Results))
		}
		for _, r := range cut.Results {
			if r["score"].(float64) < 0.3 {
				t.Errorf("%s scored %v, below --min-score 0.3", r["id"], r["score"])
			}
		}
		if !slices.Equal(ids(cut), ids(all)[:len(cut.Results)]) {
			t.Error("a floor changed the order of what it kept")
		}
		// A weak best match scores low: the best paper holds one rare word
		// of four (all four held by some paper) and means something else.
		// Min-max normalisation gave it about 0.85 + 0.15·1.
		weak := searchJSON(t, ix, "--min-score", "0", "graph rust security hallucination")
		strong := searchJSON(t, ix, "speculative decoding")
		if w, s := weak.Results[0]["score"].(float64), strong.Results[0]["score"].(float64); w > s/2 {
			t.Errorf("best match of a weak query scores %v, of a good one %v", w, s)
		}
		r := ps(t, nil, "search", "--index", ix, "--min-score", "0.99", "speculative decoding")
		if r.code != 0 || !strings.Contains(r.stdout, "no results") || !strings.Contains(r.stdout, "--min-score 0") {
			t.Errorf("everything below the floor: exit %d, %q", r.code, r.stdout)
		}
		if r := ps(t, nil, "search", "--index", ix, "--min-score", "2", "x"); r.code != 2 || !strings.Contains(r.stderr, "min score must be between 0 and 1") {
			t.Errorf("--min-score 2: exit %d, %q", r.code, r.stderr)
		}
	})

	t.Run("http", func(t *testing.T) {
		srv := startServe(t, binary, ix, nil)
		cases := []struct {
			cli   []string
			query url.Values
			body  string
		}{
			{[]string{"--mode", "keyword", "--min-score", "0", `"kv cache"`}, url.Values{"q": {`"kv cache"`}, "mode": {"keyword"}, "min_score": {"0"}}, `{"query":"\"kv cache\"","mode":"keyword","min_score":0}`},
			{[]string{"--sort", "date", "-k", "5", "--offset", "5", "language models"}, url.Values{"q": {"language models"}, "sort": {"date"}, "k": {"5"}, "offset": {"5"}}, `{"query":"language models","sort":"date","k":5,"offset":5}`},
			{[]string{"--min-score", "0.3", "speculative decoding"}, url.Values{"q": {"speculative decoding"}, "min_score": {"0.3"}}, `{"query":"speculative decoding","min_score":0.3}`},
		}
		for _, c := range cases {
			cli := serveDecodeDoc(t, []byte(must(t, append([]string{"search", "--index", ix, "--json"}, c.cli...)...).stdout))
			code, got := srv.get(t, "/v1/search?"+c.query.Encode())
			if code != 200 || !sameResults(cli, serveDecodeDoc(t, got)) {
				t.Errorf("GET %v: %d, results differ from the CLI's\n%s", c.query, code, got)
			}
			resp, err := http.Post("http://"+srv.addr+"/v1/search", "application/json", strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			var post serveDoc
			err = json.NewDecoder(resp.Body).Decode(&post)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || !sameResults(cli, post) {
				t.Errorf("POST %s: %d %v, results differ from the CLI's", c.body, resp.StatusCode, err)
			}
		}
		for _, bad := range []string{"sort=newest", "min_score=high", "min_score=-1"} {
			if code, body := srv.get(t, "/v1/search?q=x&"+bad); code != 400 || !strings.Contains(string(body), "bad_request") {
				t.Errorf("%s: %d %s", bad, code, body)
			}
		}
		// Related papers take the same parameters.
		code, body := srv.get(t, "/v1/papers/"+url.PathEscape(holders[0])+"/related?sort=date&k=8")
		if code != 200 {
			t.Fatalf("related by date: %d %s", code, body)
		}
		var rel searchDoc
		if err := json.Unmarshal(body, &rel); err != nil || len(rel.Results) < 2 {
			t.Fatalf("related by date: %v %s", err, body)
		}
		for i := 1; i < len(rel.Results); i++ {
			if dateOf(rel.Results[i]) > dateOf(rel.Results[i-1]) {
				t.Errorf("related by date: result %d is newer than the one before", i+1)
			}
		}
		srv.stop(t, os.Interrupt)
	})
}

// An index built before word positions were recorded still answers,
// says once on stderr how to get exact phrases, and `index --upgrade`
// gets them without re-embedding.
func TestPhrasesOnAnIndexWithoutPositions(t *testing.T) {
	ix := filepath.Join(t.TempDir(), "old")
	if err := os.CopyFS(ix, os.DirFS(filepath.Join(repoRoot(t), "testdata", "format2-index"))); err != nil {
		t.Fatal(err)
	}
	r := must(t, "search", "--index", ix, "--json", `"kv cache"`)
	if !strings.Contains(r.stderr, "paperseek index --upgrade --index "+ix) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("phrase on an old index: stderr %q, want one line asking for an upgrade", r.stderr)
	}
	var doc struct{ Warnings []string }
	if json.Unmarshal([]byte(r.stdout), &doc) != nil || len(doc.Warnings) != 1 {
		t.Errorf("the JSON does not carry the warning: %s", r.stdout)
	}
	if r := must(t, "search", "--index", ix, "kv cache"); r.stderr != "" {
		t.Errorf("a query without quotes warns: %q", r.stderr)
	}
	vecBefore := snapshotVectors(t, ix)
	must(t, "index", "--upgrade", "--index", ix)
	checkOK(t, ix)
	r = must(t, "search", "--index", ix, "--json", "--mode", "keyword", "--min-score", "0", `"kv cache"`)
	if r.stderr != "" {
		t.Errorf("after the upgrade: stderr %q", r.stderr)
	}
	if vecBefore != snapshotVectors(t, ix) {
		t.Error("the upgrade changed the vectors")
	}
	var after searchDoc
	if err := json.Unmarshal([]byte(r.stdout), &after); err != nil || len(after.Results) == 0 {
		t.Fatalf("after the upgrade: %v %s", err, r.stdout)
	}
	if top := after.Results[0]["abstract"].(string) + after.Results[0]["title"].(string); !holdsPhrase(top, "kv cache") {
		t.Errorf("after the upgrade the first result %s does not hold the phrase", after.Results[0]["id"])
	}
	if r := must(t, "index", "--upgrade", "--index", ix); !strings.Contains(r.stderr, "up to date") {
		t.Errorf("second upgrade: %q", r.stderr)
	}
}

// snapshotVectors is every paper's vector as `related` sees it: the
// semantic scores of one related lookup.
func snapshotVectors(t *testing.T, ix string) string {
	t.Helper()
	var doc searchDoc
	if err := json.Unmarshal([]byte(must(t, "related", "--index", ix, "--json", "--mode", "semantic", "-k", "100", firstID(t, ix)).stdout), &doc); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(doc.Results)
	return string(b)
}

func firstID(t *testing.T, ix string) string {
	t.Helper()
	return ids(searchJSON(t, ix, "--mode", "keyword", "cache"))[0]
}

// phraseHolders are the sample papers whose analysed text holds phrase.
func phraseHolders(t *testing.T, phrase string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), "testdata", "papers.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p index.Paper
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if holdsPhrase(p.Text(), phrase) {
			out = append(out, p.ID)
		}
	}
	return out
}

func holdsPhrase(text, phrase string) bool {
	return strings.Contains(" "+strings.Join(index.Terms(text), " ")+" ", " "+strings.Join(index.Terms(phrase), " ")+" ")
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) })
}

// sameResults compares two search documents' results.
func sameResults(a, b serveDoc) bool {
	if len(a.Results) != len(b.Results) {
		return false
	}
	for i := range a.Results {
		if !serveSameJSON(a.Results[i], b.Results[i]) {
			return false
		}
	}
	return true
}

// dateOf is what --sort date orders by.
func dateOf(r map[string]any) string {
	if p, ok := r["published"].(string); ok {
		return p
	}
	if y, ok := r["year"].(float64); ok {
		return itoa(int(y))
	}
	return ""
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

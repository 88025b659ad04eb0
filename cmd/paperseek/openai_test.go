package main

// The openai embedder end to end: the built binary against an in-process
// fake OpenAI-compatible server speaking the real wire format.

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/embed/openai/openaitest"
)

// psEnv runs the binary with extra environment variables.
func psEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runBinary(t, nil, env, args...)
}

func TestOpenAIEmbedderEndToEnd(t *testing.T) {
	srv := openaitest.NewServer(t)
	srv.APIKey = "sk-test"
	env := []string{"OPENAI_BASE_URL=" + srv.URL, "OPENAI_API_KEY=sk-test"}
	ix := t.TempDir()
	file := filepath.Join(t.TempDir(), "f.jsonl")
	write(t, file, filterCorpus)

	r := psEnv(t, env, "index", "--index", ix, "--embedder", "openai", "--dimensions", "16",
		"--doc-prefix", "search_document: ", "--query-prefix", "search_query: ", file)
	if r.code != 0 {
		t.Fatalf("index: exit %d\n%s", r.code, r.stderr)
	}
	first := srv.RequestCount()
	inputs := srv.Inputs()
	if first == 0 || len(inputs) != 5 {
		t.Fatalf("first run: %d requests for %d inputs, want the 5 papers embedded", first, len(inputs))
	}
	for _, in := range inputs {
		if !strings.HasPrefix(in, "search_document: ") {
			t.Errorf("document sent without its prefix: %q", in)
		}
	}
	for _, req := range srv.Requests() {
		if req.Dimensions != 16 || req.EncodingFormat != "float" || req.Model != "text-embedding-3-small" {
			t.Errorf("request %+v: want 16 dimensions, float encoding, text-embedding-3-small", req)
		}
	}
	var st map[string]any
	json.Unmarshal([]byte(must(t, "stats", "--index", ix, "--json").stdout), &st)
	if st["embedder"] != "openai" || st["dimensions"] != 16.0 || st["papers"] != 5.0 {
		t.Errorf("stats = %v", st)
	}

	// Re-indexing the same papers pays nothing: every text is in the cache.
	if r := psEnv(t, env, "index", "--index", ix, file); r.code != 0 {
		t.Fatalf("re-index: exit %d\n%s", r.code, r.stderr)
	}
	if n := srv.RequestCount(); n != first {
		t.Errorf("re-indexing sent %d requests, want 0", n-first)
	}

	// A query is embedded with the query prefix. The index remembered the
	// server's address, so no environment is needed to search.
	r = psEnv(t, []string{"OPENAI_API_KEY=sk-test"}, "search", "--index", ix, "--json", "neural retrieval")
	if r.code != 0 {
		t.Fatalf("search: exit %d\n%s", r.code, r.stderr)
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; len(last.Input) != 1 || last.Input[0] != "search_query: neural retrieval" {
		t.Errorf("query request %+v, want one input with the query prefix", last)
	}
	var doc searchDoc
	json.Unmarshal([]byte(r.stdout), &doc)
	if len(doc.Results) == 0 || doc.Results[0]["semantic"] == nil && doc.Results[0]["keyword"] == nil {
		t.Errorf("hybrid search over openai vectors: %s", r.stdout)
	}

	// Asking for another model on this index is a usage error.
	r = psEnv(t, env, "index", "--index", ix, "--embed-model", "text-embedding-3-large", file)
	if r.code != 2 || !strings.Contains(r.stderr, "--rebuild") {
		t.Errorf("other model: exit %d, %s", r.code, r.stderr)
	}

	// A wrong key is one clear line, exit 1, no retries, index untouched.
	before := snapshot(t, ix)
	n := srv.RequestCount()
	more := filepath.Join(t.TempDir(), "more.jsonl")
	write(t, more, `{"id":"m1","title":"A new paper","abstract":"Needs an embedding."}`+"\n")
	r = psEnv(t, []string{"OPENAI_BASE_URL=" + srv.URL, "OPENAI_API_KEY=sk-wrong"}, "index", "--index", ix, more)
	if r.code != 1 || !strings.Contains(r.stderr, "check OPENAI_API_KEY") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("wrong key: exit %d, stderr %q", r.code, r.stderr)
	}
	if got := srv.RequestCount() - n; got != 1 {
		t.Errorf("wrong key: %d requests, want exactly 1 (no retries)", got)
	}
	if after := snapshot(t, ix); after != before {
		t.Error("a failed run changed the index")
	}

	// With the server gone, hybrid search fails clearly (exit 1) while
	// keyword search, which needs no embedder, still works.
	srv.Close()
	r = psEnv(t, env, "search", "--index", ix, "neural")
	if r.code != 1 || !strings.Contains(r.stderr, "embed") {
		t.Errorf("search with the server down: exit %d, %s", r.code, r.stderr)
	}
	if r := psEnv(t, env, "search", "--index", ix, "--mode", "keyword", "neural"); r.code != 0 {
		t.Errorf("keyword search with the server down: exit %d, %s", r.code, r.stderr)
	}
}

// An interrupted import resumes: what the server embedded before failing
// is cached, and the re-run only asks for the rest.
func TestOpenAIResumeAfterFailure(t *testing.T) {
	srv := openaitest.NewServer(t)
	broken := true
	srv.Fail = func(n int, _ []string) *openaitest.Failure {
		if broken && n > 2 {
			return &openaitest.Failure{Status: 401, Message: "Incorrect API key provided", Type: "invalid_request_error", Code: "invalid_api_key"}
		}
		return nil
	}
	env := []string{"OPENAI_BASE_URL=" + srv.URL, "OPENAI_API_KEY=k"}
	ix := t.TempDir()
	file := filepath.Join(t.TempDir(), "many.jsonl")
	// Long abstracts, so that the embedder's bound on request size splits
	// the 40 papers over several requests.
	var b strings.Builder
	for i := range 40 {
		words := make([]string, 4000)
		for j := range words {
			words[j] = fmt.Sprintf("w%dx%d", i, j)
		}
		fmt.Fprintf(&b, `{"id":"p%02d","title":"Paper %d","abstract":%q}`+"\n", i, i, strings.Join(words, " "))
	}
	write(t, file, b.String())
	r := psEnv(t, env, "index", "--index", ix, "--embedder", "openai", "--dimensions", "8", "--workers", "1", file)
	if r.code != 1 {
		t.Fatalf("first run: exit %d, want 1\n%s", r.code, r.stderr)
	}
	reqs := srv.Requests()
	if len(reqs) < 3 {
		t.Fatalf("first run sent %d requests; the test needs the failure to come halfway", len(reqs))
	}
	paid := len(reqs[0].Input) + len(reqs[1].Input)
	broken = false
	before := len(srv.Inputs())
	if r := psEnv(t, env, "index", "--index", ix, "--embedder", "openai", "--dimensions", "8", file); r.code != 0 {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	if asked := len(srv.Inputs()) - before; asked != 40-paid {
		t.Errorf("the second run asked for %d texts, want %d (40 minus the %d already paid for)", asked, 40-paid, paid)
	}
	var st map[string]any
	json.Unmarshal([]byte(must(t, "stats", "--index", ix, "--json").stdout), &st)
	if st["papers"] != 40.0 {
		t.Errorf("papers = %v, want 40", st["papers"])
	}
}

package harvest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/harvest/oaitest"
)

// fakeClock makes the client's waits free and records them, so a test can
// check what the client waited for without waiting.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return ctx.Err()
}

func (f *fakeClock) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sleeps)
}

func newClient(t *testing.T, srv *oaitest.Server) (*Client, *fakeClock) {
	t.Helper()
	c, err := NewClient(srv.URL(), ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	c.clock = clk
	return c, clk
}

var words = strings.Fields(`quantum error correction surface code decoder neural network training
gradient descent convergence transformer attention language model retrieval graph
spectral clustering kernel regression bayesian inference sampling markov chain`)

// papers makes n records of set cs changed on date, ids prefix.00001….
func papers(prefix string, first, n int, date string) []oaitest.Record {
	var out []oaitest.Record
	for i := first; i < first+n; i++ {
		w := func(k int) string { return words[(i*7+k*3)%len(words)] }
		out = append(out, oaitest.Record{
			ID: fmt.Sprintf("%s.%05d", prefix, i), Datestamp: date, Sets: []string{"cs"},
			Title:    fmt.Sprintf("On %s %s and %s (paper %d)", w(1), w(2), w(3), i),
			Abstract: fmt.Sprintf("We study %s with %s. Our %s %s improves %s over %s baselines.", w(4), w(5), w(6), w(7), w(8), w(9)),
			Authors:  fmt.Sprintf("A. Author%d and B. Writer", i), Versions: 1,
		})
	}
	return out
}

func harvest(t *testing.T, c *Client, ix string, from string) (Summary, []string, error) {
	t.Helper()
	var warns []string
	sum, err := Run(context.Background(), c, Options{Location: ix, Set: "cs", From: from,
		Warn: func(s string) { warns = append(warns, s) }})
	return sum, warns, err
}

// contents is every paper of the index by id (title), and its state.
func contents(t *testing.T, ix string) (map[string]string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	st, err := index.Open(ctx, ix)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hits, err := st.Keyword(ctx, index.KeywordQuery{Text: strings.Join(words, " ") + " paper"}, index.Filter{}, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, h := range hits {
		p, err := st.Paper(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := out[h.ID]; dup {
			t.Fatalf("paper %s twice", h.ID)
		}
		out[h.ID] = p.Title
	}
	if len(out) != st.Info().Papers {
		t.Fatalf("found %d papers by search, the index counts %d", len(out), st.Info().Papers)
	}
	return out, st.Info().State
}

func TestFollowsTokensToTheEndPolitely(t *testing.T) {
	srv := oaitest.New(papers("2612", 1, 25, "2026-12-01"))
	defer srv.Close()
	srv.SetPageSize(10)
	c, clk := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	var progress []Progress
	sum, err := Run(context.Background(), c, Options{Location: ix, Set: "cs", From: "2026-11-30",
		Progress: func(p Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	wantProgress := []Progress{{"cs", 1, 10, 10, 25}, {"cs", 2, 20, 20, 25}, {"cs", 3, 25, 25, 25}}
	if !slices.Equal(progress, wantProgress) {
		t.Errorf("progress %v, want %v", progress, wantProgress)
	}
	if sum.Pages != 3 || sum.Added != 25 || sum.Replaced != 0 || sum.Total != 25 || sum.HarvestPoint != "2026-12-02" {
		t.Fatalf("summary %+v", sum)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	first := reqs[0]
	if first.Get("metadataPrefix") != "arXivRaw" || first.Get("set") != "cs" || first.Get("from") != "2026-11-30" || first.Has("until") {
		t.Errorf("first request %v", first)
	}
	for _, q := range reqs[1:] {
		if len(q) != 2 || q.Get("resumptionToken") == "" {
			t.Errorf("a continuation must send the token alone: %v", q)
		}
	}
	// One wait before each request after the first, each the whole delay
	// (the fake clock does not move while a request is answered).
	if s := clk.Sleeps(); len(s) != 2 || s[0] < DefaultDelay || s[1] < DefaultDelay {
		t.Errorf("waits %v, want two of at least %v", s, DefaultDelay)
	}
	got, state := contents(t, ix)
	if len(got) != 25 {
		t.Fatalf("%d papers", len(got))
	}
	if state[pointKey("cs")] != "2026-12-02" || state[partialKey("cs")] != "" {
		t.Errorf("state %v", state)
	}
}

func TestNextRunContinuesNewVersionsReplaceDeletionsRemove(t *testing.T) {
	recs := papers("2612", 1, 12, "2026-12-01")
	srv := oaitest.New(recs)
	defer srv.Close()
	srv.SetPageSize(5)
	c, _ := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	if _, _, err := harvest(t, c, ix, "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	// A paper indexed from another source under its own id, naming the
	// arXiv id: a deletion of that arXiv id removes it too.
	w, err := index.BeginWrite(context.Background(), ix, index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Add(context.Background(), []index.Paper{{ID: "smith2024", Title: "On paper bib kernel", Abstract: "graph paper", ArXiv: "2611.00077"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}

	// The next day: two new papers, a new version of paper 3, paper 5
	// and the bib entry's arXiv paper deleted, and a deletion of a paper
	// never harvested.
	day2 := papers("2612", 13, 2, "2026-12-02")
	v2 := recs[2]
	v2.Datestamp, v2.Title, v2.Versions = "2026-12-02", "On kernel regression revisited (paper 3, v2)", 2
	day2 = append(day2, v2,
		oaitest.Record{ID: recs[4].ID, Datestamp: "2026-12-02", Sets: []string{"cs"}, Deleted: true},
		oaitest.Record{ID: "2611.00077", Datestamp: "2026-12-02", Sets: []string{"cs"}, Deleted: true},
		oaitest.Record{ID: "2001.99999", Datestamp: "2026-12-02", Sets: []string{"cs"}, Deleted: true})
	srv.SetRecords(append(recs[:len(recs):len(recs)], day2...))
	srv.SetResponseDate(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
	sum, _, err := harvest(t, c, ix, "")
	if err != nil {
		t.Fatal(err)
	}
	last := srv.Requests()[len(srv.Requests())-2] // this run's first request
	if last.Get("from") != "2026-12-02" {
		t.Errorf("the second run asked %v, want from the harvest point 2026-12-02", last)
	}
	if sum.Added != 2 || sum.Replaced != 1 || sum.Deleted != 2 || sum.Total != 12+1+2-2 || sum.HarvestPoint != "2026-12-03" {
		t.Fatalf("summary %+v", sum)
	}
	got, state := contents(t, ix)
	if got[v2.ID] != v2.Title {
		t.Errorf("paper 3 has title %q, want the new version's", got[v2.ID])
	}
	for _, gone := range []string{recs[4].ID, "smith2024"} {
		if _, ok := got[gone]; ok {
			t.Errorf("deleted paper %s still indexed", gone)
		}
	}
	if len(got) != 13 || state[pointKey("cs")] != "2026-12-03" {
		t.Errorf("%d papers, state %v", len(got), state)
	}
}

func TestFirstRunNeedsFrom(t *testing.T) {
	srv := oaitest.New(nil)
	defer srv.Close()
	c, _ := newClient(t, srv)
	_, _, err := harvest(t, c, filepath.Join(t.TempDir(), "ix"), "")
	if !errors.Is(err, index.ErrUsage) || !strings.Contains(err.Error(), "--from") {
		t.Fatalf("err %v", err)
	}
	if len(srv.Requests()) != 0 {
		t.Error("asked the repository anyway")
	}
}

func TestNoRecordsMatchIsSuccess(t *testing.T) {
	srv := oaitest.New(papers("2612", 1, 3, "2026-11-01"))
	defer srv.Close()
	c, _ := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	// Nothing in the range: success, and no empty index is made.
	sum, _, err := harvest(t, c, ix, "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Pages != 1 || sum.Added != 0 || sum.HarvestPoint != "" {
		t.Fatalf("summary %+v", sum)
	}
	if _, err := index.Stat(context.Background(), ix); !errors.Is(err, index.ErrNoIndex) {
		t.Fatalf("stat: %v", err)
	}
	if _, _, err := harvest(t, c, ix, "2026-11-01"); err != nil {
		t.Fatal(err)
	}
	// Days later, nothing new: the harvest point still moves, so the
	// next run does not ask for those days again.
	srv.SetResponseDate(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
	sum, _, err = harvest(t, c, ix, "")
	if err != nil {
		t.Fatal(err)
	}
	if q := srv.Requests()[2]; q.Get("from") != "2026-12-02" {
		t.Errorf("asked %v", q)
	}
	if sum.Pages != 1 || sum.Added != 0 || sum.Total != 3 || sum.HarvestPoint != "2026-12-05" {
		t.Fatalf("summary %+v", sum)
	}
	if _, state := contents(t, ix); state[pointKey("cs")] != "2026-12-05" {
		t.Errorf("state %v", state)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	srv := oaitest.New(papers("2612", 1, 8, "2026-12-01"))
	defer srv.Close()
	srv.SetPageSize(5)
	srv.Fail(1, oaitest.Fault{Status: 503, RetryAfter: "17"})
	srv.Fail(3, oaitest.Fault{Status: 503, RetryAfter: "Wed, 02 Dec 2026 09:01:00 GMT"})
	c, clk := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	sum, _, err := harvest(t, c, ix, "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 8 || sum.Pages != 2 {
		t.Fatalf("summary %+v", sum)
	}
	s := clk.Sleeps()
	// 17 s after the first 503; the delay before page 2; then until the
	// HTTP date (09:01:00, the fake clock being at 09:00:20).
	want := []time.Duration{17 * time.Second, 3 * time.Second, 40 * time.Second}
	if !slices.Equal(s, want) {
		t.Errorf("waits %v, want %v", s, want)
	}
	if reqs := srv.Requests(); len(reqs) != 4 || reqs[0].Encode() != reqs[1].Encode() || reqs[2].Encode() != reqs[3].Encode() {
		t.Errorf("requests %v: each 503 must be retried as it was", reqs)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	srv := oaitest.New(papers("2612", 1, 3, "2026-12-01"))
	defer srv.Close()
	for i := 1; i <= 10; i++ {
		srv.Fail(i, oaitest.Fault{Status: 503, RetryAfter: "5"})
	}
	c, _ := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	_, _, err := harvest(t, c, ix, "2026-12-01")
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "try again later") {
		t.Fatalf("err %v", err)
	}
	if n := len(srv.Requests()); n != DefaultRetries+1 {
		t.Errorf("%d requests, want %d", n, DefaultRetries+1)
	}
	if _, err := index.Stat(context.Background(), ix); !errors.Is(err, index.ErrNoIndex) {
		t.Errorf("a failed first page created an index: %v", err)
	}
	// A Retry-After longer than the run is willing to wait ends it at once.
	srv2 := oaitest.New(nil)
	defer srv2.Close()
	srv2.Fail(1, oaitest.Fault{Status: 503, RetryAfter: "86400"})
	c2, _ := newClient(t, srv2)
	if _, _, err := harvest(t, c2, ix, "2026-12-01"); err == nil || !strings.Contains(err.Error(), "retry after 24h0m0s") {
		t.Fatalf("err %v", err)
	}
}

func TestBadResumptionTokenRestartsTheRange(t *testing.T) {
	srv := oaitest.New(papers("2612", 1, 14, "2026-12-01"))
	defer srv.Close()
	srv.SetPageSize(5)
	srv.Fail(3, oaitest.Fault{ExpireTokens: true})
	c, _ := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	sum, warns, err := harvest(t, c, ix, "2026-11-20")
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	// 1, 2 (token), 3 (expired token), 4 the range again, 5, 6.
	if len(reqs) != 6 || reqs[3].Get("from") != "2026-11-20" || reqs[3].Has("resumptionToken") {
		t.Fatalf("requests %v", reqs)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "from 2026-11-20") {
		t.Errorf("warnings %q", warns)
	}
	if sum.Added != 14 || sum.Replaced != 10 {
		t.Errorf("summary %+v: the first two pages come again and replace", sum)
	}
	if got, _ := contents(t, ix); len(got) != 14 {
		t.Errorf("%d papers", len(got))
	}
}

func TestProtocolErrorsAreOneLine(t *testing.T) {
	srv := oaitest.New(papers("2612", 1, 3, "2026-12-01"))
	defer srv.Close()
	c, _ := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	oneLine := func(err error, want ...string) {
		t.Helper()
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Fatalf("err %q, want one line", err)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("err %q lacks %q", err, w)
			}
		}
	}
	_, err := Run(context.Background(), c, Options{Location: ix, Set: "nosuch", From: "2026-12-01"})
	oneLine(err, `badArgument: Unknown set "nosuch"`, "ListRecords set=nosuch from=2026-12-01")
	srv.Fail(2, oaitest.Fault{Status: 500})
	_, _, err = harvest(t, c, ix, "2026-12-01")
	oneLine(err, "500 Internal Server Error")
	srv.Fail(3, oaitest.Fault{Status: 200, Body: "<html><body>Maintenance</body></html>"})
	_, _, err = harvest(t, c, ix, "2026-12-01")
	oneLine(err, "not an OAI-PMH document")
	srv.Fail(4, oaitest.Fault{Status: 200, Body: "<?xml version=\"1.0\"?>\n<OAI-PMH><responseDate>2026-12-02T09:00:00Z</responseDate>\n<ListRecords><record></header></ListRecords></OAI-PMH>"})
	_, _, err = harvest(t, c, ix, "2026-12-01")
	oneLine(err, "not a whole OAI-PMH document", "invalid XML")
	if _, err := index.Stat(context.Background(), ix); !errors.Is(err, index.ErrNoIndex) {
		t.Errorf("failed harvests made an index: %v", err)
	}
}

// A truncated page is an error; the pages before it stay committed with
// the token to continue, and the next run continues there.
func TestTruncatedPageThenResume(t *testing.T) {
	srv := oaitest.New(papers("2612", 1, 14, "2026-12-01"))
	defer srv.Close()
	srv.SetPageSize(5)
	srv.Fail(2, oaitest.Fault{Truncate: 1500})
	c, _ := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	_, _, err := harvest(t, c, ix, "2026-11-20")
	if err == nil || !strings.Contains(err.Error(), "truncated XML") || !strings.Contains(err.Error(), "run again to resume") {
		t.Fatalf("err %v", err)
	}
	got, state := contents(t, ix)
	if len(got) != 5 || state[pointKey("cs")] != "" || !strings.Contains(state[partialKey("cs")], `"token":"`) {
		t.Fatalf("%d papers, state %v", len(got), state)
	}
	sum, _, err := harvest(t, c, ix, "2026-11-20") // the same command again
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if q := reqs[2]; q.Get("resumptionToken") != reqs[1].Get("resumptionToken") {
		t.Errorf("the re-run asked %v, want the token of the page that failed", q)
	}
	if !sum.Resumed || sum.Added != 9 || sum.Replaced != 0 || sum.Total != 14 {
		t.Errorf("summary %+v", sum)
	}
	got, state = contents(t, ix)
	if len(got) != 14 || state[pointKey("cs")] != "2026-12-02" || state[partialKey("cs")] != "" {
		t.Errorf("%d papers, state %v", len(got), state)
	}
}

// A run cancelled while waiting for a page keeps what it committed; the
// next run without --from continues the unfinished range by its token.
func TestInterruptedRunResumes(t *testing.T) {
	srv := oaitest.New(papers("2612", 1, 14, "2026-12-01"))
	defer srv.Close()
	srv.SetPageSize(5)
	srv.SetRecords(append(papers("2612", 1, 14, "2026-12-01"), papers("2612", 15, 11, "2026-12-02")...))
	ix := filepath.Join(t.TempDir(), "ix")
	c, _ := newClient(t, srv)
	if _, _, err := harvest(t, c, ix, "2026-12-02"); err != nil { // 11 papers, 3 pages
		t.Fatal(err)
	}
	srv.SetRecords(append(papers("2612", 1, 25, "2026-12-02"), papers("2612", 26, 10, "2026-12-03")...))
	n0 := len(srv.Requests())
	srv.Fail(n0+3, oaitest.Fault{Block: true})
	requested := make(chan int)
	srv.Notify(requested)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() {
		_, err := Run(ctx, c, Options{Location: ix, Set: "cs"})
		done <- err
	}()
	for n := range requested {
		if n == n0+3 {
			cancel()
			break
		}
	}
	srv.Notify(nil)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	got, state := contents(t, ix)
	if len(got) != 11+10 || state[pointKey("cs")] != "2026-12-02" || state[partialKey("cs")] == "" {
		t.Fatalf("%d papers, state %v", len(got), state)
	}
	sum, _, err := harvest(t, c, ix, "")
	if err != nil {
		t.Fatal(err)
	}
	if q := srv.Requests()[n0+3]; q.Get("resumptionToken") != srv.Requests()[n0+2].Get("resumptionToken") {
		t.Errorf("resumed with %v", q)
	}
	if !sum.Resumed || sum.Total != 35 || sum.From != "2026-12-02" {
		t.Errorf("summary %+v", sum)
	}
	if got, _ := contents(t, ix); len(got) != 35 {
		t.Errorf("%d papers", len(got))
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	recs := papers("2612", 1, 6, "2026-12-01")
	srv := oaitest.New(recs)
	defer srv.Close()
	srv.SetPageSize(4)
	c, _ := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	if _, _, err := harvest(t, c, ix, "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	before, _ := index.Stat(context.Background(), ix)
	v2 := recs[0]
	v2.Datestamp = "2026-12-02"
	srv.SetRecords(append(papers("2612", 7, 2, "2026-12-02"), v2,
		oaitest.Record{ID: recs[1].ID, Datestamp: "2026-12-02", Deleted: true, Sets: []string{"cs"}},
		oaitest.Record{ID: "2001.00001", Datestamp: "2026-12-02", Deleted: true, Sets: []string{"cs"}}))
	var changes []string
	sum, err := Run(context.Background(), c, Options{Location: ix, Set: "cs", DryRun: true,
		Change: func(ch Change) { changes = append(changes, ch.Op+" "+ch.ID) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"add 2612.00007", "add 2612.00008", "replace 2612.00001", "delete 2612.00002"}
	if !slices.Equal(changes, want) {
		t.Errorf("changes %q, want %q", changes, want)
	}
	if sum.Added != 2 || sum.Replaced != 1 || sum.Deleted != 1 || sum.Total != 7 || sum.HarvestPoint != "2026-12-02" {
		t.Errorf("summary %+v", sum)
	}
	after, _ := index.Stat(context.Background(), ix)
	if !after.SameVersion(before) {
		t.Error("a dry run committed")
	}
}

func TestDelayFloor(t *testing.T) {
	if _, err := NewClient("http://127.0.0.1:1/oai", ClientOptions{Delay: 999 * time.Millisecond}); !errors.Is(err, index.ErrUsage) {
		t.Errorf("a delay under %v was accepted: %v", MinDelay, err)
	}
	c, err := NewClient("http://127.0.0.1:1/oai", ClientOptions{Delay: MinDelay})
	if err != nil || c.delay != MinDelay {
		t.Errorf("%v, %v", c, err)
	}
	if c, _ := NewClient("", ClientOptions{}); c.delay != DefaultDelay || c.BaseURL() != DefaultBaseURL {
		t.Errorf("defaults %v %v", c.delay, c.BaseURL())
	}
	for _, bad := range []string{"ftp://x/oai", "oaipmh.arxiv.org/oai", "https://x/oai?verb=Identify"} {
		if _, err := NewClient(bad, ClientOptions{}); !errors.Is(err, index.ErrUsage) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestFinishedPoint(t *testing.T) {
	for _, tc := range []struct{ point, from, until, started, want string }{
		{"", "2026-11-01", "", "2026-12-02", "2026-12-02"},
		{"2026-12-01", "2026-12-01", "", "2026-12-02", "2026-12-02"},
		{"2026-12-01", "2026-11-01", "2026-11-10", "2026-12-02", "2026-12-01"}, // an older range
		{"2026-12-01", "2026-12-05", "", "2026-12-06", "2026-12-01"},           // a gap
		{"2026-12-01", "2026-12-01", "2026-12-03", "2026-12-09", "2026-12-04"},
		{"2026-12-01", "2026-12-01", "2026-12-30", "2026-12-09", "2026-12-09"}, // until in the future
	} {
		if got := finishedPoint(tc.point, tc.from, tc.until, tc.started); got != tc.want {
			t.Errorf("finishedPoint(%+v) = %s", tc, got)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"": 0, "120": 2 * time.Minute, "-3": 0, "soon": 0,
		"Wed, 02 Dec 2026 09:00:30 GMT": 30 * time.Second,
		"Wed, 02 Dec 2026 08:00:00 GMT": 0,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", h, got, want)
		}
	}
}

// A record that cannot be indexed is reported and skipped; the rest of
// the page, and the harvest, go on.
func TestBadRecordSkipped(t *testing.T) {
	recs := papers("2612", 1, 3, "2026-12-01")
	recs[1].Title, recs[1].Abstract = "", ""
	srv := oaitest.New(recs)
	defer srv.Close()
	c, _ := newClient(t, srv)
	ix := filepath.Join(t.TempDir(), "ix")
	sum, warns, err := harvest(t, c, ix, "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 2 || sum.Skipped != 1 || len(warns) != 1 || !strings.Contains(warns[0], "set cs: ") {
		t.Fatalf("summary %+v, warnings %q", sum, warns)
	}
}

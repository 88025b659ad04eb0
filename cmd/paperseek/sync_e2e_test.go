package main

// `paperseek sync arxiv` against a fake OAI-PMH repository on loopback,
// through the real binary: a harvest over several pages, the next day's
// run from the recorded harvest point, a dry run, the errors a user sees,
// and a run killed with SIGKILL mid-harvest then run again.
//
// The binary cannot go faster than one request a second (the floor is
// part of the contract), so these tests keep to a few pages; the protocol
// cases at full speed are in index/harvest.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paperseek/paperseek/index/harvest/oaitest"
)

func arxivRecords(first, n int, date string) []oaitest.Record {
	topics := []string{"surface code decoding", "sparse attention kernels", "graph spectral clustering", "bayesian sampling"}
	var out []oaitest.Record
	for i := first; i < first+n; i++ {
		topic := topics[i%len(topics)]
		out = append(out, oaitest.Record{
			ID: fmt.Sprintf("2612.%05d", i), Datestamp: date, Sets: []string{"cs"}, Versions: 1,
			Title:    fmt.Sprintf("Notes on %s, part %d", topic, i),
			Abstract: fmt.Sprintf("We revisit %s and report experiments on benchmark %d.", topic, i),
			Authors:  fmt.Sprintf("Ada Lovelace and Author Number%d", i),
		})
	}
	return out
}

type syncDoc struct {
	Sets []struct {
		Set          string `json:"set"`
		From         string `json:"from"`
		Resumed      bool   `json:"resumed"`
		Pages        int    `json:"pages"`
		HarvestPoint string `json:"harvest_point"`
	} `json:"sets"`
	Added, Replaced, Deleted, Skipped, Total int
	Seconds                                  *float64
	DryRun                                   bool `json:"dry_run"`
	Changes                                  []struct{ Op, ID, Title string }
}

func syncJSON(t *testing.T, r result) syncDoc {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("sync: exit %d\nstderr: %s", r.code, r.stderr)
	}
	var doc syncDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("sync --json: %v\n%s", err, r.stdout)
	}
	return doc
}

// allIDs is every paper id the index finds for the words all test papers
// share, failing on a duplicate.
func allIDs(t *testing.T, ix string) []string {
	t.Helper()
	doc := searchJSON(t, ix, "--mode", "keyword", "-k", "1000", "notes on part experiments benchmark")
	got := ids(doc)
	slices.Sort(got)
	if c := slices.Compact(slices.Clone(got)); len(c) != len(got) {
		t.Fatalf("duplicate papers: %v", got)
	}
	return got
}

func TestSyncArxivEndToEnd(t *testing.T) {
	srv := oaitest.New(arxivRecords(1, 5, "2026-12-01"))
	defer srv.Close()
	srv.SetPageSize(3)
	ix := filepath.Join(t.TempDir(), "ix")
	args := []string{"sync", "arxiv", "--index", ix, "--set", "cs", "--base-url", srv.URL(), "--delay", "1s"}

	r := ps(t, nil, append(args, "--from", "2026-11-30", "--json")...)
	doc := syncJSON(t, r)
	if !strings.Contains(r.stderr, "hint: the local embedding model of this new index was learned from the first page") {
		t.Errorf("no hint to retrain after the first harvest made the index: %q", r.stderr)
	}
	if doc.Added != 5 || doc.Total != 5 || len(doc.Sets) != 1 || doc.Sets[0].Pages != 2 || doc.Sets[0].HarvestPoint != "2026-12-02" || doc.Seconds == nil {
		t.Fatalf("first sync: %+v", doc)
	}
	r = must(t, "get", "--index", ix, "--json", "arxiv:2612.00003")
	if !strings.Contains(r.stdout, "Notes on bayesian sampling, part 3") || !strings.Contains(r.stdout, "https://arxiv.org/abs/2612.00003") {
		t.Errorf("harvested paper: %s", r.stdout)
	}

	// The next day: one new paper, a new version, a withdrawal.
	day2 := append(arxivRecords(6, 1, "2026-12-02"), oaitest.Record{ID: "2612.00002", Datestamp: "2026-12-02", Sets: []string{"cs"}, Deleted: true})
	v2 := arxivRecords(4, 1, "2026-12-02")[0]
	v2.Title, v2.Versions = "Notes on bayesian sampling, part 4, revised", 2
	srv.SetRecords(append(append(arxivRecords(1, 5, "2026-12-01"), v2), day2...))
	srv.SetResponseDate(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))

	// A dry run says what would change and changes nothing.
	before := snapshot(t, ix)
	r = must(t, append(args, "--dry-run")...)
	for _, want := range []string{"replace  2612.00004  Notes on bayesian sampling, part 4, revised", "add      2612.00006", "delete   2612.00002\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "dry run: nothing written") {
		t.Errorf("dry run stderr: %s", r.stderr)
	}
	if snapshot(t, ix) != before {
		t.Error("the dry run changed the index")
	}

	// The cron line: no --from, continues from the harvest point.
	r = must(t, args...)
	if want := "arxiv cs (from 2026-12-02): 1 page, 1 added, 1 replaced, 1 deleted, 0 skipped; next run from 2026-12-03"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
	if strings.Contains(r.stderr, "hint:") {
		t.Errorf("a sync into an existing index hints: %q", r.stderr)
	}
	if got := allIDs(t, ix); !slices.Equal(got, []string{"2612.00001", "2612.00003", "2612.00004", "2612.00005", "2612.00006"}) {
		t.Errorf("papers after the second sync: %v", got)
	}
	if r := must(t, "get", "--index", ix, "2612.00004"); !strings.Contains(r.stdout, "revised") {
		t.Errorf("new version: %s", r.stdout)
	}
	reqs := srv.Requests()
	if from := reqs[len(reqs)-1].Get("from"); from != "2026-12-02" {
		t.Errorf("the second run asked from %q", from)
	}
}

func TestSyncArxivErrors(t *testing.T) {
	srv := oaitest.New(arxivRecords(1, 2, "2026-12-01"))
	defer srv.Close()
	ix := filepath.Join(t.TempDir(), "ix")
	base := []string{"sync", "arxiv", "--index", ix, "--base-url", srv.URL(), "--delay", "1s"}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "needs at least one --set"},
		{[]string{"--set", "cs", "--from", "1 Dec 2026"}, 2, `"1 Dec 2026" is not a date: use YYYY-MM-DD`},
		{[]string{"--set", "cs", "--from", "2026-12-05", "--until", "2026-12-01"}, 2, "is after --until"},
		{[]string{"--set", "cs", "--from", "2026-12-01", "--delay", "500ms"}, 2, "--delay must be at least 1s"},
		{[]string{"--set", "c s"}, 2, "is not an arXiv set"},
		{[]string{"--set", "cs"}, 2, "has no harvest of set cs to continue: give --from"},
		{[]string{"--set", "nosuch", "--from", "2026-12-01"}, 1, `badArgument: Unknown set "nosuch"`},
	} {
		r := ps(t, nil, append(slices.Clone(base), tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line with %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests: usage errors must not reach the repository", n)
	}
	r := ps(t, nil, "sync", "arxiv", "--index", ix, "--set", "cs", "--from", "2026-12-01", "--base-url", "http://127.0.0.1:1/oai")
	if r.code != 1 || !strings.Contains(r.stderr, "http://127.0.0.1:1/oai") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("unreachable repository: exit %d, %q", r.code, r.stderr)
	}
}

// kill -9 in the middle of a harvest: the pages committed stay, the same
// command run again fetches the rest, nothing is lost or duplicated.
func TestSyncArxivKilledThenResumed(t *testing.T) {
	srv := oaitest.New(arxivRecords(1, 10, "2026-12-01"))
	defer srv.Close()
	srv.SetPageSize(3) // pages of 3, 3, 3, 1
	ix := filepath.Join(t.TempDir(), "ix")
	args := []string{"sync", "arxiv", "--index", ix, "--set", "cs", "--from", "2026-12-01", "--base-url", srv.URL(), "--delay", "1s", "--json"}

	// The third request never gets an answer; the binary is killed while
	// it waits for it.
	srv.Fail(3, oaitest.Fault{Block: true})
	arrived := make(chan int, 10)
	srv.Notify(arrived)
	cmd := exec.Command(binary, args...)
	cmd.Dir = repoRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for n := range arrived {
		if n == 3 {
			break
		}
	}
	srv.Notify(nil)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("the killed run exited 0: %s", stderr.String())
	}
	if got := allIDs(t, ix); len(got) != 6 {
		t.Fatalf("after the kill: %v, want the 6 papers of the 2 committed pages", got)
	}

	doc := syncJSON(t, ps(t, nil, args...))
	if !doc.Sets[0].Resumed || doc.Added != 4 || doc.Replaced != 0 || doc.Total != 10 || doc.Sets[0].HarvestPoint != "2026-12-02" {
		t.Errorf("the re-run: %+v", doc)
	}
	reqs := srv.Requests()
	if len(reqs) != 5 || reqs[3].Get("resumptionToken") != reqs[2].Get("resumptionToken") {
		t.Errorf("the re-run must continue with the token of the lost page: %v", reqs)
	}
	want := make([]string, 10)
	for i := range want {
		want[i] = fmt.Sprintf("2612.%05d", i+1)
	}
	if got := allIDs(t, ix); !slices.Equal(got, want) {
		t.Errorf("after the re-run: %v", got)
	}
	// And the next cron run starts where this one ended.
	doc = syncJSON(t, ps(t, nil, "sync", "arxiv", "--index", ix, "--set", "cs", "--base-url", srv.URL(), "--delay", "1s", "--json"))
	if doc.Sets[0].From != "2026-12-02" || doc.Total != 10 {
		t.Errorf("the next run: %+v", doc)
	}
}

func TestSyncArxivBadRecord(t *testing.T) {
	recs := arxivRecords(1, 3, "2026-12-01")
	recs[2].Title, recs[2].Abstract = "", ""
	srv := oaitest.New(recs)
	defer srv.Close()
	ix := filepath.Join(t.TempDir(), "ix")
	args := []string{"sync", "arxiv", "--index", ix, "--set", "cs", "--from", "2026-12-01", "--base-url", srv.URL(), "--delay", "1s"}
	r := ps(t, nil, args...)
	if r.code != 1 || !strings.Contains(r.stderr, "set cs: ") || !strings.Contains(r.stderr, "1 bad record skipped") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if got := allIDs(t, ix); len(got) != 2 {
		t.Errorf("papers %v", got)
	}
	if r := ps(t, nil, append(args, "--skip-bad")...); r.code != 0 || !strings.Contains(r.stderr, "set cs: ") {
		t.Errorf("--skip-bad: exit %d, stderr %q", r.code, r.stderr)
	}
}

// kill -9 at a random moment while the first page is being committed:
// the index is then either absent or holds exactly that page with the
// token to continue, and the same command again completes the harvest.
func TestSyncArxivKilledWhileCommitting(t *testing.T) {
	for i := range 2 {
		srv := oaitest.New(arxivRecords(1, 7, "2026-12-01"))
		srv.SetPageSize(3)
		srv.Fail(2, oaitest.Fault{Block: true}) // the run cannot get past page 1
		ix := filepath.Join(t.TempDir(), "ix")
		args := []string{"sync", "arxiv", "--index", ix, "--set", "cs", "--from", "2026-12-01", "--base-url", srv.URL(), "--delay", "1s", "--json"}
		arrived := make(chan int, 10)
		srv.Notify(arrived)
		cmd := exec.Command(binary, args...)
		cmd.Dir = repoRoot(t)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		<-arrived
		time.Sleep(time.Duration(rand.IntN(1500)) * time.Millisecond) // somewhere in page 1's commit, or after
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		srv.Notify(nil)
		srv.Fail(2, oaitest.Fault{}) // a kill before page 2 leaves request 2 to the re-run
		after := ps(t, nil, "stats", "--index", ix, "--json")
		switch {
		case after.code == 2: // killed before the first commit: no index
		case after.code == 0:
			if got := allIDs(t, ix); !slices.Equal(got, []string{"2612.00001", "2612.00002", "2612.00003"}) {
				t.Fatalf("round %d: after the kill: %v", i, got)
			}
		default:
			t.Fatalf("round %d: stats after the kill: exit %d, %s", i, after.code, after.stderr)
		}
		doc := syncJSON(t, ps(t, nil, args...))
		if doc.Total != 7 {
			t.Errorf("round %d: the re-run: %+v", i, doc)
		}
		if got := allIDs(t, ix); len(got) != 7 {
			t.Errorf("round %d: after the re-run: %v", i, got)
		}
		srv.Close()
	}
}

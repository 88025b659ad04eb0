package main

// Crash safety: `paperseek index` killed with SIGKILL at every failpoint
// and at random moments of real runs must leave the index on exactly the
// previous or the new generation, readable and consistent in both legs, and
// the same command run again must finish the job: nothing missing, nothing
// twice.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	localstore "github.com/paperseek/paperseek/index/local"

	"github.com/paperseek/paperseek/index"
)

// The synthetic corpus: papers recombined from the sentences of the bundled
// demo corpus, enough of them that a run can be killed in every phase.
// A is papers 0..2999 in edition 1; B is papers 2500..3499 in edition 2, so
// indexing B over A replaces 500 papers and adds 500. Every title carries
// its edition's marker word, so a search (or a stored title) tells which
// generation a paper came from.
const (
	synA0, synA1 = 0, 3000
	synB0, synB1 = 2500, 3500
	markerOne    = "zqvone"
	markerTwo    = "zqvtwo"
)

// corpusState maps each paper id an index should hold to its edition; nil
// means no index at all.
type corpusState map[string]int

type synthCorpus struct {
	a, b string // a.jsonl, b.jsonl
	base string // an index of a.jsonl alone: generation 1
	// A is the state of base; AB the state after indexing B over it; B the
	// state after indexing B into an empty directory.
	A, AB, B corpusState
	// probe is a sentence from the corpus, for semantic searches that must
	// find something.
	probe string
}

var synthOnce struct {
	sync.Once
	c *synthCorpus
}

// synth builds the corpus files and the base index once per test binary,
// beside the binary (TestMain removes that directory). Tests copy the base
// index rather than rebuild it.
func synth(t *testing.T) *synthCorpus {
	t.Helper()
	synthOnce.Do(func() {
		dir := filepath.Join(filepath.Dir(binary), "synth")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		titles, sentences := demoText(t)
		c := &synthCorpus{
			a: filepath.Join(dir, "a.jsonl"), b: filepath.Join(dir, "b.jsonl"), base: filepath.Join(dir, "base"),
			A: corpusState{}, AB: corpusState{}, B: corpusState{},
			probe: sentences[7],
		}
		writePapers(t, c.a, titles, sentences, synA0, synA1, 1)
		writePapers(t, c.b, titles, sentences, synB0, synB1, 2)
		for i := synA0; i < synA1; i++ {
			c.A[synthID(i)], c.AB[synthID(i)] = 1, 1
		}
		for i := synB0; i < synB1; i++ {
			c.AB[synthID(i)], c.B[synthID(i)] = 2, 2
		}
		must(t, "index", "--index", c.base, c.a)
		checkOK(t, c.base)
		synthOnce.c = c
	})
	if synthOnce.c == nil {
		t.Fatal("building the synthetic corpus failed in an earlier test")
	}
	return synthOnce.c
}

func synthID(i int) string { return fmt.Sprintf("syn-%05d", i) }

// demoText returns the demo corpus's titles and the sentences of its
// abstracts.
func demoText(t *testing.T) (titles, sentences []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), "testdata/papers.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p index.Paper
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		titles = append(titles, p.Title)
		for _, s := range strings.Split(p.Abstract, ". ") {
			sentences = append(sentences, strings.TrimSuffix(s, ".")+".")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return titles, sentences
}

// writePapers writes papers from..to-1 of the given edition as JSON lines.
// Each paper is a function of its number and edition only.
func writePapers(t *testing.T, path string, titles, sentences []string, from, to, edition int) {
	t.Helper()
	marker := map[int]string{1: markerOne, 2: markerTwo}[edition]
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for i := from; i < to; i++ {
		r := rand.New(rand.NewPCG(uint64(i), uint64(edition)))
		abstract := make([]string, 5+r.IntN(4))
		for j := range abstract {
			abstract[j] = sentences[r.IntN(len(sentences))]
		}
		p := index.Paper{
			ID:         synthID(i),
			Title:      titles[r.IntN(len(titles))] + " (" + marker + ")",
			Abstract:   strings.Join(abstract, " "),
			Authors:    []string{fmt.Sprintf("Author %c. Example", 'A'+r.IntN(26))},
			Year:       1995 + r.IntN(30),
			Categories: []string{[]string{"cs.CL", "cs.LG", "cs.IR", "q-bio.BM"}[r.IntN(4)]},
		}
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
	}
	write(t, path, b.String())
}

// copyIndex copies an index directory into a fresh temporary one. Files are
// copied, not linked, so runs on the copy cannot touch the original.
func copyIndex(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "ix")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatalf("copy index: %v", err)
	}
	return dst
}

// checkDoc is `paperseek check --json`.
type checkDoc struct {
	Generation     int      `json:"generation"`
	Papers         int      `json:"papers"`
	KeywordDocs    int      `json:"keyword_docs"`
	Vectors        int      `json:"vectors"`
	MissingVectors []string `json:"missing_vectors"`
	OrphanVectors  []string `json:"orphan_vectors"`
	Leftovers      []string `json:"leftovers"`
	OK             bool     `json:"ok"`
	Repaired       bool     `json:"repaired"`
}

// checkOK is what must hold after every run that did not fail: `paperseek
// check` opens the index (verifying the vectors' checksum and the model)
// and finds every paper with exactly one vector and the manifest's count in
// both legs.
func checkOK(t *testing.T, ix string) checkDoc {
	t.Helper()
	r := ps(t, nil, "check", "--index", ix, "--json")
	var c checkDoc
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatalf("check --json (exit %d) printed no JSON document: %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	if r.code != 0 || !c.OK || c.KeywordDocs != c.Papers || c.Vectors != c.Papers {
		t.Fatalf("check: exit %d, %+v\nstderr: %s", r.code, c, r.stderr)
	}
	return c
}

type statsDoc struct {
	Papers      int `json:"papers"`
	Generation  int `json:"generation"`
	KeywordDocs int `json:"keyword_docs"`
	Vectors     int `json:"vectors"`
}

func statsOf(t *testing.T, ix string) statsDoc {
	t.Helper()
	var st statsDoc
	if err := json.Unmarshal([]byte(must(t, "stats", "--index", ix, "--json").stdout), &st); err != nil {
		t.Fatalf("stats --json: %v", err)
	}
	return st
}

// papersIn reads, in-process, every paper id of the current generation
// from the vector store and the edition of each from the keyword index's
// stored title: the exact content a user would search.
func papersIn(t *testing.T, ix string) corpusState {
	t.Helper()
	ctx := context.Background()
	x, err := localstore.Open(ctx, ix)
	if err != nil {
		t.Fatalf("open index: %v", err)
	}
	defer x.Close()
	ids, err := x.VectorIDs()
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	got := corpusState{}
	for _, id := range ids {
		p, err := x.Paper(ctx, id)
		if err != nil {
			t.Fatalf("paper %s has a vector but no keyword entry: %v", id, err)
		}
		got[id] = edition(p.Title)
	}
	if st, err := x.Stats(ctx); err != nil || int(st.KeywordDocs) != len(got) {
		t.Fatalf("keyword index holds %d papers (%v), the vector store %d", st.KeywordDocs, err, len(got))
	}
	return got
}

func edition(title string) int {
	switch {
	case strings.Contains(title, markerOne):
		return 1
	case strings.Contains(title, markerTwo):
		return 2
	}
	return 0
}

// stateOf checks that ix is exactly one of the candidate states, readable
// and consistent in every way a user can look at it, and returns which.
// A mix of two states (some papers from the old generation, some from the
// new) matches none of them and fails the test.
func stateOf(t *testing.T, sc *synthCorpus, ix string, candidates ...corpusState) int {
	t.Helper()
	if _, err := os.Stat(filepath.Join(ix, "manifest.json")); os.IsNotExist(err) {
		i := slices.IndexFunc(candidates, func(s corpusState) bool { return s == nil })
		if i < 0 {
			t.Fatalf("the index is gone")
		}
		r := ps(t, nil, "stats", "--index", ix)
		if r.code != 2 || !strings.Contains(r.stderr, "no index at") {
			t.Fatalf("stats on a directory without an index: exit %d, %s", r.code, r.stderr)
		}
		return i
	}
	c := checkOK(t, ix)
	st := statsOf(t, ix)
	if st.Papers != c.Papers || st.KeywordDocs != c.Papers || st.Vectors != c.Papers || st.Generation != c.Generation {
		t.Fatalf("stats %+v disagrees with check %+v", st, c)
	}
	got := papersIn(t, ix)
	i := slices.IndexFunc(candidates, func(s corpusState) bool { return s != nil && maps.Equal(s, got) })
	if i < 0 {
		t.Fatalf("the index holds %d papers that are none of the expected states (%s): a mix of generations?", len(got), describe(got))
	}
	// Both legs answer from the command line.
	twos := 0
	for _, e := range got {
		if e == 2 {
			twos++
		}
	}
	if n := len(searchJSON(t, ix, "--mode", "keyword", "-k", "1000", markerTwo).Results); n != min(twos, 1000) {
		t.Fatalf("keyword search for the edition-2 marker found %d papers, the index holds %d", n, twos)
	}
	if n := len(searchJSON(t, ix, "--mode", "semantic", "-k", "5", sc.probe).Results); n == 0 {
		t.Fatalf("semantic search found nothing")
	}
	return i
}

func describe(s corpusState) string {
	n := map[int]int{}
	for _, e := range s {
		n[e]++
	}
	return fmt.Sprintf("%d of edition 1, %d of edition 2, %d unmarked", n[1], n[2], n[0])
}

// indexProc is a running `paperseek index` whose stderr is watched for the
// phase lines PAPERSEEK_DEBUG=1 prints ("paperseek: embedding starts at …").
type indexProc struct {
	cmd     *exec.Cmd
	start   time.Time
	stdout  bytes.Buffer
	mu      sync.Mutex
	stderr  strings.Builder
	seen    []phaseMark // phases in the order they started
	ended   time.Duration
	changed chan struct{}
	done    chan struct{}
}

type phaseMark struct {
	name string
	at   time.Duration // since start, as the test saw it
}

var phaseLine = regexp.MustCompile(`^paperseek: (\w+) starts at`)

func startIndex(t *testing.T, env []string, args ...string) *indexProc {
	t.Helper()
	p := &indexProc{changed: make(chan struct{}, 1), done: make(chan struct{})}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Dir = repoRoot(t)
	p.cmd.Env = append(os.Environ(), append([]string{"PAPERSEEK_INDEX=", "OPENAI_BASE_URL=", "OPENAI_API_KEY=", "NO_COLOR=1", "PAPERSEEK_DEBUG=1"}, env...)...)
	p.cmd.Stdout = &p.stdout
	errPipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			if m := phaseLine.FindStringSubmatch(sc.Text()); m != nil {
				p.seen = append(p.seen, phaseMark{m[1], time.Since(p.start)})
			}
			p.mu.Unlock()
			select {
			case p.changed <- struct{}{}:
			default:
			}
		}
		p.cmd.Wait() // only after stderr is drained, as os/exec requires
		p.ended = time.Since(p.start)
	}()
	return p
}

// wait waits for the process to end; a generous bound turns a hang into a
// failure rather than a stuck test run.
func (p *indexProc) wait(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("paperseek %v did not finish within 60s\n%s", p.cmd.Args[1:], p.errText())
	}
}

func (p *indexProc) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// lastPhase is the phase the process was in: the last one it announced.
func (p *indexProc) lastPhase() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.seen) == 0 {
		return "reading"
	}
	return p.seen[len(p.seen)-1].name
}

// killIn kills the process delay after it announced phase ("reading" is
// the start). If it finishes first, it is not killed; killIn reports
// whether the kill happened.
func (p *indexProc) killIn(phase string, delay time.Duration) bool {
	if phase != "reading" {
		for p.lastPhaseIndex(phase) < 0 {
			select {
			case <-p.changed:
			case <-p.done:
				return false
			}
		}
	}
	select {
	case <-time.After(delay):
	case <-p.done:
		return false
	}
	return p.cmd.Process.Kill() == nil
}

func (p *indexProc) lastPhaseIndex(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.IndexFunc(p.seen, func(m phaseMark) bool { return m.name == name })
}

func (p *indexProc) killedBySIGKILL() bool {
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// phaseSpan is how long one phase of a run lasted.
type phaseSpan struct {
	name string
	dur  time.Duration
}

// calibrate runs args to completion (a successful run, so the index must
// pass check afterwards) and returns how long each phase lasted, so random
// kills can be spread over the phases of the same run.
func calibrate(t *testing.T, ix string, args []string) []phaseSpan {
	t.Helper()
	p := startIndex(t, nil, args...)
	p.wait(t)
	if !p.cmd.ProcessState.Success() {
		t.Fatalf("paperseek %v: %v\n%s", args, p.cmd.ProcessState, p.errText())
	}
	checkOK(t, ix)
	end := p.ended
	spans := []phaseSpan{{"reading", 0}}
	prev := time.Duration(0)
	for _, m := range p.seen {
		spans[len(spans)-1].dur = m.at - prev
		spans = append(spans, phaseSpan{m.name, 0})
		prev = m.at
	}
	spans[len(spans)-1].dur = end - prev
	return spans
}

// crashRun is one kill of `paperseek index` and the recovery from it.
type crashRun struct {
	name string
	// args is the index command minus --index; it is run again unchanged
	// (minus the failpoint) after the kill.
	args []string
	// from is the state the run starts in, to the state it must reach.
	from, to corpusState
	// failpoint, when set, makes the process kill itself there.
	failpoint string
	// kill, when set, kills the process from outside.
	kill func(p *indexProc) bool
}

// crashAndRecover runs c on a fresh copy of the base index (or an empty
// directory when c.from is nil) and checks the state after the kill and
// after running the same command again.
func crashAndRecover(t *testing.T, sc *synthCorpus, c crashRun) (killed bool) {
	t.Helper()
	ix := filepath.Join(t.TempDir(), "ix")
	if c.from != nil {
		ix = copyIndex(t, sc.base)
	}
	args := append([]string{"index", "--index", ix, "--json"}, c.args...)
	var env []string
	if c.failpoint != "" {
		env = []string{"PAPERSEEK_FAILPOINT=" + c.failpoint}
	}
	p := startIndex(t, env, args...)
	killed = true
	if c.kill != nil {
		killed = c.kill(p)
	}
	p.wait(t)
	if c.kill != nil && killed && p.cmd.ProcessState.Success() {
		// The run ended just before the kill: an exited process that is
		// not yet reaped still accepts the signal, so Kill reported
		// success though nothing was killed.
		killed = false
	}
	diedIn := p.lastPhase()
	switch {
	case killed && !p.killedBySIGKILL():
		t.Fatalf("%s: the run was not killed by SIGKILL: %v\n%s", c.name, p.cmd.ProcessState, p.errText())
	case !killed && !p.cmd.ProcessState.Success():
		t.Fatalf("%s: the run finished before the kill, but failed: %v\n%s", c.name, p.cmd.ProcessState, p.errText())
	}

	// The index is the old generation or the new one, whole.
	after := stateOf(t, sc, ix, c.from, c.to)
	landed := map[int]string{0: "previous", 1: "new"}[after]
	if !killed && after != 1 {
		t.Fatalf("%s: a run that finished left the previous state", c.name)
	}

	// The same command again completes the job: the papers B adds or
	// replaces, counted against what the index held after the crash.
	r := must(t, args...)
	var sum indexSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("%s: re-run printed no JSON summary: %v\n%s", c.name, err, r.stdout)
	}
	want := summaryFor(c.from, c.to, map[int]corpusState{0: c.from, 1: c.to}[after])
	if sum.Added != want.Added || sum.Replaced != want.Replaced || sum.Total != want.Total || sum.Skipped != 0 {
		t.Errorf("%s: re-run after a crash that left the %s state: summary %+v, want added %d replaced %d total %d",
			c.name, landed, sum, want.Added, want.Replaced, want.Total)
	}
	stateOf(t, sc, ix, c.to)
	if l := checkOK(t, ix).Leftovers; len(l) > 0 {
		t.Errorf("%s: leftovers of the crashed run survive a successful run: %v", c.name, l)
	}
	how := "killed"
	if !killed {
		how = "finished before the kill"
	}
	t.Logf("%s: %s in phase %q after %.2fs; index on the %s generation; re-run: %d added, %d replaced, %d total",
		c.name, how, diedIn, p.ended.Seconds(), landed, sum.Added, sum.Replaced, sum.Total)
	return killed
}

// summaryFor is the re-run's summary when the index holds cur and the run
// turns from into to: every paper of to that cur lacks is added, every
// other paper the run indexes is a replacement.
func summaryFor(from, to, cur corpusState) indexSummary {
	var s indexSummary
	for id, e := range to {
		if from[id] == e && from != nil {
			continue // not part of the run's input
		}
		if _, ok := cur[id]; ok {
			s.Replaced++
		} else {
			s.Added++
		}
	}
	s.Total = len(to)
	return s
}

// randomKills returns how many random kills to make per command:
// PAPERSEEK_CRASH_KILLS overrides the default for longer soak runs.
func randomKills(t *testing.T, def int) int {
	if s := os.Getenv("PAPERSEEK_CRASH_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("PAPERSEEK_CRASH_KILLS=%q: %v", s, err)
		}
		return n
	}
	return def
}

func TestCrashAtEveryFailpoint(t *testing.T) {
	sc := synth(t)
	add := []string{"--batch-size", "200", sc.b}
	retrain := []string{"--retrain", "--batch-size", "200", sc.b}
	cases := []crashRun{
		{name: "add/keyword-batch", args: add, failpoint: localstore.FailKeywordBatch},
		{name: "add/embedding", args: add, failpoint: localstore.FailEmbedding},
		{name: "add/vectors-write", args: add, failpoint: localstore.FailVectorsWrite},
		{name: "add/manifest-switch", args: add, failpoint: localstore.FailManifestWrite},
		{name: "add/after-commit", args: add, failpoint: localstore.FailAfterCommit},
		{name: "retrain/training", args: retrain, failpoint: localstore.FailTraining},
		// The very first run into an empty directory: a crash must not
		// leave something later runs refuse as a corrupt index.
		{name: "new/embedding", args: add, failpoint: localstore.FailEmbedding},
		{name: "new/manifest-switch", args: add, failpoint: localstore.FailManifestWrite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.from, c.to = sc.A, sc.AB
			if strings.HasPrefix(c.name, "new/") {
				c.from, c.to = nil, sc.B
			}
			crashAndRecover(t, sc, c)
		})
	}
}

// TestCrashAtRandomMoments kills real runs from outside at moments drawn
// from a fixed seed, spread over the phases of the run as PAPERSEEK_DEBUG
// reports them (timed on a calibration run of the same command). A kill
// that comes after the run finished proves nothing, so such a draw is
// replaced by another, and the test fails unless the wanted number of
// kills hit a live process (a run faster than its calibration could
// otherwise let every kill miss and the test pass on nothing).
func TestCrashAtRandomMoments(t *testing.T) {
	sc := synth(t)
	rng := rand.New(rand.NewPCG(6, 2026))
	for _, cmd := range []struct {
		name  string
		args  []string
		kills int
	}{
		{"add", []string{"--batch-size", "200", sc.b}, 3},
		{"retrain", []string{"--retrain", "--batch-size", "200", sc.b}, 4},
	} {
		ix := copyIndex(t, sc.base)
		spans := calibrate(t, ix, append([]string{"index", "--index", ix}, cmd.args...))
		var plan []string
		for _, s := range spans {
			plan = append(plan, fmt.Sprintf("%s %.2fs", s.name, s.dur.Seconds()))
		}
		t.Logf("%s: phases %s", cmd.name, strings.Join(plan, ", "))
		want := randomKills(t, cmd.kills)
		landed, tries := 0, 0
		for ; landed < want && tries < 3*want; tries++ {
			span := spans[tries%len(spans)]
			delay := time.Duration(rng.Float64() * float64(span.dur))
			name := fmt.Sprintf("%s/%s+%.2fs", cmd.name, span.name, delay.Seconds())
			t.Run(name, func(t *testing.T) {
				if crashAndRecover(t, sc, crashRun{
					name: name, args: cmd.args, from: sc.A, to: sc.AB,
					kill: func(p *indexProc) bool { return p.killIn(span.name, delay) },
				}) {
					landed++
				}
			})
		}
		if landed < want {
			t.Errorf("%s: only %d of %d tries killed a running process; want %d kills that land", cmd.name, landed, tries, want)
		}
	}
}

// TestRepairOfHealthyIndexChangesNothing: `check --repair` on an index with
// nothing wrong exits 0, reports ok, and leaves everything a user sees as
// it was: the same papers and the same answers from every mode.
func TestRepairOfHealthyIndexChangesNothing(t *testing.T) {
	sc := synth(t)
	ix := copyIndex(t, sc.base)
	answers := func() map[string][]string {
		out := map[string][]string{}
		for _, mode := range []string{"keyword", "semantic", "hybrid"} {
			out[mode] = ids(searchJSON(t, ix, "--mode", mode, "-k", "20", sc.probe))
		}
		return out
	}
	before := answers()
	manifest, _ := os.ReadFile(filepath.Join(ix, "manifest.json"))
	r := ps(t, nil, "check", "--index", ix, "--repair", "--json")
	var c checkDoc
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || r.code != 0 || !c.OK {
		t.Fatalf("check --repair on a healthy index: exit %d, %s (%v)\n%s", r.code, r.stdout, err, r.stderr)
	}
	if c.Papers != len(sc.A) || len(c.MissingVectors)+len(c.OrphanVectors) > 0 || c.Repaired || c.Generation != 1 {
		t.Errorf("check --repair reports %+v; want ok, nothing repaired, still generation 1", c)
	}
	if again, _ := os.ReadFile(filepath.Join(ix, "manifest.json")); string(again) != string(manifest) {
		t.Error("check --repair rewrote the manifest of a healthy index")
	}
	stateOf(t, sc, ix, sc.A)
	after := answers()
	for mode, want := range before {
		if !slices.Equal(after[mode], want) {
			t.Errorf("%s answers changed after repair:\nbefore %v\nafter  %v", mode, want, after[mode])
		}
	}
}

package main

// Searches while the index is being written: readers are never blocked,
// never fail, and every answer comes whole from one generation, the
// previous or the new one. (A second writer being refused is
// TestSecondWriterRefusedWithoutHanging.)

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/query"
)

// verdict is which generation one answer came from, as far as it tells.
type verdict int

const (
	undecided verdict = iota
	sawOld
	sawNew
)

// judge classifies the papers of one answer (id → edition from the title)
// against the states before and after a write. An answer with a paper only
// the old state has and one only the new state has is torn.
func judge(before, after corpusState, papers map[string]int) (verdict, error) {
	old, cur := false, false
	for id, e := range papers {
		inA, inAB := before[id] == e, after[id] == e
		switch {
		case !inA && !inAB:
			return undecided, fmt.Errorf("paper %s in edition %d belongs to neither generation", id, e)
		case inA && !inAB:
			old = true
		case inAB && !inA:
			cur = true
		}
	}
	switch {
	case old && cur:
		return undecided, fmt.Errorf("torn answer: papers of both generations (%s)", describe(papers))
	case old:
		return sawOld, nil
	case cur:
		return sawNew, nil
	}
	return undecided, nil
}

func (v verdict) String() string {
	return [...]string{"nothing decisive", "the previous generation", "the new generation"}[v]
}

// observations counts what concurrent readers saw.
type observations struct {
	n, old, new atomic.Int64
	mu          sync.Mutex
	problems    []string
}

func (o *observations) add(v verdict, err error) {
	o.n.Add(1)
	switch {
	case err != nil:
		o.mu.Lock()
		if len(o.problems) < 20 {
			o.problems = append(o.problems, err.Error())
		}
		o.mu.Unlock()
	case v == sawOld:
		o.old.Add(1)
	case v == sawNew:
		o.new.Add(1)
	}
}

// await waits until readers have made n more observations than seen; a
// generous bound turns a hang into a failure.
func (o *observations) await(t *testing.T, seen int64, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for o.n.Load() < seen+int64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("readers made %d observations, want %d more, within 60s: hung?", o.n.Load()-seen, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSearchProcessesDuringIndexRun: eight `paperseek` processes at a time
// run searches in every mode and stats, from before the first batch of a
// concurrent `paperseek index` until after its commit.
func TestSearchProcessesDuringIndexRun(t *testing.T) {
	sc := synth(t)
	ix := copyIndex(t, sc.base)
	b, err := os.ReadFile(sc.b)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")

	// The writer reads B from a pipe, so the test decides when each batch
	// goes in and when the commit starts.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	writer := exec.Command(binary, "index", "--index", ix, "--json", "--batch-size", "200", "-")
	writer.Env = append(os.Environ(), "PAPERSEEK_INDEX=", "OPENAI_BASE_URL=", "OPENAI_API_KEY=")
	writer.Stdin = pr
	var wout, werr bytes.Buffer
	writer.Stdout, writer.Stderr = &wout, &werr
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	writerDone := make(chan error, 1)
	go func() { writerDone <- writer.Wait() }()

	const readers = 8
	var obs observations
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				obs.add(readOnce(sc, ix, i%4))
			}
		}()
	}
	stopReaders := sync.OnceFunc(func() {
		close(stop)
		wg.Wait()
	})
	defer stopReaders()

	// Readers see the previous generation until the commit...
	if v, err := readOnce(sc, ix, 0); v != sawOld || err != nil {
		t.Fatalf("before the commit: stats saw %v (%v)", v, err)
	}
	for start := 0; start < len(lines); start += 500 {
		seen := obs.n.Load()
		if _, err := pw.WriteString(strings.Join(lines[start:min(start+500, len(lines))], "")); err != nil {
			t.Fatalf("feeding the writer: %v\n%s", err, werr.String())
		}
		obs.await(t, seen, readers)
	}
	pw.Close() // end of input: the writer embeds, saves and switches
	select {
	case err := <-writerDone:
		if err != nil {
			t.Fatalf("the writer failed while readers were busy: %v\n%s", err, werr.String())
		}
	case <-time.After(60 * time.Second): // a hang, not a timing assertion
		writer.Process.Kill()
		t.Fatal("the writer did not finish within 60s")
	}
	obs.await(t, obs.n.Load(), readers)
	stopReaders()
	// ...and the new one after it.
	if v, err := readOnce(sc, ix, 0); v != sawNew || err != nil {
		t.Fatalf("after the commit: stats saw %v (%v)", v, err)
	}

	var sum indexSummary
	if err := json.Unmarshal(wout.Bytes(), &sum); err != nil || sum.Added != 500 || sum.Replaced != 500 || sum.Total != 3500 {
		t.Errorf("writer summary %s (%v), want 500 added, 500 replaced, 3500 total", wout.String(), err)
	}
	stateOf(t, sc, ix, sc.AB)
	t.Logf("%d reader processes made %d searches and stats: %d saw the previous generation, %d the new one, the rest could not tell",
		readers, obs.n.Load(), obs.old.Load(), obs.new.Load())
	for _, p := range obs.problems {
		t.Error(p)
	}
}

// readOnce runs one reader process and judges its answer: kind 0 is stats,
// 1 a keyword search for the edition-2 marker, 2 and 3 semantic and hybrid
// searches for a corpus sentence.
func readOnce(sc *synthCorpus, ix string, kind int) (verdict, error) {
	args := []string{"--index", ix, "--json"}
	switch kind {
	case 0:
		args = append([]string{"stats"}, args...)
	case 1:
		args = append([]string{"search"}, append(args, "--mode", "keyword", "-k", "1000", markerTwo)...)
	case 2:
		args = append([]string{"search"}, append(args, "--mode", "semantic", "-k", "200", sc.probe)...)
	default:
		args = append([]string{"search"}, append(args, "--mode", "hybrid", "-k", "200", sc.probe)...)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "PAPERSEEK_INDEX=", "OPENAI_BASE_URL=", "OPENAI_API_KEY=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return undecided, fmt.Errorf("paperseek %s: %v: %s", args[0], err, strings.TrimSpace(errb.String()))
	}
	if kind == 0 {
		var st statsDoc
		if err := json.Unmarshal(out.Bytes(), &st); err != nil {
			return undecided, fmt.Errorf("stats --json: %v", err)
		}
		if st.KeywordDocs != st.Papers || st.Vectors != st.Papers {
			return undecided, fmt.Errorf("torn stats: %+v", st)
		}
		switch st.Papers {
		case len(sc.A):
			return sawOld, nil
		case len(sc.AB):
			return sawNew, nil
		}
		return undecided, fmt.Errorf("stats: %d papers, neither generation", st.Papers)
	}
	var doc struct {
		Results []struct{ ID, Title string } `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		return undecided, fmt.Errorf("search --json: %v", err)
	}
	papers := map[string]int{}
	for _, r := range doc.Results {
		papers[r.ID] = edition(r.Title)
	}
	if kind == 1 {
		switch len(papers) {
		case 0:
			return sawOld, nil
		case 1000:
		default:
			return undecided, fmt.Errorf("keyword search for the edition-2 marker found %d papers, want 0 or 1000", len(papers))
		}
	}
	if kind != 1 && len(papers) == 0 {
		return undecided, errors.New(args[4] + " search found nothing")
	}
	return judge(sc.A, sc.AB, papers)
}

// TestEnginesDuringCommits runs the query engine in-process from many
// goroutines (so the race detector sees readers and a writer in one
// process) while two generations are committed. An engine opened before
// the writes, as a server holds one, must keep answering from its own
// generation even after the second commit deletes that generation's
// directory; engines opened along the way must each see one whole
// generation. A smaller corpus than the other tests keeps the writer quick
// under the race detector: 600 papers, then 200 more of which 100 replace.
func TestEnginesDuringCommits(t *testing.T) {
	sc := synth(t)
	titles, sentences := demoText(t)
	dir := t.TempDir()
	fileA, fileB := dir+"/a.jsonl", dir+"/b.jsonl"
	writePapers(t, fileA, titles, sentences, 0, 600, 1)
	writePapers(t, fileB, titles, sentences, 500, 700, 2)
	before, after := corpusState{}, corpusState{}
	for i := range 600 {
		before[synthID(i)], after[synthID(i)] = 1, 1
	}
	for i := 500; i < 700; i++ {
		after[synthID(i)] = 2
	}
	ix := dir + "/ix"
	must(t, "index", "--index", ix, fileA)
	checkOK(t, ix)
	papersB := readPapers(t, fileB)

	ctx := context.Background()
	held, err := index.Open(ctx, ix)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldEngine := query.New(held, query.Options{})
	q := sc.probe + " " + markerTwo
	modes := []query.Mode{query.ModeKeyword, query.ModeSemantic, query.ModeHybrid}
	want := map[query.Mode][]string{}
	for _, m := range modes {
		resp, err := heldEngine.Search(ctx, query.Request{Query: q, Mode: m, K: 20})
		if err != nil {
			t.Fatal(err)
		}
		want[m] = responseIDs(resp)
	}

	const readers = 6
	var obs observations
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				m := modes[i/2%len(modes)]
				if i%2 == 0 {
					// The held engine: always the same answer.
					resp, err := heldEngine.Search(ctx, query.Request{Query: q, Mode: m, K: 20})
					if err == nil && !slices.Equal(responseIDs(resp), want[m]) {
						err = fmt.Errorf("an engine opened on generation 1 changed its %s answer during writes", m)
					}
					obs.add(sawOld, err)
					continue
				}
				obs.add(openAndSearch(ctx, before, after, ix, q, m))
			}
		}()
	}
	stopReaders := sync.OnceFunc(func() {
		close(stop)
		wg.Wait()
	})
	defer stopReaders()

	// Two commits: generation 2 adds the new papers; generation 3 indexes
	// them again (all replacements) and removes generation 1, which the
	// held engine reads.
	for gen := 2; gen <= 3; gen++ {
		seen := obs.n.Load()
		w, err := index.BeginWrite(ctx, ix, index.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.Add(context.Background(), papersB); err != nil {
			t.Fatal(err)
		}
		m, err := w.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Generation != gen || m.Papers != len(after) {
			t.Fatalf("commit: generation %d with %d papers, want %d with %d", m.Generation, m.Papers, gen, len(after))
		}
		obs.await(t, seen, readers)
	}
	if _, err := os.Stat(ix + "/gen-000001"); !os.IsNotExist(err) {
		t.Fatalf("generation 1 is still on disk (%v): the held engine was not put to the test", err)
	}
	obs.await(t, obs.n.Load(), 2*readers)
	stopReaders()
	if v, err := openAndSearch(ctx, before, after, ix, q, query.ModeKeyword); v != sawNew || err != nil {
		t.Fatalf("an engine opened after the commits saw %v (%v)", v, err)
	}

	stateOf(t, sc, ix, after)
	t.Logf("%d goroutines made %d searches: %d from generation 1 (mostly the held engine), %d from a newer one",
		readers, obs.n.Load(), obs.old.Load(), obs.new.Load())
	for _, p := range obs.problems {
		t.Error(p)
	}
}

// openAndSearch opens the index as a new reader would, checks that both
// legs hold the manifest's count, and judges one search.
func openAndSearch(ctx context.Context, before, after corpusState, ix, q string, m query.Mode) (verdict, error) {
	x, err := index.Open(ctx, ix)
	if err != nil {
		return undecided, err
	}
	defer x.Close()
	st, err := x.Stats(ctx)
	if err != nil {
		return undecided, err
	}
	if int(st.KeywordDocs) != st.Papers || st.Vectors != st.Papers {
		return undecided, fmt.Errorf("torn generation %d: %+v", st.Generation, st)
	}
	e := query.New(x, query.Options{})
	resp, err := e.Search(ctx, query.Request{Query: q, Mode: m, K: 50})
	if err != nil {
		return undecided, err
	}
	if len(resp.Results) == 0 {
		return undecided, fmt.Errorf("%s search found nothing", m)
	}
	papers := map[string]int{}
	for _, r := range resp.Results {
		papers[r.ID] = edition(r.Title)
	}
	v, err := judge(before, after, papers)
	if err == nil && v != undecided && (v == sawOld) != (st.Papers == len(before)) {
		err = fmt.Errorf("generation %d with %d papers answered like the other generation", st.Generation, st.Papers)
	}
	return v, err
}

func responseIDs(r *query.Response) []string {
	out := make([]string, len(r.Results))
	for i, res := range r.Results {
		out[i] = res.ID
	}
	return out
}

func readPapers(t *testing.T, path string) []index.Paper {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []index.Paper
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p index.Paper
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// Command load drives a running `paperseek serve` with concurrent
// GET /v1/search requests and reports sustained throughput, latency
// percentiles, errors and (with -pid) the server's memory before and after.
//
//	go run ./bench/load -addr 127.0.0.1:8080 -duration 30s -clients 8 \
//	    -mode hybrid -queries testdata/eval/queries.jsonl -pid $(pgrep -f 'paperseek serve')
//
// The queries file holds one query a line: plain text, or JSON lines with a
// "text" (BEIR queries), "query" or "title" field (so a papers file works
// too: its titles become the queries). Clients take queries in turn, so a
// run is repeatable. Each client waits for its answer before sending the
// next request (a closed loop): the throughput reported is what the server
// sustains at that concurrency, not an offered rate.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	Addr     string
	Duration time.Duration
	Warmup   time.Duration
	Clients  int
	Mode     string
	Fusion   string // "" = the server's default
	K        int
	Queries  []string
	Token    string
	PID      int
	// Requests, when > 0, ends the run after that many measured requests
	// instead of after Duration.
	Requests int64
}

// Report is the result of one run; -json prints it as is.
type Report struct {
	Addr        string         `json:"addr"`
	Mode        string         `json:"mode"`
	Clients     int            `json:"clients"`
	Queries     int            `json:"queries"`
	Seconds     float64        `json:"seconds"`
	Requests    int            `json:"requests"`
	Errors      int            `json:"errors"`
	ErrorsBy    map[string]int `json:"errors_by,omitempty"`
	PerSecond   float64        `json:"requests_per_second"`
	P50MS       float64        `json:"p50_ms"`
	P95MS       float64        `json:"p95_ms"`
	P99MS       float64        `json:"p99_ms"`
	MaxMS       float64        `json:"max_ms"`
	MeanResults float64        `json:"mean_results"`
	RSSBefore   int64          `json:"rss_before_kib,omitempty"`
	RSSAfter    int64          `json:"rss_after_kib,omitempty"`
	PeakRSS     int64          `json:"peak_rss_kib,omitempty"`
}

func main() {
	var cfg config
	var queriesFile string
	var asJSON bool
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address of the paperseek server")
	flag.DurationVar(&cfg.Duration, "duration", 30*time.Second, "how long to measure")
	flag.DurationVar(&cfg.Warmup, "warmup", 2*time.Second, "load before measuring (caches, connections); not counted")
	flag.IntVar(&cfg.Clients, "clients", 8, "concurrent clients, each with one request in flight")
	flag.StringVar(&cfg.Mode, "mode", "hybrid", "search mode: hybrid, keyword or semantic")
	flag.IntVar(&cfg.K, "k", 10, "results per search")
	flag.StringVar(&cfg.Fusion, "fusion", "", "hybrid fusion to ask for (blend, rrf, native, native-ranked); default: the server's")
	flag.StringVar(&queriesFile, "queries", "", "file of queries: text lines, or JSON lines with text/query/title (required)")
	flag.IntVar(&cfg.PID, "pid", 0, "server process id, to report its resident memory (Linux /proc)")
	flag.Int64Var(&cfg.Requests, "requests", 0, "stop after this many measured requests instead of -duration")
	flag.BoolVar(&asJSON, "json", false, "print the report as JSON")
	flag.Parse()
	cfg.Token = os.Getenv("PAPERSEEK_TOKEN")

	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	if queriesFile == "" {
		fail(errors.New("-queries FILE is required"))
	}
	if cfg.Clients < 1 || cfg.Duration <= 0 || cfg.K < 1 {
		fail(errors.New("-clients, -duration and -k must be positive"))
	}
	qs, err := readQueries(queriesFile)
	if err != nil {
		fail(err)
	}
	cfg.Queries = qs

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := run(ctx, cfg)
	if err != nil {
		fail(err)
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fail(err)
		}
		return
	}
	printReport(os.Stdout, rep)
}

// readQueries loads one query a line; blank lines and lines without a
// usable field are skipped.
func readQueries(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read queries: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if line[0] != '{' {
			out = append(out, line)
			continue
		}
		var rec struct{ Text, Query, Title string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		for _, q := range []string{rec.Text, rec.Query, rec.Title} {
			if q = strings.TrimSpace(q); q != "" {
				out = append(out, q)
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no queries", path)
	}
	return out, nil
}

// sample is one measured request.
type sample struct {
	latency time.Duration
	results int
	failure string // "" on success, else the status or the transport error kind
}

func run(ctx context.Context, cfg config) (Report, error) {
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients, MaxConnsPerHost: cfg.Clients},
		Timeout:   time.Minute,
	}
	defer client.CloseIdleConnections()
	base := "http://" + cfg.Addr + "/v1/search?"

	// One request before anything else: a wrong address or token should
	// fail the run at once, not produce a report full of errors.
	if s := search(ctx, client, base, cfg, cfg.Queries[0]); s.failure != "" {
		return Report{}, fmt.Errorf("first request to %s failed: %s", cfg.Addr, s.failure)
	}
	if cfg.Warmup > 0 && cfg.Requests == 0 {
		wctx, cancel := context.WithTimeout(ctx, cfg.Warmup)
		drive(wctx, client, base, cfg, new(atomic.Int64), 0)
		cancel()
	}

	rep := Report{Addr: cfg.Addr, Mode: cfg.Mode, Clients: cfg.Clients, Queries: len(cfg.Queries)}
	if cfg.PID > 0 {
		rss, _, err := memory(cfg.PID)
		if err != nil {
			return rep, err
		}
		rep.RSSBefore = rss
	}
	mctx := ctx
	if cfg.Requests == 0 {
		var cancel context.CancelFunc
		mctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	start := time.Now()
	samples := drive(mctx, client, base, cfg, new(atomic.Int64), cfg.Requests)
	elapsed := time.Since(start)
	if cfg.PID > 0 {
		rss, peak, err := memory(cfg.PID)
		if err != nil {
			return rep, err
		}
		rep.RSSAfter, rep.PeakRSS = rss, peak
	}
	summarize(&rep, samples, elapsed)
	return rep, nil
}

// drive runs cfg.Clients closed-loop clients until ctx ends (or limit
// requests have been sent, when limit > 0) and returns every sample.
func drive(ctx context.Context, client *http.Client, base string, cfg config, next *atomic.Int64, limit int64) []sample {
	var mu sync.Mutex
	var all []sample
	var wg sync.WaitGroup
	for range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []sample
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if limit > 0 && i >= limit {
					break
				}
				s := search(ctx, client, base, cfg, cfg.Queries[int(i)%len(cfg.Queries)])
				if ctx.Err() != nil && s.failure != "" {
					break // cut off by the end of the run, not a server error
				}
				mine = append(mine, s)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all
}

func search(ctx context.Context, client *http.Client, base string, cfg config, q string) sample {
	params := url.Values{"q": {q}, "mode": {cfg.Mode}, "k": {strconv.Itoa(cfg.K)}}
	if cfg.Fusion != "" {
		params.Set("fusion", cfg.Fusion)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+params.Encode(), nil)
	if err != nil {
		return sample{failure: err.Error()}
	}
	if cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Token)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return sample{latency: time.Since(start), failure: "transport: " + errorKind(err)}
	}
	defer resp.Body.Close()
	var doc struct {
		Results []json.RawMessage `json:"results"`
	}
	body, err := io.ReadAll(resp.Body)
	lat := time.Since(start)
	if err != nil {
		return sample{latency: lat, failure: "transport: " + errorKind(err)}
	}
	if resp.StatusCode != http.StatusOK {
		return sample{latency: lat, failure: "HTTP " + strconv.Itoa(resp.StatusCode)}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return sample{latency: lat, failure: "bad JSON"}
	}
	return sample{latency: lat, results: len(doc.Results)}
}

func errorKind(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return err.Error()
}

func summarize(rep *Report, samples []sample, elapsed time.Duration) {
	rep.Seconds = round(elapsed.Seconds(), 3)
	rep.Requests = len(samples)
	var ok []time.Duration
	var results int
	for _, s := range samples {
		if s.failure != "" {
			rep.Errors++
			if rep.ErrorsBy == nil {
				rep.ErrorsBy = map[string]int{}
			}
			rep.ErrorsBy[s.failure]++
			continue
		}
		ok = append(ok, s.latency)
		results += s.results
	}
	if elapsed > 0 {
		rep.PerSecond = round(float64(len(samples))/elapsed.Seconds(), 1)
	}
	if len(ok) == 0 {
		return
	}
	slices.Sort(ok)
	ms := func(d time.Duration) float64 { return round(float64(d.Microseconds())/1000, 2) }
	rep.P50MS = ms(percentile(ok, 50))
	rep.P95MS = ms(percentile(ok, 95))
	rep.P99MS = ms(percentile(ok, 99))
	rep.MaxMS = ms(ok[len(ok)-1])
	rep.MeanResults = round(float64(results)/float64(len(ok)), 2)
}

// percentile is the nearest-rank percentile of sorted (non-empty) values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func round(x float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

// memory reads the resident set size and its peak (VmRSS, VmHWM) of pid.
func memory(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("parse %s of pid %d: %w", name, pid, err)
		}
		if name == "VmRSS" {
			rss = n
		} else {
			peak = n
		}
	}
	return rss, peak, nil
}

func printReport(w io.Writer, r Report) {
	fmt.Fprintf(w, "%s search on %s: %d clients, %d distinct queries, %.1f s\n", r.Mode, r.Addr, r.Clients, r.Queries, r.Seconds)
	fmt.Fprintf(w, "requests    %d (%.1f/s), %d errors\n", r.Requests, r.PerSecond, r.Errors)
	for kind, n := range r.ErrorsBy {
		fmt.Fprintf(w, "  %-30s %d\n", kind, n)
	}
	fmt.Fprintf(w, "latency ms  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n", r.P50MS, r.P95MS, r.P99MS, r.MaxMS)
	fmt.Fprintf(w, "results     %.1f per search\n", r.MeanResults)
	if r.RSSBefore > 0 {
		fmt.Fprintf(w, "server RSS  %.1f MiB before, %.1f MiB after, peak %.1f MiB\n",
			float64(r.RSSBefore)/1024, float64(r.RSSAfter)/1024, float64(r.PeakRSS)/1024)
	}
}

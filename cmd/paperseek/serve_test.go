package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The serve command tested through the real binary (built by TestMain), as
// users and scripts run it, on an index of the repository's sample papers.

// serveSafetyNet bounds waits that normally end at once; reaching it means
// the server did not do what it should at all.
const serveSafetyNet = 60 * time.Second

func TestServeCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := binary // built once by TestMain
	dir := t.TempDir()
	ix := filepath.Join(dir, "index")
	extra := filepath.Join(dir, "extra.jsonl")
	serveWriteLines(t, extra,
		`{"id":"paper with spaces","title":"Attention Sinks Keep Streaming Language Models Stable","abstract":"Keeping the first tokens in the attention window lets a streaming language model run far beyond its training context.","authors":["Ada Lovelace"],"year":2024,"categories":["cs.CL"]}`,
	)
	serveCLI(t, bin, nil, "index", "--index", ix,
		filepath.Join("..", "..", "testdata", "papers.jsonl"),
		filepath.Join("..", "..", "testdata", "eval", "papers.jsonl"),
		extra)

	t.Run("usage errors", func(t *testing.T) { serveUsageErrors(t, bin, ix) })
	t.Run("same answers as the CLI, new generations, SIGTERM", func(t *testing.T) { serveEndToEnd(t, bin, ix) })
	t.Run("token", func(t *testing.T) { serveToken(t, bin, ix) })
	t.Run("host names", func(t *testing.T) { serveHosts(t, bin, ix) })
}

// serveHosts: without a token the server answers only loopback names and
// those --allow-host gives (DNS rebinding); with a token, any name.
func serveHosts(t *testing.T, bin, ix string) {
	const rebound = "attacker.example"
	tests := []struct {
		env, args []string
		host      string
		status    int
	}{
		{nil, nil, "localhost", http.StatusOK},
		{nil, nil, rebound, http.StatusForbidden},
		{nil, []string{"--allow-host", "papers.lab.example,search.lab.example"}, "search.lab.example:8080", http.StatusOK},
		{nil, []string{"--allow-host", "papers.lab.example"}, rebound, http.StatusForbidden},
		{[]string{"PAPERSEEK_TOKEN=tok"}, nil, rebound, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		p := startServe(t, bin, ix, tt.env, tt.args...)
		if status, body := p.get(t, "/v1/stats", "Host", tt.host); status != tt.status {
			t.Errorf("%v %v: Host %s: %d %s, want %d", tt.env, tt.args, tt.host, status, body, tt.status)
		}
		p.stop(t, syscall.SIGTERM)
	}
}

func serveWriteLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// serveCLI runs one paperseek command and returns its stdout, failing the
// test on a non-zero exit.
func serveCLI(t *testing.T, bin string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(serveEnv(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("paperseek %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// serveEnv is the test's environment without anything that would point
// the binary elsewhere or make it require a token.
func serveEnv() []string {
	return append(os.Environ(), "PAPERSEEK_INDEX=", "PAPERSEEK_TOKEN=", "OPENAI_BASE_URL=", "OPENAI_API_KEY=", "NO_COLOR=1")
}

// serveLog collects a server's stderr as it runs.
type serveLog struct {
	mu    sync.Mutex
	lines []string
	addr  chan string
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

var serveListeningRE = regexp.MustCompile(`msg=listening addr=(\S+)`)

type serveProcess struct {
	cmd  *exec.Cmd
	addr string
	log  *serveLog
	done chan error
}

// startServe runs `paperseek serve --addr 127.0.0.1:0` and waits for the
// address it logs.
func startServe(t *testing.T, bin, ix string, env []string, args ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--index", ix, "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(serveEnv(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, log: &serveLog{addr: make(chan string, 1)}, done: make(chan error, 1)}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.log.mu.Lock()
			p.log.lines = append(p.log.lines, line)
			p.log.mu.Unlock()
			if m := serveListeningRE.FindStringSubmatch(line); m != nil {
				p.log.addr <- m[1]
			}
		}
	}()
	go func() {
		<-copied // Wait must not close the pipe before everything is read
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.addr = <-p.log.addr:
	case err := <-p.done:
		t.Fatalf("serve exited before listening: %v\n%s", err, p.log)
	case <-time.After(serveSafetyNet):
		t.Fatalf("serve never logged its address:\n%s", p.log)
	}
	return p
}

// stop sends sig and returns the exit code.
func (p *serveProcess) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(serveSafetyNet):
		t.Fatalf("serve did not stop on %v:\n%s", sig, p.log)
	}
	return -1
}

func (p *serveProcess) get(t *testing.T, path string, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+p.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// serveDoc is the part of the search document that must agree between
// CLI and HTTP: everything but the measured time.
type serveDoc struct {
	Query   string            `json:"query"`
	Mode    string            `json:"mode"`
	Results []json.RawMessage `json:"results"`
}

func serveDecodeDoc(t *testing.T, b []byte) serveDoc {
	t.Helper()
	var d serveDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("not a search document: %v\n%s", err, b)
	}
	return d
}

func serveIDs(t *testing.T, d serveDoc) []string {
	t.Helper()
	var out []string
	for _, r := range d.Results {
		var v struct{ ID string }
		if err := json.Unmarshal(r, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v.ID)
	}
	return out
}

// serveSameJSON compares two JSON values ignoring formatting.
func serveSameJSON(a, b []byte) bool {
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return false
	}
	return x.String() == y.String()
}

func serveEndToEnd(t *testing.T, bin, ix string) {
	p := startServe(t, bin, ix, nil)

	searches := []struct {
		args   []string
		params url.Values
	}{
		{[]string{"graph kernels"}, url.Values{"q": {"graph kernels"}}},
		{[]string{"--mode", "keyword", "-k", "5", "language", "models"}, url.Values{"q": {"language models"}, "mode": {"keyword"}, "k": {"5"}}},
		{[]string{"--mode", "semantic", "--year", "2024..2025", "memory for long contexts"}, url.Values{"q": {"memory for long contexts"}, "mode": {"semantic"}, "year": {"2024..2025"}}},
		{[]string{"-k", "4", "--offset", "3", "kv cache"}, url.Values{"q": {"kv cache"}, "k": {"4"}, "offset": {"3"}}},
		{[]string{"--fusion", "rrf", "--rrf-k", "20", "speculative decoding"}, url.Values{"q": {"speculative decoding"}, "fusion": {"rrf"}, "rrf_k": {"20"}}},
		// explain is read on both sides: each result carries an "explain"
		// object (serveSameJSON compares whole results).
		{[]string{"--explain", "--mode", "semantic", "speculative decoding"}, url.Values{"q": {"speculative decoding"}, "explain": {"true"}, "mode": {"semantic"}}},
		{[]string{"--keyword-weight", "0.3", "--year", "2023..", "inference"}, url.Values{"q": {"inference"}, "keyword_weight": {"0.3"}, "year": {"2023.."}}},
		{[]string{"--category", "cs.CL", "--author", "lovelace", "attention"}, url.Values{"q": {"attention"}, "category": {"cs.CL"}, "author": {"lovelace"}}},
	}
	for _, s := range searches {
		t.Run("search "+strings.Join(s.args, " "), func(t *testing.T) {
			cli := serveDecodeDoc(t, serveCLI(t, bin, nil, append([]string{"search", "--json", "--index", ix}, s.args...)...))
			status, body := p.get(t, "/v1/search?"+s.params.Encode())
			if status != http.StatusOK {
				t.Fatalf("HTTP %d: %s", status, body)
			}
			web := serveDecodeDoc(t, body)
			cliIDs, webIDs := serveIDs(t, cli), serveIDs(t, web)
			if len(cliIDs) == 0 || strings.Join(cliIDs, "\n") != strings.Join(webIDs, "\n") {
				t.Fatalf("ids differ:\n CLI  %q\n HTTP %q", cliIDs, webIDs)
			}
			for i := range cli.Results {
				if !serveSameJSON(cli.Results[i], web.Results[i]) {
					t.Errorf("result %d differs:\n CLI  %s\n HTTP %s", i+1, cli.Results[i], web.Results[i])
				}
			}
			if explain := s.params.Get("explain") == "true"; explain != bytes.Contains(cli.Results[0], []byte(`"explain"`)) {
				t.Errorf("explain asked %v, first result %s", explain, cli.Results[0])
			}
			if cli.Query != web.Query || cli.Mode != web.Mode {
				t.Errorf("query/mode: CLI %q %q, HTTP %q %q", cli.Query, cli.Mode, web.Query, web.Mode)
			}
		})
	}

	for _, id := range []string{"cs/0701113", "paper with spaces"} {
		t.Run("paper "+id, func(t *testing.T) {
			cli := serveCLI(t, bin, nil, "get", "--json", "--index", ix, id)
			status, body := p.get(t, "/v1/papers/"+url.PathEscape(id))
			if status != http.StatusOK || !serveSameJSON(cli, body) {
				t.Errorf("HTTP %d %s\nCLI %s", status, body, cli)
			}
			cliRel := serveDecodeDoc(t, serveCLI(t, bin, nil, "related", "--json", "--index", ix, id))
			status, body = p.get(t, "/v1/papers/"+url.PathEscape(id)+"/related")
			if status != http.StatusOK {
				t.Fatalf("related: HTTP %d %s", status, body)
			}
			if got, want := serveIDs(t, serveDecodeDoc(t, body)), serveIDs(t, cliRel); len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("related ids differ:\n CLI  %q\n HTTP %q", want, got)
			}
		})
	}

	t.Run("an index run while serving is picked up", func(t *testing.T) {
		added := filepath.Join(t.TempDir(), "added.jsonl")
		serveWriteLines(t, added, `{"id":"hep/9901001","title":"Narwhal Tusks as Salinity Sensors","abstract":"The narwhal tusk carries tubules that let seawater reach nerve endings, so the whale senses salinity.","year":2025}`)
		if status, _ := p.get(t, "/v1/papers/hep%2F9901001"); status != http.StatusNotFound {
			t.Fatalf("before indexing: %d", status)
		}
		// The index run is not blocked by the server holding the index open.
		serveCLI(t, bin, nil, "index", "--index", ix, added)
		for deadline := time.Now().Add(serveSafetyNet); ; time.Sleep(50 * time.Millisecond) {
			if status, _ := p.get(t, "/v1/papers/hep%2F9901001"); status == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the new paper never became visible:\n%s", p.log)
			}
		}
		status, body := p.get(t, "/v1/search?q=narwhal+tusk+salinity&k=1")
		if ids := serveIDs(t, serveDecodeDoc(t, body)); status != http.StatusOK || len(ids) != 1 || ids[0] != "hep/9901001" {
			t.Errorf("search for the new paper: %d %s", status, body)
		}
	})

	code := p.stop(t, syscall.SIGTERM)
	log := p.log.String()
	if code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0:\n%s", code, log)
	}
	for _, want := range []string{"msg=request method=GET path=/v1/search status=200", "msg=\"serving new index generation\"", "msg=stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "panic") || strings.Contains(log, "goroutine ") {
		t.Errorf("stderr shows a crash:\n%s", log)
	}
}

func serveToken(t *testing.T, bin, ix string) {
	const token = "e2e-secret-7f3a"
	p := startServe(t, bin, ix, []string{"PAPERSEEK_TOKEN=" + token})
	tests := []struct {
		path   string
		header []string
		status int
	}{
		{"/v1/stats", nil, http.StatusUnauthorized},
		{"/v1/search?q=graph", []string{"Authorization", "Bearer wrong"}, http.StatusUnauthorized},
		{"/v1/search?q=graph", []string{"Authorization", "Bearer " + token}, http.StatusOK},
		{"/healthz", nil, http.StatusOK},
		{"/", nil, http.StatusOK},
	}
	for _, tt := range tests {
		if status, body := p.get(t, tt.path, tt.header...); status != tt.status {
			t.Errorf("GET %s %v: %d %s, want %d", tt.path, tt.header, status, body, tt.status)
		}
	}
	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit code %d after SIGINT", code)
	}
	if log := p.log.String(); strings.Contains(log, token) || !strings.Contains(log, "token_required=true") {
		t.Errorf("stderr must say a token is required and never show it:\n%s", log)
	}
}

func serveUsageErrors(t *testing.T, bin, ix string) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		args []string
		env  []string
		code int
		msg  string
	}{
		{"no index", []string{"serve", "--index", t.TempDir()}, nil, 2, "paperseek index"},
		{"address not host:port", []string{"serve", "--index", ix, "--addr", "8080"}, nil, 2, "is not HOST:PORT"},
		{"argument", []string{"serve", "--index", ix, "extra"}, nil, 2, "no arguments"},
		{"unknown flag", []string{"serve", "--index", ix, "--port", "80"}, nil, 2, "unknown flag"},
		{"token with a newline", []string{"serve", "--index", ix}, []string{"PAPERSEEK_TOKEN=a\nb"}, 2, "printable ASCII"},
		{"address in use", []string{"serve", "--index", ix, "--addr", busy.Addr().String()}, nil, 1, "cannot listen on " + busy.Addr().String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Env = append(os.Environ(), tt.env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(serveSafetyNet):
				cmd.Process.Kill()
				t.Fatalf("still running instead of failing:\n%s", stderr.String())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tt.code {
				t.Fatalf("exit %v, want code %d:\n%s", err, tt.code, stderr.String())
			}
			msg := strings.TrimSpace(stderr.String())
			if strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, "paperseek: ") || !strings.Contains(msg, tt.msg) {
				t.Errorf("stderr %q: want one line mentioning %q", msg, tt.msg)
			}
		})
	}
}

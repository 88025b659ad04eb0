package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paperseek/paperseek/index"
)

// startServer runs s on a free loopback port until the test ends and
// returns its address and the channel Serve's result arrives on.
func startServer(t *testing.T, s *Server) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- s.Serve(ctx, ln)
		close(errc) // later receives (the cleanup's) return at once
	}()
	t.Cleanup(func() {
		cancel()
		<-errc
	})
	return ln.Addr().String(), cancel, errc
}

// safetyNet bounds a read that the server is expected to end much sooner;
// reaching it means the server did not cut the client off at all.
const safetyNet = 30 * time.Second

// readAfterCutOff reads what the server sends to a client it should cut
// off: a 408 response or nothing, then the end of the connection.
func readAfterCutOff(t *testing.T, conn net.Conn) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(safetyNet))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server never cut off the slow client")
	}
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Fatalf("slow client got %d %s, want 408 or a closed connection", resp.StatusCode, body)
		}
		if e := apiError(t, body); e.Code != CodeRequestTimeout {
			t.Errorf("code %q", e.Code)
		}
		// And then the connection is closed, not kept for more.
		if _, err := br.ReadByte(); err == nil || (errors.As(err, &ne) && ne.Timeout()) {
			t.Errorf("connection still open after the 408 (err %v)", err)
		}
	}
}

// dribble writes one byte at a time until the connection fails or stop.
func dribble(conn net.Conn, b byte, stop <-chan struct{}) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if _, err := conn.Write([]byte{b}); err != nil {
			return
		}
	}
}

func TestSlowClientsAreCutOff(t *testing.T) {
	s, _ := newServer(t, "", func(s *Server) {
		s.ReadHeaderTimeout = 300 * time.Millisecond
		s.ReadTimeout = 300 * time.Millisecond
	})
	addr, _, _ := startServer(t, s)
	tests := []struct {
		name, head string
		b          byte
	}{
		// At one byte per 20ms this body would take over half an hour.
		{"slow body", "POST /v1/search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"query\":\"", 'a'},
		{"slow headers", "GET /v1/search?q=graph HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", 'a'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.head); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			defer close(stop)
			go dribble(conn, tt.b, stop)
			readAfterCutOff(t, conn)
		})
	}
	// The server is still fine for everyone else.
	resp, err := http.Get("http://" + addr + "/v1/search?q=graph+kernels")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("normal request after the slow ones: %d", resp.StatusCode)
	}
}

func TestFloodOfBadRequestsLeavesValidOnesServed(t *testing.T) {
	const token = "flood-test-token"
	s, _ := newServer(t, "", func(s *Server) {
		s.Token = token
		s.MaxBodyBytes = 4 << 10
		s.MaxConcurrent = 2
	})
	addr, _, _ := startServer(t, s)
	base := "http://" + addr
	bad := []struct {
		method, path, body string
		auth               bool
		status             int
	}{
		{"GET", "/v1/search?q=x&k=0", "", true, 400},
		{"GET", "/v1/search?q=x&mode=nope", "", true, 400},
		{"GET", "/v1/search?q=x&year=3000..1000", "", true, 400},
		{"POST", "/v1/search", `{"query": "x",`, true, 400},
		{"POST", "/v1/search", `{"query":"x","bogus":1}`, true, 400},
		{"POST", "/v1/search", `{"query":"` + strings.Repeat("x", 8<<10) + `"}`, true, 413},
		{"DELETE", "/v1/search", "", true, 405},
		{"GET", "/v1/search?q=graph", "", false, 401},
		{"GET", "/v1/stats", "", false, 401},
		{"GET", "/v1/papers/no-such-paper", "", true, 404},
		{"GET", "/v1/no-such-endpoint", "", true, 404},
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	defer client.CloseIdleConnections()
	do := func(method, path, body string, auth bool) (int, []byte, error) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}

	const workers, perWorker = 16, 40
	var wg sync.WaitGroup
	failures := make(chan string, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				b := bad[(w+i)%len(bad)]
				status, body, err := do(b.method, b.path, b.body, b.auth)
				if err != nil {
					failures <- fmt.Sprintf("%s %s: %v", b.method, b.path, err)
					continue
				}
				if status != b.status {
					failures <- fmt.Sprintf("%s %s: %d, want %d", b.method, b.path, status, b.status)
					continue
				}
				var e ErrorBody
				if json.Unmarshal(body, &e) != nil || e.Error.Code == "" {
					failures <- fmt.Sprintf("%s %s: body %q is not the error shape", b.method, b.path, body)
				}
			}
		}()
	}
	// Valid searches in the middle of the flood all succeed.
	for i := range 30 {
		status, body, err := do("GET", "/v1/search?q=graph+kernels&k=3", "", true)
		if err != nil || status != http.StatusOK {
			t.Fatalf("valid request %d during the flood: %d %s %v", i, status, body, err)
		}
		resp := decodeResponse(t, body)
		if len(resp.Results) == 0 || resp.Results[0].ID != slashID {
			t.Fatalf("valid request %d: results %v", i, ids(resp))
		}
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
}

func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	active := make(chan struct{}, 1)
	s, _ := newServer(t, "", nil)
	s.connState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateActive {
			select {
			case active <- struct{}{}:
			default:
			}
		}
	}
	addr, shutdown, errc := startServer(t, s)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"query":"graph kernels","k":2}`
	fmt.Fprintf(conn, "POST /v1/search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
	<-active // the server is reading our request

	shutdown() // what SIGTERM does in `paperseek serve`
	// Shutdown has begun once new connections are refused.
	for deadline := time.Now().Add(safetyNet); ; {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-errc:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}

	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(safetyNet))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request cut off by the shutdown: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(decodeResponse(t, b).Results) != 2 {
		t.Fatalf("in-flight request: %d %s", resp.StatusCode, b)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Serve after a graceful shutdown: %v", err)
	}
}

func TestServerPicksUpNewGeneration(t *testing.T) {
	dir := privateIndex(t)
	s, logs := newServer(t, dir, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Engines.Run(ctx, 10*time.Millisecond)
	addr, _, _ := startServer(t, s)
	paperURL := "http://" + addr + "/v1/papers/added%2F1"

	get := func(u string) (int, []byte) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if status, _ := get(paperURL); status != http.StatusNotFound {
		t.Fatalf("before indexing: %d, want 404", status)
	}
	if err := buildIndex(ctx, dir, []index.Paper{newPaper(1)}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(safetyNet); ; time.Sleep(10 * time.Millisecond) {
		if status, _ := get(paperURL); status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never picked up the new generation")
		}
	}
	status, b := get("http://" + addr + "/v1/search?q=narwhal+tusk&k=1")
	if status != http.StatusOK || ids(decodeResponse(t, b))[0] != "added/1" {
		t.Errorf("search for the new paper: %d %s", status, b)
	}
	status, b = get("http://" + addr + "/v1/stats")
	var st index.Stats
	if status != http.StatusOK || json.Unmarshal(b, &st) != nil || st.Papers != 14 || st.Generation != 2 {
		t.Errorf("stats after the pickup: %d %s", status, b)
	}
	if !strings.Contains(logs.String(), "serving new index generation") {
		t.Errorf("the switch is not logged:\n%s", logs)
	}
}

//go:build linux || darwin

package main

// The progress bar as a person sees it: the built binary indexes with its
// stderr on a pseudo-terminal (so it draws the bar) against the fake
// OpenAI-compatible server, slowed so that the bar redraws between
// batches. What the terminal received is read back and checked.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/paperseek/paperseek/embed/openai/openaitest"
)

var embeddingBar = regexp.MustCompile(`embedding  (\d+)(?:/(\d+))?`)

func TestProgressBarOnTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary on a pseudo-terminal")
	}
	srv := openaitest.NewServer(t)
	srv.APIKey = "sk-test"
	// Each request takes longer than the bar's 200ms redraw interval, so
	// every batch can show.
	srv.Delay = 300 * time.Millisecond
	const papers = 1100 // chunks of 512, requests of 256: 6 requests
	var b strings.Builder
	for i := range papers {
		fmt.Fprintf(&b, `{"id":"p%d","title":"Paper %d on graph kernels","abstract":"Graph kernels compare labelled graphs number %d."}`+"\n", i, i, i)
	}
	file := filepath.Join(t.TempDir(), "papers.jsonl")
	write(t, file, b.String())

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	cmd := exec.Command(binary, "index", "--index", t.TempDir(), "--embedder", "openai", "--dimensions", "16", "--workers", "1", file)
	cmd.Env = append(os.Environ(), "PAPERSEEK_INDEX=", "OPENAI_BASE_URL="+srv.URL, "OPENAI_API_KEY=sk-test", "NO_COLOR=1")
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds it now; reading ends when the child exits
	var screen bytes.Buffer
	// A pseudo-terminal whose other side has closed reads EIO: the end.
	if _, err := io.Copy(&screen, ptmx); err != nil && !errors.Is(err, syscall.EIO) {
		t.Logf("reading the terminal: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("index on a terminal: %v\n%s", err, screen.String())
	}
	out := screen.String()
	if !strings.Contains(out, "\r\x1b[K") {
		t.Fatalf("no bar drawn on the terminal:\n%q", out)
	}
	var counts []int
	for _, frame := range strings.Split(out, "\r\x1b[K") {
		m := embeddingBar.FindStringSubmatch(frame)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		counts = append(counts, n)
		if m[2] != "" {
			if total, _ := strconv.Atoi(m[2]); total != papers || n > total {
				t.Errorf("bar %q: want a count out of %d", frame, papers)
			}
		}
	}
	if len(counts) < 3 {
		t.Fatalf("the bar showed embedding %d times (%v), want one per batch or so:\n%q", len(counts), counts, out)
	}
	for i := 1; i < len(counts); i++ {
		if counts[i] < counts[i-1] {
			t.Errorf("the embedding count went back from %d to %d: %v", counts[i-1], counts[i], counts)
		}
	}
	// The summary line follows the erased bar, on a line of its own.
	if !strings.Contains(out, "\r\x1b[Kindexed 1100 papers") {
		t.Errorf("the summary does not replace the bar:\n%q", out[max(0, len(out)-300):])
	}
	t.Logf("embedding counts shown: %v", counts)
}

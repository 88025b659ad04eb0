package main

// A full disk while the next generation is written: the run fails with one
// clear line, the previous generation stays exactly as it was, and the next
// run works. RLIMIT_FSIZE (prlimit --fsize) makes every write past N bytes
// of one file fail with EFBIG, the way a full disk fails with ENOSPC (Go
// ignores SIGXFSZ, so the error reaches paperseek instead of killing it).
// Different limits stop different files.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFullDiskLeavesPreviousGeneration(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		// CI sets PAPERSEEK_REQUIRE_PRLIMIT=1 (and installs util-linux):
		// there this test must run, not skip.
		if os.Getenv("PAPERSEEK_REQUIRE_PRLIMIT") == "1" {
			t.Fatal("prlimit (util-linux) is not installed and PAPERSEEK_REQUIRE_PRLIMIT=1: the full-disk test must run")
		}
		t.Skip("prlimit (util-linux) is not installed, so file sizes cannot be limited: install util-linux to run this test")
	}
	sc := synth(t)
	size := func(rel string) int64 {
		fi, err := os.Stat(filepath.Join(sc.base, "gen-000001", rel))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	bolt, vectors, model := size("keyword/store/root.bolt"), size("vectors/seg-000001.bin"), size("embedder.bin")
	// The first run's keyword index merged into one segment, the largest
	// of its files (merged-away ones may linger until Bleve cleans up):
	// the second run's merge writes a larger one, last of all its files.
	zaps, err := filepath.Glob(filepath.Join(sc.base, "gen-000001", "keyword", "store", "*.zap"))
	if err != nil || len(zaps) == 0 {
		t.Fatalf("the first run left no keyword segments (%v)", err)
	}
	var merged int64
	for _, z := range zaps {
		merged = max(merged, size(filepath.Join("keyword", "store", filepath.Base(z))))
	}
	add := []string{"--batch-size", "200", sc.b}
	retrain := []string{"--retrain", "--batch-size", "200", sc.b}
	// Limits between the sizes of the files a run writes, in the order it
	// writes them: the copied Bleve root, a 200-paper segment (≈350 KB),
	// the model (retrain only), the vectors of the run's 1,000 papers (a
	// third of the first run's 3,000, written to the builder's spill file
	// and then a new segment), the merged keyword segment. The manifest (≈300 bytes) is
	// smaller than every file before it, so no limit reaches it alone; the
	// manifest-switch failpoint covers dying there.
	tests := []struct {
		name  string
		limit int64
		args  []string
		file  string // what the error line must name
	}{
		{"keyword index copy", bolt / 2, add, "root.bolt"},
		{"keyword segment", bolt * 3 / 2, add, ".zap"},
		{"vectors file", vectors / 6, add, "vectors"},
		{"model file", model / 2, retrain, "embedder.bin"},
		{"keyword merge", merged, add, ".zap"},
	}
	ix := copyIndex(t, sc.base)
	before := snapshot(t, ix)
	// The failures run one after another on the same index: however many
	// runs fail, it stays on generation 1.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runLimited(t, prlimit, tt.limit, append([]string{"index", "--index", ix}, tt.args...)...)
			msg := strings.TrimSpace(r.stderr)
			t.Logf("limit %d bytes: exit %d: %s", tt.limit, r.code, msg)
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "paperseek: ") {
				t.Errorf("want one error line, got:\n%s", r.stderr)
			}
			if !strings.Contains(msg, "file too large") || !strings.Contains(msg, tt.file) ||
				!strings.Contains(msg, "not enough space") || !strings.Contains(msg, "the index was left unchanged") {
				t.Errorf("the error does not say that writing %s failed for lack of room and nothing changed: %s", tt.file, msg)
			}
			if after := snapshot(t, ix); after != before {
				t.Errorf("the index changed:\nbefore %s\nafter  %s", before, after)
			}
			stateOf(t, sc, ix, sc.A)
			if c := checkOK(t, ix); c.Generation != 1 || len(c.Leftovers) > 0 {
				t.Errorf("after the failed run: generation %d, leftovers %v", c.Generation, c.Leftovers)
			}
		})
	}
	// With room again, the same run succeeds.
	must(t, append([]string{"index", "--index", ix}, add...)...)
	stateOf(t, sc, ix, sc.AB)
}

// runLimited runs the binary with every file it writes limited to limit
// bytes.
func runLimited(t *testing.T, prlimit string, limit int64, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a hang, not a timing assertion
	defer cancel()
	cmd := exec.CommandContext(ctx, prlimit, append([]string{"--fsize=" + strconv.FormatInt(limit, 10), binary}, args...)...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "PAPERSEEK_INDEX=", "OPENAI_BASE_URL=", "OPENAI_API_KEY=", "NO_COLOR=1")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("paperseek %v under a file size limit of %d did not finish within 60s", args, limit)
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

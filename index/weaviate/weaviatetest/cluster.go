package weaviatetest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// RequireEnv makes a missing Weaviate binary a test failure instead of a
// skip. `make cluster-test` sets it, so a cluster suite never passes by
// skipping.
const RequireEnv = "PAPERSEEK_REQUIRE_WEAVIATE"

// Version is the Weaviate release scripts/weaviate.sh builds and the
// fixtures in testdata were recorded from.
const Version = "v1.35.2"

// Binary is the server binary the cluster tests use: $PAPERSEEK_WEAVIATE_BIN,
// else the one scripts/weaviate.sh build caches. ok is false when there is
// no such file.
func Binary() (path string, ok bool) {
	if p := os.Getenv("PAPERSEEK_WEAVIATE_BIN"); p != "" {
		st, err := os.Stat(p)
		return p, err == nil && !st.IsDir()
	}
	cache := os.Getenv("PAPERSEEK_WEAVIATE_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "paperseek", "weaviate")
	}
	p := filepath.Join(cache, "weaviate-server-"+Version)
	st, err := os.Stat(p)
	return p, err == nil && !st.IsDir()
}

// RequireBinary skips tb — loudly, saying how to run it — when there is no
// server binary, or fails it when RequireEnv is set.
func RequireBinary(tb testing.TB) string {
	tb.Helper()
	p, ok := Binary()
	if ok {
		return p
	}
	msg := fmt.Sprintf("NO WEAVIATE SERVER BINARY at %s: the real-cluster tests did NOT run. "+
		"Build it with `scripts/weaviate.sh build` (about 12 minutes, 2.6 GB of modules) or point "+
		"PAPERSEEK_WEAVIATE_BIN at one; `make cluster-test` runs them.", p)
	if os.Getenv(RequireEnv) != "" {
		tb.Fatalf("%s=%s: %s", RequireEnv, os.Getenv(RequireEnv), msg)
	}
	tb.Skip("SKIP: " + msg)
	return ""
}

// Cluster is a loopback Weaviate cluster started with scripts/weaviate.sh.
type Cluster struct {
	// URLs are the nodes' HTTP base URLs, node 0 first.
	URLs   []string
	dir    string
	script string
	env    []string
	mu     sync.Mutex
}

// StartCluster starts an n-node cluster with its data in a temporary
// directory and stops it when tb ends. It skips or fails tb as
// RequireBinary says when there is no binary.
func StartCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	bin := RequireBinary(tb)
	c, err := Launch(bin, tb.TempDir(), n)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return c
}

// Launch starts an n-node cluster of the server binary bin with its data
// under dir, on the first free block of ports from offset 1000 up (so it
// never collides with a developer's cluster on the default ports). Call
// Stop when done. For TestMain, where there is no testing.TB.
func Launch(bin, dir string, n int) (*Cluster, error) {
	script, err := scriptPath()
	if err != nil {
		return nil, err
	}
	var lastErr error
	for offset := 1000; offset < 3000; offset += 50 {
		if !portsFree(offset, n) {
			continue
		}
		c := &Cluster{dir: dir, script: script, env: append(os.Environ(),
			"PAPERSEEK_WEAVIATE_BIN="+bin,
			"PAPERSEEK_WEAVIATE_DATA="+dir,
			"PAPERSEEK_WEAVIATE_OFFSET="+strconv.Itoa(offset),
		)}
		if lastErr = c.run("start", strconv.Itoa(n)); lastErr != nil {
			// Another test process may have taken these ports between
			// the check and the start: try the next block.
			continue
		}
		for i := 0; i < n; i++ {
			c.URLs = append(c.URLs, fmt.Sprintf("http://127.0.0.1:%d", 8081+offset+i))
		}
		return c, nil
	}
	if lastErr == nil {
		lastErr = errors.New("no free block of ports between offsets 1000 and 3000")
	}
	return nil, fmt.Errorf("start a %d-node weaviate cluster: %w", n, lastErr)
}

// Kill kills node i with SIGKILL, as a crash would.
func (c *Cluster) Kill(i int) error { return c.run("kill", strconv.Itoa(i)) }

// Restart starts node i again (after Kill) and waits until it is ready.
func (c *Cluster) Restart(i int) error { return c.run("restart", strconv.Itoa(i)) }

// Stop stops every node.
func (c *Cluster) Stop() error { return c.run("stop") }

// Dir is where the nodes keep their data and logs (node<i>.log).
func (c *Cluster) Dir() string { return c.dir }

func (c *Cluster) run(args ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cmd := exec.Command("bash", append([]string{c.script}, args...)...)
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("scripts/weaviate.sh %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// portsFree reports whether the HTTP and gossip ports of an n-node cluster
// at offset are free on loopback.
func portsFree(offset, n int) bool {
	for i := 0; i < n; i++ {
		for _, p := range []int{8081 + offset + i, 7100 + offset + 10*i, 7101 + offset + 10*i, 8300 + offset + 2*i, 8301 + offset + 2*i, 50061 + offset + i} {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				return false
			}
			l.Close()
		}
	}
	return true
}

// scriptPath finds scripts/weaviate.sh by walking up from the working
// directory (a test runs in its package directory) to the module root.
func scriptPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "scripts", "weaviate.sh")
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("module root %s has no scripts/weaviate.sh", dir)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("scripts/weaviate.sh: no go.mod above the working directory")
		}
		dir = parent
	}
}

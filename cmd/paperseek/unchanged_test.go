package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
)

// unchanged decides from the error's cause, not its text, and says the
// index was left unchanged once, however often it is applied.
func TestUnchanged(t *testing.T) {
	full := fmt.Errorf("write vectors: %w", &fs.PathError{Op: "write", Path: "/ix/gen-000002/.vectors.bin.tmp-123", Err: syscall.ENOSPC})
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"plain", errors.New("truncated gzip stream"), "truncated gzip stream; the index was left unchanged"},
		{"said twice", unchanged(unchanged(errors.New("truncated gzip stream"), "/ix"), "/ix"), "truncated gzip stream; the index was left unchanged"},
		{"disk full", full, "not enough space to write the index in /ix (vectors.bin: no space left on device); the index was left unchanged: free some space (or raise the file-size limit) and run the same command again"},
		{"disk full twice", unchanged(full, "/ix"), "not enough space to write the index in /ix (vectors.bin: no space left on device); the index was left unchanged: free some space (or raise the file-size limit) and run the same command again"},
		{"file size limit on a rename", &os.LinkError{Op: "rename", Old: "/ix/a", New: "/ix/manifest.json", Err: syscall.EFBIG}, "not enough space to write the index in /ix (manifest.json: file too large)"},
		{"quota, no file", fmt.Errorf("flush: %w", syscall.EDQUOT), "not enough space to write the index in /ix (disk quota exceeded)"},
		// Text is not a cause: a paper may be titled so.
		{"text only", errors.New(`bad record "no space left on device"`), `bad record "no space left on device"; the index was left unchanged`},
	}
	for _, tt := range tests {
		got := unchanged(tt.err, "/ix")
		if !strings.HasPrefix(got.Error(), tt.want) {
			t.Errorf("%s: %q\nwant %q", tt.name, got, tt.want)
		}
		if n := strings.Count(got.Error(), "left unchanged"); n != 1 {
			t.Errorf("%s: says it %d times: %q", tt.name, n, got)
		}
		if !errors.Is(got, errors.Unwrap(got)) || errors.Unwrap(got) == nil {
			t.Errorf("%s: the cause is lost", tt.name)
		}
	}
	if !errors.Is(unchanged(full, "/ix"), syscall.ENOSPC) {
		t.Error("ENOSPC is not reachable with errors.Is")
	}
}

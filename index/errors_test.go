package index

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"
)

// Errors keep their cause: a refused permission or a missing file is not
// reported as a corrupt index, and every cause stays reachable with
// errors.Is; usage and not-found errors read as their own message.
func TestErrorKinds(t *testing.T) {
	denied := &fs.PathError{Op: "open", Path: "/ix/keyword/store", Err: syscall.EACCES}
	garbled := errors.New("bad magic")
	for _, tt := range []struct {
		err         error
		corrupt     bool
		cause       error
		wantMessage string
	}{
		{Corrupt("open keyword index /ix/keyword", denied), false, fs.ErrPermission, "open keyword index /ix/keyword: open /ix/keyword/store: permission denied"},
		{Corrupt("open keyword index /ix/keyword", &fs.PathError{Op: "open", Path: "/ix/x", Err: syscall.ENOENT}), false, fs.ErrNotExist, "open keyword index /ix/keyword: open /ix/x: no such file or directory"},
		{Corrupt("open keyword index /ix/keyword", garbled), true, garbled, "index is corrupt: open keyword index /ix/keyword: bad magic"},
	} {
		if errors.Is(tt.err, ErrCorrupt) != tt.corrupt {
			t.Errorf("%v: corrupt %v, want %v", tt.err, !tt.corrupt, tt.corrupt)
		}
		if !errors.Is(tt.err, tt.cause) {
			t.Errorf("%v lost its cause %v", tt.err, tt.cause)
		}
		if tt.err.Error() != tt.wantMessage {
			t.Errorf("message %q, want %q", tt.err, tt.wantMessage)
		}
	}
	u := Usagef("bad --since %q: %w", "x", garbled)
	if !errors.Is(u, ErrUsage) || !errors.Is(u, garbled) || u.Error() != `bad --since "x": bad magic` {
		t.Errorf("Usagef: %v", u)
	}
	n := NotFoundf("no paper with id %q", "p1")
	if !errors.Is(n, ErrNotFound) || n.Error() != `no paper with id "p1"` {
		t.Errorf("NotFoundf: %v", n)
	}
}

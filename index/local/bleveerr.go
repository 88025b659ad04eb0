package local

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
)

// bleveCause gives back the cause Bleve drops. Its persister (scorch,
// v2.6.3 persister.go) formats a failed segment write with %v —
// "segment: PATH persist err: write PATH: file too large" — so a full disk
// reaches us as text only. When the text ends in the message of an errno
// that means a lack of room, the error is wrapped again with that errno in
// a *fs.PathError naming the file, so that callers decide with errors.Is
// and errors.As as for every other write. Anything else is returned as it
// is. (This is the one place that reads error text: a dependency's.)
func bleveCause(err error) error {
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return err // the cause is there
	}
	msg := err.Error()
	for _, e := range []syscall.Errno{syscall.ENOSPC, syscall.EFBIG, syscall.EDQUOT} {
		head, ok := strings.CutSuffix(msg, ": "+e.Error())
		if !ok {
			continue
		}
		path := head
		if i := strings.LastIndex(head, " "); i >= 0 {
			path = head[i+1:]
		}
		return &bleveError{err: err, cause: &fs.PathError{Op: "write", Path: path, Err: e}}
	}
	return err
}

// bleveError keeps Bleve's message and adds the cause it dropped.
type bleveError struct {
	err   error
	cause error
}

func (e *bleveError) Error() string   { return e.err.Error() }
func (e *bleveError) Unwrap() []error { return []error{e.err, e.cause} }

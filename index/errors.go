package index

import (
	"errors"
	"fmt"
	"io/fs"
)

// Sentinel errors the command layer maps to exit codes and HTTP statuses.
var (
	// ErrNoIndex: the directory holds no index yet (a usage error: index first).
	ErrNoIndex = errors.New("no index")
	// ErrCorrupt: the index exists but cannot be read.
	ErrCorrupt = errors.New("index is corrupt")
	// ErrLocked: another process is writing to the index.
	ErrLocked = errors.New("index is locked by another writer")
	// ErrUsage: a bad option value (exit 2).
	ErrUsage = errors.New("usage error")
	// ErrNotFound: no paper with that id.
	ErrNotFound = errors.New("no such paper")
)

// kindError is an error of one of the kinds above that reads as its own
// message: errors.Is(err, kind) holds, and no sentinel text ("usage error:
// ") stands before the message, so nothing has to strip it off.
type kindError struct{ kind, err error }

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// Usagef returns a usage error (errors.Is ErrUsage) reading as the
// formatted message; %w in format keeps a cause.
func Usagef(format string, args ...any) error {
	return &kindError{ErrUsage, fmt.Errorf(format, args...)}
}

// Usage marks err as a usage error, its message unchanged.
func Usage(err error) error { return &kindError{ErrUsage, err} }

// NotFoundf returns an error for an unknown paper (errors.Is ErrNotFound)
// reading as the formatted message.
func NotFoundf(format string, args ...any) error {
	return &kindError{ErrNotFound, fmt.Errorf(format, args...)}
}

// Corrupt wraps a failure to read part of an index: ErrCorrupt, unless
// the cause says the data may well be sound — a permission refused or a
// file that is not there is the user's (or another process's) doing, and
// "index is corrupt" would send them to repair what is not broken. The
// cause stays inspectable with errors.Is/As either way.
func Corrupt(what string, err error) error {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrCorrupt, what, err)
}

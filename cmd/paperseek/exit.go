package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/query"
)

// Exit codes, as the contract fixes them.
const (
	exitOK      = 0
	exitFailure = 1 // runtime failure: I/O, embedder unreachable, corrupt index
	exitUsage   = 2 // bad flag or argument, missing index
)

// usageError marks an error as the user's to fix (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// silentError carries an exit code for a failure already reported on
// stderr (e.g. bad records, each printed as FILE:LINE: reason).
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitCode maps an error to the contract's exit codes.
func exitCode(err error) int {
	var silent *silentError
	var usage *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &silent):
		return silent.code
	case errors.As(err, &usage),
		query.IsBadRequest(err),
		errors.Is(err, index.ErrNoIndex),
		errors.Is(err, embed.ErrMismatch),
		errors.Is(err, index.ErrNotFound),
		errors.Is(err, index.ErrUsage):
		return exitUsage
	}
	return exitFailure
}

// errorLine is the one line printed for err, no stack traces. (Usage and
// not-found errors read as their own message: index.Usagef, NotFoundf.)
func errorLine(err error) string {
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

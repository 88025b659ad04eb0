package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams owns stdin, stdout and stderr and knows which are terminals.
// Nothing else in the program writes to os.Stdout or asks about a TTY, so
// tests swap in buffers and get plain, deterministic output.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	outTTY bool
	errTTY bool
}

// systemStreams is the real process's streams.
func systemStreams() *IOStreams {
	return &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		outTTY: term.IsTerminal(int(os.Stdout.Fd())),
		errTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// Bold returns the escape codes that turn bold on and off for stdout: ANSI
// on a terminal (unless NO_COLOR is set), nothing when piped.
func (s *IOStreams) Bold() (on, off string) {
	if !s.outTTY || os.Getenv("NO_COLOR") != "" {
		return "", ""
	}
	return "\x1b[1m", "\x1b[0m"
}

// ProgressEnabled reports whether a progress bar may be drawn on stderr.
func (s *IOStreams) ProgressEnabled() bool { return s.errTTY }

package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], systemStreams()))
}

// run executes one command line and returns the exit code. Every failure
// becomes exactly one line on stderr.
func run(args []string, io *IOStreams) (code int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer func() {
		// A bug must not reach the user as a Go stack trace.
		if r := recover(); r != nil {
			fmt.Fprintf(io.ErrOut, "paperseek: internal error: %v (please report this)\n", r)
			code = exitFailure
		}
	}()
	root := newRootCmd(io)
	root.SetArgs(args)
	started := false
	root.PersistentPreRun = func(*cobra.Command, []string) { started = true }
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if !started {
		// cobra failed before any command ran: an unknown command or
		// flag, or wrong arguments.
		err = &usageError{err}
	}
	code = exitCode(err)
	if _, silent := err.(*silentError); !silent {
		fmt.Fprintf(io.ErrOut, "paperseek: %s\n", errorLine(err))
	}
	return code
}

package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/index"
)

// deleteSummary is `delete --json`.
type deleteSummary struct {
	Deleted int      `json:"deleted"`
	Unknown []string `json:"unknown,omitempty"`
	Total   int      `json:"total"`
	Seconds float64  `json:"seconds"`
}

func newDeleteCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID... | delete -",
		Short: "Remove papers from the index (by id, doi:…, arxiv:… or pmid:…; - reads ids from stdin)",
		Long: `Removes papers from both rankings in one atomic commit, as an index run does:
a failure leaves the index as it was. Papers are named by id or by an external
id (doi:10.1145/…, arxiv:2401.01234, pmid:123); - reads one a line from stdin.
Unknown ones are reported and the rest still removed; the exit code is then 1.`,
		Example: "  paperseek delete 2401.01234 doi:10.1145/3600006.3613165\n  grep retracted ids.txt | paperseek delete -",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("delete needs at least one ID (or - for ids on stdin)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			start := time.Now()
			refs, err := deleteRefs(args, g.IO.In)
			if err != nil {
				return err
			}
			w, err := index.BeginWrite(c.Context(), g.Index, index.WriteOptions{})
			if err != nil {
				return err
			}
			defer w.Abort()
			n, unknown, err := w.Delete(c.Context(), refs)
			if err != nil {
				return unchanged(err, g.Index)
			}
			info, err := w.Commit(c.Context())
			if err != nil {
				return unchanged(err, g.Index)
			}
			sum := deleteSummary{Deleted: n, Unknown: unknown, Total: info.Papers, Seconds: roundTo(time.Since(start).Seconds(), 3)}
			for _, ref := range unknown {
				fmt.Fprintf(g.IO.ErrOut, "no paper %s in the index\n", ref)
			}
			if g.JSON {
				if err := writeJSON(g.IO.Out, sum); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(g.IO.ErrOut, "deleted %s; %d papers in %s\n", plural(n, "paper"), info.Papers, g.Index)
			}
			if len(unknown) > 0 {
				return &silentError{code: exitFailure}
			}
			return nil
		},
	}
}

// deleteRefs expands "-" into the ids on stdin, one a line (blank lines
// and surrounding space ignored).
func deleteRefs(args []string, stdin io.Reader) ([]string, error) {
	var refs []string
	stdinUsed := false
	for _, a := range args {
		if a != "-" {
			refs = append(refs, a)
			continue
		}
		if stdinUsed {
			return nil, usagef("stdin (-) can be given only once")
		}
		stdinUsed = true
		sc := bufio.NewScanner(stdin)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if ref := strings.TrimSpace(sc.Text()); ref != "" {
				refs = append(refs, ref)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read ids from stdin: %w", err)
		}
	}
	return refs, nil
}

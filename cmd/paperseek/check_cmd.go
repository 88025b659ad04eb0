package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/index"
)

func newCheckCmd(g *globalOptions) *cobra.Command {
	var repair bool
	c := &cobra.Command{
		Use:   "check",
		Short: "Verify the index: it opens, and every paper has exactly one vector",
		Long: `Opens the current generation (checking the vectors file's checksum and the
embedding model) and compares the keyword index with the vector store: every
paper must have exactly one vector and every vector a paper. With --repair,
papers without a vector are embedded and stray vectors dropped, in a new
generation committed atomically. Exit 1 when problems remain.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			r, err := index.Check(c.Context(), g.Index, repair, index.WriteOptions{})
			if err != nil {
				return err
			}
			if g.JSON {
				if err := writeJSON(g.IO.Out, r); err != nil {
					return err
				}
			} else {
				fmt.Fprintln(g.IO.Out, r.Summary())
				for _, l := range r.Leftovers {
					fmt.Fprintf(g.IO.Out, "leftover from an interrupted run (removed by the next index run): %s\n", l)
				}
			}
			if !r.OK {
				return &silentError{code: exitFailure}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&repair, "repair", false, "fix what can be fixed, in a new generation")
	return c
}

package main

import (
	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/index"
)

func newGetCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "get ID",
		Short:   "Show one paper as stored",
		Example: "  paperseek get 2401.01234\n  paperseek get --json cs/0701113",
		Args:    exactArgs(1, "one paper ID"),
		RunE: func(c *cobra.Command, args []string) error {
			ix, err := index.Open(c.Context(), g.Index)
			if err != nil {
				return err
			}
			defer ix.Close()
			p, err := ix.Paper(c.Context(), args[0])
			if err != nil {
				return err
			}
			return printPaper(g, p)
		},
	}
}

package main

import (
	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/index"
)

func newGetCmd(g *globalOptions) *cobra.Command {
	var format formatFlag
	c := &cobra.Command{
		Use:     "get ID",
		Short:   "Show one paper as stored (by id, doi:…, arxiv:… or pmid:…)",
		Example: "  paperseek get 2401.01234\n  paperseek get --json cs/0701113\n  paperseek get doi:10.1145/3600006.3613165\n  paperseek get --format bibtex arxiv:2401.01234 >> refs.bib",
		Args:    exactArgs(1, "one paper ID"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := format.check(g); err != nil {
				return err
			}
			ix, err := index.Open(c.Context(), g.Index)
			if err != nil {
				return err
			}
			defer ix.Close()
			id, err := ix.Resolve(c.Context(), args[0])
			if err != nil {
				return err
			}
			p, err := ix.Paper(c.Context(), id)
			if err != nil {
				return err
			}
			return format.printPaper(g, p)
		},
	}
	format.bind(c)
	return c
}

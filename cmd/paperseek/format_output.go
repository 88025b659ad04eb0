package main

import (
	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/export"
	"github.com/paperseek/paperseek/query"
)

// formatFlag is --format on search, related and get: the papers written as
// a file a reference manager imports (BibTeX, RIS or CSL-JSON) instead of
// the text for people or the --json document.
type formatFlag struct {
	value  string
	format export.Format // set by check
}

func (f *formatFlag) bind(c *cobra.Command) {
	c.Flags().StringVar(&f.value, "format", "", "write the papers as a reference file: bibtex, ris or csl-json (default: text, or the --json document)")
}

// check reads the flag before any work, so a misspelt format is a usage
// error that costs nothing. --json and --format each ask for a different
// document on stdout: asking for both is a usage error too.
func (f *formatFlag) check(g *globalOptions) error {
	if f.value == "" {
		return nil
	}
	if g.JSON {
		return usagef("give either --json or --format, not both")
	}
	fm, err := export.ParseFormat(f.value)
	if err != nil {
		return usagef("--format: %v", err)
	}
	f.format = fm
	return nil
}

// printResults prints a search or related response as asked: a reference
// file of its papers in rank order, or printResults' text or JSON.
func (f *formatFlag) printResults(g *globalOptions, resp *query.Response, explain bool) error {
	if f.format == "" {
		return printResults(g, resp, explain)
	}
	papers := make([]index.Paper, len(resp.Results))
	for i := range resp.Results {
		papers[i] = resp.Results[i].Paper
	}
	return export.Write(g.IO.Out, f.format, papers)
}

// printPaper prints one paper as asked.
func (f *formatFlag) printPaper(g *globalOptions, p index.Paper) error {
	if f.format == "" {
		return printPaper(g, p)
	}
	return export.Write(g.IO.Out, f.format, []index.Paper{p})
}

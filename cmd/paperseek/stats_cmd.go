package main

import (
	"bufio"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
)

func newStatsCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "Show the index's size, embedder and dates",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			ix, err := index.Open(c.Context(), g.Index)
			if err != nil {
				return err
			}
			defer ix.Close()
			st, err := ix.Stats(c.Context())
			if err != nil {
				return err
			}
			if g.JSON {
				return writeJSON(g.IO.Out, st)
			}
			out := bufio.NewWriter(g.IO.Out)
			fmt.Fprintf(out, "index       %s (generation %d)\n", g.Index, st.Generation)
			fmt.Fprintf(out, "papers      %d\n", st.Papers)
			if st.Model == embed.Untrained {
				fmt.Fprintf(out, "embedder    %s, no model yet (too few papers to learn one from; the next index run tries again)\n", st.Embedder)
			} else {
				fmt.Fprintf(out, "embedder    %s/%s, %d dimensions\n", st.Embedder, st.Model, st.Dimensions)
			}
			fmt.Fprintf(out, "size        %s\n", humanBytes(st.IndexBytes))
			fmt.Fprintf(out, "created     %s\n", st.Created)
			fmt.Fprintf(out, "updated     %s\n", st.Updated)
			if int(st.KeywordDocs) != st.Papers || st.Vectors != st.Papers {
				fmt.Fprintf(out, "WARNING     keyword index has %d papers and the vector store %d\n", st.KeywordDocs, st.Vectors)
			}
			return out.Flush()
		},
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// globalOptions are the flags every command takes.
type globalOptions struct {
	IO    *IOStreams
	Index string // index directory
	JSON  bool
}

func newRootCmd(io *IOStreams) *cobra.Command {
	g := &globalOptions{IO: io}
	root := &cobra.Command{
		Use:   "paperseek",
		Short: "Search scientific paper abstracts by keyword and meaning",
		Long: `paperseek indexes paper abstracts (arXiv metadata, JSON lines, JSON, CSV/TSV)
and searches them with a keyword ranking (Bleve) fused with a semantic ranking
(embeddings learned from your own corpus, or any OpenAI-compatible server).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// --version prints the same line as `paperseek version`.
		Version: readBuildVersion().String(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.PersistentFlags().StringVar(&g.Index, "index", defaultIndexDir(), "index `DIR`, or weaviate://HOST:PORT/COLLECTION for a cluster (weaviates:// over HTTPS) (default $PAPERSEEK_INDEX, else $XDG_DATA_HOME/paperseek)")
	root.PersistentFlags().BoolVar(&g.JSON, "json", false, "print one JSON document on stdout")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(
		newIndexCmd(g),
		newSearchCmd(g),
		newRelatedCmd(g),
		newGetCmd(g),
		newDeleteCmd(g),
		newStatsCmd(g),
		newCheckCmd(g),
		newEvalCmd(g),
		newServeCmd(g),
		newSyncCmd(g),
		newVersionCmd(g),
	)
	return root
}

// defaultIndexDir follows the contract: $PAPERSEEK_INDEX, else
// $XDG_DATA_HOME/paperseek, else ~/.local/share/paperseek.
func defaultIndexDir() string {
	if d := os.Getenv("PAPERSEEK_INDEX"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "paperseek")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".", "paperseek-index")
	}
	return filepath.Join(home, ".local", "share", "paperseek")
}

// exactArgs is cobra.ExactArgs with a usage exit code and a clear message.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s (see '%s --help')", c.CommandPath(), what, c.CommandPath())
		}
		return nil
	}
}

package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// buildVersion is what `paperseek version` reports: read from the build
// information the Go toolchain embeds in every binary, so it is true of the
// binary at hand whether it came from `go install …@vX`, `make build` or
// `go build` in a checkout (which stamps the commit).
type buildVersion struct {
	// Version is the module version: "v1.2.3" from `go install …@v1.2.3`,
	// a pseudo-version or "(devel)" for a build from a checkout.
	Version string `json:"version"`
	// Commit, Time and Modified describe the checkout a binary was built
	// from; absent when it was not built in one (e.g. -buildvcs=false).
	Commit   string `json:"commit,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified *bool  `json:"modified,omitempty"`
	Go       string `json:"go"`
}

func readBuildVersion() buildVersion {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return buildVersion{Version: "(unknown)"}
	}
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: "(unknown)"}
	v.Go = info.GoVersion
	if info.Main.Version != "" {
		v.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			m := s.Value == "true"
			v.Modified = &m
		}
	}
	return v
}

// String is the one line `paperseek --version` prints, e.g.
// "paperseek (devel) commit 395da5e1c2d3 2026-12-02T12:40:00Z (modified) go1.26.8".
func (v buildVersion) String() string {
	parts := []string{"paperseek", v.Version}
	if v.Commit != "" {
		parts = append(parts, "commit", shortCommit(v.Commit))
	}
	if v.Time != "" {
		parts = append(parts, v.Time)
	}
	if v.Modified != nil && *v.Modified {
		parts = append(parts, "(modified)")
	}
	if v.Go != "" {
		parts = append(parts, v.Go)
	}
	return strings.Join(parts, " ")
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

func newVersionCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show paperseek's version and the commit it was built from",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(*cobra.Command, []string) error {
			v := readBuildVersion()
			if g.JSON {
				return writeJSON(g.IO.Out, v)
			}
			_, err := fmt.Fprintln(g.IO.Out, v)
			return err
		},
	}
}

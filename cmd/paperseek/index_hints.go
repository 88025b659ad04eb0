package main

import (
	"fmt"

	"github.com/paperseek/paperseek/index"
)

// printIndexHints tells, on stderr after an index run's summary, what the
// user may want to do next about the run's outcome.
func printIndexHints(g *globalOptions, info index.Info) {
	if info.Embedder.Untrained() {
		fmt.Fprintf(g.IO.ErrOut, "paperseek: note: %s too few to learn a semantic model from yet: keyword search works now, and a later index run learns the model once there are enough papers\n",
			isAre(info.Papers, "paper"))
	}
}

func isAre(n int, what string) string {
	if n == 1 {
		return "1 " + what + " is"
	}
	return fmt.Sprintf("%d %ss are", n, what)
}

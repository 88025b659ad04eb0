package main

import (
	"fmt"

	"github.com/paperseek/paperseek/index"
)

// modelWarnings are the sentences an index run adds about the index's
// semantic model after the run: none yet (too few papers), besides what
// the writer found (Warn: new papers mostly unknown to the stored model).
func modelWarnings(info index.Info) []string {
	if info.Embedder.Untrained() {
		return []string{fmt.Sprintf("%s too few to learn a semantic model from yet: keyword search works now, and a later index run learns the model once there are enough papers",
			isAre(info.Papers, "paper"))}
	}
	return nil
}

func isAre(n int, what string) string {
	if n == 1 {
		return "1 " + what + " is"
	}
	return fmt.Sprintf("%d %ss are", n, what)
}

package main

import (
	"strings"
	"testing"
	"time"
)

// A remote embedder reports each batch as it arrives (a count per batch,
// embed.Spec.Progress); the bar shows the running total and never goes
// back, also when the writer reports its own total after each chunk.
func TestProgressEmbeddingCountsAddUp(t *testing.T) {
	p := newProgress(&IOStreams{ErrOut: &strings.Builder{}}, 0, nil)
	steps := []struct {
		do   func()
		want string
	}{
		{func() { p.phase("embedding", 0, 300) }, "embedding  0/300"},
		{func() { p.embedded(64) }, "embedding  64/300"},
		{func() { p.embedded(64) }, "embedding  128/300"},
		{func() { p.embedded(22) }, "embedding  150/300"},
		{func() { p.phase("embedding", 150, 300) }, "embedding  150/300"},
		{func() { p.embedded(100) }, "embedding  250/300"},
	}
	for i, s := range steps {
		s.do()
		if got := p.line(time.Now()); !strings.HasPrefix(got, s.want) {
			t.Errorf("step %d: bar %q, want it to start %q", i+1, got, s.want)
		}
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/paperseek/paperseek/index/harvest"
)

func TestHarvestProgressLine(t *testing.T) {
	for _, tc := range []struct {
		p       harvest.Progress
		elapsed time.Duration
		done0   int
		want    string
	}{
		// No list size: pages and records only.
		{harvest.Progress{Set: "cs", Pages: 1, Records: 7}, time.Second, 0, "arxiv cs  1 page  7 records"},
		// The first page: no pace yet, so no ETA.
		{harvest.Progress{Set: "cs", Pages: 1, Records: 1000, Done: 1000, Total: 4000}, 0, 1000, "arxiv cs  1 page  1000 records  1000/4000   25%"},
		// 1000 records in 6 s since the first page: 2000 more take 12 s.
		{harvest.Progress{Set: "cs", Pages: 2, Records: 2000, Done: 2000, Total: 4000}, 6 * time.Second, 1000, "arxiv cs  2 pages  2000 records  2000/4000   50%  ETA 0:12"},
		// Resumed at 3000 of 4000.
		{harvest.Progress{Set: "math", Pages: 2, Records: 2000, Done: 3500, Total: 4000}, 90 * time.Second, 2500, "arxiv math  2 pages  2000 records  3500/4000   88%  ETA 0:45"},
	} {
		if got := harvestLine(tc.p, tc.elapsed, tc.done0); got != tc.want {
			t.Errorf("harvestLine(%+v, %v, %d) = %q, want %q", tc.p, tc.elapsed, tc.done0, got, tc.want)
		}
	}
}

// The progress line is drawn on a terminal only.
func TestHarvestProgressOnTTYOnly(t *testing.T) {
	for _, tty := range []bool{true, false} {
		var errOut bytes.Buffer
		p := newProgress(&IOStreams{ErrOut: &errOut, errTTY: tty}, 0, nil)
		p.harvested(harvest.Progress{Set: "cs", Pages: 1, Records: 3, Done: 3, Total: 10})
		p.finish()
		drawn := strings.Contains(errOut.String(), "arxiv cs  1 page  3 records  3/10")
		if drawn != tty {
			t.Errorf("tty %v: stderr %q", tty, errOut.String())
		}
	}
}

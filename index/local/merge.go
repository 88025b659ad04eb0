package local

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// mergeKeyword merges the keyword index's segments (as few as Bleve's
// single-segment plan allows); a commit does when its run wrote at least
// a tenth of the index's papers (worthMerging). Bleve flushes one segment
// per batch and merges them only in tiers as it goes, so a fresh 119k-paper index
// is left in 13 segments: every later search then opens and walks 13
// term dictionaries. Merged, a one-shot keyword search at 119k took 18%
// less CPU and 35% less memory (bench/scale.sh), for about 4 s of CPU at
// index time. A small update (a daily sync) is left to Bleve's own tiered
// merging: re-merging a large index for a few papers would cost more than
// it saves.
func (w *Writer) mergeKeyword(ctx context.Context) error {
	if w.opts.Progress != nil {
		w.opts.Progress("merging", 0, 0)
	}
	adv, err := w.kw.Advanced()
	if err != nil {
		return fmt.Errorf("merge keyword index: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil // not scorch: nothing to merge
	}
	// The keyword pass's garbage would otherwise sit in the process
	// beside the pages the merge maps.
	debug.FreeOSMemory()
	// ForceMerge waits for the merge only to succeed: a merge that fails
	// (a full disk) is retried forever and ForceMerge never returns
	// (scorch v2.6.3 mergerLoop). Given a channel under its "mergeDone"
	// context key, the merger sends the merge's error there and does not
	// retry; ForceMerge itself still waits, until the index is closed.
	done := make(chan error, 1)
	forced := make(chan error, 1)
	go func() { forced <- s.ForceMerge(context.WithValue(ctx, scorchMergeDone, done), &oneMerge) }()
	select {
	case err = <-forced:
	case err = <-done:
		if err == nil { // merged; ForceMerge returns once it is introduced
			err = <-forced
		}
	}
	if ctx.Err() != nil {
		return ctx.Err() // a cancelled merge reports the index closed
	}
	if err != nil {
		return fmt.Errorf("merge keyword index: %w", bleveCause(err))
	}
	return nil
}

// scorchMergeDone is scorch's context key for a merge's outcome
// (mergeDoneKey, a string constant: scorch.go DropFileWriterIDs uses it).
// An interface variable, not a string constant: vet's rule against
// built-in key types is about collisions, and this one must collide.
var scorchMergeDone any = "mergeDone"

// oneMerge is Bleve's single-segment plan in one task. Bleve's own merges
// ten segments a task, and the 1M-paper index, left in more than ten
// segments by the keyword pass, was rewritten twice: 61 s, where one
// pass over all of them does the same in half.
var oneMerge = func() mergeplan.MergePlanOptions {
	o := mergeplan.SingleSegmentMergePlanOptions
	o.SegmentsPerMergeTask = math.MaxInt32
	return o
}()

// worthMerging reports whether a run that wrote changed of the index's
// total papers should merge its keyword segments (mergeKeyword).
func worthMerging(changed, total int) bool {
	return total > 0 && changed*10 >= total
}

package local

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// mergeKeyword merges the keyword index's segments (as few as Bleve's
// single-segment plan allows) before the generation is committed, when
// this run wrote at least a tenth of its papers (worthMerging). Bleve flushes one segment
// per batch and merges them only in tiers as it goes, so a fresh 119k-paper
// index is left in 13 segments: every later search then opens and walks 13
// term dictionaries. Merged, a one-shot keyword search at 119k took 18%
// less CPU and 35% less memory (bench/scale.sh), for about 4 s of CPU at
// index time. A small update (a daily sync) is left to Bleve's own tiered
// merging: re-merging a large index for a few papers would cost more than it
// saves.
func mergeKeyword(ctx context.Context, kw bleve.Index) error {
	adv, err := kw.Advanced()
	if err != nil {
		return fmt.Errorf("merge keyword index: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil // not scorch: nothing to merge
	}
	if err := s.ForceMerge(ctx, nil); err != nil {
		return fmt.Errorf("merge keyword index: %w", err)
	}
	return ctx.Err()
}

// worthMerging reports whether a run that wrote changed of the index's
// total papers should merge its keyword segments (mergeKeyword).
func worthMerging(changed, total int) bool {
	return total > 0 && changed*10 >= total
}

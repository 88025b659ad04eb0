package index

import (
	"context"

	"github.com/paperseek/paperseek/embed"
)

// WriteOptions control one `paperseek index` run.
type WriteOptions struct {
	// Rebuild starts from an empty index instead of the current one (and
	// may switch embedders).
	Rebuild bool
	// Retrain re-learns a trained embedder's model from every indexed paper
	// and re-embeds them all.
	Retrain bool
	// Embedder is what the user asked for; zero fields mean "as the index
	// has it" (or the defaults for a new index).
	Embedder embed.Spec
	// EmbedBatch is how many papers are embedded per call (default 512).
	EmbedBatch int
	// Workers bounds embedding parallelism: training threads, or
	// concurrent requests to an embedding server (0: the embedder's default).
	Workers int
	// Shards and Replicas lay out a new collection on a cluster store (0:
	// the store's defaults); a directory store ignores them, and an
	// existing collection keeps its layout.
	Shards, Replicas int
	// Progress, if set, is told about the phases after reading.
	Progress func(phase string, done, total int)
	// Warn, if set, is told in one sentence about what the run found that
	// the user may want to act on (e.g. papers mostly unknown to the
	// stored model: --retrain).
	Warn func(msg string)
}

// Writer adds papers to a store. Nothing it does is visible to readers
// before Commit in a store with atomic commits (a directory); Abort, or a
// crash, leaves the store as it was.
type Writer interface {
	// Add indexes papers. A paper whose id is already indexed (or seen
	// earlier in the run) replaces it. So does a paper that shares an
	// external id (DOI, arXiv id, PMID) with an indexed paper: it replaces
	// that paper under the existing id, its non-empty fields winning.
	Add(ctx context.Context, papers []Paper) (added, replaced int, err error)
	// Delete removes the papers refs name (ids or external ids, as
	// Store.Resolve reads them) and reports the refs that named none.
	Delete(ctx context.Context, refs []string) (deleted int, unknown []string, err error)
	// SetState records key = value with the commit (Info.State); an empty
	// value removes the key.
	SetState(key, value string)
	// Commit embeds what changed and makes the run visible.
	Commit(ctx context.Context) (Info, error)
	// Abort drops the run; a no-op after Commit.
	Abort()
}

// WithState is what a Writer's SetState does to the state it will record:
// key = value, an empty value removes key; a nil state is made on first
// use.
func WithState(state map[string]string, key, value string) map[string]string {
	if value == "" {
		delete(state, key)
		return state
	}
	if state == nil {
		state = map[string]string{}
	}
	state[key] = value
	return state
}

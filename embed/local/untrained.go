package local

import (
	"fmt"
	"strconv"

	"github.com/paperseek/paperseek/embed"
)

// untrainedModel is the model of an index whose corpus was too small to
// learn from (ErrTooSmall): it knows no word and has no dimension, so every
// text embeds to an empty vector. It is stored like any model, which keeps
// an index of one paper a normal index (`check` verifies the file, a server
// preloads it); queries get embed.ErrNoModel instead of it (Query), and the
// next index run trains again (Prepare).
func untrainedModel(opts Options) (*Model, error) {
	opts = opts.withDefaults()
	tok, err := newTokenizer(opts.Tokenizer)
	if err != nil {
		return nil, err
	}
	m := &Model{method: opts.Method, tokName: opts.Tokenizer, tok: tok, tuning: *opts.Tuning}
	m.buildVocab()
	return m, nil
}

// errNoModel is what queries of an untrained index get.
func errNoModel() error {
	return fmt.Errorf("%w: the papers indexed so far are too few to learn a semantic model from; a later `paperseek index` run learns it once there are enough", embed.ErrNoModel)
}

// requestedDimsKey records in the index the model size asked for, so that a
// model that shrank on a tiny corpus grows back to it when retrained on a
// bigger one instead of keeping the tiny size forever.
const requestedDimsKey = "requested_dimensions"

// requestedDims is the model size a training run aims for: the one asked
// for now, else the one recorded, else (indexes from before the record)
// the size of the previous model; 0 means the default.
func requestedDims(a embed.PrepareArgs) int {
	if a.Spec.Dimensions > 0 {
		return a.Spec.Dimensions
	}
	if a.Prev == nil {
		return 0
	}
	if n, err := strconv.Atoi(a.Prev.Config[requestedDimsKey]); err == nil && n > 0 {
		return n
	}
	if a.Prev.Fingerprint.Untrained() {
		return 0
	}
	return a.Prev.Fingerprint.Dimensions
}

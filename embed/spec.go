package embed

import (
	"errors"
	"fmt"
)

// ErrMismatch: the embedder asked for differs from the one an index was
// built with (a usage error: re-index with --rebuild). Vectors of two
// models must never be mixed in one index.
var ErrMismatch = errors.New("embedder mismatch")

// ErrUnknown: no embedder of that name.
var ErrUnknown = errors.New("unknown embedder")

// ErrNoModel: the index's embedder learns its model from the corpus
// (local) and the papers indexed so far were too few to learn one from.
// Not a failure: keyword search works, the semantic leg is empty and says
// so, and the next index run tries again.
var ErrNoModel = errors.New("no semantic model yet")

// Untrained is the model name in the fingerprint of such an index.
const Untrained = "untrained"

// Untrained reports whether f is the fingerprint of an index whose
// embedder has no model yet (ErrNoModel).
func (f Fingerprint) Untrained() bool { return f.Model == Untrained }

// Spec is the embedder a user asked for. Zero fields mean "not given": an
// existing index keeps its own, a new one gets the defaults.
type Spec struct {
	Name        string // "local" (default) or "openai"
	Model       string // openai only; default text-embedding-3-small
	Dimensions  int    // local: model size (default 256); openai: requested size
	DocPrefix   string
	QueryPrefix string
	// BaseURL of an embedding server, from $OPENAI_BASE_URL; an index
	// remembers it so that searching later needs no environment.
	BaseURL string
	// Progress, if set, is told how many texts a remote embedder finished
	// in each call (a count per batch, not a running total).
	Progress func(done int)
}

// Check refuses a spec that contradicts the embedder fp describes.
func (s Spec) Check(fp Fingerprint) error {
	mismatch := func(what, want, got string) error {
		return fmt.Errorf("%w: the index was built with %s %s, not %s; to switch, re-index everything with --rebuild",
			ErrMismatch, what, got, want)
	}
	if s.Name != "" && s.Name != fp.Name {
		return mismatch("embedder", s.Name, fp.Name)
	}
	remote := fp.Name != "local"
	if s.Model != "" && s.Model != fp.Model && remote {
		return mismatch("model", s.Model, fp.Model)
	}
	if s.Dimensions != 0 && s.Dimensions != fp.Dimensions && remote {
		return mismatch("dimensions", fmt.Sprint(s.Dimensions), fmt.Sprint(fp.Dimensions))
	}
	if (s.DocPrefix != "" && s.DocPrefix != fp.DocPrefix) || (s.QueryPrefix != "" && s.QueryPrefix != fp.QueryPrefix) {
		return mismatch("prefixes", fmt.Sprintf("%q/%q", s.DocPrefix, s.QueryPrefix), fmt.Sprintf("%q/%q", fp.DocPrefix, fp.QueryPrefix))
	}
	return nil
}

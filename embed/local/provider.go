package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/paperseek/paperseek/embed"
)

// Name is this embedder's name in --embedder and in index fingerprints.
const Name = "local"

func init() { embed.Register(Name, provider{}) }

type provider struct{}

// Query opens the model an index recorded: mapped when its file can be
// (a query reads the rows of its own words only), else read whole. An
// index with no model yet gets embed.ErrNoModel (after its model file is
// verified, so that `check` still finds a damaged one).
func (provider) Query(st embed.State, _ string) (embed.Embedder, error) {
	m, err := queryModel(st)
	if err != nil {
		return nil, err
	}
	if m.Dimensions() == 0 {
		return nil, errNoModel()
	}
	return m, nil
}

func queryModel(st embed.State) (*Model, error) {
	if mp, ok := st.Model.(embed.Mapper); ok {
		mm, err := mp.Map()
		if err != nil {
			return nil, fmt.Errorf("map local model: %w", err)
		}
		if err := mm.Pin(); err != nil {
			return nil, err
		}
		defer mm.Unpin()
		m, err := mapModel(mm.Data)
		if err != nil {
			return nil, err
		}
		m.mapping = mm
		return m, nil
	}
	return modelOf(st)
}

func modelOf(st embed.State) (*Model, error) {
	if st.Model == nil {
		return nil, fmt.Errorf("%w: the index holds no local model", ErrCorrupt)
	}
	b, err := st.Model.Bytes()
	if err != nil {
		return nil, fmt.Errorf("read local model: %w", err)
	}
	return decode(b)
}

// Prepare keeps an index's model (papers added later are embedded with the
// stored model: a silent retrain would move every old vector), or trains a
// new one from the corpus for a new index or a retrain.
//
// An index with no model yet (its corpus was too small) trains on every
// run: none of its vectors can move, so nothing is lost by it, and the
// model appears as soon as the corpus allows. A corpus still too small
// gets an untrained model again rather than a failed run.
func (provider) Prepare(ctx context.Context, a embed.PrepareArgs) (*embed.Prepared, error) {
	if a.Prev != nil && !a.Retrain && !a.Prev.Fingerprint.Untrained() {
		m, err := modelOf(*a.Prev)
		if err != nil {
			return nil, err
		}
		return &embed.Prepared{Embedder: m, State: *a.Prev}, nil
	}
	if a.Phase != nil {
		a.Phase("training")
	}
	opts := Options{Dimensions: requestedDims(a), Workers: a.Workers, CorpusSize: a.CorpusSize}
	m, err := TrainDocuments(ctx, a.Corpus, opts)
	if errors.Is(err, ErrTooSmall) {
		m, err = untrainedModel(opts)
	}
	if err != nil {
		return nil, fmt.Errorf("train local embedding model: %w", err)
	}
	st := embed.State{Fingerprint: m.Fingerprint(), Model: modelBlob{m},
		Config: map[string]string{requestedDimsKey: strconv.Itoa(opts.withDefaults().Dimensions)}}
	return &embed.Prepared{
		Embedder:     m,
		State:        st,
		ModelChanged: true,
		ReembedAll:   true,
	}, nil
}

// modelBlob serialises a trained model when the index stores it:
// streamed into a file (io.WriterTo), or whole for a store that wants
// the bytes.
type modelBlob struct{ m *Model }

func (b modelBlob) Bytes() ([]byte, error) { return b.m.Encode() }

func (b modelBlob) WriteTo(w io.Writer) (int64, error) { return b.m.WriteTo(w) }

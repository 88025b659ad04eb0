package local

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"

	"github.com/paperseek/paperseek/index"
)

// A keywordBatch is a batch of papers Bleve is writing in the background
// while the writer prepares the next one. Bleve's Batch analyses every
// document and then builds the batch's segment on one core; with the next
// batch analysed meanwhile (analyzeAhead), both cores stay busy.
type keywordBatch struct {
	done chan struct{}
	err  error // set before done closes
	// papers (one per id: dedup collapsed repeats), with each one's
	// analysed length and terms, go to the spool once Bleve has the batch
	// (settle): each file a batch writes is written after the one before,
	// as when Bleve's Batch was waited for, so a full disk stops a run at
	// the same file.
	papers  []index.Paper
	lengths []int
	terms   [][]string
	// byID places each paper in papers, and owners is the least id
	// holding each of their external ids: what the next batch's dedup
	// would find in the index once this one is in. The papers are what
	// Bleve stores of them (keywordDoc drops only empty values, which
	// index.Merge skips too), as dedup already merges within a batch.
	byID   map[string]int
	owners map[index.Ref]string
}

// testBatchGate, set by a test, holds each batch back from Bleve until
// settle lets it through, so the next batch is prepared while the one
// before is certainly not in the index yet.
var testBatchGate chan struct{}

// writeKeyword hands b, the batch of papers, to Bleve in the background.
// Only one batch is ever in flight: the caller settles the previous one
// first.
func writeKeyword(kw bleve.Index, b *bleve.Batch, papers []index.Paper, lengths []int, terms [][]string) *keywordBatch {
	kb := &keywordBatch{
		done:    make(chan struct{}),
		papers:  papers,
		lengths: lengths,
		terms:   terms,
		byID:    make(map[string]int, len(papers)),
		owners:  map[index.Ref]string{},
	}
	for i, p := range papers {
		kb.byID[p.ID] = i
		for _, r := range p.ExternalIDs() {
			if id, ok := kb.owners[r]; !ok || p.ID < id {
				kb.owners[r] = p.ID
			}
		}
	}
	go func() {
		defer close(kb.done)
		if g := testBatchGate; g != nil {
			<-g
		}
		if err := kw.Batch(b); err != nil {
			kb.err = fmt.Errorf("write keyword index: %w", bleveCause(err))
		}
	}()
	return kb
}

// settle waits for the batch in flight, if any, and spools its papers.
func (w *Writer) settle() error {
	kb := w.inflight
	if err := w.wait(); err != nil || kb == nil {
		return err
	}
	for i := range kb.papers {
		if err := w.spool.put(&kb.papers[i], kb.lengths[i], kb.terms[i]); err != nil {
			return err
		}
	}
	return nil
}

// wait waits for the batch in flight, if any, and returns its error.
func (w *Writer) wait() error {
	kb := w.inflight
	if kb == nil {
		return nil
	}
	if g := testBatchGate; g != nil {
		g <- struct{}{}
	}
	<-kb.done
	w.inflight = nil
	return kb.err
}

// preAnalyzed is a field analysed before its batch reached Bleve, whose
// Batch would analyse it again: its analysis queue calls Analyze, which
// does nothing here.
type preAnalyzed struct{ document.Field }

func (preAnalyzed) Analyze() {}

// analyzeAhead analyses the indexed fields of docs as Bleve's Batch does
// (scorch's analyze: Analyze on every indexed field; composing the _all
// field from them is left to Bleve), on every core.
func analyzeAhead(docs []*document.Document) {
	parallel(len(docs), 64, func(lo, hi int) {
		for _, d := range docs[lo:hi] {
			for i, f := range d.Fields {
				if f.Options().IsIndexed() {
					f.Analyze()
					d.Fields[i] = preAnalyzed{f}
				}
			}
		}
	})
}

// owners is ownersOf over the index as it will be once the batch in
// flight is written: its papers replace any stored paper of the same id.
func (w *Writer) owners(ctx context.Context, refs []index.Ref) (map[index.Ref]string, error) {
	kb := w.inflight
	if kb == nil {
		return ownersOf(ctx, w.kw, refs, nil)
	}
	out, err := ownersOf(ctx, w.kw, refs, func(id string) bool { _, ok := kb.byID[id]; return ok })
	if err != nil {
		return nil, err
	}
	for _, r := range refs {
		if id, ok := kb.owners[r]; ok {
			if have, ok := out[r]; !ok || id < have {
				out[r] = id
			}
		}
	}
	return out, nil
}

// lookupPaper is lookupPaper over the index as it will be once the batch
// in flight is written.
func (w *Writer) lookupPaper(id string) (index.Paper, error) {
	if kb := w.inflight; kb != nil {
		if i, ok := kb.byID[id]; ok {
			return kb.papers[i], nil
		}
	}
	return lookupPaper(w.kw, id)
}

// keywordGCPercent is the garbage collector's target while papers are
// added. The keyword pass allocates fast (Bleve's analysis and each
// batch's segment build) over a small live heap, and at the default of
// 100 the collector took a sixth of the pass's CPU: at 200 the 119k
// pass used 90 s of CPU instead of 99–111 s (/tmp/kwphase.sh, two pairs,
// GOGC=200 against the default). The pass is not where a build's memory
// peaks (training, embedding and the final merge are; training sets its
// own target), so the larger heap costs nothing at the peak.
const keywordGCPercent = 200

// collectLess sets the collector's target for the keyword pass, unless
// GOGC asks for more (or turns it off), and returns what puts it back.
func collectLess() (restore func()) {
	prev := debug.SetGCPercent(keywordGCPercent)
	if prev < 0 || prev >= keywordGCPercent {
		debug.SetGCPercent(prev)
		return func() {}
	}
	return func() { debug.SetGCPercent(prev) }
}

// endKeywordPass puts the collector's target back as the keyword pass
// ends (Commit or Abort).
func (w *Writer) endKeywordPass() {
	if w.restoreGC != nil {
		w.restoreGC()
		w.restoreGC = nil
	}
}

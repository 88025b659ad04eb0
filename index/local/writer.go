package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/local/vectors"
	"github.com/paperseek/paperseek/internal/atomicfile"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/paperseek/paperseek/embed"
)

// Writer builds the next generation of an index directory. Nothing it does
// is visible to readers until Commit switches the manifest; Abort (or a
// crash) leaves the previous generation exactly as it was.
type Writer struct {
	dir    string
	opts   index.WriteOptions
	lock   *writerLock
	prev   *Manifest // nil for a new index
	gen    int
	genDir string
	kw     bleve.Index
	// vb builds the generation's vectors from the previous generation's
	// set (prevSet), whose unchanged segments it hard-links.
	vb      *vectors.Builder
	prevSet *vectors.Set
	// repartition rebuilds the vector lists from scratch (check --repair
	// of a semantic leg that disagrees with an exact scan).
	repartition bool
	// known holds every id in the generation being built, to tell an added
	// paper from a replaced one.
	known   map[string]struct{}
	changed map[string]struct{}
	// inflight is the batch Bleve is writing while Add prepares the
	// next (kwbatch.go); everything else that touches kw settles it first.
	inflight *keywordBatch
	// restoreGC puts back the collector's target the keyword pass
	// raised (collectLess).
	restoreGC func()
	// spool holds what training and embedding need of each paper this
	// run added (spool.go), so neither reads it back from Bleve; papers
	// carried over from the previous generation are read from Bleve.
	spool *spool
	// closers release what the embedder opened (the embedding cache).
	closers []func() error
	// state is recorded in the manifest at commit (Info.State).
	state map[string]string
	done  bool
	// fresh: the directory held no index when the run began, so a failed
	// run leaves nothing behind (leaveNothing); created lists the
	// directories the run made for it.
	fresh   bool
	created []string
}

var _ index.Writer = (*Writer)(nil)

const (
	localModelName = "embedder.bin"
	cacheDirName   = "cache"
)

// BeginWrite takes the writer lock on dir (failing at once with
// index.ErrLocked if another writer holds it) and prepares the next
// generation.
func BeginWrite(ctx context.Context, dir string, opts index.WriteOptions) (w *Writer, err error) {
	created, err := createIndexDir(dir)
	if err != nil {
		return nil, err
	}
	lock, err := acquireWriterLock(dir)
	if err != nil {
		leaveNothingIfCreated(created)
		return nil, err
	}
	w = &Writer{dir: dir, opts: opts, lock: lock, known: map[string]struct{}{}, changed: map[string]struct{}{}, created: created}
	w.restoreGC = collectLess()
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	prev, err := ReadManifest(dir)
	switch {
	case errors.Is(err, index.ErrNoIndex):
		prev = nil
		w.fresh = true
	case err != nil:
		if !opts.Rebuild {
			return w, fmt.Errorf("%w (rebuild it from your files with --rebuild)", err)
		}
		prev = nil // a rebuild replaces an unreadable index
	}
	w.prev = prev
	if prev != nil && !opts.Rebuild {
		if err := opts.Embedder.Check(prev.Embedder); err != nil {
			return w, err
		}
	}
	w.gen = 1
	if prev != nil {
		w.gen = prev.Generation + 1
	}
	removeStaleGenerations(dir, prev)
	w.genDir = filepath.Join(dir, genDirName(w.gen))
	if err := os.RemoveAll(w.genDir); err != nil { // a crashed run's leftovers
		return w, fmt.Errorf("clear stale generation: %w", err)
	}
	if err := os.MkdirAll(w.genDir, 0o755); err != nil {
		return w, fmt.Errorf("create generation: %w", err)
	}
	if w.spool, err = createSpool(w.genDir); err != nil {
		return w, err
	}
	kwDir := filepath.Join(w.genDir, keywordDirName)
	if prev == nil || opts.Rebuild {
		w.kw, err = createKeyword(kwDir)
		if err != nil {
			return w, err
		}
		if w.vb, err = vectors.NewBuilder(filepath.Join(w.genDir, vectorsDirName), nil); err != nil {
			return w, fmt.Errorf("start vectors: %w", err)
		}
		return w, nil
	}
	w.state = maps.Clone(prev.State)
	prevGen := filepath.Join(dir, genDirName(prev.Generation))
	if prev.Format < FormatVersion {
		if err := w.upgrade(ctx, prevGen, kwDir); err != nil {
			return w, fmt.Errorf("upgrade the index from format %d: %w", prev.Format, err)
		}
		return w, nil
	}
	if err := cloneKeyword(filepath.Join(prevGen, keywordDirName), kwDir); err != nil {
		return w, fmt.Errorf("copy keyword index: %w", err)
	}
	if w.kw, err = openKeyword(kwDir, keywordWrite); err != nil {
		return w, err
	}
	if !hasPositions(w.kw) {
		// Built before word positions were recorded: index every stored
		// paper again with today's mapping, so phrases match exactly.
		// Vectors and the model carry over untouched.
		if err := w.addPositions(ctx, prevGen, kwDir); err != nil {
			return w, fmt.Errorf("add word positions to the keyword index: %w", err)
		}
	}
	if w.prevSet, err = openVectors(prevGen); err != nil {
		return w, err
	}
	if w.vb, err = vectors.NewBuilder(filepath.Join(w.genDir, vectorsDirName), w.prevSet); err != nil {
		return w, fmt.Errorf("start vectors: %w", err)
	}
	if err := eachKeywordID(w.kw, func(id string) { w.known[id] = struct{}{} }); err != nil {
		return w, err
	}
	return w, nil
}

// upgrade builds the generation from an index of an older format: every
// stored paper is indexed again with today's keyword mapping (which adds
// the fields older formats lacked), and the vectors and the model are
// kept — nothing is re-embedded.
func (w *Writer) upgrade(ctx context.Context, prevGen, kwDir string) error {
	if w.opts.Progress != nil {
		w.opts.Progress("upgrading", 0, 0)
	}
	old, err := openKeyword(filepath.Join(prevGen, keywordDirName), keywordRead)
	if err != nil {
		return err
	}
	defer old.Close()
	if w.kw, err = createKeyword(kwDir); err != nil {
		return err
	}
	if w.vb, err = vectors.NewBuilder(filepath.Join(w.genDir, vectorsDirName), nil); err != nil {
		return fmt.Errorf("start vectors: %w", err)
	}
	if err := w.reindexKeyword(ctx, old); err != nil {
		return err
	}
	// The vectors carry over as they are; only publication dates, which
	// the keyword index holds, are new.
	return readLegacyVectors(filepath.Join(prevGen, legacyVectorsName), func(r legacyRecord) error {
		if p, err := lookupPaper(w.kw, r.ID); err == nil {
			r.Meta.Published = p.Published
		}
		return w.vb.Put(r.ID, r.Vec, r.Meta)
	})
}

// addPositions replaces the cloned keyword index in kwDir with a new one
// in today's mapping holding the same papers.
func (w *Writer) addPositions(ctx context.Context, prevGen, kwDir string) error {
	if w.opts.Progress != nil {
		w.opts.Progress("upgrading", 0, 0)
	}
	if err := w.kw.Close(); err != nil {
		return err
	}
	w.kw = nil
	if err := os.RemoveAll(kwDir); err != nil {
		return err
	}
	old, err := openKeyword(filepath.Join(prevGen, keywordDirName), keywordRead)
	if err != nil {
		return err
	}
	defer old.Close()
	if w.kw, err = createKeyword(kwDir); err != nil {
		return err
	}
	return w.reindexKeyword(ctx, old)
}

// reindexKeyword indexes every paper stored in old into w.kw.
func (w *Writer) reindexKeyword(ctx context.Context, old bleve.Index) error {
	var ids []string
	if err := eachKeywordID(old, func(id string) { ids = append(ids, id) }); err != nil {
		return err
	}
	const batchSize = 1000
	for start := 0; start < len(ids); start += batchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := w.kw.NewBatch()
		for _, id := range ids[start:min(start+batchSize, len(ids))] {
			p, err := lookupPaper(old, id)
			if err != nil {
				return err
			}
			if err := b.Index(id, keywordDoc(&p)); err != nil {
				return fmt.Errorf("index paper %q: %w", id, err)
			}
			w.known[id] = struct{}{}
		}
		if err := w.kw.Batch(b); err != nil {
			return fmt.Errorf("write keyword index: %w", bleveCause(err))
		}
	}
	return nil
}

// Add indexes papers for keyword search and queues them for embedding.
// A paper whose id is already indexed (or seen earlier in this run)
// replaces it; a paper sharing an external id with one replaces that one
// under its existing id, merged (index.Merge).
func (w *Writer) Add(ctx context.Context, papers []index.Paper) (added, replaced int, err error) {
	if w.done {
		return 0, 0, errWriterFinished
	}
	for i := range papers {
		papers[i].NormalizeExternalIDs()
	}
	papers, collapsed, err := w.dedup(ctx, papers)
	if err != nil {
		return 0, 0, err
	}
	replaced = collapsed
	b := w.kw.NewBatch()
	m := w.kw.Mapping()
	docs := make([]*document.Document, len(papers))
	for i := range papers {
		p := &papers[i]
		docs[i] = document.NewDocument(p.ID)
		if err := m.MapDocument(docs[i], keywordDoc(p)); err != nil {
			return 0, 0, fmt.Errorf("index paper %q: %w", p.ID, err)
		}
	}
	analyzeAhead(docs)
	for _, d := range docs {
		if err := b.IndexAdvanced(d); err != nil {
			return 0, 0, fmt.Errorf("index paper %q: %w", d.ID(), err)
		}
	}
	// The analysis just done is the one the BM25 leg counts lengths with
	// (when the index was built with its analyzer): keep its count rather
	// than analyse every text again at embedding time. Its terms, when
	// they are the ones the local model cuts the text into
	// (index.StockTerms), spare training and embedding analysing it
	// twice more. Both are taken before Bleve gets the documents, which
	// it changes.
	analyzer := m.AnalyzerNameForPath(FieldText)
	sameAnalyzer := analyzer == index.AnalyzerName
	lengths := make([]int, len(papers))
	terms := make([][]string, len(papers))
	for i := range papers {
		lengths[i] = -1
		if sameAnalyzer {
			lengths[i] = analyzedLength(docs[i], FieldText)
		}
		terms[i] = index.StockTerms(analyzer, papers[i].Text(), func() []string { return analyzedTerms(docs[i], FieldText) })
	}
	if err := w.settle(); err != nil {
		return 0, 0, err
	}
	w.inflight = writeKeyword(w.kw, b, papers, lengths, terms)
	for i := range papers {
		p := &papers[i]
		if _, ok := w.known[p.ID]; ok {
			replaced++
		} else {
			added++
			w.known[p.ID] = struct{}{}
		}
		w.changed[p.ID] = struct{}{}
	}
	failpoint(FailKeywordBatch)
	return added, replaced, nil
}

// dedup gives each paper that is not known by its id but shares an
// external id with a paper of the index (or of this run, or of the same
// batch) that paper's id, merged over the stored paper. A paper known by
// its id is replaced whole, as always.
//
// Records of one paper within the batch are merged into one; collapsed is
// how many, each counted as a replacement.
func (w *Writer) dedup(ctx context.Context, papers []index.Paper) (_ []index.Paper, collapsed int, err error) {
	var refs []index.Ref
	for i := range papers {
		if _, ok := w.known[papers[i].ID]; !ok {
			refs = append(refs, papers[i].ExternalIDs()...)
		}
	}
	owners, err := w.owners(ctx, refs)
	if err != nil {
		return nil, 0, err
	}
	out := make([]index.Paper, 0, len(papers))
	batch := map[string]int{} // id → position in out, for repeats within the batch
	for _, p := range papers {
		if _, ok := w.known[p.ID]; !ok {
			if _, ok := batch[p.ID]; !ok {
				for _, r := range p.ExternalIDs() {
					id, ok := owners[r]
					if !ok || id == p.ID {
						continue
					}
					if j, inBatch := batch[id]; inBatch {
						p = index.Merge(out[j], p)
					} else {
						old, err := w.lookupPaper(id)
						if err != nil {
							return nil, 0, err
						}
						p = index.Merge(old, p)
					}
					break
				}
			}
		}
		for _, r := range p.ExternalIDs() {
			if _, ok := owners[r]; !ok {
				owners[r] = p.ID
			}
		}
		if j, ok := batch[p.ID]; ok {
			out[j] = p
			collapsed++
			continue
		}
		batch[p.ID] = len(out)
		out = append(out, p)
	}
	return out, collapsed, nil
}

// Delete removes the papers refs name from both legs of the generation
// being built.
func (w *Writer) Delete(ctx context.Context, refs []string) (deleted int, unknown []string, err error) {
	if w.done {
		return 0, nil, errWriterFinished
	}
	if err := w.settle(); err != nil {
		return 0, nil, err
	}
	b := w.kw.NewBatch()
	gone := map[string]bool{}
	for _, ref := range refs {
		id, err := resolve(ctx, w.kw, ref)
		if errors.Is(err, index.ErrNotFound) || gone[id] {
			unknown = append(unknown, ref)
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		gone[id] = true
		b.Delete(id)
		w.vb.Delete(id)
		w.spool.forget(id)
		delete(w.known, id)
		delete(w.changed, id)
		deleted++
	}
	if err := w.kw.Batch(b); err != nil {
		return 0, nil, fmt.Errorf("write keyword index: %w", bleveCause(err))
	}
	return deleted, unknown, nil
}

// SetState records key = value with the commit.
func (w *Writer) SetState(key, value string) {
	w.state = index.WithState(w.state, key, value)
}

// Commit embeds what changed, writes the vectors and switches the manifest
// to the new generation. It is the only step that makes the run visible.
func (w *Writer) Commit(ctx context.Context) (index.Info, error) {
	m, err := w.commit(ctx)
	if err != nil {
		return index.Info{}, err
	}
	return m.info(w.dir), nil
}

func (w *Writer) commit(ctx context.Context) (*Manifest, error) {
	if w.done {
		return nil, errWriterFinished
	}
	if err := w.settle(); err != nil {
		return nil, err
	}
	w.endKeywordPass()
	if err := w.spool.flush(); err != nil {
		return nil, err
	}
	if err := w.reopenKeyword(); err != nil {
		return nil, err
	}
	prep, err := w.prepareEmbedder(ctx)
	if err != nil {
		return nil, err
	}
	if prep.Close != nil {
		w.closers = append(w.closers, prep.Close)
	}
	// The model is written first: it is final once prepared.
	cfg, err := w.saveModel(prep)
	if err != nil {
		return nil, err
	}
	if prep.ReembedAll {
		// A new model means a new vector space: no old vector may survive.
		w.vb.Abort()
		dir := filepath.Join(w.genDir, vectorsDirName)
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("start vectors: %w", err)
		}
		if w.vb, err = vectors.NewBuilder(dir, nil); err != nil {
			return nil, fmt.Errorf("start vectors: %w", err)
		}
	}
	if err := w.embed(ctx, prep.Embedder, prep.ReembedAll); err != nil {
		return nil, err
	}
	n, err := w.kw.DocCount()
	if err != nil {
		return nil, fmt.Errorf("count keyword documents: %w", err)
	}
	if int(n) != w.vb.Count() {
		return nil, fmt.Errorf("internal error: %d papers in the keyword index but %d vectors", n, w.vb.Count())
	}
	if w.opts.Progress != nil {
		w.opts.Progress("saving", 0, 0)
	}
	// Segments are written, then the set file naming them; failpoint
	// FailVectorsWrite fires between the two.
	opts := vectors.BuildOptions{Repartition: w.repartition, AfterSegment: func() { failpoint(FailVectorsWrite) }}
	if err := w.vb.Commit(ctx, opts); err != nil {
		return nil, fmt.Errorf("write vectors: %w", err)
	}
	// What only embedding needed can go before the merge: the vectors'
	// builder, the spool and its index, the run's sets of papers (at 1M
	// papers some 300 MB together).
	w.vb = nil
	if err := w.spool.remove(); err != nil {
		return nil, fmt.Errorf("remove spool: %w", err)
	}
	merge := worthMerging(len(w.changed), int(n))
	w.known, w.changed = nil, nil
	// Merge the keyword segments last, when the process holds least:
	// merging maps every segment it reads (at 1M papers 2.1 GB of the
	// index resident at once), and done before saving it came on top of
	// what embedding holds (1.3 GB at 1M). Then close the index before any
	// later step can fail: Scorch deletes merged-away segment files in
	// the background until it is closed, and an abort's RemoveAll of the
	// generation racing with that made Bleve log errors.
	if merge {
		if err := w.mergeKeyword(ctx); err != nil {
			return nil, err
		}
	}
	if err := w.kw.Close(); err != nil {
		return nil, fmt.Errorf("close keyword index: %w", bleveCause(err))
	}
	w.kw = nil
	set, err := openVectors(w.genDir)
	if err != nil {
		return nil, err
	}
	vectorCount, tokens := set.Count(), int64(set.SumLength())
	set.Close()
	if err := syncTree(w.genDir); err != nil {
		return nil, fmt.Errorf("sync new generation: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	m := &Manifest{
		Format:         FormatVersion,
		Generation:     w.gen,
		Papers:         int(n),
		Embedder:       prep.State.Fingerprint,
		EmbedderConfig: cfg,
		Vectors:        &vectorCount,
		Tokens:         &tokens,
		State:          w.state,
		Created:        now,
		Updated:        now,
	}
	if w.prev != nil && !w.opts.Rebuild {
		m.Created = w.prev.Created
	}
	if err := writeManifest(w.dir, m); err != nil {
		return nil, fmt.Errorf("switch index to the new generation: %w", err)
	}
	failpoint(FailAfterCommit)
	w.done = true
	if w.prevSet != nil {
		w.prevSet.Close()
	}
	removeStaleGenerations(w.dir, m)
	w.release()
	return m, nil
}

// reopenKeyword closes the generation's keyword index and opens it again
// for the rest of the commit, with Bleve's background merges off.
// Merges during the keyword pass read whole segments through their
// mappings and leave those pages resident in the process: at 1M papers
// 1.9 GB of the index counted in the build's memory all through training
// (RssFile, against 0.7 GB of its own). Reopened, the same files are
// mapped untouched, and training and embedding touch only the stored
// papers they read back (none in a fresh build). Merging in the
// background after that would map them again (at 1M papers RssFile
// climbed back to 2.1 GB during training) for work the index never
// needs before the next run.
func (w *Writer) reopenKeyword() error {
	if err := w.kw.Close(); err != nil {
		w.kw = nil
		return fmt.Errorf("close keyword index: %w", bleveCause(err))
	}
	var err error
	w.kw, err = openKeyword(filepath.Join(w.genDir, keywordDirName), keywordCommit)
	return err
}

// prepareEmbedder asks the embed side for this run's embedder, giving it
// what the index recorded and, for a trained embedder, the corpus.
func (w *Writer) prepareEmbedder(ctx context.Context) (*embed.Prepared, error) {
	args := embed.PrepareArgs{
		Spec:       w.opts.Embedder,
		Retrain:    w.opts.Retrain,
		Corpus:     w.corpus,
		CorpusSize: len(w.known),
		CacheDir:   filepath.Join(w.dir, cacheDirName),
		Workers:    w.opts.Workers,
		Phase: func(name string) {
			if w.opts.Progress != nil {
				w.opts.Progress(name, 0, 0)
			}
			if name == "training" {
				failpoint(FailTraining)
			}
		},
	}
	if w.prev != nil && !w.opts.Rebuild {
		st := w.prev.embedderState(filepath.Join(w.dir, genDirName(w.prev.Generation)))
		args.Prev = &st
	}
	prep, err := embed.Prepare(ctx, args)
	if err != nil {
		if errors.Is(err, embed.ErrUnknown) {
			return nil, index.Usage(err)
		}
		return nil, err
	}
	return prep, nil
}

// saveModel puts the run's model, if its embedder keeps one, into the new
// generation: a new model is written atomically, an unchanged one is
// hard-linked from the previous generation. It returns the embedder config
// to record.
func (w *Writer) saveModel(prep *embed.Prepared) (map[string]string, error) {
	cfg := maps.Clone(prep.State.Config)
	if prep.State.Model == nil {
		delete(cfg, "model_file")
		return cfg, nil
	}
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfg["model_file"] = localModelName
	path := filepath.Join(w.genDir, localModelName)
	if !prep.ModelChanged {
		prevModel := filepath.Join(w.dir, genDirName(w.prev.Generation), w.prev.modelFile())
		if err := linkOrCopy(prevModel, path); err != nil {
			return nil, fmt.Errorf("%w: local model: %w", index.ErrCorrupt, err)
		}
		return cfg, nil
	}
	// A model that can stream itself (a trained one) is not held whole
	// in memory beside itself.
	src, ok := prep.State.Model.(io.WriterTo)
	if !ok {
		data, err := prep.State.Model.Bytes()
		if err != nil {
			return nil, err
		}
		src = bytes.NewReader(data)
	}
	if err := atomicfile.WriteFrom(path, src); err != nil {
		return nil, fmt.Errorf("save embedding model: %w", err)
	}
	return cfg, nil
}

// Abort drops the generation being built and releases the lock. The
// previous generation is untouched. Safe to call after Commit (no-op).
// errWriterFinished is the answer of a writer used after Commit or Abort
// (whose Bleve index is closed by then).
var errWriterFinished = errors.New("writer already finished")

func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.wait()
	w.endKeywordPass()
	if w.kw != nil {
		w.kw.Close()
		w.kw = nil
	}
	if w.vb != nil {
		w.vb.Abort()
	}
	if w.spool != nil {
		w.spool.remove()
	}
	if w.prevSet != nil {
		w.prevSet.Close()
	}
	if w.genDir != "" {
		os.RemoveAll(w.genDir)
	}
	if w.fresh {
		leaveNothing(w.dir, w.created)
	}
	w.release()
}

func (w *Writer) release() {
	for _, c := range w.closers {
		_ = c()
	}
	w.closers = nil
	w.lock.release()
}

// embed computes vectors for the papers that need one: every paper when
// all is set (a new model), else only those added or replaced in this run.
func (w *Writer) embed(ctx context.Context, emb embed.Embedder, all bool) error {
	todo := w.changed
	if all {
		todo = w.known
	}
	ids := slices.Sorted(maps.Keys(todo))
	batch := w.opts.EmbedBatch
	if batch <= 0 {
		batch = 512
	}
	analyzer := index.Analyzer()
	var vocab *vocabCheck
	if !all && w.prev != nil {
		// Papers embedded with the model stored before this run: does it
		// know their words?
		vocab = newVocabCheck(emb)
	}
	for start := 0; start < len(ids); start += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk := ids[start:min(start+batch, len(ids))]
		papers := make([]index.Paper, len(chunk))
		docs := make([]embed.Document, len(chunk))
		lengths := make([]int, len(chunk))
		errs := make([]error, len(chunk))
		// Reading stored papers and counting their tokens is independent
		// per paper; on a large import it is as much work as embedding.
		parallel(len(chunk), 16, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				docs[i], papers[i], lengths[i], errs[i] = w.paper(chunk[i])
				if lengths[i] < 0 {
					lengths[i] = len(analyzer.Analyze([]byte(docs[i].Text)))
				}
			}
		})
		if err := errors.Join(errs...); err != nil {
			return err
		}
		for _, d := range docs {
			vocab.add(d.Text)
		}
		vecs, err := embed.EmbedDocs(ctx, emb, docs)
		if err != nil {
			return fmt.Errorf("embed papers: %w", err)
		}
		if len(vecs) != len(chunk) {
			return fmt.Errorf("embedder returned %d vectors for %d papers", len(vecs), len(chunk))
		}
		for i, id := range chunk {
			vec := vecs[i]
			if len(vec) == 0 {
				// An embedder with no model yet (embed.Untrained) gives no
				// vector: the paper is stored as a null row, counted and
				// filterable but never returned by the semantic leg.
				vec = make([]float32, max(1, w.vb.Dims()))
			}
			if err := w.vb.Put(id, vec, metaOf(&papers[i], lengths[i])); err != nil {
				return fmt.Errorf("vector of %s: %w", quoteID(id), err)
			}
		}
		if w.opts.Progress != nil {
			w.opts.Progress("embedding", start+len(chunk), len(ids))
		}
		failpoint(FailEmbedding)
	}
	if msg := vocab.warning(); msg != "" && w.opts.Warn != nil {
		w.opts.Warn(msg)
	}
	return nil
}

// corpus streams every paper in the generation being built (its text,
// and its terms when the spool has them), for training the local model.
func (w *Writer) corpus(fn func(doc embed.Document) error) error {
	for _, id := range slices.Sorted(maps.Keys(w.known)) {
		doc, _, _, err := w.paper(id)
		if err != nil {
			return err
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
	return nil
}

// paper returns the text of paper id (with its terms, if known), the
// fields its vector metadata needs (metaOf) and its length in analysed
// tokens (-1: not known yet): from the spool if this run added it, else
// from Bleve.
func (w *Writer) paper(id string) (embed.Document, index.Paper, int, error) {
	if w.spool.has(id) {
		sp, err := w.spool.get(id)
		if err != nil {
			return embed.Document{}, index.Paper{}, 0, err
		}
		return embed.Document{Text: sp.Text, Terms: sp.Terms}, sp.paper(), sp.Length, nil
	}
	p, err := lookupPaper(w.kw, id)
	if err != nil {
		return embed.Document{}, index.Paper{}, 0, err
	}
	return embed.Document{Text: p.Text()}, p, -1, nil
}

// analyzedLength is the number of tokens the analysis of doc
// (analyzeAhead) found in field, or -1 if doc has no such
// analysed text field.
func analyzedLength(doc *document.Document, field string) int {
	if tf := textField(doc, field); tf != nil {
		return tf.AnalyzedLength()
	}
	return -1
}

// textField is doc's text field named field (analysed or not), or nil.
func textField(doc *document.Document, field string) *document.TextField {
	var tf *document.TextField
	doc.VisitFields(func(f bindex.Field) {
		if pa, ok := f.(preAnalyzed); ok {
			f = pa.Field
		}
		if t, ok := f.(*document.TextField); ok && f.Name() == field {
			tf = t
		}
	})
	return tf
}

// analyzedTerms rebuilds the term sequence of field of doc from its
// analysis (analyzeAhead): every term at each
// of its positions, in position order — the order the analyzer emitted
// them, as positions only grow along a field's text. It returns nil when
// the analysis cannot give that sequence (no such field, no positions
// recorded, two terms at one position), so the caller analyses the text
// itself.
func analyzedTerms(doc *document.Document, field string) []string {
	tf := textField(doc, field)
	if tf == nil {
		return nil
	}
	n := tf.AnalyzedLength()
	freqs := tf.AnalyzedTokenFrequencies()
	// Positions start at 1 and count the tokens the tokenizer cut,
	// stopped ones included: the sequence has gaps to close.
	maxPos := 0
	for _, f := range freqs {
		for _, l := range f.Locations {
			maxPos = max(maxPos, l.Position)
		}
	}
	at := make([]string, maxPos+1)
	found := 0
	for term, f := range freqs {
		for _, l := range f.Locations {
			if l.Position < 1 || at[l.Position] != "" || term == "" {
				return nil
			}
			at[l.Position] = term
			found++
		}
	}
	if found != n {
		return nil
	}
	out := at[:0]
	for _, t := range at {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// cloneKeyword copies a Bleve index directory cheaply: scorch never
// modifies a segment file (*.zap) once written, so those are hard-linked;
// the small mutable files (root.bolt, index_meta.json) are copied. The new
// copy can then be written without touching the old one.
func cloneKeyword(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if strings.HasSuffix(path, ".zap") {
			if err := os.Link(path, target); err == nil {
				return nil
			}
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncTree fsyncs every file and directory under dir, so the generation is
// durable before the manifest points at it.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

// removeStaleGenerations deletes generation directories that the manifest
// does not need: leftovers of crashed runs and generations older than the
// previous one. The previous generation is kept so a server still reading
// it when a new one lands keeps working until it reopens.
func removeStaleGenerations(dir string, m *Manifest) {
	cur := 0
	if m != nil {
		cur = m.Generation
	}
	for _, name := range leftovers(dir, cur) {
		os.RemoveAll(filepath.Join(dir, name))
	}
}

func linkOrCopy(src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return err
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return copyFile(src, dst)
}

// parallel splits [0, n) across up to GOMAXPROCS goroutines, each given at
// least grain items (goroutines cost more than tiny work).
func parallel(n, grain int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/grain))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() { defer wg.Done(); fn(lo, hi) }()
	}
	wg.Wait()
}

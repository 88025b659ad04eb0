package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
)

// Writer is one index run on a cluster. Add and Delete are kept in memory
// and written by Commit; Abort (or a crash) before Commit writes nothing.
// Commit writes under stable object ids, so if it is interrupted the same
// run again completes it without duplicates.
type Writer struct {
	loc  Location
	c    *wv.Client
	opts index.WriteOptions
	prev *manifest // nil for a new index or a rebuild
	// exists says the papers' collection exists (and, without Rebuild,
	// holds papers Add and Delete must look up).
	exists bool
	layout wv.Layout
	write  wv.ConsistencyLevel
	// pending are the papers of this run by id, in the order first added.
	pending map[string]index.Paper
	order   []string
	// deleted are stored papers to delete at Commit.
	deleted map[string]bool
	state   map[string]string
	done    bool
	// ctx is Commit's, for the corpus callback.
	ctx context.Context
	// lease keeps other index runs out until Commit or Abort.
	lease *lease
}

var _ index.Writer = (*Writer)(nil)

// Defaults of a new collection: the replication factor that survives one
// lost node of three at QUORUM.
const defaultReplicas = 3

// BeginWrite starts an index run on the cluster at location.
func BeginWrite(ctx context.Context, location string, opts index.WriteOptions, o Options) (*Writer, error) {
	loc, c, err := o.connect(location)
	if err != nil {
		return nil, err
	}
	w := &Writer{loc: loc, c: c, opts: opts, pending: map[string]index.Paper{}, deleted: map[string]bool{}}
	layout, err := c.ClassLayout(ctx, loc.Class)
	switch {
	case errors.Is(err, wv.ErrNotFound):
	case err != nil:
		return nil, wrap("open "+loc.Raw, err)
	default:
		w.exists, w.layout = true, layout
		if err := checkLayout(opts, layout); err != nil && !opts.Rebuild {
			return nil, err
		}
	}
	if w.exists {
		prev, err := readManifest(ctx, c, loc, consistency(layout.Replicas))
		switch {
		case errors.Is(err, index.ErrNoIndex):
			// A first run interrupted before its manifest: its papers
			// are there and will be counted by this run's Commit.
		case err != nil && !opts.Rebuild:
			return nil, fmt.Errorf("%w (rebuild it from your files with --rebuild)", err)
		case err == nil:
			w.prev = prev
			w.state = maps.Clone(prev.State)
		}
	}
	if w.prev != nil && !opts.Rebuild {
		if err := opts.Embedder.Check(w.prev.Embedder); err != nil {
			return nil, err
		}
	}
	if !w.exists || opts.Rebuild {
		nodes, err := c.Members(ctx)
		if err != nil {
			return nil, wrap("list the cluster's nodes", err)
		}
		shards, replicas, err := newLayout(opts, len(nodes))
		if err != nil {
			return nil, err
		}
		w.layout = wv.Layout{Name: loc.Class, Shards: shards, Replicas: replicas}
	}
	w.write = consistency(w.layout.Replicas)
	// The lease lives in the meta collection: create it now for a new
	// index (a rebuild that changes the layout re-creates it at Commit).
	ok, err := c.ClassExists(ctx, loc.Meta())
	if err != nil {
		return nil, wrap("open "+loc.Meta(), err)
	}
	if !ok {
		if err := c.CreateClass(ctx, wv.BlobClass(loc.Meta(), w.layout.Replicas, true)); err != nil {
			return nil, wrap("create collection "+loc.Meta(), err)
		}
	}
	if w.lease, err = acquireLease(ctx, c, loc, w.write, o); err != nil {
		return nil, err
	}
	return w, nil
}

// checkLayout refuses --shards or --replicas that contradict an existing
// collection: a collection's layout is fixed when it is created.
func checkLayout(opts index.WriteOptions, l wv.Layout) error {
	if (opts.Shards != 0 && opts.Shards != l.Shards) || (opts.Replicas != 0 && opts.Replicas != l.Replicas) {
		return fmt.Errorf("%w: collection %s has %d shards and %d replicas; a layout is chosen when the collection is created (re-create it with --rebuild)",
			index.ErrUsage, l.Name, l.Shards, max(l.Replicas, 1))
	}
	return nil
}

// newLayout chooses a new collection's shards and replicas on a cluster of
// nodes: by default a shard per node and three replicas (or one per node
// when fewer), which keeps answering fully, at QUORUM, with one node of
// three down. It refuses layouts that would lose answers to one lost node
// on a multi-node cluster (one replica), and more replicas than nodes.
func newLayout(opts index.WriteOptions, nodes int) (shards, replicas int, err error) {
	nodes = max(nodes, 1)
	shards, replicas = opts.Shards, opts.Replicas
	if shards == 0 {
		shards = nodes
	}
	if replicas == 0 {
		replicas = min(defaultReplicas, nodes)
	}
	switch {
	case shards < 1 || replicas < 1:
		return 0, 0, fmt.Errorf("%w: --shards and --replicas must be at least 1", index.ErrUsage)
	case replicas > nodes:
		return 0, 0, fmt.Errorf("%w: --replicas %d: the cluster has only %d nodes", index.ErrUsage, replicas, nodes)
	case replicas == 1 && nodes > 1:
		return 0, 0, fmt.Errorf("%w: --replicas 1 on a %d-node cluster: one node down would take its shards' papers out of every answer; use --replicas 3 (survives one lost node) or at least 2",
			index.ErrUsage, nodes)
	}
	return shards, replicas, nil
}

// lookup says whether the cluster's papers count for this run (they do not
// in a new collection or a rebuild).
func (w *Writer) lookup() bool { return w.exists && !w.opts.Rebuild }

// storedIDs reports which of ids the cluster holds.
func (w *Writer) storedIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if !w.lookup() || len(ids) == 0 {
		return out, nil
	}
	const batch = 500
	for lo := 0; lo < len(ids); lo += batch {
		part := ids[lo:min(lo+batch, len(ids))]
		uuids := make([]string, len(part))
		for i, id := range part {
			uuids[i] = wv.ObjectID(id)
		}
		res, err := w.c.Search(ctx, wv.Search{Class: w.loc.Class, Where: wv.IDAny(uuids...), Limit: len(part),
			Properties: []string{propID}, Consistency: w.write})
		if err != nil {
			return nil, wrap("look up papers", err)
		}
		for _, h := range res[0] {
			p, err := decodeHit(h)
			if err != nil {
				return nil, err
			}
			out[p.ID] = true
		}
	}
	return out, nil
}

// stored reads a stored paper.
func (w *Writer) stored(ctx context.Context, id string) (index.Paper, error) {
	o, err := w.c.GetObject(ctx, w.loc.Class, wv.ObjectID(id), false, w.write)
	if err != nil {
		return index.Paper{}, wrap("read paper "+quoteID(id), err)
	}
	return decodeObject(o)
}

// Add implements index.Writer.
func (w *Writer) Add(ctx context.Context, papers []index.Paper) (added, replaced int, err error) {
	if w.done {
		return 0, 0, errors.New("writer already finished")
	}
	ids := make([]string, 0, len(papers))
	for i := range papers {
		papers[i].NormalizeExternalIDs()
		ids = append(ids, papers[i].ID)
	}
	stored, err := w.storedIDs(ctx, ids)
	if err != nil {
		return 0, 0, err
	}
	known := func(id string) bool {
		_, pending := w.pending[id]
		return pending || (stored[id] && !w.deleted[id])
	}
	// External ids of papers not known by their id: who holds them, in
	// this run or in the cluster.
	var refs []index.Ref
	for i := range papers {
		if !known(papers[i].ID) {
			refs = append(refs, papers[i].ExternalIDs()...)
		}
	}
	owners := map[index.Ref]string{}
	if w.lookup() && len(refs) > 0 {
		if owners, err = ownersOf(ctx, w.c, w.loc.Class, w.write, refs); err != nil {
			return 0, 0, err
		}
		for r, id := range owners {
			if w.deleted[id] {
				delete(owners, r)
			}
		}
	}
	for _, id := range w.order {
		p := w.pending[id]
		for _, r := range p.ExternalIDs() {
			owners[r] = id // this run's papers win over stored ones
		}
	}
	for _, p := range papers {
		merged := false // p now replaces the paper holding its external id
		if !known(p.ID) {
			for _, r := range p.ExternalIDs() {
				id, ok := owners[r]
				if !ok || id == p.ID {
					continue
				}
				old, pending := w.pending[id]
				if !pending {
					if old, err = w.stored(ctx, id); err != nil {
						return 0, 0, err
					}
				}
				p = index.Merge(old, p)
				merged = true
				break
			}
		}
		for _, r := range p.ExternalIDs() {
			if _, ok := owners[r]; !ok {
				owners[r] = p.ID
			}
		}
		if merged || known(p.ID) {
			replaced++
		} else {
			added++
		}
		if _, ok := w.pending[p.ID]; !ok {
			w.order = append(w.order, p.ID)
		}
		delete(w.deleted, p.ID) // re-added: the new one replaces it
		w.pending[p.ID] = p
	}
	return added, replaced, nil
}

// Delete implements index.Writer: refs are resolved against this run's
// papers and the cluster's; the stored ones are deleted at Commit.
func (w *Writer) Delete(ctx context.Context, refs []string) (deleted int, unknown []string, err error) {
	for _, ref := range refs {
		id, err := w.resolve(ctx, ref)
		if errors.Is(err, index.ErrNotFound) {
			unknown = append(unknown, ref)
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		if _, ok := w.pending[id]; ok {
			delete(w.pending, id)
			w.order = slices.DeleteFunc(w.order, func(x string) bool { return x == id })
		}
		if w.lookup() {
			w.deleted[id] = true // deleting an absent object is harmless
		}
		deleted++
	}
	return deleted, unknown, nil
}

// resolve finds the paper ref names among this run's papers and the
// cluster's not deleted yet.
func (w *Writer) resolve(ctx context.Context, ref string) (string, error) {
	if _, ok := w.pending[ref]; ok {
		return ref, nil
	}
	notFound := fmt.Errorf("%w: no paper %s", index.ErrNotFound, quoteID(ref))
	if w.lookup() && !w.deleted[ref] {
		ok, err := w.storedIDs(ctx, []string{ref})
		if err != nil {
			return "", err
		}
		if ok[ref] {
			return ref, nil
		}
	}
	r, err := index.ParseRef(ref)
	if err != nil || r.Scheme == "" {
		return "", notFound
	}
	for _, id := range w.order {
		p := w.pending[id]
		if slices.Contains(p.ExternalIDs(), r) {
			return id, nil
		}
	}
	if !w.lookup() {
		return "", notFound
	}
	owners, err := ownersOf(ctx, w.c, w.loc.Class, w.write, []index.Ref{r})
	if err != nil {
		return "", err
	}
	if id, ok := owners[r]; ok && !w.deleted[id] {
		return id, nil
	}
	return "", notFound
}

// SetState implements index.Writer.
func (w *Writer) SetState(key, value string) {
	w.state = index.WithState(w.state, key, value)
}

// Abort implements index.Writer: nothing was written before Commit.
func (w *Writer) Abort() {
	w.done = true
	w.pending, w.order, w.deleted = nil, nil, nil
	w.lease.release()
}

// Commit implements index.Writer: it prepares the embedder (training the
// local model on every paper the run leaves), stores a new model, deletes,
// writes this run's papers with their vectors (every paper when the model
// changed), and writes the manifest last.
func (w *Writer) Commit(ctx context.Context) (index.Info, error) {
	if w.done {
		return index.Info{}, errors.New("writer already finished")
	}
	w.ctx = ctx
	if err := w.lease.check(ctx); err != nil {
		return index.Info{}, err
	}
	args := embed.PrepareArgs{
		Spec:    w.opts.Embedder,
		Retrain: w.opts.Retrain,
		Corpus:  w.corpus,
		Workers: w.opts.Workers,
		Phase: func(name string) {
			if w.opts.Progress != nil {
				w.opts.Progress(name, 0, 0)
			}
		},
	}
	if w.prev != nil && !w.opts.Rebuild {
		st := w.prev.embedderState(w.c, w.loc, w.write)
		args.Prev = &st
	}
	prep, err := embed.Prepare(ctx, args)
	if err != nil {
		if errors.Is(err, embed.ErrUnknown) {
			return index.Info{}, fmt.Errorf("%w: %w", index.ErrUsage, err)
		}
		return index.Info{}, err
	}
	if prep.Close != nil {
		defer prep.Close()
	}
	if err := w.prepareCollections(ctx); err != nil {
		return index.Info{}, err
	}
	// Training can take minutes: another run may have taken the lease.
	if err := w.lease.check(ctx); err != nil {
		return index.Info{}, err
	}
	gen := 1
	created := time.Now().UTC().Truncate(time.Second)
	if w.prev != nil {
		gen = w.prev.Generation + 1
		if !w.opts.Rebuild {
			created = w.prev.Created
		}
	}
	modelKey := ""
	if prep.State.Model != nil {
		modelKey = w.prev.modelKeyOr("")
		if prep.ModelChanged || modelKey == "" {
			// A key of its own per generation: readers of the previous
			// manifest keep reading the previous model.
			modelKey = fmt.Sprintf("model-g%d", gen)
			data, err := prep.State.Model.Bytes()
			if err != nil {
				return index.Info{}, err
			}
			if err := w.c.PutBlob(ctx, w.loc.Meta(), modelKey, data, 0, w.write); err != nil {
				return index.Info{}, wrap("store the model", err)
			}
		}
	}
	if err := w.applyDeletes(ctx); err != nil {
		return index.Info{}, err
	}
	if err := w.writePending(ctx, prep.Embedder); err != nil {
		return index.Info{}, err
	}
	if prep.ReembedAll && w.lookup() {
		if err := w.reembedStored(ctx, prep.Embedder); err != nil {
			return index.Info{}, err
		}
	}
	if w.opts.Progress != nil {
		w.opts.Progress("saving", 0, 0)
	}
	n, err := w.c.Count(ctx, w.loc.Class, nil)
	if err != nil {
		return index.Info{}, wrap("count papers", err)
	}
	tokens, err := w.c.SumInt(ctx, w.loc.Class, propTextLength, nil)
	if err != nil {
		return index.Info{}, wrap("count terms", err)
	}
	if err := w.lease.check(ctx); err != nil {
		return index.Info{}, err
	}
	cfg := maps.Clone(prep.State.Config)
	m := &manifest{Format: formatVersion, Generation: gen, Papers: n, Tokens: int64(tokens.Sum),
		Embedder: prep.State.Fingerprint, EmbedderConfig: cfg, ModelKey: modelKey, State: w.state,
		Created: created, Updated: time.Now().UTC().Truncate(time.Second)}
	if err := writeManifest(ctx, w.c, w.loc, m, w.write); err != nil {
		return index.Info{}, err
	}
	if old := w.prev.modelKeyOr(""); old != "" && old != modelKey {
		// Unreachable now; a failure only leaves garbage.
		_, _ = w.c.DeleteWhere(ctx, w.loc.Meta(), wv.TextEqual("key", old), w.write)
	}
	w.done = true
	w.lease.release()
	return m.info(w.loc.Raw), nil
}

func (m *manifest) modelKeyOr(def string) string {
	if m == nil || m.ModelKey == "" {
		return def
	}
	return m.ModelKey
}

// prepareCollections creates the collections of a new index, or empties
// them for a rebuild (only now, so a rebuild that fails while reading
// leaves the old index).
func (w *Writer) prepareCollections(ctx context.Context) error {
	if w.opts.Rebuild && w.exists {
		for _, name := range []string{w.loc.Class, w.loc.Meta()} {
			if err := w.c.DeleteClass(ctx, name); err != nil {
				return wrap("drop "+name+" for --rebuild", err)
			}
		}
		w.exists = false
	}
	if !w.exists {
		if err := w.c.CreateClass(ctx, papersClass(w.loc.Class, w.layout.Shards, w.layout.Replicas)); err != nil {
			return wrap("create collection "+w.loc.Class, err)
		}
		l, err := w.c.ClassLayout(ctx, w.loc.Class)
		if err != nil {
			return wrap("open "+w.loc.Class, err)
		}
		if l.BlockMaxWAND {
			// The server chose BlockMax WAND for the new collection's bm25
			// (its default; the API cannot choose). In v1.35.2 its top-k
			// lists miss papers written in the last minute and some after:
			// the keyword leg would silently lose results.
			_ = w.c.DeleteClass(ctx, w.loc.Class)
			return fmt.Errorf("%w: the cluster creates collections whose bm25 uses BlockMax WAND, which in Weaviate %s misses recently written papers; start its nodes with USE_INVERTED_SEARCHABLE=false (as scripts/weaviate.sh does) and run the index command again",
				index.ErrUsage, "v1.35")
		}
	}
	ok, err := w.c.ClassExists(ctx, w.loc.Meta())
	if err != nil {
		return wrap("open "+w.loc.Meta(), err)
	}
	if !ok {
		if err := w.c.CreateClass(ctx, wv.BlobClass(w.loc.Meta(), w.layout.Replicas, true)); err != nil {
			return wrap("create collection "+w.loc.Meta(), err)
		}
		// Dropped with the collection for a rebuild: hold it again.
		if w.lease != nil {
			if err := w.lease.put(ctx, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *Writer) applyDeletes(ctx context.Context) error {
	ids := slices.Sorted(maps.Keys(w.deleted))
	const batch = 1000
	for lo := 0; lo < len(ids); lo += batch {
		part := ids[lo:min(lo+batch, len(ids))]
		uuids := make([]string, len(part))
		for i, id := range part {
			uuids[i] = wv.ObjectID(id)
		}
		if _, err := w.c.DeleteWhere(ctx, w.loc.Class, wv.IDAny(uuids...), w.write); err != nil {
			return wrap("delete papers", err)
		}
	}
	return nil
}

// embedBatch is how many papers are embedded and written per request.
func (w *Writer) embedBatch() int {
	if w.opts.EmbedBatch > 0 {
		return w.opts.EmbedBatch
	}
	return 512
}

// put embeds papers and writes them with their vectors.
func (w *Writer) put(ctx context.Context, emb embed.Embedder, papers []index.Paper) error {
	// Renewal found another run holding the lease: write no more.
	if err := w.lease.lostErr(); err != nil {
		return err
	}
	// The terms the cluster is sent are, for most texts, the local
	// model's words too (index.StockTerms): analysed once for both.
	docs := make([]embed.Document, len(papers))
	terms := make([][]string, len(papers))
	for i := range papers {
		text := papers[i].Text()
		terms[i] = index.Terms(text)
		docs[i] = embed.Document{Text: text, Terms: index.StockTerms(index.AnalyzerName, text, func() []string { return terms[i] })}
	}
	vecs, err := embed.EmbedDocs(ctx, emb, docs)
	if err != nil {
		return fmt.Errorf("embed papers: %w", err)
	}
	if len(vecs) != len(papers) {
		return fmt.Errorf("embedder returned %d vectors for %d papers", len(vecs), len(papers))
	}
	objs := make([]wv.Object, len(papers))
	for i := range papers {
		objs[i] = paperObject(&papers[i], terms[i], vecs[i])
	}
	return wrap("write papers", batchPut(ctx, w.c, w.loc.Class, objs, w.write))
}

// batchPut writes objs, trying again (after 1, 2, 4 s) while the cluster
// is unavailable: a replica too busy to answer, a node restarting. Writes
// are idempotent, so a batch that partly landed is simply sent again.
func batchPut(ctx context.Context, c *wv.Client, class string, objs []wv.Object, cl wv.ConsistencyLevel) error {
	wait := time.Second
	for attempt := 1; ; attempt++ {
		err := c.BatchPut(ctx, class, objs, cl)
		if err == nil || !errors.Is(err, wv.ErrUnavailable) || attempt == 4 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (w *Writer) writePending(ctx context.Context, emb embed.Embedder) error {
	b := w.embedBatch()
	for lo := 0; lo < len(w.order); lo += b {
		if err := ctx.Err(); err != nil {
			return err
		}
		ids := w.order[lo:min(lo+b, len(w.order))]
		papers := make([]index.Paper, len(ids))
		for i, id := range ids {
			papers[i] = w.pending[id]
		}
		if err := w.put(ctx, emb, papers); err != nil {
			return err
		}
		if w.opts.Progress != nil {
			w.opts.Progress("embedding", lo+len(ids), len(w.order))
		}
	}
	return nil
}

// eachStored calls fn with pages of the stored papers this run leaves as
// they are (not deleted, not replaced).
func (w *Writer) eachStored(ctx context.Context, fn func([]index.Paper) error) error {
	after := ""
	for {
		page, err := w.c.List(ctx, w.loc.Class, after, w.embedBatch(), false)
		if err != nil {
			return wrap("list papers", err)
		}
		var papers []index.Paper
		for _, o := range page.Objects {
			p, err := decodeObject(o)
			if err != nil {
				return err
			}
			if _, replaced := w.pending[p.ID]; !replaced && !w.deleted[p.ID] {
				papers = append(papers, p)
			}
		}
		if len(papers) > 0 {
			if err := fn(papers); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		after = page.Next
	}
}

// reembedStored gives every stored paper a vector of the new model.
func (w *Writer) reembedStored(ctx context.Context, emb embed.Embedder) error {
	done := len(w.order)
	return w.eachStored(ctx, func(papers []index.Paper) error {
		if err := w.put(ctx, emb, papers); err != nil {
			return err
		}
		done += len(papers)
		if w.opts.Progress != nil {
			w.opts.Progress("embedding", done, 0)
		}
		return nil
	})
}

// corpus streams the text of every paper the run leaves, for training the
// local model, in id order as a directory index does: the same papers
// train the same model wherever they are stored.
func (w *Writer) corpus(fn func(doc embed.Document) error) error {
	texts := make(map[string]string, len(w.order))
	if w.lookup() {
		err := w.eachStored(w.ctx, func(papers []index.Paper) error {
			for i := range papers {
				texts[papers[i].ID] = papers[i].Text()
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, id := range w.order {
		p := w.pending[id]
		texts[id] = p.Text()
	}
	for _, id := range slices.Sorted(maps.Keys(texts)) {
		if err := fn(embed.Document{Text: texts[id]}); err != nil {
			return err
		}
	}
	return nil
}

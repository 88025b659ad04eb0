package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
)

type indexOptions struct {
	*globalOptions
	Files     []string
	Embedder  embedderFlags
	BatchSize int
	Workers   int
	Rebuild   bool
	Retrain   bool
	Upgrade   bool
	SkipBad   bool
	// Shards and Replicas lay out a new collection on a cluster.
	Shards, Replicas int
}

// embedderFlags choose the embedder of a new index (and must agree with the
// embedder of an existing one).
type embedderFlags struct {
	Name, Model, DocPrefix, QueryPrefix string
	Dimensions                          int
}

// spec is the embedder asked for. $OPENAI_BASE_URL is read here, at the
// edge: the index and embed packages never read the environment.
func (f embedderFlags) spec() embed.Spec {
	return embed.Spec{Name: f.Name, Model: f.Model, Dimensions: f.Dimensions, DocPrefix: f.DocPrefix, QueryPrefix: f.QueryPrefix,
		BaseURL: os.Getenv("OPENAI_BASE_URL")}
}

func (f *embedderFlags) bind(c *cobra.Command) {
	c.Flags().StringVar(&f.Name, "embedder", "", "embedder of a new index: local (default, no network) or openai")
	c.Flags().StringVar(&f.Model, "embed-model", "", "openai: embedding model (default text-embedding-3-small)")
	c.Flags().IntVar(&f.Dimensions, "dimensions", 0, "vector size (local: model size, default 256; openai: requested size)")
	c.Flags().StringVar(&f.DocPrefix, "doc-prefix", "", `openai: prefix for documents, e.g. "search_document: "`)
	c.Flags().StringVar(&f.QueryPrefix, "query-prefix", "", `openai: prefix for queries, e.g. "search_query: "`)
}

// indexSummary is the contract's --json summary. Total is the number of
// papers in the index after the run.
//
// Deleted counts the papers that deletion records (PubMed DeleteCitation,
// OAI-PMH deleted records) removed; a deletion naming a paper that is not
// in the index removes nothing and is counted in NotFound, which only the
// human summary shows (an update file deletes papers of the whole
// catalogue, most of which a given index never held).
type indexSummary struct {
	Added    int     `json:"added"`
	Replaced int     `json:"replaced"`
	Deleted  int     `json:"deleted"`
	Skipped  int     `json:"skipped"`
	Total    int     `json:"total"`
	Seconds  float64 `json:"seconds"`
	// Warnings are also printed on stderr (e.g. papers mostly unknown to
	// the stored model: --retrain).
	Warnings []string `json:"warnings,omitempty"`

	deletions int // deletion records read
	notFound  int // of which named no indexed paper
}

func newIndexCmd(g *globalOptions) *cobra.Command {
	opts := &indexOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "index [FILE...]",
		Short: "Add papers to the index (JSON lines, arXiv, BEIR, CSV/TSV, BibTeX, RIS, CSL-JSON, OpenAlex, Semantic Scholar, PubMed, OAI-PMH; gzip ok; - is stdin)",
		Long: `Reads papers and adds them to the index, creating it if absent. The format of
each file is detected from its content: JSON lines or arrays (generic, arXiv
metadata snapshot, BEIR, OpenAlex works, Semantic Scholar Graph API objects and
Datasets rows), CSV/TSV, BibTeX/BibLaTeX, RIS, CSL-JSON (Zotero), PubMed/MEDLINE
XML and arXiv OAI-PMH XML; .gz is read transparently; - reads stdin.

A paper whose id is already indexed is replaced, and so is one that shares a
DOI, arXiv id or PMID with an indexed paper (under the indexed paper's id).
PubMed DeleteCitation and OAI-PMH deleted records remove papers. Semantic
Scholar Datasets papers and abstracts files given in one run are joined on
corpusid. Bad records are reported as FILE:LINE: reason and skipped (exit 1
unless --skip-bad). A broken file stops the run and leaves the index exactly as
it was.`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Files = args
			if len(args) == 0 && !opts.Retrain && !opts.Upgrade {
				return usagef("index needs at least one FILE (or - for stdin)")
			}
			if opts.BatchSize < 1 {
				return usagef("--batch-size must be at least 1")
			}
			if opts.Workers < 1 {
				return usagef("--workers must be at least 1")
			}
			return indexRun(c.Context(), opts)
		},
	}
	opts.Embedder.bind(c)
	c.Flags().IntVar(&opts.BatchSize, "batch-size", 1000, "papers per keyword-index batch")
	c.Flags().IntVar(&opts.Workers, "workers", runtime.NumCPU(), "parallel embedding workers / requests")
	c.Flags().BoolVar(&opts.Rebuild, "rebuild", false, "drop the index and rebuild it from the given files")
	c.Flags().BoolVar(&opts.Retrain, "retrain", false, "local embedder: re-learn the model from every indexed paper")
	c.Flags().BoolVar(&opts.Upgrade, "upgrade", false, "bring an index built by an older paperseek up to date (any index run also does; nothing is re-embedded)")
	c.Flags().IntVar(&opts.Shards, "shards", 0, "weaviate:// index: shards of a new collection (default: one per node)")
	c.Flags().IntVar(&opts.Replicas, "replicas", 0, "weaviate:// index: replication factor of a new collection (default: 3, or the node count if smaller)")
	c.Flags().BoolVar(&opts.SkipBad, "skip-bad", false, "exit 0 even if some records were bad (they are still reported)")
	return c
}

// source is one input, opened before the index is touched so that a typo
// in a file name fails before any work.
type source struct {
	name  string
	r     io.ReadCloser
	size  int64 // 0 when unknown (stdin)
	count *countingReader
}

func openSources(files []string, stdin io.Reader) ([]*source, error) {
	var out []*source
	closeAll := func() {
		for _, s := range out {
			s.r.Close()
		}
	}
	stdinUsed := false
	for _, f := range files {
		if f == "-" {
			if stdinUsed {
				closeAll()
				return nil, usagef("stdin (-) can be given only once")
			}
			stdinUsed = true
			out = append(out, &source{name: "stdin", r: io.NopCloser(stdin)})
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			closeAll()
			return nil, usagef("cannot read %s: %v", f, unwrapPathError(err))
		}
		info, err := fh.Stat()
		if err == nil && info.IsDir() {
			fh.Close()
			closeAll()
			return nil, usagef("%s is a directory, not a file of papers", f)
		}
		s := &source{name: f, r: fh}
		if err == nil {
			s.size = info.Size()
		}
		out = append(out, s)
	}
	for _, s := range out {
		s.count = &countingReader{r: s.r}
	}
	return out, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func indexRun(ctx context.Context, opts *indexOptions) error {
	start := time.Now()
	stopProfile := startCPUProfile(func(msg string) { fmt.Fprintln(opts.IO.ErrOut, msg) })
	defer stopProfile()
	if opts.Upgrade && len(opts.Files) == 0 && !opts.Retrain && !opts.Rebuild {
		// An index that opens is up to date: leave it alone, as check
		// --repair leaves a healthy index alone.
		if st, err := index.Open(ctx, opts.Index); err == nil && matchesPhrases(st) {
			st.Close()
			fmt.Fprintf(opts.IO.ErrOut, "the index in %s is up to date; nothing to upgrade\n", opts.Index)
			return nil
		} else if err == nil {
			st.Close() // opens, but lacks word positions: upgrade below
		} else if !errors.Is(err, index.ErrUsage) {
			return err
		}
	}
	sources, err := openSources(opts.Files, opts.IO.In)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range sources {
			s.r.Close()
		}
	}()
	var totalBytes int64
	inputs := make([]ingest.Input, len(sources))
	counters := make([]*countingReader, len(sources))
	for i, s := range sources {
		totalBytes += s.size
		inputs[i] = ingest.Input{Name: s.name, R: s.count}
		counters[i] = s.count
	}
	prog := newProgress(opts.IO, totalBytes, counters)
	defer prog.finish()

	spec := opts.Embedder.spec()
	spec.Progress = func(done int) { prog.embedded(done) }
	var warnings []string
	w, err := index.BeginWrite(ctx, opts.Index, index.WriteOptions{
		Rebuild:  opts.Rebuild,
		Retrain:  opts.Retrain,
		Embedder: spec,
		Workers:  opts.Workers,
		Shards:   opts.Shards,
		Replicas: opts.Replicas,
		Progress: prog.phase,
		Warn:     func(msg string) { warnings = append(warnings, msg) },
	})
	if err != nil {
		if errors.Is(err, index.ErrLocked) || exitCode(err) == exitUsage {
			return err
		}
		return unchanged(err, opts.Index)
	}
	defer w.Abort() // no-op after a successful Commit

	// All inputs are read as one stream: the Semantic Scholar Datasets'
	// papers and abstracts files of one run are joined on corpusid. They
	// are detected after the lock is taken: detecting stdin waits for its
	// first 64 KiB, and a second writer must fail fast meanwhile.
	var rd *ingest.MultiReader
	if len(inputs) > 0 {
		if rd, err = ingest.NewMultiReader(inputs, ingest.MultiOptions{}); err != nil {
			return unchanged(err, opts.Index)
		}
		defer rd.Close()
	}

	var sum indexSummary
	if rd != nil {
		closeSources := func() {
			for _, s := range sources {
				s.r.Close()
			}
		}
		if err := indexRecords(ctx, w, rd, closeSources, opts, prog, &sum); err != nil {
			return unchanged(err, opts.Index)
		}
	}
	m, err := w.Commit(ctx)
	if err != nil {
		return unchanged(err, opts.Index)
	}
	prog.finish()
	sum.Total = m.Papers
	sum.Seconds = roundTo(time.Since(start).Seconds(), 3)
	sum.Warnings = append(warnings, modelWarnings(m)...)
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(opts.IO.ErrOut, sum.human(opts.Index))
	}
	for _, w := range sum.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "paperseek: warning: %s\n", w)
	}
	if sum.Skipped > 0 && !opts.SkipBad {
		fmt.Fprintf(opts.IO.ErrOut, "paperseek: %s skipped (see above); use --skip-bad to exit 0 anyway\n", plural(sum.Skipped, "bad record"))
		return &silentError{code: exitFailure}
	}
	return nil
}

// human is the one summary line for people. Deletions are mentioned only
// when the input had some, so a run of plain papers reads as before.
func (sum *indexSummary) human(dir string) string {
	deleted := ""
	if sum.deletions > 0 {
		deleted = fmt.Sprintf(", %d deleted", sum.Deleted)
		if sum.notFound > 0 {
			deleted += fmt.Sprintf(" (%d more not in the index)", sum.notFound)
		}
	}
	return fmt.Sprintf("indexed %s: %d added, %d replaced%s, %d skipped in %.1fs; %s in %s",
		plural(sum.Added+sum.Replaced, "paper"), sum.Added, sum.Replaced, deleted, sum.Skipped, sum.Seconds, plural(sum.Total, "paper"), dir)
}

// batch is a run of records of one kind, in input order: papers to add or
// references of papers to delete. Order matters across kinds: a PubMed
// update file may revise a citation and later delete it.
type batch struct {
	papers  []index.Paper
	deletes []string
	err     error
}

// indexRecords streams the run's records into the writer in batches.
// Reading runs in its own goroutine so parsing overlaps with Bleve's
// indexing; it has ended when indexRecords returns, also on an error:
// interrupt (closing the input files) ends a read waiting on a pipe (stdin
// cannot be closed that way: there the wait is for its next read).
func indexRecords(ctx context.Context, w index.Writer, rd *ingest.MultiReader, interrupt func(), opts *indexOptions, prog *progress, sum *indexSummary) error {
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan batch, 2)
	readerDone := make(chan struct{})
	defer func() {
		cancel()
		interrupt()
		<-readerDone
	}()
	go func() {
		defer close(readerDone)
		defer close(batches)
		send := func(b batch) bool {
			select {
			case batches <- b:
				return true
			case <-ctx.Done():
				return false
			}
		}
		var cur batch
		flush := func() bool {
			if len(cur.papers) == 0 && len(cur.deletes) == 0 {
				return true
			}
			b := cur
			cur = batch{}
			return send(b)
		}
		for ctx.Err() == nil {
			rec, err := rd.NextRecord()
			if err == io.EOF {
				break
			}
			var bad *ingest.RecordError
			if errors.As(err, &bad) {
				prog.clear()
				fmt.Fprintln(opts.IO.ErrOut, bad.Error())
				sum.Skipped++
				continue
			}
			if err != nil {
				send(batch{err: err})
				return
			}
			if rec.Delete {
				if len(cur.papers) > 0 && !flush() {
					return
				}
				cur.deletes = append(cur.deletes, rec.Ref().String())
			} else {
				if len(cur.deletes) > 0 && !flush() {
					return
				}
				if cur.papers == nil {
					cur.papers = make([]index.Paper, 0, opts.BatchSize)
				}
				cur.papers = append(cur.papers, rec.Paper)
			}
			if len(cur.papers)+len(cur.deletes) >= opts.BatchSize && !flush() {
				return
			}
		}
		flush()
	}()
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(b.deletes) > 0 {
			n, unknown, err := w.Delete(ctx, b.deletes)
			if err != nil {
				return err
			}
			sum.deletions += len(b.deletes)
			sum.Deleted += n
			sum.notFound += len(unknown)
			continue
		}
		added, replaced, err := w.Add(ctx, b.papers)
		if err != nil {
			return err
		}
		sum.Added += added
		sum.Replaced += replaced
		prog.papers(added + replaced)
	}
	return ctx.Err()
}

// unchanged says that a failed run left the index as it was (once, however
// often it is applied), and turns an out-of-space failure into one line
// saying what to do. Full is decided by the cause (errors.Is ENOSPC, EFBIG,
// EDQUOT), the file by the *fs.PathError or *os.LinkError that carries it.
func unchanged(err error, dir string) error {
	var said *unchangedError
	if errors.As(err, &said) {
		return err
	}
	if full := diskFull(err); full != nil {
		what := full.Error()
		if f := failedFile(err); f != "" {
			what = f + ": " + what
		}
		return &unchangedError{err, fmt.Sprintf("not enough space to write the index in %s (%s); the index was left unchanged: free some space (or raise the file-size limit) and run the same command again", dir, what)}
	}
	return &unchangedError{err, err.Error() + "; the index was left unchanged"}
}

// diskFull returns the errno that says err is a lack of room: a full disk,
// a file-size limit or a quota.
func diskFull(err error) error {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EFBIG, syscall.EDQUOT} {
		if errors.Is(err, errno) {
			return errno
		}
	}
	return nil
}

// failedFile names the file an I/O error is about: the base name of its
// path, without the temporary-file decoration of atomic writes
// (".vectors.bin.tmp-123" is vectors.bin).
func failedFile(err error) string {
	var pe *fs.PathError
	var le *os.LinkError
	var path string
	switch {
	case errors.As(err, &pe):
		path = pe.Path
	case errors.As(err, &le):
		path = le.New
	default:
		return ""
	}
	name := filepath.Base(path)
	if i := strings.Index(name, ".tmp-"); i > 0 {
		name = strings.TrimPrefix(name[:i], ".")
	}
	return name
}

// unchangedError replaces an error's message, saying the index was left
// unchanged, and keeps the error for errors.Is/As.
type unchangedError struct {
	err error
	msg string
}

func (e *unchangedError) Error() string { return e.msg }
func (e *unchangedError) Unwrap() error { return e.err }

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// matchesPhrases reports whether st needs no upgrade for exact phrases.
func matchesPhrases(st index.Store) bool {
	pm, ok := st.(index.PhraseMatcher)
	if !ok {
		return true // nothing an index run could change
	}
	yes, _ := pm.MatchesPhrases()
	return yes
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
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
type indexSummary struct {
	Added    int     `json:"added"`
	Replaced int     `json:"replaced"`
	Skipped  int     `json:"skipped"`
	Total    int     `json:"total"`
	Seconds  float64 `json:"seconds"`
}

func newIndexCmd(g *globalOptions) *cobra.Command {
	opts := &indexOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "index [FILE...]",
		Short: "Add papers to the index (JSON lines, arXiv, BEIR, JSON array, CSV/TSV; gzip ok; - is stdin)",
		Long: `Reads papers and adds them to the index, creating it if absent. The format of
each file is detected from its content; .gz is read transparently; - reads stdin.
A paper whose id is already indexed is replaced. Bad records are reported as
FILE:LINE: reason and skipped (exit 1 unless --skip-bad). A broken file stops
the run and leaves the index exactly as it was.`,
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
	if opts.Upgrade && len(opts.Files) == 0 && !opts.Retrain && !opts.Rebuild {
		// An index that opens is up to date: leave it alone, as check
		// --repair leaves a healthy index alone.
		if st, err := index.Open(ctx, opts.Index); err == nil {
			st.Close()
			fmt.Fprintf(opts.IO.ErrOut, "the index in %s is up to date; nothing to upgrade\n", opts.Index)
			return nil
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
	for _, s := range sources {
		totalBytes += s.size
	}
	prog := newProgress(opts.IO, totalBytes)
	defer prog.finish()

	spec := opts.Embedder.spec()
	spec.Progress = func(done int) { prog.embedded(done) }
	w, err := index.BeginWrite(ctx, opts.Index, index.WriteOptions{
		Rebuild:  opts.Rebuild,
		Retrain:  opts.Retrain,
		Embedder: spec,
		Workers:  opts.Workers,
		Shards:   opts.Shards,
		Replicas: opts.Replicas,
		Progress: prog.phase,
	})
	if err != nil {
		if errors.Is(err, index.ErrLocked) || exitCode(err) == exitUsage {
			return err
		}
		return unchanged(err, opts.Index)
	}
	defer w.Abort() // no-op after a successful Commit

	var sum indexSummary
	for _, s := range sources {
		prog.file(s.count)
		if err := indexSource(ctx, w, s, opts, prog, &sum); err != nil {
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
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(opts.IO.ErrOut, "indexed %s: %d added, %d replaced, %d skipped in %.1fs; %d papers in %s\n",
			plural(sum.Added+sum.Replaced, "paper"), sum.Added, sum.Replaced, sum.Skipped, sum.Seconds, sum.Total, opts.Index)
	}
	if sum.Skipped > 0 && !opts.SkipBad {
		fmt.Fprintf(opts.IO.ErrOut, "paperseek: %s skipped (see above); use --skip-bad to exit 0 anyway\n", plural(sum.Skipped, "bad record"))
		return &silentError{code: exitFailure}
	}
	return nil
}

// indexSource streams one input into the writer in batches. Reading runs
// in its own goroutine so parsing overlaps with Bleve's indexing.
func indexSource(ctx context.Context, w index.Writer, s *source, opts *indexOptions, prog *progress, sum *indexSummary) error {
	rd, err := ingest.NewReader(s.name, s.count)
	if err != nil {
		return err
	}
	type batch struct {
		papers []index.Paper
		err    error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 2)
	go func() {
		defer close(batches)
		buf := make([]index.Paper, 0, opts.BatchSize)
		for {
			p, err := rd.Next()
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
				select {
				case batches <- batch{err: err}:
				case <-ctx.Done():
				}
				return
			}
			buf = append(buf, p)
			if len(buf) == cap(buf) {
				select {
				case batches <- batch{papers: buf}:
				case <-ctx.Done():
					return
				}
				buf = make([]index.Paper, 0, opts.BatchSize)
			}
		}
		if len(buf) > 0 {
			select {
			case batches <- batch{papers: buf}:
			case <-ctx.Done():
			}
		}
	}()
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		if err := ctx.Err(); err != nil {
			return err
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

// unchanged says that a failed run left the index as it was, and turns an
// out-of-space failure, which Bleve reports as text several layers deep,
// into one line saying what to do.
func unchanged(err error, dir string) error {
	msg := err.Error()
	for _, full := range []string{"no space left on device", "file too large", "disk quota exceeded"} {
		if strings.Contains(strings.ToLower(msg), full) {
			what := full
			if f := lastFileIn(msg); f != "" {
				what = f + ": " + full
			}
			return &wrappedError{err, fmt.Sprintf("not enough space to write the index in %s (%s); the index was left unchanged: free some space (or raise the file-size limit) and run the same command again", dir, what)}
		}
	}
	return fmt.Errorf("%w; the index was left unchanged", err)
}

var pathInMessage = regexp.MustCompile(`[^\s:]*/[^\s:]+`)

// lastFileIn names the file an I/O error message is about: the base name of
// its last path, without the temporary-file decoration of atomic writes
// (".vectors.bin.tmp-123" is vectors.bin).
func lastFileIn(msg string) string {
	paths := pathInMessage.FindAllString(msg, -1)
	if len(paths) == 0 {
		return ""
	}
	name := filepath.Base(paths[len(paths)-1])
	if i := strings.Index(name, ".tmp-"); i > 0 {
		name = strings.TrimPrefix(name[:i], ".")
	}
	return name
}

// wrappedError replaces an error's message but keeps it for errors.Is.
type wrappedError struct {
	err error
	msg string
}

func (e *wrappedError) Error() string { return e.msg }
func (e *wrappedError) Unwrap() error { return e.err }

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

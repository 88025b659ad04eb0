package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/harvest"
)

type syncOptions struct {
	*globalOptions
	Sets        []string
	From, Until string
	BaseURL     string
	Delay       time.Duration
	DryRun      bool
	SkipBad     bool
	Embedder    embedderFlags
}

// syncSummary is `sync arxiv --json`: the totals as the index summary
// names them, plus one entry per set and, in a dry run, every change.
type syncSummary struct {
	Sets     []harvest.Summary `json:"sets"`
	Added    int               `json:"added"`
	Replaced int               `json:"replaced"`
	Deleted  int               `json:"deleted"`
	Skipped  int               `json:"skipped"`
	Total    int               `json:"total"`
	Seconds  float64           `json:"seconds"`
	DryRun   bool              `json:"dry_run,omitempty"`
	Changes  []harvest.Change  `json:"changes,omitempty"`
}

func newSyncCmd(g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "sync",
		Short: "Keep the index current with a source of new papers (arxiv)",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown source %q for sync: the sources are arxiv (see '%s --help')", args[0], c.CommandPath())
			}
			return usagef("sync needs a source: paperseek sync arxiv --set SET (see '%s --help')", c.CommandPath())
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	c.AddCommand(newSyncArxivCmd(g))
	return c
}

func newSyncArxivCmd(g *globalOptions) *cobra.Command {
	opts := &syncOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "arxiv --set SET [--set SET…] [--from DATE] [--until DATE]",
		Short: "Harvest new and changed arXiv papers over OAI-PMH into the index",
		Long: `Harvests arXiv's OAI-PMH interface (ListRecords, arXivRaw metadata) for each
set and adds what it finds to the index: new papers are added, new versions
replace the paper (same id), deleted records are removed.

Without --from, a set continues from the harvest point the index recorded at
the end of its last harvest (or finishes a harvest that was interrupted), so
a daily cron line is all it takes. The first harvest of a set needs --from.
Dates are days (YYYY-MM-DD) of the records' last change, both ends included.

Requests go one at a time, --delay apart (arXiv asks for at least 3 s; never
less than 1 s), and a 503 answer is retried after the Retry-After it names.
Every page is committed with the state to continue from, so a run killed at
any moment is resumed by running it again: nothing is lost or duplicated.`,
		Example: `  paperseek sync arxiv --set cs --from 2026-11-01
  paperseek sync arxiv --set cs --set physics:quant-ph
  # crontab: every morning at 6
  0 6 * * * paperseek sync arxiv --set cs --set stat >>~/.cache/paperseek-sync.log 2>&1`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			return syncArxivRun(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringArrayVar(&opts.Sets, "set", nil, "arXiv `SET` to harvest: cs, math, stat, physics:quant-ph, … (repeatable)")
	f.StringVar(&opts.From, "from", "", "harvest records changed on or after `DATE` (YYYY-MM-DD); default: where the last harvest of the set ended")
	f.StringVar(&opts.Until, "until", "", "harvest records changed on or before `DATE` (YYYY-MM-DD)")
	f.StringVar(&opts.BaseURL, "base-url", harvest.DefaultBaseURL, "the OAI-PMH interface to harvest")
	f.DurationVar(&opts.Delay, "delay", harvest.DefaultDelay, "time between requests (at least 1s)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "fetch and print what would change, without changing the index")
	f.BoolVar(&opts.SkipBad, "skip-bad", false, "exit 0 even if some records could not be indexed (they are still reported)")
	opts.Embedder.bind(c)
	return c
}

// setSpec is an OAI-PMH setSpec: colon-separated parts of URI-safe
// characters ("physics:quant-ph").
var setSpec = regexp.MustCompile(`^[A-Za-z0-9_.!~*'()-]+(:[A-Za-z0-9_.!~*'()-]+)*$`)

func (o *syncOptions) validate() error {
	if len(o.Sets) == 0 {
		return usagef("sync arxiv needs at least one --set (e.g. --set cs, --set physics:quant-ph)")
	}
	var sets []string
	for _, s := range o.Sets {
		s = strings.TrimSpace(s)
		if !setSpec.MatchString(s) {
			return usagef("--set %q is not an arXiv set (e.g. cs, math, physics:quant-ph)", s)
		}
		if !slices.Contains(sets, s) {
			sets = append(sets, s)
		}
	}
	o.Sets = sets
	for _, d := range []*string{&o.From, &o.Until} {
		if *d == "" {
			continue
		}
		v, err := harvest.ParseDate(*d)
		if err != nil {
			return err
		}
		*d = v
	}
	if o.From != "" && o.Until != "" && o.From > o.Until {
		return usagef("--from %s is after --until %s", o.From, o.Until)
	}
	if o.Delay < harvest.MinDelay {
		return usagef("--delay must be at least %v (got %v): arXiv allows no faster harvest", harvest.MinDelay, o.Delay)
	}
	return nil
}

func syncArxivRun(ctx context.Context, opts *syncOptions) error {
	start := time.Now()
	client, err := harvest.NewClient(opts.BaseURL, harvest.ClientOptions{Delay: opts.Delay})
	if err != nil {
		return err
	}
	prog := newProgress(opts.IO, 0, nil)
	defer prog.finish()
	warn := func(msg string) {
		prog.clear()
		fmt.Fprintln(opts.IO.ErrOut, msg)
	}
	sum := syncSummary{DryRun: opts.DryRun}
	var changes []harvest.Change
	spec := opts.Embedder.spec()
	spec.Progress = func(done int) { prog.embedded(done) }
	for _, set := range opts.Sets {
		s, err := harvest.Run(ctx, client, harvest.Options{
			Location: opts.Index,
			Write:    index.WriteOptions{Embedder: spec, Progress: prog.phase},
			Set:      set,
			From:     opts.From,
			Until:    opts.Until,
			DryRun:   opts.DryRun,
			Progress: prog.harvested,
			Warn:     warn,
			Change:   func(c harvest.Change) { changes = append(changes, c) },
		})
		if err != nil {
			if s.Pages > 0 && !opts.DryRun && exitCode(err) != exitUsage && !strings.Contains(err.Error(), "run again") {
				return fmt.Errorf("%w; the pages committed before stay in the index: run the same command again to resume", err)
			}
			return err
		}
		sum.Sets = append(sum.Sets, s)
		sum.Added += s.Added
		sum.Replaced += s.Replaced
		sum.Deleted += s.Deleted
		sum.Skipped += s.Skipped
		sum.Total = s.Total
	}
	prog.finish()
	sum.Seconds = roundTo(time.Since(start).Seconds(), 3)
	if opts.DryRun {
		sum.Changes = changes
	}
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, sum); err != nil {
			return err
		}
	} else {
		printSyncSummary(opts, sum, changes)
	}
	syncHints(ctx, opts, sum)
	if sum.Skipped > 0 && !opts.SkipBad {
		fmt.Fprintf(opts.IO.ErrOut, "paperseek: %s skipped (see above); use --skip-bad to exit 0 anyway\n", plural(sum.Skipped, "bad record"))
		return &silentError{code: exitFailure}
	}
	return nil
}

// printSyncSummary is the human output: in a dry run the changes on
// stdout; a line per set and the total on stderr.
func printSyncSummary(opts *syncOptions, sum syncSummary, changes []harvest.Change) {
	for _, c := range changes {
		line := fmt.Sprintf("%-8s %s", c.Op, c.ID)
		if c.Title != "" {
			line += "  " + shorten(c.Title, 90)
		}
		fmt.Fprintln(opts.IO.Out, line)
	}
	verb := ""
	if opts.DryRun {
		verb = "would be "
	}
	for _, s := range sum.Sets {
		rng := "from " + s.From
		if s.Until != "" {
			rng += " until " + s.Until
		}
		if s.Resumed {
			rng += ", resumed"
		}
		next := ""
		if s.HarvestPoint != "" && !opts.DryRun {
			next = "; next run from " + s.HarvestPoint
		}
		fmt.Fprintf(opts.IO.ErrOut, "arxiv %s (%s): %s, %d %sadded, %d %sreplaced, %d %sdeleted, %d skipped%s\n",
			s.Set, rng, plural(s.Pages, "page"), s.Added, verb, s.Replaced, verb, s.Deleted, verb, s.Skipped, next)
	}
	if opts.DryRun {
		fmt.Fprintf(opts.IO.ErrOut, "dry run: nothing written; %d papers in %s would become %d (%.1fs)\n", sum.Total-sum.Added+sum.Deleted, opts.Index, sum.Total, sum.Seconds)
		return
	}
	fmt.Fprintf(opts.IO.ErrOut, "%d papers in %s (%.1fs)\n", sum.Total, opts.Index, sum.Seconds)
}

// syncHints says what to do when this sync created the index with the
// local embedder over more than one page: its model was learned from the
// first page only, and no later commit re-learns it.
func syncHints(ctx context.Context, opts *syncOptions, sum syncSummary) {
	created, pages := false, 0
	for _, s := range sum.Sets {
		created = created || s.Created
		pages += s.Pages
	}
	if !created || pages < 2 {
		return
	}
	if info, err := index.Stat(ctx, opts.Index); err == nil && info.Embedder.Name == "local" {
		fmt.Fprintf(opts.IO.ErrOut, "hint: the local embedding model of this new index was learned from the first page of the harvest only; run 'paperseek index --index %s --retrain' once to learn it from all %d papers\n", opts.Index, info.Papers)
	}
}

// harvested is harvest.Options.Progress: the progress line of a sync.
func (p *progress) harvested(h harvest.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.harvestStart.IsZero() || h.Set != p.harvest.Set {
		// The pace is measured from this set's first page on.
		p.harvestStart, p.harvestDone0 = time.Now(), h.Done
	}
	p.phaseName, p.harvest = "harvest", h
	p.draw(true)
}

// harvestLine is the progress line: pages and papers so far, and with the
// list's size an estimate of the time left from this run's own pace.
func harvestLine(h harvest.Progress, elapsed time.Duration, done0 int) string {
	line := fmt.Sprintf("arxiv %s  %s  %s", h.Set, plural(h.Pages, "page"), plural(h.Records, "record"))
	if h.Total > 0 && h.Done <= h.Total {
		frac := float64(h.Done) / float64(h.Total)
		line += fmt.Sprintf("  %d/%d  %3.0f%%", h.Done, h.Total, 100*frac)
		if run := h.Done - done0; run > 0 && h.Done < h.Total {
			left := time.Duration(float64(elapsed) * float64(h.Total-h.Done) / float64(run))
			s := int(left.Seconds())
			line += fmt.Sprintf("  ETA %d:%02d", s/60, s%60)
		}
	}
	return line
}

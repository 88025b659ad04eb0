// Package harvest keeps an index current with arXiv: it harvests sets of
// arXiv's OAI-PMH 2.0 interface (ListRecords, arXivRaw) into a store,
// following resumption tokens to the end of each list, and records per set
// how far it got, so that the next run continues from there.
//
// Every page is committed on its own, with the harvest state that says
// where to continue, so a run killed at any moment loses at most the page
// being fetched and the next run neither misses nor duplicates a paper.
package harvest

import (
	"context"
	"errors"
	"fmt"

	"github.com/paperseek/paperseek/index"
)

// Options describe the harvest of one set.
type Options struct {
	// Location is the index (a directory or a store URL).
	Location string
	// Write is passed to index.BeginWrite for every page.
	Write index.WriteOptions
	// Set is an arXiv set spec: "cs", "math", "physics:quant-ph", …
	Set string
	// From and Until (YYYY-MM-DD, inclusive) select by datestamp, the day
	// a record last changed. From "" continues from the index's harvest
	// point for the set (or the unfinished range of a run that stopped).
	From, Until string
	// DryRun fetches every page but writes nothing: Change is told what
	// would change.
	DryRun bool
	// Progress is told after every page.
	Progress func(Progress)
	// Warn is told about records skipped and ranges restarted, one line each.
	Warn func(string)
	// Change is told, in a dry run, what each record would do.
	Change func(Change)
}

// Progress is where a harvest stands.
type Progress struct {
	Set     string
	Pages   int // pages fetched by this run
	Records int // records fetched by this run
	// Done and Total place the run in the complete list, when the
	// repository says its size (Total 0 otherwise).
	Done, Total int
}

// Change is what one record would do to the index (dry run).
type Change struct {
	Op    string `json:"op"` // "add", "replace", "delete"
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
}

// Summary is what a harvest of one set did.
type Summary struct {
	Set      string `json:"set"`
	From     string `json:"from"`
	Until    string `json:"until,omitempty"`
	Resumed  bool   `json:"resumed,omitempty"` // continued an unfinished range
	Pages    int    `json:"pages"`
	Added    int    `json:"added"`
	Replaced int    `json:"replaced"`
	Deleted  int    `json:"deleted"`
	Skipped  int    `json:"skipped"`
	// HarvestPoint is where the next run without --from starts (as
	// recorded; a dry run leaves it as it was).
	HarvestPoint string `json:"harvest_point,omitempty"`
	// Total is the number of papers in the index afterwards.
	Total int `json:"total"`
	// Created is set when the harvest created the index: a trained
	// embedder then learned from the first page alone.
	Created bool `json:"created,omitempty"`
}

// maxRestarts bounds how often one run restarts a range whose token the
// repository no longer knows.
const maxRestarts = 3

// Run harvests one set into the index at opts.Location.
func Run(ctx context.Context, c *Client, opts Options) (Summary, error) {
	h := &run{c: c, opts: opts, sum: Summary{Set: opts.Set}}
	if err := h.plan(ctx); err != nil {
		return h.sum, err
	}
	if opts.DryRun {
		st, err := index.Open(ctx, opts.Location)
		switch {
		case errors.Is(err, index.ErrNoIndex):
		case err != nil:
			return h.sum, err
		default:
			defer st.Close()
			h.store = st
			h.sum.Total = st.Info().Papers
		}
		h.seen = map[string]bool{}
	}
	err := h.loop(ctx)
	return h.sum, err
}

type run struct {
	c     *Client
	opts  Options
	sum   Summary
	point string // the recorded harvest point
	// exists is whether there is an index yet: a harvest that finds
	// nothing does not create an empty one.
	exists bool
	cur    *partial // the range being harvested
	req    Request
	// A dry run checks changes against the store and what it has seen.
	store index.Store
	seen  map[string]bool // id → present after the records so far
}

func (h *run) warn(format string, args ...any) {
	if h.opts.Warn != nil {
		h.opts.Warn(fmt.Sprintf(format, args...))
	}
}

// plan chooses the range and where in it to start, from the options and
// what the index recorded.
func (h *run) plan(ctx context.Context) error {
	set := h.opts.Set
	info, err := index.Stat(ctx, h.opts.Location)
	if err != nil && !errors.Is(err, index.ErrNoIndex) {
		return err
	}
	h.exists = err == nil
	h.sum.Total = info.Papers
	h.point = info.State[pointKey(set)]
	prev, err := readPartial(info.State, set)
	if err != nil {
		return err
	}
	cur := &partial{From: h.opts.From, Until: h.opts.Until, BaseURL: h.c.BaseURL(), Explicit: h.opts.From != ""}
	switch {
	case h.opts.From == "" && prev != nil && !prev.Explicit:
		cur.From = prev.From
	case h.opts.From == "" && h.point != "":
		cur.From = h.point
	case h.opts.From == "":
		return fmt.Errorf("%w: the index has no harvest of set %s to continue: give --from YYYY-MM-DD for the first run", index.ErrUsage, set)
	}
	if cur.Until != "" && cur.From > cur.Until {
		return fmt.Errorf("%w: --until %s is before the start of the harvest (%s)", index.ErrUsage, cur.Until, cur.From)
	}
	h.req = Request{Set: set, From: cur.From, Until: cur.Until}
	if prev != nil && prev.From == cur.From && prev.Until == cur.Until && prev.Explicit == cur.Explicit {
		// The same range again: continue where the last run stopped.
		cur.Started = prev.Started
		if prev.Token != "" && prev.BaseURL == h.c.BaseURL() {
			h.req = Request{Token: prev.Token}
			cur.Cursor, cur.Size = prev.Cursor, prev.Size
			h.sum.Resumed = true
		}
	}
	h.cur = cur
	h.sum.From, h.sum.Until, h.sum.HarvestPoint = cur.From, cur.Until, h.point
	return nil
}

// loop fetches and commits pages until the list ends.
func (h *run) loop(ctx context.Context) error {
	restarts := 0
	records := 0
	for {
		page, err := h.c.ListRecords(ctx, h.req)
		if err != nil {
			return err
		}
		if e := page.Error; e != nil {
			switch {
			case e.Code == "noRecordsMatch":
				// Nothing (more) in the range: it is finished.
			case e.Code == "badResumptionToken" && h.req.Token != "" && restarts < maxRestarts:
				restarts++
				h.warn("set %s: the repository no longer knows the resumption token (%s); harvesting the range again from %s, its last committed start", h.opts.Set, e.Message, h.cur.From)
				h.req = Request{Set: h.opts.Set, From: h.cur.From, Until: h.cur.Until}
				h.cur.Cursor, h.cur.Size = 0, 0
				continue
			default:
				return fmt.Errorf("%s answered %v with %w", h.c.BaseURL(), h.req, e)
			}
		}
		if h.cur.Started == "" {
			h.cur.Started = repositoryDate(page.ResponseDate, h.c.clock.Now())
		}
		for _, bad := range page.Bad {
			h.warn("set %s: %s (line %d of the page answering %v)", h.opts.Set, bad.Reason, bad.Line, h.req)
			h.sum.Skipped++
		}
		next := ""
		if page.Error == nil && page.Resumption != nil {
			next = page.Resumption.Token
		}
		if next != "" && next == h.req.Token {
			return fmt.Errorf("%s answered %v with the same resumption token: the list would never end", h.c.BaseURL(), h.req)
		}
		h.sum.Pages++
		// The token's cursor is the list position of the page's first
		// record; without one, count.
		n := len(page.Records) + len(page.Bad)
		h.cur.Cursor += n
		records += n
		if rt := page.Resumption; rt != nil {
			if rt.CompleteListSize > 0 {
				h.cur.Size = rt.CompleteListSize
			}
			if rt.Cursor >= 0 {
				h.cur.Cursor = rt.Cursor + n
			}
		}
		h.cur.Token = next
		if err := h.apply(ctx, page.Records, next == ""); err != nil {
			return err
		}
		if h.opts.Progress != nil {
			h.opts.Progress(Progress{Set: h.opts.Set, Pages: h.sum.Pages, Records: records, Done: h.cur.Cursor, Total: h.cur.Size})
		}
		if next == "" {
			return nil
		}
		h.req = Request{Token: next}
	}
}

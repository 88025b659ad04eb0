package harvest

import (
	"context"
	"errors"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
)

// apply makes one page's records part of the index, in one commit with
// the state that says where to continue: the next token, or, when the
// page ends the list (last), the new harvest point.
func (h *run) apply(ctx context.Context, records []ingest.OAIRecord, last bool) error {
	adds, dels := h.ops(records)
	if h.opts.DryRun {
		return h.preview(ctx, adds, dels)
	}
	point := h.point
	if last {
		point = finishedPoint(h.point, h.cur.From, h.cur.Until, h.cur.Started)
	}
	if len(adds) == 0 && len(dels) == 0 && (!h.exists || (last && point == h.point && !h.hasPartial(ctx))) {
		return nil // nothing to record: spare a commit (and an empty index)
	}
	w, err := index.BeginWrite(ctx, h.opts.Location, h.opts.Write)
	if err != nil {
		return err
	}
	defer w.Abort() // no-op after Commit
	if len(adds) > 0 {
		added, replaced, err := w.Add(ctx, adds)
		if err != nil {
			return err
		}
		h.sum.Added += added
		h.sum.Replaced += replaced
	}
	if len(dels) > 0 {
		n, err := deleteArXiv(ctx, w, dels)
		if err != nil {
			return err
		}
		h.sum.Deleted += n
	}
	if last {
		w.SetState(partialKey(h.opts.Set), "")
		w.SetState(pointKey(h.opts.Set), point)
	} else {
		w.SetState(partialKey(h.opts.Set), h.cur.encode())
	}
	info, err := w.Commit(ctx)
	if err != nil {
		return err
	}
	if !h.exists {
		h.sum.Created = true
	}
	h.exists = true
	h.point = point
	h.sum.HarvestPoint = point
	h.sum.Total = info.Papers
	return nil
}

// hasPartial reports whether the index still records an unfinished range
// for the set, which a finished range must clear.
func (h *run) hasPartial(ctx context.Context) bool {
	info, err := index.Stat(ctx, h.opts.Location)
	if err != nil {
		return true // let the commit find out
	}
	return info.State[partialKey(h.opts.Set)] != ""
}

// ops turns a page into papers to add and ids to delete. A list may name
// an item twice (it changed while being harvested): the last word counts.
func (h *run) ops(records []ingest.OAIRecord) (adds []index.Paper, dels []string) {
	last := map[string]int{}
	for i, r := range records {
		last[r.Paper.ID] = i
	}
	for i, r := range records {
		if last[r.Paper.ID] != i {
			continue
		}
		if r.Deleted {
			dels = append(dels, r.Paper.ID)
		} else {
			adds = append(adds, r.Paper)
		}
	}
	return adds, dels
}

// deleteArXiv removes the papers with these arXiv ids: indexed under the
// id itself (as a harvest or the metadata snapshot indexes them), or
// under another id with the arXiv id as external id. An id the index does
// not hold is no error: the paper was never harvested.
func deleteArXiv(ctx context.Context, w index.Writer, ids []string) (int, error) {
	n, unknown, err := w.Delete(ctx, ids)
	if err != nil || len(unknown) == 0 {
		return n, err
	}
	refs := make([]string, len(unknown))
	for i, id := range unknown {
		refs[i] = index.Ref{Scheme: index.SchemeArXiv, Value: id}.String()
	}
	m, _, err := w.Delete(ctx, refs)
	return n + m, err
}

// preview reports what a page would change, without writing.
func (h *run) preview(ctx context.Context, adds []index.Paper, dels []string) error {
	for _, p := range adds {
		op := "add"
		present, err := h.present(ctx, p.ID)
		if err != nil {
			return err
		}
		if present {
			op = "replace"
			h.sum.Replaced++
		} else {
			h.sum.Added++
			h.sum.Total++
		}
		h.seen[p.ID] = true
		if h.opts.Change != nil {
			h.opts.Change(Change{Op: op, ID: p.ID, Title: p.Title})
		}
	}
	for _, id := range dels {
		present, err := h.present(ctx, id)
		if err != nil {
			return err
		}
		h.seen[id] = false
		if !present {
			continue
		}
		h.sum.Deleted++
		h.sum.Total--
		if h.opts.Change != nil {
			h.opts.Change(Change{Op: "delete", ID: id})
		}
	}
	return nil
}

// present reports whether the paper with this arXiv id would be in the
// index at this point of a dry run.
func (h *run) present(ctx context.Context, id string) (bool, error) {
	if v, ok := h.seen[id]; ok {
		return v, nil
	}
	if h.store == nil {
		return false, nil
	}
	for _, ref := range []string{id, index.Ref{Scheme: index.SchemeArXiv, Value: id}.String()} {
		_, err := h.store.Resolve(ctx, ref)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, index.ErrNotFound) {
			return false, err
		}
	}
	return false, nil
}

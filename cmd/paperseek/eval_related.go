package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/query"
	"github.com/paperseek/paperseek/query/eval"
)

// methodText is eval's baseline for several positives: `related --text`
// over their concatenated titles and abstracts.
const methodText = "text"

// evalRelatedOptions are eval's flags for --task related.
type evalRelatedOptions struct {
	Task      string
	Positives int
	Negatives int
	Method    string
}

func (o *evalRelatedOptions) bind(c *cobra.Command) {
	c.Flags().StringVar(&o.Task, "task", "search", "search (queries are searched) or related (recommendations from each query's first relevant papers)")
	c.Flags().IntVar(&o.Positives, "positives", 1, "with --task related: how many relevant papers of each query are the positives")
	c.Flags().IntVar(&o.Negatives, "negatives", 0, "with --task related: how many relevant papers of the next query are the negatives")
	c.Flags().StringVar(&o.Method, "method", query.DefaultMethod.Name, "with --task related: "+strings.Join(relatedMethodNames(), ", ")+", or all")
	c.Example += `
  paperseek eval --task related --positives 3 --method all --queries q.jsonl --qrels qrels.tsv`
}

func relatedMethodNames() []string {
	names := []string{methodText}
	for _, m := range query.Methods() {
		names = append(names, m.Name)
	}
	return names
}

// evalRelated scores recommendations: for every judged query with more
// relevant papers than --positives, its first relevant papers are the
// positives and the others the targets (eval.RelatedTasks).
func evalRelated(c *cobra.Command, opts *evalOptions) error {
	ro := opts.related
	if ro.Positives < 1 || ro.Positives > 100 {
		return usagef("positives must be between 1 and 100")
	}
	if ro.Negatives < 0 || ro.Negatives > 100 {
		return usagef("negatives must be between 0 and 100")
	}
	methods := relatedMethodNames()
	if ro.Method != "all" {
		if !slices.Contains(methods, ro.Method) {
			return usagef("method must be %s or all, got %q", strings.Join(methods, ", "), ro.Method)
		}
		methods = []string{ro.Method}
	}
	modes, err := evalModes(opts.Mode)
	if err != nil {
		return err
	}
	qrels, err := eval.ReadQrels(opts.Qrels)
	if err != nil {
		return usagef("%v", err)
	}
	tasks := eval.RelatedTasks(qrels, ro.Positives, ro.Negatives)
	if len(tasks) == 0 {
		return usagef("no query in %s has more than %d relevant papers: try fewer --positives", opts.Qrels, ro.Positives)
	}
	targets := eval.TaskQrels(tasks)
	base, err := opts.flags.request(c, "")
	if err != nil {
		return err
	}
	base.K = opts.K
	base.IDsOnly = true
	return withEngine(c.Context(), opts.globalOptions, func(e *query.Engine) error {
		var runs []eval.ModeScores
		for _, method := range methods {
			for _, mode := range modes {
				req := base
				req.Mode = mode
				run, err := runRelated(c.Context(), e, tasks, method, req)
				if err != nil {
					return err
				}
				label := method
				if len(modes) > 1 {
					label += "/" + string(mode)
				}
				runs = append(runs, eval.ModeScores{Mode: label, Scores: eval.Evaluate(targets, run)})
			}
		}
		if opts.JSON {
			if len(runs) == 1 {
				return writeJSON(opts.IO.Out, runs[0])
			}
			return writeJSON(opts.IO.Out, eval.Compare(runs))
		}
		fmt.Fprintf(opts.IO.ErrOut, "%d queries with more than %d relevant papers; %d positives, %d negatives each\n",
			len(tasks), ro.Positives, ro.Positives, ro.Negatives)
		return eval.FormatTable(opts.IO.Out, runs)
	})
}

// runRelated runs every task with one method, a few at a time, and returns
// each query's ranked ids.
func runRelated(ctx context.Context, e *query.Engine, tasks []eval.RelatedTask, method string, req query.Request) (map[string][]string, error) {
	m, _ := query.MethodByName(method)
	one := func(t eval.RelatedTask) (*query.Response, error) {
		if method != methodText {
			return e.RecommendWith(ctx, query.Seeds{Positive: t.Positives, Negative: t.Negatives}, req, m)
		}
		papers, err := e.Store().Papers(ctx, t.Positives)
		if err != nil {
			return nil, err
		}
		texts := make([]string, len(papers))
		for i, p := range papers {
			texts[i] = p.Text()
		}
		r := req
		r.K = min(r.K+len(t.Positives), query.MaxK) // the positives themselves rank first; they are dropped below
		resp, err := e.RelatedText(ctx, strings.Join(texts, "\n"), r)
		if resp != nil {
			kept := resp.Results[:0]
			for _, res := range resp.Results {
				if !slices.Contains(t.Positives, res.ID) && len(kept) < req.K {
					kept = append(kept, res)
				}
			}
			resp.Results = kept
		}
		return resp, err
	}
	out := make(map[string][]string, len(tasks))
	var mu sync.Mutex
	var firstErr error
	work := make(chan eval.RelatedTask)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range work {
				resp, err := one(t)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("query %s: %w", t.QueryID, err)
				}
				if resp != nil {
					ids := make([]string, len(resp.Results))
					for i, res := range resp.Results {
						ids[i] = res.ID
					}
					out[t.QueryID] = ids
				}
				mu.Unlock()
			}
		}()
	}
	for _, t := range tasks {
		select {
		case work <- t:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, ctx.Err()
}

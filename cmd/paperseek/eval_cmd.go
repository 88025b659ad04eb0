package main

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/query"
	"github.com/paperseek/paperseek/query/eval"
)

type evalOptions struct {
	*globalOptions
	Queries string
	Qrels   string
	Mode    string
	K       int
	Run     string
	flags   searchFlags
	related evalRelatedOptions
}

func newEvalCmd(g *globalOptions) *cobra.Command {
	opts := &evalOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "eval --queries QUERIES.jsonl --qrels QRELS.tsv",
		Short: "Measure ranking quality (nDCG@10, Recall@100, MAP@100, MRR@10) against relevance judgments",
		Long: `Runs every judged query against the current index and reports nDCG@10 (graded
gains 2^rel-1), Recall@100, MAP@100 and MRR@10 as trec_eval computes them.
Queries and judgments are in BEIR layout: queries.jsonl ({"_id","text"} a line)
and a qrels TSV (query-id corpus-id score, header optional).`,
		Example: `  paperseek eval --queries beir/scifact/queries.jsonl --qrels beir/scifact/qrels/train.tsv --mode all
  paperseek eval --queries q.jsonl --qrels qrels.tsv --mode hybrid --keyword-weight 0.6 --run hybrid.run`,
		Args: exactArgs(0, "no arguments (use --queries and --qrels)"),
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Queries == "" || opts.Qrels == "" {
				return usagef("eval needs --queries FILE and --qrels FILE")
			}
			if opts.K < 1 || opts.K > query.MaxK {
				return usagef("k must be between 1 and %d", query.MaxK)
			}
			switch opts.related.Task {
			case "search":
				return evalRun(c, opts)
			case "related":
				return evalRelated(c, opts)
			}
			return usagef("task must be search or related, got %q", opts.related.Task)
		},
	}
	c.Flags().StringVar(&opts.Queries, "queries", "", "queries in BEIR layout (queries.jsonl)")
	c.Flags().StringVar(&opts.Qrels, "qrels", "", "relevance judgments (query-id corpus-id score)")
	c.Flags().StringVar(&opts.Mode, "mode", string(query.ModeHybrid), "hybrid, keyword, semantic, or all (side by side)")
	c.Flags().IntVarP(&opts.K, "limit", "k", 100, "results retrieved per query (Recall@100 and MAP@100 need 100)")
	c.Flags().StringVar(&opts.Run, "run", "", "also write a TREC run file (qid Q0 docid rank score tag); with --mode all, one file per mode: FILE.keyword, …")
	opts.flags.bindFusion(c)
	opts.flags.bindMinScore(c, "leave out results scoring below this, 0..1 (default: none, to measure the ranking itself)")
	opts.related.bind(c)
	return c
}

func evalRun(c *cobra.Command, opts *evalOptions) error {
	modes, err := evalModes(opts.Mode)
	if err != nil {
		return err
	}
	qrels, err := eval.ReadQrels(opts.Qrels)
	if err != nil {
		return usagef("%v", err)
	}
	queries, err := eval.ReadQueries(opts.Queries)
	if err != nil {
		return usagef("%v", err)
	}
	judged, missing := eval.JudgedQueries(queries, qrels)
	if len(judged) == 0 {
		return usagef("no query in %s has a relevant judgment in %s: are they from the same collection?", opts.Queries, opts.Qrels)
	}
	if len(missing) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %d judged queries are not in %s and count as 0 (first: %s)\n", len(missing), opts.Queries, missing[0])
	}
	base, err := opts.flags.request(c, "")
	if err != nil {
		return err
	}
	base.K = opts.K
	base.IDsOnly = true
	if base.MinScore == nil {
		none := 0.0
		base.MinScore = &none
	}

	return withEngine(c.Context(), opts.globalOptions, func(e *query.Engine) error {
		// A query the engine refuses counts as finding nothing (below); a
		// fusion the index cannot do would refuse every one.
		if err := e.CheckFusion(base.Fusion); err != nil {
			return err
		}
		var runs []eval.ModeScores
		for _, mode := range modes {
			req := base
			req.Mode = mode
			results, err := runQueries(c.Context(), e, judged, req)
			if err != nil {
				return err
			}
			run := make(map[string][]string, len(results))
			for qid, lines := range results {
				for _, l := range lines {
					run[qid] = append(run[qid], l.DocID)
				}
			}
			runs = append(runs, eval.ModeScores{Mode: string(mode), Scores: eval.Evaluate(qrels, run)})
			if opts.Run != "" {
				path := opts.Run
				if len(modes) > 1 {
					path += "." + string(mode)
				}
				if err := writeRunFile(path, "paperseek-"+string(mode), judged, results); err != nil {
					return err
				}
			}
		}
		if opts.JSON {
			if len(runs) == 1 {
				return writeJSON(opts.IO.Out, runs[0])
			}
			return writeJSON(opts.IO.Out, eval.Compare(runs))
		}
		return eval.FormatTable(opts.IO.Out, runs)
	})
}

// runQueries runs every query in req's mode, a few at a time (the engine is
// safe for concurrent use), and returns each query's ranked results; the
// first failure stops the run.
func runQueries(ctx context.Context, e *query.Engine, queries []eval.Query, req query.Request) (map[string][]eval.RunLine, error) {
	return eval.RunQueries(ctx, runtime.GOMAXPROCS(0), queries, func(ctx context.Context, q eval.Query) ([]eval.RunLine, error) {
		r := req
		r.Query = q.Text
		resp, err := e.Search(ctx, r)
		if query.IsBadRequest(err) {
			return nil, nil // an empty query just finds nothing
		}
		if err != nil {
			return nil, err
		}
		lines := make([]eval.RunLine, len(resp.Results))
		for i, res := range resp.Results {
			lines[i] = eval.RunLine{QueryID: q.ID, DocID: res.ID, Rank: res.Rank, Score: res.Score}
		}
		return lines, nil
	})
}

func writeRunFile(path, tag string, queries []eval.Query, results map[string][]eval.RunLine) error {
	var lines []eval.RunLine
	for _, q := range queries {
		lines = append(lines, results[q.ID]...)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write run file: %w", err)
	}
	if err := eval.WriteRun(f, tag, lines); err != nil {
		f.Close()
		return fmt.Errorf("write run file %s: %w", path, err)
	}
	return f.Close()
}

// evalModes are the modes --mode names: one, or all three side by side.
func evalModes(mode string) ([]query.Mode, error) {
	switch mode {
	case "all":
		return []query.Mode{query.ModeKeyword, query.ModeSemantic, query.ModeHybrid}, nil
	case string(query.ModeKeyword), string(query.ModeSemantic), string(query.ModeHybrid):
		return []query.Mode{query.Mode(mode)}, nil
	}
	return nil, usagef("mode must be hybrid, keyword, semantic or all, got %q", mode)
}

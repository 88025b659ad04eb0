package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
	"github.com/paperseek/paperseek/query"
)

// recommend runs `related ID... --unlike ID... --from FILE...`.
func recommend(ctx context.Context, opts *relatedOptions, e *query.Engine, ids []string, req query.Request) (*query.Response, error) {
	seeds := query.Seeds{Positive: ids, Negative: opts.Unlike}
	for _, path := range opts.From {
		papers, err := readLibrary(opts.globalOptions, path)
		if err != nil {
			return nil, err
		}
		found, err := e.AddLibrary(ctx, &seeds, papers)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s: %d papers, %d of them in the index, %d by their text\n",
			path, len(papers), found, len(papers)-found)
	}
	return e.Recommend(ctx, seeds, req)
}

// readLibrary reads every paper of path in any format `index` reads. Bad
// records are reported and skipped: one broken BibTeX entry should not
// stop a recommendation from the other papers. Deletions mean nothing here.
func readLibrary(g *globalOptions, path string) ([]index.Paper, error) {
	rd, err := ingest.Open(path)
	if err != nil {
		return nil, usagef("--from %s: %v", path, err)
	}
	defer rd.Close()
	var papers []index.Paper
	for {
		rec, err := rd.NextRecord()
		if err == io.EOF {
			break
		}
		var bad *ingest.RecordError
		if errors.As(err, &bad) {
			fmt.Fprintf(g.IO.ErrOut, "warning: skipped %s\n", bad.Error())
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("--from %s: %w", path, err)
		}
		if !rec.Delete {
			papers = append(papers, rec.Paper)
		}
		if len(papers) > query.MaxSeeds {
			return nil, usagef("--from %s: more than %d papers; recommend from a smaller library", path, query.MaxSeeds)
		}
	}
	if len(papers) == 0 {
		return nil, usagef("--from %s: no papers in it", path)
	}
	return papers, nil
}

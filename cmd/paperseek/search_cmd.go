package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/query"
)

// searchFlags are shared by search and related: the contract gives both the
// same flags and JSON shape.
type searchFlags struct {
	K             int
	Offset        int
	Mode          string
	Year          string
	Since         string
	Categories    []string
	Author        string
	Explain       bool
	Fusion        string
	KeywordWeight float64
	RRFK          float64
	Sort          string
	MinScore      float64
	// Embedder and EmbedModel, when given, must match the index's: scripts
	// that pass them everywhere learn at once that an index was built with
	// another model, instead of comparing vectors of two spaces.
	Embedder   string
	EmbedModel string
	// Format is --format: the results as a reference file.
	Format formatFlag
}

func (f *searchFlags) bind(c *cobra.Command) {
	c.Flags().IntVarP(&f.K, "limit", "k", query.DefaultK, fmt.Sprintf("number of results (1..%d)", query.MaxK))
	c.Flags().IntVar(&f.Offset, "offset", 0, "skip this many results (pagination)")
	c.Flags().StringVar(&f.Mode, "mode", string(query.ModeHybrid), "ranking: hybrid, keyword or semantic")
	c.Flags().StringVar(&f.Year, "year", "", "publication year: 2021, 2019..2023, 2020.. or ..2018")
	c.Flags().StringVar(&f.Since, "since", "", "first published on or after: a date (2026-11-24) or a span back from today (7d, 2w, 3mo, 1y)")
	c.Flags().StringArrayVar(&f.Categories, "category", nil, "exact category, e.g. cs.CL (repeatable: any of)")
	c.Flags().StringVar(&f.Author, "author", "", "substring of an author name (case-insensitive)")
	c.Flags().BoolVar(&f.Explain, "explain", false, "show each ranker's rank and score per result")
	c.Flags().StringVar(&f.Sort, "sort", query.SortRelevance, "order: relevance, or date (the relevant papers, newest first)")
	f.bindMinScore(c, fmt.Sprintf("leave out results scoring below this, 0..1 (default %g for search, none for related or --fusion rrf)", query.DefaultMinScore))
	c.Flags().StringVar(&f.Embedder, "embedder", "", "expected embedder of the index (checked; exit 2 if it differs)")
	c.Flags().StringVar(&f.EmbedModel, "embed-model", "", "expected embedding model of the index (checked; exit 2 if it differs)")
	f.bindFusion(c)
	f.Format.bind(c)
}

// checkEmbedder refuses to search an index built with another embedder than
// the one the user named.
func (f *searchFlags) checkEmbedder(e *query.Engine) error {
	return embed.Spec{Name: f.Embedder, Model: f.EmbedModel}.Check(e.Store().Info().Embedder)
}

// bindFusion binds the flags that tune hybrid fusion (eval takes them too).
func (f *searchFlags) bindFusion(c *cobra.Command) {
	c.Flags().StringVar(&f.Fusion, "fusion", query.FusionBlend, "fusion: blend (each ranker's scores min-max normalised, scaled by its best match's absolute score, weighted), rrf, or on a weaviate:// cluster its own hybrid: native (relative score fusion) or native-ranked (rank fusion)")
	c.Flags().Float64Var(&f.KeywordWeight, "keyword-weight", 0, "weight of the keyword ranking in blend fusion, 0..1 (default: measured for the index's embedder)")
	c.Flags().Float64Var(&f.RRFK, "rrf-k", query.DefaultRRFK, "the RRF constant")
}

// bindMinScore binds --min-score (eval takes it too, with no floor by
// default: it measures the ranking, not the cut).
func (f *searchFlags) bindMinScore(c *cobra.Command, usage string) {
	c.Flags().Float64Var(&f.MinScore, "min-score", 0, usage)
}

// request turns the flags into a query request.
func (f *searchFlags) request(c *cobra.Command, text string) (query.Request, error) {
	years, err := query.ParseYear(f.Year)
	if err != nil {
		return query.Request{}, err
	}
	since, err := query.ParseSince(f.Since, time.Now())
	if err != nil {
		return query.Request{}, err
	}
	req := query.Request{
		Query:   text,
		K:       f.K,
		Offset:  f.Offset,
		Mode:    query.Mode(f.Mode),
		Filter:  query.Filter{Years: years, Since: since, Categories: f.Categories, Author: f.Author},
		Explain: f.Explain,
		Fusion:  f.Fusion,
		RRFK:    f.RRFK,
		Sort:    f.Sort,
	}
	if c.Flags().Changed("min-score") {
		m := f.MinScore
		req.MinScore = &m
	}
	if c.Flags().Changed("keyword-weight") {
		w := f.KeywordWeight
		req.KeywordWeight = &w
	}
	if c.Flags().Changed("limit") && f.K == 0 {
		return req, usagef("k must be between 1 and %d", query.MaxK)
	}
	return req, nil
}

type searchOptions struct {
	*globalOptions
	flags searchFlags
	Query string
}

func newSearchCmd(g *globalOptions) *cobra.Command {
	opts := &searchOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Search the index (hybrid keyword + semantic by default)",
		Example: `  paperseek search speculative decoding
  paperseek search --mode keyword --year 2024.. --category cs.CL "kv cache compression"
  paperseek search -k 20 --offset 20 --json retrieval augmented generation`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("search needs a QUERY (see 'paperseek search --help')")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			opts.Query = strings.Join(args, " ")
			if err := opts.flags.Format.check(g); err != nil {
				return err
			}
			req, err := opts.flags.request(c, opts.Query)
			if err != nil {
				return err
			}
			return withEngine(c.Context(), g, func(e *query.Engine) error {
				if err := opts.flags.checkEmbedder(e); err != nil {
					return err
				}
				resp, err := e.Search(c.Context(), req)
				if err != nil {
					return err
				}
				return opts.flags.Format.printResults(g, resp, opts.flags.Explain)
			})
		},
	}
	opts.flags.bind(c)
	return c
}

type relatedOptions struct {
	*globalOptions
	flags  searchFlags
	Text   string
	Unlike []string
	From   []string
}

func newRelatedCmd(g *globalOptions) *cobra.Command {
	opts := &relatedOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "related ID [ID...] [--unlike ID...] [--from FILE] | related --text TEXT",
		Short: "Papers like given papers (never those themselves), or like a free text",
		Example: `  paperseek related 2401.01234
  paperseek related 2401.01234 doi:10.1145/3600006.3613165 --unlike 2312.00001
  paperseek related --from my.bib --since 7d
  paperseek related --text "We study retrieval for long-context language models..."`,
		Args: func(c *cobra.Command, args []string) error {
			switch {
			case opts.Text != "" && (len(args) > 0 || len(opts.Unlike) > 0 || len(opts.From) > 0):
				return usagef("give either paper IDs (with --unlike, --from) or --text, not both")
			case opts.Text == "" && len(args) == 0 && len(opts.From) == 0:
				return usagef("related needs one or more paper IDs, --from FILE or --text TEXT (see 'paperseek related --help')")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := opts.flags.Format.check(g); err != nil {
				return err
			}
			req, err := opts.flags.request(c, "")
			if err != nil {
				return err
			}
			return withEngine(c.Context(), g, func(e *query.Engine) error {
				if err := opts.flags.checkEmbedder(e); err != nil {
					return err
				}
				var resp *query.Response
				switch {
				case opts.Text != "":
					resp, err = e.RelatedText(c.Context(), opts.Text, req)
				case len(args) == 1 && len(opts.Unlike) == 0 && len(opts.From) == 0:
					resp, err = e.Related(c.Context(), args[0], req)
				default:
					resp, err = recommend(c.Context(), opts, e, args, req)
				}
				if err != nil {
					return err
				}
				return opts.flags.Format.printResults(g, resp, opts.flags.Explain)
			})
		},
	}
	opts.flags.bind(c)
	c.Flags().StringVar(&opts.Text, "text", "", "find papers related to this text (e.g. a draft abstract) instead of an ID")
	c.Flags().StringArrayVar(&opts.Unlike, "unlike", nil, "a paper ID the results should not be like (repeatable)")
	c.Flags().StringArrayVar(&opts.From, "from", nil, "papers to start from: a file in any format index reads, e.g. a .bib export (repeatable)")
	return c
}

// withEngine opens the index read-only for the duration of fn.
func withEngine(ctx context.Context, g *globalOptions, fn func(*query.Engine) error) error {
	st, err := index.Open(ctx, g.Index)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(query.New(st, queryOptions()))
}

// queryOptions are the engine options read from the environment: the
// embedding server's address may have moved since the index was built.
func queryOptions() query.Options {
	return query.Options{EmbedBaseURL: os.Getenv("OPENAI_BASE_URL")}
}

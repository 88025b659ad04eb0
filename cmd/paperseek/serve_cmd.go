package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/paperseek/paperseek/query/httpapi"
)

type serveOptions struct {
	*globalOptions
	Addr           string
	Token          string
	AllowHosts     []string
	RequestTimeout time.Duration
	MaxConcurrent  int
}

func newServeCmd(g *globalOptions) *cobra.Command {
	opts := &serveOptions{globalOptions: g}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the JSON search API and a search page over HTTP",
		Long: `Serves the index over HTTP: the JSON API (GET/POST /v1/search,
GET /v1/papers/{id}, GET /v1/papers/{id}/related, POST /v1/related,
GET /v1/stats, GET /healthz) and a search page at /. Results are exactly
those of the search and related commands.

The server binds to the loopback address unless --addr says otherwise. With
--token (or $PAPERSEEK_TOKEN, which keeps the token out of the process list)
every /v1/ request needs "Authorization: Bearer TOKEN"; /healthz and the page
do not, and the page asks for the token itself. Without a token the server
answers only requests addressed to localhost or a loopback address (so a web
page cannot reach it by DNS rebinding); --allow-host names other host names
it may be addressed by ("*": any). Port 0 picks a free port; the
address actually bound is logged on stderr ("listening addr=…").

When "paperseek index" commits a new generation of the index, the server
switches to it within about a second; requests already running finish on the
generation they started with. One access-log line per request goes to stderr.
SIGINT or SIGTERM stops accepting requests, lets those in flight finish and
exits 0.`,
		Example: `  paperseek serve
  PAPERSEEK_TOKEN=s3cret paperseek serve --addr 0.0.0.0:8080
  curl -s 'http://127.0.0.1:8080/v1/search?q=speculative+decoding&k=3'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			if !c.Flags().Changed("token") {
				opts.Token = os.Getenv("PAPERSEEK_TOKEN")
			}
			if err := checkToken(opts.Token); err != nil {
				return err
			}
			if _, _, err := net.SplitHostPort(opts.Addr); err != nil {
				return usagef("--addr %q is not HOST:PORT (e.g. 127.0.0.1:8080, or :0 for any free port)", opts.Addr)
			}
			for _, h := range opts.AllowHosts {
				if h == "" || strings.ContainsAny(h, "/ \t") {
					return usagef("--allow-host %q is not a host name (e.g. search.example.org)", h)
				}
			}
			if opts.RequestTimeout <= 0 {
				return usagef("--request-timeout must be positive")
			}
			if opts.MaxConcurrent < 1 {
				return usagef("--max-concurrent must be at least 1")
			}
			return serveRun(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "address to listen on, HOST:PORT (port 0: any free port)")
	// No default shown: help output must never print a token from the
	// environment.
	c.Flags().StringVar(&opts.Token, "token", "", "require this bearer token on /v1/ requests (default $PAPERSEEK_TOKEN)")
	c.Flags().StringSliceVar(&opts.AllowHosts, "allow-host", nil, "without a token, also answer requests addressed to this host name (repeatable; * for any)")
	c.Flags().DurationVar(&opts.RequestTimeout, "request-timeout", httpapi.DefaultRequestTimeout, "deadline of one API request")
	c.Flags().IntVar(&opts.MaxConcurrent, "max-concurrent", httpapi.DefaultMaxConcurrent(),
		fmt.Sprintf("searches running at once; %d more wait, beyond that 429", httpapi.DefaultMaxQueued))
	return c
}

// checkToken refuses tokens a client could not send in a header verbatim.
func checkToken(t string) error {
	if t != strings.TrimSpace(t) {
		return usagef("the token must not start or end with spaces")
	}
	for _, r := range t {
		if r < 0x20 || r > 0x7e {
			return usagef("the token must be printable ASCII (it is sent in an HTTP header)")
		}
	}
	return nil
}

func serveRun(ctx context.Context, opts *serveOptions) error {
	logger := slog.New(slog.NewTextHandler(opts.IO.ErrOut, nil))
	engines, err := httpapi.OpenReloader(ctx, opts.Index, logger, queryOptions())
	if err != nil {
		return err
	}
	defer engines.Close()

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (choose another address with --addr)", opts.Addr, unwrapOpError(err))
	}
	go engines.Run(ctx, httpapi.DefaultReloadInterval)

	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() && opts.Token == "" {
		logger.Warn("listening beyond this machine without a token: anyone who can reach the port can use the API; set $PAPERSEEK_TOKEN")
		if len(opts.AllowHosts) == 0 {
			logger.Warn("without a token only requests addressed to localhost or a loopback address are answered; name the host names clients use with --allow-host")
		}
	}
	logger.Info("listening",
		"addr", addr.String(),
		"url", "http://"+addr.String()+"/",
		"index", opts.Index,
		"generation", engines.Generation(),
		"token_required", opts.Token != "",
	)
	srv := &httpapi.Server{
		Engines:        engines,
		Token:          opts.Token,
		AllowHosts:     opts.AllowHosts,
		Logger:         logger,
		RequestTimeout: opts.RequestTimeout,
		MaxConcurrent:  opts.MaxConcurrent,
	}
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// unwrapOpError drops net.OpError's "listen tcp ADDR:" prefix, which the
// message already says.
func unwrapOpError(err error) error {
	if oe, ok := err.(*net.OpError); ok && oe.Err != nil {
		return oe.Err
	}
	return err
}

// Package httpapi is paperseek's HTTP server: the JSON API of the contract
// (/v1/search, /v1/papers/{id}, /v1/papers/{id}/related, /v1/related,
// /v1/stats, /healthz) and a small search page at /, all answered by the
// same query layer as the command line, so both give the same results.
//
// Limits, all configurable on Server: request bodies up to 1 MiB (413
// beyond), a deadline per request, read/write/idle timeouts against slow
// or idle clients, and a bounded number of searches at once with a bounded
// waiting line (429 beyond it).
//
// With a token set, every /v1/ request needs "Authorization: Bearer
// TOKEN"; /healthz and the page itself do not. Without one, only requests
// addressed to a loopback name or one of AllowHosts are answered (no DNS
// rebinding). The page asks for the token
// when the API answers 401, keeps it in the browser's localStorage and
// sends it in the Authorization header, never in a URL.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// Defaults for the zero values of Server's fields.
const (
	DefaultMaxBodyBytes      = 1 << 20
	DefaultRequestTimeout    = 10 * time.Second
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 15 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxQueued         = 64
	DefaultMaxHeaderBytes    = 64 << 10
)

// DefaultMaxConcurrent is the default number of requests using the index
// at once: twice the cores, so one request's I/O or hydration overlaps
// another's scan without searches queueing behind each other on the CPU.
func DefaultMaxConcurrent() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// Server serves the API and the page over one index directory. The zero
// value of each limit means its default.
type Server struct {
	// Engines provides the engine over the index's current generation.
	Engines *Reloader
	// Token, when not empty, is required as "Authorization: Bearer TOKEN"
	// on every /v1/ request.
	Token string
	// AllowHosts are the host names (Host header, port ignored) a server
	// without a token answers besides the loopback ones; "*" is any. A
	// server with a token answers any Host. See checkHost.
	AllowHosts []string
	// Logger receives the access log (one line per request) and errors.
	// Nil discards.
	Logger *slog.Logger

	// MaxBodyBytes bounds a request body (413 beyond).
	MaxBodyBytes int64
	// RequestTimeout is the deadline of one API request, waiting for a
	// slot included.
	RequestTimeout time.Duration
	// MaxConcurrent requests use the index at once; MaxQueued more may wait
	// for a slot (negative: none may); beyond that a request gets 429 at
	// once.
	MaxConcurrent int
	MaxQueued     int

	// ReadHeaderTimeout bounds reading the request line and headers,
	// ReadTimeout the whole request with its body: a client that dribbles
	// is cut off. WriteTimeout bounds everything after the headers (body,
	// search, response); by default it is ReadTimeout + RequestTimeout +
	// 5s, so a request that runs to its deadline still gets its answer.
	// IdleTimeout closes kept-alive connections with nothing to do.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// ShutdownTimeout bounds the wait for in-flight requests after the
	// context of Serve ends; by default RequestTimeout + 5s, enough for
	// any request already running to finish.
	ShutdownTimeout time.Duration
	// MaxHeaderBytes bounds the request headers.
	MaxHeaderBytes int

	once    sync.Once
	handler http.Handler
	limit   *limiter
	// connState, when set, sees every connection state change (tests use
	// it to know a request has reached the server).
	connState func(net.Conn, http.ConnState)
}

func (s *Server) defaults() {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.MaxBodyBytes <= 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.RequestTimeout <= 0 {
		s.RequestTimeout = DefaultRequestTimeout
	}
	if s.MaxConcurrent <= 0 {
		s.MaxConcurrent = DefaultMaxConcurrent()
	}
	if s.MaxQueued < 0 {
		s.MaxQueued = 0
	} else if s.MaxQueued == 0 {
		s.MaxQueued = DefaultMaxQueued
	}
	if s.ReadHeaderTimeout <= 0 {
		s.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if s.ReadTimeout <= 0 {
		s.ReadTimeout = DefaultReadTimeout
	}
	if s.WriteTimeout <= 0 {
		s.WriteTimeout = s.ReadTimeout + s.RequestTimeout + 5*time.Second
	}
	if s.IdleTimeout <= 0 {
		s.IdleTimeout = DefaultIdleTimeout
	}
	if s.ShutdownTimeout <= 0 {
		s.ShutdownTimeout = s.RequestTimeout + 5*time.Second
	}
	if s.MaxHeaderBytes <= 0 {
		s.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
}

// Handler is the whole site: API, health check and page, with the access
// log around it. Fields must not change after the first call.
func (s *Server) Handler() http.Handler {
	s.once.Do(func() {
		s.defaults()
		s.limit = newLimiter(s.MaxConcurrent, s.MaxQueued)
		s.handler = s.routes()
	})
	return s.handler
}

// Serve answers on ln until ctx ends, then stops accepting, lets the
// requests in flight finish (up to ShutdownTimeout) and returns nil. It
// does not close Engines.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	h := s.Handler()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       s.ReadTimeout,
		WriteTimeout:      s.WriteTimeout,
		IdleTimeout:       s.IdleTimeout,
		MaxHeaderBytes:    s.MaxHeaderBytes,
		// net/http's own complaints (bad TLS handshakes, accept errors)
		// go to the same structured log.
		ErrorLog:  slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
		ConnState: s.connState,
		// Requests get their own context, not ctx: a shutdown must let
		// them finish rather than cancel them.
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	s.Logger.Info("shutting down: waiting for requests in flight", "timeout", s.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", ln.Addr(), serr)
	}
	if err != nil {
		// Requests still running after the grace period are cut off; that
		// is the bound, not a failure of the shutdown.
		s.Logger.Warn("requests still running at the end of the shutdown grace period were cut off", "err", err)
		_ = srv.Close()
	}
	return nil
}

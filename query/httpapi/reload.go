package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/query"
)

// DefaultReloadInterval is how often Run looks at the manifest. Reading it
// is one small file read, so a second costs nothing and keeps a fresh
// `paperseek index` run visible almost at once.
const DefaultReloadInterval = time.Second

// ErrClosed is returned by Acquire after Close.
var ErrClosed = errors.New("index closed: the server is shutting down")

// Reloader holds the query engine over the current generation of an index
// directory and moves to a new generation when `paperseek index` commits
// one. Writers never touch a generation that is being read (they build the
// next one beside it and switch the manifest atomically), so the server
// only has to notice the switch, open the new generation and retire the old
// one once the requests still using it are done. It never takes the
// writer's lock: an index run is never blocked by a running server.
type Reloader struct {
	dir    string
	logger *slog.Logger
	opts   query.Options

	// reloading serialises Check so two checks never open the same
	// generation twice.
	reloading sync.Mutex

	mu       sync.Mutex
	cur      *generation
	closed   bool
	lastFail string // the last reload failure logged, to log each one once
}

// generation is one open index generation. refs counts the Reloader's own
// reference (while it is current) plus one per request using it; the index
// is closed when the count drops to zero.
type generation struct {
	st      index.Store
	engine  *query.Engine
	number  int
	updated time.Time
	refs    atomic.Int64
	logger  *slog.Logger
}

func (g *generation) release() {
	if g.refs.Add(-1) != 0 {
		return
	}
	if err := g.st.Close(); err != nil {
		g.logger.Warn("close retired index generation", "generation", g.number, "err", err)
	}
}

// OpenReloader opens dir's current generation. It fails as index.Open does
// (index.ErrNoIndex when dir holds no index), so a server never starts
// without something to serve. A nil logger discards.
func OpenReloader(ctx context.Context, dir string, logger *slog.Logger, opts query.Options) (*Reloader, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{dir: dir, logger: logger, opts: opts}
	g, err := r.open(ctx)
	if err != nil {
		return nil, err
	}
	r.cur = g
	return r, nil
}

func (r *Reloader) open(ctx context.Context) (*generation, error) {
	st, err := index.Open(ctx, r.dir)
	if err != nil {
		return nil, err
	}
	// A server pays for loading what a store opens lazily before it
	// serves, not during its first requests.
	if p, ok := st.(interface{ Preload() error }); ok {
		if err := p.Preload(); err != nil {
			st.Close()
			return nil, fmt.Errorf("open index %s: %w", r.dir, err)
		}
	}
	info := st.Info()
	g := &generation{st: st, engine: query.New(st, r.opts), number: info.Generation, updated: info.Updated, logger: r.logger}
	g.refs.Store(1)
	return g, nil
}

// Acquire returns the engine over the current generation and a release
// function the caller must call once it no longer uses the engine (or
// anything it returned). A generation replaced meanwhile stays open until
// its last user releases it.
func (r *Reloader) Acquire() (*query.Engine, func(), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, nil, ErrClosed
	}
	g := r.cur
	g.refs.Add(1)
	var once sync.Once
	return g.engine, func() { once.Do(g.release) }, nil
}

// Generation is the number of the generation being served.
func (r *Reloader) Generation() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur.number
}

// Check reloads when the manifest names a generation other than the one
// being served, and reports whether it switched. On failure (say the new
// generation cannot be read) the current generation keeps being served and
// the error is returned; the next Check tries again.
func (r *Reloader) Check(ctx context.Context) (bool, error) {
	r.reloading.Lock()
	defer r.reloading.Unlock()
	m, err := index.Stat(ctx, r.dir)
	if err != nil {
		return false, fmt.Errorf("read manifest of %s: %w", r.dir, err)
	}
	r.mu.Lock()
	cur, closed := r.cur, r.closed
	r.mu.Unlock()
	// Compare the time too: a --rebuild over an unreadable manifest starts
	// again at generation 1, which may be the number being served.
	if closed || (m.Generation == cur.number && m.Updated.Equal(cur.updated)) {
		return false, nil
	}
	// Opening loads the vectors and the model, which takes a while on a
	// large index; requests keep using the current generation meanwhile.
	g, err := r.open(ctx)
	if err != nil {
		return false, fmt.Errorf("open generation %d of %s: %w", m.Generation, r.dir, err)
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		g.release()
		return false, nil
	}
	old := r.cur
	r.cur = g
	r.lastFail = ""
	// Logged before a request can be answered from g, so the log never
	// tells of a switch later than the answers show it.
	r.logger.Info("serving new index generation", "generation", g.number, "papers", g.st.Info().Papers, "previous", old.number)
	r.mu.Unlock()
	old.release()
	return true, nil
}

// Run checks for a new generation every interval (DefaultReloadInterval
// when 0) until ctx is done. Failures are logged once each and retried.
func (r *Reloader) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultReloadInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := r.Check(ctx); err != nil && ctx.Err() == nil {
			r.mu.Lock()
			repeat := err.Error() == r.lastFail
			r.lastFail = err.Error()
			r.mu.Unlock()
			if !repeat {
				r.logger.Warn("cannot switch to the new index generation; still serving the previous one", "generation", r.Generation(), "err", err)
			}
		}
	}
}

// Close stops handing out engines and closes the current generation once
// the requests still using it release it.
func (r *Reloader) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	g := r.cur
	r.mu.Unlock()
	g.release()
	return nil
}

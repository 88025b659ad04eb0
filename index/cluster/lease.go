package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
)

// The writer lease: what a directory index's lock file is, on a cluster.
// Weaviate has no compare-and-swap, so the lease is agreed on in steps,
// each run writing only its own object in the meta collection:
//
//  1. list the leases; another run's live held lease: fail at once
//     (index.ErrLocked). Expired leases (a crashed run) are ignored and
//     removed.
//  2. write our candidate lease (run id, host, pid, expiry).
//  3. wait LeaseSettle, list again: another run holds, or another
//     candidate has a lower run id: withdraw ours and fail ErrLocked.
//  4. mark ours held and list once more: another held lease with a lower
//     run id: withdraw and fail. Renew every LeaseTTL/4 while the run
//     lasts; before every write phase (and, from what renewal last saw,
//     before every batch of papers) check that no run with a lower id
//     holds a lease.
//
// Run ids begin with the start time, so of two runs the earlier one wins.
// Two runs starting together both see both candidates in step 3 and the
// lower run id wins. The remaining window: a run that stalls longer than
// LeaseSettle between its step 3 and step 4 (a pause, a partition) while a
// second run starts can leave both holding a lease; the one with the
// higher id finds the other's at its next check — at once in step 4 if
// the other's held write landed first, else at the next write phase or
// renewal (within LeaseTTL/4) — and stops; until then both may write.
// Leases expire by the writer's own clock: clocks skewed by more than
// LeaseTTL would break takeover (not exclusion).

// Lease timing defaults.
const (
	DefaultLeaseTTL    = 2 * time.Minute
	DefaultLeaseSettle = time.Second
)

// leaseKey marks lease objects in the meta collection (the blob layout's
// "key"); leasePart keeps them apart from blob heads (-1) and chunks (≥ 0).
const (
	leaseKey  = "writer-lease"
	leasePart = -2
)

// leaseHolder is what a lease says about its run, for the error message
// of the run it keeps out.
type leaseHolder struct {
	Run     string    `json:"run"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

// leaseRecord is a lease object: its holder, whether the lease is held or
// a candidate, and when it expires. All of it is one JSON text in the
// blob layout's "version" property (GraphQL cannot return an Int beyond
// 32 bits, such as a time in milliseconds).
type leaseRecord struct {
	leaseHolder
	Held    bool      `json:"held"`
	Expires time.Time `json:"expires"`
}

// lease is one run's claim on a collection.
type lease struct {
	c       *wv.Client
	loc     Location
	cl      wv.ConsistencyLevel
	ttl     time.Duration
	me      leaseHolder
	stop    chan struct{}
	stopped sync.WaitGroup

	mu   sync.Mutex
	lost error // set when another run took the lease
}

func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	// The time first: of two runs the earlier one tends to win, which is
	// what a user expects; the random part breaks ties.
	return fmt.Sprintf("%016x-%s", time.Now().UnixNano(), hex.EncodeToString(b[:]))
}

// acquireLease takes the writer lease of loc (its meta collection must
// exist), or fails with an error wrapping index.ErrLocked.
func acquireLease(ctx context.Context, c *wv.Client, loc Location, cl wv.ConsistencyLevel, o Options) (*lease, error) {
	host, _ := os.Hostname()
	l := &lease{c: c, loc: loc, cl: cl, ttl: o.LeaseTTL, stop: make(chan struct{}),
		me: leaseHolder{Run: newRunID(), Host: host, PID: os.Getpid(), Started: time.Now().UTC()}}
	if l.ttl <= 0 {
		l.ttl = DefaultLeaseTTL
	}
	settle := o.LeaseSettle
	if settle <= 0 {
		settle = DefaultLeaseSettle
	}
	others, err := l.others(ctx)
	if err != nil {
		return nil, err
	}
	if h := firstHeld(others); h != nil {
		return nil, l.lockedBy(*h)
	}
	if err := l.put(ctx, false); err != nil {
		return nil, err
	}
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		l.release()
		return nil, ctx.Err()
	}
	if others, err = l.others(ctx); err != nil {
		l.release()
		return nil, err
	}
	if h := firstHeld(others); h != nil {
		l.release()
		return nil, l.lockedBy(*h)
	}
	for _, o := range others {
		if o.Run < l.me.Run {
			l.release()
			return nil, l.lockedBy(o)
		}
	}
	if err := l.put(ctx, true); err != nil {
		l.release()
		return nil, err
	}
	// A run that stalled between its listing and its held write may find
	// another held lease now: the lower run id keeps it.
	if err := l.check(ctx); err != nil {
		l.release()
		return nil, err
	}
	l.stopped.Add(1)
	go l.renew()
	return l, nil
}

func firstHeld(rs []leaseRecord) *leaseRecord {
	for i := range rs {
		if rs[i].Held {
			return &rs[i]
		}
	}
	return nil
}

func (l *lease) lockedBy(h leaseRecord) error {
	what := "starting"
	if h.Held {
		what = "running"
	}
	return fmt.Errorf("%w: another `paperseek index` run is writing to %s (run %s on %s, pid %d, %s since %s; its lease runs to %s unless renewed); wait for it to finish — a crashed run's lease expires within %s",
		index.ErrLocked, l.loc.Raw, h.Run, h.Host, h.PID, what, h.Started.Format(time.RFC3339), h.Expires.Format(time.RFC3339), l.ttl)
}

// others lists the live leases of other runs, removing expired ones.
func (l *lease) others(ctx context.Context) ([]leaseRecord, error) {
	out, _, err := l.list(ctx)
	return out, err
}

// list lists the live leases of other runs, removing expired ones, and
// our own lease as stored (nil when there is none).
func (l *lease) list(ctx context.Context) (others []leaseRecord, mine *leaseRecord, err error) {
	res, err := l.c.Search(ctx, wv.Search{Class: l.loc.Meta(), Where: wv.TextEqual("key", leaseKey), Limit: 100,
		Properties: []string{"version"}, Consistency: l.cl})
	if err != nil {
		return nil, nil, wrap("read the writer lease", err)
	}
	var out []leaseRecord
	now := time.Now()
	for _, h := range res[0] {
		r, err := decodeLease(h.Properties)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: a writer lease in %s: %w", index.ErrCorrupt, l.loc.Meta(), err)
		}
		switch {
		case r.Run == l.me.Run:
			mine = &r
		case now.After(r.Expires):
			// A crashed run's: taken over. Failing to remove it only
			// leaves it to the next run.
			_ = l.c.DeleteObject(ctx, l.loc.Meta(), h.ID, l.cl)
		default:
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b leaseRecord) int { return strings.Compare(a.Run, b.Run) })
	return out, mine, nil
}

// decodeLease reads a lease object.
func decodeLease(props map[string]json.RawMessage) (leaseRecord, error) {
	var text string
	if err := json.Unmarshal(props["version"], &text); err != nil {
		return leaseRecord{}, err
	}
	var r leaseRecord
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return leaseRecord{}, err
	}
	if r.Run == "" || r.Expires.IsZero() {
		return leaseRecord{}, fmt.Errorf("no run or expiry in %q", text)
	}
	return r, nil
}

// put writes our lease, held or a candidate, expiring a TTL from now.
func (l *lease) put(ctx context.Context, held bool) error {
	raw, _ := json.Marshal(leaseRecord{leaseHolder: l.me, Held: held, Expires: time.Now().Add(l.ttl).UTC()})
	obj := wv.Object{ID: wv.ObjectID(leaseKey + ":" + l.me.Run), Properties: map[string]any{
		"key": leaseKey, "version": string(raw), "part": leasePart}}
	return wrap("write the writer lease", l.c.BatchPut(ctx, l.loc.Meta(), []wv.Object{obj}, l.cl))
}

// lostErr is the error renewal recorded when another run took the lease.
func (l *lease) lostErr() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// check fails with index.ErrLocked when another run with a lower run id
// holds a live lease, or renewal found one. (Two held leases happen only
// in the window lease.go's comment describes; the higher run id yields,
// so one of the two runs carries on.) Other failures to read the lease
// are returned as they are: the run stops rather than write unguarded.
func (l *lease) check(ctx context.Context) error {
	if l == nil {
		return nil
	}
	if err := l.lostErr(); err != nil {
		return err
	}
	others, mine, err := l.list(ctx)
	if err != nil {
		return err
	}
	if mine == nil || time.Now().After(mine.Expires) {
		// This run stalled past its lease (or it was removed): another
		// run may have taken over.
		return fmt.Errorf("%w: this run's lease on %s expired (the run stalled for over %s) and another run may be writing; run it again", index.ErrLocked, l.loc.Raw, l.ttl)
	}
	for _, o := range others {
		if o.Held && o.Run < l.me.Run {
			return fmt.Errorf("%w (this run stopped before writing more)", l.lockedBy(o))
		}
	}
	return nil
}

// renew rewrites the lease every TTL/4 until release, and records the
// loss of the lease when another run holds one.
func (l *lease) renew() {
	defer l.stopped.Done()
	t := time.NewTicker(l.ttl / 4)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), l.ttl/4)
		if err := l.check(ctx); errors.Is(err, index.ErrLocked) {
			l.mu.Lock()
			l.lost = err
			l.mu.Unlock()
		} else {
			// A failed renewal is retried at the next tick; the lease
			// lasts four ticks.
			_ = l.put(ctx, true)
		}
		cancel()
	}
}

// release stops renewing and removes our lease.
func (l *lease) release() {
	if l == nil {
		return
	}
	select {
	case <-l.stop:
		return // released already
	default:
		close(l.stop)
	}
	l.stopped.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = l.c.DeleteObject(ctx, l.loc.Meta(), wv.ObjectID(leaseKey+":"+l.me.Run), l.cl)
}

package httpapi

import (
	"context"
	"errors"
)

// errSaturated: every slot is busy and the waiting line is full.
var errSaturated = errors.New("too many requests in flight")

// limiter bounds how many requests use the index at once. A search is CPU
// work (the vector scan dominates at scale); running more of them at once
// than there are cores only makes each slower and memory grow. Requests
// beyond the slots wait in a bounded line; beyond that they get 429 at
// once, so a flood cannot pile up goroutines and memory.
type limiter struct {
	slots    chan struct{} // held while a request uses the engine
	admitted chan struct{} // held from arrival until done: slots + line
}

func newLimiter(concurrent, queued int) *limiter {
	return &limiter{
		slots:    make(chan struct{}, concurrent),
		admitted: make(chan struct{}, concurrent+queued),
	}
}

// acquire takes a slot, waiting in line while ctx allows. It fails with
// errSaturated when the line is full, and with ctx's error when the
// request's deadline passes before a slot comes free.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.admitted <- struct{}{}:
	default:
		return nil, errSaturated
	}
	release = func() { <-l.slots; <-l.admitted }
	// A free slot is taken even when ctx has ended meanwhile: the request
	// then fails on its own deadline, the same way every time.
	select {
	case l.slots <- struct{}{}:
		return release, nil
	default:
	}
	select {
	case l.slots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		<-l.admitted
		return nil, ctx.Err()
	}
}

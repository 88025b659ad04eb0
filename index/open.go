package index

import (
	"context"
	"sort"
	"strings"
	"sync"
)

// Backend opens and writes stores of one kind of location. Backends
// register themselves (Register) from their package's init, as
// database/sql drivers do; a program chooses the kinds it supports by
// importing those packages.
type Backend interface {
	// Open opens the store at location for reading. It fails with an
	// error wrapping ErrNoIndex when there is none.
	Open(ctx context.Context, location string) (Store, error)
	// Stat reads only what says which commit is current (cheap: a server
	// polls it to notice new commits).
	Stat(ctx context.Context, location string) (Info, error)
	// BeginWrite starts a run that adds papers, creating the store if
	// there is none.
	BeginWrite(ctx context.Context, location string, opts WriteOptions) (Writer, error)
	// Check verifies the store; with repair it also fixes what it can.
	Check(ctx context.Context, location string, repair bool, opts WriteOptions) (CheckReport, error)
}

var (
	backendsMu sync.RWMutex
	backends   = map[string]Backend{}
)

// Register makes a backend available for locations with scheme ("" is a
// directory path). It panics when the scheme is taken: two registrations
// are a programming error.
func Register(scheme string, b Backend) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if _, dup := backends[scheme]; dup {
		panic("index: backend registered twice for scheme " + scheme)
	}
	backends[scheme] = b
}

// Scheme is the scheme of a location: "weaviate" for
// weaviate://host:port/Collection, "" for a directory path.
func Scheme(location string) string {
	scheme, _, ok := strings.Cut(location, "://")
	if !ok || scheme == "" || strings.ContainsAny(scheme, `/\.`) {
		return ""
	}
	return strings.ToLower(scheme)
}

func backendFor(location string) (Backend, error) {
	s := Scheme(location)
	backendsMu.RLock()
	b := backends[s]
	backendsMu.RUnlock()
	if b != nil {
		return b, nil
	}
	backendsMu.RLock()
	var known []string
	for k := range backends {
		if k != "" {
			known = append(known, k+"://")
		}
	}
	backendsMu.RUnlock()
	sort.Strings(known)
	return nil, Usagef("%q is not an index location this paperseek knows (a directory, or one of %s)", location, strings.Join(known, ", "))
}

// Open opens the store at location (a directory, or a URL such as
// weaviate://host:8080/Papers) for reading.
func Open(ctx context.Context, location string) (Store, error) {
	b, err := backendFor(location)
	if err != nil {
		return nil, err
	}
	return b.Open(ctx, location)
}

// Stat reports the current commit of the store at location.
func Stat(ctx context.Context, location string) (Info, error) {
	b, err := backendFor(location)
	if err != nil {
		return Info{}, err
	}
	return b.Stat(ctx, location)
}

// BeginWrite starts an index run on the store at location.
func BeginWrite(ctx context.Context, location string, opts WriteOptions) (Writer, error) {
	b, err := backendFor(location)
	if err != nil {
		return nil, err
	}
	return b.BeginWrite(ctx, location, opts)
}

// Check verifies (and with repair, fixes) the store at location.
func Check(ctx context.Context, location string, repair bool, opts WriteOptions) (CheckReport, error) {
	b, err := backendFor(location)
	if err != nil {
		return CheckReport{}, err
	}
	return b.Check(ctx, location, repair, opts)
}

package index

import "errors"

// Sentinel errors the command layer maps to exit codes and HTTP statuses.
var (
	// ErrNoIndex: the directory holds no index yet (a usage error: index first).
	ErrNoIndex = errors.New("no index")
	// ErrCorrupt: the index exists but cannot be read.
	ErrCorrupt = errors.New("index is corrupt")
	// ErrLocked: another process is writing to the index.
	ErrLocked = errors.New("index is locked by another writer")
	// ErrUsage: a bad option value (exit 2).
	ErrUsage = errors.New("usage error")
	// ErrNotFound: no paper with that id.
	ErrNotFound = errors.New("no such paper")
	// ErrUnavailable: a store on a cluster cannot give a full answer now
	// (a node down, a shard without a live replica, a consistency level
	// not met): exit 1, HTTP 503 backend_unavailable — never a shorter list.
	ErrUnavailable = errors.New("index backend unavailable")
)

package local

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/index"
)

const lockName = "LOCK"

// writerLock is an exclusive, non-blocking OS file lock on DIR/LOCK (flock
// on Unix, LockFileEx on Windows). The kernel drops it when the process
// dies, so a killed run never leaves the index locked; a second writer fails
// at once instead of waiting.
type writerLock struct{ f *os.File }

func acquireWriterLock(dir string) (*writerLock, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open index lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		holder := ""
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = fmt.Sprintf(" (pid %d)", pid)
			}
		}
		f.Close()
		return nil, fmt.Errorf("%w%s: another `paperseek index` is writing to %s; wait for it to finish", index.ErrLocked, holder, dir)
	}
	// The pid is only a hint for the message above; the flock is the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &writerLock{f: f}, nil
}

func (l *writerLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = unlockFile(l.f)
	_ = l.f.Close()
	l.f = nil
}

package local

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/paperseek/paperseek/index"
)

// notADirectory returns the usage error for an index location that is (or
// lies under) a file, nil otherwise: `--index papers.jsonl` is a slip of
// the user's, to be told in one line, not an I/O failure.
func notADirectory(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case err == nil && !info.IsDir():
		return fmt.Errorf("%w: %s is a file, not an index directory: give --index the directory an index was built in (or a new directory's path)", index.ErrUsage, dir)
	case errors.Is(err, syscall.ENOTDIR):
		for p := filepath.Dir(dir); p != filepath.Dir(p); p = filepath.Dir(p) {
			if info, err := os.Stat(p); err == nil && !info.IsDir() {
				return fmt.Errorf("%w: %s cannot be an index directory: %s is a file", index.ErrUsage, dir, p)
			}
		}
	}
	return nil
}

// createIndexDir makes dir (and missing parents) and returns the
// directories it created, deepest first, so that a failed first run can
// remove them again (removeCreated).
func createIndexDir(dir string) ([]string, error) {
	if err := notADirectory(dir); err != nil {
		return nil, err
	}
	var missing []string
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index directory: %w", err)
	}
	return missing, nil
}

// leaveNothing undoes what a failed run on a directory that held no index
// added: the LOCK file (removed while still held, so no other writer can
// take a lock on it in between), an empty embedding cache, and the
// directories the run created if they are empty. An embedding cache that
// holds vectors stays, with its directory: it is what lets the same
// command resume without paying again for what was embedded.
func leaveNothing(dir string, created []string) {
	_ = os.Remove(filepath.Join(dir, lockName))
	_ = os.Remove(filepath.Join(dir, cacheDirName)) // only if empty
	for _, d := range created {
		if os.Remove(d) != nil {
			return // not empty: something worth keeping, or someone else's
		}
	}
}

// leaveNothingIfCreated removes the directories a run created when it
// could not even take the lock (another writer made the directory too).
func leaveNothingIfCreated(created []string) {
	for _, d := range created {
		if os.Remove(d) != nil {
			return
		}
	}
}

package atomicfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File is a replacement of path being written. Write to it (it is an
// *os.File: WriteAt and Truncate work too), then Commit, or Abort to leave
// path as it was. Abort after Commit does nothing, so `defer f.Abort()`
// is the usual pattern.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts a replacement of path: a temporary file beside it, named
// ".BASE.tmp-*" so that leftovers of a crash are recognisable.
func Create(path string) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &File{File: tmp, path: path}, nil
}

// Commit syncs the file, renames it over path and syncs the directory.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: %s already committed or aborted", f.path)
	}
	f.done = true
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return SyncDir(filepath.Dir(f.path))
}

// Abort removes the temporary file; path keeps its old content.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// WriteFile replaces path with data, atomically and durably.
func WriteFile(path string, data []byte) error {
	return WriteFrom(path, bytes.NewReader(data))
}

// WriteFrom replaces path with what src writes, streamed, atomically and
// durably.
func WriteFrom(path string, src io.WriterTo) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := src.WriteTo(f); err != nil {
		return err
	}
	return f.Commit()
}

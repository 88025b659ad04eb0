package local

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

// Bleve's persister reports a failed segment write as text (%v); the cause
// is restored, with the file, for errors.Is/As.
func TestBleveCause(t *testing.T) {
	msg := "segment: /ix/gen-2/keyword/store/000000000007.zap persist err: write /ix/gen-2/keyword/store/000000000007.zap: file too large"
	err := bleveCause(errors.New(msg))
	var pe *fs.PathError
	if !errors.Is(err, syscall.EFBIG) || !errors.As(err, &pe) || pe.Path != "/ix/gen-2/keyword/store/000000000007.zap" {
		t.Errorf("cause not restored: %v (%#v)", err, pe)
	}
	if err.Error() != msg {
		t.Errorf("message changed: %q", err)
	}
	plain := errors.New("batch: something else")
	if bleveCause(plain) != plain {
		t.Error("an error without a lack-of-room errno changed")
	}
	wrapped := fmt.Errorf("write: %w", syscall.ENOSPC)
	if bleveCause(wrapped) != wrapped {
		t.Error("an error that keeps its cause changed")
	}
}

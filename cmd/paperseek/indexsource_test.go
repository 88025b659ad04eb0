package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
)

// stallingReader serves its data, then blocks in Read (a pipe whose writer
// has nothing more to say yet) until it is closed.
type stallingReader struct {
	data   *strings.Reader
	closed chan struct{}
	once   sync.Once
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.data.Len() > 0 {
		return r.data.Read(p)
	}
	<-r.closed
	return 0, io.ErrClosedPipe
}

func (r *stallingReader) Close() error {
	r.once.Do(func() { close(r.closed) })
	return nil
}

// When adding a batch fails, indexRecords returns only after its reading
// goroutine has ended, even when that goroutine waits in a read that would
// never return: it was left running (here, forever) before.
func TestIndexSourceLeavesNoReaderBehind(t *testing.T) {
	ctx := context.Background()
	w, err := index.BeginWrite(ctx, t.TempDir(), index.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.Abort() // every Add now fails

	// One record longer than the reader's buffer, so format detection has
	// what it needs; the next read stalls.
	rec := fmt.Sprintf(`{"id":"p1","title":"A paper","abstract":%q}`+"\n", strings.Repeat("words ", 40000))
	r := &stallingReader{data: strings.NewReader(rec), closed: make(chan struct{})}
	rd, err := ingest.NewMultiReader([]ingest.Input{{Name: "pipe", R: r}}, ingest.MultiOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	opts := &indexOptions{globalOptions: &globalOptions{IO: &IOStreams{ErrOut: io.Discard}}, BatchSize: 1}
	var sum indexSummary
	interrupt := func() { r.Close() }
	if err := indexRecords(ctx, w, rd, interrupt, opts, newProgress(opts.IO, 0, nil), &sum); err == nil {
		t.Fatal("indexRecords into an aborted writer did not fail")
	}
	// The reader may still be returning from its last deferred call; what
	// must not be left is a goroutine waiting in the stalled read.
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if strings.Contains(stacks, "(*stallingReader).Read") {
		r.Close()
		t.Errorf("the reading goroutine is still running after indexRecords returned:\n%s", stacks)
	}
}

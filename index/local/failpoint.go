package local

import (
	"os"
	"sync"
	"time"
)

// Failpoints: named moments inside an index run where the crash-safety
// tests kill the process (SIGKILL, as a power cut or the OOM killer would)
// to prove that no moment leaves the index unreadable or inconsistent.
// PAPERSEEK_FAILPOINT=name arms one; unset (always, outside tests) they
// cost one cached string comparison.
const (
	FailKeywordBatch  = "keyword-batch"   // after a Bleve batch, mid-reading
	FailTraining      = "training"        // as the local model starts training
	FailEmbedding     = "embedding"       // after the first batch of vectors
	FailVectorsWrite  = "vectors-write"   // vector segments written, the set file naming them not yet
	FailManifestWrite = "manifest-switch" // new manifest written, not yet renamed
	FailAfterCommit   = "after-commit"    // manifest switched, old generations not yet removed
)

var armed = sync.OnceValue(func() string { return os.Getenv("PAPERSEEK_FAILPOINT") })

func failpoint(name string) {
	if armed() == name {
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Kill() // SIGKILL on Unix, TerminateProcess on Windows
		}
		time.Sleep(time.Hour) // the kill is not instant; never run past the point
	}
}

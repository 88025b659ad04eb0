package vectors

import (
	"os"
	"testing"
)

// TestMain partitions from 2,000 papers at 100 a list, so the tests cover
// many lists and segments on small, fast sets (the race detector on a
// shared 2-core machine included); the benchmarks use the real sizes.
func TestMain(m *testing.M) {
	partitionMin, listSize = 2000, 100
	os.Exit(m.Run())
}

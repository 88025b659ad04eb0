package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paperseek/paperseek/embed"
)

var testFP = embed.Fingerprint{Name: "openai", Model: "text-embedding-3-small", Dimensions: 4, DocPrefix: "d: ", QueryPrefix: "q: "}

// vec is a distinct, exactly representable vector per i.
func vec(i int) []float32 {
	return []float32{float32(i), -float32(i) / 2, 0.25, float32(i) * 1e-3}
}

func texts(n int) ([]string, [][]float32) {
	ts := make([]string, n)
	vs := make([][]float32, n)
	for i := range n {
		ts[i] = fmt.Sprintf("paper %d: a title and an abstract", i)
		vs[i] = vec(i)
	}
	return ts, vs
}

func mustOpen(t *testing.T, dir string, fp embed.Fingerprint) *Cache {
	t.Helper()
	c, err := Open(dir, fp)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// cacheFile is the single cache file in dir.
func cacheFile(t *testing.T, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.cache"))
	if err != nil || len(m) != 1 {
		t.Fatalf("want one cache file in %s, got %v (%v)", dir, m, err)
	}
	return m[0]
}

func TestPutGetSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	ts, vs := texts(50)
	c := mustOpen(t, dir, testFP)
	if err := c.Put(ts[:30], vs[:30]); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(ts[30:], vs[30:]); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	c = mustOpen(t, dir, testFP)
	if c.Len() != 50 {
		t.Fatalf("Len after reopen = %d, want 50", c.Len())
	}
	for i, txt := range ts {
		got, ok := c.Get(txt)
		if !ok || !slices.Equal(got, vs[i]) {
			t.Fatalf("Get(%q) = %v, %v; want %v", txt, got, ok, vs[i])
		}
	}
	if _, ok := c.Get("never stored"); ok {
		t.Fatal("Get of an unknown text hit")
	}
	// The key is the exact text: the same words with a prefix are another entry.
	if _, ok := c.Get("d: " + ts[0]); ok {
		t.Fatal("prefixed text hit the unprefixed entry")
	}
}

func TestPutSkipsTextsAlreadyCached(t *testing.T) {
	dir := t.TempDir()
	ts, vs := texts(10)
	c := mustOpen(t, dir, testFP)
	if err := c.Put(ts, vs); err != nil {
		t.Fatal(err)
	}
	path := cacheFile(t, dir)
	before, _ := os.Stat(path)
	// Same texts again, plus an in-batch duplicate of a new one.
	again := append(slices.Clone(ts), "new", "new")
	vecs := append(slices.Clone(vs), vec(99), vec(99))
	if err := c.Put(again, vecs); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if c.Len() != 11 {
		t.Fatalf("Len = %d, want 11", c.Len())
	}
	if grew := after.Size() - before.Size(); grew != recordSize(testFP.Dimensions) {
		t.Fatalf("file grew by %d bytes, want exactly one record (%d)", grew, recordSize(testFP.Dimensions))
	}
}

func TestPutRejectsBadInput(t *testing.T) {
	c := mustOpen(t, t.TempDir(), testFP)
	tests := []struct {
		name  string
		texts []string
		vecs  [][]float32
		want  string
	}{
		{"count mismatch", []string{"a", "b"}, [][]float32{vec(1)}, "2 texts but 1 vectors"},
		{"wrong dimensions", []string{"a"}, [][]float32{{1, 2, 3}}, "vector 0 has 3 dimensions, the cache holds 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Put(tt.texts, tt.vecs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Put error = %v, want one containing %q", err, tt.want)
			}
			if c.Len() != 0 {
				t.Fatalf("a rejected Put stored %d entries", c.Len())
			}
		})
	}
}

func TestEntriesOnlyServeTheirFingerprint(t *testing.T) {
	dir := t.TempDir()
	c := mustOpen(t, dir, testFP)
	if err := c.Put([]string{"shared text"}, [][]float32{vec(1)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*embed.Fingerprint)
	}{
		{"other model", func(f *embed.Fingerprint) { f.Model = "text-embedding-3-large" }},
		{"other dimensions", func(f *embed.Fingerprint) { f.Dimensions = 8 }},
		{"other document prefix", func(f *embed.Fingerprint) { f.DocPrefix = "passage: " }},
		{"other query prefix", func(f *embed.Fingerprint) { f.QueryPrefix = "" }},
		{"other embedder", func(f *embed.Fingerprint) { f.Name = "local" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := testFP
			tt.change(&fp)
			other := mustOpen(t, dir, fp)
			if _, ok := other.Get("shared text"); ok {
				t.Fatal("an entry of another fingerprint was served")
			}
			if other.Len() != 0 {
				t.Fatalf("Len = %d for a fresh fingerprint", other.Len())
			}
		})
	}
	if _, ok := c.Get("shared text"); !ok {
		t.Fatal("opening other fingerprints lost the original entry")
	}
}

func TestOpenNeedsDimensions(t *testing.T) {
	fp := testFP
	fp.Dimensions = 0
	if _, err := Open(t.TempDir(), fp); err == nil || !strings.Contains(err.Error(), "probe the embedder first") {
		t.Fatalf("Open with unknown dimensions: err = %v", err)
	}
}

// TestDamagedFileKeepsIntactEntries damages a file of 20 entries written in
// two batches and checks what survives, that the file is usable afterwards
// and that the repair itself is stable across another reopen.
func TestDamagedFileKeepsIntactEntries(t *testing.T) {
	rec := recordSize(testFP.Dimensions)
	tests := []struct {
		name     string
		damage   func(t *testing.T, path string, dataOff int64)
		wantLost []int // entries that must be gone; all others must survive
	}{
		{"torn tail mid-record", func(t *testing.T, path string, dataOff int64) {
			truncateBy(t, path, rec/2)
		}, []int{19}},
		{"torn tail of a few bytes", func(t *testing.T, path string, dataOff int64) {
			truncateBy(t, path, 3)
		}, []int{19}},
		{"garbage appended", func(t *testing.T, path string, dataOff int64) {
			appendBytes(t, path, []byte("half a record of junk"))
		}, nil},
		{"garbage of exactly one record appended", func(t *testing.T, path string, dataOff int64) {
			appendBytes(t, path, make([]byte, rec))
		}, nil},
		{"last record bit-flipped", func(t *testing.T, path string, dataOff int64) {
			flipByte(t, path, dataOff+19*rec+40)
		}, []int{19}},
		{"last three records zeroed (unwritten pages after a crash)", func(t *testing.T, path string, dataOff int64) {
			writeAt(t, path, dataOff+17*rec, make([]byte, 3*rec))
		}, []int{17, 18, 19}},
		{"a record in the middle bit-flipped", func(t *testing.T, path string, dataOff int64) {
			flipByte(t, path, dataOff+7*rec+5)
		}, []int{7}},
		{"nothing damaged", func(t *testing.T, path string, dataOff int64) {}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ts, vs := texts(20)
			c, err := Open(dir, testFP)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Put(ts[:10], vs[:10]); err != nil {
				t.Fatal(err)
			}
			if err := c.Put(ts[10:], vs[10:]); err != nil {
				t.Fatal(err)
			}
			dataOff := c.dataOff
			_ = c.Close()
			path := cacheFile(t, dir)
			tt.damage(t, path, dataOff)

			c = mustOpen(t, dir, testFP)
			checkEntries(t, c, ts, vs, tt.wantLost)
			if st, _ := os.Stat(path); (st.Size()-dataOff)%rec != 0 {
				t.Fatalf("file size %d does not end on a record boundary after Open", st.Size())
			}

			// The repaired file takes new entries, including the lost ones,
			// and everything survives another reopen.
			if err := c.Put(ts, vs); err != nil {
				t.Fatal(err)
			}
			_ = c.Close()
			c = mustOpen(t, dir, testFP)
			checkEntries(t, c, ts, vs, nil)
		})
	}
}

func checkEntries(t *testing.T, c *Cache, ts []string, vs [][]float32, lost []int) {
	t.Helper()
	if want := len(ts) - len(lost); c.Len() != want {
		t.Errorf("Len = %d, want %d", c.Len(), want)
	}
	for i, txt := range ts {
		got, ok := c.Get(txt)
		if slices.Contains(lost, i) {
			if ok {
				t.Errorf("damaged entry %d was served: %v", i, got)
			}
			continue
		}
		if !ok || !slices.Equal(got, vs[i]) {
			t.Errorf("intact entry %d: Get = %v, %v; want %v", i, got, ok, vs[i])
		}
	}
}

func TestUnreadableFileIsAnErrorNotACrash(t *testing.T) {
	tests := []struct {
		name    string
		content func(t *testing.T) []byte
	}{
		{"empty file", func(t *testing.T) []byte { return nil }},
		{"not a cache at all", func(t *testing.T) []byte { return []byte("{\"id\": \"not a cache\"}\n") }},
		{"header cut short", func(t *testing.T) []byte { return validHeader(t)[:15] }},
		{"header checksum wrong", func(t *testing.T) []byte {
			h := validHeader(t)
			h[len(h)-1] ^= 0xff
			return h
		}},
		{"absurd fingerprint length", func(t *testing.T) []byte {
			return append([]byte(magic), 0xff, 0xff, 0xff, 0xff, 1, 2, 3)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			name, err := fileName(testFP)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, tt.content(t), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Open(dir, testFP)
			if err == nil {
				_ = c.Close()
				t.Fatal("Open accepted a damaged header")
			}
			for _, want := range []string{path, "delete the file"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestFileOfAnotherFingerprintIsRefused(t *testing.T) {
	// Simulates a hash collision or a renamed file: the header, not the
	// file name, decides which fingerprint a file serves.
	dir := t.TempDir()
	other := testFP
	other.Model = "other-model"
	c := mustOpen(t, dir, other)
	_ = c.Close()
	name, _ := fileName(testFP)
	if err := os.Rename(cacheFile(t, dir), filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, testFP); err == nil || !strings.Contains(err.Error(), "other-model") {
		t.Fatalf("Open of a file holding another fingerprint: err = %v", err)
	}
}

func TestBitRotAfterOpenIsAMissThenRepaired(t *testing.T) {
	dir := t.TempDir()
	ts, vs := texts(3)
	c := mustOpen(t, dir, testFP)
	if err := c.Put(ts, vs); err != nil {
		t.Fatal(err)
	}
	flipByte(t, cacheFile(t, dir), c.dataOff+recordSize(testFP.Dimensions)+hashSize+1)
	if got, ok := c.Get(ts[1]); ok {
		t.Fatalf("rotten record served: %v", got)
	}
	if err := c.Put(ts, vs); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Get(ts[1]); !ok || !slices.Equal(got, vs[1]) {
		t.Fatalf("re-Put did not repair the entry: %v, %v", got, ok)
	}
}

func TestClosedCache(t *testing.T) {
	c, err := Open(t.TempDir(), testFP)
	if err != nil {
		t.Fatal(err)
	}
	ts, vs := texts(1)
	if err := c.Put(ts, vs); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, ok := c.Get(ts[0]); ok {
		t.Fatal("Get after Close hit")
	}
	if err := c.Put(ts, vs); err == nil {
		t.Fatal("Put after Close succeeded")
	}
}

func TestConcurrentPutAndGet(t *testing.T) {
	dir := t.TempDir()
	c := mustOpen(t, dir, testFP)
	const writers, each = 4, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range each {
				n := w*each + i
				if err := c.Put([]string{fmt.Sprint(n)}, [][]float32{vec(n)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range each {
				n := w*each + i
				if got, ok := c.Get(fmt.Sprint(n)); ok && !slices.Equal(got, vec(n)) {
					t.Errorf("Get(%d) = %v during concurrent writes", n, got)
				}
			}
		}()
	}
	wg.Wait()
	_ = c.Close()
	c = mustOpen(t, dir, testFP)
	if c.Len() != writers*each {
		t.Fatalf("Len = %d, want %d", c.Len(), writers*each)
	}
	for n := range writers * each {
		if got, ok := c.Get(fmt.Sprint(n)); !ok || !slices.Equal(got, vec(n)) {
			t.Fatalf("Get(%d) = %v, %v", n, got, ok)
		}
	}
}

func validHeader(t *testing.T) []byte {
	t.Helper()
	h, err := encodeHeader(testFP)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func truncateBy(t *testing.T, path string, n int64) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()-n); err != nil {
		t.Fatal(err)
	}
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

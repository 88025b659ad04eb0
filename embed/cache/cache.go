package cache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/internal/atomicfile"
)

// Cache maps texts to their embeddings for one fingerprint.
type Cache struct {
	fp      embed.Fingerprint
	path    string
	f       *os.File
	dims    int
	recSize int64
	dataOff int64 // where record 0 starts

	// writeMu serialises Put and Close; it guards size, next and closed.
	writeMu sync.Mutex
	size    int64  // end of the last record written
	next    uint32 // number of the next record
	closed  bool

	mu    sync.RWMutex
	index map[[hashSize]byte]uint32 // sha256(text) → record number
}

// Open opens (creating if needed) the cache for fingerprint fp under dir.
// Entries are keyed by the sha256 of the exact text sent to the embedder
// (prefix included) and a file only ever serves the fingerprint it was
// created for. fp.Dimensions must be known: probe the embedder first.
func Open(dir string, fp embed.Fingerprint) (*Cache, error) {
	if fp.Dimensions <= 0 {
		return nil, fmt.Errorf("open embedding cache in %s: fingerprint %s has no dimensions yet: probe the embedder first", dir, fp)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open embedding cache: %w", err)
	}
	name, err := fileName(fp)
	if err != nil {
		return nil, fmt.Errorf("open embedding cache in %s: %w", dir, err)
	}
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		if err = create(path, fp); err == nil {
			f, err = os.OpenFile(path, os.O_RDWR, 0)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open embedding cache %s: %w", path, err)
	}
	c := &Cache{
		fp:      fp,
		path:    path,
		f:       f,
		dims:    fp.Dimensions,
		recSize: recordSize(fp.Dimensions),
		index:   make(map[[hashSize]byte]uint32),
	}
	if err := c.load(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("open embedding cache %s: %w", path, err)
	}
	return c, nil
}

// create writes a new file holding only the header, atomically, so that a
// crash never leaves a file with a torn header, which Open would have to
// refuse.
func create(path string, fp embed.Fingerprint) error {
	hdr, err := encodeHeader(fp)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, hdr); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	return nil
}

// load checks the header, indexes every intact record and cuts off a torn or
// corrupt tail so that the next Put appends on a record boundary.
func (c *Cache) load() error {
	br := bufio.NewReaderSize(c.f, 1<<20)
	got, off, err := readHeader(br)
	if err != nil {
		return fmt.Errorf("%w: delete the file to start the cache over", err)
	}
	if got != c.fp {
		return fmt.Errorf("file holds embeddings of %s, not %s: delete the file to start the cache over", got, c.fp)
	}
	st, err := c.f.Stat()
	if err != nil {
		return fmt.Errorf("stat: %w", err)
	}
	c.dataOff = off
	rec := make([]byte, c.recSize)
	var n, good uint32 // records read; records up to and including the last valid one
	for {
		if _, err := io.ReadFull(br, rec); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			return fmt.Errorf("read records: %w", err)
		}
		if recordValid(rec) {
			h := [hashSize]byte(rec[:hashSize])
			if _, dup := c.index[h]; !dup {
				c.index[h] = n
			}
			good = n + 1
		}
		if n == math.MaxUint32-1 {
			break
		}
		n++
	}
	c.next = good
	c.size = off + int64(good)*c.recSize
	if c.size != st.Size() {
		if err := c.f.Truncate(c.size); err != nil {
			return fmt.Errorf("truncate damaged tail: %w", err)
		}
		if err := c.f.Sync(); err != nil {
			return fmt.Errorf("sync after truncating damaged tail: %w", err)
		}
	}
	return nil
}

// Fingerprint is the fingerprint the cache was opened for.
func (c *Cache) Fingerprint() embed.Fingerprint { return c.fp }

// Get returns the cached vector for text. A record that fails its checksum
// (bit rot) or cannot be read is reported as a miss and forgotten, so the
// caller embeds the text again and the next Put stores a good copy.
func (c *Cache) Get(text string) ([]float32, bool) {
	h := sha256.Sum256([]byte(text))
	c.mu.RLock()
	n, ok := c.index[h]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	rec := make([]byte, c.recSize)
	if _, err := c.f.ReadAt(rec, c.dataOff+int64(n)*c.recSize); err != nil {
		return nil, false
	}
	if !recordValid(rec) || !bytes.Equal(rec[:hashSize], h[:]) {
		c.mu.Lock()
		if m, ok := c.index[h]; ok && m == n {
			delete(c.index, h)
		}
		c.mu.Unlock()
		return nil, false
	}
	return decodeVector(rec, c.dims), true
}

// Put stores vecs[i] as the embedding of texts[i]. It is durable when it
// returns (one append and one fsync for the whole batch): a crash during Put
// loses at most this batch, never an earlier one. Texts already cached are
// skipped. Every vector must have the fingerprint's dimensions.
func (c *Cache) Put(texts []string, vecs [][]float32) error {
	if len(texts) != len(vecs) {
		return fmt.Errorf("embedding cache put: %d texts but %d vectors", len(texts), len(vecs))
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.closed {
		return fmt.Errorf("embedding cache put %s: %w", c.path, os.ErrClosed)
	}
	buf := make([]byte, 0, len(texts)*int(c.recSize))
	hashes := make([][hashSize]byte, 0, len(texts))
	seen := make(map[[hashSize]byte]bool, len(texts))
	c.mu.RLock()
	for i, t := range texts {
		if len(vecs[i]) != c.dims {
			c.mu.RUnlock()
			return fmt.Errorf("embedding cache put: vector %d has %d dimensions, the cache holds %d", i, len(vecs[i]), c.dims)
		}
		h := sha256.Sum256([]byte(t))
		if _, ok := c.index[h]; ok || seen[h] {
			continue
		}
		seen[h] = true
		hashes = append(hashes, h)
		buf = appendRecord(buf, h, vecs[i])
	}
	c.mu.RUnlock()
	if len(hashes) == 0 {
		return nil
	}
	if uint64(c.next)+uint64(len(hashes)) >= math.MaxUint32 {
		return fmt.Errorf("embedding cache %s is full (%d entries)", c.path, c.next)
	}
	// WriteAt at our own idea of the end, not O_APPEND: if an earlier write
	// failed halfway, its garbage is overwritten instead of shifting every
	// later record off its boundary.
	if _, err := c.f.WriteAt(buf, c.size); err != nil {
		_ = c.f.Truncate(c.size)
		return fmt.Errorf("write embedding cache %s: %w", c.path, err)
	}
	if err := c.f.Sync(); err != nil {
		return fmt.Errorf("sync embedding cache %s: %w", c.path, err)
	}
	c.mu.Lock()
	for j, h := range hashes {
		c.index[h] = c.next + uint32(j)
	}
	c.mu.Unlock()
	c.next += uint32(len(hashes))
	c.size += int64(len(buf))
	return nil
}

// Len is the number of texts cached.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.index)
}

// Close releases the file. Later Gets miss and later Puts fail.
func (c *Cache) Close() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if err := c.f.Close(); err != nil {
		return fmt.Errorf("close embedding cache %s: %w", c.path, err)
	}
	return nil
}

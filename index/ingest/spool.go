package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// abstractSpool holds the Semantic Scholar abstracts of a run until their
// papers rows come, in a temporary bbolt file: a release's abstracts are
// tens of GB, far more than memory, and bbolt (already built in through
// Bleve) gives keyed lookups on disk without a server. Nothing here needs
// to survive a crash (the file is removed on Close and is worthless after
// one), so it is written without fsync, and writes are batched into
// transactions of a few MB to bound the memory of dirty pages.
type abstractSpool struct {
	dir     string
	db      *bolt.DB
	tx      *bolt.Tx // the write transaction in progress, nil when none
	txBytes int
	read    *bolt.Tx // the read transaction of the orphan listing
	cursor  *bolt.Cursor
	started bool
}

var spoolBucket = []byte("abstracts")

// spoolTxBytes bounds one write transaction's data (a variable so that a
// test can make many transactions from little data).
var spoolTxBytes = 8 << 20

func newAbstractSpool(tempDir string) (*abstractSpool, error) {
	dir, err := os.MkdirTemp(tempDir, "paperseek-s2-abstracts-")
	if err != nil {
		return nil, fmt.Errorf("spool Semantic Scholar abstracts: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, "abstracts.db"), 0o600, &bolt.Options{NoSync: true, NoGrowSync: true, NoFreelistSync: true})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("spool Semantic Scholar abstracts: %w", err)
	}
	return &abstractSpool{dir: dir, db: db}, nil
}

func (s *abstractSpool) bucket() (*bolt.Bucket, error) {
	if s.tx == nil {
		tx, err := s.db.Begin(true)
		if err != nil {
			return nil, err
		}
		s.tx, s.txBytes = tx, 0
	}
	return s.tx.CreateBucketIfNotExists(spoolBucket)
}

func (s *abstractSpool) maybeCommit() error {
	if s.tx == nil || s.txBytes < spoolTxBytes {
		return nil
	}
	return s.commit()
}

func (s *abstractSpool) commit() error {
	if s.tx == nil {
		return nil
	}
	err := s.tx.Commit()
	s.tx = nil
	return err
}

// put keeps the abstract of id, read from input at line; a second
// abstract for an id replaces the first.
func (s *abstractSpool) put(id string, input, line int, text string) error {
	b, err := s.bucket()
	if err != nil {
		return spoolError(err)
	}
	v := binary.AppendUvarint(nil, uint64(input))
	v = binary.AppendUvarint(v, uint64(line))
	v = append(v, text...)
	if err := b.Put([]byte(id), v); err != nil {
		return spoolError(err)
	}
	s.txBytes += len(id) + len(v)
	return spoolError(s.maybeCommit())
}

// take returns the abstract of id and forgets it, so that what is left at
// the end are the abstracts no papers row asked for.
func (s *abstractSpool) take(id string) (string, bool, error) {
	b, err := s.bucket()
	if err != nil {
		return "", false, spoolError(err)
	}
	v := b.Get([]byte(id))
	if v == nil {
		return "", false, nil
	}
	_, _, text, err := decodeSpooled(v)
	if err != nil {
		return "", false, err
	}
	if err := b.Delete([]byte(id)); err != nil {
		return "", false, spoolError(err)
	}
	s.txBytes += len(id)
	return text, true, spoolError(s.maybeCommit())
}

// nextOrphan returns the next abstract left, in id order; ok is false when
// there are no more.
func (s *abstractSpool) nextOrphan() (id string, input, line int, ok bool, err error) {
	if !s.started {
		s.started = true
		if err := s.commit(); err != nil {
			return "", 0, 0, false, spoolError(err)
		}
		if s.read, err = s.db.Begin(false); err != nil {
			return "", 0, 0, false, spoolError(err)
		}
		b := s.read.Bucket(spoolBucket)
		if b == nil {
			return "", 0, 0, false, nil
		}
		s.cursor = b.Cursor()
		k, v := s.cursor.First()
		return s.orphan(k, v)
	}
	if s.cursor == nil {
		return "", 0, 0, false, nil
	}
	k, v := s.cursor.Next()
	return s.orphan(k, v)
}

func (s *abstractSpool) orphan(k, v []byte) (string, int, int, bool, error) {
	if k == nil {
		return "", 0, 0, false, nil
	}
	input, line, _, err := decodeSpooled(v)
	if err != nil {
		return "", 0, 0, false, err
	}
	return string(k), input, line, true, nil
}

func decodeSpooled(v []byte) (input, line int, text string, err error) {
	in, n := binary.Uvarint(v)
	if n <= 0 {
		return 0, 0, "", spoolError(errors.New("corrupt entry"))
	}
	ln, m := binary.Uvarint(v[n:])
	if m <= 0 {
		return 0, 0, "", spoolError(errors.New("corrupt entry"))
	}
	return int(in), int(ln), string(v[n+m:]), nil
}

// close drops the spool and its file.
func (s *abstractSpool) close() error {
	if s.read != nil {
		_ = s.read.Rollback()
		s.read = nil
	}
	if s.tx != nil {
		_ = s.tx.Rollback()
		s.tx = nil
	}
	err := s.db.Close()
	if rmErr := os.RemoveAll(s.dir); err == nil {
		err = rmErr
	}
	return err
}

func spoolError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("spool of Semantic Scholar abstracts: %w", err)
}

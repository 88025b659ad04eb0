package vectors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"unsafe"

	mmap "github.com/blevesearch/mmap-go"
)

// mapped is one read-only mapping of a whole immutable file (mmap on Unix,
// a file mapping on Windows, through the library Bleve already uses).
type mapped struct {
	f    *os.File
	data mmap.MMap
}

func mapFile(path string) (*mapped, error) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return nil, errors.New("vector files are little-endian; this machine is not")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.Size() < headerSize {
		f.Close()
		return nil, fmt.Errorf("%w: %s: %d bytes, shorter than a header", ErrCorrupt, path, st.Size())
	}
	if int64(int(st.Size())) != st.Size() {
		f.Close()
		return nil, fmt.Errorf("%s: too large to map on this platform", path)
	}
	data, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("map %s: %w", path, err)
	}
	return &mapped{f: f, data: data}, nil
}

func (m *mapped) close() error {
	err := m.data.Unmap()
	if cerr := m.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// The views below reinterpret a validated, aligned range of the mapping;
// the mapping starts on a page boundary and sections on 64-byte ones.

func viewU32(b []byte) []uint32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*uint32)(unsafe.Pointer(&b[0])), len(b)/4)
}

func viewU16(b []byte) []uint16 {
	if len(b) < 2 {
		return nil
	}
	return unsafe.Slice((*uint16)(unsafe.Pointer(&b[0])), len(b)/2)
}

func viewF32(b []byte) []float32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

func viewI8(b []byte) []int8 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(&b[0])), len(b))
}

package vectors

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// TestCorruptFiles: a damaged header or set file is an error naming the
// file, never a panic or an allocation sized by a bad count; damage inside
// a section is found by Verify (which `check` runs), and until then
// queries stay in bounds.
func TestCorruptFiles(t *testing.T) {
	src := t.TempDir()
	papers := corpus(partitionMin+500, 16, 21)
	s := build(t, src, nil, papers, BuildOptions{})
	segFile := s.Files()[1]
	s.Close()
	goodSeg, _ := os.ReadFile(filepath.Join(src, segFile))
	goodSet, _ := os.ReadFile(filepath.Join(src, SetName))
	h, err := decodeHeader(goodSeg, uint64(len(goodSeg)))
	if err != nil {
		t.Fatal(err)
	}
	// reseal rewrites a header field and fixes the header CRC, so only the
	// field's own check can catch it.
	reseal := func(b []byte, off int, v uint32) []byte {
		b = append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(b[off:], v)
		binary.LittleEndian.PutUint32(b[508:], crc32.Checksum(b[:508], crcTable))
		return b
	}
	resealSet := func(b []byte, off int, v uint32) []byte {
		b = append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(b[off:], v)
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], crcTable))
		return b
	}
	flip := func(b []byte, at uint64) []byte { b = append([]byte(nil), b...); b[at] ^= 0x55; return b }
	tests := []struct {
		name     string
		seg, set []byte
		atOpen   bool // Open fails; otherwise Open works and Verify fails
	}{
		{name: "segment truncated", seg: goodSeg[:len(goodSeg)-100], atOpen: true},
		{name: "segment cut to the header", seg: goodSeg[:headerSize], atOpen: true},
		{name: "segment empty", seg: []byte{}, atOpen: true},
		{name: "segment not ours", seg: append([]byte("hello"), make([]byte, 600)...), atOpen: true},
		{name: "header byte flipped", seg: flip(goodSeg, 17), atOpen: true},
		{name: "rows = 4 billion", seg: reseal(goodSeg, 16, 0xffffffff), atOpen: true},
		{name: "dims = 4 billion", seg: reseal(goodSeg, 8, 0xffffffff), atOpen: true},
		{name: "lists = 0", seg: reseal(goodSeg, 20, 0), atOpen: true},
		{name: "section past the end", seg: reseal(goodSeg, 64+24*secVecs, 0xfffffff0), atOpen: true},
		{name: "set truncated", set: goodSet[:len(goodSet)-9], atOpen: true},
		{name: "set byte flipped", set: flip(goodSet, 70), atOpen: true},
		{name: "set: 4 billion segments", set: resealSet(goodSet, 16, 0xffffffff), atOpen: true},
		{name: "set: 4 billion lists", set: resealSet(goodSet, 12, 0xffffffff), atOpen: true},
		{name: "set: lists disagree with the segment", set: resealSet(goodSet, 12, uint32(h.lists+1)), atOpen: true},
		{name: "vector section damaged", seg: flip(goodSeg, h.sec[secVecs].off+12345)},
		{name: "code section damaged", seg: flip(goodSeg, h.sec[secCodes].off+77)},
		{name: "id section damaged", seg: flip(goodSeg, h.sec[secIDs].off+3)},
		{name: "author ids damaged", seg: flip(goodSeg, h.sec[secAuthIDs].off+2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			seg, set := goodSeg, goodSet
			if tc.seg != nil {
				seg = tc.seg
			}
			if tc.set != nil {
				set = tc.set
			}
			os.WriteFile(filepath.Join(dir, segFile), seg, 0o644)
			os.WriteFile(filepath.Join(dir, SetName), set, 0o644)
			s, err := Open(dir)
			if tc.atOpen {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Open: err = %v, want ErrCorrupt", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			// Queries on the damaged set stay in bounds.
			for _, f := range []Filter{{}, {Author: "a"}, {Categories: []string{"cs.CL"}}} {
				if _, err := s.Search(context.Background(), papers[3].vec, 50, f); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Verify(context.Background()); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Verify: err = %v, want ErrCorrupt", err)
			}
		})
	}
	t.Run("a segment missing", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, SetName), goodSet, 0o644)
		if _, err := Open(dir); err == nil {
			t.Fatal("opened a set without its segment")
		}
	})
	t.Run("a segment of another set", func(t *testing.T) {
		other := t.TempDir()
		o := build(t, other, nil, corpus(partitionMin+500, 16, 22), BuildOptions{})
		o.Close()
		dir := t.TempDir()
		b, _ := os.ReadFile(filepath.Join(other, segFile))
		os.WriteFile(filepath.Join(dir, segFile), b, 0o644)
		os.WriteFile(filepath.Join(dir, SetName), goodSet, 0o644)
		if _, err := Open(dir); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("err = %v, want ErrCorrupt", err)
		}
	})
}

package local

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/embed"
)

// mappedBlob is a model file's bytes offered as a mapping, as an open index
// offers its model file.
type mappedBlob []byte

func (b mappedBlob) Bytes() ([]byte, error) { return nil, errors.New("a mapped blob is not read") }
func (b mappedBlob) Map() (*embed.Mapping, error) {
	return embed.NewMapping(b, nil), nil
}

func TestMappedModelEmbedsExactlyLikeLoaded(t *testing.T) {
	docs, _ := topicCorpus()
	ctx := context.Background()
	for _, method := range methods {
		t.Run(method, func(t *testing.T) {
			m := train(t, docs, Options{Method: method, Dimensions: 16})
			data, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			e, err := provider{}.Query(embed.State{Fingerprint: m.Fingerprint(), Model: mappedBlob(data)}, "")
			if err != nil {
				t.Fatalf("Query over a mapped model: %v", err)
			}
			mm := e.(*Model)
			if mm.rows == nil || mm.sifVec != nil || mm.lsaVec != nil {
				t.Fatal("the mapped model copied its arrays instead of reading them from the mapping")
			}
			if mm.Fingerprint() != m.Fingerprint() {
				t.Errorf("fingerprint %v, want %v", mm.Fingerprint(), m.Fingerprint())
			}
			for _, q := range append(slices.Clone(docs), "automobile brake", "galaxy", "unknownword", "") {
				want, _ := m.EmbedQuery(ctx, q)
				got, _ := mm.EmbedQuery(ctx, q)
				if !slices.Equal(want, got) {
					t.Fatalf("query %q embeds differently from the mapped model:\n got %v\nwant %v", q, got, want)
				}
			}
			want, _ := m.EmbedDocuments(ctx, docs)
			got, _ := mm.EmbedDocuments(ctx, docs)
			for i := range want {
				if !slices.Equal(want[i], got[i]) {
					t.Fatalf("document %d embeds differently from the mapped model", i)
				}
			}
		})
	}
}

// TestClosedMappingIsAnErrorNotAFault: an open index unmaps its model when
// it closes; an engine that still holds the embedder must get an error.
func TestClosedMappingIsAnErrorNotAFault(t *testing.T) {
	docs, _ := topicCorpus()
	m := train(t, docs, Options{Dimensions: 8})
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	mapping := embed.NewMapping(data, nil)
	e, err := provider{}.Query(embed.State{Model: closableBlob{mapping}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.EmbedQuery(context.Background(), "automobile"); err != nil {
		t.Fatalf("before Close: %v", err)
	}
	if err := mapping.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.EmbedQuery(context.Background(), "automobile"); !errors.Is(err, embed.ErrUnmapped) {
		t.Errorf("EmbedQuery after the mapping closed = %v, want ErrUnmapped", err)
	}
	if _, err := e.EmbedDocuments(context.Background(), docs); !errors.Is(err, embed.ErrUnmapped) {
		t.Errorf("EmbedDocuments after the mapping closed = %v, want ErrUnmapped", err)
	}
	if _, err := (provider{}).Query(embed.State{Model: closableBlob{mapping}}, ""); !errors.Is(err, embed.ErrUnmapped) {
		t.Errorf("Query over a closed mapping = %v, want ErrUnmapped", err)
	}
}

type closableBlob struct{ m *embed.Mapping }

func (b closableBlob) Bytes() ([]byte, error)       { return nil, errors.New("not read") }
func (b closableBlob) Map() (*embed.Mapping, error) { return b.m, nil }

// TestMappedModelReadsOnlyTheQueryWords poisons every per-word entry of the
// file except those of the query's own words: the mapped model must still
// give the exact vector, so it read nothing else.
func TestMappedModelReadsOnlyTheQueryWords(t *testing.T) {
	docs, _ := topicCorpus()
	m := train(t, docs, Options{Dimensions: 16})
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	const q = "automobile brake on the road"
	keep := map[int32]bool{}
	m.tok.tokens(q, func(s string) {
		if id, ok := m.vocab[s]; ok {
			keep[id] = true
		}
	})
	if len(keep) < 2 {
		t.Fatalf("query %q has %d known words", q, len(keep))
	}
	mm, err := mapModel(data)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.Float32bits(float32(math.NaN()))
	r := mm.rows
	for _, arr := range []struct {
		b []byte
		k int
	}{{r.sifWeight, 1}, {r.sifVec, mm.sifDims}, {r.idf, 1}, {r.lsaVec, mm.lsaDims}} {
		for w := 0; w < len(mm.words); w++ {
			if keep[int32(w)] {
				continue
			}
			for j := 0; j < arr.k; j++ {
				binary.LittleEndian.PutUint32(arr.b[4*(w*arr.k+j):], nan)
			}
		}
	}
	want, _ := m.EmbedQuery(context.Background(), q)
	got, _ := mm.EmbedQuery(context.Background(), q)
	if !slices.Equal(want, got) {
		t.Fatalf("the mapped model read entries of words not in the query:\n got %v\nwant %v", got, want)
	}
}

func TestMapModelRejectsDamagedLayouts(t *testing.T) {
	docs, _ := topicCorpus()
	m := train(t, docs, Options{Dimensions: 8})
	good, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// A header that claims a billion words in a file of a few KB.
	huge := slices.Clone(good)
	hdrLen, k := binary.Uvarint(huge[len(fileMagic):])
	hdr := string(huge[len(fileMagic)+k : len(fileMagic)+k+int(hdrLen)])
	if i := strings.Index(hdr, `"words":`); i >= 0 {
		j := i + len(`"words":`)
		digits := 0
		for hdr[j+digits] >= '0' && hdr[j+digits] <= '9' {
			digits++
		}
		big := "9999999999"[:digits]
		copy(huge[len(fileMagic)+k+j:], big)
	} else {
		t.Fatalf("no words count in header %s", hdr)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"truncated", good[:len(good)-100]},
		{"header only", good[:len(fileMagic)+10]},
		{"empty", nil},
		{"not a model", []byte(`{"papers": 3}`)},
		{"absurd word count", huge},
		{"trailing bytes", append(slices.Clone(good[:len(good)-4]), 1, 2, 3, 4, 0, 0, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := mapModel(tc.data); !errors.Is(err, ErrCorrupt) {
				t.Errorf("mapModel(%s) = %v, want ErrCorrupt", tc.name, err)
			}
		})
	}
}

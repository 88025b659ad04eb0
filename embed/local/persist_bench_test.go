package local

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// bigModel is a model of the size a large corpus trains (100k words, 128
// + 128 dimensions: about 100 MB of arrays), with arbitrary numbers.
func bigModel() *Model {
	const v, k = 100_000, 128
	r := rand.New(rand.NewPCG(1, 1))
	floats := func(n int) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = r.Float32()
		}
		return out
	}
	m := &Model{method: MethodBoth, tokName: TokenizerEn, tuning: DefaultTuning(), docs: 1,
		sifDims: k, lsaDims: k, sifWeight: floats(v), sifVec: floats(v * k), pc: floats(k),
		idf: floats(v), lsaVec: floats(v * k)}
	for i := range v {
		m.words = append(m.words, "w"+strconv.Itoa(i))
	}
	return m
}

// Writing a model file allocates a buffer, not the file: compare
// -benchmem of the two (Encode then write is what an index run did).
func BenchmarkSaveModel(b *testing.B) {
	m := bigModel()
	path := filepath.Join(b.TempDir(), "model.bin")
	b.Run("encode+write", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			data, err := m.Encode()
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stream", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.WriteTo(f); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

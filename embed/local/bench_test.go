package local_test

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/paperseek/paperseek/embed/local"
	"github.com/paperseek/paperseek/index/ingest"
)

const arxiv119k = "../../../shared/data/arxiv/arxiv-119k.jsonl.gz"

// fileCorpus streams paper texts from an input file on every call, as the
// index does: the corpus is never held in memory as text.
func fileCorpus(path string) local.Corpus {
	return func(fn func(string) error) error {
		r, err := ingest.Open(path)
		if err != nil {
			return err
		}
		defer r.Close()
		for {
			p, err := r.Next()
			var rec *ingest.RecordError
			switch {
			case errors.Is(err, io.EOF):
				return nil
			case errors.As(err, &rec):
				continue
			case err != nil:
				return err
			}
			if err := fn(p.Text()); err != nil {
				return err
			}
		}
	}
}

// BenchmarkTrainArxiv119k trains the default model on 118,820 arXiv
// abstracts and embeds all of them. Run it alone, it takes minutes:
//
//	nice go test ./embed/local -run '^$' -bench TrainArxiv119k -benchtime 1x
func BenchmarkTrainArxiv119k(b *testing.B) {
	if _, err := os.Stat(arxiv119k); err != nil {
		b.Skip("shared data absent")
	}
	ctx := context.Background()
	corpus := fileCorpus(arxiv119k)
	for b.Loop() {
		start := time.Now()
		m, err := local.Train(ctx, corpus, local.Options{})
		if err != nil {
			b.Fatal(err)
		}
		trained := time.Since(start)
		var texts []string
		if err := corpus(func(s string) error { texts = append(texts, s); return nil }); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if _, err := m.EmbedDocuments(ctx, texts); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(trained.Seconds(), "train-s")
		b.ReportMetric(time.Since(start).Seconds(), "embed-all-s")
		b.ReportMetric(float64(m.Vocabulary()), "words")
		b.ReportMetric(float64(m.Fingerprint().Dimensions), "dims")
		path := b.TempDir() + "/model.bin"
		if err := m.Save(path); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if _, err := local.Load(path); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "load-s")
		if st, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
		}
	}
}

// Command oov measures how much of new papers' words a local model learned
// from other papers knows: the numbers behind the index run's --retrain
// hint (index/local/vocab.go). It learns a model from papers of one field
// of the arXiv set and reports the share of known words in held-out papers
// of the same field and in papers of other fields.
//
//	go run ./bench/oov -data ../shared/data/arxiv/arxiv-119k.jsonl.gz
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/paperseek/paperseek/embed"
	"github.com/paperseek/paperseek/embed/local"
)

func main() {
	data := flag.String("data", "../shared/data/arxiv/arxiv-119k.jsonl.gz", "arXiv papers (JSON lines, gzip ok)")
	n := flag.Int("n", 3000, "papers per set")
	flag.Parse()
	fields := []string{"physics", "cs", "math", "q-bio"}
	sets, err := read(*data, fields, 2**n)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%-10s %-24s %11s %s\n", "model", "papers", "occurrences", "recurring words known")
	for _, f := range []string{"physics", "cs"} {
		if len(sets[f]) < 2**n {
			log.Fatalf("only %d %s papers", len(sets[f]), f)
		}
		train, held := sets[f][:*n], sets[f][*n:]
		m, err := local.Train(context.Background(), local.TextsCorpus(train), local.Options{})
		if err != nil {
			log.Fatal(err)
		}
		report := func(name string, texts []string) {
			var k, t int
			cov := embed.NewCoverage(m)
			for _, s := range texts {
				m.Words(s, func(_ string, known bool) {
					t++
					if known {
						k++
					}
				})
				cov.Add(s)
			}
			share, words := cov.Share()
			fmt.Printf("%-10s %-24s %10.1f%% %10.1f%% of %d\n", f, name, 100*float64(k)/float64(t), 100*share, words)
		}
		report(f+" (its own corpus)", train)
		report(f+" (held out)", held)
		for _, g := range fields {
			if g != f {
				report(g, sets[g][:min(*n, len(sets[g]))])
			}
		}
	}
}

// read returns up to n title + abstract texts per field (by the first
// category's prefix; "physics" is every physics archive), in file order.
func read(path string, fields []string, n int) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			return nil, err
		}
	}
	out := map[string][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var p struct {
			Title, Abstract string
			Categories      string
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, err
		}
		first, _, _ := strings.Cut(p.Categories, " ")
		field := fieldOf(first)
		if len(out[field]) < n {
			out[field] = append(out[field], p.Title+"\n"+p.Abstract)
		}
	}
	return out, sc.Err()
}

func fieldOf(cat string) string {
	archive, _, _ := strings.Cut(cat, ".")
	switch archive {
	case "cs", "math", "q-bio", "stat", "econ", "eess", "q-fin":
		return archive
	}
	return "physics"
}

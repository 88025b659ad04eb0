// Command weaviatelab measures what the Weaviate cluster store's design
// rests on, against a running cluster (scripts/weaviate.sh start N):
//
//   - load:    SciFact or the arXiv dump into two collections — Pre (text
//     pre-analysed by Bleve's `en` analyzer, whitespace tokenization, no
//     stop words) and Word (raw title + abstract, Weaviate's default word
//     tokenization) — with local-model vectors, timing the batches;
//   - bm25:    Weaviate's bm25 top-10 on Pre against textbook BM25 computed
//     here on the same tokens (k1 1.2, b 0.75): overlap, order, score ratio;
//   - latency: bm25 on Pre vs Word, interleaved per query;
//   - hybrid:  native hybrid (ranked and relative-score fusion) vs bm25 and
//     nearVector as two requests, two concurrent requests, or one GraphQL
//     request with two aliased Get queries;
//   - blob:    upload and download of a blob of -blobmb MB;
//   - idem:    the same batch sent twice gives the same count.
//
// Run from the repository root against a cluster on 127.0.0.1:8081:
//
//	go run ./bench/weaviatelab -set scifact -steps load,bm25,latency,hybrid,blob,idem
//	go run ./bench/weaviatelab -set arxiv -steps load,latency,hybrid -class Arxiv
//
// Timings are medians and p95 over every query of the set, A and B
// interleaved query by query so a busy machine slows both alike.
package main

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/paperseek/paperseek/embed/local"
	wv "github.com/paperseek/paperseek/index/weaviate"
)

type doc struct {
	id, title, abstract string
	tokens              []string
}

type query struct{ id, text string }

var (
	urlFlag     = flag.String("url", "http://127.0.0.1:8081", "a node's HTTP URL")
	setFlag     = flag.String("set", "scifact", "scifact or arxiv")
	dataFlag    = flag.String("data", "/work/shared/data", "shared data directory")
	stepsFlag   = flag.String("steps", "load,bm25,latency,hybrid,idem", "comma-separated steps")
	classFlag   = flag.String("class", "Scifact", "collection name prefix (Pre and Word are appended)")
	limitFlag   = flag.Int("n", 0, "use only the first n documents (0: all)")
	shardsFlag  = flag.Int("shards", 1, "shards of new collections")
	replFlag    = flag.Int("replicas", 1, "replication factor of new collections")
	dimsFlag    = flag.Int("dims", 256, "local model dimensions")
	queriesFlag = flag.Int("queries", 300, "queries per latency measurement")
	kFlag       = flag.Int("k", 10, "results per query in the latency steps")
	blobMBFlag  = flag.Int("blobmb", 60, "blob size for the blob step, MB")
	variants    = flag.String("variants", "pre,word", "collections the load and latency steps use: pre (pre-analysed, whitespace) and/or word (raw, word tokenization)")
	noVecFlag   = flag.Bool("novectors", false, "load without vectors (no model training; bm25 steps only)")
	chunkFlag   = flag.String("chunks", "1,4,8", "chunk sizes in MiB for the blob step")
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	c, err := wv.New(wv.Config{URL: *urlFlag})
	if err != nil {
		log.Fatal(err)
	}
	an, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		log.Fatal(err)
	}
	docs, queries := readSet(an)
	if *limitFlag > 0 && *limitFlag < len(docs) {
		docs = docs[:*limitFlag]
	}
	log.Printf("%s: %d documents, %d queries", *setFlag, len(docs), len(queries))
	l := &lab{c: c, an: an, docs: docs, queries: queries, pre: *classFlag + "Pre", word: *classFlag + "Word"}
	for _, step := range strings.Split(*stepsFlag, ",") {
		start := time.Now()
		switch step {
		case "load":
			l.load(ctx)
		case "bm25":
			l.bm25Check(ctx)
		case "latency":
			l.latency(ctx)
		case "hybrid":
			l.hybrid(ctx)
		case "blob":
			l.blob(ctx)
		case "idem":
			l.idempotent(ctx)
		case "dumpqueries": // pre-analysed queries for other tools
			for _, q := range l.queries {
				if t := strings.Join(analyze(l.an, q.text), " "); t != "" {
					fmt.Println(t)
				}
			}
		case "health":
			l.health(ctx)
		case "failload":
			l.failLoad(ctx)
		case "probe":
			l.probe(ctx)
		default:
			log.Fatalf("unknown step %q", step)
		}
		log.Printf("step %s: %.1f s", step, time.Since(start).Seconds())
	}
}

type lab struct {
	c          *wv.Client
	an         analysis.Analyzer
	docs       []doc
	queries    []query
	pre, word  string
	model      *local.Model
	vecs       [][]float32
	modelBytes int64
}

func analyze(an analysis.Analyzer, text string) []string {
	toks := an.Analyze([]byte(text))
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = string(t.Term)
	}
	return out
}

func readSet(an analysis.Analyzer) ([]doc, []query) {
	var docs []doc
	var queries []query
	switch *setFlag {
	case "scifact":
		eachJSON(*dataFlag+"/beir/scifact/corpus.jsonl", func(m map[string]any) {
			d := doc{id: str(m["_id"]), title: str(m["title"]), abstract: str(m["text"])}
			docs = append(docs, d)
		})
		eachJSON(*dataFlag+"/beir/scifact/queries.jsonl", func(m map[string]any) {
			queries = append(queries, query{id: str(m["_id"]), text: str(m["text"])})
		})
	case "arxiv":
		eachJSON(*dataFlag+"/arxiv/arxiv-119k.jsonl.gz", func(m map[string]any) {
			docs = append(docs, doc{id: str(m["id"]), title: clean(str(m["title"])), abstract: clean(str(m["abstract"]))})
		})
		// No judged queries for arXiv: titles of every 400th paper, as
		// a user would type them.
		for i := 0; i < len(docs); i += 400 {
			queries = append(queries, query{id: docs[i].id, text: docs[i].title})
		}
	default:
		log.Fatalf("unknown set %q", *setFlag)
	}
	for i := range docs {
		docs[i].tokens = analyze(an, text(docs[i]))
	}
	return docs, queries
}

func text(d doc) string {
	if d.title == "" {
		return d.abstract
	}
	return d.title + "\n" + d.abstract
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func str(v any) string { s, _ := v.(string); return s }

func eachJSON(path string, fn func(map[string]any)) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			log.Fatal(err)
		}
		r = gz
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		fn(m)
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
}

// ---- load ----

func (l *lab) train(ctx context.Context) {
	if l.model != nil {
		return
	}
	texts := make([]string, len(l.docs))
	for i, d := range l.docs {
		texts[i] = text(d)
	}
	start := time.Now()
	m, err := local.Train(ctx, local.TextsCorpus(texts), local.Options{Dimensions: *dimsFlag, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	l.model = m
	if l.vecs, err = m.EmbedDocuments(ctx, texts); err != nil {
		log.Fatal(err)
	}
	tmp, _ := os.CreateTemp("", "weaviatelab-model-*")
	tmp.Close()
	if err := m.Save(tmp.Name()); err == nil {
		if st, err := os.Stat(tmp.Name()); err == nil {
			l.modelBytes = st.Size()
		}
	}
	os.Remove(tmp.Name())
	log.Printf("local model: %d dims, %.1f MB file, trained and embedded in %.1f s", m.Dimensions(), float64(l.modelBytes)/1e6, time.Since(start).Seconds())
}

func paperClass(name string, tok wv.Tokenization) wv.Class {
	return wv.Class{
		Name: name,
		Properties: []wv.Property{
			{Name: "paperId", DataType: wv.Text, Tokenization: wv.Field, Filterable: true},
			{Name: "text", DataType: wv.Text, Tokenization: tok, Searchable: true, Filterable: true},
			{Name: "textLength", DataType: wv.Int},
			{Name: "title", DataType: wv.Text},
			{Name: "year", DataType: wv.Int, Filterable: true, RangeFilters: true},
		},
		Vectors:  true,
		Shards:   *shardsFlag,
		Replicas: *replFlag,
	}
}

func (l *lab) load(ctx context.Context) {
	if !*noVecFlag {
		l.train(ctx)
	}
	for _, v := range []struct {
		class string
		tok   wv.Tokenization
		text  func(d doc) string
	}{
		{l.pre, wv.Whitespace, func(d doc) string { return strings.Join(d.tokens, " ") }},
		{l.word, wv.Word, text},
	} {
		if (v.tok == wv.Whitespace && !strings.Contains(*variants, "pre")) || (v.tok == wv.Word && !strings.Contains(*variants, "word")) {
			continue
		}
		must(l.c.DeleteClass(ctx, v.class))
		must(l.c.CreateClass(ctx, paperClass(v.class, v.tok)))
		start := time.Now()
		const batch = 200
		for i := 0; i < len(l.docs); i += batch {
			objs := make([]wv.Object, 0, batch)
			for j := i; j < min(len(l.docs), i+batch); j++ {
				d := l.docs[j]
				var vec []float32
				if l.vecs != nil {
					vec = l.vecs[j]
				}
				objs = append(objs, wv.Object{ID: wv.ObjectID(d.id), Vector: vec, Properties: map[string]any{
					"paperId": d.id, "text": v.text(d), "textLength": len(d.tokens), "title": d.title, "year": 2000 + j%26,
				}})
			}
			must(l.c.BatchPut(ctx, v.class, objs, wv.Quorum))
		}
		el := time.Since(start)
		n, err := l.c.Count(ctx, v.class, nil)
		must(err)
		log.Printf("load %s (%s): %d objects in %.1f s (%.0f objects/s), count %d",
			v.class, v.tok, len(l.docs), el.Seconds(), float64(len(l.docs))/el.Seconds(), n)
	}
}

// ---- bm25 against textbook ----

type scored struct {
	id    string
	score float64
}

// textbook computes BM25 (k1 1.2, b 0.75, idf log(1+(N−df+0.5)/(df+0.5)),
// a query term given n times counts n times) over every document.
type textbook struct {
	docs  []doc
	df    map[string]int
	avgdl float64
	tf    []map[string]int
}

func newTextbook(docs []doc) *textbook {
	t := &textbook{docs: docs, df: map[string]int{}, tf: make([]map[string]int, len(docs))}
	total := 0
	for i, d := range docs {
		m := map[string]int{}
		for _, tok := range d.tokens {
			m[tok]++
		}
		t.tf[i] = m
		for tok := range m {
			t.df[tok]++
		}
		total += len(d.tokens)
	}
	t.avgdl = float64(total) / float64(len(docs))
	return t
}

func (t *textbook) search(qtoks []string, k int) []scored {
	const k1, b = 1.2, 0.75
	qn := map[string]int{}
	for _, q := range qtoks {
		qn[q]++
	}
	N := float64(len(t.docs))
	var out []scored
	for i, d := range t.docs {
		s := 0.0
		for q, n := range qn {
			f := float64(t.tf[i][q])
			if f == 0 {
				continue
			}
			df := float64(t.df[q])
			idf := math.Log(1 + (N-df+0.5)/(df+0.5))
			dl := float64(len(d.tokens))
			s += float64(n) * idf * f * (k1 + 1) / (f + k1*(1-b+b*dl/t.avgdl))
		}
		if s > 0 {
			out = append(out, scored{d.id, s})
		}
	}
	slices.SortFunc(out, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return out[:min(k, len(out))]
}

func (l *lab) bm25Check(ctx context.Context) {
	tb := newTextbook(l.docs)
	log.Printf("textbook: N %d, avgdl %.4f", len(l.docs), tb.avgdl)
	const k = 10
	var sameSet, sameOrder, compared, queries int
	var maxRel float64
	var ratios []float64
	for _, q := range l.queries {
		qt := analyze(l.an, q.text)
		if len(qt) == 0 {
			continue
		}
		queries++
		want := tb.search(qt, k)
		res, err := l.c.Search(ctx, wv.Search{Class: l.pre, BM25: &wv.BM25{Query: strings.Join(qt, " "), Properties: []string{"text"}},
			Limit: k, Properties: []string{"paperId"}})
		must(err)
		got := make([]scored, len(res[0]))
		for i, h := range res[0] {
			var id string
			_ = json.Unmarshal(h.Properties["paperId"], &id)
			got[i] = scored{id, h.Score}
		}
		// Ranks with equal textbook scores may come in any order: compare
		// score lists, and id sets cut at a score boundary.
		if sameIDs(got, want) {
			sameSet++
		} else if os.Getenv("LABDEBUG") != "" && queries < 40 {
			log.Printf("query %s %q tokens %v", q.id, q.text, qt)
			for i := range max(len(got), len(want)) {
				var g, w scored
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				log.Printf("  %2d weaviate %-10s %.5f   textbook %-10s %.5f", i, g.id, g.score*2.2, w.id, w.score)
			}
		}
		if len(got) == len(want) {
			order := true
			for i := range got {
				r := got[i].score * 2.2 / want[i].score
				ratios = append(ratios, r)
				maxRel = max(maxRel, math.Abs(r-1))
				compared++
				if got[i].id != want[i].id && math.Abs(got[i].score*2.2-want[i].score) > 1e-3*want[i].score {
					order = false
				}
			}
			if order {
				sameOrder++
			}
		}
	}
	slices.Sort(ratios)
	defer l.rescoreCheck(ctx, tb)
	log.Printf("bm25 vs textbook on %s, %d queries, top %d: same id set %d, same order (up to ties) %d; "+
		"weaviate score × (k1+1) / textbook: min %.5f median %.5f max %.5f (max |ratio−1| %.5f over %d hits)",
		l.pre, queries, k, sameSet, sameOrder, ratios[0], ratios[len(ratios)/2], ratios[len(ratios)-1], maxRel, compared)
}

// rescoreCheck fetches Weaviate's top depth hits with explainScore and
// re-scores them with textbook BM25 from their term frequencies and lengths
// and the corpus-wide N, df and average length: is the textbook top 10 then
// exactly reproduced?
func (l *lab) rescoreCheck(ctx context.Context, tb *textbook) {
	const k = 10
	for _, depth := range []int{10, 50, 100, 200, 1000} {
		same, queries := 0, 0
		maxErr := 0.0
		for _, q := range l.queries {
			qt := analyze(l.an, q.text)
			if len(qt) == 0 {
				continue
			}
			queries++
			want := tb.search(qt, k)
			res, err := l.c.Search(ctx, wv.Search{Class: l.pre, BM25: &wv.BM25{Query: strings.Join(qt, " "), Properties: []string{"text"}},
				Limit: depth, Properties: []string{"paperId", "textLength"}, Explain: true})
			must(err)
			got := make([]scored, 0, len(res[0]))
			for _, h := range res[0] {
				var id string
				var length float64
				_ = json.Unmarshal(h.Properties["paperId"], &id)
				_ = json.Unmarshal(h.Properties["textLength"], &length)
				ex, err := wv.ParseExplain(h.Explain)
				must(err)
				got = append(got, scored{id, tb.rescore(qt, ex, length)})
			}
			slices.SortFunc(got, func(a, b scored) int {
				if c := cmp.Compare(b.score, a.score); c != 0 {
					return c
				}
				return cmp.Compare(a.id, b.id)
			})
			got = got[:min(k, len(got))]
			if sameIDs(got, want) {
				same++
			} else if os.Getenv("LABDEBUG") != "" && depth == 200 {
				log.Printf("query %s tokens %v", q.id, qt)
				for i := range max(len(got), len(want)) {
					var g, w scored
					if i < len(got) {
						g = got[i]
					}
					if i < len(want) {
						w = want[i]
					}
					log.Printf("  %2d rescored %-10s %.5f   textbook %-10s %.5f", i, g.id, g.score, w.id, w.score)
				}
			}
			for i := range min(len(got), len(want)) {
				maxErr = max(maxErr, math.Abs(got[i].score-want[i].score)/want[i].score)
			}
		}
		log.Printf("re-scored top %d from weaviate's top %d (explainScore tf, textLength, corpus N/df/avgdl): textbook top-%d id set reproduced for %d of %d queries; max relative score error at equal rank %.2g",
			k, depth, k, same, queries, maxErr)
	}
}

func (t *textbook) rescore(qtoks []string, ex wv.Explanation, dl float64) float64 {
	const k1, b = 1.2, 0.75
	qn := map[string]int{}
	for _, q := range qtoks {
		qn[q]++
	}
	N := float64(len(t.docs))
	s := 0.0
	for q, n := range qn {
		tf, ok := ex.Terms[q]
		if !ok || tf.Frequency == 0 {
			continue
		}
		df := float64(t.df[q])
		idf := math.Log(1 + (N-df+0.5)/(df+0.5))
		f := tf.Frequency
		s += float64(n) * idf * f * (k1 + 1) / (f + k1*(1-b+b*dl/t.avgdl))
	}
	return s
}

func sameIDs(a, b []scored) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, s := range a {
		m[s.id] = true
	}
	for _, s := range b {
		if !m[s.id] {
			return false
		}
	}
	return true
}

// ---- latency ----

type timer struct {
	name string
	d    []time.Duration
}

func (t *timer) add(d time.Duration) { t.d = append(t.d, d) }

func (t *timer) String() string {
	slices.Sort(t.d)
	p := func(q float64) float64 { return float64(t.d[int(q*float64(len(t.d)-1))].Microseconds()) / 1000 }
	return fmt.Sprintf("%-44s median %7.2f ms  p95 %7.2f ms  (n=%d)", t.name, p(0.5), p(0.95), len(t.d))
}

func timed(t *timer, fn func() error) {
	start := time.Now()
	must(fn())
	t.add(time.Since(start))
}

func (l *lab) someQueries() []query {
	qs := l.queries
	if len(qs) > *queriesFlag {
		qs = qs[:*queriesFlag]
	}
	return qs
}

func (l *lab) latency(ctx context.Context) {
	k := *kFlag
	useWord := strings.Contains(*variants, "word")
	for _, limit := range []int{k, 100, 200} {
		pre := &timer{name: fmt.Sprintf("bm25 pre-analysed/whitespace limit %d", limit)}
		word := &timer{name: fmt.Sprintf("bm25 raw/word limit %d", limit)}
		explain := &timer{name: fmt.Sprintf("bm25 pre-analysed + explainScore limit %d", limit)}
		for _, q := range l.someQueries() {
			qt := strings.Join(analyze(l.an, q.text), " ")
			if qt == "" {
				continue
			}
			timed(pre, func() error {
				_, err := l.c.Search(ctx, wv.Search{Class: l.pre, BM25: &wv.BM25{Query: qt, Properties: []string{"text"}}, Limit: limit})
				return err
			})
			if useWord {
				timed(word, func() error {
					_, err := l.c.Search(ctx, wv.Search{Class: l.word, BM25: &wv.BM25{Query: q.text, Properties: []string{"text"}}, Limit: limit})
					return err
				})
			}
			timed(explain, func() error {
				_, err := l.c.Search(ctx, wv.Search{Class: l.pre, BM25: &wv.BM25{Query: qt, Properties: []string{"text"}}, Limit: limit, Explain: true})
				return err
			})
		}
		log.Print(pre)
		if useWord {
			log.Print(word)
		}
		log.Print(explain)
	}
}

// ---- hybrid ----

func (l *lab) hybrid(ctx context.Context) {
	l.train(ctx)
	k := *kFlag
	depth := 100 // what paperseek's own fusion takes from each leg
	timers := map[string]*timer{}
	names := []string{"nearVector alone", "bm25 alone", "native hybrid rankedFusion α0.5",
		"native hybrid relativeScoreFusion α0.5", "two requests in turn", "two requests concurrently",
		"one request, two aliased Gets"}
	for _, n := range names {
		timers[n] = &timer{name: n}
	}
	for _, q := range l.someQueries() {
		qt := strings.Join(analyze(l.an, q.text), " ")
		if qt == "" {
			continue
		}
		vec, err := l.model.EmbedQuery(ctx, q.text)
		must(err)
		bm := wv.Search{Class: l.pre, BM25: &wv.BM25{Query: qt, Properties: []string{"text"}}, Limit: depth}
		nv := wv.Search{Class: l.pre, NearVector: vec, Limit: depth}
		timed(timers["nearVector alone"], func() error { _, err := l.c.Search(ctx, nv); return err })
		timed(timers["bm25 alone"], func() error { _, err := l.c.Search(ctx, bm); return err })
		for _, f := range []wv.Fusion{wv.RankedFusion, wv.RelativeScoreFusion} {
			timed(timers["native hybrid "+string(f)+" α0.5"], func() error {
				_, err := l.c.Search(ctx, wv.Search{Class: l.pre, Hybrid: &wv.Hybrid{Query: qt, Vector: vec, Alpha: 0.5, Fusion: f, Properties: []string{"text"}}, Limit: k})
				return err
			})
		}
		timed(timers["two requests in turn"], func() error {
			if _, err := l.c.Search(ctx, bm); err != nil {
				return err
			}
			_, err := l.c.Search(ctx, nv)
			return err
		})
		timed(timers["two requests concurrently"], func() error {
			var wg sync.WaitGroup
			var e1, e2 error
			wg.Add(2)
			go func() { defer wg.Done(); _, e1 = l.c.Search(ctx, bm) }()
			go func() { defer wg.Done(); _, e2 = l.c.Search(ctx, nv) }()
			wg.Wait()
			return cmp.Or(e1, e2)
		})
		timed(timers["one request, two aliased Gets"], func() error { _, err := l.c.Search(ctx, bm, nv); return err })
	}
	log.Printf("hybrid legs: depth %d per leg for paperseek's fusion, native hybrid limit %d", depth, k)
	for _, n := range names {
		log.Print(timers[n])
	}
}

// ---- blob ----

func (l *lab) blob(ctx context.Context) {
	class := *classFlag + "Meta"
	must(l.c.DeleteClass(ctx, class))
	must(l.c.CreateClass(ctx, wv.BlobClass(class, *replFlag, true)))
	data := make([]byte, *blobMBFlag<<20)
	_, _ = rand.Read(data)
	for _, cs := range strings.Split(*chunkFlag, ",") {
		var mib int
		fmt.Sscan(cs, &mib)
		key := fmt.Sprintf("model-%d", mib)
		start := time.Now()
		must(l.c.PutBlob(ctx, class, key, data, mib<<20, wv.Quorum))
		up := time.Since(start)
		start = time.Now()
		got, err := l.c.GetBlob(ctx, class, key, wv.Quorum)
		must(err)
		down := time.Since(start)
		if len(got) != len(data) {
			log.Fatalf("blob: got %d bytes, want %d", len(got), len(data))
		}
		log.Printf("blob %d MiB in %d MiB chunks: upload %.2f s (%.0f MB/s), download %.2f s (%.0f MB/s)",
			*blobMBFlag, mib, up.Seconds(), float64(len(data))/1e6/up.Seconds(), down.Seconds(), float64(len(data))/1e6/down.Seconds())
	}
}

// ---- idempotent writes ----

func (l *lab) idempotent(ctx context.Context) {
	before, err := l.c.Count(ctx, l.pre, nil)
	must(err)
	n := min(500, len(l.docs))
	objs := make([]wv.Object, n)
	for j := 0; j < n; j++ {
		d := l.docs[j]
		objs[j] = wv.Object{ID: wv.ObjectID(d.id), Properties: map[string]any{"paperId": d.id, "text": strings.Join(d.tokens, " "), "textLength": len(d.tokens), "title": d.title}}
		if l.vecs != nil {
			objs[j].Vector = l.vecs[j]
		}
	}
	for round := 1; round <= 2; round++ {
		must(l.c.BatchPut(ctx, l.pre, objs, wv.Quorum))
		after, err := l.c.Count(ctx, l.pre, nil)
		must(err)
		log.Printf("idempotent: round %d re-sent %d objects: count %d → %d", round, n, before, after)
	}
}

// ---- cost of checking completeness ----

func (l *lab) health(ctx context.Context) {
	timers := []*timer{{name: "bm25 limit 10 (reference)"}, {name: "Health (schema + nodes + raft members)"},
		{name: "Nodes(class) verbose"}, {name: "Count(nil)"}}
	q := strings.Join(analyze(l.an, "cancer cell treatment"), " ")
	for i := 0; i < 200; i++ {
		timed(timers[0], func() error {
			_, err := l.c.Search(ctx, wv.Search{Class: l.pre, BM25: &wv.BM25{Query: q}, Limit: 10})
			return err
		})
		timed(timers[1], func() error {
			h, err := l.c.Health(ctx, l.pre)
			if err == nil {
				err = h.Err()
			}
			return err
		})
		timed(timers[2], func() error { _, err := l.c.Nodes(ctx, l.pre); return err })
		timed(timers[3], func() error { _, err := l.c.Count(ctx, l.pre, nil); return err })
	}
	for _, t := range timers {
		log.Print(t)
	}
}

// ---- failure behaviour ----

// failClasses are collections of 3 shards at replication factors 1, 2, 3.
var failClasses = []struct {
	name     string
	replicas int
}{{"FailR1", 1}, {"FailR2", 2}, {"FailR3", 3}}

// failLoad creates the failure-test collections (asyncEnabled) with the
// first 1,000 documents.
func (l *lab) failLoad(ctx context.Context) {
	n := min(1000, len(l.docs))
	for _, fc := range failClasses {
		must(l.c.DeleteClass(ctx, fc.name))
		cl := paperClass(fc.name, wv.Whitespace)
		cl.Shards, cl.Replicas, cl.AsyncReplication = 3, fc.replicas, true
		must(l.c.CreateClass(ctx, cl))
		objs := make([]wv.Object, 0, n)
		for j := 0; j < n; j++ {
			d := l.docs[j]
			objs = append(objs, wv.Object{ID: wv.ObjectID(d.id), Vector: pseudoVector(d.id), Properties: map[string]any{
				"paperId": d.id, "text": strings.Join(d.tokens, " "), "textLength": len(d.tokens), "title": d.title, "year": 2000 + j%26}})
		}
		must(l.c.BatchPut(ctx, fc.name, objs, wv.All))
		c, err := l.c.Count(ctx, fc.name, nil)
		must(err)
		log.Printf("failload %s (3 shards, factor %d): %d objects", fc.name, fc.replicas, c)
	}
}

// pseudoVector is a deterministic 8-dimensional vector for an id, so the
// failure steps need no model.
func pseudoVector(id string) []float32 {
	v := make([]float32, 8)
	h := uint64(14695981039346656037)
	for i := range v {
		for _, c := range []byte(id) {
			h = (h ^ uint64(c)) * 1099511628211
		}
		h ^= uint64(i)
		v[i] = float32(h%1000)/1000 - 0.5
	}
	return v
}

// probe prints what every operation does now at each consistency level:
// node health, counts, bm25 and nearVector hit counts, one write.
func (l *lab) probe(ctx context.Context) {
	nodes, err := l.c.Nodes(ctx, "")
	if err != nil {
		log.Printf("nodes: %v", err)
	}
	for _, n := range nodes {
		per := map[string]int{}
		for _, s := range n.Shards {
			per[s.Class] += s.ObjectCount
		}
		log.Printf("node %s %s shards %d objects per class %v", n.Name, n.Status, len(n.Shards), per)
	}
	for _, fc := range failClasses {
		h, err := l.c.Health(ctx, fc.name)
		log.Printf("Health %s: %+v err=%v complete-err=%v", fc.name, h, err, h.Err())
	}
	q := strings.Join(analyze(l.an, "cancer cell treatment"), " ")
	for _, fc := range failClasses {
		start := time.Now()
		c, err := l.c.Count(ctx, fc.name, nil)
		log.Printf("%s count (server default level): %d err=%v [%.0f ms]", fc.name, c, err, ms(start))
		levels := []wv.ConsistencyLevel{wv.One, wv.Quorum, wv.All}
		if fc.replicas == 1 {
			levels = []wv.ConsistencyLevel{""} // factor 1 refuses the argument
		}
		for _, cl := range levels {
			start = time.Now()
			res, err := l.c.Search(ctx, wv.Search{Class: fc.name, BM25: &wv.BM25{Query: q}, Limit: 1000, Consistency: cl},
				wv.Search{Class: fc.name, NearVector: pseudoVector("q"), Limit: 1000, Consistency: cl})
			nb, nv := -1, -1
			if err == nil {
				nb, nv = len(res[0]), len(res[1])
			}
			log.Printf("%s %-6s bm25 hits %d, nearVector hits %d, err=%v [%.0f ms]", fc.name, cl, nb, nv, err, ms(start))
			start = time.Now()
			err = l.c.BatchPut(ctx, fc.name, []wv.Object{{ID: wv.ObjectID("probe-" + string(cl)), Vector: pseudoVector("p"),
				Properties: map[string]any{"paperId": "probe-" + string(cl), "text": "probe", "textLength": 1}}}, cl)
			log.Printf("%s %-6s write err=%v [%.0f ms]", fc.name, cl, err, ms(start))
			var be *wv.BatchError
			if errors.As(err, &be) {
				log.Printf("    unavailable=%v", errors.Is(err, wv.ErrUnavailable))
			}
		}
	}
}

func ms(start time.Time) float64 { return float64(time.Since(start).Microseconds()) / 1000 }

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

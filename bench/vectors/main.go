// Command vectors measures index/local/vectors on real embeddings: it
// imports the vectors of an index built by an earlier paperseek (or noisy
// copies of them, for 1M rows), measures recall@100 of the semantic leg
// against chromem-go's exact scan on real queries (arXiv titles embedded
// with the index's own model), checks prefix stability under filters, and
// times both engines in-process and as one-shot processes.
// bench/vectors.sh runs it all; see there for the commands.
//
//	vectors import  -legacy GEN/vectors.bin -out DIR [-copies 9 -noise 0.35]
//	vectors measure -set DIR -model GEN/embedder.bin -papers arxiv.jsonl.gz [-queries 500]
//	vectors oneshot -set DIR -like ID        (one process: open, one search, exit)
//	vectors oneshot -legacy GEN/vectors.bin -like ID   (the same through chromem-go)
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	chromem "github.com/philippgille/chromem-go"

	"github.com/paperseek/paperseek/embed/local"
	"github.com/paperseek/paperseek/index/local/vectors"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: vectors import|measure|oneshot [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "import":
		err = importCmd(os.Args[2:])
	case "measure":
		err = measureCmd(os.Args[2:])
	case "oneshot":
		err = oneshotCmd(os.Args[2:])
	case "sync":
		err = syncCmd(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vectors:", err)
		os.Exit(1)
	}
}

// published makes a first-version date for a paper of a known year (the
// 119k dump has years only), deterministic per id, so --since has data.
func published(id string, year int) string {
	if year == 0 {
		return ""
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	x := h.Sum32()
	return fmt.Sprintf("%04d-%02d-%02d", year, 1+x%12, 1+(x/12)%28)
}

func importCmd(args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	legacy := fs.String("legacy", "", "vectors.bin of an index built by paperseek before segment files")
	out := fs.String("out", "", "directory for the new vector set")
	copies := fs.Int("copies", 1, "rows per legacy row: the original and copies-1 noisy copies (synthetic scale)")
	noise := fs.Float64("noise", 0.35, "relative size of the noise added to copies")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile")
	papers := fs.String("papers", "", "instead of -legacy: embed these papers (JSON lines, .gz ok) with -model")
	modelPath := fs.String("model", "", "the local model (embedder.bin) for -papers")
	fs.Parse(args)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if (*legacy == "") == (*papers == "") || *out == "" {
		return errors.New("import needs -out and one of -legacy or -papers")
	}
	start := time.Now()
	b, err := vectors.NewBuilder(*out, nil)
	if err != nil {
		return err
	}
	defer b.Abort()
	rng := rand.New(rand.NewPCG(1, 2))
	n := 0
	if *papers != "" {
		n, err = embedPapers(b, *papers, *modelPath)
	} else {
		_, err = readLegacy(*legacy, func(r legacyRow) error {
			m := vectors.Meta{Year: r.year, Categories: r.categories, AuthorsLC: r.authors, Length: r.length}
			for c := range *copies {
				id, v := r.id, r.vec
				if c > 0 {
					id = fmt.Sprintf("%s~%d", r.id, c)
					v = make([]float32, len(r.vec))
					s := *noise / math.Sqrt(float64(len(v)))
					for i, x := range r.vec {
						v[i] = x + float32(s*rng.NormFloat64())
					}
				}
				m.Published = r.published
				if m.Published == "" {
					m.Published = published(id, r.year)
				}
				if err := b.Put(id, v, m); err != nil {
					return err
				}
				n++
			}
			return nil
		})
	}
	if err != nil {
		return err
	}
	putDone := time.Now()
	if err := b.Commit(context.Background(), vectors.BuildOptions{}); err != nil {
		return err
	}
	s, err := vectors.Open(*out)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("imported %d rows (%d dims) into %s: %d lists, %d segments; put %.1fs, commit %.1fs, peak RSS %s\n",
		n, s.Dims(), *out, s.Lists(), s.Segments(), putDone.Sub(start).Seconds(), time.Since(putDone).Seconds(), peakRSS())
	return nil
}

// query is one real query: an arXiv title, embedded, with the paper's own
// first category and year for the filtered runs.
type query struct {
	title    string
	vec      []float32
	category string
	year     int
}

func readQueries(path, modelPath string, n int) ([]query, error) {
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
	type line struct {
		Title      string `json:"title"`
		Categories string `json:"categories"`
		Year       int    `json:"year"`
	}
	var all []line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var l line
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Title != "" {
			all = append(all, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	model, err := local.Load(modelPath)
	if err != nil {
		return nil, err
	}
	var qs []query
	step := max(1, len(all)/n)
	for i := 0; i < len(all) && len(qs) < n; i += step {
		v, err := model.EmbedQuery(context.Background(), all[i].Title)
		if err != nil {
			return nil, err
		}
		cat, _, _ := strings.Cut(all[i].Categories, " ")
		qs = append(qs, query{title: all[i].Title, vec: v, category: cat, year: all[i].Year})
	}
	return qs, nil
}

func measureCmd(args []string) error {
	fs := flag.NewFlagSet("measure", flag.ExitOnError)
	setDir := fs.String("set", "", "vector set directory")
	modelPath := fs.String("model", "", "the local model that made the vectors (embedder.bin)")
	papers := fs.String("papers", "", "JSON lines of papers whose titles are the queries")
	nq := fs.Int("queries", 500, "number of queries")
	k := fs.Int("k", 100, "recall depth")
	label := fs.String("chromem", "upstream", "label for the chromem-go build measured (upstream or patched)")
	chromemQueries := fs.Int("chromem-queries", 100, "queries timed through chromem-go (it is slow)")
	withFilters := fs.Bool("filters", true, "also time filtered searches and check their prefix stability")
	sweep := fs.Bool("sweep", false, "also measure recall against the exhaustive scan for several probe sizes")
	noChromem := fs.Bool("no-chromem", false, "skip chromem-go (recall against the exhaustive scan only)")
	fs.Parse(args)
	ctx := context.Background()
	qs, err := readQueries(*papers, *modelPath, *nq)
	if err != nil {
		return err
	}
	t0 := time.Now()
	s, err := vectors.Open(*setDir)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("set %s: %d papers, %d dims, %d lists, %d segments; open %.2f ms\n",
		*setDir, s.Count(), s.Dims(), s.Lists(), s.Segments(), float64(time.Since(t0).Microseconds())/1000)

	// chromem-go holds the exact reference: every vector in one collection,
	// queried exhaustively.
	var col *chromem.Collection
	if !*noChromem {
		var err error
		if col, err = loadChromem(ctx, s, *label); err != nil {
			return err
		}
	}

	// Recall@k and in-process latency.
	var found, total int
	var ours, ref, oursCPU, refCPU []time.Duration
	var scanned, rescored, lists []time.Duration // counts, kept as durations to reuse pct
	for i, q := range qs {
		t, c := time.Now(), cpuTime()
		hits, st, err := s.SearchWith(ctx, q.vec, *k, vectors.Filter{}, vectors.SearchOptions{})
		ours = append(ours, time.Since(t))
		oursCPU = append(oursCPU, cpuTime()-c)
		scanned = append(scanned, time.Duration(st.Scanned))
		rescored = append(rescored, time.Duration(st.Rescored))
		lists = append(lists, time.Duration(st.Lists))
		if err != nil {
			return err
		}
		var exact []string
		if col != nil {
			t, c = time.Now(), cpuTime()
			res, err := col.QueryEmbedding(ctx, q.vec, *k, nil, nil)
			if i < *chromemQueries {
				ref = append(ref, time.Since(t))
				refCPU = append(refCPU, cpuTime()-c)
			}
			if err != nil {
				return err
			}
			for _, r := range res {
				exact = append(exact, r.ID)
			}
		} else {
			res, _, err := s.SearchWith(ctx, q.vec, *k, vectors.Filter{}, vectors.SearchOptions{ProbeRows: math.MaxInt})
			if err != nil {
				return err
			}
			for _, r := range res {
				exact = append(exact, r.ID)
			}
		}
		in := map[string]bool{}
		for _, h := range hits {
			in[h.ID] = true
		}
		for _, id := range exact {
			total++
			if in[id] {
				found++
			}
		}
	}
	refName := "chromem-go's exact scan"
	if col == nil {
		refName = "the exhaustive scan"
	}
	fmt.Printf("recall@%d vs %s, %d title queries: %.4f\n", *k, refName, len(qs), float64(found)/float64(total))
	fmt.Printf("per query (median): %d lists, %d rows scanned (int8), %d re-scored (float32)\n",
		int(pctD(lists, 50)), int(pctD(scanned, 50)), int(pctD(rescored, 50)))
	fmt.Printf("in-process latency, top %d, unfiltered: vectors p50 %s p95 %s | chromem-go %s p50 %s p95 %s (%d queries)\n",
		*k, pct(ours, 50), pct(ours, 95), *label, pct(ref, 50), pct(ref, 95), len(ref))
	fmt.Printf("CPU time per query (user+sys, all threads), top %d: vectors p50 %s | chromem-go %s p50 %s\n",
		*k, pct(oursCPU, 50), *label, pct(refCPU, 50))

	// Recall against the exhaustive scan as group 0 grows: what the default
	// probe size was chosen from.
	if *sweep {
		exact := make([]map[string]bool, len(qs))
		for i, q := range qs {
			hits, _, err := s.SearchWith(ctx, q.vec, *k, vectors.Filter{}, vectors.SearchOptions{ProbeRows: math.MaxInt})
			if err != nil {
				return err
			}
			exact[i] = map[string]bool{}
			for _, h := range hits {
				exact[i][h.ID] = true
			}
		}
		for _, frac := range []float64{0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20, 0.25} {
			rows := int(frac * float64(s.Count()))
			found, total := 0, 0
			var lat []time.Duration
			for i, q := range qs {
				t := time.Now()
				hits, _, err := s.SearchWith(ctx, q.vec, *k, vectors.Filter{}, vectors.SearchOptions{ProbeRows: rows})
				lat = append(lat, time.Since(t))
				if err != nil {
					return err
				}
				for _, h := range hits {
					if exact[i][h.ID] {
						found++
					}
				}
				total += len(exact[i])
			}
			fmt.Printf("probe %4.0f%% (%7d rows): recall@%d %.4f, p50 %s\n", 100*frac, rows, *k, float64(found)/float64(total), pct(lat, 50))
		}
	}

	// Filtered: the query paper's category; a year range; both with an
	// author substring. Checks prefix stability at several depths.
	filters := []struct {
		name string
		f    func(q query) vectors.Filter
	}{
		{"category", func(q query) vectors.Filter { return vectors.Filter{Categories: []string{q.category}} }},
		{"years 2015..2018", func(query) vectors.Filter { return vectors.Filter{YearFrom: 2015, YearTo: 2018} }},
		{"since 2020-03-01", func(query) vectors.Filter { return vectors.Filter{Since: "2020-03-01"} }},
		{"author 'wang'", func(query) vectors.Filter { return vectors.Filter{Author: "wang"} }},
	}
	if !*withFilters {
		filters = nil
	}
	for _, fl := range filters {
		var lat []time.Duration
		unstable := 0
		for _, q := range qs {
			f := fl.f(q)
			t := time.Now()
			deep, err := s.Search(ctx, q.vec, 1000, f)
			lat = append(lat, time.Since(t))
			if err != nil {
				return err
			}
			for _, n := range []int{10, 100, 250} {
				page, _ := s.Search(ctx, q.vec, n, f)
				if !slices.EqualFunc(page, deep[:min(n, len(deep))], func(a, b vectors.Hit) bool { return a.ID == b.ID }) {
					unstable++
				}
			}
		}
		fmt.Printf("filter %-18s top 1000: p50 %s p95 %s; prefix-unstable answers: %d of %d\n", fl.name, pct(lat, 50), pct(lat, 95), unstable, 3*len(qs))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("process: peak RSS %s, Go heap %.0f MB\n", peakRSS(), float64(ms.HeapAlloc)/1e6)
	return nil
}

func pctD(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "-"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	v := s[min(len(s)-1, len(s)*p/100)]
	return fmt.Sprintf("%.2fms", float64(v.Microseconds())/1000)
}

func oneshotCmd(args []string) error {
	fs := flag.NewFlagSet("oneshot", flag.ExitOnError)
	setDir := fs.String("set", "", "vector set directory (index/local/vectors)")
	legacy := fs.String("legacy", "", "or a legacy vectors.bin, loaded into chromem-go as paperseek did")
	like := fs.String("like", "", "query with this paper's vector")
	k := fs.Int("k", 10, "results")
	fs.Parse(args)
	ctx := context.Background()
	start := time.Now()
	var hits []string
	switch {
	case *setDir != "":
		s, err := vectors.Open(*setDir)
		if err != nil {
			return err
		}
		defer s.Close()
		q, ok := s.Vector(*like)
		if !ok {
			return fmt.Errorf("no vector for %q", *like)
		}
		res, err := s.Search(ctx, q, *k, vectors.Filter{})
		if err != nil {
			return err
		}
		for _, h := range res {
			hits = append(hits, fmt.Sprintf("%s %.4f", h.ID, h.Score))
		}
	case *legacy != "":
		col, err := chromem.NewDB().CreateCollection("papers", nil, func(context.Context, string) ([]float32, error) {
			return nil, errors.New("vectors are given")
		})
		if err != nil {
			return err
		}
		var q []float32
		var docs []chromem.Document
		if _, err := readLegacy(*legacy, func(r legacyRow) error {
			if r.id == *like {
				q = r.vec
			}
			docs = append(docs, chromem.Document{ID: r.id, Embedding: r.vec})
			if len(docs) == 4096 {
				err := col.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0))
				docs = docs[:0]
				return err
			}
			return nil
		}); err != nil {
			return err
		}
		if err := col.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
			return err
		}
		if q == nil {
			return fmt.Errorf("no vector for %q", *like)
		}
		res, err := col.QueryEmbedding(ctx, q, *k, nil, nil)
		if err != nil {
			return err
		}
		for _, r := range res {
			hits = append(hits, fmt.Sprintf("%s %.4f", r.ID, r.Similarity))
		}
	default:
		return errors.New("oneshot needs -set or -legacy")
	}
	fmt.Printf("%s\nsearch in-process %.1f ms\n", strings.Join(hits, "\n"), float64(time.Since(start).Microseconds())/1000)
	return nil
}

func peakRSS() string { return procStatus("VmHWM") }

func procStatus(key string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key+":") {
			return strings.TrimSpace(strings.TrimPrefix(l, key+":"))
		}
	}
	return "?"
}

func loadChromem(ctx context.Context, s *vectors.Set, label string) (*chromem.Collection, error) {
	t1 := time.Now()
	runtime.GC()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	col, err := chromem.NewDB().CreateCollection("ref", nil, func(context.Context, string) ([]float32, error) {
		return nil, errors.New("vectors are given")
	})
	if err != nil {
		return nil, err
	}
	var docs []chromem.Document
	flush := func() error {
		err := col.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0))
		docs = docs[:0]
		return err
	}
	err = s.Each(func(id string) error {
		if v, ok := s.Vector(id); ok {
			docs = append(docs, chromem.Document{ID: id, Embedding: v})
		}
		if len(docs) == 4096 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, err
	}
	runtime.GC()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	fmt.Printf("chromem-go (%s) collection: %d documents loaded in %.1f s, Go heap +%.0f MB\n",
		label, col.Count(), time.Since(t1).Seconds(), float64(ms1.HeapAlloc-ms0.HeapAlloc)/1e6)

	return col, nil
}

// embedPapers embeds each paper's title and abstract with the local model,
// as `paperseek index` does, and puts it with its year, categories and
// authors: a realistic vector set from a synthetic corpus, without
// building the keyword index.
func embedPapers(b *vectors.Builder, path, modelPath string) (int, error) {
	model, err := local.Load(modelPath)
	if err != nil {
		return 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			return 0, err
		}
	}
	type paper struct {
		ID         string   `json:"id"`
		Title      string   `json:"title"`
		Abstract   string   `json:"abstract"`
		Categories string   `json:"categories"`
		Year       int      `json:"year"`
		Authors    []string `json:"authors"`
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var batch []paper
	n := 0
	flush := func() error {
		texts := make([]string, len(batch))
		for i, p := range batch {
			texts[i] = p.Title + "\n" + p.Abstract
		}
		vecs, err := model.EmbedDocuments(context.Background(), texts)
		if err != nil {
			return err
		}
		for i, p := range batch {
			m := vectors.Meta{Year: p.Year, Categories: strings.Fields(p.Categories), Length: len(strings.Fields(texts[i])),
				Published: published(p.ID, p.Year)}
			for _, a := range p.Authors {
				m.AuthorsLC = append(m.AuthorsLC, strings.ToLower(a))
			}
			if err := b.Put(p.ID, vecs[i], m); err != nil {
				return err
			}
			n++
		}
		batch = batch[:0]
		return nil
	}
	for sc.Scan() {
		var p paper
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil || p.ID == "" {
			continue
		}
		batch = append(batch, p)
		if len(batch) == 2048 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// syncCmd is a daily sync against an existing set: a few hundred new
// papers (perturbed copies of existing vectors), some replaced, some
// deleted, committed into a new generation directory; it prints what the
// run cost and wrote.
func syncCmd(args []string) error {
	fs := flag.NewFlagSet("sync", flag.ExitOnError)
	setDir := fs.String("set", "", "the previous generation's vector set")
	out := fs.String("out", "", "the new generation's directory")
	add := fs.Int("add", 300, "new papers")
	replace := fs.Int("replace", 20, "replaced papers")
	del := fs.Int("delete", 10, "deleted papers")
	fs.Parse(args)
	ctx := context.Background()
	prev, err := vectors.Open(*setDir)
	if err != nil {
		return err
	}
	defer prev.Close()
	var ids []string
	i := 0
	prev.Each(func(id string) error {
		if i%997 == 0 {
			ids = append(ids, id)
		}
		i++
		return nil
	})
	start, cpu := time.Now(), cpuTime()
	b, err := vectors.NewBuilder(*out, prev)
	if err != nil {
		return err
	}
	defer b.Abort()
	rng := rand.New(rand.NewPCG(3, 4))
	for j := range *add + *replace {
		src := ids[j%len(ids)]
		v, _ := prev.Vector(src)
		m, _ := prev.Meta(src)
		for k := range v {
			v[k] += float32(0.3 * rng.NormFloat64() / math.Sqrt(float64(len(v))))
		}
		id := fmt.Sprintf("sync-%06d", j)
		if j >= *add {
			id = ids[(j*7)%len(ids)]
		}
		if err := b.Put(id, v, m); err != nil {
			return err
		}
	}
	for j := range *del {
		b.Delete(ids[(j*13+5)%len(ids)])
	}
	if err := b.Commit(ctx, vectors.BuildOptions{}); err != nil {
		return err
	}
	s, err := vectors.Open(*out)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("sync of %d new, %d replaced, %d deleted into %d papers: %.2f s wall, %.2f s CPU, peak RSS %s\n",
		*add, *replace, *del, prev.Count(), time.Since(start).Seconds(), (cpuTime() - cpu).Seconds(), peakRSS())
	for _, name := range s.Files() {
		st, err := os.Stat(filepath.Join(*out, name))
		if err != nil {
			return err
		}
		how := "written"
		if old, err := os.Stat(filepath.Join(*setDir, name)); err == nil && os.SameFile(old, st) {
			how = "hard link of the previous generation's"
		}
		fmt.Printf("  %-16s %12d bytes  %s\n", name, st.Size(), how)
	}
	return s.Verify(ctx)
}

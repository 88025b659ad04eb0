package local

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/paperseek/paperseek/embed"
)

// Corpus yields every document text (title + "\n" + abstract). Train may call
// it several times; an error returned by fn stops the iteration and must be
// returned by the Corpus.
type Corpus func(fn func(text string) error) error

// Documents yields every document of a corpus, with its terms when the
// caller knows them (embed.Document); otherwise as Corpus.
type Documents func(fn func(doc embed.Document) error) error

// documents is c as Documents, with no terms known.
func (c Corpus) documents() Documents {
	return func(fn func(embed.Document) error) error {
		return c(func(text string) error { return fn(embed.Document{Text: text}) })
	}
}

// termsUsable says whether a model cutting text with the tokenizer named
// tokName may take a document's Terms for its words: they are the terms
// of Bleve's `en` analyzer, which is what TokenizerEn is.
func termsUsable(tokName string, d embed.Document) bool {
	return d.Terms != nil && tokName == TokenizerEn
}

// TextsCorpus is a Corpus over texts held in memory.
func TextsCorpus(texts []string) Corpus {
	return func(fn func(string) error) error {
		for _, t := range texts {
			if err := fn(t); err != nil {
				return err
			}
		}
		return nil
	}
}

// tokenized is the corpus as word ids, all documents in one flat slice so
// the co-occurrence and document-term passes walk memory sequentially
// (4 bytes a token: ≈60 MB at 119k arXiv abstracts).
type tokenized struct {
	terms  []string // id → word
	count  []int64  // occurrences of each word
	df     []int32  // documents containing each word
	stream []int32  // every token of every document, in order
	start  []int    // document d is stream[start[d]:start[d+1]]
}

func (t *tokenized) docs() int { return len(t.start) - 1 }

// tokenizeCorpus reads the corpus once, tokenising in parallel while the
// corpus producer keeps reading; a document whose terms are known, and
// usable by the tokenizer named tokName (termsUsable), is not tokenised
// again. Documents keep their corpus order so the result, and everything
// trained from it, is deterministic. Each worker numbers the distinct
// words of its batch itself, so the one goroutine that merges batches in
// order looks up each distinct word of a batch once instead of every
// token.
func tokenizeCorpus(ctx context.Context, corpus Documents, tokName string, tok tokenizer, workers int) (*tokenized, error) {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	const batchSize = 512
	type batch struct {
		seq   int
		docs  []embed.Document
		words []string // distinct words of the batch, first seen first
		ids   []int32  // every token, as an index into words
		ends  []int    // document i is ids[ends[i-1]:ends[i]]
	}
	jobs := make(chan *batch, workers)
	done := make(chan *batch, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make(map[string]int32)
			for b := range jobs {
				clear(local)
				add := func(w []byte) {
					id, ok := local[string(w)]
					if !ok {
						id = int32(len(b.words))
						s := string(w)
						local[s] = id
						b.words = append(b.words, s)
					}
					b.ids = append(b.ids, id)
				}
				// addTerm is add for a known term. A new word is copied:
				// a term may share its memory with the rest of its
				// document, which the vocabulary must not keep alive.
				addTerm := func(w string) {
					id, ok := local[w]
					if !ok {
						id = int32(len(b.words))
						s := strings.Clone(w)
						local[s] = id
						b.words = append(b.words, s)
					}
					b.ids = append(b.ids, id)
				}
				for _, d := range b.docs {
					if termsUsable(tokName, d) {
						for _, term := range d.Terms {
							addTerm(term)
						}
					} else {
						tok.tokenBytes(d.Text, add)
					}
					b.ends = append(b.ends, len(b.ids))
				}
				b.docs = nil
				done <- b
			}
		}()
	}

	t := &tokenized{start: []int{0}}
	ids := make(map[string]int32)
	merged := make(chan struct{})
	go func() {
		defer close(merged)
		pending := map[int]*batch{}
		next := 0
		var global []int32 // batch word index → corpus word id
		var lastDoc []int  // per word id: 1 + the last document counted in df
		for b := range done {
			pending[b.seq] = b
			for {
				b, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				global = global[:0]
				for _, w := range b.words {
					id, ok := ids[w]
					if !ok {
						id = int32(len(t.terms))
						ids[w] = id
						t.terms = append(t.terms, w)
						t.count = append(t.count, 0)
						t.df = append(t.df, 0)
						lastDoc = append(lastDoc, 0)
					}
					global = append(global, id)
				}
				from := 0
				for _, end := range b.ends {
					doc := len(t.start) // 1 + this document's number
					for _, li := range b.ids[from:end] {
						id := global[li]
						t.count[id]++
						if lastDoc[id] != doc {
							lastDoc[id] = doc
							t.df[id]++
						}
						t.stream = append(t.stream, id)
					}
					t.start = append(t.start, len(t.stream))
					from = end
				}
			}
		}
	}()
	seq := 0
	cur := &batch{}
	err := corpus(func(d embed.Document) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		cur.docs = append(cur.docs, d)
		if len(cur.docs) == batchSize {
			cur.seq = seq
			seq++
			jobs <- cur
			cur = &batch{}
		}
		return nil
	})
	if err == nil && len(cur.docs) > 0 {
		cur.seq = seq
		jobs <- cur
	}
	close(jobs)
	wg.Wait()
	close(done)
	<-merged
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	return t, nil
}

// restrict keeps the words in at least minDF documents, at most maxVocab of
// them (most frequent first, ties by word so the choice is deterministic),
// renumbers them by that order and drops every other token from the stream.
func (t *tokenized) restrict(minDF, maxVocab int) {
	var keep []int32
	for id := range t.terms {
		if int(t.df[id]) >= minDF {
			keep = append(keep, int32(id))
		}
	}
	slices.SortFunc(keep, func(a, b int32) int {
		if c := cmp.Compare(t.count[b], t.count[a]); c != 0 {
			return c
		}
		return cmp.Compare(t.terms[a], t.terms[b])
	})
	if maxVocab > 0 && len(keep) > maxVocab {
		keep = keep[:maxVocab]
	}
	remap := make([]int32, len(t.terms))
	for i := range remap {
		remap[i] = -1
	}
	terms := make([]string, len(keep))
	count := make([]int64, len(keep))
	df := make([]int32, len(keep))
	for nid, id := range keep {
		remap[id] = int32(nid)
		terms[nid] = t.terms[id]
		count[nid] = t.count[id]
		df[nid] = t.df[id]
	}
	out := t.stream[:0]
	for d := 0; d < t.docs(); d++ {
		lo, hi := t.start[d], t.start[d+1]
		t.start[d] = len(out)
		for _, id := range t.stream[lo:hi] {
			if r := remap[id]; r >= 0 {
				out = append(out, r)
			}
		}
	}
	t.start[t.docs()] = len(out)
	t.stream = slices.Clip(out)
	t.terms, t.count, t.df = terms, count, df
}

// sample keeps maxDocs documents spread evenly over the corpus (document
// ⌊j·n/maxDocs⌋ for j = 0…maxDocs−1) and recounts every word's occurrences
// and document frequency over them; a corpus of at most maxDocs documents is
// left as it is. Words then seen in no kept document have df 0 and restrict
// drops them. Evenly spaced rather than the first maxDocs, because an
// export is usually ordered (by date, by category) and the model should
// learn how words relate across all of it.
func (t *tokenized) sample(maxDocs int) {
	n := t.docs()
	if maxDocs <= 0 || n <= maxDocs {
		return
	}
	clear(t.count)
	clear(t.df)
	lastDoc := make([]int, len(t.terms)) // 1 + the last kept document counted in df
	kept := func(j int) int { return evenSample(j, n, maxDocs) }
	total := 0
	for j := 0; j < maxDocs; j++ {
		total += t.start[kept(j)+1] - t.start[kept(j)]
	}
	// A new stream, not the old one cut down: at 1M papers the whole
	// corpus's stream is most of training's memory, and it is garbage now.
	out := make([]int32, 0, total)
	start := make([]int, 1, maxDocs+1)
	for j := 0; j < maxDocs; j++ {
		d := kept(j)
		lo, hi := t.start[d], t.start[d+1]
		for _, id := range t.stream[lo:hi] {
			t.count[id]++
			if lastDoc[id] != j+1 {
				lastDoc[id] = j + 1
				t.df[id]++
			}
		}
		out = append(out, t.stream[lo:hi]...)
		start = append(start, len(out))
	}
	t.stream = out
	t.start = start
}

// evenSample is the corpus position of the j-th of k documents sampled
// evenly from n (sample, sampled).
func evenSample(j, n, k int) int { return int(int64(j) * int64(n) / int64(k)) }

// sampled yields the documents sample would keep of a corpus of n, skipping
// the others unread by the tokenizer; *read counts every document the
// corpus yielded, so the caller can tell whether n was right.
func sampled(corpus Documents, n, k int, read *int) Documents {
	return func(fn func(embed.Document) error) error {
		i, j := 0, 0
		err := corpus(func(d embed.Document) error {
			keep := j < k && i == evenSample(j, n, k)
			i++
			if !keep {
				return nil
			}
			j++
			return fn(d)
		})
		*read = i
		return err
	}
}

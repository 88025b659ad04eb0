package embed

// Coverage measures how much of the vocabulary of a set of new texts a
// stored model knows. It counts the words that recur in at least two of
// the texts — the words a model retrained with them would learn (the local
// model learns words of at least two papers) — and Share is the part of
// them the model already knows. Counting word occurrences instead hides a
// change of field: common words dominate every text, so a model learned
// from physics papers knew 91% of the word occurrences in CS papers
// (bench/oov).
type Coverage struct {
	vc    VocabularyCounter
	df    map[string]int
	known map[string]bool
	texts int
}

// NewCoverage returns a Coverage for emb's model, or nil when emb has no
// fixed vocabulary (a nil Coverage ignores Add and reports nothing).
func NewCoverage(emb Embedder) *Coverage {
	vc, ok := emb.(VocabularyCounter)
	if !ok {
		return nil
	}
	return &Coverage{vc: vc, df: map[string]int{}, known: map[string]bool{}}
}

// Add counts one text.
func (c *Coverage) Add(text string) {
	if c == nil {
		return
	}
	c.texts++
	seen := map[string]bool{}
	c.vc.Words(text, func(w string, known bool) {
		if seen[w] {
			return
		}
		seen[w] = true
		c.df[w]++
		if known {
			c.known[w] = true
		}
	})
}

// Texts is how many texts were added.
func (c *Coverage) Texts() int {
	if c == nil {
		return 0
	}
	return c.texts
}

// Share is the part of the recurring words the model knows, and how many
// recurring words there were (0: nothing to judge by).
func (c *Coverage) Share() (share float64, words int) {
	if c == nil {
		return 0, 0
	}
	known := 0
	for w, n := range c.df {
		if n >= 2 {
			words++
			if c.known[w] {
				known++
			}
		}
	}
	if words == 0 {
		return 0, 0
	}
	return float64(known) / float64(words), words
}

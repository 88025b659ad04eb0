package local

import (
	"fmt"

	"github.com/paperseek/paperseek/embed"
)

// vocabSample is how many of a run's papers are checked against the stored
// model's vocabulary: enough to judge, bounded so that a big import does
// not tokenize everything twice.
const vocabSample = 2000

// minKnownShare is the part of the recurring words of a run's papers
// (embed.Coverage) the stored model must know before the run suggests
// --retrain. Measured with bench/oov on the arXiv set (models learned from
// 3,000 papers of one field): 3,000 held-out papers of the same field
// 75–77%, papers of another field 49–59% (CS papers against a physics
// model: 59%).
const minKnownShare = 0.65

// vocabCheck samples the papers a run embeds with a stored model.
type vocabCheck struct{ cov *embed.Coverage }

func newVocabCheck(emb embed.Embedder) *vocabCheck {
	return &vocabCheck{cov: embed.NewCoverage(emb)}
}

func (c *vocabCheck) add(text string) {
	if c != nil && c.cov.Texts() < vocabSample {
		c.cov.Add(text)
	}
}

// warning is the sentence for a run whose papers' words the model mostly
// does not know, "" otherwise.
func (c *vocabCheck) warning() string {
	if c == nil {
		return ""
	}
	share, words := c.cov.Share()
	if words == 0 || share >= minKnownShare {
		return ""
	}
	return fmt.Sprintf("the index's semantic model knows only %.0f%% of the words that recur in this run's papers (it was learned from the papers indexed before), so they are poorly placed in semantic search; run `paperseek index --retrain` to learn it again from every paper", 100*share)
}

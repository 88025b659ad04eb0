package index

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/paperseek/paperseek/embed"
)

// Store is one index, wherever it lives: a directory (index/local) or a
// cluster (index/weaviate). The query layer reads through it and never
// learns which it is. Opening a store costs only what the caller then uses:
// a store reads its keyword index, vectors or model the first time a method
// needs them, so `get` and `stats` never touch the vectors or the model.
//
// A Store is safe for concurrent use.
type Store interface {
	// Location is the directory or URL the store was opened from.
	Location() string
	// Info is what the store recorded at its last commit; it costs nothing.
	Info() Info
	// Stats is the `stats --json` document.
	Stats(ctx context.Context) (Stats, error)

	// Paper returns the stored paper with id, or an error wrapping ErrNotFound.
	Paper(ctx context.Context, id string) (Paper, error)
	// Papers returns the stored papers with ids, in order; an unknown id
	// is an error wrapping ErrNotFound.
	Papers(ctx context.Context, ids []string) ([]Paper, error)
	// Resolve returns the id of the paper ref names: a paper id, or an
	// external id "doi:…", "arxiv:…", "pmid:…" (ParseRef). An id is tried
	// first. Unknown: an error wrapping ErrNotFound.
	Resolve(ctx context.Context, ref string) (string, error)

	// Keyword ranks the papers matching q that f keeps by textbook BM25
	// (k1 1.2, b 0.75) over the analysed ranking text, best first, at most
	// n. The list for n is always a prefix of the list for any larger n,
	// so pages of one ranking never repeat or skip a paper.
	Keyword(ctx context.Context, q KeywordQuery, f Filter, n int) ([]Hit, error)
	// TermStats reports how many papers hold each analysed term, and how
	// many papers there are, for weighting terms (more-like-this).
	TermStats(ctx context.Context, terms []string) (TermStats, error)

	// Vector returns the stored vector of the paper with id; nil (and no
	// error) when the paper has no usable vector, an error wrapping
	// ErrNotFound when there is no such paper.
	Vector(ctx context.Context, id string) ([]float32, error)
	// Nearest ranks the papers f keeps by cosine similarity to vec, best
	// first, at most n; prefix-stable in n like Keyword.
	Nearest(ctx context.Context, vec []float32, f Filter, n int) ([]Hit, error)

	// EmbedderState is what the store recorded about its embedder, for
	// re-creating it to embed queries (embed.ForQueries).
	EmbedderState(ctx context.Context) (embed.State, error)

	// Close releases what the store opened.
	Close() error
}

// Info describes a store as of its last commit.
type Info struct {
	Location string
	Embedder embed.Fingerprint
	Papers   int
	// Generation counts commits of a directory store; 0 where the store
	// has none.
	Generation int
	Created    time.Time
	Updated    time.Time
	// State is what index runs recorded with their commit (e.g. the
	// harvest point of `sync arxiv`).
	State map[string]string
}

// SameVersion reports whether a and b describe the same commit.
func (a Info) SameVersion(b Info) bool {
	return a.Generation == b.Generation && a.Updated.Equal(b.Updated)
}

// Hit is one paper in one ranking, best first.
type Hit struct {
	ID    string
	Score float64
}

// KeywordQuery is what the keyword leg searches for: free text, or
// weighted terms already analysed (more-like-this). Query text is never
// parsed as query syntax.
type KeywordQuery struct {
	// Text is analysed with the `en` analyzer; a paper matches when it holds
	// any of the terms.
	Text string
	// Terms replace Text: analysed terms, each with a weight multiplying
	// its BM25 contribution.
	Terms []WeightedTerm
	// Phrases are exact phrases of Text (what the user put between double
	// quotes; ParsePhrases). A paper matches only when it holds every one:
	// their analysed terms in order, each stop word the analyser drops
	// leaving its gap ("mixture of experts" is "mixtur _ expert"). Their
	// words also count in the BM25 score as Text's words do. A store that
	// cannot match phrases (a directory index built before it recorded
	// word positions) treats their words as plain words; it tells the
	// query layer so through PhraseMatcher.
	Phrases []string
}

// Weights are the query's analysed terms with their weights, as a store
// scores them: Terms as given (empty terms and weights ≤ 0 dropped,
// repeats summed), else each term of Text counted as often as analyze
// (the analyser the store's text was indexed with) cuts it.
func (q KeywordQuery) Weights(analyze func(text string) []string) map[string]float64 {
	w := map[string]float64{}
	if q.Terms != nil {
		for _, t := range q.Terms {
			if t.Term != "" && t.Weight > 0 {
				w[t.Term] += t.Weight
			}
		}
		return w
	}
	for _, t := range analyze(q.Text) {
		w[t]++
	}
	return w
}

// PhraseMatcher is implemented by a store that can tell whether it matches
// KeywordQuery.Phrases. A store that does not implement it, or answers
// false, treats phrases as plain words, and the query layer warns the user.
type PhraseMatcher interface {
	// MatchesPhrases reports whether phrases are matched as phrases; when
	// not, fix says how to make them so (one line, for the user).
	MatchesPhrases() (ok bool, fix string)
}

// WeightedTerm is one analysed term of a weighted keyword query.
type WeightedTerm struct {
	Term   string
	Weight float64
}

// TermStats are document frequencies of analysed terms.
type TermStats struct {
	Docs int   // papers in the store
	DF   []int // papers holding each term, in the order asked
}

// Stats is the `stats --json` document.
type Stats struct {
	Papers     int    `json:"papers"`
	Embedder   string `json:"embedder"`
	Model      string `json:"model,omitempty"`
	Dimensions int    `json:"dimensions"`
	IndexBytes int64  `json:"index_bytes"`
	Created    string `json:"created"`
	Updated    string `json:"updated"`
	Generation int    `json:"generation"`
	// KeywordDocs and Vectors are each leg's own count; both equal Papers
	// in a consistent index.
	KeywordDocs uint64 `json:"keyword_docs"`
	Vectors     int    `json:"vectors"`
}

// MinExactRecall is the least share of an exact scan's nearest papers a
// store's semantic search must find for check to pass. Approximate search
// by design finds nearly all (0.99 of the top 100 on real queries; the
// papers' own vectors as queries are easier still).
const MinExactRecall = 0.9

// CheckReport is what `paperseek check` finds in a store.
type CheckReport struct {
	Generation  int `json:"generation"`
	Papers      int `json:"papers"` // as the store records
	KeywordDocs int `json:"keyword_docs"`
	Vectors     int `json:"vectors"`
	// MissingVectors are papers in the keyword index without a vector;
	// OrphanVectors are vectors of papers the keyword index lacks.
	MissingVectors []string `json:"missing_vectors,omitempty"`
	OrphanVectors  []string `json:"orphan_vectors,omitempty"`
	// ExactRecall is the share of an exact nearest-neighbour scan's top 10
	// that the semantic leg's own search finds, over sample queries (the
	// papers' own vectors); below MinExactRecall the leg is broken.
	ExactRecall *float64 `json:"exact_recall,omitempty"`
	// SharedIDs are external ids held by more than one paper, each as
	// "doi:10.1/x a b": the same paper indexed twice under two ids (from
	// before it was recognised), for the user to delete one of.
	SharedIDs []string `json:"shared_ids,omitempty"`
	// Leftovers are files an interrupted run left behind; they do no harm
	// and the next index run removes them.
	Leftovers []string `json:"leftovers,omitempty"`
	OK        bool     `json:"ok"`
	Repaired  bool     `json:"repaired,omitempty"`
}

// Summary is a one-line account of the report.
func (r CheckReport) Summary() string {
	if r.OK {
		s := fmt.Sprintf("ok: generation %d, %d papers, each with exactly one vector", r.Generation, r.Papers)
		if r.ExactRecall != nil {
			s += fmt.Sprintf("; semantic search finds %.0f%% of an exact scan's top 10", 100**r.ExactRecall)
		}
		if r.Repaired {
			s += " (repaired)"
		}
		return s
	}
	var problems []string
	if r.KeywordDocs != r.Papers {
		problems = append(problems, fmt.Sprintf("the manifest records %d papers but the keyword index holds %d", r.Papers, r.KeywordDocs))
	}
	if n := len(r.MissingVectors); n > 0 {
		problems = append(problems, fmt.Sprintf("%d papers have no vector (first: %q)", n, r.MissingVectors[0]))
	}
	if n := len(r.OrphanVectors); n > 0 {
		problems = append(problems, fmt.Sprintf("%d vectors belong to no paper (first: %q)", n, r.OrphanVectors[0]))
	}
	if r.ExactRecall != nil && *r.ExactRecall < MinExactRecall {
		problems = append(problems, fmt.Sprintf("the semantic search finds only %.0f%% of what an exact scan finds", 100**r.ExactRecall))
	}
	fix := "; run `paperseek check --repair`"
	if n := len(r.SharedIDs); n > 0 {
		problems = append(problems, fmt.Sprintf("%d external ids are held by more than one paper (first: %s)", n, r.SharedIDs[0]))
		if len(problems) == 1 {
			fix = "; keep one paper of each with `paperseek delete ID`"
		}
	}
	return strings.Join(problems, "; ") + fix
}

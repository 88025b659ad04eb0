package eval

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// RunLine is one result of one query in a TREC run file.
type RunLine struct {
	QueryID string
	DocID   string
	Rank    int // 1-based
	Score   float64
}

// DefaultRunTag names the system in a run file when the caller gives no tag.
const DefaultRunTag = "paperseek"

// WriteRun writes a TREC run file, `qid Q0 docid rank score tag` a line, so
// the run can be checked with trec_eval. An empty tag means DefaultRunTag.
//
// trec_eval ignores the rank column: it orders each query's results by score,
// breaking ties by document id in descending byte order. Lines that would make
// it see another ranking than the one meant are refused before anything is
// written — within a query, ranks must rise and scores must not, and a
// document may appear once (trec_eval rejects the whole file otherwise). Ids
// and the tag must not contain whitespace, which the format cannot hold.
// Scores that tie are allowed; trec_eval reorders them by id, so a run whose
// ties were broken otherwise can score slightly differently there.
func WriteRun(w io.Writer, tag string, lines []RunLine) error {
	if tag == "" {
		tag = DefaultRunTag
	}
	if err := checkField("tag", tag); err != nil {
		return fmt.Errorf("write run: %w", err)
	}
	if err := checkRun(lines); err != nil {
		return fmt.Errorf("write run: %w", err)
	}
	bw := bufio.NewWriter(w)
	for _, l := range lines {
		// 'g' with precision -1 is the shortest text that parses back to the
		// same float64, so no two distinct scores collapse into a tie.
		fmt.Fprintf(bw, "%s Q0 %s %d %s %s\n", l.QueryID, l.DocID, l.Rank,
			strconv.FormatFloat(l.Score, 'g', -1, 64), tag)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write run: %w", err)
	}
	return nil
}

func checkRun(lines []RunLine) error {
	type last struct {
		rank  int
		score float64
		docs  map[string]int
	}
	seen := make(map[string]*last)
	for i, l := range lines {
		n := i + 1
		if err := checkField("query id", l.QueryID); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if err := checkField("doc id", l.DocID); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if l.Rank < 1 {
			return fmt.Errorf("line %d: rank %d, want 1 or more", n, l.Rank)
		}
		if math.IsNaN(l.Score) || math.IsInf(l.Score, 0) {
			return fmt.Errorf("line %d: score %v is not a finite number", n, l.Score)
		}
		q := seen[l.QueryID]
		if q == nil {
			seen[l.QueryID] = &last{rank: l.Rank, score: l.Score, docs: map[string]int{l.DocID: n}}
			continue
		}
		if first, dup := q.docs[l.DocID]; dup {
			return fmt.Errorf("line %d: query %s: doc %s repeats line %d", n, l.QueryID, l.DocID, first)
		}
		if l.Rank <= q.rank {
			return fmt.Errorf("line %d: query %s: rank %d after rank %d", n, l.QueryID, l.Rank, q.rank)
		}
		if l.Score > q.score {
			return fmt.Errorf("line %d: query %s: score %v at rank %d is above %v at rank %d; trec_eval orders by score",
				n, l.QueryID, l.Score, l.Rank, q.score, q.rank)
		}
		q.rank, q.score = l.Rank, l.Score
		q.docs[l.DocID] = n
	}
	return nil
}

func checkField(what, s string) error {
	if s == "" {
		return fmt.Errorf("empty %s", what)
	}
	if strings.ContainsFunc(s, isSpace) {
		return fmt.Errorf("%s %q contains whitespace, which a TREC run file cannot hold", what, s)
	}
	return nil
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// ReadRun reads a TREC run file into the rankings trec_eval would evaluate:
// each query's documents ordered by score, ties broken by document id in
// descending byte order, the rank column ignored. Errors name FILE:LINE.
func ReadRun(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	defer f.Close()
	return ParseRun(f, path)
}

// ParseRun is ReadRun on a reader; name is used in error messages.
func ParseRun(r io.Reader, name string) (map[string][]string, error) {
	type scored struct {
		doc   string
		score float64
	}
	byQuery := make(map[string][]scored)
	err := eachLine(r, name, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) != 6 {
			return fmt.Errorf("%s:%d: want 6 columns (qid Q0 docid rank score tag), got %d", name, n, len(f))
		}
		score, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			return fmt.Errorf("%s:%d: score %q is not a number", name, n, f[4])
		}
		byQuery[f[0]] = append(byQuery[f[0]], scored{doc: f[2], score: score})
		return nil
	})
	if err != nil {
		return nil, err
	}
	run := make(map[string][]string, len(byQuery))
	for qid, docs := range byQuery {
		slices.SortStableFunc(docs, func(a, b scored) int {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return strings.Compare(b.doc, a.doc)
		})
		ids := make([]string, len(docs))
		for i, d := range docs {
			ids[i] = d.doc
		}
		run[qid] = ids
	}
	return run, nil
}

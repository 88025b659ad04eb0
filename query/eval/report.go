package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// ModeScores is one retrieval mode's scores. On its own it marshals to the
// contract's single-mode `eval --json` document; a slice of them is the
// human table and, through Compare, the `--mode all` document.
type ModeScores struct {
	Mode string
	Scores
}

// MarshalJSON writes the keys in the contract's order:
// {"queries":N,"mode":"…","ndcg@10":F,"recall@100":F,"map@100":F,"mrr@10":F}.
func (m ModeScores) MarshalJSON() ([]byte, error) {
	mode, err := json.Marshal(m.Mode)
	if err != nil {
		return nil, fmt.Errorf("marshal mode: %w", err)
	}
	rest, err := json.Marshal(m.Scores)
	if err != nil {
		return nil, fmt.Errorf("marshal scores: %w", err)
	}
	// rest is {"queries":N,…}: splice "mode" in after the first member.
	i := bytes.IndexByte(rest, ',')
	var b bytes.Buffer
	b.Write(rest[:i])
	b.WriteString(`,"mode":`)
	b.Write(mode)
	b.Write(rest[i:])
	return b.Bytes(), nil
}

// Comparison is the contract's `eval --mode all --json` document:
// {"queries":N,"runs":{"keyword":{…},"semantic":{…},"hybrid":{…}}}.
type Comparison struct {
	Queries int               `json:"queries"`
	Runs    map[string]Scores `json:"runs"`
}

// Compare gathers several modes' scores into one document. Every mode is run
// over the same judged queries, so Queries is the largest count among them.
func Compare(runs []ModeScores) Comparison {
	c := Comparison{Runs: make(map[string]Scores, len(runs))}
	for _, r := range runs {
		c.Runs[r.Mode] = r.Scores
		c.Queries = max(c.Queries, r.Queries)
	}
	return c
}

// FormatTable writes the human eval table, one row per mode in the order
// given, numbers right-aligned under their headers with four decimals (as
// trec_eval prints them):
//
//	mode     queries  nDCG@10  Recall@100  MAP@100  MRR@10
//	keyword      809   0.6890      0.9270   0.6410  0.6520
func FormatTable(w io.Writer, runs []ModeScores) error {
	width := len("mode")
	for _, r := range runs {
		width = max(width, len(r.Mode))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%-*s  queries  nDCG@10  Recall@100  MAP@100  MRR@10\n", width, "mode")
	for _, r := range runs {
		fmt.Fprintf(&b, "%-*s  %7d  %7.4f  %10.4f  %7.4f  %6.4f\n",
			width, r.Mode, r.Queries, r.NDCG10, r.Recall100, r.MAP100, r.MRR10)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write eval table: %w", err)
	}
	return nil
}

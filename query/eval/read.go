package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// ReadQrels reads relevance judgments from a file: BEIR's TSV
// `query-id corpus-id score` (header line optional) or TREC's
// `qid iter docid rel`, tab or space separated. Errors name FILE:LINE.
func ReadQrels(path string) (Qrels, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read qrels: %w", err)
	}
	defer f.Close()
	return ParseQrels(f, path)
}

// ParseQrels is ReadQrels on a reader; name is used in error messages.
//
// A line holding a tab is split on tabs only, so ids may contain spaces in
// TSV files; other lines split on runs of spaces. The first line is taken for
// a header when its score is not an integer. When a pair is judged twice the
// last line wins, as in BEIR's loader.
func ParseQrels(r io.Reader, name string) (Qrels, error) {
	qrels := make(Qrels)
	judged, lines := 0, 0
	err := eachLine(r, name, func(n int, line string) error {
		lines++
		fields := splitQrelsLine(line)
		var qid, docid, score string
		switch len(fields) {
		case 3:
			qid, docid, score = fields[0], fields[1], fields[2]
		case 4:
			qid, docid, score = fields[0], fields[2], fields[3]
		default:
			return fmt.Errorf("%s:%d: want 3 columns (query-id corpus-id score) or 4 (qid iter docid rel), got %d", name, n, len(fields))
		}
		rel, err := parseGrade(score)
		if err != nil {
			if lines == 1 {
				return nil // the header
			}
			return fmt.Errorf("%s:%d: relevance %q is not an integer", name, n, score)
		}
		if qrels[qid] == nil {
			qrels[qid] = make(map[string]int)
		}
		qrels[qid][docid] = rel
		judged++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if judged == 0 {
		return nil, fmt.Errorf("%s: no relevance judgments", name)
	}
	return qrels, nil
}

// parseGrade reads a relevance grade. Some tools write grades as floats;
// "1.0" is accepted as 1, but "0.5" is refused rather than truncated, since
// the grade decides what is relevant.
func parseGrade(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<30 {
		return 0, errors.New("not an integer")
	}
	return int(f), nil
}

func splitQrelsLine(line string) []string {
	if !strings.Contains(line, "\t") {
		return strings.Fields(line)
	}
	var out []string
	for f := range strings.SplitSeq(line, "\t") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ReadQueries reads BEIR queries.jsonl: one {"_id": …, "text": …} object a
// line (`id` is accepted for `_id`). Numeric ids are kept as the literal
// digits, so they match the qrels. Errors name FILE:LINE.
func ReadQueries(path string) ([]Query, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read queries: %w", err)
	}
	defer f.Close()
	return ParseQueries(f, path)
}

// ParseQueries is ReadQueries on a reader; name is used in error messages.
// A repeated id is an error: the two texts cannot both be the judged query.
func ParseQueries(r io.Reader, name string) ([]Query, error) {
	var out []Query
	lineOf := make(map[string]int)
	err := eachLine(r, name, func(n int, line string) error {
		var raw struct {
			ID    json.RawMessage `json:"_id"`
			AltID json.RawMessage `json:"id"`
			Text  json.RawMessage `json:"text"`
		}
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			return fmt.Errorf("%s:%d: not a JSON object: %w", name, n, err)
		}
		idRaw := raw.ID
		if isAbsent(idRaw) {
			idRaw = raw.AltID
		}
		if isAbsent(idRaw) {
			return fmt.Errorf("%s:%d: query has no \"_id\"", name, n)
		}
		id, err := literalID(idRaw)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
		var text string
		if !isAbsent(raw.Text) {
			if err := json.Unmarshal(raw.Text, &text); err != nil {
				return fmt.Errorf("%s:%d: query %q: \"text\" is not a string", name, n, id)
			}
		}
		if strings.TrimSpace(text) == "" {
			return fmt.Errorf("%s:%d: query %q has no text", name, n, id)
		}
		if first, dup := lineOf[id]; dup {
			return fmt.Errorf("%s:%d: query id %q repeats line %d", name, n, id, first)
		}
		lineOf[id] = n
		out = append(out, Query{ID: id, Text: text})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no queries", name)
	}
	return out, nil
}

func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// literalID turns a JSON id into the string the qrels use: a string as is, a
// number as written (so 7 is "7" and never "7.0" or "7e0").
func literalID(raw json.RawMessage) (string, error) {
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("bad id: %w", err)
		}
		if s == "" {
			return "", errors.New("empty query id")
		}
		return s, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw), nil
	}
	return "", fmt.Errorf("query id %s is not a string or number", raw)
}

// eachLine calls fn with every non-blank line (1-based number, text without
// the line end or a leading byte-order mark). Lines may be of any length.
func eachLine(r io.Reader, name string, fn func(n int, line string) error) error {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		b, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if n == 1 {
			b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		}
		if line := strings.TrimSpace(string(b)); line != "" {
			if ferr := fn(n, line); ferr != nil {
				return ferr
			}
		}
		if err != nil {
			return nil
		}
	}
}

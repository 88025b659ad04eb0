package weaviate

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Search is one query on a collection: at most one of BM25, NearVector and
// Hybrid (none: the objects Where keeps, unranked, in UUID order), an
// optional filter, paging, and what to return.
type Search struct {
	Class string

	BM25       *BM25
	NearVector []float32 // cosine nearest neighbours of this vector
	Hybrid     *Hybrid

	Where  *Where
	Limit  int // 0 = the server's default (QUERY_DEFAULTS_LIMIT, 10)
	Offset int

	// Properties to return with each hit (nil: none; the UUID always comes).
	Properties []string
	WithVector bool
	// Explain asks for BM25's per-term explanation (explainScore): each
	// query term's frequency in the hit and the hit's property length,
	// which is what a caller needs to re-score with corpus-wide statistics.
	Explain bool

	// Consistency must be "" on a collection with one replica.
	Consistency ConsistencyLevel
}

// BM25 is a keyword query. Weaviate tokenises Query with each property's
// tokenization and ORs the terms; a term given n times counts n times.
type BM25 struct {
	Query      string
	Properties []string // nil = every searchable text property
}

// Fusion is how Hybrid merges its two rankings.
type Fusion string

const (
	RankedFusion        Fusion = "rankedFusion"
	RelativeScoreFusion Fusion = "relativeScoreFusion"
)

// Hybrid is Weaviate's own fusion of bm25 (weight 1−Alpha) and nearVector
// (weight Alpha).
type Hybrid struct {
	Query      string
	Vector     []float32
	Alpha      float64
	Fusion     Fusion
	Properties []string
}

// Hit is one result, best first. Score is the bm25 or hybrid score (0 for
// nearVector); Distance is the cosine distance 1 − cos for nearVector (0
// otherwise), so the cosine similarity is 1 − Distance.
type Hit struct {
	ID         string
	Score      float64
	Distance   float64
	Properties map[string]json.RawMessage
	Vector     []float32
	// Explain is the server's explainScore text, when asked for.
	Explain string
}

// Search runs the searches in one GraphQL request (each under its own
// alias) and returns their hits in order. Sending the keyword and vector
// legs of one paperseek query together saves a round trip and lets the
// server run them concurrently.
func (c *Client) Search(ctx context.Context, searches ...Search) ([][]Hit, error) {
	if len(searches) == 0 {
		return nil, nil
	}
	var b strings.Builder
	b.WriteString("{Get{")
	for i, s := range searches {
		if err := s.graphQL(&b, "q"+strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	b.WriteString("}}")
	data, err := c.graphQL(ctx, "search", b.String())
	if err != nil {
		return nil, err
	}
	var answer struct {
		Get map[string][]map[string]json.RawMessage `json:"Get"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return nil, &Error{Op: "search", Kind: ErrBadRequest, Messages: []string{"unexpected answer: " + err.Error()}}
	}
	out := make([][]Hit, len(searches))
	for i := range searches {
		rows, ok := answer.Get["q"+strconv.Itoa(i)]
		if !ok {
			return nil, &Error{Op: "search", Kind: ErrBadRequest, Messages: []string{"answer lacks query q" + strconv.Itoa(i)}}
		}
		hits := make([]Hit, 0, len(rows))
		for _, row := range rows {
			h, err := decodeHit(row)
			if err != nil {
				return nil, &Error{Op: "search", Kind: ErrBadRequest, Messages: []string{"unexpected hit: " + err.Error()}}
			}
			hits = append(hits, h)
		}
		out[i] = hits
	}
	return out, nil
}

func decodeHit(row map[string]json.RawMessage) (Hit, error) {
	var add struct {
		ID           string          `json:"id"`
		Score        json.RawMessage `json:"score"`
		Distance     *float64        `json:"distance"`
		Vector       []float32       `json:"vector"`
		ExplainScore string          `json:"explainScore"`
	}
	if raw, ok := row["_additional"]; ok {
		if err := json.Unmarshal(raw, &add); err != nil {
			return Hit{}, err
		}
	}
	h := Hit{ID: add.ID, Vector: add.Vector, Explain: add.ExplainScore}
	if add.Distance != nil {
		h.Distance = *add.Distance
	}
	// GraphQL sends bm25 and hybrid scores as strings ("1.234").
	if len(add.Score) > 0 && string(add.Score) != "null" {
		var s string
		if err := json.Unmarshal(add.Score, &s); err == nil {
			if s != "" {
				f, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return Hit{}, fmt.Errorf("score %q: %w", s, err)
				}
				h.Score = f
			}
		} else if err := json.Unmarshal(add.Score, &h.Score); err != nil {
			return Hit{}, fmt.Errorf("score %s: %w", add.Score, err)
		}
	}
	if len(row) > 1 {
		h.Properties = make(map[string]json.RawMessage, len(row)-1)
		for k, v := range row {
			if k != "_additional" {
				h.Properties[k] = v
			}
		}
	}
	return h, nil
}

func (s Search) graphQL(b *strings.Builder, alias string) error {
	n := 0
	for _, set := range []bool{s.BM25 != nil, s.NearVector != nil, s.Hybrid != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("%w: a search takes at most one of BM25, NearVector, Hybrid", ErrBadRequest)
	}
	if n == 0 && s.Where == nil {
		return fmt.Errorf("%w: an unranked search needs a Where filter", ErrBadRequest)
	}
	if !ClassNamePattern.MatchString(s.Class) {
		return fmt.Errorf("%w: collection name %q", ErrBadRequest, s.Class)
	}
	for _, list := range [][]string{s.Properties, s.bm25Props(), s.hybridProps()} {
		for _, p := range list {
			if !propNamePattern.MatchString(p) {
				return fmt.Errorf("%w: property name %q", ErrBadRequest, p)
			}
		}
	}
	b.WriteString(alias)
	b.WriteByte(':')
	b.WriteString(s.Class)
	b.WriteByte('(')
	switch {
	case n == 0:
	case s.BM25 != nil:
		b.WriteString("bm25:{query:")
		b.WriteString(gqlString(s.BM25.Query))
		writeProps(b, s.BM25.Properties)
		b.WriteByte('}')
	case s.NearVector != nil:
		b.WriteString("nearVector:{vector:")
		writeVector(b, s.NearVector)
		b.WriteByte('}')
	case s.Hybrid != nil:
		h := s.Hybrid
		b.WriteString("hybrid:{query:")
		b.WriteString(gqlString(h.Query))
		if h.Vector != nil {
			b.WriteString(",vector:")
			writeVector(b, h.Vector)
		}
		b.WriteString(",alpha:")
		b.WriteString(strconv.FormatFloat(h.Alpha, 'g', -1, 64))
		if h.Fusion != "" {
			b.WriteString(",fusionType:")
			b.WriteString(string(h.Fusion))
		}
		writeProps(b, h.Properties)
		b.WriteByte('}')
	}
	sep := n > 0 // whether an argument precedes the next one
	arg := func(name string) {
		if sep {
			b.WriteByte(',')
		}
		sep = true
		b.WriteString(name)
		b.WriteByte(':')
	}
	if s.Where != nil {
		arg("where")
		s.Where.graphQL(b)
	}
	if s.Limit > 0 {
		arg("limit")
		b.WriteString(strconv.Itoa(s.Limit))
	}
	if s.Offset > 0 {
		arg("offset")
		b.WriteString(strconv.Itoa(s.Offset))
	}
	if s.Consistency != "" {
		arg("consistencyLevel")
		b.WriteString(string(s.Consistency))
	}
	b.WriteString("){")
	for _, p := range s.Properties {
		b.WriteString(p)
		b.WriteByte(' ')
	}
	b.WriteString("_additional{id")
	switch {
	case s.BM25 != nil, s.Hybrid != nil:
		b.WriteString(" score")
	case s.NearVector != nil:
		b.WriteString(" distance")
	}
	if s.Explain {
		b.WriteString(" explainScore")
	}
	if s.WithVector {
		b.WriteString(" vector")
	}
	b.WriteString("}}")
	return nil
}

func (s Search) bm25Props() []string {
	if s.BM25 == nil {
		return nil
	}
	return s.BM25.Properties
}

func (s Search) hybridProps() []string {
	if s.Hybrid == nil {
		return nil
	}
	return s.Hybrid.Properties
}

func writeProps(b *strings.Builder, props []string) {
	if props == nil {
		return
	}
	b.WriteString(",properties:")
	gqlValue(b, props)
}

func writeVector(b *strings.Builder, v []float32) {
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
	}
	b.WriteByte(']')
}

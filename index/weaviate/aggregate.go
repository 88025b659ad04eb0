package weaviate

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Count is the number of objects in the collection matching where (nil:
// all of them).
func (c *Client) Count(ctx context.Context, class string, where *Where) (int, error) {
	n, err := c.Counts(ctx, class, []*Where{where})
	if err != nil {
		return 0, err
	}
	return n[0], nil
}

// Counts answers several counts in one GraphQL request, one aliased
// Aggregate per filter: e.g. the document frequencies of many terms with
// TextEqual filters on the ranking property.
func (c *Client) Counts(ctx context.Context, class string, wheres []*Where) ([]int, error) {
	if len(wheres) == 0 {
		return nil, nil
	}
	if !ClassNamePattern.MatchString(class) {
		return nil, fmt.Errorf("%w: collection name %q", ErrBadRequest, class)
	}
	var b strings.Builder
	b.WriteString("{Aggregate{")
	for i, w := range wheres {
		b.WriteString("c")
		b.WriteString(strconv.Itoa(i))
		b.WriteByte(':')
		b.WriteString(class)
		if w != nil {
			b.WriteString("(where:")
			w.graphQL(&b)
			b.WriteByte(')')
		}
		b.WriteString("{meta{count}}")
	}
	b.WriteString("}}")
	data, err := c.graphQL(ctx, "aggregate", b.String())
	if err != nil {
		return nil, err
	}
	var answer struct {
		Aggregate map[string][]struct {
			Meta struct {
				Count *int `json:"count"`
			} `json:"meta"`
		} `json:"Aggregate"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return nil, &Error{Op: "aggregate", Kind: ErrBadRequest, Messages: []string{"unexpected answer: " + err.Error()}}
	}
	out := make([]int, len(wheres))
	for i := range wheres {
		rows := answer.Aggregate["c"+strconv.Itoa(i)]
		if len(rows) != 1 || rows[0].Meta.Count == nil {
			return nil, &Error{Op: "aggregate", Kind: ErrBadRequest, Messages: []string{"answer lacks count c" + strconv.Itoa(i)}}
		}
		out[i] = *rows[0].Meta.Count
	}
	return out, nil
}

// TermCounts is the number of objects whose text property prop holds each
// term (document frequencies), in one request. prop must be filterable.
func (c *Client) TermCounts(ctx context.Context, class, prop string, terms []string) ([]int, error) {
	ws := make([]*Where, len(terms))
	for i, t := range terms {
		ws[i] = TextEqual(prop, t)
	}
	return c.Counts(ctx, class, ws)
}

// IntStats is what Aggregate reports for an int property.
type IntStats struct {
	Count int     // objects with a value
	Sum   float64 // sum of the values
	Mean  float64
}

// SumInt aggregates an int property over the objects matching where (nil:
// all): e.g. the total length of the ranking text, for BM25's average
// document length. prop must be filterable (else the server answers
// "could not find bucket").
func (c *Client) SumInt(ctx context.Context, class, prop string, where *Where) (IntStats, error) {
	if !ClassNamePattern.MatchString(class) || !propNamePattern.MatchString(prop) {
		return IntStats{}, fmt.Errorf("%w: collection %q property %q", ErrBadRequest, class, prop)
	}
	var b strings.Builder
	b.WriteString("{Aggregate{")
	b.WriteString(class)
	if where != nil {
		b.WriteString("(where:")
		where.graphQL(&b)
		b.WriteByte(')')
	}
	b.WriteString("{")
	b.WriteString(prop)
	// Not `mean`: v1.35.2 fails it on a single shard ("interface
	// conversion: … not *aggregator.numericalAggregator").
	b.WriteString("{count sum}}}}")
	data, err := c.graphQL(ctx, "aggregate", b.String())
	if err != nil {
		return IntStats{}, err
	}
	var answer struct {
		Aggregate map[string][]map[string]struct {
			Count *int     `json:"count"`
			Sum   *float64 `json:"sum"`
		} `json:"Aggregate"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return IntStats{}, &Error{Op: "aggregate", Kind: ErrBadRequest, Messages: []string{"unexpected answer: " + err.Error()}}
	}
	rows := answer.Aggregate[class]
	if len(rows) != 1 {
		return IntStats{}, &Error{Op: "aggregate", Kind: ErrBadRequest, Messages: []string{"answer lacks " + prop}}
	}
	v := rows[0][prop]
	var s IntStats
	if v.Count != nil {
		s.Count = *v.Count
	}
	if v.Sum != nil {
		s.Sum = *v.Sum
	}
	if s.Count > 0 {
		s.Mean = s.Sum / float64(s.Count)
	}
	return s, nil
}

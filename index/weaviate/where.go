package weaviate

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Where is a filter tree, built with the functions below and sent both in
// REST bodies (batch delete) and in GraphQL arguments. A nil *Where is no
// filter.
type Where struct {
	op       string
	path     string
	valueKey string // "valueInt", "valueText", "valueDate", …
	value    any
	operands []*Where
}

// And matches objects every operand matches; nil operands are dropped, and
// And of nothing is nil (no filter).
func And(ws ...*Where) *Where { return combine("And", ws) }

// Or matches objects any operand matches; nil operands are dropped.
func Or(ws ...*Where) *Where { return combine("Or", ws) }

func combine(op string, ws []*Where) *Where {
	var kept []*Where
	for _, w := range ws {
		if w != nil {
			kept = append(kept, w)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	}
	return &Where{op: op, operands: kept}
}

// TextEqual matches objects whose text property prop holds the term v (for
// a whitespace- or word-tokenised property: has that token; for a
// field-tokenised one: is exactly v; for text[]: any element).
func TextEqual(prop, v string) *Where {
	return &Where{op: "Equal", path: prop, valueKey: "valueText", value: v}
}

// TextAny matches objects whose text[] (or tokenised text) property holds
// any of vs (ContainsAny).
func TextAny(prop string, vs ...string) *Where {
	return &Where{op: "ContainsAny", path: prop, valueKey: "valueText", value: vs}
}

// Like matches a field-tokenised text (or any element of a text[]) against
// a pattern where * is any run of characters and ? any one character.
// Weaviate has no escape for * and ?: see LikeSubstring.
func Like(prop, pattern string) *Where {
	return &Where{op: "Like", path: prop, valueKey: "valueText", value: pattern}
}

// LikeSubstring matches values containing sub. Weaviate's Like has no
// escape character, so a * or ? in sub becomes ? (any one character): the
// filter then matches a superset, and ok is false to tell the caller to
// check the values itself.
func LikeSubstring(prop, sub string) (w *Where, exact bool) {
	exact = !strings.ContainsAny(sub, "*?")
	sub = strings.NewReplacer("*", "?", "?", "?").Replace(sub)
	return Like(prop, "*"+sub+"*"), exact
}

// IntRange matches lo ≤ prop ≤ hi; a zero bound is open. Both zero is nil.
func IntRange(prop string, lo, hi int) *Where {
	var ws []*Where
	if lo != 0 {
		ws = append(ws, &Where{op: "GreaterThanEqual", path: prop, valueKey: "valueInt", value: lo})
	}
	if hi != 0 {
		ws = append(ws, &Where{op: "LessThanEqual", path: prop, valueKey: "valueInt", value: hi})
	}
	return And(ws...)
}

// DateOnOrAfter matches objects whose date property is on or after t;
// objects without the property do not match.
func DateOnOrAfter(prop string, t time.Time) *Where {
	return &Where{op: "GreaterThanEqual", path: prop, valueKey: "valueDate", value: t.UTC().Format(time.RFC3339)}
}

// IDAny matches objects whose UUID is one of ids.
func IDAny(ids ...string) *Where {
	return &Where{op: "ContainsAny", path: "id", valueKey: "valueText", value: ids}
}

// wire is the REST JSON form.
func (w *Where) wire() map[string]any {
	if w == nil {
		return nil
	}
	m := map[string]any{"operator": w.op}
	if w.operands != nil {
		ops := make([]map[string]any, len(w.operands))
		for i, o := range w.operands {
			ops[i] = o.wire()
		}
		m["operands"] = ops
		return m
	}
	m["path"] = []string{w.path}
	key := w.valueKey
	if _, isList := w.value.([]string); isList {
		// REST wants list values under their own key (valueTextArray);
		// GraphQL takes a list under the plain one.
		key += "Array"
	}
	m[key] = w.value
	return m
}

// graphQL writes the GraphQL argument form: the same tree with enum
// operators unquoted and keys bare.
func (w *Where) graphQL(b *strings.Builder) {
	b.WriteString("{operator:")
	b.WriteString(w.op)
	if w.operands != nil {
		b.WriteString(",operands:[")
		for i, o := range w.operands {
			if i > 0 {
				b.WriteByte(',')
			}
			o.graphQL(b)
		}
		b.WriteString("]}")
		return
	}
	b.WriteString(",path:[")
	b.WriteString(gqlString(w.path))
	b.WriteString("],")
	b.WriteString(w.valueKey)
	b.WriteByte(':')
	gqlValue(b, w.value)
	b.WriteByte('}')
}

// gqlString is s as a GraphQL string literal. JSON's escaping is valid
// GraphQL string syntax.
func gqlString(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

func gqlValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case string:
		b.WriteString(gqlString(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case []string:
		b.WriteByte('[')
		for i, s := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(gqlString(s))
		}
		b.WriteByte(']')
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	default:
		raw, _ := json.Marshal(v)
		b.Write(raw)
	}
}

// String is the GraphQL form, for messages and tests.
func (w *Where) String() string {
	if w == nil {
		return ""
	}
	var b strings.Builder
	w.graphQL(&b)
	return b.String()
}

// sortedKeys is a helper for deterministic request text.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

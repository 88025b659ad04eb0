package weaviatetest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
)

// The fake's data model: collections of objects with Weaviate's semantics
// for what paperseek uses — tokenization, bm25 (Weaviate's formula, which
// leaves out BM25's (k1+1) factor), cosine nearVector, where filters,
// aggregates — and a placement of shards on nodes so that a killed node
// takes its shards' objects out of answers as it does on a real cluster.

type property struct {
	Name         string
	DataType     string // text, text[], int, number, date, blob, boolean
	Tokenization string // text only
	Filterable   bool
	Searchable   bool
	RangeFilters bool
}

type class struct {
	Name       string
	Props      []*property
	K1, B      float64
	Shards     int
	Replicas   int
	Async      bool
	SkipVector bool
	VectorType string
	BlockMax   bool
	shardNames []string
	dims       int // of the first vector stored; 0 before
	objects    map[string]*object
	seq        uint64
}

type object struct {
	ID      string
	Props   map[string]any // as decoded from JSON
	Vector  []float32
	Created int64
	Updated int64
	docID   uint64 // insertion order, for ties (as Weaviate's internal doc ids)
}

func (c *class) prop(name string) *property {
	for _, p := range c.Props {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// shardOf places an object: fnv-1a of its UUID modulo the shard count
// (Weaviate uses murmur3 over virtual shards; only the spread matters here).
func (c *class) shardOf(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(c.Shards))
}

// replicaNodes are the nodes holding shard s: s, s+1, … modulo the cluster
// size, one per replica.
func (c *class) replicaNodes(s, nodes int) []int {
	out := make([]int, 0, c.Replicas)
	for r := 0; r < c.Replicas && r < nodes; r++ {
		out = append(out, (s+r)%nodes)
	}
	return out
}

// shardName is a deterministic stand-in for Weaviate's random 12-character
// shard names.
func shardName(class string, i int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", class, i)
	v := h.Sum64()
	b := make([]byte, 12)
	for j := range b {
		b[j] = alphabet[v%uint64(len(alphabet))]
		v = v/uint64(len(alphabet)) + uint64(j)*7919
	}
	return string(b)
}

// ---- tokenization ----

func tokenize(tokenization, s string) []string {
	switch tokenization {
	case "field":
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		return []string{s}
	case "whitespace":
		return strings.Fields(s)
	case "lowercase":
		return strings.Fields(strings.ToLower(s))
	default: // word
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
}

// tokensOf is the indexed terms of a text or text[] value.
func tokensOf(p *property, v any) []string {
	switch v := v.(type) {
	case string:
		return tokenize(p.Tokenization, v)
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, tokenize(p.Tokenization, s)...)
			}
		}
		return out
	}
	return nil
}

// ---- validation of incoming objects ----

func (c *class) validate(props map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(props))
	for name, v := range props {
		p := c.prop(name)
		if p == nil {
			return nil, fmt.Errorf("no such prop with name '%s' found in class '%s' in the schema. Check your schema files for which properties in this class are available", name, c.Name)
		}
		if v == nil {
			continue
		}
		switch p.DataType {
		case "int":
			f, ok := v.(float64)
			if !ok || f != math.Trunc(f) {
				return nil, fmt.Errorf("invalid integer property '%s' on class '%s': requires an integer, the given value is '%v'", name, c.Name, v)
			}
		case "number":
			if _, ok := v.(float64); !ok {
				return nil, fmt.Errorf("invalid number property '%s' on class '%s': requires a float, the given value is '%v'", name, c.Name, v)
			}
		case "text", "blob":
			if _, ok := v.(string); !ok {
				return nil, fmt.Errorf("invalid text property '%s' on class '%s': not a string, but %T", name, c.Name, v)
			}
		case "text[]":
			list, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("invalid text array property '%s' on class '%s': not a list, but %T", name, c.Name, v)
			}
			for _, e := range list {
				if _, ok := e.(string); !ok {
					return nil, fmt.Errorf("invalid text array property '%s' on class '%s': element not a string", name, c.Name)
				}
			}
		case "date":
			s, ok := v.(string)
			if _, err := time.Parse(time.RFC3339, s); !ok || err != nil {
				return nil, fmt.Errorf("invalid date property '%s' on class '%s': requires a string with a RFC3339 formatted date, but the given value is '%v'", name, c.Name, v)
			}
		case "boolean":
			if _, ok := v.(bool); !ok {
				return nil, fmt.Errorf("invalid boolean property '%s' on class '%s': requires a bool, the given value is '%v'", name, c.Name, v)
			}
		}
		out[name] = v
	}
	return out, nil
}

// ---- where filters ----

type filter struct {
	Operator string
	Operands []*filter
	Path     []string
	Value    any    // string, float64, bool, []any
	ValueKey string // valueText, valueInt, …
}

// parseFilter reads a where filter from its GraphQL argument value or its
// REST JSON (decoded into map[string]any either way).
func parseFilter(v any) (*filter, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("invalid 'where' filter: not an object")
	}
	f := &filter{}
	switch op := m["operator"].(type) {
	case gqlEnum:
		f.Operator = string(op)
	case string:
		f.Operator = op
	default:
		return nil, fmt.Errorf("invalid 'where' filter: operator is required")
	}
	if ops, ok := m["operands"].([]any); ok {
		for _, o := range ops {
			sub, err := parseFilter(o)
			if err != nil {
				return nil, err
			}
			f.Operands = append(f.Operands, sub)
		}
	}
	if path, ok := m["path"].([]any); ok {
		for _, p := range path {
			s, _ := p.(string)
			f.Path = append(f.Path, s)
		}
	}
	for k, val := range m {
		if strings.HasPrefix(k, "value") {
			f.ValueKey, f.Value = strings.TrimSuffix(k, "Array"), val
		}
	}
	return f, nil
}

// wire is the filter as the server echoes it (models.WhereFilter: every
// node has operands, null on leaves; list values under "…Array").
func (f *filter) wire() map[string]any {
	m := map[string]any{"operator": f.Operator, "operands": nil}
	if f.Operands != nil {
		ops := make([]map[string]any, len(f.Operands))
		for i, o := range f.Operands {
			ops[i] = o.wire()
		}
		m["operands"] = ops
	}
	m["path"] = f.Path // null on And/Or, as the server echoes it
	if f.ValueKey != "" {
		key := f.ValueKey
		if _, isList := f.Value.([]any); isList {
			key += "Array"
		}
		m[key] = f.Value
	}
	return m
}

// check reports what Weaviate says of a filter naming unknown properties.
func (f *filter) check(c *class) error {
	if f.Operator == "And" || f.Operator == "Or" || f.Operator == "Not" {
		var msgs []string
		for i, o := range f.Operands {
			if err := o.check(c); err != nil {
				msgs = append(msgs, fmt.Sprintf("child operand at position %d: %s", i, strings.TrimPrefix(err.Error(), "invalid 'where' filter: ")))
			}
		}
		if len(msgs) > 0 {
			return fmt.Errorf("invalid 'where' filter: %s", strings.Join(msgs, ", "))
		}
		return nil
	}
	if len(f.Path) != 1 {
		return fmt.Errorf("invalid 'where' filter: path must have one element")
	}
	if f.Path[0] == "id" || f.Path[0] == "_id" {
		return nil
	}
	if c.prop(f.Path[0]) == nil {
		return fmt.Errorf("invalid 'where' filter: no such prop with name '%s' found in class '%s' in the schema. Check your schema files for which properties in this class are available", f.Path[0], c.Name)
	}
	return nil
}

func (f *filter) match(c *class, o *object) bool {
	switch f.Operator {
	case "And":
		for _, op := range f.Operands {
			if !op.match(c, o) {
				return false
			}
		}
		return true
	case "Or":
		for _, op := range f.Operands {
			if op.match(c, o) {
				return true
			}
		}
		return false
	case "Not":
		return len(f.Operands) == 1 && !f.Operands[0].match(c, o)
	}
	name := f.Path[0]
	var values []any // the object's values for the property (text[] elements one by one)
	var p *property
	if name == "id" || name == "_id" {
		values = []any{o.ID}
		p = &property{DataType: "text", Tokenization: "field"}
	} else {
		p = c.prop(name)
		switch v := o.Props[name].(type) {
		case nil:
		case []any:
			values = v
		default:
			values = []any{v}
		}
	}
	if f.Operator == "IsNull" {
		want, _ := f.Value.(bool)
		return (len(values) == 0) == want
	}
	wanted := f.Value
	list, isList := wanted.([]any)
	if !isList {
		list = []any{wanted}
	}
	switch f.Operator {
	case "ContainsAny":
		for _, w := range list {
			if anyMatches(p, values, "Equal", w) {
				return true
			}
		}
		return false
	case "ContainsAll":
		for _, w := range list {
			if !anyMatches(p, values, "Equal", w) {
				return false
			}
		}
		return true
	case "NotEqual":
		return !anyMatches(p, values, "Equal", wanted)
	}
	return anyMatches(p, values, f.Operator, wanted)
}

func anyMatches(p *property, values []any, op string, want any) bool {
	for _, v := range values {
		if valueMatches(p, v, op, want) {
			return true
		}
	}
	return false
}

func valueMatches(p *property, v any, op string, want any) bool {
	switch p.DataType {
	case "text", "text[]":
		s, _ := v.(string)
		w, _ := want.(string)
		toks := tokenize(p.Tokenization, s)
		wtoks := tokenize(p.Tokenization, w)
		switch op {
		case "Equal":
			if len(wtoks) == 0 {
				return false
			}
			for _, wt := range wtoks {
				if !containsString(toks, wt) {
					return false
				}
			}
			return true
		case "Like":
			re := likePattern(strings.TrimSpace(w), p.Tokenization)
			for _, t := range toks {
				if re.MatchString(t) {
					return true
				}
			}
			return false
		}
		return compareOrdered(strings.Compare(s, w), op)
	case "int", "number":
		a, _ := v.(float64)
		b, _ := want.(float64)
		if op == "Equal" {
			return a == b
		}
		switch {
		case a < b:
			return compareOrdered(-1, op)
		case a > b:
			return compareOrdered(1, op)
		}
		return compareOrdered(0, op)
	case "date":
		a, err1 := time.Parse(time.RFC3339, fmt.Sprint(v))
		b, err2 := time.Parse(time.RFC3339, fmt.Sprint(want))
		if err1 != nil || err2 != nil {
			return false
		}
		if op == "Equal" {
			return a.Equal(b)
		}
		return compareOrdered(a.Compare(b), op)
	case "boolean":
		return op == "Equal" && v == want
	}
	return false
}

func compareOrdered(c int, op string) bool {
	switch op {
	case "Equal":
		return c == 0
	case "GreaterThan":
		return c > 0
	case "GreaterThanEqual":
		return c >= 0
	case "LessThan":
		return c < 0
	case "LessThanEqual":
		return c <= 0
	}
	return false
}

func likePattern(pattern, tokenization string) *regexp.Regexp {
	if tokenization != "field" {
		pattern = strings.ToLower(pattern)
	}
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// ---- ranking ----

type ranked struct {
	o        *object
	score    float64 // bm25 / hybrid
	distance float64 // nearVector
	explain  string
}

// bm25 scores objs as Weaviate does: per property, for each distinct query
// term (a term given n times weighs n times), idf·tf/(tf + k1(1−b+b·len/avg))
// with idf = ln(1+(N−df+0.5)/(df+0.5)), N the objects having the property.
// len is the token count under BlockMax WAND, but the number of distinct
// terms under the older WAND, as v1.35.2 does. Objects without any query
// term are left out.
func (c *class) bm25(objs []*object, query string, props []string) []ranked {
	if len(props) == 0 {
		for _, p := range c.Props {
			if p.Searchable && (p.DataType == "text" || p.DataType == "text[]") {
				props = append(props, p.Name)
			}
		}
	}
	scores := map[*object]*ranked{}
	for _, name := range props {
		p := c.prop(name)
		if p == nil || !p.Searchable {
			continue
		}
		qtoks := tokenize(p.Tokenization, query)
		qn := map[string]int{}
		var order []string
		for _, t := range qtoks {
			if qn[t] == 0 {
				order = append(order, t)
			}
			qn[t]++
		}
		// Statistics over every object of the class (a filter does not
		// change them), as on a one-shard collection.
		toks := map[*object][]string{}
		df := map[string]int{}
		total, n := 0, 0
		for _, o := range c.objects {
			ts := tokensOf(p, o.Props[name])
			if len(ts) == 0 {
				continue
			}
			toks[o] = ts
			n++
			total += c.propLength(ts)
			seen := map[string]bool{}
			for _, t := range ts {
				if qn[t] > 0 && !seen[t] {
					df[t]++
					seen[t] = true
				}
			}
		}
		if n == 0 {
			continue
		}
		avg := float64(total) / float64(n)
		for _, o := range objs {
			ts := toks[o]
			if len(ts) == 0 {
				continue
			}
			tf := map[string]int{}
			for _, t := range ts {
				if qn[t] > 0 {
					tf[t]++
				}
			}
			if len(tf) == 0 {
				continue
			}
			r := scores[o]
			if r == nil {
				r = &ranked{o: o}
				scores[o] = r
			}
			for _, t := range order {
				f := float64(tf[t])
				if f == 0 {
					continue
				}
				idf := math.Log(1+(float64(n)-float64(df[t])+0.5)/(float64(df[t])+0.5)) * float64(qn[t])
				dl := c.propLength(ts)
				r.score += idf * f / (f + c.K1*(1-c.B+c.B*float64(dl)/avg))
				r.explain += fmt.Sprintf(", BM25F_%s_frequency:%d, BM25F_%s_propLength:%d", t, tf[t], t, dl)
			}
		}
	}
	out := make([]ranked, 0, len(scores))
	for _, r := range scores {
		r.score = float64(float32(r.score))
		out = append(out, *r)
	}
	// Equal scores come in UUID order, as the real server sorts them.
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].o.ID < out[j].o.ID
	})
	return out
}

// propLength is the length bm25 uses for a property holding toks.
func (c *class) propLength(toks []string) int {
	if c.BlockMax {
		return len(toks)
	}
	seen := map[string]bool{}
	for _, t := range toks {
		seen[t] = true
	}
	return len(seen)
}

// nearVector ranks objs by cosine distance 1 − cos to v, nearest first.
func nearVector(objs []*object, v []float32) ([]ranked, error) {
	out := make([]ranked, 0, len(objs))
	for _, o := range objs {
		if o.Vector == nil {
			continue
		}
		if len(o.Vector) != len(v) {
			return nil, fmt.Errorf("vector search: knn search: distance between entrypoint and query node: %d vs %d: vector lengths don't match", len(o.Vector), len(v))
		}
		var ab, aa, bb float64
		for i := range v {
			ab += float64(o.Vector[i]) * float64(v[i])
			aa += float64(o.Vector[i]) * float64(o.Vector[i])
			bb += float64(v[i]) * float64(v[i])
		}
		d := 1.0
		if aa > 0 && bb > 0 {
			d = 1 - ab/math.Sqrt(aa*bb)
		}
		out = append(out, ranked{o: o, distance: float64(float32(d))})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].distance != out[j].distance {
			return out[i].distance < out[j].distance
		}
		return out[i].o.docID < out[j].o.docID
	})
	return out, nil
}

// hybrid fuses bm25 and nearVector like Weaviate's two fusion types,
// over each leg's whole ranking. It is an approximation: Weaviate takes a
// limited number of candidates from each leg.
func (c *class) hybrid(objs []*object, query string, vec []float32, alpha float64, fusion string, props []string) ([]ranked, error) {
	kw := c.bm25(objs, query, props)
	var vr []ranked
	if vec != nil {
		var err error
		if vr, err = nearVector(objs, vec); err != nil {
			return nil, err
		}
	}
	fused := map[*object]float64{}
	// explain is each hit's explainScore, as Weaviate v1.35 writes it.
	explain := map[*object]string{}
	add := func(rs []ranked, set string, weight float64, score func(i int) float64) {
		for i, r := range rs {
			part := float32(weight * score(i))
			fused[r.o] += float64(part)
			if fusion == "rankedFusion" {
				explain[r.o] += fmt.Sprintf("\nHybrid (Result Set %s) Document %s contributed %v to the score", set, r.o.ID, part)
				continue
			}
			orig := r.score
			if set != "keyword,bm25" {
				orig = 1 - r.distance
			}
			line := fmt.Sprintf("\nHybrid (Result Set %s) Document %s: original score %v, normalized score: %v", set, r.o.ID, float32(orig), part)
			if explain[r.o] != "" {
				line += " - " + explain[r.o]
			}
			explain[r.o] = line
		}
	}
	// Weaviate runs no keyword leg at alpha 1 and no vector leg at 0.
	if alpha >= 1 {
		kw = nil
	}
	if alpha <= 0 {
		vr = nil
	}
	if fusion == "rankedFusion" {
		add(kw, "keyword,bm25", 1-alpha, func(i int) float64 { return 1 / float64(60+i) })
		add(vr, "vector,hybridVector", alpha, func(i int) float64 { return 1 / float64(60+i) })
	} else {
		norm := func(rs []ranked, val func(r ranked) float64) func(int) float64 {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, r := range rs {
				lo, hi = min(lo, val(r)), max(hi, val(r))
			}
			return func(i int) float64 {
				if hi == lo {
					return 1
				}
				return (val(rs[i]) - lo) / (hi - lo)
			}
		}
		add(kw, "keyword,bm25", 1-alpha, norm(kw, func(r ranked) float64 { return r.score }))
		add(vr, "vector,hybridVector", alpha, norm(vr, func(r ranked) float64 { return -r.distance }))
	}
	out := make([]ranked, 0, len(fused))
	for o, s := range fused {
		out = append(out, ranked{o: o, score: float64(float32(s)), explain: explain[o]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].o.docID < out[j].o.docID
	})
	return out, nil
}

// jsonNumber renders a float as Weaviate's JSON does for float32 values.
func jsonNumber(f float64) json.RawMessage {
	raw, _ := json.Marshal(float32(f))
	return raw
}

package weaviatetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

type gqlErr struct {
	Message string   `json:"message"`
	Path    []string `json:"path"`
}

func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Query string `json:"query"`
	}
	if err := decodeBody(r, &in); err != nil {
		writeJSON(w, 422, map[string]any{"code": 601, "message": "parsing body body from \"\" failed: " + err.Error()})
		return
	}
	fields, err := parseGraphQL(in.Query)
	if err != nil {
		writeJSON(w, 200, map[string]any{"errors": []gqlErr{{Message: err.Error()}}})
		return
	}
	// Validation first, as graphql-go does: any error and there is no data.
	var verrs []gqlErr
	for _, top := range fields {
		verrs = append(verrs, s.validate(top)...)
	}
	if len(verrs) > 0 {
		writeJSON(w, 200, map[string]any{"errors": verrs})
		return
	}
	data := map[string]any{}
	var errs []gqlErr
	for _, top := range fields {
		out := map[string]any{}
		for _, f := range top.Fields {
			var v any
			var err error
			if top.Name == "Get" {
				v, err = s.get(f)
			} else {
				v, err = s.aggregate(f)
			}
			if err != nil {
				errs = append(errs, gqlErr{Message: err.Error(), Path: []string{top.Name, f.Key()}})
				v = nil
			}
			out[f.Key()] = v
		}
		data[top.Key()] = out
	}
	answer := map[string]any{"data": data}
	if len(errs) > 0 {
		answer["errors"] = errs
	}
	writeJSON(w, 200, answer)
}

var getArgs = map[string]bool{"bm25": true, "nearVector": true, "hybrid": true, "where": true, "limit": true, "offset": true, "consistencyLevel": true, "autocut": true}

func (s *Server) validate(top *gqlField) []gqlErr {
	var errs []gqlErr
	objType := "GetObjectsObj"
	switch top.Name {
	case "Get":
	case "Aggregate":
		objType = "AggregateObjectsObj"
	default:
		return []gqlErr{{Message: fmt.Sprintf("Cannot query field %q on type \"WeaviateObj\".", top.Name)}}
	}
	for _, f := range top.Fields {
		c := s.classes[f.Name]
		if c == nil {
			errs = append(errs, gqlErr{Message: fmt.Sprintf("Cannot query field %q on type %q.", f.Name, objType)})
			continue
		}
		for _, a := range sortedArgNames(f.Args) {
			known := getArgs[a]
			if top.Name == "Aggregate" {
				known = a == "where" || a == "objectLimit" || a == "groupBy"
			}
			if a == "consistencyLevel" && c.Replicas == 1 {
				known = false // the server only offers it on replicated collections
			}
			if !known {
				errs = append(errs, gqlErr{Message: fmt.Sprintf("Unknown argument %q on field %q of type %q.", a, f.Name, objType)})
			}
		}
		typ := c.Name
		if top.Name == "Aggregate" {
			typ = "Aggregate" + c.Name
		}
		for _, sel := range f.Fields {
			switch {
			case sel.Name == "_additional" && top.Name == "Get", sel.Name == "meta" && top.Name == "Aggregate":
			case c.prop(sel.Name) == nil:
				errs = append(errs, gqlErr{Message: fmt.Sprintf("Cannot query field %q on type %q.", sel.Name, typ)})
			}
		}
	}
	return errs
}

func sortedArgNames(m map[string]any) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// candidates are the class's objects a read at the field's consistency
// level can see, filtered by its where argument.
func (s *Server) candidates(c *class, f *gqlField) ([]*object, error) {
	level := "QUORUM"
	if cl, ok := f.Args["consistencyLevel"].(gqlEnum); ok {
		level = string(cl)
	}
	shards, err := s.readable(c, level)
	if err != nil {
		return nil, fmt.Errorf("explorer: get class: vector search: object search at index %s: %w", strings.ToLower(c.Name), err)
	}
	var flt *filter
	if wa, ok := f.Args["where"]; ok {
		if flt, err = parseFilter(wa); err == nil {
			err = flt.check(c)
		}
		if err != nil {
			return nil, err
		}
	}
	objs := make([]*object, 0, len(c.objects))
	for _, o := range c.objects {
		if !shards[c.shardOf(o.ID)] {
			continue
		}
		if flt != nil && !flt.match(c, o) {
			continue
		}
		objs = append(objs, o)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].docID < objs[j].docID })
	return objs, nil
}

func argString(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func argStrings(m map[string]any, k string) []string {
	list, _ := m[k].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func argVector(m map[string]any, k string) []float32 {
	list, ok := m[k].([]any)
	if !ok {
		return nil
	}
	v := make([]float32, len(list))
	for i, x := range list {
		f, _ := x.(float64)
		v[i] = float32(f)
	}
	return v
}

func argInt(m map[string]any, k string, def int) int {
	if f, ok := m[k].(float64); ok {
		return int(f)
	}
	return def
}

func (s *Server) get(f *gqlField) (any, error) {
	c := s.classes[f.Name]
	objs, err := s.candidates(c, f)
	if err != nil {
		return nil, err
	}
	var rs []ranked
	kind := ""
	switch {
	case f.Args["bm25"] != nil:
		kind = "bm25"
		a, _ := f.Args["bm25"].(map[string]any)
		rs = c.bm25(objs, argString(a, "query"), argStrings(a, "properties"))
	case f.Args["nearVector"] != nil:
		kind = "nearVector"
		a, _ := f.Args["nearVector"].(map[string]any)
		if rs, err = nearVector(objs, argVector(a, "vector")); err != nil {
			return nil, fmt.Errorf("explorer: get class: vector search: object vector search at index %s: %w", strings.ToLower(c.Name), err)
		}
	case f.Args["hybrid"] != nil:
		kind = "hybrid"
		a, _ := f.Args["hybrid"].(map[string]any)
		alpha := 0.75
		if x, ok := a["alpha"].(float64); ok {
			alpha = x
		}
		fusion := "relativeScoreFusion"
		if ft, ok := a["fusionType"].(gqlEnum); ok {
			fusion = string(ft)
		}
		if rs, err = c.hybrid(objs, argString(a, "query"), argVector(a, "vector"), alpha, fusion, argStrings(a, "properties")); err != nil {
			return nil, err
		}
	default:
		for _, o := range objs {
			rs = append(rs, ranked{o: o})
		}
	}
	offset := argInt(f.Args, "offset", 0)
	limit := argInt(f.Args, "limit", 10)
	if offset > len(rs) {
		offset = len(rs)
	}
	rs = rs[offset:min(len(rs), offset+limit)]
	rows := make([]map[string]any, len(rs))
	for i, r := range rs {
		row := map[string]any{}
		for _, sel := range f.Fields {
			if sel.Name != "_additional" {
				row[sel.Key()] = r.o.Props[sel.Name]
				continue
			}
			add := map[string]any{}
			for _, a := range sel.Fields {
				switch a.Name {
				case "id":
					add[a.Key()] = r.o.ID
				case "score":
					if kind == "bm25" || kind == "hybrid" {
						add[a.Key()] = strconv.FormatFloat(r.score, 'f', -1, 32)
					} else {
						add[a.Key()] = nil
					}
				case "distance":
					if kind == "nearVector" {
						add[a.Key()] = jsonNumber(r.distance)
					} else {
						add[a.Key()] = nil
					}
				case "explainScore":
					add[a.Key()] = r.explain
				case "vector":
					add[a.Key()] = r.o.Vector
				case "creationTimeUnix":
					add[a.Key()] = strconv.FormatInt(r.o.Created, 10)
				case "lastUpdateTimeUnix":
					add[a.Key()] = strconv.FormatInt(r.o.Updated, 10)
				default:
					add[a.Key()] = nil
				}
			}
			row[sel.Key()] = add
		}
		rows[i] = row
	}
	return rows, nil
}

func (s *Server) aggregate(f *gqlField) (any, error) {
	c := s.classes[f.Name]
	objs, err := s.candidates(c, f)
	if err != nil {
		return nil, err
	}
	row := map[string]any{}
	for _, sel := range f.Fields {
		if sel.Name == "meta" {
			m := map[string]any{}
			for _, x := range sel.Fields {
				if x.Name == "count" {
					m[x.Key()] = len(objs)
				}
			}
			row[sel.Key()] = m
			continue
		}
		p := c.prop(sel.Name)
		if !p.Filterable {
			return nil, fmt.Errorf("shard %s: aggregate properties: property %s: could not find bucket for prop %s", c.shardNames[0], p.Name, p.Name)
		}
		var vals []float64
		for _, o := range objs {
			if v, ok := o.Props[p.Name].(float64); ok {
				vals = append(vals, v)
			}
		}
		m := map[string]any{}
		for _, x := range sel.Fields {
			sum, lo, hi := 0.0, 0.0, 0.0
			for i, v := range vals {
				sum += v
				if i == 0 || v < lo {
					lo = v
				}
				if i == 0 || v > hi {
					hi = v
				}
			}
			switch x.Name {
			case "count":
				m[x.Key()] = len(vals)
			case "sum":
				m[x.Key()] = json.RawMessage(strconv.FormatFloat(sum, 'f', -1, 64))
			case "mean":
				if len(vals) > 0 {
					m[x.Key()] = sum / float64(len(vals))
				} else {
					m[x.Key()] = nil
				}
			case "minimum":
				m[x.Key()] = lo
			case "maximum":
				m[x.Key()] = hi
			default:
				m[x.Key()] = nil
			}
		}
		row[sel.Key()] = m
	}
	return []map[string]any{row}, nil
}

package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paperseek/paperseek/query"
)

// badParam is a request the client must fix: 400 with its message.
type badParam struct{ msg string }

func (e *badParam) Error() string { return e.msg }

func badParamf(format string, args ...any) error {
	return &badParam{fmt.Sprintf(format, args...)}
}

// searchFromQuery reads the contract's GET parameters: q, k, offset, mode,
// year, since, category (repeatable, or comma-separated), author, explain, fusion,
// keyword_weight, rrf_k, sort, min_score. Parameters it does not know are ignored: query
// strings often carry unrelated ones (cache busters), unlike a JSON body
// written for this API. Range checks are the query layer's, so the CLI and
// HTTP report the same messages.
func searchFromQuery(v url.Values) (query.Request, error) {
	req := query.Request{
		Query:  v.Get("q"),
		Mode:   query.Mode(v.Get("mode")),
		Fusion: v.Get("fusion"),
		Filter: query.Filter{Author: v.Get("author")},
		Sort:   v.Get("sort"),
	}
	var err error
	if req.K, err = intParam(v, "k"); err != nil {
		return req, err
	}
	if s, _ := value(v, "k"); s != "" && req.K == 0 {
		// 0 means "default" inside the query layer; a client asking for
		// zero results asked for something the contract does not allow.
		return req, badParamf("k must be between 1 and %d", query.MaxK)
	}
	if req.Offset, err = intParam(v, "offset"); err != nil {
		return req, err
	}
	if req.Filter.Since, err = query.ParseSince(v.Get("since"), time.Now()); err != nil {
		return req, err
	}
	if req.Filter.Years, err = query.ParseYear(v.Get("year")); err != nil {
		return req, err
	}
	for _, c := range v["category"] {
		for _, one := range strings.Split(c, ",") {
			req.Filter.Categories = append(req.Filter.Categories, strings.TrimSpace(one))
		}
	}
	if s, ok := value(v, "explain"); ok {
		if s == "" {
			req.Explain = true
		} else if req.Explain, err = strconv.ParseBool(s); err != nil {
			return req, badParamf("explain must be true or false, got %q", s)
		}
	}
	if s, ok := value(v, "keyword_weight"); ok {
		w, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return req, badParamf("keyword_weight must be a number between 0 and 1, got %q", s)
		}
		req.KeywordWeight = &w
	}
	if s, ok := value(v, "min_score"); ok {
		m, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return req, badParamf("min_score must be a number between 0 and 1, got %q", s)
		}
		req.MinScore = &m
	}
	if s, ok := value(v, "rrf_k"); ok {
		if req.RRFK, err = strconv.ParseFloat(s, 64); err != nil {
			return req, badParamf("rrf_k must be a positive number, got %q", s)
		}
	}
	return req, nil
}

func value(v url.Values, name string) (string, bool) {
	if !v.Has(name) {
		return "", false
	}
	return strings.TrimSpace(v.Get(name)), true
}

func intParam(v url.Values, name string) (int, error) {
	s, ok := value(v, name)
	if !ok || s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badParamf("%s must be a whole number, got %q", name, s)
	}
	return n, nil
}

// searchOptions are the JSON body fields shared by POST /v1/search and
// POST /v1/related, named as the GET parameters are.
type searchOptions struct {
	K             *int      `json:"k"`
	Offset        int       `json:"offset"`
	Mode          string    `json:"mode"`
	Year          yearValue `json:"year"`
	Since         string    `json:"since"`
	Categories    []string  `json:"categories"`
	Author        string    `json:"author"`
	Explain       bool      `json:"explain"`
	Fusion        string    `json:"fusion"`
	KeywordWeight *float64  `json:"keyword_weight"`
	RRFK          float64   `json:"rrf_k"`
	Sort          string    `json:"sort"`
	MinScore      *float64  `json:"min_score"`
}

// searchBody is POST /v1/search.
type searchBody struct {
	Query string `json:"query"`
	searchOptions
}

// relatedBody is POST /v1/related.
type relatedBody struct {
	Text string `json:"text"`
	searchOptions
}

func (o *searchOptions) request(text string) (query.Request, error) {
	since, err := query.ParseSince(o.Since, time.Now())
	if err != nil {
		return query.Request{}, err
	}
	req := query.Request{
		Query:         text,
		Offset:        o.Offset,
		Mode:          query.Mode(o.Mode),
		Filter:        query.Filter{Years: query.YearRange(o.Year), Since: since, Categories: o.Categories, Author: o.Author},
		Explain:       o.Explain,
		Fusion:        o.Fusion,
		KeywordWeight: o.KeywordWeight,
		RRFK:          o.RRFK,
		Sort:          o.Sort,
		MinScore:      o.MinScore,
	}
	if o.K != nil {
		if *o.K == 0 {
			return req, badParamf("k must be between 1 and %d", query.MaxK)
		}
		req.K = *o.K
	}
	return req, nil
}

// yearValue takes the contract's year forms as a JSON string ("2019..2023")
// and, since a single year is a number to most clients, as a number too.
type yearValue query.YearRange

func (y *yearValue) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if len(b) > 0 && b[0] != '"' {
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return badParamf("year must be a string such as \"2019..2023\" or a year number")
		}
		s = n.String()
	} else if err := json.Unmarshal(b, &s); err != nil {
		return badParamf("year must be a string such as \"2019..2023\" or a year number")
	}
	r, err := query.ParseYear(s)
	if err != nil {
		return err
	}
	*y = yearValue(r)
	return nil
}

// decodeBody reads one JSON object into v. Unknown fields are refused: a
// misspelt field ("limit" for "k") would otherwise be ignored and the
// client would get default results without knowing why.
func decodeBody(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badParamf("request body is empty: send a JSON object such as {\"query\":\"graph neural networks\"}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return bodyError(err, v)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badParamf("request body must hold one JSON object and nothing after it")
	}
	if field, ok := unknownField(body, v); ok {
		return badParamf("unknown field %q in the request body; known fields: %s", field, strings.Join(jsonFields(reflect.TypeOf(v)), ", "))
	}
	return nil
}

// unknownField returns the first key of the JSON object body that names
// no field of v. Keys match field names as encoding/json matches them,
// ignoring case. (Decoder.DisallowUnknownFields says the same only as
// error text.) body has been decoded into v already, so it is one object.
func unknownField(body []byte, v any) (string, bool) {
	known := jsonFields(reflect.TypeOf(v))
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // {
		return "", false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		key, _ := tok.(string)
		if !slices.ContainsFunc(known, func(f string) bool { return strings.EqualFold(f, key) }) {
			return key, true
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", false
		}
	}
	return "", false
}

// bodyError turns encoding/json's errors into messages naming the field.
func bodyError(err error, v any) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var bad *badParam
	var qbad *query.BadRequestError
	switch {
	case errors.As(err, &bad):
		return bad
	case errors.As(err, &qbad):
		return qbad
	case errors.As(err, &syntax):
		return badParamf("request body is not valid JSON: %v (at byte %d)", syntax, syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badParamf("request body is not valid JSON: it ends too early")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badParamf("request body must be a JSON object, not %s", jsonKind(typ.Value))
		}
		// Field is a path through embedded structs ("searchOptions.k");
		// the client knows only the last name.
		field := typ.Field[strings.LastIndex(typ.Field, ".")+1:]
		return badParamf("%s must be %s, not %s", field, kindName(typ.Type), jsonKind(typ.Value))
	}
	return badParamf("request body is not valid JSON: %v", err)
}

// jsonKind names a JSON value kind as encoding/json reports it ("array",
// "number 1.5", …) with its article.
func jsonKind(v string) string {
	switch {
	case strings.HasPrefix(v, "array"), strings.HasPrefix(v, "object"):
		return "an " + v
	case v == "":
		return "that value"
	}
	return "a " + v
}

func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list of strings"
	}
	return "a string"
}

// jsonFields lists the JSON names of a struct's fields, embedded ones
// included, for the unknown-field message.
func jsonFields(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

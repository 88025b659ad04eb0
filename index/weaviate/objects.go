package weaviate

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// namespaceDNS is RFC 4122's DNS namespace UUID (6ba7b810-9dad-11d1-80b4-00c04fd430c8).
var namespaceDNS = [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// ObjectID is the Weaviate object id of a paperseek id: the RFC 4122
// version-5 UUID of the id's UTF-8 bytes in the DNS namespace. That is what
// Weaviate's own Python and TypeScript clients compute for
// generate_uuid5(id), so a user can find a paper's object from any client.
// Being a pure function of the id it makes writes idempotent: sending a
// paper twice replaces the object instead of adding a second one.
func ObjectID(id string) string {
	h := sha1.New()
	h.Write(namespaceDNS[:])
	h.Write([]byte(id))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// ConsistencyLevel is how many replicas must answer a read or acknowledge a
// write. "" leaves it to the server (QUORUM for most operations). Weaviate
// resolves QUORUM and ALL against the replicas it can reach, so no level
// guarantees a complete answer: see Health. Reads on a collection without
// replication must use "" (the server refuses the argument there).
type ConsistencyLevel string

const (
	One    ConsistencyLevel = "ONE"
	Quorum ConsistencyLevel = "QUORUM"
	All    ConsistencyLevel = "ALL"
)

func (cl ConsistencyLevel) query() url.Values {
	if cl == "" {
		return nil
	}
	return url.Values{"consistency_level": {string(cl)}}
}

// Object is one stored object: its UUID, its properties as JSON values, and
// its vector (nil for none, or when not asked for).
type Object struct {
	ID         string
	Properties map[string]any
	Vector     []float32
}

type wireObject struct {
	Class      string         `json:"class"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties,omitempty"`
	Vector     []float32      `json:"vector,omitempty"`
}

// BatchPut creates or replaces objects in one request. Objects with the
// same ID replace each other (the last one wins), so re-sending a batch is
// harmless. When the server refuses some objects the rest are stored and a
// *BatchError names the refused ones.
func (c *Client) BatchPut(ctx context.Context, class string, objs []Object, cl ConsistencyLevel) error {
	if len(objs) == 0 {
		return nil
	}
	body := struct {
		Objects []wireObject `json:"objects"`
	}{Objects: make([]wireObject, len(objs))}
	for i, o := range objs {
		body.Objects[i] = wireObject{Class: class, ID: o.ID, Properties: o.Properties, Vector: o.Vector}
	}
	var answer []struct {
		ID     string `json:"id"`
		Result struct {
			Errors *struct {
				Error []struct {
					Message string `json:"message"`
				} `json:"error"`
			} `json:"errors"`
		} `json:"result"`
	}
	if err := c.do(ctx, http.MethodPost, "/v1/batch/objects", cl.query(), body, &answer); err != nil {
		return err
	}
	be := &BatchError{Total: len(objs), Kind: ErrBadRequest}
	var all []string
	for _, a := range answer {
		if a.Result.Errors == nil || len(a.Result.Errors.Error) == 0 {
			continue
		}
		oe := ObjectError{ID: a.ID}
		for _, e := range a.Result.Errors.Error {
			oe.Messages = append(oe.Messages, e.Message)
		}
		all = append(all, oe.Messages...)
		be.Failed = append(be.Failed, oe)
	}
	if len(answer) != len(objs) && len(be.Failed) == 0 {
		return &Error{Op: "batch upsert", Kind: ErrUnavailable,
			Messages: []string{fmt.Sprintf("server acknowledged %d of %d objects", len(answer), len(objs))}}
	}
	if len(be.Failed) == 0 {
		return nil
	}
	be.Kind = kindForMessages(all, ErrBadRequest)
	return be
}

// GetObject returns the object with the UUID id, with its vector when
// withVector; ErrNotFound when there is none.
func (c *Client) GetObject(ctx context.Context, class, id string, withVector bool, cl ConsistencyLevel) (Object, error) {
	q := cl.query()
	if q == nil {
		q = url.Values{}
	}
	if withVector {
		q.Set("include", "vector")
	}
	var w struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
		Vector     []float32      `json:"vector"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/objects/"+url.PathEscape(class)+"/"+url.PathEscape(id), q, nil, &w); err != nil {
		return Object{}, err
	}
	return Object{ID: w.ID, Properties: w.Properties, Vector: w.Vector}, nil
}

// DeleteObject deletes the object with the UUID id. Deleting an object that
// does not exist is not an error (the server answers 204 either way): look
// it up first to report unknown ids.
func (c *Client) DeleteObject(ctx context.Context, class, id string, cl ConsistencyLevel) error {
	return c.do(ctx, http.MethodDelete, "/v1/objects/"+url.PathEscape(class)+"/"+url.PathEscape(id), cl.query(), nil, nil)
}

// DeleteResult is what a DeleteWhere did.
type DeleteResult struct {
	Matches, Successful, Failed int
}

// DeleteWhere deletes every object matching where in one request (the
// server caps one request at its QUERY_MAXIMUM_RESULTS, 10,000 by default:
// repeat while Matches equals that cap). Failed > 0 is returned as an
// ErrUnavailable error along with the counts.
func (c *Client) DeleteWhere(ctx context.Context, class string, where *Where, cl ConsistencyLevel) (DeleteResult, error) {
	body := map[string]any{
		"match":  map[string]any{"class": class, "where": where.wire()},
		"output": "minimal",
	}
	var w struct {
		Results struct {
			Matches    int `json:"matches"`
			Successful int `json:"successful"`
			Failed     int `json:"failed"`
		} `json:"results"`
	}
	if err := c.do(ctx, http.MethodDelete, "/v1/batch/objects", cl.query(), body, &w); err != nil {
		return DeleteResult{}, err
	}
	r := DeleteResult{Matches: w.Results.Matches, Successful: w.Results.Successful, Failed: w.Results.Failed}
	if r.Failed > 0 {
		return r, &Error{Op: "batch delete", Kind: ErrUnavailable,
			Messages: []string{fmt.Sprintf("%d of %d matching objects not deleted", r.Failed, r.Matches)}}
	}
	return r, nil
}

// ListPage is one page of a cursor listing.
type ListPage struct {
	Objects []Object
	// Next is the cursor for the following page; "" after the last.
	Next string
}

// List pages through every object of the collection in UUID order (the
// cursor API: after is the last UUID of the previous page, "" to start).
// Properties and vectors come with the objects when asked for.
func (c *Client) List(ctx context.Context, class, after string, limit int, withVector bool) (ListPage, error) {
	q := url.Values{"class": {class}, "limit": {strconv.Itoa(limit)}}
	if after != "" {
		q.Set("after", after)
	}
	if withVector {
		q.Set("include", "vector")
	}
	var w struct {
		Objects []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
			Vector     []float32      `json:"vector"`
		} `json:"objects"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/objects", q, nil, &w); err != nil {
		return ListPage{}, err
	}
	var p ListPage
	for _, o := range w.Objects {
		p.Objects = append(p.Objects, Object{ID: o.ID, Properties: o.Properties, Vector: o.Vector})
	}
	if len(w.Objects) == limit && limit > 0 {
		p.Next = w.Objects[len(w.Objects)-1].ID
	}
	return p, nil
}

// Decode decodes the object's properties into out (a struct with json
// tags), as the server sent them.
func (o Object) Decode(out any) error {
	raw, err := json.Marshal(o.Properties)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

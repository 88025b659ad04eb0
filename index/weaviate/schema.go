package weaviate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

// DataType is a property's Weaviate type.
type DataType string

const (
	Text      DataType = "text"
	TextArray DataType = "text[]"
	Int       DataType = "int"
	Number    DataType = "number"
	Date      DataType = "date"
	Blob      DataType = "blob"
	Boolean   DataType = "boolean"
)

// Tokenization is how a text property is split into the terms that bm25 and
// where filters see.
type Tokenization string

const (
	// Whitespace splits on whitespace only and keeps case: right for text
	// paperseek has already analysed (lower-cased, stop words removed,
	// stemmed), so Weaviate indexes exactly paperseek's terms.
	Whitespace Tokenization = "whitespace"
	// Field keeps the whole value as one term: ids, categories, names.
	Field Tokenization = "field"
	// Word is Weaviate's default (alphanumeric runs, lower-cased).
	Word Tokenization = "word"
)

// Property is one property of a collection. The zero value of the index
// switches means "not indexed": paperseek stores most fields for display
// only and indexes exactly what it searches or filters on.
type Property struct {
	Name         string
	DataType     DataType
	Tokenization Tokenization // text and text[] only; "" = server default
	Searchable   bool         // in the BM25 inverted index
	Filterable   bool         // usable in where filters (and Aggregate counts)
	RangeFilters bool         // int/number/date: a range index for < > filters
}

// VectorIndex is the vector index type of a collection.
type VectorIndex string

const (
	HNSW VectorIndex = "hnsw"
	Flat VectorIndex = "flat"
)

// Class is what CreateClass makes: a collection with explicit properties,
// no vectorizer module (vectors come with the objects), cosine distance, and
// the sharding and replication layout.
type Class struct {
	Name       string // must match ClassNamePattern
	Properties []Property
	// Vectors: when false the collection has no vector index at all (for
	// blob/state collections).
	Vectors     bool
	VectorIndex VectorIndex // "" = HNSW
	// Shards is the number of shards (shardingConfig.desiredCount); 0 =
	// the server default (one per node).
	Shards int
	// Replicas is the replication factor; 0 = the server default (1).
	Replicas int
	// AsyncReplication makes replicas repair missed writes in the
	// background (replicationConfig.asyncEnabled). Without it a node that
	// was down never receives the writes it missed.
	AsyncReplication bool
	// BM25 parameters; zero values mean the textbook k1 1.2, b 0.75.
	K1, B float64
}

// ClassNamePattern is what Weaviate accepts as a collection name (it
// capitalises the first letter of anything else, which would make the name
// paperseek stored differ from the one it asked for).
var ClassNamePattern = regexp.MustCompile(`^[A-Z][_0-9A-Za-z]{0,230}$`)

// propNamePattern is what Weaviate accepts as a property name. Names are
// written into GraphQL text, so anything else is refused before sending.
var propNamePattern = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,230}$`)

type wireProperty struct {
	Name            string   `json:"name"`
	DataType        []string `json:"dataType"`
	Tokenization    string   `json:"tokenization,omitempty"`
	IndexSearchable *bool    `json:"indexSearchable,omitempty"`
	IndexFilterable *bool    `json:"indexFilterable"`
	IndexRange      *bool    `json:"indexRangeFilters,omitempty"`
}

type wireClass struct {
	Class               string         `json:"class"`
	Vectorizer          string         `json:"vectorizer"`
	VectorIndexType     string         `json:"vectorIndexType,omitempty"`
	VectorIndexConfig   map[string]any `json:"vectorIndexConfig,omitempty"`
	InvertedIndexConfig map[string]any `json:"invertedIndexConfig"`
	ShardingConfig      map[string]any `json:"shardingConfig,omitempty"`
	ReplicationConfig   map[string]any `json:"replicationConfig,omitempty"`
	Properties          []wireProperty `json:"properties"`
}

func (cl Class) wire() wireClass {
	k1, b := cl.K1, cl.B
	if k1 == 0 {
		k1 = 1.2
	}
	if b == 0 {
		b = 0.75
	}
	w := wireClass{
		Class:      cl.Name,
		Vectorizer: "none",
		InvertedIndexConfig: map[string]any{
			"bm25": map[string]any{"k1": k1, "b": b},
			// paperseek removes stop words itself (Bleve's `en` list);
			// Weaviate's preset would drop a different list at query time.
			"stopwords": map[string]any{"preset": "none"},
		},
	}

	vi := cl.VectorIndex
	if vi == "" {
		vi = HNSW
	}
	w.VectorIndexType = string(vi)
	w.VectorIndexConfig = map[string]any{"distance": "cosine"}
	if !cl.Vectors {
		w.VectorIndexType = string(HNSW)
		w.VectorIndexConfig = map[string]any{"skip": true, "distance": "cosine"}
	}
	if cl.Shards > 0 {
		w.ShardingConfig = map[string]any{"desiredCount": cl.Shards}
	}
	if cl.Replicas > 0 || cl.AsyncReplication {
		rc := map[string]any{"asyncEnabled": cl.AsyncReplication}
		if cl.Replicas > 0 {
			rc["factor"] = cl.Replicas
		}
		w.ReplicationConfig = rc
	}
	for _, p := range cl.Properties {
		wp := wireProperty{Name: p.Name, DataType: []string{string(p.DataType)}, Tokenization: string(p.Tokenization)}
		f := p.Filterable
		wp.IndexFilterable = &f
		switch p.DataType {
		case Text, TextArray:
			s := p.Searchable
			wp.IndexSearchable = &s
		case Int, Number, Date:
			if p.RangeFilters {
				r := true
				wp.IndexRange = &r
			}
		case Blob:
			wp.IndexFilterable = nil // blobs are never indexed; the server refuses the switch
		}
		w.Properties = append(w.Properties, wp)
	}
	return w
}

// CreateClass creates the collection and waits until every replica of
// every shard is loaded on its node: the schema change is acknowledged
// through raft before the nodes have built the shards, and a write sent in
// between fails ("could not find index for class …"). It fails with
// ErrBadRequest when a collection of that name exists already (use
// ClassLayout to look first).
func (c *Client) CreateClass(ctx context.Context, cl Class) error {
	if err := c.createClass(ctx, cl); err != nil {
		return err
	}
	return c.waitShards(ctx, cl.Name)
}

// waitShards polls the nodes until class has shards × replicas loaded
// shard replicas, for at most a minute.
func (c *Client) waitShards(ctx context.Context, class string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var last string
	for {
		l, err := c.ClassLayout(ctx, class)
		if err == nil {
			nodes, err2 := c.Nodes(ctx, class)
			err = err2
			if err == nil {
				want := l.Shards * max(l.Replicas, 1)
				got := 0
				for _, n := range nodes {
					for _, s := range n.Shards {
						if s.Class == class && s.Loaded {
							got++
						}
					}
				}
				if got >= want {
					return nil
				}
				last = fmt.Sprintf("%d of %d shard replicas loaded", got, want)
			}
		}
		if err != nil {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return &Error{Op: "create collection " + class, Kind: ErrUnavailable,
				Messages: []string{"shards not ready after a minute: " + last}, Cause: ctx.Err()}
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *Client) createClass(ctx context.Context, cl Class) error {
	if !ClassNamePattern.MatchString(cl.Name) {
		return fmt.Errorf("%w: collection name %q: want a capital letter, then letters, digits or _", ErrBadRequest, cl.Name)
	}
	for _, p := range cl.Properties {
		if !propNamePattern.MatchString(p.Name) {
			return fmt.Errorf("%w: property name %q", ErrBadRequest, p.Name)
		}
	}
	return c.do(ctx, http.MethodPost, "/v1/schema", nil, cl.wire(), nil)
}

// DeleteClass removes the collection and all its objects. Deleting one
// that does not exist is not an error (Weaviate answers 200 too).
func (c *Client) DeleteClass(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/v1/schema/"+url.PathEscape(name), nil, nil, nil)
}

// Layout is how an existing collection is laid out, as the server reports it.
type Layout struct {
	Name             string
	Shards           int // shardingConfig.actualCount
	Replicas         int
	AsyncReplication bool
	Properties       map[string]Property
	K1, B            float64
	StopwordsPreset  string
	Vectors          bool
	// BlockMaxWAND is true when the collection's bm25 runs on BlockMax
	// WAND, the server default, set when the collection was created (by
	// the server's USE_INVERTED_SEARCHABLE; the API cannot choose). In
	// v1.35.2 its top-k lists are wrong for recently written objects: a
	// caller must fetch every candidate (see the package notes).
	BlockMaxWAND bool
}

// ClassLayout describes an existing collection, or fails with ErrNotFound.
func (c *Client) ClassLayout(ctx context.Context, name string) (Layout, error) {
	var w struct {
		Class             string `json:"class"`
		VectorIndexConfig struct {
			Skip bool `json:"skip"`
		} `json:"vectorIndexConfig"`
		InvertedIndexConfig struct {
			BM25 struct {
				K1 float64 `json:"k1"`
				B  float64 `json:"b"`
			} `json:"bm25"`
			Stopwords struct {
				Preset string `json:"preset"`
			} `json:"stopwords"`
			UsingBlockMaxWAND bool `json:"usingBlockMaxWAND"`
		} `json:"invertedIndexConfig"`
		ShardingConfig struct {
			ActualCount  int `json:"actualCount"`
			DesiredCount int `json:"desiredCount"`
		} `json:"shardingConfig"`
		ReplicationConfig struct {
			Factor       int  `json:"factor"`
			AsyncEnabled bool `json:"asyncEnabled"`
		} `json:"replicationConfig"`
		Properties []struct {
			Name              string   `json:"name"`
			DataType          []string `json:"dataType"`
			Tokenization      string   `json:"tokenization"`
			IndexSearchable   *bool    `json:"indexSearchable"`
			IndexFilterable   *bool    `json:"indexFilterable"`
			IndexRangeFilters *bool    `json:"indexRangeFilters"`
		} `json:"properties"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/schema/"+url.PathEscape(name), nil, nil, &w); err != nil {
		return Layout{}, err
	}
	if w.Class == "" {
		// Some versions answer 200 with an empty body for a missing class.
		return Layout{}, &Error{Op: "GET /v1/schema/" + name, Status: http.StatusNotFound, Kind: ErrNotFound,
			Messages: []string{"no collection " + name}}
	}
	l := Layout{
		Name:             w.Class,
		Shards:           w.ShardingConfig.ActualCount,
		Replicas:         w.ReplicationConfig.Factor,
		AsyncReplication: w.ReplicationConfig.AsyncEnabled,
		K1:               w.InvertedIndexConfig.BM25.K1,
		B:                w.InvertedIndexConfig.BM25.B,
		StopwordsPreset:  w.InvertedIndexConfig.Stopwords.Preset,
		Vectors:          !w.VectorIndexConfig.Skip,
		BlockMaxWAND:     w.InvertedIndexConfig.UsingBlockMaxWAND,
		Properties:       map[string]Property{},
	}
	is := func(b *bool) bool { return b != nil && *b }
	for _, p := range w.Properties {
		var dt DataType
		if len(p.DataType) > 0 {
			dt = DataType(p.DataType[0])
		}
		l.Properties[p.Name] = Property{Name: p.Name, DataType: dt, Tokenization: Tokenization(p.Tokenization),
			Searchable: is(p.IndexSearchable), Filterable: is(p.IndexFilterable), RangeFilters: is(p.IndexRangeFilters)}
	}
	return l, nil
}

// ClassExists reports whether the collection exists.
func (c *Client) ClassExists(ctx context.Context, name string) (bool, error) {
	_, err := c.ClassLayout(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

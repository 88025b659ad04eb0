package weaviate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// Blobs: files too large for one object (the local embedding model, ~60 MB)
// and small documents (the index fingerprint) kept in a collection of their
// own, so that a server on another machine finds them with the index.
//
// A blob `key` is stored as chunks and a head:
//
//	chunk i: id ObjectID(key+"@"+sha256+"#"+i), {key, version: sha256, part: i, data: base64}
//	head:    id ObjectID(key),                  {key, version: sha256, part: -1, parts: n, size}
//
// Chunks of a new version are written first, the head last, then the old
// version's chunks are deleted: a reader follows the head and always gets
// one whole version, checked against its SHA-256.

// DefaultChunkSize is the raw bytes per chunk object. Measured on a loopback
// cluster (see the notes): 4 MiB chunks upload a 60 MB blob as fast as
// larger ones and keep each request far below the server's body limits.
const DefaultChunkSize = 4 << 20

// BlobClass is the collection layout PutBlob and GetBlob expect. It has no
// vector index. Give it the data collection's replication so the blobs
// survive what the papers survive.
func BlobClass(name string, replicas int, async bool) Class {
	return Class{
		Name: name,
		Properties: []Property{
			{Name: "key", DataType: Text, Tokenization: Field, Filterable: true},
			{Name: "version", DataType: Text, Tokenization: Field, Filterable: true},
			{Name: "part", DataType: Int, Filterable: true},
			{Name: "parts", DataType: Int},
			{Name: "size", DataType: Int},
			{Name: "data", DataType: Blob},
		},
		Shards:           1,
		Replicas:         replicas,
		AsyncReplication: async,
	}
}

// ErrBlobCorrupt: a blob's chunks do not add up to what its head says.
var ErrBlobCorrupt = errors.New("weaviate blob is corrupt")

// PutBlob stores data under key in the blob collection class, replacing any
// earlier version only once the new one is complete.
func (c *Client) PutBlob(ctx context.Context, class, key string, data []byte, chunkSize int, cl ConsistencyLevel) error {
	if chunkSize <= 0 {
		chunkSize = DefaultChunkSize
	}
	sum := sha256.Sum256(data)
	version := hex.EncodeToString(sum[:])
	old, err := c.blobHead(ctx, class, key, cl)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err == nil && old.version == version {
		return nil // already stored
	}
	parts := (len(data) + chunkSize - 1) / chunkSize
	for i := 0; i < parts; i++ {
		chunk := data[i*chunkSize : min(len(data), (i+1)*chunkSize)]
		obj := Object{ID: chunkID(key, version, i), Properties: map[string]any{
			"key": key, "version": version, "part": i, "data": base64.StdEncoding.EncodeToString(chunk),
		}}
		if err := c.BatchPut(ctx, class, []Object{obj}, cl); err != nil {
			return fmt.Errorf("store %s chunk %d of %d: %w", key, i+1, parts, err)
		}
	}
	head := Object{ID: ObjectID(key), Properties: map[string]any{
		"key": key, "version": version, "part": -1, "parts": parts, "size": len(data),
	}}
	if err := c.BatchPut(ctx, class, []Object{head}, cl); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	if old.version != "" {
		// The old chunks are unreachable now; a failure here only leaves
		// garbage that the next PutBlob of key removes.
		_, _ = c.DeleteWhere(ctx, class, And(TextEqual("key", key),
			&Where{op: "GreaterThanEqual", path: "part", valueKey: "valueInt", value: 0},
			&Where{op: "NotEqual", path: "version", valueKey: "valueText", value: version}), cl)
	}
	return nil
}

// GetBlob returns the blob stored under key; ErrNotFound when there is none.
func (c *Client) GetBlob(ctx context.Context, class, key string, cl ConsistencyLevel) ([]byte, error) {
	h, err := c.blobHead(ctx, class, key, cl)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(h.size)
	for i := 0; i < h.parts; i++ {
		o, err := c.GetObject(ctx, class, chunkID(key, h.version, i), false, cl)
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: %s lacks chunk %d of %d", ErrBlobCorrupt, key, i+1, h.parts)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s chunk %d of %d: %w", key, i+1, h.parts, err)
		}
		s, _ := o.Properties["data"].(string)
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s chunk %d: %w", ErrBlobCorrupt, key, i+1, err)
		}
		buf.Write(raw)
	}
	sum := sha256.Sum256(buf.Bytes())
	if buf.Len() != h.size || hex.EncodeToString(sum[:]) != h.version {
		return nil, fmt.Errorf("%w: %s: %d bytes with a different SHA-256 than the %d its head names", ErrBlobCorrupt, key, buf.Len(), h.size)
	}
	return buf.Bytes(), nil
}

type blobHead struct {
	version     string
	parts, size int
}

func (c *Client) blobHead(ctx context.Context, class, key string, cl ConsistencyLevel) (blobHead, error) {
	o, err := c.GetObject(ctx, class, ObjectID(key), false, cl)
	if err != nil {
		return blobHead{}, err
	}
	var p struct {
		Version string `json:"version"`
		Parts   int    `json:"parts"`
		Size    int    `json:"size"`
	}
	if err := o.Decode(&p); err != nil || p.Version == "" {
		return blobHead{}, fmt.Errorf("%w: %s: head object is not a blob head", ErrBlobCorrupt, key)
	}
	return blobHead{version: p.Version, parts: p.Parts, size: p.Size}, nil
}

func chunkID(key, version string, i int) string {
	return ObjectID(key + "@" + version + "#" + strconv.Itoa(i))
}

package weaviatetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// Exchange is one HTTP request and the answer a server gave, as recorded
// from a real cluster into testdata/*.json (one JSON array of exchanges).
// Bodies are JSON; a body that is not JSON is a JSON string, an empty one
// null.
type Exchange struct {
	// Event, when set, is not a request but something done to the cluster
	// at this point: "kill N" (kill -9 of node N, then wait until the
	// others notice) or "restart N". A replay does the same to the fake.
	Event    string          `json:"event,omitempty"`
	Method   string          `json:"method,omitempty"`
	Path     string          `json:"path"`
	Query    string          `json:"query,omitempty"`
	Request  json.RawMessage `json:"request"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response"`
}

// ReadExchanges reads a fixture file.
func ReadExchanges(path string) ([]Exchange, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var xs []Exchange
	if err := json.Unmarshal(raw, &xs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return xs, nil
}

// WriteExchanges writes a fixture file, one exchange per line so that a
// re-recording shows as a readable diff.
func WriteExchanges(path string, xs []Exchange) error {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, x := range xs {
		line, err := json.Marshal(x)
		if err != nil {
			return err
		}
		b.Write(line)
		if i < len(xs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return os.WriteFile(path, b.Bytes(), 0o644)
}

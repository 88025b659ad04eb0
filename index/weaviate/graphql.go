package weaviate

import (
	"context"
	"encoding/json"
	"net/http"
)

type gqlError struct {
	Message string   `json:"message"`
	Path    []string `json:"path"`
}

// graphQL posts one GraphQL document and returns its `data`. Any `errors`
// in the answer — even next to partial data — fail the whole request: a
// query that went wrong on one shard must not pass as a shorter list.
func (c *Client) graphQL(ctx context.Context, op, query string) (json.RawMessage, error) {
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := c.do(ctx, http.MethodPost, "/v1/graphql", nil, map[string]string{"query": query}, &answer); err != nil {
		if e, ok := err.(*Error); ok {
			e.Op = op
		}
		return nil, err
	}
	if len(answer.Errors) > 0 {
		msgs := make([]string, len(answer.Errors))
		for i, e := range answer.Errors {
			msgs[i] = e.Message
		}
		return nil, &Error{Op: op, Status: http.StatusOK, Messages: msgs, Kind: kindForMessages(msgs, ErrBadRequest)}
	}
	return answer.Data, nil
}

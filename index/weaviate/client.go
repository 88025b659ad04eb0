package weaviate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client talks to one Weaviate node (any node of a cluster answers for the
// whole cluster). It is safe for concurrent use.
type Client struct {
	base   *url.URL
	apiKey string
	hc     *http.Client
}

// Config says how to reach a node.
type Config struct {
	// URL is the node's HTTP base, e.g. "http://127.0.0.1:8081".
	URL string
	// APIKey, when set, is sent as "Authorization: Bearer <APIKey>".
	APIKey string
	// HTTPClient defaults to a client with a 60 s timeout per request.
	HTTPClient *http.Client
}

// maxErrorBody bounds how much of an error answer is read: a proxy's HTML
// page must not become a megabyte-long error line.
const maxErrorBody = 64 << 10

// New returns a client for cfg.URL. It does not contact the server; call
// Ready or Version for that.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: weaviate URL %q: want http(s)://HOST:PORT", ErrBadRequest, cfg.URL)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &Client{base: u, apiKey: cfg.APIKey, hc: hc}, nil
}

// URL is the node's base URL.
func (c *Client) URL() string { return c.base.String() }

// Ready reports nil when the node answers /v1/.well-known/ready with 2xx.
func (c *Client) Ready(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/v1/.well-known/ready", nil, nil, nil)
}

// Version is the server's version, from /v1/meta.
func (c *Client) Version(ctx context.Context) (string, error) {
	var meta struct {
		Version string `json:"version"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/meta", nil, nil, &meta); err != nil {
		return "", err
	}
	return meta.Version, nil
}

// do sends one request with a JSON body (nil for none) and decodes a 2xx
// JSON answer into out (nil to discard it). A non-2xx answer becomes an
// *Error carrying the server's messages.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	op := method + " " + path
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("weaviate %s: encode request: %w", op, err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return &Error{Op: op, Kind: ErrBadRequest, Cause: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if isTLSFailure(err) {
			return &Error{Op: op, Kind: ErrTLS, Cause: err}
		}
		return &Error{Op: op, Kind: ErrUnavailable, Cause: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		msgs := errorMessages(raw)
		kind := kindForStatus(resp.StatusCode)
		if kind == ErrBadRequest || kind == ErrNotFound {
			// Weaviate answers 422 for some cluster failures (a write
			// whose consistency level cannot be met) and 404 for a shard
			// listing with a node down ("resolve node name").
			kind = kindForMessages(msgs, kind)
		}
		return &Error{Op: op, Status: resp.StatusCode, Messages: msgs, Kind: kind}
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || ctx.Err() != nil {
			return &Error{Op: op, Status: resp.StatusCode, Kind: ErrUnavailable, Cause: err}
		}
		return &Error{Op: op, Status: resp.StatusCode, Kind: ErrBadRequest,
			Messages: []string{"answer is not the JSON expected: " + err.Error()}}
	}
	return nil
}

// errorMessages pulls the messages out of an error answer. Weaviate sends
// {"error":[{"message":…}]} from REST handlers; GraphQL-style
// {"errors":[{"message":…}]} and {"message":…} appear too. Anything else is
// quoted as text, cut short.
func errorMessages(raw []byte) []string {
	var body struct {
		Error   json.RawMessage `json:"error"`
		Errors  []gqlError      `json:"errors"`
		Message string          `json:"message"`
	}
	var msgs []string
	if json.Unmarshal(raw, &body) == nil {
		var items []struct {
			Message string `json:"message"`
		}
		var one string
		switch {
		case json.Unmarshal(body.Error, &items) == nil:
			for _, it := range items {
				if it.Message != "" {
					msgs = append(msgs, it.Message)
				}
			}
		case json.Unmarshal(body.Error, &one) == nil && one != "":
			msgs = append(msgs, one)
		}
		for _, e := range body.Errors {
			if e.Message != "" {
				msgs = append(msgs, e.Message)
			}
		}
		if body.Message != "" {
			msgs = append(msgs, body.Message)
		}
	}
	if len(msgs) == 0 {
		text := strings.TrimSpace(string(raw))
		if len(text) > 300 {
			text = text[:300] + "…"
		}
		if text != "" {
			msgs = append(msgs, text)
		}
	}
	return msgs
}

package openaitest

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
)

// The fake must keep speaking OpenAI's wire format byte for byte where
// clients look, or tests against it prove nothing about real servers.
func TestWireFormat(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(*Server)
		path, body string
		auth       string
		wantStatus int
		wantCode   string // error.code, for errors
		wantDims   int    // per vector, for successes
		wantN      int
	}{
		{name: "list of inputs", body: `{"input":["a","b"],"model":"text-embedding-3-small","encoding_format":"float"}`, wantStatus: 200, wantDims: 8, wantN: 2},
		{name: "one string input", body: `{"input":"a","model":"m"}`, wantStatus: 200, wantDims: 8, wantN: 1},
		{name: "dimensions honoured for text-embedding-3", body: `{"input":["a"],"model":"text-embedding-3-large","dimensions":3}`, wantStatus: 200, wantDims: 3, wantN: 1},
		{name: "dimensions refused for other models", body: `{"input":["a"],"model":"text-embedding-ada-002","dimensions":3}`, wantStatus: 400},
		{name: "dimensions ignored like Ollama", setup: func(s *Server) { s.IgnoreDimensions = true }, body: `{"input":["a"],"model":"nomic-embed-text","dimensions":3}`, wantStatus: 200, wantDims: 8, wantN: 1},
		{name: "empty input refused", body: `{"input":["a",""],"model":"m"}`, wantStatus: 400},
		{name: "wrong key", setup: func(s *Server) { s.APIKey = "k" }, auth: "Bearer x", body: `{"input":["a"],"model":"m"}`, wantStatus: 401, wantCode: "invalid_api_key"},
		{name: "right key", setup: func(s *Server) { s.APIKey = "k" }, auth: "Bearer k", body: `{"input":["a"],"model":"m"}`, wantStatus: 200, wantDims: 8, wantN: 1},
		{name: "unknown model", setup: func(s *Server) { s.Models = []string{"m"} }, body: `{"input":["a"],"model":"x"}`, wantStatus: 404, wantCode: "model_not_found"},
		{name: "quota", setup: func(s *Server) { s.Fail = func(int, []string) *Failure { return QuotaExceeded() } }, body: `{"input":["a"],"model":"m"}`, wantStatus: 429, wantCode: "insufficient_quota"},
		{name: "other paths", path: "/v1/chat/completions", body: `{}`, wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(t)
			if tt.setup != nil {
				tt.setup(s)
			}
			url := s.URL + "/embeddings"
			if tt.path != "" {
				url = strings.TrimSuffix(s.URL, "/v1") + tt.path
			}
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			var got struct {
				Object string `json:"object"`
				Data   []struct {
					Object    string    `json:"object"`
					Index     int       `json:"index"`
					Embedding []float64 `json:"embedding"`
				} `json:"data"`
				Usage *struct {
					PromptTokens int `json:"prompt_tokens"`
				} `json:"usage"`
				Error *struct {
					Message string  `json:"message"`
					Type    string  `json:"type"`
					Code    *string `json:"code"`
				} `json:"error"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if tt.wantStatus != 200 {
				if got.Error == nil || got.Error.Message == "" {
					t.Fatalf("error body lacks error.message: %+v", got)
				}
				if tt.wantCode != "" && (got.Error.Code == nil || *got.Error.Code != tt.wantCode) {
					t.Fatalf("error.code = %v, want %q", got.Error.Code, tt.wantCode)
				}
				return
			}
			if got.Object != "list" || got.Usage == nil || len(got.Data) != tt.wantN {
				t.Fatalf("response object %q, usage %v, %d data; want list, usage, %d", got.Object, got.Usage, len(got.Data), tt.wantN)
			}
			for i, d := range got.Data {
				var norm float64
				for _, x := range d.Embedding {
					norm += x * x
				}
				if d.Object != "embedding" || d.Index != i || len(d.Embedding) != tt.wantDims || math.Abs(norm-1) > 1e-5 {
					t.Fatalf("data[%d] = object %q index %d, %d dims, norm² %v", i, d.Object, d.Index, len(d.Embedding), norm)
				}
			}
		})
	}
}

func TestVectorIsAFunctionOfTheText(t *testing.T) {
	a, b := Vector("kv cache", 64), Vector("kv cache", 64)
	c := Vector("kv cache ", 64)
	same, differ := true, false
	for i := range a {
		same = same && a[i] == b[i]
		differ = differ || a[i] != c[i]
	}
	if !same || !differ {
		t.Fatalf("Vector: same text equal = %v, different text differs = %v", same, differ)
	}
}

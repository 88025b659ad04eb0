package openaitest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running fake. Its exported fields are knobs.
type Server struct {
	// URL is the base URL to configure clients with; it ends in "/v1".
	URL string

	// Dimensions is the model's native size (default 8). A request's
	// `dimensions` overrides it, as text-embedding-3 models do.
	Dimensions int
	// IgnoreDimensions makes the server ignore `dimensions` in requests, as
	// Ollama and most local servers do.
	IgnoreDimensions bool
	// Unnormalized makes the server send vectors that are not unit length
	// (3 × Vector), as some local servers do.
	Unnormalized bool
	// APIKey, when set, is required as "Authorization: Bearer <APIKey>";
	// any other request gets OpenAI's 401 invalid_api_key error.
	APIKey string
	// Models, when set, lists the models served; others get OpenAI's 404
	// model_not_found error.
	Models []string
	// Fail is consulted for every request with its 1-based number (counting
	// every request received, failed ones included) and its inputs. A
	// non-nil Failure is sent instead of embeddings. Calls are serialised.
	Fail func(n int, inputs []string) *Failure
	// Embed, when set, replaces Vector for one input: return the exact
	// vector to send (e.g. all zeros, or the wrong length).
	Embed func(input string, dims int) []float32
	// Gate, when > 1, holds each of the first Gate requests until Gate
	// requests are in flight at once, so a test sees whether a client really
	// overlaps its requests without depending on timing. After the gate
	// opens (or 10 s pass, so a client that never overlaps cannot hang a
	// test) no request is held.
	Gate int
	// Delay is added to every request before it is answered. It only widens
	// the window in which concurrent requests overlap.
	Delay time.Duration
	// Reverse sends the data list last input first, indices intact, as a
	// server that finishes inputs out of order may.
	Reverse bool
	// OmitIndex sends every index as 0, as some compatible servers do.
	OmitIndex bool

	srv *httptest.Server

	mu          sync.Mutex
	requests    []Request
	inFlight    int
	maxInFlight int
	gateOpen    chan struct{}
	gateOnce    sync.Once
}

// Request is what the server received in one request (failed ones included).
type Request struct {
	Model          string
	Input          []string
	EncodingFormat string // "" when absent
	Dimensions     int    // 0 when absent
	Authorization  string
}

// Failure is an error answer. Status and the OpenAI error fields are sent as
// {"error":{"message":…,"type":…,"param":null,"code":…}}, unless RawBody is
// set, which is sent verbatim (an HTML error page from a proxy, say).
// DropConnection instead closes the connection without any answer, as a
// crashed server or a network failure does.
type Failure struct {
	Status         int
	Message        string
	Type           string
	Code           string
	Header         http.Header
	RawBody        string
	DropConnection bool
}

// RateLimited is OpenAI's 429 for too many requests; retryAfter ("2",
// an HTTP-date, or "" for none) is sent as the Retry-After header.
func RateLimited(retryAfter string) *Failure {
	f := &Failure{
		Status:  http.StatusTooManyRequests,
		Message: "Rate limit reached for text-embedding-3-small on requests per min (RPM): Limit 3000, Used 3000, Requested 1.",
		Type:    "requests",
		Code:    "rate_limit_exceeded",
	}
	if retryAfter != "" {
		f.Header = http.Header{"Retry-After": {retryAfter}}
	}
	return f
}

// QuotaExceeded is OpenAI's 429 for an account without credit; retrying
// cannot help.
func QuotaExceeded() *Failure {
	return &Failure{
		Status:  http.StatusTooManyRequests,
		Message: "You exceeded your current quota, please check your plan and billing details.",
		Type:    "insufficient_quota",
		Code:    "insufficient_quota",
	}
}

// ServerError is a 5xx with OpenAI's error body.
func ServerError(status int) *Failure {
	return &Failure{
		Status:  status,
		Message: "The server had an error while processing your request. Sorry about that!",
		Type:    "server_error",
	}
}

// BadRequest is a 400 with message, as sent for an over-long input.
func BadRequest(message string) *Failure {
	return &Failure{Status: http.StatusBadRequest, Message: message, Type: "invalid_request_error"}
}

// NewServer starts a fake that is closed when the test ends.
func NewServer(t testing.TB) *Server {
	s := &Server{Dimensions: 8, gateOpen: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Failure{Status: http.StatusNotFound, Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), Type: "invalid_request_error"})
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.srv.Close)
	return s
}

// Vector is the unit-length vector the server sends for input at dims
// dimensions: a pure function of the exact input text.
func Vector(input string, dims int) []float32 {
	v := make([]float32, dims)
	var norm float64
	var block [sha256.Size]byte
	for i := range v {
		if i%8 == 0 {
			block = sha256.Sum256(fmt.Appendf(nil, "%d\x00%s", i/8, input))
		}
		u := binary.LittleEndian.Uint32(block[4*(i%8):])
		x := float64(u)/float64(math.MaxUint32)*2 - 1
		v[i] = float32(x)
		norm += x * x
	}
	norm = math.Sqrt(norm)
	for i := range v {
		v[i] = float32(float64(v[i]) / norm)
	}
	return v
}

// Close shuts the server down early, so that clients see a server that is
// gone (connection refused). It is also closed when the test ends.
func (s *Server) Close() { s.srv.Close() }

// Requests is every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestCount is the number of requests received, failed ones included.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Inputs is every input of every request received, in arrival order.
func (s *Server) Inputs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []string
	for _, r := range s.requests {
		all = append(all, r.Input...)
	}
	return all
}

// MaxInFlight is the largest number of requests the server was handling at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

type embeddingRequest struct {
	Input          json.RawMessage `json:"input"`
	Model          string          `json:"model"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     int             `json:"dimensions"`
}

type embeddingData struct {
	Object    string    `json:"object"`
	Index     int       `json:"index"`
	Embedding []float32 `json:"embedding"`
}

type embeddingResponse struct {
	Object string          `json:"object"`
	Data   []embeddingData `json:"data"`
	Model  string          `json:"model"`
	Usage  struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req embeddingRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, BadRequest(fmt.Sprintf("We could not parse the JSON body of your request: %v", err)))
		return
	}
	inputs, ok := parseInput(req.Input)

	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Model: req.Model, Input: inputs, EncodingFormat: req.EncodingFormat,
		Dimensions: req.Dimensions, Authorization: r.Header.Get("Authorization"),
	})
	n := len(s.requests)
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	if s.Gate > 1 && s.inFlight >= s.Gate {
		s.gateOnce.Do(func() { close(s.gateOpen) })
	}
	var fail *Failure
	if s.Fail != nil {
		fail = s.Fail(n, inputs)
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()

	if s.Gate > 1 && n <= s.Gate {
		select {
		case <-s.gateOpen:
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	}
	if s.Delay > 0 {
		select {
		case <-time.After(s.Delay):
		case <-r.Context().Done():
		}
	}

	switch {
	case s.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.APIKey:
		writeError(w, &Failure{
			Status:  http.StatusUnauthorized,
			Message: "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
			Type:    "invalid_request_error",
			Code:    "invalid_api_key",
		})
		return
	case fail != nil:
		writeFailure(w, fail)
		return
	case !ok:
		writeError(w, BadRequest("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."))
		return
	case len(s.Models) > 0 && !slices.Contains(s.Models, req.Model):
		writeError(w, &Failure{
			Status:  http.StatusNotFound,
			Message: fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", req.Model),
			Type:    "invalid_request_error",
			Code:    "model_not_found",
		})
		return
	case req.Dimensions != 0 && !s.IgnoreDimensions && !strings.HasPrefix(req.Model, "text-embedding-3"):
		writeError(w, BadRequest("This model does not support specifying dimensions."))
		return
	case req.EncodingFormat != "" && req.EncodingFormat != "float":
		writeError(w, BadRequest("the fake server only speaks encoding_format float"))
		return
	}

	dims := s.Dimensions
	if req.Dimensions > 0 && !s.IgnoreDimensions {
		dims = req.Dimensions
	}
	resp := embeddingResponse{Object: "list", Model: req.Model, Data: make([]embeddingData, len(inputs))}
	for i, in := range inputs {
		var v []float32
		if s.Embed != nil {
			v = s.Embed(in, dims)
		} else {
			v = Vector(in, dims)
			if s.Unnormalized {
				for j := range v {
					v[j] *= 3
				}
			}
		}
		idx := i
		if s.OmitIndex {
			idx = 0
		}
		resp.Data[i] = embeddingData{Object: "embedding", Index: idx, Embedding: v}
		resp.Usage.PromptTokens += len(strings.Fields(in))
	}
	if s.Reverse {
		slices.Reverse(resp.Data)
	}
	resp.Usage.TotalTokens = resp.Usage.PromptTokens
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// parseInput accepts what OpenAI accepts for text: one string or a list of
// non-empty strings.
func parseInput(raw json.RawMessage) ([]string, bool) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, one != ""
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 || len(many) > 2048 {
		return many, false
	}
	for _, s := range many {
		if s == "" {
			return many, false
		}
	}
	return many, true
}

func writeFailure(w http.ResponseWriter, f *Failure) {
	if f.DropConnection {
		// Aborting the handler makes net/http close the connection without
		// writing a response: the client sees EOF, like a crashed server.
		panic(http.ErrAbortHandler)
	}
	if f.RawBody != "" {
		for k, vs := range f.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.RawBody))
		return
	}
	writeError(w, f)
}

func writeError(w http.ResponseWriter, f *Failure) {
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	var code any
	if f.Code != "" {
		code = f.Code
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": f.Message, "type": f.Type, "param": nil, "code": code,
	}})
}

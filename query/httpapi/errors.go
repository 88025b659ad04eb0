package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/query"
)

// Error codes of the contract's error body
// {"error":{"code":"bad_request","message":"…"}}, one per status. Clients
// branch on the code; the message is for people.
const (
	CodeBadRequest       = "bad_request"          // 400
	CodeUnauthorized     = "unauthorized"         // 401
	CodeForbiddenHost    = "forbidden_host"       // 403: a Host a token-less server does not answer
	CodeNotFound         = "not_found"            // 404
	CodeMethodNotAllowed = "method_not_allowed"   // 405
	CodeRequestTimeout   = "request_timeout"      // 408: the body arrived too slowly
	CodeTooLarge         = "payload_too_large"    // 413
	CodeTooManyRequests  = "too_many_requests"    // 429
	CodeInternal         = "internal_error"       // 500
	CodeUnavailable      = "embedder_unavailable" // 503: the embedding server is down
	CodeTimeout          = "timeout"              // 503: the request ran out of time
	CodeShuttingDown     = "shutting_down"        // 503
)

// StatusClientClosedRequest is logged for a request whose client
// disconnected before the answer was ready.
const StatusClientClosedRequest = 499

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names what went wrong.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, ErrorBody{ErrorDetail{Code: code, Message: msg}})
}

// writeJSON encodes v before sending anything, so an encoding failure is a
// clean 500 rather than half a document, and Content-Length is exact.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Snippets carry <mark> tags; escaping them as \u003c would make the
	// JSON harder to read for no safety gain (it is served as JSON, nosniff).
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		fmt.Fprintf(&buf, `{"error":{"code":%q,"message":"internal error: cannot encode the response"}}`+"\n", CodeInternal)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeEngineError maps an error from the query layer to its status. Only
// 500s are logged in full: their text may name files on the server, so the
// client gets a generic message.
func writeEngineError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	switch {
	case query.IsBadRequest(err):
		writeError(w, http.StatusBadRequest, CodeBadRequest, err.Error())
	case errors.Is(err, index.ErrBadRef):
		// "doi:hello": index.ParseRef's message names the reference and
		// what it should look like.
		writeError(w, http.StatusBadRequest, CodeBadRequest, err.Error())
	case errors.Is(err, index.ErrNotFound):
		// The message names the id (index.NotFoundf: no sentinel prefix).
		writeError(w, http.StatusNotFound, CodeNotFound, err.Error())
	case errors.Is(err, query.ErrEmbedder):
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable, err.Error())
	case errors.Is(err, ErrClosed):
		writeError(w, http.StatusServiceUnavailable, CodeShuttingDown, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, CodeTimeout, "the request took too long and was stopped: try a smaller k or a more specific query")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away: nobody reads an answer, and a 5xx in the
		// access log would look like the server's fault. 499 is nginx's
		// "client closed request".
		w.WriteHeader(StatusClientClosedRequest)
	default:
		logger.Error("request failed", "method", r.Method, "path", r.URL.EscapedPath(), "err", err)
		writeError(w, http.StatusInternalServerError, CodeInternal, "internal error: see the server log")
	}
}

package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
)

// Sentinel errors, for errors.Is: callers map them to exit codes and HTTP
// statuses. The errors returned carry a complete message of their own.
var (
	// ErrAuth: the server refused the API key (HTTP 401 or 403).
	ErrAuth = errors.New("embedding server rejected the API key")
	// ErrQuota: the account has no quota left (429 insufficient_quota).
	ErrQuota = errors.New("embedding quota exhausted")
	// ErrUnavailable: the server is down, keeps failing after every retry,
	// or does not speak the embeddings API.
	ErrUnavailable = errors.New("embedding server unavailable")
	// ErrDimensions: the server's vectors do not have the expected size.
	ErrDimensions = errors.New("embedding dimensions do not match")
)

const (
	backoffBase = time.Second
	backoffCap  = 30 * time.Second
	// A server asking for a longer pause is over a daily or similar limit:
	// waiting in a loop would only hide that, so we stop and say so.
	maxRetryAfter = time.Minute
)

// apiError is an error whose message is written for the user, matching a
// sentinel (kind) and keeping the underlying cause for errors.As.
type apiError struct {
	msg   string
	kind  error
	cause error
}

func (e *apiError) Error() string { return e.msg }

func (e *apiError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.kind, e.cause} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// failure is what one failed attempt means.
type failure struct {
	final         error  // non-nil: do not retry, return this
	detail        string // what went wrong, for the message when giving up
	retryAfter    time.Duration
	hasRetryAfter bool
}

// classify decides whether a failed attempt is worth retrying. header is the
// response's header, nil when there was no response.
func (e *Embedder) classify(err error, header http.Header) failure {
	var (
		reqErr *goopenai.RequestError
		apiErr *goopenai.APIError
		status int
		msg    string
		code   string
		typ    string
	)
	if errors.As(err, &reqErr) {
		status = reqErr.HTTPStatusCode
		msg = snippet(string(reqErr.Body))
	}
	if errors.As(err, &apiErr) {
		if status == 0 {
			status = apiErr.HTTPStatusCode
		}
		msg = apiErr.Message
		if apiErr.Code != nil {
			code = fmt.Sprint(apiErr.Code)
		}
		typ = apiErr.Type
	}
	if status == 0 {
		var syntax *json.SyntaxError
		var badType *json.UnmarshalTypeError
		if errors.As(err, &syntax) || errors.As(err, &badType) {
			return failure{final: &apiError{
				msg:   fmt.Sprintf("embedding server at %s answered with something that is not an embeddings response (%v): is OPENAI_BASE_URL an OpenAI-compatible server?", e.cfg.BaseURL, err),
				kind:  ErrUnavailable,
				cause: err,
			}}
		}
		// No HTTP answer at all: refused, reset, timed out. Worth retrying.
		return failure{detail: err.Error()}
	}

	detail := fmt.Sprintf("HTTP %d", status)
	if msg != "" {
		detail += ": " + msg
	}
	switch {
	case status == http.StatusUnauthorized:
		return failure{final: &apiError{
			msg:   fmt.Sprintf("embedding server rejected the API key (HTTP %d): check OPENAI_API_KEY", status),
			kind:  ErrAuth,
			cause: err,
		}}
	case status == http.StatusForbidden:
		// 403 is also how OpenAI says a project may not use a model, so
		// the server's own words matter here.
		return failure{final: &apiError{
			msg:   fmt.Sprintf("embedding server rejected the API key (%s): check OPENAI_API_KEY", detail),
			kind:  ErrAuth,
			cause: err,
		}}
	case status == http.StatusTooManyRequests && (code == "insufficient_quota" || typ == "insufficient_quota"):
		return failure{final: &apiError{
			msg:   fmt.Sprintf("embedding server refused for lack of quota (HTTP 429 insufficient_quota: %s): check the plan and billing of the account behind OPENAI_API_KEY", msg),
			kind:  ErrQuota,
			cause: err,
		}}
	case status == http.StatusRequestTimeout, status == http.StatusConflict,
		status == http.StatusTooManyRequests, status >= 500:
		f := failure{detail: detail}
		f.retryAfter, f.hasRetryAfter = retryAfter(header, e.now())
		return f
	case status == http.StatusNotFound:
		return failure{final: &apiError{
			msg:   fmt.Sprintf("embedding server at %s has no model %q or no /embeddings endpoint (%s): check --embed-model and OPENAI_BASE_URL", e.cfg.BaseURL, e.cfg.Model, detail),
			cause: err,
		}}
	default:
		return failure{final: &apiError{
			msg:   fmt.Sprintf("embedding server refused the request (%s)", detail),
			cause: err,
		}}
	}
}

func (e *Embedder) unavailable(what, detail string, cause error) error {
	return &apiError{
		msg:   fmt.Sprintf("embedding server at %s %s: %s", e.cfg.BaseURL, what, detail),
		kind:  ErrUnavailable,
		cause: cause,
	}
}

// snippet keeps an error body (an HTML page from a proxy, say) to one
// readable line.
func snippet(body string) string {
	s := strings.Join(strings.Fields(body), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// backoff is the pause before retry number attempt (1-based): exponential
// with full jitter, so that many clients throttled at once do not come back
// in lockstep.
func backoff(attempt int) time.Duration {
	ceil := backoffCap
	if attempt < 16 {
		ceil = min(backoffCap, backoffBase<<(attempt-1))
	}
	return rand.N(ceil + 1)
}

// retryAfter reads how long the server asked us to wait: OpenAI's
// retry-after-ms, else Retry-After in seconds or as an HTTP-date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && !math.IsInf(ms, 0) {
			return clampDuration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || math.IsNaN(s) || math.IsInf(s, 0) {
			return 0, false
		}
		return clampDuration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

// clampDuration converts nanoseconds without overflowing on absurd values.
func clampDuration(ns float64) time.Duration {
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// headerDoer hands the response header of a request to whoever put a sink
// in the request's context: go-openai drops headers on errors, and
// Retry-After lives there.
type headerDoer struct{ c *http.Client }

type headerSinkKey struct{}

func withHeaderSink(ctx context.Context, sink *http.Header) context.Context {
	return context.WithValue(ctx, headerSinkKey{}, sink)
}

func (d headerDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if resp != nil {
		if sink, ok := req.Context().Value(headerSinkKey{}).(*http.Header); ok {
			*sink = resp.Header
		}
	}
	return resp, err
}

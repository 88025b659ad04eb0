package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/paperseek/paperseek/query"
)

// route dispatches on the method itself instead of using method patterns,
// so that a wrong method gets the contract's JSON error body (the mux's own
// 405 is plain text). GET routes answer HEAD too.
type route struct {
	get, post http.HandlerFunc
}

func (rt route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case rt.get != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		rt.get(w, r)
	case rt.post != nil && r.Method == http.MethodPost:
		rt.post(w, r)
	default:
		var allow []string
		if rt.get != nil {
			allow = append(allow, http.MethodGet, http.MethodHead)
		}
		if rt.post != nil {
			allow = append(allow, http.MethodPost)
		}
		sort.Strings(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		use := allow[len(allow)-1]
		if len(allow) > 1 {
			use = strings.Join(allow[:len(allow)-1], ", ") + " or " + use
		}
		writeError(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed,
			fmt.Sprintf("%s is not allowed on %s; use %s", r.Method, r.URL.Path, use))
	}
}

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.Handle("/v1/search", exportable(route{get: s.searchGET, post: s.searchPOST}))
	api.Handle("/v1/papers/", exportable(route{get: s.paper}))
	api.Handle("/v1/related", exportable(route{post: s.relatedPOST}))
	api.Handle("/v1/stats", route{get: s.stats})
	api.HandleFunc("/v1/", notFound)

	mux := http.NewServeMux()
	mux.Handle("/v1/", s.authorize(s.deadline(api)))
	mux.Handle("/healthz", route{get: func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}})
	for path, h := range pageRoutes() {
		mux.Handle(path, route{get: h})
	}
	mux.HandleFunc("/", notFound)
	return s.accessLog(s.recoverPanics(securityHeaders(s.checkHost(mux))))
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, CodeNotFound, fmt.Sprintf("no such endpoint: %s (see the API in the README)", r.URL.Path))
}

// securityHeaders: responses are JSON or the page's own files, never to be
// sniffed as something else or framed by another site.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// authorize requires the bearer token on the API when one is set. Both
// sides are hashed before the constant-time comparison so that neither the
// content nor the length of the token leaks through timing.
func (s *Server) authorize(next http.Handler) http.Handler {
	if s.Token == "" {
		return next
	}
	want := sha256.Sum256([]byte(s.Token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearer(r.Header.Get("Authorization"))
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="paperseek"`)
			msg := "this server needs a token: send the header Authorization: Bearer TOKEN"
			if ok {
				msg = "the token is not valid for this server"
			}
			writeError(w, http.StatusUnauthorized, CodeUnauthorized, msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer extracts the token of "Bearer TOKEN" (the scheme is
// case-insensitive, as RFC 9110 says).
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// deadline bounds each API request in time; the query layer stops at the
// context's deadline.
func (s *Server) deadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withEngine runs fn with a slot of the limiter and the current engine.
// Parsing happens before, so a flood of malformed requests never takes a
// slot from valid ones.
func (s *Server) withEngine(w http.ResponseWriter, r *http.Request, fn func(*query.Engine) (any, error)) {
	release, err := s.limit.acquire(r.Context())
	if errors.Is(err, errSaturated) {
		writeError(w, http.StatusTooManyRequests, CodeTooManyRequests,
			fmt.Sprintf("the server is busy (%d requests running, %d waiting): retry shortly", s.MaxConcurrent, s.MaxQueued))
		return
	}
	if err != nil {
		writeEngineError(w, r, s.Logger, err)
		return
	}
	defer release()
	e, done, err := s.Engines.Acquire()
	if err != nil {
		writeEngineError(w, r, s.Logger, err)
		return
	}
	defer done()
	v, err := fn(e)
	if err != nil {
		writeEngineError(w, r, s.Logger, err)
		return
	}
	writeAnswer(w, r, v)
}

func writeParamError(w http.ResponseWriter, err error) {
	var qbad *query.BadRequestError
	var bad *badParam
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, CodeTooLarge,
			fmt.Sprintf("request body is larger than %s", byteSize(tooBig.Limit)))
	case errors.As(err, &netErr) && netErr.Timeout():
		writeError(w, http.StatusRequestTimeout, CodeRequestTimeout, "the request body arrived too slowly")
	case errors.As(err, &qbad), errors.As(err, &bad):
		writeError(w, http.StatusBadRequest, CodeBadRequest, err.Error())
	default:
		writeError(w, http.StatusBadRequest, CodeBadRequest, "cannot read the request body: "+err.Error())
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readBody reads the whole body, at most MaxBodyBytes of it. A declared
// length over the limit is refused before reading a byte.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > s.MaxBodyBytes {
		return nil, &http.MaxBytesError{Limit: s.MaxBodyBytes}
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBodyBytes))
}

func (s *Server) searchGET(w http.ResponseWriter, r *http.Request) {
	req, err := searchFromQuery(r.URL.Query())
	if err != nil {
		writeParamError(w, err)
		return
	}
	s.withEngine(w, r, func(e *query.Engine) (any, error) { return e.Search(r.Context(), req) })
}

func (s *Server) searchPOST(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r)
	if err != nil {
		writeParamError(w, err)
		return
	}
	var b searchBody
	if err := decodeBody(body, &b); err != nil {
		writeParamError(w, err)
		return
	}
	req, err := b.request(b.Query)
	if err != nil {
		writeParamError(w, err)
		return
	}
	s.withEngine(w, r, func(e *query.Engine) (any, error) { return e.Search(r.Context(), req) })
}

func (s *Server) relatedPOST(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r)
	if err != nil {
		writeParamError(w, err)
		return
	}
	var b relatedBody
	if err := decodeBody(body, &b); err != nil {
		writeParamError(w, err)
		return
	}
	if strings.TrimSpace(b.Text) == "" {
		writeParamError(w, badParamf(`text is empty: send {"text": "an abstract or a description"}`))
		return
	}
	req, err := b.request("")
	if err != nil {
		writeParamError(w, err)
		return
	}
	s.withEngine(w, r, func(e *query.Engine) (any, error) { return e.RelatedText(r.Context(), b.Text, req) })
}

// paperPath splits /v1/papers/{id} and /v1/papers/{id}/related. It works
// on the escaped path: ids are opaque and may hold "/" (cs/0701113) or
// spaces, which clients send escaped (cs%2F0701113). A literal "/related"
// at the end asks for related papers; an id that itself ends in "/related"
// must have its "/" escaped. Unescaped slashes inside an id are accepted
// too, so /v1/papers/cs/0701113 works from a shell without escaping.
func paperPath(escaped string) (id string, related bool, err error) {
	rest := strings.TrimPrefix(escaped, "/v1/papers/")
	rest, related = strings.CutSuffix(rest, "/related")
	if id, err = url.PathUnescape(rest); err != nil {
		return "", false, badParamf("the paper id in the path is not validly escaped: %v", err)
	}
	return id, related, nil
}

func (s *Server) paper(w http.ResponseWriter, r *http.Request) {
	id, related, err := paperPath(r.URL.EscapedPath())
	if err != nil {
		writeParamError(w, err)
		return
	}
	if id == "" {
		writeError(w, http.StatusNotFound, CodeNotFound, "no paper id in the path: use /v1/papers/{id} with the id path-escaped")
		return
	}
	if !related {
		s.withEngine(w, r, func(e *query.Engine) (any, error) { return e.Paper(r.Context(), id) })
		return
	}
	req, err := searchFromQuery(r.URL.Query())
	if err != nil {
		writeParamError(w, err)
		return
	}
	req.Query = ""
	s.withEngine(w, r, func(e *query.Engine) (any, error) { return e.Related(r.Context(), id, req) })
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	s.withEngine(w, r, func(e *query.Engine) (any, error) { return e.Store().Stats(r.Context()) })
}

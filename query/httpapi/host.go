package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// checkHost refuses requests addressed to a host name the server was not
// told to answer to, when it has no token. Without this a web page on any
// site could read a token-less server on this machine by DNS rebinding:
// the page's own name is pointed at 127.0.0.1 after the page loads, and the
// browser then sends the API requests with that name in Host, as same-origin
// requests whose answers the page may read. Loopback names (localhost,
// *.localhost, 127.0.0.0/8, ::1) are always answered; AllowHosts adds
// others ("*" any). With a token, the token is the protection (a page
// cannot know it), so any Host is answered. /healthz is answered for any
// Host: it tells nothing, and monitoring probes address servers by
// whatever name they know.
func (s *Server) checkHost(next http.Handler) http.Handler {
	if s.Token != "" {
		return next
	}
	allowed := map[string]bool{}
	for _, h := range s.AllowHosts {
		h = normalizeHost(h)
		if h == "*" {
			return next
		}
		allowed[h] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := normalizeHost(r.Host)
		if r.URL.Path == "/healthz" || host == "" || allowed[host] || isLoopbackName(host) {
			next.ServeHTTP(w, r)
			return
		}
		writeError(w, http.StatusForbidden, CodeForbiddenHost, fmt.Sprintf(
			"this server has no token and answers only requests addressed to localhost or a loopback address, not %q: start it with --allow-host %s (or with a token)",
			host, host))
	})
}

// normalizeHost is the lower-case host of a Host header or --allow-host
// value, without port, brackets or a final dot.
func normalizeHost(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	return strings.ToLower(host)
}

// isLoopbackName reports whether host always means this machine:
// "localhost" and its subdomains (RFC 6761) or a loopback address.
func isLoopbackName(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

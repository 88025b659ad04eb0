package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

// A token-less server answers only requests addressed to a loopback name
// or a name it was given (DNS rebinding: a page whose own name now points
// at 127.0.0.1 sends its name in Host); with a token it answers any Host.
func TestHostCheck(t *testing.T) {
	tests := []struct {
		name       string
		configure  func(*Server)
		host, path string
		status     int
	}{
		{"loopback IPv4", nil, "127.0.0.1:8080", "/v1/stats", 200},
		{"other loopback IPv4", nil, "127.3.4.5", "/v1/stats", 200},
		{"loopback IPv6", nil, "[::1]:8080", "/v1/stats", 200},
		{"localhost", nil, "localhost:8080", "/v1/stats", 200},
		{"LOCALHOST, final dot", nil, "LOCALHOST.:8080", "/v1/stats", 200},
		{"a .localhost name", nil, "app.localhost:8080", "/v1/stats", 200},
		{"rebinding name", nil, "attacker.example:8080", "/v1/search?q=graph", 403},
		{"rebinding name, page", nil, "attacker.example", "/", 403},
		{"rebinding name, stats", nil, "attacker.example", "/v1/stats", 403},
		{"a name ending in localhost", nil, "evil-localhost:8080", "/v1/stats", 403},
		{"LAN address", nil, "192.168.1.20:8080", "/v1/stats", 403},
		{"healthz for any name", nil, "attacker.example", "/healthz", 200},
		{"allowed name", func(s *Server) { s.AllowHosts = []string{"Search.Lab.Example"} }, "search.lab.example:8080", "/v1/stats", 200},
		{"allowed name, another refused", func(s *Server) { s.AllowHosts = []string{"search.lab.example"} }, "attacker.example", "/v1/stats", 403},
		{"allow any", func(s *Server) { s.AllowHosts = []string{"*"} }, "attacker.example", "/v1/stats", 200},
		{"token: any name", func(s *Server) { s.Token = "t0ken" }, "attacker.example", "/", 200},
		{"token: any name, API needs the token", func(s *Server) { s.Token = "t0ken" }, "attacker.example", "/v1/stats", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newServer(t, "", tt.configure)
			rec := call(s.Handler(), "GET", tt.path, "", "Host", tt.host)
			if rec.Code != tt.status {
				t.Fatalf("Host %s %s: status %d, want %d: %s", tt.host, tt.path, rec.Code, tt.status, rec.Body)
			}
			if tt.status == http.StatusForbidden {
				if e := apiError(t, rec.Body.Bytes()); e.Code != CodeForbiddenHost || !strings.Contains(e.Message, "--allow-host") {
					t.Errorf("error %+v, want code %s and a message naming --allow-host", e, CodeForbiddenHost)
				}
			}
		})
	}
}

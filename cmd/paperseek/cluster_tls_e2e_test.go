package main

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

// weaviates:// end to end: the binary verifies the cluster's certificate
// against the system's roots, which $SSL_CERT_FILE replaces; an untrusted
// certificate is exit 1 with a message saying how to trust it.
func TestClusterOverTLS(t *testing.T) {
	srv := weaviatetest.NewTLSServer(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	trust := []string{"SSL_CERT_FILE=" + ca}
	loc := "weaviates://" + strings.TrimPrefix(srv.URL, "https://") + "/Papers"
	if r := runBinary(t, nil, trust, "index", "--index", loc, "testdata/papers.jsonl"); r.code != 0 {
		t.Fatalf("index over TLS: exit %d\n%s", r.code, r.stderr)
	}
	r := runBinary(t, nil, trust, "search", "--index", loc, "--json", "speculative decoding")
	if r.code != 0 || !strings.Contains(r.stdout, `"snippet"`) {
		t.Fatalf("search over TLS: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = ps(t, nil, "search", "--index", loc, "speculative decoding")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "certificate") || !strings.Contains(r.stderr, "SSL_CERT_FILE") {
		t.Errorf("untrusted certificate: exit %d, stdout %q, stderr %q; want exit 1 saying how to trust the certificate", r.code, r.stdout, r.stderr)
	}
}

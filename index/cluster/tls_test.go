package cluster

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"slices"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

// weaviates:// reaches the cluster over HTTPS and verifies its
// certificate: a trusted one works like weaviate://, an untrusted one is
// a clear error (not "unavailable": retrying cannot help), and so is the
// wrong scheme for the server.
func TestTLSLocation(t *testing.T) {
	l, err := ParseLocation("weaviates://db.example:443/Papers")
	if err != nil || l.URL != "https://db.example:443" || l.Class != "Papers" {
		t.Fatalf("ParseLocation(weaviates://…) = %+v, %v", l, err)
	}
	if index.Scheme("weaviates://h:1/P") != SchemeTLS {
		t.Fatal("weaviates is not a scheme")
	}

	ctx := context.Background()
	srv := weaviatetest.NewTLSServer(t)
	host := strings.TrimPrefix(srv.URL, "https://")
	loc := "weaviates://" + host + "/Papers"
	trusted := Options{HTTPClient: srv.Client()}
	ps := samplePapers(t)
	w, err := BeginWrite(ctx, loc, index.WriteOptions{}, trusted)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Add(ctx, slices.Clone(ps)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, loc, trusted)
	if err != nil {
		t.Fatal(err)
	}
	if hits, err := st.Keyword(ctx, index.KeywordQuery{Text: "speculative decoding"}, index.Filter{}, 10); err != nil || len(hits) == 0 {
		t.Errorf("keyword over https: %d hits, %v", len(hits), err)
	}

	// The default client trusts the system's roots, not the test CA.
	_, err = Open(ctx, loc, Options{})
	if !errors.Is(err, wv.ErrTLS) || errors.Is(err, index.ErrUnavailable) || !strings.Contains(err.Error(), "certificate") ||
		!strings.Contains(err.Error(), "SSL_CERT_FILE") {
		t.Errorf("untrusted certificate: %v; want a TLS error naming the certificate and how to trust it", err)
	}
	if _, err := (Backend{}).Stat(ctx, loc); !errors.Is(err, wv.ErrTLS) {
		t.Errorf("Stat with an untrusted certificate: %v", err)
	}
	// Plain HTTP to the TLS server, and TLS to a plain server.
	if _, err := Open(ctx, "weaviate://"+host+"/Papers", Options{}); err == nil || errors.Is(err, index.ErrUnavailable) ||
		!strings.Contains(err.Error(), "HTTPS") {
		t.Errorf("weaviate:// to an HTTPS server: %v; want the server's complaint about plain HTTP", err)
	}
	plain := weaviatetest.NewServer(t)
	if _, err := Open(ctx, "weaviates://"+strings.TrimPrefix(plain.URL, "http://")+"/Papers", Options{}); !errors.Is(err, wv.ErrTLS) ||
		!strings.Contains(err.Error(), "weaviate://") {
		t.Errorf("weaviates:// to a plain-HTTP server: %v; want a TLS error suggesting weaviate://", err)
	}
}

// TestRealClusterBehindTLSProxy: Weaviate serves plain HTTP; a cluster
// reached over HTTPS sits behind a TLS-terminating proxy. The same index
// run and search over weaviates:// through such a proxy (an httptest TLS
// server forwarding to a real node) answer as over weaviate://.
func TestRealClusterBehindTLSProxy(t *testing.T) {
	cl := weaviatetest.StartCluster(t, 3)
	target, err := neturl.Parse(cl.URLs[0])
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(proxy.Close)
	ctx := context.Background()
	tlsLoc := "weaviates://" + strings.TrimPrefix(proxy.URL, "https://") + "/Papers"
	trusted := Options{HTTPClient: proxy.Client()}
	ps := samplePapers(t)
	w, err := BeginWrite(ctx, tlsLoc, index.WriteOptions{}, trusted)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Add(ctx, slices.Clone(ps)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	over, err := Open(ctx, tlsLoc, trusted)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := Open(ctx, clusterLocation(cl.URLs[1], "Papers"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := index.KeywordQuery{Text: "speculative decoding"}
	a, errA := over.Keyword(ctx, q, index.Filter{}, 10)
	b, errB := direct.Keyword(ctx, q, index.Filter{}, 10)
	if errA != nil || errB != nil || len(a) == 0 || !slices.Equal(a, b) {
		t.Errorf("keyword over TLS %v (%v), direct %v (%v)", a, errA, b, errB)
	}
	if _, err := Open(ctx, tlsLoc, Options{}); !errors.Is(err, wv.ErrTLS) {
		t.Errorf("untrusted proxy certificate: %v, want ErrTLS", err)
	}
}

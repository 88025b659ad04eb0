package weaviate_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	wv "github.com/paperseek/paperseek/index/weaviate"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

// recordEnv, when set, makes the real-cluster tests write what they sent
// and received to weaviatetest/testdata, the fake's fixtures.
const recordEnv = "PAPERSEEK_WEAVIATE_RECORD"

func recordingClient(t *testing.T, url string) (*wv.Client, *recorder) {
	rec := &recorder{next: http.DefaultTransport}
	c, err := wv.New(wv.Config{URL: url, HTTPClient: &http.Client{Transport: rec, Timeout: 2 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

func saveFixture(t *testing.T, name string, rec *recorder) {
	if os.Getenv(recordEnv) == "" {
		return
	}
	if t.Failed() {
		t.Logf("%s set but the test failed: %s not rewritten", recordEnv, name)
		return
	}
	path := filepath.Join("weaviatetest", "testdata", name)
	if err := weaviatetest.WriteExchanges(path, rec.log); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d exchanges to %s", len(rec.log), path)
}

// TestScenarioAgainstCluster runs the scenario on a real 3-node cluster.
func TestScenarioAgainstCluster(t *testing.T) {
	cl := weaviatetest.StartCluster(t, 3)
	c, rec := recordingClient(t, cl.URLs[0])
	runScenario(t, c, 3)
	saveFixture(t, "scenario.json", rec)
}

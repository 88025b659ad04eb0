package weaviate_test

import (
	"testing"

	wv "github.com/paperseek/paperseek/index/weaviate"
	"github.com/paperseek/paperseek/index/weaviate/weaviatetest"
)

// TestScenarioAgainstFake runs the scenario on the in-process fake: the
// same assertions as on a real cluster, so the fake is fit for the store's
// tests in CI.
func TestScenarioAgainstFake(t *testing.T) {
	srv := weaviatetest.NewServer(t)
	srv.Nodes = 3
	c, err := wv.New(wv.Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	runScenario(t, c, 3)
}

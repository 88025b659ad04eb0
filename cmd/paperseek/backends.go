package main

// The stores and embedders this binary supports register themselves when
// imported; the rest of the program names none of them.
import (
	"os"

	_ "github.com/paperseek/paperseek/embed/local"
	_ "github.com/paperseek/paperseek/embed/openai"
	"github.com/paperseek/paperseek/index/cluster"
	_ "github.com/paperseek/paperseek/index/local"
)

// The cluster store's API key is read here, at the edge, as
// $OPENAI_BASE_URL is for the embedder.
func init() { cluster.APIKey = os.Getenv("WEAVIATE_API_KEY") }

package harvest

// The tests harvest into a directory index with the local embedder.
import (
	_ "github.com/paperseek/paperseek/embed/local"
	_ "github.com/paperseek/paperseek/index/local"
)

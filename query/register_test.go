package query

// The tests search real indexes in a directory, built with the real
// embedders; both register themselves on import.
import (
	_ "github.com/paperseek/paperseek/embed/local"
	_ "github.com/paperseek/paperseek/index/local"
)

package local

// The tests build real indexes with the real embedders, which register
// themselves on import.
import (
	_ "github.com/paperseek/paperseek/embed/local"
	_ "github.com/paperseek/paperseek/embed/openai"
)

package main

// The tests use real directory indexes built with the real local
// embedder; both register themselves on import.
import (
	_ "github.com/paperseek/paperseek/embed/local"
	_ "github.com/paperseek/paperseek/index/local"
)

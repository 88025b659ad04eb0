package main

// The stores and embedders this binary supports register themselves when
// imported; the rest of the program names none of them.
import (
	_ "github.com/paperseek/paperseek/embed/local"
	_ "github.com/paperseek/paperseek/embed/openai"
	_ "github.com/paperseek/paperseek/index/local"
)

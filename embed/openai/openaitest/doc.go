// Package openaitest is an in-process fake of an OpenAI-compatible
// embeddings server, for tests of paperseek's openai embedder and of the CLI
// end to end. It speaks the real wire format of POST /v1/embeddings and
// returns deterministic vectors derived from each input text (see Vector),
// so results can be checked exactly. It counts what it receives and can be
// told to fail requests the way real servers do.
//
// Knobs are fields on Server; set them before the first request.
//
//	srv := openaitest.NewServer(t)     // serves 8 dimensions, accepts any key
//	srv.Fail = func(n int, _ []string) *openaitest.Failure {
//		if n == 1 {
//			return openaitest.RateLimited("2") // first request: 429, Retry-After: 2
//		}
//		return nil
//	}
//	// point the client at srv.URL (it ends in /v1)
package openaitest

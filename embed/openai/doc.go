// Package openai embeds texts with any OpenAI-compatible /v1/embeddings
// server (OpenAI itself, Ollama, vLLM, llama.cpp server, LM Studio, TEI)
// through go-openai.
//
// Documents are deduplicated, served from an optional persistent cache
// (embed/cache), and the misses are sent in batches bounded by input count
// and size, a bounded number at a time, each batch written to the cache as
// soon as it arrives so an interrupted run keeps what it paid for. Requests
// are retried with exponential backoff and full jitter on 429, 5xx and
// network errors, honouring Retry-After; authentication, quota and request
// errors fail at once with a message that says what to fix. Vectors are
// returned unit-normalised.
//
// The dimension count of a model may be unknown until it answers. An index
// must know it before writing its manifest, and a cache is opened for one
// dimension count, so a new index is set up in two steps:
//
//	e, _ := openai.New(cfg)
//	if err := e.Probe(ctx); err != nil { … }          // learns the dimensions
//	c, _ := cache.Open(filepath.Join(dir, "cache"), e.Fingerprint())
//	cfg.Cache = c
//	e, _ = openai.New(cfg)                             // adopts c's dimensions
//
// An existing index opens its cache with the fingerprint from its manifest.
package openai

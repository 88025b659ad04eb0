package openai

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"
)

// request embeds texts (already prefixed) in one API call, retrying as
// classify says. Backoff sleeps run under sleepCtx so a failure elsewhere
// can end them; the call itself runs under ctx.
func (e *Embedder) request(ctx, sleepCtx context.Context, texts []string) ([][]float32, error) {
	req := goopenai.EmbeddingRequestStrings{
		Input: texts,
		Model: goopenai.EmbeddingModel(e.cfg.Model),
		// Explicit, because some compatible servers default to base64.
		EncodingFormat: goopenai.EmbeddingEncodingFormatFloat,
		Dimensions:     e.sendDims,
	}
	for attempt := 1; ; attempt++ {
		var header http.Header
		resp, err := e.client.CreateEmbeddings(withHeaderSink(ctx, &header), req)
		if err == nil {
			return e.vectors(resp, texts)
		}
		if ctx.Err() != nil {
			return nil, ctxErr(ctx)
		}
		f := e.classify(err, header)
		if f.final != nil {
			return nil, f.final
		}
		if attempt > e.cfg.MaxRetries {
			return nil, e.unavailable(fmt.Sprintf("unavailable after %d attempts", attempt), f.detail, err)
		}
		wait := backoff(attempt)
		if f.hasRetryAfter {
			if f.retryAfter > maxRetryAfter {
				return nil, e.unavailable(fmt.Sprintf("asked to wait %s before retrying", f.retryAfter), f.detail+": try again later", err)
			}
			wait = f.retryAfter
		}
		if serr := e.cfg.Sleep(sleepCtx, wait); serr != nil {
			if ctx.Err() != nil {
				return nil, ctxErr(ctx)
			}
			// Another batch failed and ended our wait; its error is the one
			// reported, this one only has to be an error.
			return nil, e.unavailable(fmt.Sprintf("stopped retrying after %d attempts", attempt), f.detail, err)
		}
	}
}

// vectors checks a response against the request and returns the vectors in
// input order, unit-normalised.
func (e *Embedder) vectors(resp goopenai.EmbeddingResponse, texts []string) ([][]float32, error) {
	n := len(texts)
	if len(resp.Data) != n {
		return nil, e.broken(fmt.Sprintf("returned %d embeddings for %d inputs", len(resp.Data), n))
	}
	out := make([][]float32, n)
	positional := true // some servers leave every index at 0
	for _, d := range resp.Data {
		if d.Index != 0 {
			positional = false
			break
		}
	}
	for k, d := range resp.Data {
		i := k
		if !positional {
			i = d.Index
			if i < 0 || i >= n || out[i] != nil {
				return nil, e.broken(fmt.Sprintf("returned embedding index %d, not a permutation of 0..%d", d.Index, n-1))
			}
		}
		if err := e.checkDims(len(d.Embedding)); err != nil {
			return nil, err
		}
		if !normalize(d.Embedding) {
			return nil, &apiError{msg: fmt.Sprintf("embedding server returned a zero or non-finite vector for the text %.60q", texts[i])}
		}
		out[i] = d.Embedding
	}
	return out, nil
}

// checkDims learns the dimension count from the first vector when it was
// not configured, and holds every later vector to it.
func (e *Embedder) checkDims(got int) error {
	if got == 0 {
		return e.broken("returned an empty embedding")
	}
	if e.dims.CompareAndSwap(0, int64(got)) {
		return nil
	}
	if want := e.dims.Load(); int64(got) != want {
		return &apiError{
			msg:  fmt.Sprintf("embedding server returned %d-dimensional vectors but the index uses %d: rebuild the index with --rebuild or use the same model", got, want),
			kind: ErrDimensions,
		}
	}
	return nil
}

// normalize scales v to unit length in place; false if v is zero, or has
// a NaN or an infinity, which no ranking could use.
func normalize(v []float32) bool {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	norm := math.Sqrt(sum)
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return false
	}
	for i, x := range v {
		v[i] = float32(float64(x) / norm)
	}
	return true
}

// broken reports a server that answered with something that is not a valid
// embeddings response; for a caller that is as good as unavailable.
func (e *Embedder) broken(what string) error {
	return &apiError{
		msg:  fmt.Sprintf("embedding server at %s %s: is OPENAI_BASE_URL an OpenAI-compatible server?", e.cfg.BaseURL, strings.TrimSpace(what)),
		kind: ErrUnavailable,
	}
}

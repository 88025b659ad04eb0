package harvest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/index/ingest"
)

// DefaultBaseURL is arXiv's OAI-PMH interface (since 2025; the old
// http://export.arxiv.org/oai2 redirects to it).
const DefaultBaseURL = "https://oaipmh.arxiv.org/oai"

// arXiv asks harvesters for one request at a time, at least 3 s apart
// (https://info.arxiv.org/help/api/tou.html). MinDelay is the floor no
// configuration goes below.
const (
	DefaultDelay = 3 * time.Second
	MinDelay     = time.Second
)

// Defaults of the flow control.
const (
	// DefaultRetries is how many 503 answers in a row one request
	// survives.
	DefaultRetries = 5
	// DefaultMaxRetryAfter is the longest Retry-After honoured; a longer
	// one ends the run (the next run resumes).
	DefaultMaxRetryAfter = 10 * time.Minute
	// maxPageBytes bounds one answer (arXiv's pages are a few MB).
	maxPageBytes = 256 << 20
)

// Client asks an OAI-PMH repository for ListRecords pages, one request at
// a time and never sooner than Delay after the previous answer.
type Client struct {
	base    string
	delay   time.Duration
	http    *http.Client
	agent   string
	retries int
	maxWait time.Duration
	clock   clock
	// last is when the previous answer ended; zero before the first.
	last time.Time
}

// ClientOptions configure NewClient; zero fields take the defaults.
type ClientOptions struct {
	Delay         time.Duration // between requests, at least MinDelay (default DefaultDelay)
	Retries       int           // 503 answers survived per request (default DefaultRetries)
	MaxRetryAfter time.Duration // default DefaultMaxRetryAfter
	UserAgent     string
	HTTP          *http.Client
}

// NewClient returns a client of the repository at baseURL (DefaultBaseURL
// when empty). A delay below MinDelay is refused: arXiv's terms do not
// allow a faster harvest.
func NewClient(baseURL string, opts ClientOptions) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: base URL %q is not an http(s) URL", index.ErrUsage, baseURL)
	}
	if u.RawQuery != "" {
		return nil, fmt.Errorf("%w: base URL %q must not have a query (the OAI-PMH arguments are added to it)", index.ErrUsage, baseURL)
	}
	if opts.Delay == 0 {
		opts.Delay = DefaultDelay
	}
	if opts.Delay < MinDelay {
		return nil, fmt.Errorf("%w: the delay between requests must be at least %v (got %v): arXiv allows no faster harvest", index.ErrUsage, MinDelay, opts.Delay)
	}
	if opts.Retries == 0 {
		opts.Retries = DefaultRetries
	}
	if opts.MaxRetryAfter == 0 {
		opts.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if opts.HTTP == nil {
		opts.HTTP = &http.Client{Timeout: 5 * time.Minute}
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "paperseek (+https://github.com/paperseek/paperseek)"
	}
	return &Client{base: baseURL, delay: opts.Delay, http: opts.HTTP, agent: opts.UserAgent,
		retries: opts.Retries, maxWait: opts.MaxRetryAfter, clock: realClock{}}, nil
}

// BaseURL is the repository the client asks.
func (c *Client) BaseURL() string { return c.base }

// Request is one ListRecords request: a selective harvest (Set, From,
// Until) or the continuation of one (Token, an exclusive argument).
type Request struct {
	Set, From, Until string
	Token            string
}

func (r Request) query() url.Values {
	q := url.Values{"verb": {"ListRecords"}}
	if r.Token != "" {
		q.Set("resumptionToken", r.Token)
		return q
	}
	q.Set("metadataPrefix", "arXivRaw")
	for k, v := range map[string]string{"set": r.Set, "from": r.From, "until": r.Until} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

func (r Request) String() string {
	if r.Token != "" {
		return fmt.Sprintf("ListRecords resumptionToken=%s", r.Token)
	}
	s := "ListRecords set=" + r.Set
	if r.From != "" {
		s += " from=" + r.From
	}
	if r.Until != "" {
		s += " until=" + r.Until
	}
	return s
}

// ListRecords fetches one page. It waits for the delay since the previous
// answer, and on 503 for the Retry-After the repository names (at most
// the configured number of times). The page may carry an OAI-PMH error
// (page.Error); the error return is for a failed exchange: network, HTTP
// status, or an answer that is not a whole OAI-PMH document.
func (c *Client) ListRecords(ctx context.Context, r Request) (*ingest.OAIPage, error) {
	wait := time.Duration(0)
	if !c.last.IsZero() {
		wait = c.last.Add(c.delay).Sub(c.clock.Now())
	}
	for attempt := 0; ; attempt++ {
		if wait > 0 {
			if err := c.clock.Sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
		body, retryAfter, err := c.get(ctx, r)
		c.last = c.clock.Now()
		if err == nil {
			return parsePage(c.base, r, body)
		}
		var unavailable *unavailableError
		if !errors.As(err, &unavailable) {
			return nil, err
		}
		if attempt >= c.retries {
			return nil, fmt.Errorf("%s answered 503 Service Unavailable %d times in a row to %v; try again later", c.base, attempt+1, r)
		}
		wait = max(retryAfter, c.delay)
		if retryAfter == 0 {
			// No Retry-After: back off on our own, doubling.
			wait = c.delay << min(attempt+1, 8)
		}
		if wait > c.maxWait {
			return nil, fmt.Errorf("%s is unavailable and asks to retry after %v (more than the %v this run waits); try again later", c.base, wait.Round(time.Second), c.maxWait)
		}
	}
}

// unavailableError is a 503 answer.
type unavailableError struct{}

func (*unavailableError) Error() string { return "503 Service Unavailable" }

// get does one HTTP exchange and returns the whole body of a 200 answer,
// or an *unavailableError with the Retry-After wait for a 503.
func (c *Client) get(ctx context.Context, r Request) ([]byte, time.Duration, error) {
	u := c.base + "?" + r.query().Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: base URL %q: %w", index.ErrUsage, c.base, err)
	}
	req.Header.Set("User-Agent", c.agent)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, fmt.Errorf("ask %s for %v: %w", c.base, r, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil, retryAfter(resp.Header.Get("Retry-After"), c.clock.Now()), &unavailableError{}
	}
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return nil, 0, fmt.Errorf("%s answered %s to %v%s", c.base, resp.Status, r, bodySnippet(snippet))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, fmt.Errorf("read the answer of %s to %v: %w (the connection broke; run again to resume)", c.base, r, err)
	}
	if len(body) > maxPageBytes {
		return nil, 0, fmt.Errorf("the answer of %s to %v is larger than %d MB: not an OAI-PMH page", c.base, r, maxPageBytes>>20)
	}
	return body, 0, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func bodySnippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if s == "" {
		return ""
	}
	return ": " + s
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// parsePage reads a 200 answer: it must be a whole OAI-PMH document.
func parsePage(base string, r Request, body []byte) (*ingest.OAIPage, error) {
	page, err := ingest.ParseOAIPage(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("the answer of %s to %v is not a whole OAI-PMH document: %w (run again to resume)", base, r, err)
	}
	if page.ResponseDate == "" && page.Error == nil && len(page.Records) == 0 && len(page.Bad) == 0 {
		return nil, fmt.Errorf("the answer of %s to %v is not an OAI-PMH document%s (is the base URL right?)", base, r, bodySnippet(body[:min(len(body), 120)]))
	}
	return page, nil
}

// clock is time as the client sees it; tests replace it so that waits
// cost nothing and can be checked.
type clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

package httpapi

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// requireBrowserEnv makes a missing Chromium a failure instead of a skip.
// CI sets it, so the browser test cannot silently stop running there.
const requireBrowserEnv = "PAPERSEEK_REQUIRE_BROWSER"

// findChromium returns the browser to drive: $PAPERSEEK_CHROMIUM, else
// Debian's chromium, else one on the PATH.
func findChromium() string {
	if p := os.Getenv("PAPERSEEK_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium for one test and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv(requireBrowserEnv) != "" {
			t.Fatalf("%s is set but no Chromium was found (install Debian's chromium or set PAPERSEEK_CHROMIUM)", requireBrowserEnv)
		}
		t.Skipf("no Chromium found; install chromium (set %s=1 to make this a failure)", requireBrowserEnv)
	}
	profile, err := os.MkdirTemp("", "paperseek-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests may run as root, where the sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		// Chromium's helpers may still write to the profile for a moment
		// after the browser exits.
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// Start the browser on a context without deadline (a deadline on the
	// first Run would bound the browser's whole life), then bound the test.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitFor polls a page expression until it is true.
func waitFor(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent + ' | ' + document.getElementById('error').textContent + ' | ' + document.getElementById('view-heading').textContent + ' | ' + location.hash`))
		t.Fatalf("waiting for %s: %v (page says %q)", what, err, status)
	}
}

// clearInput empties a text field. (chromedp.Clear resets the value
// attribute, which no longer shows once a user has typed into the field.)
func clearInput(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.getElementById(` + strconv.Quote(id) + `).value = ''`)
}

// search types a query into the page as a user would and submits it.
func search(t *testing.T, ctx context.Context, q, mode, year string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		clearInput("q"),
		chromedp.SendKeys(chromedp.ID("q"), q),
		chromedp.SetValue(chromedp.ID("mode"), mode),
		clearInput("year"),
	}
	if year != "" {
		steps = append(steps, chromedp.SendKeys(chromedp.ID("year"), year))
	}
	do(t, ctx, "fill the search form", append(steps, chromedp.Click(chromedp.ID("go")))...)
	// Changing the mode re-runs the search at once, so results for the
	// same words may show before these: wait for exactly this search (the
	// page drops answers to searches it has moved past).
	waitFor(t, ctx, "results for "+q, `(() => {
		const sp = new URLSearchParams();
		for (const [k, v] of [['q', `+strconv.Quote(q)+`], ['mode', `+strconv.Quote(mode)+`], ['year', `+strconv.Quote(year)+`]]) if (v) sp.set(k, v);
		const status = document.getElementById('status').textContent;
		return location.hash === '#' + sp.toString() && !document.getElementById('view').hidden &&
			document.getElementById('view-heading').textContent === 'Results for “' + `+strconv.Quote(q)+` + '”' &&
			!status.startsWith('Searching') && status.includes('(`+mode+`)');
	})()`)
}

const resultsJS = `Array.from(document.querySelectorAll('#results > li')).map(li => ({
	id: li.dataset.id,
	title: li.querySelector('.title').textContent,
	year: (li.querySelector('.year') || {}).textContent || '',
	marks: li.querySelectorAll('.snippet mark').length,
}))`

type shownResult struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Year  string `json:"year"`
	Marks int    `json:"marks"`
}

func TestPageInBrowser(t *testing.T) {
	ctx := browser(t)
	s, _ := newServer(t, "", nil)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	do(t, ctx, "open the page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("q")))
	shownNow := `id => { const e = document.getElementById(id); return e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'; }`
	for _, id := range []string{"token-form", "error", "view", "forget-token"} {
		if run(t, ctx, "visibility of "+id, chromedp.Evaluate[bool](`(`+shownNow+`)('`+id+`')`)) {
			t.Errorf("#%s is shown on a fresh page of a server without a token", id)
		}
	}

	// A search shows results in the API's order, with marked snippets.
	search(t, ctx, "graph kernels", "hybrid", "")
	shown := run(t, ctx, "read results", chromedp.Evaluate[[]shownResult](resultsJS))
	api := decodeResponse(t, call(s.Handler(), "GET", "/v1/search?q=graph+kernels&k=20", "").Body.Bytes())
	if len(shown) != len(api.Results) || len(shown) == 0 {
		t.Fatalf("page shows %d results, the API returns %d", len(shown), len(api.Results))
	}
	for i, r := range api.Results {
		if shown[i].ID != r.ID || shown[i].Title != r.Title {
			t.Errorf("result %d: page %q %q, API %q %q", i+1, shown[i].ID, shown[i].Title, r.ID, r.Title)
		}
	}
	if shown[0].Title != "Graph Kernels for Chemical Compounds" || shown[0].Marks == 0 {
		t.Errorf("first result %+v: want the graph kernels paper with highlighted terms", shown[0])
	}

	// Following "Related papers" shows papers like that one, not itself.
	do(t, ctx, "follow the related link", chromedp.Click(chromedp.CSS(`#results > li:first-child a.related`)))
	waitFor(t, ctx, "related papers", `document.getElementById('view-heading').textContent === 'Papers related to “Graph Kernels for Chemical Compounds”'`)
	related := run(t, ctx, "read related", chromedp.Evaluate[[]shownResult](resultsJS))
	if len(related) == 0 {
		t.Fatal("no related papers shown")
	}
	for _, r := range related {
		if r.ID == slashID {
			t.Error("the paper is listed as related to itself")
		}
	}
	if back := run(t, ctx, "back link", chromedp.Evaluate[bool](`!document.getElementById('back-wrap').hidden`)); !back {
		t.Error("no way back to the search results")
	}
	do(t, ctx, "go back", chromedp.Click(chromedp.ID("back")))
	waitFor(t, ctx, "the search again", `document.getElementById('view-heading').textContent === 'Results for “graph kernels”'`)

	// "More like these" over ticked papers: the API's recommendation from
	// them, never the ticked papers themselves.
	if !run(t, ctx, "button state", chromedp.Evaluate[bool](`document.getElementById('more-like').disabled`)) {
		t.Error("More like these is enabled with no paper ticked")
	}
	do(t, ctx, "tick two papers",
		chromedp.Click(chromedp.CSS(`#results > li:nth-child(1) input.pick`)),
		chromedp.Click(chromedp.CSS(`#results > li:nth-child(2) input.pick`)),
	)
	if label := run(t, ctx, "button label", chromedp.Evaluate[string](`document.getElementById('more-like').textContent`)); label != "More like these (2)" {
		t.Errorf("button says %q after ticking two papers", label)
	}
	do(t, ctx, "ask for more like them", chromedp.Click(chromedp.ID("more-like")))
	waitFor(t, ctx, "papers like the two", `document.getElementById('view-heading').textContent === 'Papers like 2 picked papers' && !document.getElementById('status').textContent.startsWith('Finding')`)
	liked := run(t, ctx, "read recommendations", chromedp.Evaluate[[]shownResult](resultsJS))
	ticked := []string{shown[0].ID, shown[1].ID}
	body, _ := json.Marshal(map[string]any{"positive": ticked, "k": 20, "mode": "hybrid"})
	want := decodeResponse(t, call(s.Handler(), "POST", "/v1/recommend", string(body)).Body.Bytes())
	if len(liked) == 0 || len(liked) != len(want.Results) {
		t.Fatalf("page shows %d recommendations, the API returns %d", len(liked), len(want.Results))
	}
	for i, r := range want.Results {
		if liked[i].ID != r.ID {
			t.Errorf("recommendation %d: page %q, API %q", i+1, liked[i].ID, r.ID)
		}
		if slices.Contains(ticked, liked[i].ID) {
			t.Errorf("a ticked paper is recommended: %s", liked[i].ID)
		}
	}
	do(t, ctx, "clear the ticks", chromedp.Click(chromedp.ID("clear-picks")))
	if !run(t, ctx, "button state after clearing", chromedp.Evaluate[bool](`document.getElementById('more-like').disabled && document.querySelectorAll('input.pick:checked').length === 0`)) {
		t.Error("ticks remain after Clear ticks")
	}
	do(t, ctx, "back again", chromedp.Click(chromedp.ID("back")))
	waitFor(t, ctx, "the search once more", `document.getElementById('view-heading').textContent === 'Results for “graph kernels”'`)

	// The mode selector and the year filter reach the API.
	search(t, ctx, "language models", "keyword", "2024")
	for _, r := range run(t, ctx, "read filtered", chromedp.Evaluate[[]shownResult](resultsJS)) {
		if r.Year != "2024" {
			t.Errorf("%s (%s) shown for year 2024", r.ID, r.Year)
		}
	}
	// Newest first reaches the API, and the page shows its order.
	do(t, ctx, "sort by date",
		clearInput("year"),
		chromedp.SetValue(chromedp.ID("mode"), "hybrid"),
		chromedp.SetValue(chromedp.ID("sort"), "date"),
		chromedp.Click(chromedp.ID("go")),
	)
	waitFor(t, ctx, "newest first", `location.hash.includes('sort=date') && !document.getElementById('view').hidden && !document.getElementById('status').textContent.startsWith('Searching') && document.getElementById('status').textContent.includes('(hybrid)')`)
	byDate := run(t, ctx, "read by date", chromedp.Evaluate[[]shownResult](resultsJS))
	apiDate := decodeResponse(t, call(s.Handler(), "GET", "/v1/search?q=language+models&k=20&sort=date", "").Body.Bytes())
	if len(byDate) != len(apiDate.Results) || len(byDate) < 2 {
		t.Fatalf("page shows %d results by date, the API returns %d", len(byDate), len(apiDate.Results))
	}
	for i, r := range apiDate.Results {
		if byDate[i].ID != r.ID {
			t.Errorf("by date, result %d: page %s, API %s", i+1, byDate[i].ID, r.ID)
		}
		if i > 0 && byDate[i].Year > byDate[i-1].Year {
			t.Errorf("by date, result %d (%s) is newer than the one before (%s)", i+1, byDate[i].Year, byDate[i-1].Year)
		}
	}
	do(t, ctx, "back to relevance", chromedp.SetValue(chromedp.ID("sort"), "relevance"))

	do(t, ctx, "bad year",
		clearInput("year"),
		chromedp.SendKeys(chromedp.ID("year"), "20x4"),
		chromedp.Click(chromedp.ID("go")),
	)
	waitFor(t, ctx, "the year error", `!document.getElementById('error').hidden && document.getElementById('error').textContent.includes('year must be')`)

	// Every field of a hostile paper shows as text; none of its markup runs.
	search(t, ctx, "zebra stripes camouflage", "hybrid", "")
	hostile := run(t, ctx, "read hostile", chromedp.Evaluate[[]shownResult](resultsJS))
	if len(hostile) == 0 || hostile[0].ID != hostileID {
		t.Fatalf("hostile paper not first: %+v", hostile)
	}
	if want := extraPapers[2].Title; hostile[0].Title != want {
		t.Errorf("title shown as %q, want the literal text %q", hostile[0].Title, want)
	}
	assertInert := func(when string) {
		t.Helper()
		check := run(t, ctx, "inspect the DOM", chromedp.Evaluate[map[string]any](`({
			pwned: window.__pwned === undefined ? '' : String(window.__pwned),
			elements: document.querySelectorAll('#results script, #results img, #results b, #results i, #view-heading *').length,
			jsLinks: Array.from(document.querySelectorAll('a')).filter(a => a.protocol === 'javascript:').length,
		})`))
		if check["pwned"] != "" {
			t.Errorf("%s: markup from a paper ran (window.__pwned = %v)", when, check["pwned"])
		}
		if check["elements"].(float64) != 0 || check["jsLinks"].(float64) != 0 {
			t.Errorf("%s: paper markup became elements or links: %v", when, check)
		}
	}
	assertInert("search results")
	text := run(t, ctx, "read hostile text", chromedp.Evaluate[string](`document.querySelector('#results > li').textContent`))
	for _, want := range []string{`<img src=x onerror="window.__pwned='author'">Mallory`, `<i onmouseover=`, `<script>window.__pwned='abstract2'</script>`} {
		if !strings.Contains(text, want) {
			t.Errorf("hostile result text lacks the literal %q: %q", want, text)
		}
	}
	do(t, ctx, "related of the hostile paper", chromedp.Click(chromedp.CSS(`#results > li:first-child a.related`)))
	waitFor(t, ctx, "related to the hostile paper", `document.getElementById('view-heading').textContent.startsWith('Papers related to “<script>')`)
	assertInert("related view")

	// The page loaded nothing from anywhere but this server.
	foreign := run(t, ctx, "resources", chromedp.Evaluate[[]string](`performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))`))
	if len(foreign) != 0 {
		t.Errorf("the page fetched from elsewhere: %v", foreign)
	}
}

func TestPageAsksForToken(t *testing.T) {
	ctx := browser(t)
	const token = "browser-test-token"
	s, logs := newServer(t, "", func(s *Server) { s.Token = token })
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	do(t, ctx, "open the page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("q")))
	do(t, ctx, "search without a token",
		chromedp.SendKeys(chromedp.ID("q"), "speculative decoding"),
		chromedp.Click(chromedp.ID("go")),
	)
	waitFor(t, ctx, "the token form", `!document.getElementById('token-form').hidden`)
	do(t, ctx, "see the token form", chromedp.WaitVisible(chromedp.ID("token")))

	do(t, ctx, "enter a wrong token",
		chromedp.SendKeys(chromedp.ID("token"), "wrong"),
		chromedp.Click(chromedp.ID("token-save")),
	)
	waitFor(t, ctx, "the token form again", `!document.getElementById('token-form').hidden && document.getElementById('token-why').textContent.includes('not valid')`)

	do(t, ctx, "enter the token",
		clearInput("token"),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.ID("token-save")),
	)
	waitFor(t, ctx, "results with the token", `!document.getElementById('view').hidden && document.querySelectorAll('#results > li').length > 0`)
	do(t, ctx, "token form gone", chromedp.WaitNotVisible(chromedp.ID("token-form")))
	if url := run(t, ctx, "location", chromedp.Evaluate[string](`location.href`)); strings.Contains(url, token) {
		t.Errorf("the token is in the page URL: %s", url)
	}
	if !strings.Contains(logs.String(), "status=200") || strings.Contains(logs.String(), token) {
		t.Errorf("access log: want a 200 and no token:\n%s", logs)
	}
}

package query

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paperseek/paperseek/index"
)

// FuzzParseYear: any text given as --year or ?year= either parses into a
// non-empty range that prints back to itself, or is refused as the user's
// mistake (exit 2, HTTP 400) with a message naming the parameter.
func FuzzParseYear(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzParseYear (every form, and near misses).
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseYear(s)
		if err != nil {
			if !IsBadRequest(err) || !strings.Contains(err.Error(), "year") {
				t.Fatalf("ParseYear(%q): %v is not a bad request about the year", s, err)
			}
			if r != (YearRange{}) {
				t.Fatalf("ParseYear(%q) failed but returned %+v", s, r)
			}
			return
		}
		if strings.TrimSpace(s) == "" {
			if r != (YearRange{}) {
				t.Fatalf("ParseYear(%q) = %+v, want no range", s, r)
			}
			return
		}
		if r == (YearRange{}) {
			t.Fatalf("ParseYear(%q) accepted a range that keeps everything", s)
		}
		for _, y := range []int{r.From, r.To} {
			if y < 0 || y > 9999 {
				t.Fatalf("ParseYear(%q) = %+v: year out of range", s, r)
			}
			if y != 0 && !strings.Contains(s, strconv.Itoa(y)) {
				t.Fatalf("ParseYear(%q) = %+v: %d is not in the input", s, r, y)
			}
		}
		if r.From != 0 && r.To != 0 && r.From > r.To {
			t.Fatalf("ParseYear(%q) = %+v: empty range accepted", s, r)
		}
		back, err := ParseYear(r.String())
		if err != nil || back != r {
			t.Fatalf("ParseYear(%q) = %+v prints as %q, which parses as %+v (%v)", s, r, r.String(), back, err)
		}
		if r.Contains(0) {
			t.Fatalf("range %+v contains papers without a year", r)
		}
		for _, y := range []int{r.From, r.To} {
			if y != 0 && !r.Contains(y) {
				t.Fatalf("range %+v does not contain its own bound %d", r, y)
			}
		}
	})
}

// maxSearchAlloc bounds what one search may allocate. A normal search over
// the test index allocates well under 1 MiB; a query of any size is cut at
// MaxQueryBytes, so hostile or huge text must stay within the same order.
const maxSearchAlloc = 32 << 20

// hugeText are 1 MiB queries, as a careless client or an attacker sends.
func hugeText() []string {
	return []string{
		strings.Repeat("token ", 1<<20/6),
		strings.Repeat(`"(:*~ `, 1<<20/6),
		strings.Repeat("🚀", 1<<20/4),
		strings.Repeat("a", 1<<20),
		strings.Repeat("\x00", 1<<20),
		strings.Repeat("é", 1<<19) + "\xff",
	}
}

// FuzzSearchText: whatever a user types, every mode answers (possibly with
// no results) without an error, except for text with nothing in it, which
// is the one bad request. Related lookups by free text behave the same; a
// lookup by an unknown id is "not found", never anything worse. No search
// allocates more than maxSearchAlloc.
func FuzzSearchText(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzSearchText holds text that must be taken as
	// words, never as syntax: Bleve query-string operators, unbalanced
	// quotes and brackets, control bytes, invalid UTF-8, right-to-left and
	// combining scripts, emoji. Plain queries and the 1 MiB ones are here.
	for _, s := range []string{"speculative decoding", "kv cache compression for long context", ""} {
		f.Add(s)
	}
	for _, s := range hugeText() {
		f.Add(s)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		empty := strings.TrimSpace(q) == ""
		for _, mode := range modes {
			var resp *Response
			alloc := allocated(func() {
				var err error
				resp, err = testEngine.Search(ctx, Request{Query: q, Mode: mode})
				checkErr(t, mode, q, err, empty)
			})
			if alloc > maxSearchAlloc {
				t.Fatalf("%s search for %d bytes of text allocated %d MiB", mode, len(q), alloc>>20)
			}
			if resp != nil {
				checkResponse(t, resp, q, 10)
			}
		}
		var resp *Response
		alloc := allocated(func() {
			var err error
			resp, err = testEngine.RelatedText(ctx, q, Request{})
			checkErr(t, ModeRelated, q, err, empty)
		})
		if alloc > maxSearchAlloc {
			t.Fatalf("related search for %d bytes of text allocated %d MiB", len(q), alloc>>20)
		}
		if resp != nil {
			checkResponse(t, resp, q, 10)
		}
		// Any text is either an id, a reference that names no paper, or a
		// reference that is malformed ("doi:x", ""): a usage error.
		if _, err := testEngine.Related(ctx, q, Request{}); err != nil && !errors.Is(err, index.ErrNotFound) && !errors.Is(err, index.ErrBadRef) {
			t.Fatalf("related to id %.80q: %v", q, err)
		}
	})
}

// FuzzSearchFilters: filter values from users (--author, --category,
// --year) never make a search fail other than as a bad request, every
// result satisfies every filter in every mode, and no search allocates
// more than maxSearchAlloc, whatever the length of the values.
func FuzzSearchFilters(f *testing.F) {
	f.Add("neural", "grace", "cs.CL", "2020..")
	f.Add("decoding", "HOPPER", "cs.LG", "..2023")
	f.Add("language models", "researcher a", "", "")
	f.Add("attention", "ada lovelace", "cs.DC", "2019")
	// More in testdata/fuzz/FuzzSearchFilters: hostile text as every value.
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q, author, category, year string) {
		years, err := ParseYear(year)
		if err != nil {
			return // FuzzParseYear's business
		}
		req := Request{Query: q, Filter: Filter{Years: years, Author: author}}
		if category != "" {
			req.Filter.Categories = []string{category}
		}
		wantBad := strings.TrimSpace(q) == "" || (category != "" && strings.TrimSpace(category) == "") ||
			utf8.RuneCountInString(strings.TrimSpace(author)) > MaxFilterChars ||
			utf8.RuneCountInString(strings.TrimSpace(category)) > MaxFilterChars
		for _, mode := range modes {
			req.Mode = mode
			req.Filter.Categories = append([]string(nil), req.Filter.Categories...) // normalize trims in place
			var resp *Response
			alloc := allocated(func() {
				resp, err = testEngine.Search(ctx, req)
			})
			if alloc > maxSearchAlloc {
				t.Fatalf("%s search with a %d-byte author and a %d-byte category allocated %d MiB", mode, len(author), len(category), alloc>>20)
			}
			if wantBad {
				if !IsBadRequest(err) {
					t.Fatalf("%s search %+v: %v, want a bad request", mode, req, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s search %.80q author %.80q category %.80q year %q: %v", mode, q, author, category, year, err)
			}
			lcAuthor := strings.ToLower(strings.TrimSpace(author))
			for _, r := range resp.Results {
				if !years.Contains(r.Year) {
					t.Fatalf("%s: %s from %d is outside %q", mode, r.ID, r.Year, year)
				}
				if category != "" && !slices.Contains(r.Categories, strings.TrimSpace(category)) {
					t.Fatalf("%s: %s in %v is not in category %q", mode, r.ID, r.Categories, category)
				}
				if lcAuthor != "" && !slices.ContainsFunc(r.Authors, func(a string) bool { return strings.Contains(strings.ToLower(a), lcAuthor) }) {
					t.Fatalf("%s: %s by %v has no author matching %q", mode, r.ID, r.Authors, author)
				}
			}
		}
	})
}

func checkErr(t *testing.T, mode Mode, q string, err error, empty bool) {
	t.Helper()
	switch {
	case empty && !IsBadRequest(err):
		t.Fatalf("%s search for blank text %q: %v, want a bad request", mode, q, err)
	case !empty && err != nil:
		t.Fatalf("%s search for %.80q (%d bytes): %v", mode, q, len(q), err)
	}
}

// checkResponse checks what the CLI and HTTP print from a response: ranks
// 1..n, at most k results, the query echoed as the engine searched it (cut
// to MaxQueryBytes on a character boundary), and one JSON document.
func checkResponse(t *testing.T, resp *Response, q string, k int) {
	t.Helper()
	if len(resp.Results) > k {
		t.Fatalf("%d results, asked for %d", len(resp.Results), k)
	}
	for i, r := range resp.Results {
		if r.Rank != i+1 || r.ID == "" {
			t.Fatalf("result %d: rank %d id %q", i, r.Rank, r.ID)
		}
	}
	trimmed := strings.TrimSpace(q)
	if len(resp.Query) > MaxQueryBytes || !strings.HasPrefix(trimmed, resp.Query) || (len(trimmed) <= MaxQueryBytes && resp.Query != trimmed) {
		t.Fatalf("response echoes %d bytes of a %d-byte query", len(resp.Query), len(trimmed))
	}
	if utf8.ValidString(trimmed) && !utf8.ValidString(resp.Query) {
		t.Fatal("truncation split a character")
	}
	if _, err := json.Marshal(resp); err != nil {
		t.Fatalf("response does not encode as JSON: %v", err)
	}
}

// allocated reports the bytes the process allocated while fn ran. A fuzz
// worker runs one input at a time, so that is fn's allocation.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

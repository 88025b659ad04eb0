package query

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paperseek/paperseek/index"
)

// Mode selects the rankers.
type Mode string

// Search modes.
const (
	ModeHybrid   Mode = "hybrid"
	ModeKeyword  Mode = "keyword"
	ModeSemantic Mode = "semantic"
	ModeRelated  Mode = "related" // reported by related lookups
)

// Fusion methods.
const (
	FusionBlend = "blend"
	FusionRRF   = "rrf"
)

// Limits on a request; part of the contract's error messages.
const (
	MaxK        = 1000
	MaxOffset   = 10000
	DefaultK    = 10
	DefaultRRFK = 60
	// MinWindow is the least each leg retrieves before fusion.
	MinWindow = 100
	// MaxQueryBytes bounds query text; longer text is cut, not refused, so a
	// pasted abstract still works.
	MaxQueryBytes = 8 << 10
	// MaxFilterChars bounds an author or category filter.
	MaxFilterChars = 200
	// MaxCategories bounds how many categories one request may give.
	MaxCategories = 100
)

// Request is one search (or related lookup), as parsed from flags or HTTP.
type Request struct {
	Query   string
	K       int
	Offset  int
	Mode    Mode
	Filter  Filter
	Explain bool
	Fusion  string
	// KeywordWeight is the keyword leg's weight in blend fusion; nil means
	// the default measured for the index's embedder.
	KeywordWeight *float64
	RRFK          float64
	// Sort is SortRelevance (default) or SortDate: the relevant papers
	// (DateDepth), newest first.
	Sort string
	// MinScore drops results scoring below it. nil: DefaultMinScore for a
	// search with blend fusion or one leg, none otherwise (RRF, related).
	MinScore *float64
	// IDsOnly skips loading stored papers and building snippets: results
	// carry rank, id and scores only. For evaluation, where 100 hydrated
	// results per query would cost more than the search itself.
	IDsOnly bool
}

// Filter restricts both legs to the same papers.
type Filter = index.Filter

// YearRange is an inclusive range; 0 means open on that side.
type YearRange = index.YearRange

// BadRequestError is a problem with the request itself: exit code 2 on the
// command line, HTTP 400 on the server. Its message names the parameter.
type BadRequestError struct{ Msg string }

func (e *BadRequestError) Error() string { return e.Msg }

func badRequest(format string, args ...any) error {
	return &BadRequestError{Msg: fmt.Sprintf(format, args...)}
}

// IsBadRequest reports whether err is a BadRequestError.
func IsBadRequest(err error) bool {
	var b *BadRequestError
	return errors.As(err, &b)
}

// ParseYear parses the contract's year forms: "2021", "2019..2023",
// "2020.." and "..2018".
func ParseYear(s string) (YearRange, error) {
	s = strings.TrimSpace(s)
	bad := func() (YearRange, error) {
		return YearRange{}, badRequest("year must be YEAR, FROM..TO, FROM.. or ..TO (e.g. 2019..2023), got %q", s)
	}
	if s == "" {
		return YearRange{}, nil
	}
	year := func(t string) (int, bool) {
		if len(t) == 0 || len(t) > 4 {
			return 0, false
		}
		n, err := strconv.Atoi(t)
		return n, err == nil && n >= 1 && t[0] != '+' && t[0] != '-'
	}
	from, to, isRange := strings.Cut(s, "..")
	if !isRange {
		y, ok := year(s)
		if !ok {
			return bad()
		}
		return YearRange{From: y, To: y}, nil
	}
	var r YearRange
	var ok bool
	if from == "" && to == "" {
		return bad()
	}
	if from != "" {
		if r.From, ok = year(from); !ok {
			return bad()
		}
	}
	if to != "" {
		if r.To, ok = year(to); !ok {
			return bad()
		}
	}
	if r.From != 0 && r.To != 0 && r.From > r.To {
		return YearRange{}, badRequest("year range %q is empty: %d is after %d", s, r.From, r.To)
	}
	return r, nil
}

// normalize fills defaults and validates; messages name the parameter as
// both the CLI flag and the HTTP parameter spell it.
func (r *Request) normalize(needQuery bool) error {
	r.Query = strings.TrimSpace(r.Query)
	if needQuery && r.Query == "" {
		return badRequest("query is empty: give some words to search for")
	}
	if len(r.Query) > MaxQueryBytes {
		r.Query = truncateUTF8(r.Query, MaxQueryBytes)
	}
	if r.K == 0 {
		r.K = DefaultK
	}
	if r.K < 1 || r.K > MaxK {
		return badRequest("k must be between 1 and %d", MaxK)
	}
	if r.Offset < 0 || r.Offset > MaxOffset {
		return badRequest("offset must be between 0 and %d", MaxOffset)
	}
	switch r.Mode {
	case "":
		r.Mode = ModeHybrid
	case ModeHybrid, ModeKeyword, ModeSemantic:
	default:
		return badRequest("mode must be hybrid, keyword or semantic, got %q", r.Mode)
	}
	switch r.Fusion {
	case "":
		r.Fusion = FusionBlend
	case FusionBlend, FusionRRF, FusionNative, FusionNativeRanked:
	default:
		return badRequest("fusion must be blend, rrf, native or native-ranked, got %q", r.Fusion)
	}
	if w := r.KeywordWeight; w != nil && (math.IsNaN(*w) || *w < 0 || *w > 1) {
		return badRequest("keyword weight must be between 0 and 1")
	}
	if r.RRFK == 0 {
		r.RRFK = DefaultRRFK
	}
	switch r.Sort {
	case "":
		r.Sort = SortRelevance
	case SortRelevance, SortDate:
	default:
		return badRequest("sort must be relevance or date, got %q", r.Sort)
	}
	if m := r.MinScore; m != nil && (math.IsNaN(*m) || *m < 0 || *m > 1) {
		return badRequest("min score must be between 0 and 1")
	}
	if math.IsNaN(r.RRFK) || r.RRFK <= 0 || r.RRFK > 1e6 {
		return badRequest("rrf k must be a positive number")
	}
	if len(r.Filter.Categories) > MaxCategories {
		return badRequest("at most %d categories can be given", MaxCategories)
	}
	// The trimmed categories go into a new slice: the caller's may be
	// shared with other requests running at the same time.
	cats := make([]string, len(r.Filter.Categories))
	for i, c := range r.Filter.Categories {
		cats[i] = strings.TrimSpace(c)
		if cats[i] == "" {
			return badRequest("category must not be empty")
		}
		if utf8.RuneCountInString(cats[i]) > MaxFilterChars {
			return badRequest("category must be at most %d characters", MaxFilterChars)
		}
	}
	if r.Filter.Categories != nil {
		r.Filter.Categories = cats
	}
	r.Filter.Author = strings.TrimSpace(r.Filter.Author)
	// The author filter is a substring match over every author name in the
	// index, whose cost grows with the square of its length: bound it well
	// above any real name.
	if utf8.RuneCountInString(r.Filter.Author) > MaxFilterChars {
		return badRequest("author must be at most %d characters", MaxFilterChars)
	}
	return nil
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// ParseSince reads --since: a date ("2026-11-24", or "2026-11" for its
// first day) or a span back from today, UTC ("7d", "2w", "3mo", "1y", or a
// Go duration such as "36h"), and returns the first day it keeps as
// "YYYY-MM-DD". An empty string keeps everything.
func ParseSince(s string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := func() (string, error) {
		return "", badRequest("since must be a date (2026-11-24) or a span back from today (7d, 2w, 3mo, 1y), got %q", s)
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	today := now.UTC().Truncate(24 * time.Hour)
	lower := strings.ToLower(s)
	for _, u := range []struct {
		suffix              string
		years, months, days int
	}{{"mo", 0, 1, 0}, {"y", 1, 0, 0}, {"w", 0, 0, 7}, {"d", 0, 0, 1}} {
		num, ok := strings.CutSuffix(lower, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 || n > 10000 || num == "" || num[0] == '+' {
			return bad()
		}
		return today.AddDate(-n*u.years, -n*u.months, -n*u.days).Format(time.DateOnly), nil
	}
	if d, err := time.ParseDuration(lower); err == nil && d >= 0 && d < 10000*24*time.Hour {
		return now.UTC().Add(-d).Format(time.DateOnly), nil
	}
	return bad()
}

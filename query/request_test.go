package query

import (
	"strings"
	"testing"
	"time"
)

func TestParseYear(t *testing.T) {
	tests := []struct {
		in      string
		want    YearRange
		wantErr bool
	}{
		{"", YearRange{}, false},
		{"2021", YearRange{From: 2021, To: 2021}, false},
		{" 2021 ", YearRange{From: 2021, To: 2021}, false},
		{"2019..2023", YearRange{From: 2019, To: 2023}, false},
		{"2020..", YearRange{From: 2020, To: 0}, false},
		{"..2018", YearRange{From: 0, To: 2018}, false},
		{"2020..2020", YearRange{From: 2020, To: 2020}, false},
		{"2023..2019", YearRange{}, true}, // empty range
		{"..", YearRange{}, true},
		{"abc", YearRange{}, true},
		{"20x1", YearRange{}, true},
		{"-2021", YearRange{}, true},
		{"+2021", YearRange{}, true},
		{"0", YearRange{}, true},
		{"20211", YearRange{}, true},
		{"2019...2023", YearRange{}, true},
		{"2019..2023..2025", YearRange{}, true},
		{"2019-2023", YearRange{}, true},
	}
	for _, tt := range tests {
		got, err := ParseYear(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseYear(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil && !IsBadRequest(err) {
			t.Errorf("ParseYear(%q) error %v is not a bad request", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("ParseYear(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if err == nil && tt.in != "" {
			// String renders a form ParseYear reads back to the same range.
			if again, err := ParseYear(got.String()); err != nil || again != got {
				t.Errorf("ParseYear(%q.String() = %q) = %+v, %v", tt.in, got.String(), again, err)
			}
		}
	}
}

func TestYearRangeContains(t *testing.T) {
	tests := []struct {
		r    YearRange
		year int
		want bool
	}{
		{YearRange{}, 0, true},
		{YearRange{}, 1999, true},
		{YearRange{From: 2020, To: 2020}, 2020, true},
		{YearRange{From: 2020, To: 2020}, 2021, false},
		{YearRange{From: 2020, To: 0}, 2030, true},
		{YearRange{From: 2020, To: 0}, 2019, false},
		{YearRange{From: 0, To: 2018}, 2018, true},
		{YearRange{From: 0, To: 2018}, 2019, false},
		{YearRange{From: 0, To: 2018}, 0, false}, // unknown year is outside any range
	}
	for _, tt := range tests {
		if got := tt.r.Contains(tt.year); got != tt.want {
			t.Errorf("%+v.Contains(%d) = %v, want %v", tt.r, tt.year, got, tt.want)
		}
	}
}

func TestRequestValidation(t *testing.T) {
	w := func(x float64) *float64 { return &x }
	tests := []struct {
		name    string
		req     Request
		wantErr string
	}{
		{"defaults", Request{Query: "x"}, ""},
		{"empty query", Request{Query: "  "}, "query is empty: give some words to search for"},
		{"k too big", Request{Query: "x", K: 1001}, "k must be between 1 and 1000"},
		{"k negative", Request{Query: "x", K: -1}, "k must be between 1 and 1000"},
		{"offset negative", Request{Query: "x", Offset: -1}, "offset must be between 0 and 10000"},
		{"unknown mode", Request{Query: "x", Mode: "fuzzy"}, `mode must be hybrid, keyword or semantic, got "fuzzy"`},
		{"unknown fusion", Request{Query: "x", Fusion: "max"}, `fusion must be blend, rrf, native or native-ranked, got "max"`},
		{"weight above 1", Request{Query: "x", KeywordWeight: w(1.5)}, "keyword weight must be between 0 and 1"},
		{"weight 0 ok", Request{Query: "x", KeywordWeight: w(0)}, ""},
		{"rrf k negative", Request{Query: "x", RRFK: -3}, "rrf k must be a positive number"},
		{"blank category", Request{Query: "x", Filter: Filter{Categories: []string{" "}}}, "category must not be empty"},
		{"long category", Request{Query: "x", Filter: Filter{Categories: []string{strings.Repeat("c", 201)}}}, "category must be at most 200 characters"},
		{"too many categories", Request{Query: "x", Filter: Filter{Categories: make([]string, 101)}}, "at most 100 categories can be given"},
		{"long author", Request{Query: "x", Filter: Filter{Author: strings.Repeat("é", 201)}}, "author must be at most 200 characters"},
		{"author of 200 characters ok", Request{Query: "x", Filter: Filter{Author: strings.Repeat("é", 200)}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.normalize(true)
			got := ""
			if err != nil {
				got = err.Error()
				if !IsBadRequest(err) {
					t.Errorf("error %v is not a bad request", err)
				}
			}
			if got != tt.wantErr {
				t.Errorf("error = %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestLongQueryTruncatedOnRuneBoundary(t *testing.T) {
	long := ""
	for len(long) < MaxQueryBytes+10 {
		long += "é"
	}
	r := Request{Query: long}
	if err := r.normalize(true); err != nil {
		t.Fatal(err)
	}
	if len(r.Query) > MaxQueryBytes {
		t.Errorf("query is %d bytes, want at most %d", len(r.Query), MaxQueryBytes)
	}
	for _, c := range r.Query {
		if c == '\uFFFD' {
			t.Fatal("truncation split a character")
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"", "", false},
		{"2026-11-24", "2026-11-24", false},
		{"2026-11", "2026-11-01", false},
		{"7d", "2026-11-25", false},
		{"0d", "2026-12-02", false},
		{"2w", "2026-11-18", false},
		{"3mo", "2026-09-02", false},
		{"1y", "2025-12-02", false},
		{"36h", "2026-11-30", false},
		{" 7D ", "2026-11-25", false},
		{"7", "", true},
		{"-7d", "", true},
		{"+7d", "", true},
		{"d", "", true},
		{"2026-13-01", "", true},
		{"yesterday", "", true},
		{"-36h", "", true},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in, now)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseSince(%q) = %q, %v; want %q (bad %v)", tt.in, got, err, tt.want, tt.bad)
		}
		if err != nil && !IsBadRequest(err) {
			t.Errorf("ParseSince(%q): %v is not a bad request", tt.in, err)
		}
	}
}

// Normalising a request trims its categories without writing into the
// caller's slice: two requests built from one shared slice may run at the
// same time (the race detector flags the write), and the caller's filter
// must read the same after the search as before.
func TestNormalizeLeavesCallersCategories(t *testing.T) {
	shared := []string{" cs.CL ", "cs.LG"}
	done := make(chan struct{})
	for range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			r := Request{Query: "language models", Filter: Filter{Categories: shared}}
			if err := r.normalize(true); err != nil {
				t.Error(err)
				return
			}
			if r.Filter.Categories[0] != "cs.CL" {
				t.Errorf("normalised category %q, want cs.CL", r.Filter.Categories[0])
			}
		}()
	}
	<-done
	<-done
	if shared[0] != " cs.CL " {
		t.Errorf("the caller's category became %q", shared[0])
	}
}

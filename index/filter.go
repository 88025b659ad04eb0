package index

import (
	"fmt"
	"strconv"
	"time"
)

// Filter restricts both legs of a search to the same papers.
type Filter struct {
	Years      YearRange
	Categories []string // any of, exact
	Author     string   // case-insensitive substring of any author
	// Since keeps papers first published on or after this day
	// ("YYYY-MM-DD"); a paper without a publication date is outside it.
	Since string
}

// IsZero reports whether the filter keeps every paper.
func (f Filter) IsZero() bool {
	return f.Years == (YearRange{}) && len(f.Categories) == 0 && f.Author == "" && f.Since == ""
}

// Day is a "YYYY-MM-DD" date as days since 1970-01-01, the form stores
// index publication dates in for --since.
func Day(date string) (int, bool) {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0, false
	}
	return int(t.Unix() / 86400), true
}

// YearRange is an inclusive range; 0 means open on that side.
type YearRange struct{ From, To int }

// Contains reports whether year is in the range. A paper with no year is
// outside every non-empty range.
func (r YearRange) Contains(year int) bool {
	if r.From == 0 && r.To == 0 {
		return true
	}
	if year == 0 {
		return false
	}
	return (r.From == 0 || year >= r.From) && (r.To == 0 || year <= r.To)
}

// String renders the range as --year reads it: "2021", "2019..2023",
// "2020.." or "..2018".
func (r YearRange) String() string {
	switch {
	case r.From == 0 && r.To == 0:
		return ""
	case r.From == r.To:
		return strconv.Itoa(r.From)
	case r.To == 0:
		return fmt.Sprintf("%d..", r.From)
	case r.From == 0:
		return fmt.Sprintf("..%d", r.To)
	}
	return fmt.Sprintf("%d..%d", r.From, r.To)
}

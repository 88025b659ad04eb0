package vectors

import (
	"fmt"
	"math"
	"strconv"
)

// Meta is what the semantic leg needs of a paper besides its vector: the
// filter fields, so it filters exactly like the keyword leg, and the token
// length of the ranking text, for BM25's average.
type Meta struct {
	Year       int      // 0: unknown (outside any year filter)
	Published  string   // first-version date "YYYY-MM-DD", or "" (outside any --since)
	Categories []string // exact
	AuthorsLC  []string // lower-cased author names (--author is a substring of one)
	Length     int      // tokens in the ranking text (title + abstract, `en` analyzer)
}

// parseDate turns "YYYY-MM-DD" into the integer YYYYMMDD (0 for ""), which
// orders like the date and fits a uint32 column.
func parseDate(s string) (uint32, error) {
	if s == "" {
		return 0, nil
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:])
	if err1 != nil || err2 != nil || err3 != nil || y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return uint32(y*10000 + m*100 + d), nil
}

func formatDate(d uint32) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}

// Years are stored as uint16; the year histogram (for estimating how much of
// the index a filter keeps) covers histFirstYear..histFirstYear+255.
const histFirstYear = 1900

func yearBucket(y int) int { return min(255, max(0, y-histFirstYear)) }

// clampU32 stores a count in a uint32 column (a token length beyond 4
// billion is not a real paper; it is clamped, not wrapped).
func clampU32(x int) uint32 {
	if x < 0 {
		return 0
	}
	if uint64(x) > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(x)
}

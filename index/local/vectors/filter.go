package vectors

import (
	"fmt"
	"strings"
)

// Filter restricts a search exactly as the keyword leg restricts its own:
// every set field must hold.
type Filter struct {
	YearFrom, YearTo int      // inclusive; 0 = open; with either set, papers without a year are outside
	Since            string   // "YYYY-MM-DD": first-version date on or after (papers without a date are outside)
	Categories       []string // any of, exact
	Author           string   // case-insensitive substring of any author name
}

// IsZero reports whether f keeps every paper.
func (f Filter) IsZero() bool {
	return f.YearFrom == 0 && f.YearTo == 0 && f.Since == "" && len(f.Categories) == 0 && f.Author == ""
}

// compiled is a filter prepared for one segment: the category and author
// conditions become bitsets over that segment's dictionaries (the author
// substring is matched once per distinct name, not once per paper), so
// testing a row is a few loads.
type compiled struct {
	years          bool
	yearLo, yearHi uint16
	since          uint32
	cats, auths    []uint64 // nil: no condition
	empty          bool     // no row of the segment can pass
	selectivity    float64  // estimated fraction of rows that pass
}

func compileFilter(f Filter, g *segment) (*compiled, error) {
	c := &compiled{selectivity: 1}
	rows := float64(max(1, g.rows()))
	if f.YearFrom != 0 || f.YearTo != 0 {
		c.years = true
		c.yearLo, c.yearHi = 1, 0xffff
		if f.YearFrom > 0xffff {
			c.empty = true
		} else if f.YearFrom > 1 {
			c.yearLo = uint16(f.YearFrom)
		}
		if f.YearTo != 0 {
			c.yearHi = uint16(max(0, min(f.YearTo, 0xffff)))
		}
		if c.yearLo > c.yearHi {
			c.empty = true
		}
		c.selectivity *= histFraction(g.yearHist, int(c.yearLo), int(c.yearHi), 0) / rows
	}
	if f.Since != "" {
		d, err := parseDate(f.Since)
		if err != nil {
			return nil, fmt.Errorf("since: %w", err)
		}
		c.since = d
		c.selectivity *= histFraction(g.yearHist, int(d/10000), 0xffff, float64(d/100%100-1)/12) / rows
	}
	if len(f.Categories) > 0 {
		c.cats = make([]uint64, (g.catDict.n+63)/64)
		var n float64
		for _, want := range f.Categories {
			if i, ok := g.catDict.lookup(want); ok && c.cats[i/64]&(1<<(i%64)) == 0 {
				c.cats[i/64] |= 1 << (i % 64)
				n += float64(g.catDict.counts[i])
			}
		}
		if n == 0 {
			c.empty = true
		}
		c.selectivity *= min(1, n/rows)
	}
	if f.Author != "" {
		c.auths = make([]uint64, (g.authDict.n+63)/64)
		var n float64
		for _, i := range g.authDict.containing(strings.ToLower(f.Author)) {
			c.auths[i/64] |= 1 << (i % 64)
			n += float64(g.authDict.counts[i])
		}
		if n == 0 {
			c.empty = true
		}
		c.selectivity *= min(1, n/rows)
	}
	if c.empty {
		c.selectivity = 0
	}
	return c, nil
}

// histFraction counts the rows of years lo..hi in a year histogram, the
// first year counted only by the fraction (1 − skip) of it.
func histFraction(hist []uint32, lo, hi int, skip float64) float64 {
	var n float64
	for b := yearBucket(lo); b <= yearBucket(hi); b++ {
		w := 1.0
		if b == yearBucket(lo) {
			w = 1 - skip
		}
		n += w * float64(hist[b])
	}
	return n
}

func hasAny(bits []uint64, ids []uint32) bool {
	for _, i := range ids {
		if int(i/64) < len(bits) && bits[i/64]&(1<<(i%64)) != 0 {
			return true
		}
	}
	return false
}

// keep tests row r of g.
func (c *compiled) keep(g *segment, r int) bool {
	if c.years {
		if y := g.year[r]; y < c.yearLo || y > c.yearHi {
			return false
		}
	}
	if c.since != 0 && g.date[r] < c.since {
		return false
	}
	if c.cats != nil && !hasAny(c.cats, csr(g.catOff, g.catIDs, r)) {
		return false
	}
	if c.auths != nil && !hasAny(c.auths, csr(g.authOff, g.authIDs, r)) {
		return false
	}
	return true
}

package harvest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/paperseek/paperseek/index"
)

// What a harvest records in the index (index.Writer.SetState), per set,
// always in the same commit as the papers it speaks for:
//
//	sync.arxiv.SET          the harvest point: the `from` date of the next
//	                        run without --from (YYYY-MM-DD)
//	sync.arxiv.SET.partial  a range not yet harvested to its end: where it
//	                        started and the resumption token of the next
//	                        page (JSON, partial)
//
// OAI-PMH does not promise that a list comes in datestamp order, so the
// only date that is safe to restart an unfinished range from is the
// range's own start: the harvest point moves only when a range is
// finished, and a range whose token has expired is harvested again from
// its start (papers already indexed are then replaced, not duplicated).

func pointKey(set string) string   { return "sync.arxiv." + set }
func partialKey(set string) string { return "sync.arxiv." + set + ".partial" }

// partial is an unfinished range.
type partial struct {
	From  string `json:"from,omitempty"`
	Until string `json:"until,omitempty"`
	// Started is the repository's date when the range's first page was
	// answered: where the next range starts, once this one is finished.
	Started string `json:"started"`
	// Token continues the range at the first page not committed.
	Token   string `json:"token,omitempty"`
	BaseURL string `json:"base_url"`
	// Explicit is a range given with --from; a run without --from does
	// not resume it.
	Explicit bool `json:"explicit,omitempty"`
	// Cursor and Size are the list position of the token, for progress.
	Cursor int `json:"cursor,omitempty"`
	Size   int `json:"size,omitempty"`
}

func readPartial(state map[string]string, set string) (*partial, error) {
	s := state[partialKey(set)]
	if s == "" {
		return nil, nil
	}
	var p partial
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("the index records an unreadable harvest state for set %s (%q): %w", set, s, err)
	}
	return &p, nil
}

func (p *partial) encode() string {
	b, _ := json.Marshal(p) // a struct of strings, bools and ints cannot fail
	return string(b)
}

const dateLayout = "2006-01-02"

// ParseDate checks a --from / --until value: arXiv's granularity is the day.
func ParseDate(s string) (string, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not a date: use YYYY-MM-DD (arXiv's OAI-PMH granularity is the day)", index.ErrUsage, s)
	}
	return t.Format(dateLayout), nil
}

// nextDay is the day after date (YYYY-MM-DD).
func nextDay(date string) string {
	t, err := time.Parse(dateLayout, date)
	if err != nil {
		return date
	}
	return t.AddDate(0, 0, 1).Format(dateLayout)
}

// repositoryDate is the date of an OAI-PMH responseDate (UTC, the
// repository's clock), or of now when the answer has none.
func repositoryDate(responseDate string, now time.Time) string {
	if t, err := time.Parse(time.RFC3339, responseDate); err == nil {
		return t.UTC().Format(dateLayout)
	}
	return now.UTC().Format(dateLayout)
}

// finishedPoint is the harvest point after the range [from, until]
// started on date started is harvested to its end, point being the
// recorded one ("" for none). A range that begins after the point leaves
// a gap, so it does not move the point; neither does one that ends before.
func finishedPoint(point, from, until, started string) string {
	end := started
	if until != "" && nextDay(until) < end {
		end = nextDay(until)
	}
	if point != "" && from > point {
		return point
	}
	return max(point, end)
}

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/paperseek/paperseek/index"
	"github.com/paperseek/paperseek/query"
)

// writeJSON prints v as the one JSON document on stdout.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printResults prints a search or related response: the JSON document, or
// for people a numbered list with a snippet per paper.
func printResults(g *globalOptions, resp *query.Response, explain bool) error {
	for _, w := range resp.Warnings {
		fmt.Fprintf(g.IO.ErrOut, "paperseek: warning: %s\n", w)
	}
	if g.JSON {
		return writeJSON(g.IO.Out, resp)
	}
	out := bufio.NewWriter(g.IO.Out)
	on, off := g.IO.Bold()
	if len(resp.Results) == 0 {
		fmt.Fprintf(out, "no results for %q (%s, %.1f ms)\n", shorten(resp.Query, 80), resp.Mode, resp.TookMS)
		if resp.BelowMinScore > 0 {
			fmt.Fprintf(out, "%d weaker matches scored below the score floor: see them with --min-score 0\n", resp.BelowMinScore)
		}
		return out.Flush()
	}
	for _, r := range resp.Results {
		fmt.Fprintf(out, "%3d. %s%s%s\n", r.Rank, on, r.Title, off)
		meta := []string{r.ID}
		if r.Year != 0 {
			meta = append(meta, fmt.Sprint(r.Year))
		}
		if a := authorsShort(r.Authors); a != "" {
			meta = append(meta, a)
		}
		meta = append(meta, "score "+formatScore(r.Score))
		fmt.Fprintf(out, "     %s\n", strings.Join(meta, " · "))
		if r.Snippet != "" {
			fmt.Fprintf(out, "     %s\n", query.PlainSnippet(r.Snippet, on, off))
		}
		if explain {
			fmt.Fprintf(out, "     keyword %s · semantic %s%s\n", legText(r.Keyword), legText(r.Semantic), partsText(r.Explain))
		}
		fmt.Fprintln(out)
	}
	first, last := resp.Results[0].Rank, resp.Results[len(resp.Results)-1].Rank
	fmt.Fprintf(out, "results %d–%d for %q (%s, %.1f ms)\n", first, last, shorten(resp.Query, 80), resp.Mode, resp.TookMS)
	return out.Flush()
}

func legText(l *query.LegHit) string {
	if l == nil {
		return "—"
	}
	return fmt.Sprintf("#%d (%s)", l.Rank, formatScore(l.Score))
}

// partsText says what each leg added to a fused score.
func partsText(x *query.Explanation) string {
	if x == nil || x.Fusion == "none" {
		return ""
	}
	return fmt.Sprintf(" · %s: %s + %s", x.Fusion, formatScore(x.Keyword), formatScore(x.Semantic))
}

func formatScore(s float64) string {
	switch {
	case s == 0:
		return "0"
	case math.Abs(s) >= 10:
		return fmt.Sprintf("%.2f", s)
	}
	return fmt.Sprintf("%.4f", s)
}

// authorsShort is "A, B, C et al." for display.
func authorsShort(a []string) string {
	switch {
	case len(a) == 0:
		return ""
	case len(a) <= 3:
		return joinAuthors(a)
	}
	return joinAuthors(a[:3]) + " et al."
}

// joinAuthors joins names with ", " unless a name holds a comma itself
// ("Vaswani, Ashish", as many exports write them): then with "; ", so that
// "Vaswani, Ashish; Shazeer, Noam" cannot be read as four people. Names
// are shown as the source wrote them; --json keeps them as a list.
func joinAuthors(a []string) string {
	for _, n := range a {
		if strings.Contains(n, ",") {
			return strings.Join(a, "; ")
		}
	}
	return strings.Join(a, ", ")
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// printPaper prints one stored paper: JSON, or a readable record.
func printPaper(g *globalOptions, p index.Paper) error {
	if g.JSON {
		return writeJSON(g.IO.Out, p)
	}
	on, off := g.IO.Bold()
	out := bufio.NewWriter(g.IO.Out)
	fmt.Fprintf(out, "%s%s%s\n", on, p.Title, off)
	field := func(name, v string) {
		if v != "" {
			fmt.Fprintf(out, "%-11s %s\n", name+":", v)
		}
	}
	field("id", p.ID)
	field("authors", joinAuthors(p.Authors))
	if p.Year != 0 {
		field("year", fmt.Sprint(p.Year))
	}
	field("published", p.Published)
	field("categories", strings.Join(p.Categories, " "))
	field("url", p.URL)
	field("doi", p.DOI)
	field("arxiv", p.ArXiv)
	field("pmid", p.PMID)
	if p.Abstract != "" {
		fmt.Fprintln(out)
		for _, line := range wrap(p.Abstract, 78) {
			fmt.Fprintln(out, line)
		}
	}
	return out.Flush()
}

// wrap breaks text into lines of at most width runes at spaces.
func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	n := 0
	for _, w := range strings.Fields(text) {
		wl := len([]rune(w))
		if n > 0 && n+1+wl > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(w)
		n += wl
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

func roundTo(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

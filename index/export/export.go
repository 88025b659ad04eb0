package export

import (
	"fmt"
	"io"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// Format names an export format, as --format spells it.
type Format string

// The export formats.
const (
	BibTeX  Format = "bibtex"
	RIS     Format = "ris"
	CSLJSON Format = "csl-json"
)

// Formats lists the export formats in the order help texts show them.
var Formats = []Format{BibTeX, RIS, CSLJSON}

// ParseFormat reads a format name (any case); the error lists the names.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	switch f {
	case BibTeX, RIS, CSLJSON:
		return f, nil
	case "csl", "csljson", "json-csl":
		return CSLJSON, nil
	case "bib", "biblatex":
		return BibTeX, nil
	}
	return "", fmt.Errorf("unknown export format %q: want bibtex, ris or csl-json", s)
}

// Write writes papers to w in format f. An empty list is a valid, empty
// file of that format.
func Write(w io.Writer, f Format, papers []index.Paper) error {
	switch f {
	case BibTeX:
		return WriteBibTeX(w, papers)
	case RIS:
		return WriteRIS(w, papers)
	case CSLJSON:
		return WriteCSL(w, papers)
	}
	return fmt.Errorf("unknown export format %q: want bibtex, ris or csl-json", f)
}

// isJournalArticle: a paper with a publisher's DOI or a PMID was published
// somewhere; one known only by its arXiv id is a preprint.
func isJournalArticle(p *index.Paper) bool {
	return p.PMID != "" || p.DOI != "" && !strings.HasPrefix(p.DOI, "10.48550/arxiv.")
}

// arxivURL is the abs page of an arXiv paper.
func arxivURL(id string) string { return "https://arxiv.org/abs/" + id }

package export

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// WriteRIS writes one record per paper, lines ended with CRLF as the RIS
// specification asks (EndNote, Zotero and Mendeley read both): TY (JOUR
// for a paper with a publisher's DOI or a PMID, GEN otherwise), ID (the
// paper's id), TI, AU ("Last, First[, Suffix]"; an organisation as
// written), AB, PY ("2024///" or "2024/01/15/"), DA, DO, UR (the paper's
// URL, and the arXiv abs page of an arXiv paper, which is how the arXiv id
// travels), AN with DB PubMed for the PMID, KW for each category, ER.
//
// RIS has no escaping: text goes as it is, on one line (papers' text has
// no line breaks). A name written "Last, First" is kept; an organisation
// whose name holds a comma would be read back as a person's name.
func WriteRIS(w io.Writer, papers []index.Paper) error {
	bw := bufio.NewWriter(w)
	tag := func(t, v string) {
		if v != "" {
			bw.WriteString(t + "  - " + v + "\r\n")
		}
	}
	for i := range papers {
		p := &papers[i]
		typ := "GEN"
		if isJournalArticle(p) {
			typ = "JOUR"
		}
		tag("TY", typ)
		tag("ID", p.ID)
		tag("TI", p.Title)
		for _, a := range p.Authors {
			tag("AU", risName(a))
		}
		tag("AB", p.Abstract)
		switch {
		case len(p.Published) == 10:
			tag("PY", strings.ReplaceAll(p.Published, "-", "/")+"/")
			tag("DA", strings.ReplaceAll(p.Published, "-", "/"))
		case p.Year != 0:
			tag("PY", strconv.Itoa(p.Year)+"///")
		}
		tag("DO", p.DOI)
		tag("UR", p.URL)
		if p.ArXiv != "" && !strings.Contains(p.URL, "arxiv.org/abs/"+p.ArXiv) {
			tag("UR", arxivURL(p.ArXiv))
		}
		if p.PMID != "" {
			tag("AN", p.PMID)
			tag("DB", "PubMed")
		}
		for _, c := range p.Categories {
			tag("KW", c)
		}
		bw.WriteString("ER  - \r\n\r\n")
	}
	return bw.Flush()
}

func risName(s string) string {
	n := splitName(s)
	switch {
	case n.asWritten != "":
		return n.asWritten
	case n.literal != "":
		return n.literal
	}
	out := strings.TrimSpace(n.particle + " " + n.family)
	if n.given != "" || n.suffix != "" {
		out += ", " + n.given
	}
	if n.suffix != "" {
		out += ", " + n.suffix
	}
	return out
}

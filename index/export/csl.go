package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// WriteCSL writes a CSL-JSON array, the format Zotero exports and
// citeproc reads: id, type (article-journal for a paper with a publisher's
// DOI or a PMID, article for a preprint), title, abstract, author
// (family/given/non-dropping-particle/suffix; an organisation as literal),
// issued (date-parts), DOI, URL, PMID, an arXiv paper's id as number
// "arXiv:…" with publisher "arXiv" (as Zotero writes preprints), and the
// categories as keyword. CSL titles may hold rich-text markup (<i>…</i>);
// paperseek's text is plain, so a title that itself contains such a tag is
// read by citeproc as markup.
func WriteCSL(w io.Writer, papers []index.Paper) error {
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	bw.WriteString("[")
	for i := range papers {
		buf.Reset()
		if err := enc.Encode(cslItemOf(&papers[i])); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n  ")
		bw.Write(bytes.TrimRight(buf.Bytes(), "\n"))
	}
	if len(papers) > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

type cslItem struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Title     string    `json:"title,omitempty"`
	Abstract  string    `json:"abstract,omitempty"`
	Author    []cslName `json:"author,omitempty"`
	Issued    *cslDate  `json:"issued,omitempty"`
	DOI       string    `json:"DOI,omitempty"`
	URL       string    `json:"URL,omitempty"`
	PMID      string    `json:"PMID,omitempty"`
	Number    string    `json:"number,omitempty"`
	Publisher string    `json:"publisher,omitempty"`
	Keyword   string    `json:"keyword,omitempty"`
}

type cslName struct {
	Family   string `json:"family,omitempty"`
	Given    string `json:"given,omitempty"`
	Particle string `json:"non-dropping-particle,omitempty"`
	Suffix   string `json:"suffix,omitempty"`
	Literal  string `json:"literal,omitempty"`
}

type cslDate struct {
	DateParts [][]int `json:"date-parts"`
}

func cslItemOf(p *index.Paper) cslItem {
	item := cslItem{ID: p.ID, Type: "article", Title: p.Title, Abstract: p.Abstract, DOI: p.DOI, URL: p.URL, PMID: p.PMID}
	if isJournalArticle(p) {
		item.Type = "article-journal"
	}
	for _, a := range p.Authors {
		n := splitName(a)
		switch {
		case n.asWritten != "":
			family, given, _ := strings.Cut(n.asWritten, ",")
			item.Author = append(item.Author, cslName{Family: strings.TrimSpace(family), Given: strings.TrimSpace(given)})
		case n.literal != "":
			item.Author = append(item.Author, cslName{Literal: n.literal})
		default:
			item.Author = append(item.Author, cslName{Family: n.family, Given: n.given, Particle: n.particle, Suffix: n.suffix})
		}
	}
	switch {
	case len(p.Published) == 10:
		y, _ := strconv.Atoi(p.Published[:4])
		m, _ := strconv.Atoi(p.Published[5:7])
		d, _ := strconv.Atoi(p.Published[8:10])
		item.Issued = &cslDate{DateParts: [][]int{{y, m, d}}}
	case p.Year != 0:
		item.Issued = &cslDate{DateParts: [][]int{{p.Year}}}
	}
	if p.ArXiv != "" {
		item.Number = "arXiv:" + p.ArXiv
		if !isJournalArticle(p) {
			item.Publisher = "arXiv"
		}
		if item.URL == "" {
			item.URL = arxivURL(p.ArXiv)
		}
	}
	item.Keyword = strings.Join(p.Categories, ", ")
	return item
}

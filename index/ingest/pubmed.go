package ingest

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// PubMed/MEDLINE XML: the baseline and daily update files
// (<PubmedArticleSet>, also the older <MedlineCitationSet>).
//
// Each <PubmedArticle> is a paper with the id "pmid:<PMID>": ArticleTitle
// (VernacularTitle when there is none), every AbstractText joined in order
// with its Label ("BACKGROUND: … METHODS: …"), inline markup (<i>, <sub>,
// <sup>, <b>, MathML) kept as its text, authors as ForeName (or Initials)
// LastName Suffix or CollectiveName (those marked ValidYN="N" are
// errata, skipped), the year from PubDate/Year or the first year of
// MedlineDate ("1998 Dec-1999 Jan"), the publication date from the
// electronic ArticleDate or else a complete PubDate, the DOI from
// ELocationID EIdType="doi" or PubmedData's ArticleId IdType="doi", and
// the PubMed page as the URL. <PubmedBookArticle> is read the same way
// from its BookDocument. <DeleteCitation> lists PMIDs to remove: each is
// a deletion record (id "pmid:N", PMID N). MeSH headings and keywords are
// not categories.

type pubmedSource struct {
	x     *xmlStream
	queue []entry
}

type pmDate struct {
	Type        string `xml:"DateType,attr"`
	Year        string `xml:"Year"`
	Month       string `xml:"Month"`
	Day         string `xml:"Day"`
	MedlineDate string `xml:"MedlineDate"`
}

type pmAuthor struct {
	Valid          string  `xml:"ValidYN,attr"`
	LastName       string  `xml:"LastName"`
	ForeName       string  `xml:"ForeName"`
	Initials       string  `xml:"Initials"`
	Suffix         string  `xml:"Suffix"`
	CollectiveName xmlText `xml:"CollectiveName"`
}

type pmID struct {
	EIdType string `xml:"EIdType,attr"`
	IdType  string `xml:"IdType,attr"`
	Valid   string `xml:"ValidYN,attr"`
	Value   string `xml:",chardata"`
}

type pmAbstractText struct {
	Label string
	Text  string
}

func (a *pmAbstractText) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	a.Label = attr(&start, "Label")
	var err error
	a.Text, err = innerText(d)
	return err
}

type pmArticle struct {
	PubDate      pmDate           `xml:"Journal>JournalIssue>PubDate"`
	Title        xmlText          `xml:"ArticleTitle"`
	Vernacular   xmlText          `xml:"VernacularTitle"`
	ELocationIDs []pmID           `xml:"ELocationID"`
	Abstract     []pmAbstractText `xml:"Abstract>AbstractText"`
	Authors      []pmAuthor       `xml:"AuthorList>Author"`
	ArticleDates []pmDate         `xml:"ArticleDate"`
}

type pmCitation struct {
	PMID    string    `xml:"PMID"`
	Article pmArticle `xml:"Article"`
}

type pubmedArticle struct {
	Citation pmCitation `xml:"MedlineCitation"`
	IDs      []pmID     `xml:"PubmedData>ArticleIdList>ArticleId"`
}

type pubmedBook struct {
	PMID         string           `xml:"BookDocument>PMID"`
	Title        xmlText          `xml:"BookDocument>ArticleTitle"`
	BookTitle    xmlText          `xml:"BookDocument>Book>BookTitle"`
	PubDate      pmDate           `xml:"BookDocument>Book>PubDate"`
	Abstract     []pmAbstractText `xml:"BookDocument>Abstract>AbstractText"`
	Authors      []pmAuthor       `xml:"BookDocument>AuthorList>Author"`
	BookIDs      []pmID           `xml:"BookDocument>ArticleIdList>ArticleId"`
	PubmedIDs    []pmID           `xml:"PubmedBookData>ArticleIdList>ArticleId"`
	ELocationIDs []pmID           `xml:"BookDocument>ELocationID"`
}

func (s *pubmedSource) next() (entry, error) {
	for {
		if len(s.queue) > 0 {
			e := s.queue[0]
			s.queue = s.queue[1:]
			return e, nil
		}
		tok, err := s.x.token()
		if err != nil {
			return entry{}, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		line := s.x.line()
		var p index.Paper
		var reason string
		switch se.Name.Local {
		case "PubmedArticleSet", "MedlineCitationSet", "PubmedBookArticleSet":
			continue // read what they hold
		case "PubmedArticle":
			var a pubmedArticle
			if err := s.x.decode(&a, &se); err != nil {
				return entry{}, err
			}
			p, reason = pubmedPaper(&a.Citation, a.IDs)
		case "MedlineCitation":
			var c pmCitation
			if err := s.x.decode(&c, &se); err != nil {
				return entry{}, err
			}
			p, reason = pubmedPaper(&c, nil)
		case "PubmedBookArticle":
			var b pubmedBook
			if err := s.x.decode(&b, &se); err != nil {
				return entry{}, err
			}
			p, reason = pubmedBookPaper(&b)
		case "DeleteCitation":
			var d struct {
				PMIDs []string `xml:"PMID"`
			}
			if err := s.x.decode(&d, &se); err != nil {
				return entry{}, err
			}
			for _, raw := range d.PMIDs {
				pmid := index.NormalizePMID(raw)
				if pmid == "" {
					return entry{}, &RecordError{File: s.x.name, Line: line, Reason: fmt.Sprintf("DeleteCitation: PMID %s is not a number", quoteShort(raw))}
				}
				s.queue = append(s.queue, entry{rec: Record{Paper: index.Paper{ID: "pmid:" + pmid, PMID: pmid}, Delete: true}, kind: FormatPubMed, line: line})
			}
			continue
		default:
			if err := s.x.skip(); err != nil {
				return entry{}, err
			}
			continue
		}
		if reason != "" {
			return entry{}, &RecordError{File: s.x.name, Line: line, Reason: reason}
		}
		return entry{rec: Record{Paper: p}, kind: FormatPubMed, line: line}, nil
	}
}

func pubmedPaper(c *pmCitation, ids []pmID) (index.Paper, string) {
	a := &c.Article
	rec := record{title: string(a.Title), abstract: pubmedAbstract(a.Abstract), authors: pubmedAuthors(a.Authors)}
	if strings.TrimSpace(rec.title) == "" {
		rec.title = string(a.Vernacular)
	}
	pmid := c.PMID
	if pmid == "" {
		pmid = idOfType(ids, "pubmed")
	}
	rec.doi = idOfType(a.ELocationIDs, "doi")
	if rec.doi == "" {
		rec.doi = idOfType(ids, "doi")
	}
	rec.year = pubmedYear(a.PubDate)
	for _, d := range a.ArticleDates {
		if date := pubmedDate(d); date != "" && (d.Type == "" || strings.EqualFold(d.Type, "Electronic")) {
			rec.published = date
			break
		}
	}
	if rec.published == "" {
		rec.published = pubmedDate(a.PubDate)
	}
	if rec.year == 0 && len(a.ArticleDates) > 0 {
		rec.year = leadingYear(a.ArticleDates[0].Year)
	}
	return pubmedFinish(&rec, pmid)
}

func pubmedBookPaper(b *pubmedBook) (index.Paper, string) {
	rec := record{title: string(b.Title), abstract: pubmedAbstract(b.Abstract), authors: pubmedAuthors(b.Authors)}
	if strings.TrimSpace(rec.title) == "" {
		rec.title = string(b.BookTitle)
	}
	pmid := b.PMID
	if pmid == "" {
		pmid = idOfType(b.PubmedIDs, "pubmed")
	}
	rec.doi = idOfType(b.ELocationIDs, "doi")
	if rec.doi == "" {
		rec.doi = idOfType(append(b.BookIDs, b.PubmedIDs...), "doi")
	}
	rec.year = pubmedYear(b.PubDate)
	rec.published = pubmedDate(b.PubDate)
	return pubmedFinish(&rec, pmid)
}

func pubmedFinish(rec *record, pmid string) (index.Paper, string) {
	n := index.NormalizePMID(pmid)
	if n == "" {
		if strings.TrimSpace(pmid) == "" {
			return index.Paper{}, "missing PMID"
		}
		return index.Paper{}, fmt.Sprintf("PMID %s is not a number", quoteShort(pmid))
	}
	rec.id = "pmid:" + n
	rec.pmid = n
	rec.url = "https://pubmed.ncbi.nlm.nih.gov/" + n + "/"
	return rec.finish()
}

// pubmedAbstract joins structured abstracts with their labels.
func pubmedAbstract(parts []pmAbstractText) string {
	var b strings.Builder
	for _, part := range parts {
		text := strings.TrimSpace(part.Text)
		if text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if label := strings.TrimSpace(part.Label); label != "" {
			b.WriteString(label)
			b.WriteString(": ")
		}
		b.WriteString(text)
	}
	return b.String()
}

func pubmedAuthors(list []pmAuthor) []string {
	var names []string
	for _, a := range list {
		if strings.EqualFold(a.Valid, "N") {
			continue
		}
		if c := strings.TrimSpace(string(a.CollectiveName)); c != "" {
			names = append(names, c)
			continue
		}
		first := a.ForeName
		if strings.TrimSpace(first) == "" {
			first = a.Initials
		}
		if n := strings.Join(strings.Fields(first+" "+a.LastName+" "+a.Suffix), " "); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// idOfType returns the first valid id of a kind ("doi", "pubmed") among
// ELocationIDs (EIdType) or ArticleIds (IdType).
func idOfType(ids []pmID, kind string) string {
	for _, id := range ids {
		t := id.EIdType
		if t == "" {
			t = id.IdType
		}
		if strings.EqualFold(t, kind) && !strings.EqualFold(id.Valid, "N") && strings.TrimSpace(id.Value) != "" {
			return strings.TrimSpace(id.Value)
		}
	}
	return ""
}

func pubmedYear(d pmDate) int {
	if y := leadingYear(d.Year); y != 0 {
		return y
	}
	return leadingYear(d.MedlineDate)
}

// pubmedDate is the date when year, month (number or "Jan") and day are
// all there and valid.
func pubmedDate(d pmDate) string {
	y := leadingYear(d.Year)
	m := bibMonth(d.Month)
	day, err := strconv.Atoi(strings.TrimSpace(d.Day))
	if y == 0 || m == 0 || err != nil {
		return ""
	}
	date, _, r := parseDateText("date", fmt.Sprintf("%04d-%02d-%02d", y, m, day))
	if r != "" {
		return ""
	}
	return date
}

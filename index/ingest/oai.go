package ingest

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// arXiv's OAI-PMH interface (https://oaipmh.arxiv.org/oai), ListRecords
// pages in the "arXiv" and "arXivRaw" metadata formats. One parser serves
// both `paperseek index` of saved pages (one page, or several written one
// after another) and the `sync arxiv` harvester, which reads a page at a
// time with ParseOAIPage or an OAIDecoder and follows its resumption token.
//
// A record is the paper with its arXiv id (no version) as the id, as the
// snapshot reader gives it: title and abstract (LaTeX decoded, hard line
// breaks joined), authors (arXiv: <author> keyname/forenames/suffix;
// arXivRaw: the author string, affiliations in parentheses dropped),
// categories, the first DOI, the first version's date as the publication
// date (arXiv: <created>; arXivRaw: <version version="v1"><date>), and the
// abs page as the URL. A record whose header has status="deleted" is a
// deletion of that arXiv id.

// OAIPage is what one OAI-PMH response holds besides its records.
type OAIPage struct {
	ResponseDate string
	Request      OAIRequest
	// Error is the protocol error the repository answered with, if any.
	// "noRecordsMatch" is the normal answer to a harvest with nothing new.
	Error *OAIError
	// Resumption is the page's resumption token; nil when the page has
	// none (a complete list in one page). An empty Token with the element
	// present means the list is complete.
	Resumption *ResumptionToken
	Records    []OAIRecord    // ParseOAIPage only: the good records, in order
	Bad        []*RecordError // ParseOAIPage only: records skipped, in order
}

// OAIRequest echoes the request the page answers.
type OAIRequest struct {
	URL             string
	Verb            string
	MetadataPrefix  string
	Set             string
	From, Until     string
	ResumptionToken string
}

// OAIError is an OAI-PMH <error code="…">.
type OAIError struct {
	Code    string // badArgument, badResumptionToken, cannotDisseminateFormat, noRecordsMatch, …
	Message string
}

func (e *OAIError) Error() string {
	if e.Message == "" {
		return "OAI-PMH error " + e.Code
	}
	return "OAI-PMH error " + e.Code + ": " + e.Message
}

// ResumptionToken is the token of a page of an incomplete list.
type ResumptionToken struct {
	Token            string
	CompleteListSize int // -1 when not given
	Cursor           int // -1 when not given
	ExpirationDate   string
}

// OAIRecord is one record of a page.
type OAIRecord struct {
	Identifier string // "oai:arXiv.org:2401.01234"
	Datestamp  string // the record's last change, YYYY-MM-DD: what from/until select on
	Sets       []string
	Deleted    bool
	Line       int         // where the record starts
	Paper      index.Paper // a deleted record: ID and ArXiv only
}

// OAIDecoder reads the records of OAI-PMH responses one at a time.
type OAIDecoder struct {
	x    *xmlStream
	page OAIPage
}

// NewOAIDecoder reads the XML of one or more OAI-PMH responses from r;
// name is used in messages.
func NewOAIDecoder(name string, r io.Reader) *OAIDecoder {
	br := bufio.NewReaderSize(tagReader{r: r}, bufSize)
	if head, _ := br.Peek(3); string(head) == "\xef\xbb\xbf" {
		_, _ = br.Discard(3)
	}
	return &OAIDecoder{x: newXMLStream(name, br, 0, maxRecordBytes)}
}

// Page returns what has been read of the response besides its records:
// complete once Next has returned io.EOF.
func (d *OAIDecoder) Page() *OAIPage { return &d.page }

// Next returns the next record, io.EOF at the end, a *RecordError for a
// record that cannot be indexed (reading goes on), or another error when
// the XML is broken.
func (d *OAIDecoder) Next() (OAIRecord, error) {
	for {
		tok, err := d.x.token()
		if err != nil {
			return OAIRecord{}, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		line := d.x.line()
		switch se.Name.Local {
		case "OAI-PMH", "ListRecords", "GetRecord", "ListIdentifiers":
			continue
		case "responseDate":
			var s string
			if err := d.x.decode(&s, &se); err != nil {
				return OAIRecord{}, err
			}
			d.page.ResponseDate = strings.TrimSpace(s)
		case "request":
			var s string
			if err := d.x.decode(&s, &se); err != nil {
				return OAIRecord{}, err
			}
			d.page.Request = OAIRequest{
				URL: strings.TrimSpace(s), Verb: attr(&se, "verb"), MetadataPrefix: attr(&se, "metadataPrefix"),
				Set: attr(&se, "set"), From: attr(&se, "from"), Until: attr(&se, "until"),
				ResumptionToken: attr(&se, "resumptionToken"),
			}
		case "error":
			var s string
			if err := d.x.decode(&s, &se); err != nil {
				return OAIRecord{}, err
			}
			d.page.Error = &OAIError{Code: attr(&se, "code"), Message: strings.TrimSpace(s)}
		case "resumptionToken":
			var s string
			if err := d.x.decode(&s, &se); err != nil {
				return OAIRecord{}, err
			}
			d.page.Resumption = &ResumptionToken{
				Token: strings.TrimSpace(s), CompleteListSize: intAttr(&se, "completeListSize"),
				Cursor: intAttr(&se, "cursor"), ExpirationDate: attr(&se, "expirationDate"),
			}
		case "record":
			var rec oaiRecord
			if err := d.x.decode(&rec, &se); err != nil {
				return OAIRecord{}, err
			}
			return rec.convert(d.x.name, line)
		case "header": // ListIdentifiers: a header without a record around it
			var h oaiHeader
			if err := d.x.decode(&h, &se); err != nil {
				return OAIRecord{}, err
			}
			return oaiRecord{Header: h}.convert(d.x.name, line)
		default:
			if err := d.x.skip(); err != nil {
				return OAIRecord{}, err
			}
		}
	}
}

func intAttr(se *xml.StartElement, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(attr(se, name)))
	if err != nil {
		return -1
	}
	return n
}

// ParseOAIPage reads one OAI-PMH response whole (a page is at most a few
// MB): its records, the records it could not use, and its header, token
// and error. The error return is for broken XML only; a protocol error is
// in page.Error.
func ParseOAIPage(r io.Reader) (*OAIPage, error) {
	d := NewOAIDecoder("OAI-PMH response", r)
	for {
		rec, err := d.Next()
		var re *RecordError
		switch {
		case err == io.EOF:
			return &d.page, nil
		case errors.As(err, &re):
			d.page.Bad = append(d.page.Bad, re)
		case err != nil:
			return nil, err
		default:
			d.page.Records = append(d.page.Records, rec)
		}
	}
}

type oaiHeader struct {
	Status     string   `xml:"status,attr"`
	Identifier string   `xml:"identifier"`
	Datestamp  string   `xml:"datestamp"`
	Sets       []string `xml:"setSpec"`
}

type oaiRecord struct {
	Header   oaiHeader `xml:"header"`
	Metadata struct {
		ArXiv *oaiArXiv    `xml:"arXiv"`
		Raw   *oaiArXivRaw `xml:"arXivRaw"`
	} `xml:"metadata"`
}

type oaiArXiv struct {
	ID      string `xml:"id"`
	Created string `xml:"created"`
	Authors []struct {
		Keyname   string `xml:"keyname"`
		Forenames string `xml:"forenames"`
		Suffix    string `xml:"suffix"`
	} `xml:"authors>author"`
	Title      xmlText `xml:"title"`
	Categories string  `xml:"categories"`
	DOI        string  `xml:"doi"`
	Abstract   xmlText `xml:"abstract"`
}

type oaiArXivRaw struct {
	ID       string `xml:"id"`
	Versions []struct {
		Version string `xml:"version,attr"`
		Date    string `xml:"date"`
	} `xml:"version"`
	Title      xmlText `xml:"title"`
	Authors    xmlText `xml:"authors"`
	Categories string  `xml:"categories"`
	DOI        string  `xml:"doi"`
	Abstract   xmlText `xml:"abstract"`
}

func (r oaiRecord) convert(name string, line int) (OAIRecord, error) {
	out := OAIRecord{
		Identifier: strings.TrimSpace(r.Header.Identifier),
		Datestamp:  strings.TrimSpace(r.Header.Datestamp),
		Sets:       r.Header.Sets,
		Line:       line,
	}
	bad := func(reason string) (OAIRecord, error) {
		return out, &RecordError{File: name, Line: line, Reason: reason}
	}
	headerID := index.NormalizeArXiv(out.Identifier)
	if r.Header.Status == "deleted" {
		if headerID == "" {
			return bad(fmt.Sprintf("deleted record without an arXiv identifier (got %s)", quoteShort(out.Identifier)))
		}
		out.Deleted = true
		out.Paper = index.Paper{ID: headerID, ArXiv: headerID}
		return out, nil
	}
	var rec record
	var id string
	switch m := &r.Metadata; {
	case m.ArXiv != nil:
		a := m.ArXiv
		id = a.ID
		rec.title, rec.abstract = string(a.Title), string(a.Abstract)
		for _, au := range a.Authors {
			rec.authors = append(rec.authors, strings.Join(strings.Fields(au.Forenames+" "+au.Keyname+" "+au.Suffix), " "))
		}
		rec.categories = strings.Fields(a.Categories)
		rec.doi = preferredDOI(a.DOI)
		var reason string
		if rec.published, rec.year, reason = parseDateText("created", a.Created); reason != "" {
			return bad(reason)
		}
	case m.Raw != nil:
		a := m.Raw
		id = a.ID
		rec.title, rec.abstract = string(a.Title), string(a.Abstract)
		rec.authors = arxivAuthorString(string(a.Authors))
		rec.categories = strings.Fields(a.Categories)
		rec.doi = preferredDOI(a.DOI)
		if len(a.Versions) > 0 {
			first := a.Versions[0]
			for _, v := range a.Versions {
				if v.Version == "v1" {
					first = v
				}
			}
			var reason string
			if rec.published, rec.year, reason = parseDateText("version date", first.Date); reason != "" {
				return bad(reason)
			}
		}
	default:
		return bad("record without arXiv or arXivRaw metadata (harvest with metadataPrefix=arXiv or arXivRaw)")
	}
	rec.id = index.NormalizeArXiv(id)
	if rec.id == "" {
		rec.id = headerID
	}
	if rec.id == "" {
		return bad(fmt.Sprintf("record without an arXiv id (got %s)", quoteShort(strings.TrimSpace(id))))
	}
	rec.arxiv, rec.latex = rec.id, true
	rec.url = "https://arxiv.org/abs/" + rec.id
	p, reason := rec.finish()
	if reason != "" {
		return bad(reason)
	}
	out.Paper = p
	return out, nil
}

// arxivAuthorString splits an arXiv author string ("C. Bal\'azs, E. L.
// Berger (ANL), and P. M. Nadolsky"): parenthesised groups are
// affiliations, not names.
func arxivAuthorString(s string) []string {
	return splitAuthors(stripParens(s))
}

// oaiSource is the Reader's source for a file of OAI-PMH responses.
type oaiSource struct {
	d *OAIDecoder
}

func (s *oaiSource) next() (entry, error) {
	rec, err := s.d.Next()
	if err == io.EOF {
		if e := s.d.page.Error; e != nil && e.Code != "noRecordsMatch" {
			return entry{}, fmt.Errorf("%s: the repository answered with %v", s.d.x.name, e)
		}
		return entry{}, io.EOF
	}
	if err != nil {
		return entry{}, err
	}
	return entry{rec: Record{Paper: rec.Paper, Delete: rec.Deleted}, kind: FormatOAI, line: rec.Line}, nil
}

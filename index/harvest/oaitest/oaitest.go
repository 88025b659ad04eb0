// Package oaitest is a fake arXiv OAI-PMH 2.0 repository for tests: it
// answers ListRecords in the arXivRaw format as arXiv's interface does
// (https://info.arxiv.org/help/oa/index.html), pages its lists with
// resumption tokens, and can be told to misbehave the ways a real
// repository does: 503 with Retry-After, expired tokens, error pages,
// truncated answers, or a request that never gets an answer.
package oaitest

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Record is one arXiv item of the fake repository.
type Record struct {
	ID        string   // arXiv id without version, e.g. "2401.00001"
	Datestamp string   // YYYY-MM-DD, what from/until select on
	Sets      []string // e.g. "cs", "physics:quant-ph"
	Deleted   bool
	Title     string
	Abstract  string
	Authors   string
	// Versions is how many versions the paper has (at least 1).
	Versions int
}

// Fault is what the server does instead of answering one request.
type Fault struct {
	// Status, if not 0, is the HTTP status answered (with Body, or a short
	// HTML page); RetryAfter is its Retry-After header.
	Status     int
	RetryAfter string
	Body       string
	// OAIError answers 200 with an OAI-PMH <error code="OAIError">.
	OAIError, Message string
	// ExpireTokens forgets every resumption token handed out before this
	// request, as a repository does when they expire: the request is then
	// answered normally (a token in it is then bad).
	ExpireTokens bool
	// Truncate answers the real page cut after this many bytes.
	Truncate int
	// Block holds the request until the client goes away (or Close).
	Block bool
}

// Server is the fake repository. Its fields may be changed between
// requests; Fail scripts faults by request number.
type Server struct {
	*httptest.Server

	mu sync.Mutex
	// pageSize is how many records a page holds (arXiv: 1000 with arXivRaw).
	pageSize int
	// responseDate is the repository's clock, in every answer's <responseDate>.
	responseDate time.Time
	records      []Record
	faults       map[int]Fault
	requests     []url.Values
	lists        map[string]list // live resumption tokens
	nextList     int
	blocked      chan struct{}
	notify       chan<- int
}

type list struct {
	ids    []int // positions in records
	offset int
}

// New starts a fake repository holding records. Close it when done.
func New(records []Record) *Server {
	s := &Server{
		pageSize:     1000,
		responseDate: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC),
		records:      records,
		faults:       map[int]Fault{},
		lists:        map[string]list{},
		nextList:     6960524,
		blocked:      make(chan struct{}),
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close releases blocked requests and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.blocked:
	default:
		close(s.blocked)
	}
	s.mu.Unlock()
	s.Server.Close()
}

// URL is the base URL to harvest, like https://oaipmh.arxiv.org/oai.
func (s *Server) URL() string { return s.Server.URL + "/oai" }

// Fail makes request number n (1-based, counting every request) fail
// with f; a zero Fault clears it.
func (s *Server) Fail(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[n] = f
}

// SetPageSize sets how many records a page holds (arXiv: 1000).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// SetResponseDate sets the repository's clock (2026-12-02T09:00:00Z at
// first), which its answers carry as <responseDate>.
func (s *Server) SetResponseDate(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responseDate = t
}

// Notify sends the number of every request to ch as it arrives, before
// answering it; nil stops that.
func (s *Server) Notify(ch chan<- int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notify = ch
}

// SetRecords replaces the repository's content (a new day at arXiv).
func (s *Server) SetRecords(records []Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = records
}

// Requests returns the query of every request so far, in order.
func (s *Server) Requests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/oai" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.Form)
	n := len(s.requests)
	f, faulty := s.faults[n]
	if f.ExpireTokens {
		s.lists = map[string]list{}
		faulty = f.Status != 0 || f.OAIError != "" || f.Truncate != 0 || f.Block
	}
	requested := s.notify
	s.mu.Unlock()
	if requested != nil {
		requested <- n
	}
	if faulty {
		switch {
		case f.Block:
			select {
			case <-r.Context().Done():
			case <-s.blocked:
			}
			return
		case f.Status != 0:
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			body := f.Body
			if body == "" {
				body = fmt.Sprintf("<html><body><h1>%d %s</h1></body></html>\n", f.Status, http.StatusText(f.Status))
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			fmt.Fprint(w, body)
			return
		case f.OAIError != "":
			s.write(w, r, errorXML(f.OAIError, f.Message), 0)
			return
		}
	}
	s.write(w, r, s.answer(r.Form), f.Truncate)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, body string, truncate int) {
	s.mu.Lock()
	date := s.responseDate.UTC().Format(time.RFC3339)
	s.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">` + "\n")
	fmt.Fprintf(&b, "<responseDate>%s</responseDate>\n", date)
	b.WriteString("<request")
	for _, k := range []string{"verb", "metadataPrefix", "set", "from", "until", "resumptionToken"} {
		if v := r.Form.Get(k); v != "" {
			fmt.Fprintf(&b, ` %s="%s"`, k, html.EscapeString(v))
		}
	}
	b.WriteString(">https://oaipmh.arxiv.org/oai</request>\n")
	b.WriteString(body)
	b.WriteString("</OAI-PMH>\n")
	out := b.String()
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	if truncate > 0 && truncate < len(out) {
		out = out[:truncate]
	}
	fmt.Fprint(w, out)
}

func errorXML(code, msg string) string {
	return fmt.Sprintf("<error code=\"%s\">%s</error>\n", code, html.EscapeString(msg))
}

var dateOK = func(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// answer is the body of a well-formed answer to the request q, as the
// OAI-PMH 2.0 specification has it.
func (s *Server) answer(q url.Values) string {
	if v := q.Get("verb"); v != "ListRecords" {
		return errorXML("badVerb", fmt.Sprintf("Illegal verb %q", v))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var l list
	if tok := q.Get("resumptionToken"); tok != "" {
		if len(q) != 2 {
			return errorXML("badArgument", "resumptionToken is an exclusive argument")
		}
		var ok bool
		if l, ok = s.lists[tok]; !ok {
			return errorXML("badResumptionToken", "The value of the resumptionToken argument is invalid or expired.")
		}
	} else {
		if q.Get("metadataPrefix") == "" {
			return errorXML("badArgument", "metadataPrefix is required")
		}
		if q.Get("metadataPrefix") != "arXivRaw" {
			return errorXML("cannotDisseminateFormat", "this fake serves arXivRaw only")
		}
		from, until, set := q.Get("from"), q.Get("until"), q.Get("set")
		if (from != "" && !dateOK(from)) || (until != "" && !dateOK(until)) {
			return errorXML("badArgument", "dates must be YYYY-MM-DD")
		}
		if from != "" && until != "" && from > until {
			return errorXML("badArgument", "from is after until")
		}
		if set != "" && !knownSet(set) {
			return errorXML("badArgument", fmt.Sprintf("Unknown set %q", set))
		}
		for i, rec := range s.records {
			if (from == "" || rec.Datestamp >= from) && (until == "" || rec.Datestamp <= until) && inSet(rec.Sets, set) {
				l.ids = append(l.ids, i)
			}
		}
		if len(l.ids) == 0 {
			return errorXML("noRecordsMatch", "No records match this request")
		}
	}
	end := min(l.offset+s.pageSize, len(l.ids))
	var b strings.Builder
	b.WriteString("<ListRecords>\n")
	for _, i := range l.ids[l.offset:end] {
		writeRecord(&b, s.records[i])
	}
	if end < len(l.ids) {
		s.nextList++
		tok := fmt.Sprintf("%d|%d", s.nextList, end+1)
		s.lists[tok] = list{ids: l.ids, offset: end}
		fmt.Fprintf(&b, "<resumptionToken cursor=\"%d\" completeListSize=\"%d\">%s</resumptionToken>\n", l.offset, len(l.ids), tok)
	} else if l.offset > 0 {
		fmt.Fprintf(&b, "<resumptionToken cursor=\"%d\" completeListSize=\"%d\"></resumptionToken>\n", l.offset, len(l.ids))
	}
	b.WriteString("</ListRecords>\n")
	return b.String()
}

func knownSet(set string) bool {
	top, _, _ := strings.Cut(set, ":")
	switch top {
	case "cs", "econ", "eess", "math", "physics", "q-bio", "q-fin", "stat":
		return true
	}
	return false
}

func inSet(sets []string, set string) bool {
	if set == "" {
		return true
	}
	for _, s := range sets {
		if s == set || strings.HasPrefix(s, set+":") {
			return true
		}
	}
	return false
}

func writeRecord(b *strings.Builder, r Record) {
	b.WriteString("<record>\n<header")
	if r.Deleted {
		b.WriteString(` status="deleted"`)
	}
	fmt.Fprintf(b, ">\n <identifier>oai:arXiv.org:%s</identifier>\n <datestamp>%s</datestamp>\n", r.ID, r.Datestamp)
	for _, s := range r.Sets {
		fmt.Fprintf(b, " <setSpec>%s</setSpec>\n", s)
	}
	b.WriteString("</header>\n")
	if r.Deleted {
		b.WriteString("</record>\n")
		return
	}
	b.WriteString(`<metadata>
 <arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">
`)
	fmt.Fprintf(b, " <id>%s</id><submitter>%s</submitter>", r.ID, html.EscapeString(r.Authors))
	for v := 1; v <= max(r.Versions, 1); v++ {
		fmt.Fprintf(b, `<version version="v%d"><date>Mon, %d Jan 2024 10:00:00 GMT</date><size>%dkb</size><source_type>D</source_type></version>`, v, v, 100+v)
	}
	cats := "cs.LG"
	if len(r.Sets) > 0 {
		if top, sub, ok := strings.Cut(r.Sets[0], ":"); ok {
			cats = sub
		} else if top != "cs" {
			cats = top + ".GM"
		}
	}
	fmt.Fprintf(b, "<title>%s</title><authors>%s</authors><categories>%s</categories><comments>%s pages</comments><abstract>  %s\n</abstract></arXivRaw>\n</metadata>\n</record>\n",
		html.EscapeString(r.Title), html.EscapeString(r.Authors), cats, strconv.Itoa(10+len(r.Title)%7), html.EscapeString(r.Abstract))
}

// Command oaifake serves arXiv metadata records (JSON lines of the arXiv
// snapshot: id, title, abstract, authors; "deleted": true serves a deleted
// record) as a fake arXiv OAI-PMH
// interface (index/harvest/oaitest), so that bench/sync.sh can time
// `paperseek sync arxiv` on real text without the network. It prints the
// base URL on stdout and serves until killed.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/paperseek/paperseek/index/harvest/oaitest"
)

func main() {
	records := flag.String("records", "", "JSON lines of arXiv snapshot records")
	pageSize := flag.Int("page-size", 1000, "records per page (arXiv: 1000)")
	date := flag.String("datestamp", "2026-12-01", "datestamp of every record")
	set := flag.String("set", "cs", "the set every record is in")
	now := flag.String("response-date", "2026-12-02T09:00:00Z", "the repository's clock (RFC 3339)")
	flag.Parse()
	responseDate, err := time.Parse(time.RFC3339, *now)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oaifake: --response-date:", err)
		os.Exit(2)
	}
	recs, err := read(*records, *date, *set)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oaifake:", err)
		os.Exit(1)
	}
	srv := oaitest.New(recs)
	defer srv.Close()
	srv.SetPageSize(*pageSize)
	srv.SetResponseDate(responseDate)
	fmt.Println(srv.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
}

func read(path, date, set string) ([]oaitest.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []oaitest.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r struct {
			ID, Title, Abstract string
			Authors             json.RawMessage // a string, or a list of names
			Deleted             bool            // served as a deleted record
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, len(out)+1, err)
		}
		var authors string
		var list []string
		if json.Unmarshal(r.Authors, &authors) != nil && json.Unmarshal(r.Authors, &list) == nil {
			authors = strings.Join(list, ", ")
		}
		out = append(out, oaitest.Record{ID: r.ID, Datestamp: date, Sets: []string{set}, Versions: 1, Deleted: r.Deleted,
			Title: strings.Join(strings.Fields(r.Title), " "), Abstract: strings.Join(strings.Fields(r.Abstract), " "), Authors: authors})
	}
	return out, sc.Err()
}

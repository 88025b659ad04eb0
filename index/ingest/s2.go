package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Semantic Scholar comes in two shapes.
//
// Graph API paper objects (one a line, or an API page {"data":[…]}, see
// pages.go): paperId is the id; title, abstract, year, publicationDate,
// authors[].name, url, and externalIds {DOI, ArXiv, PubMed}.
//
// Datasets rows, from two files of one release read in the same run:
// "papers" rows (corpusid, title, authors, year, publicationdate,
// externalids, url) and "abstracts" rows (corpusid, abstract). The id is
// "s2:<corpusid>". A papers row is joined with the abstracts row of its
// corpusid by NewMultiReader (multi.go); read alone it keeps its title.

func (j *jsonRecord) s2Graph(rec *record) string {
	var r string
	if rec.id, r = jsonString("paperId", j.PaperID); r != "" {
		return r
	}
	return j.s2Common(rec)
}

func (j *jsonRecord) s2Paper(rec *record) string {
	corpus, r := jsonID("corpusid", j.CorpusID)
	if r != "" {
		return r
	}
	rec.id = s2ID(corpus)
	rec.textLater = true
	return j.s2Common(rec)
}

func (j *jsonRecord) s2Abstract(rec *record) string {
	corpus, r := jsonID("corpusid", j.CorpusID)
	if r != "" {
		return r
	}
	rec.id = s2ID(corpus)
	if rec.abstract, r = jsonString("abstract", j.Abstract); r != "" {
		return r
	}
	if strings.TrimSpace(rec.abstract) == "" {
		return "Semantic Scholar abstracts row without an abstract"
	}
	return ""
}

func s2ID(corpus string) string {
	if corpus = strings.TrimSpace(corpus); corpus == "" {
		return ""
	}
	return "s2:" + corpus
}

// s2Common reads the fields both shapes share.
func (j *jsonRecord) s2Common(rec *record) string {
	var r string
	if rec.title, r = jsonString("title", j.Title); r != "" {
		return r
	}
	if rec.abstract, r = jsonString("abstract", j.Abstract); r != "" {
		return r
	}
	if rec.authors, r = jsonAuthors("authors", j.Authors); r != "" {
		return r
	}
	if rec.year, r = jsonYear(j.Year); r != "" {
		return r
	}
	if rec.published, _, r = jsonDate("publicationDate", j.PubDate); r != "" {
		return r
	}
	if rec.url, r = jsonString("url", j.URL); r != "" {
		return r
	}
	if !isSet(j.ExternalIDs) {
		return ""
	}
	var ext map[string]json.RawMessage
	if err := json.Unmarshal(j.ExternalIDs, &ext); err != nil {
		return fmt.Sprintf("field %q: want an object of ids, got %s", "externalIds", describe(j.ExternalIDs))
	}
	// Keys as the API writes them ("DOI", "ArXiv", "PubMed"); values are
	// strings, or numbers for some ids. Other ids (MAG, DBLP, ACL) are not
	// ones papers carry.
	for key, v := range ext {
		val, _ := jsonID(key, v)
		switch strings.ToLower(key) {
		case "doi":
			rec.doi = val
		case "arxiv":
			rec.arxiv = val
		case "pubmed":
			rec.pmid = val
		}
	}
	return ""
}

// orphanAbstract is the reason an abstracts row is not indexed: no papers
// row of its corpusid was read in the same run.
func orphanAbstract(id string) string {
	return fmt.Sprintf("Semantic Scholar abstract of corpusid %s has no papers row in this run: not indexed (give the papers files of the same release in the same run)", strings.TrimPrefix(id, "s2:"))
}

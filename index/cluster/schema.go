package cluster

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
)

// Property names of the papers' collection.
const (
	propID         = "paperId"
	propTitle      = "title"
	propAbstract   = "abstract"
	propAuthors    = "authors"
	propAuthorsLC  = "authorsLc" // lower-cased whole names, for --author
	propCategories = "categories"
	propYear       = "year"
	propPublished  = "published"    // as given, "YYYY-MM-DD"
	propPubDay     = "publishedDay" // days since 1970-01-01, for --since
	propURL        = "url"
	propDOI        = "doi"
	propArXiv      = "arxiv"
	propPMID       = "pmid"
	propText       = "text"       // analysed ranking text, terms joined by spaces
	propTextLength = "textLength" // its number of terms, for BM25
)

// paperProps are the properties a search returns to rebuild a Paper.
var paperProps = []string{propID, propTitle, propAbstract, propAuthors, propCategories, propYear, propPublished,
	propURL, propDOI, propArXiv, propPMID}

// refProp is the property holding each external id kind.
var refProp = map[string]string{index.SchemeDOI: propDOI, index.SchemeArXiv: propArXiv, index.SchemePMID: propPMID}

// papersClass is the layout of the papers' collection: every field stored,
// and indexed exactly for what paperseek searches or filters on.
func papersClass(name string, shards, replicas int) wv.Class {
	field := func(n string) wv.Property {
		return wv.Property{Name: n, DataType: wv.Text, Tokenization: wv.Field, Filterable: true}
	}
	return wv.Class{
		Name: name,
		Properties: []wv.Property{
			field(propID),
			{Name: propTitle, DataType: wv.Text},
			{Name: propAbstract, DataType: wv.Text},
			{Name: propAuthors, DataType: wv.TextArray},
			{Name: propAuthorsLC, DataType: wv.TextArray, Tokenization: wv.Field, Filterable: true},
			{Name: propCategories, DataType: wv.TextArray, Tokenization: wv.Field, Filterable: true},
			{Name: propYear, DataType: wv.Int, Filterable: true, RangeFilters: true},
			{Name: propPublished, DataType: wv.Text},
			{Name: propPubDay, DataType: wv.Int, Filterable: true, RangeFilters: true},
			{Name: propURL, DataType: wv.Text},
			field(propDOI),
			field(propArXiv),
			field(propPMID),
			// Filterable too: Aggregate counts of a term are its document
			// frequency.
			{Name: propText, DataType: wv.Text, Tokenization: wv.Whitespace, Searchable: true, Filterable: true},
			// Filterable: Aggregate sums it (the server needs the bucket).
			{Name: propTextLength, DataType: wv.Int, Filterable: true},
		},
		Vectors:          true,
		Shards:           shards,
		Replicas:         replicas,
		AsyncReplication: true,
	}
}

// paperObject is what the collection stores for p: its fields, its
// analysed ranking text and length, and its vector.
func paperObject(p *index.Paper, terms []string, vec []float32) wv.Object {
	props := map[string]any{
		propID:         p.ID,
		propText:       strings.Join(terms, " "),
		propTextLength: len(terms),
	}
	set := func(k, v string) {
		if v != "" {
			props[k] = v
		}
	}
	set(propTitle, p.Title)
	set(propAbstract, p.Abstract)
	set(propPublished, p.Published)
	set(propURL, p.URL)
	set(propDOI, p.DOI)
	set(propArXiv, p.ArXiv)
	set(propPMID, p.PMID)
	if len(p.Authors) > 0 {
		props[propAuthors] = p.Authors
		lc := make([]string, len(p.Authors))
		for i, a := range p.Authors {
			lc[i] = strings.ToLower(a)
		}
		props[propAuthorsLC] = lc
	}
	if len(p.Categories) > 0 {
		props[propCategories] = p.Categories
	}
	if p.Year != 0 {
		props[propYear] = p.Year
	}
	if day, ok := index.Day(p.Published); ok {
		props[propPubDay] = day
	}
	return wv.Object{ID: wv.ObjectID(p.ID), Properties: props, Vector: vec}
}

// storedPaper is a paper's properties as the server sends them.
type storedPaper struct {
	ID         string   `json:"paperId"`
	Title      string   `json:"title"`
	Abstract   string   `json:"abstract"`
	Authors    []string `json:"authors"`
	AuthorsLC  []string `json:"authorsLc"`
	Categories []string `json:"categories"`
	Year       int      `json:"year"`
	Published  string   `json:"published"`
	URL        string   `json:"url"`
	DOI        string   `json:"doi"`
	ArXiv      string   `json:"arxiv"`
	PMID       string   `json:"pmid"`
}

func (s storedPaper) paper() index.Paper {
	return index.Paper{ID: s.ID, Title: s.Title, Abstract: s.Abstract, Authors: s.Authors, Year: s.Year,
		Categories: s.Categories, Published: s.Published, URL: s.URL, DOI: s.DOI, ArXiv: s.ArXiv, PMID: s.PMID}
}

// decodeObject rebuilds the paper of a stored object.
func decodeObject(o wv.Object) (index.Paper, error) {
	var s storedPaper
	if err := o.Decode(&s); err != nil || s.ID == "" {
		return index.Paper{}, fmt.Errorf("%w: object %s is not a paperseek paper", index.ErrCorrupt, o.ID)
	}
	return s.paper(), nil
}

// decodeHit rebuilds the paper of a search hit (the properties asked for).
func decodeHit(h wv.Hit) (storedPaper, error) {
	raw, err := json.Marshal(h.Properties)
	if err != nil {
		return storedPaper{}, err
	}
	var s storedPaper
	if err := json.Unmarshal(raw, &s); err != nil || s.ID == "" {
		return storedPaper{}, fmt.Errorf("%w: object %s is not a paperseek paper", index.ErrCorrupt, h.ID)
	}
	return s, nil
}

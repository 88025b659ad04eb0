package local

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/paperseek/paperseek/index"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Bleve field names. Only FieldText is ranked; the rest are stored for
// display or indexed as exact terms for filters.
const (
	FieldText       = "text"          // title + "\n" + abstract, index.AnalyzerName: the ranking field
	FieldTitle      = "title"         // stored only
	FieldAbstract   = "abstract"      // stored only
	FieldAuthors    = "authors"       // stored only, as given
	FieldAuthorsLC  = "authors_lc"    // lower-cased whole names, indexed for the --author filter
	FieldCategories = "categories"    // exact terms, stored and indexed
	FieldYear       = "year"          // numeric, stored and indexed
	FieldPublished  = "published"     // stored as given, "YYYY-MM-DD"
	FieldPubDay     = "published_day" // days since 1970-01-01, indexed for --since
	FieldURL        = "url"
	FieldDOI        = "doi"   // external ids: exact terms, stored and indexed
	FieldArXiv      = "arxiv" // for lookups (doi:…) and for recognising
	FieldPMID       = "pmid"  // the same paper arriving from two sources
)

// boltTimeout bounds how long Bleve waits for its bbolt file lock. Bleve's
// default waits forever; paperseek never shares a generation's Bleve files
// between writers, so a wait here only ever means something is wrong.
const boltTimeout = "2s"

// keywordMapping is the Bleve setup measured best on the shared judgments:
// one combined ranking field with the `en` analyzer and Bleve's default
// scoring (nDCG@10 0.689 SciFact-train, 0.392 CISI); title and abstract as
// two fields in a disjunction scored 0.619 / 0.370, and boosting the title
// 0.566 / 0.339.
func keywordMapping() mapping.IndexMapping {
	stored := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	text := bleve.NewTextFieldMapping()
	text.Analyzer = index.AnalyzerName
	text.Store = false
	text.IncludeInAll = false
	// Word positions, for exact phrases ("mixture of experts"). Indexes
	// built before had none: hasPositions tells, and any index run adds
	// them (reindexKeyword).
	text.IncludeTermVectors = true
	text.DocValues = false

	exact := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	year := bleve.NewNumericFieldMapping()
	year.Store = true
	year.IncludeInAll = false
	year.DocValues = false
	day := bleve.NewNumericFieldMapping()
	day.Store = false
	day.IncludeInAll = false
	day.DocValues = false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(FieldText, text)
	doc.AddFieldMappingsAt(FieldTitle, stored())
	doc.AddFieldMappingsAt(FieldAbstract, stored())
	doc.AddFieldMappingsAt(FieldAuthors, stored())
	doc.AddFieldMappingsAt(FieldAuthorsLC, exact(false))
	doc.AddFieldMappingsAt(FieldCategories, exact(true))
	doc.AddFieldMappingsAt(FieldYear, year)
	doc.AddFieldMappingsAt(FieldPublished, stored())
	doc.AddFieldMappingsAt(FieldPubDay, day)
	doc.AddFieldMappingsAt(FieldURL, stored())
	doc.AddFieldMappingsAt(FieldDOI, exact(true))
	doc.AddFieldMappingsAt(FieldArXiv, exact(true))
	doc.AddFieldMappingsAt(FieldPMID, exact(true))

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = index.AnalyzerName
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// textAnalyzer is the analyzer kw's ranking field was built with: the
// folding one (index.AnalyzerName) for indexes made since it exists, `en`
// for older ones, whose terms keep their accents until rebuilt.
func textAnalyzer(kw bleve.Index) (analysis.Analyzer, error) {
	m := kw.Mapping()
	name := m.AnalyzerNameForPath(FieldText)
	a := m.AnalyzerNamed(name)
	if a == nil {
		return nil, fmt.Errorf("%w: keyword index: unknown analyzer %q", index.ErrCorrupt, name)
	}
	return a, nil
}

// hasPositions reports whether idx records word positions of the ranking
// field, which phrase matching needs. The mapping is stored in the index,
// so an index keeps what it was created with.
func hasPositions(idx bleve.Index) bool {
	im, ok := idx.Mapping().(*mapping.IndexMappingImpl)
	if !ok || im.DefaultMapping == nil {
		return false
	}
	dm := im.DefaultMapping.Properties[FieldText]
	if dm == nil {
		return false
	}
	for _, f := range dm.Fields {
		if f.IncludeTermVectors {
			return true
		}
	}
	return false
}

func createKeyword(path string) (bleve.Index, error) {
	idx, err := bleve.NewUsing(path, keywordMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore,
		map[string]interface{}{"bolt_timeout": boltTimeout})
	if err != nil {
		return nil, fmt.Errorf("create keyword index %s: %w", path, err)
	}
	return idx, nil
}

// keywordMode says what a keyword index is opened for.
type keywordMode int

const (
	keywordRead   keywordMode = iota // searching: read-only
	keywordWrite                     // adding papers: Bleve merges its segments in tiers as they pile up
	keywordCommit                    // committing: final, with no merges behind the writer's back
)

// noMerges is a merge plan under which Bleve's background merger finds
// nothing to do: no segment is small enough to take part (a segment is
// eligible under half of MaxSegmentSize papers). An explicit ForceMerge
// passes its own plan and still merges.
var noMerges = map[string]interface{}{"MaxSegmentSize": 1}

func openKeyword(path string, mode keywordMode) (bleve.Index, error) {
	// Runtime settings: Bleve records only what an index is created
	// with, so these last as long as this opening.
	cfg := map[string]interface{}{"bolt_timeout": boltTimeout}
	switch mode {
	case keywordRead:
		cfg["read_only"] = true
	case keywordCommit:
		cfg["scorchMergePlanOptions"] = noMerges
	}
	idx, err := bleve.OpenUsing(path, cfg)
	if err != nil {
		return nil, index.Corrupt("open keyword index "+path, err)
	}
	return idx, nil
}

// keywordDoc is what Bleve indexes and stores for one paper.
func keywordDoc(p *index.Paper) map[string]interface{} {
	d := map[string]interface{}{FieldText: p.Text()}
	set := func(k, v string) {
		if v != "" {
			d[k] = v
		}
	}
	set(FieldTitle, p.Title)
	set(FieldAbstract, p.Abstract)
	set(FieldPublished, p.Published)
	set(FieldURL, p.URL)
	set(FieldDOI, p.DOI)
	set(FieldArXiv, p.ArXiv)
	set(FieldPMID, p.PMID)
	if day, ok := index.Day(p.Published); ok {
		d[FieldPubDay] = float64(day)
	}
	if len(p.Authors) > 0 {
		d[FieldAuthors] = p.Authors
		lc := make([]string, len(p.Authors))
		for i, a := range p.Authors {
			lc[i] = strings.ToLower(a)
		}
		d[FieldAuthorsLC] = lc
	}
	if len(p.Categories) > 0 {
		d[FieldCategories] = p.Categories
	}
	if p.Year != 0 {
		d[FieldYear] = float64(p.Year)
	}
	return d
}

// paperFromDocument rebuilds a Paper from Bleve's stored fields.
func paperFromDocument(doc bindex.Document) index.Paper {
	p := index.Paper{ID: doc.ID()}
	doc.VisitFields(func(f bindex.Field) {
		switch f.Name() {
		case FieldTitle:
			p.Title = string(f.Value())
		case FieldAbstract:
			p.Abstract = string(f.Value())
		case FieldAuthors:
			p.Authors = append(p.Authors, string(f.Value()))
		case FieldCategories:
			p.Categories = append(p.Categories, string(f.Value()))
		case FieldPublished:
			p.Published = string(f.Value())
		case FieldURL:
			p.URL = string(f.Value())
		case FieldDOI:
			p.DOI = string(f.Value())
		case FieldArXiv:
			p.ArXiv = string(f.Value())
		case FieldPMID:
			p.PMID = string(f.Value())
		case FieldYear:
			if nf, ok := f.(bindex.NumericField); ok {
				if v, err := nf.Number(); err == nil {
					p.Year = int(v)
				}
			}
		}
	})
	return p
}

// lookupPaper returns the stored paper with id, or index.ErrNotFound.
func lookupPaper(idx bleve.Index, id string) (index.Paper, error) {
	doc, err := idx.Document(id)
	if err != nil {
		return index.Paper{}, fmt.Errorf("read paper %q: %w", id, err)
	}
	if doc == nil {
		return index.Paper{}, index.NotFoundf("no paper with id %s", quoteID(id))
	}
	return paperFromDocument(doc), nil
}

// quoteID quotes an id for a message, cut short if it is absurdly long (an
// id comes from the user; a 1 MB one must not become a 1 MB error line).
func quoteID(id string) string {
	const maxShown = 100
	if len(id) <= maxShown {
		return fmt.Sprintf("%q", id)
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(id[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", id[:cut], len(id))
}

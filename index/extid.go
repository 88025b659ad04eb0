package index

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// External ids let the same paper arriving from two sources be recognised:
// every reader fills index.Paper's DOI, ArXiv and PMID in the one form the
// functions below produce, and the CLI and HTTP API read a user's reference
// ("doi:…", "arxiv:…", "pmid:…") with ParseRef into the same form.
//
//   - DOI: lower case (DOIs are case-insensitive by definition), without a
//     resolver prefix (https://doi.org/, dx.doi.org, "doi:"), percent-escapes
//     of a resolver link decoded. It must look like a DOI ("10." registrant
//     "/" suffix): anything else ("n/a", a title pasted in the wrong column)
//     is dropped, because a junk DOI shared by two papers would merge them.
//   - ArXiv: the identifier without version, new style "2401.01234" or old
//     style "hep-th/9901001" (an old-style subject class, "math.GT/0309136",
//     is dropped: arXiv's canonical id is "math/0309136"). Read from
//     "arXiv:…", abs/pdf links, OAI identifiers ("oai:arXiv.org:…"), and
//     DataCite arXiv DOIs ("10.48550/arXiv.2401.01234").
//   - PMID: the decimal digits, without leading zeros; "pmid:" and PubMed
//     links accepted.

// NormalizeDOI returns the DOI in s in its one comparable form, or "" if s
// holds no DOI.
func NormalizeDOI(s string) string {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	for _, prefix := range []string{
		"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/",
		"https://www.doi.org/", "http://www.doi.org/", "doi.org/", "dx.doi.org/",
	} {
		if strings.HasPrefix(lower, prefix) {
			lower = lower[len(prefix):]
			if strings.Contains(lower, "%") {
				if u, err := url.PathUnescape(lower); err == nil {
					lower = strings.ToLower(u)
				}
			}
			break
		}
	}
	if rest, ok := strings.CutPrefix(lower, "doi:"); ok {
		lower = strings.TrimSpace(rest)
	}
	if !isDOI(lower) {
		return ""
	}
	return lower
}

// isDOI checks the DOI syntax: "10." registrant code (digits and dots) "/"
// suffix, no white space or control characters.
func isDOI(s string) bool {
	rest, ok := strings.CutPrefix(s, "10.")
	if !ok {
		return false
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 1 || slash == len(rest)-1 {
		return false
	}
	for i := 0; i < slash; i++ {
		if c := rest[i]; (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	for _, r := range rest[slash+1:] {
		if r <= ' ' || r == 0x7f || r == '\uFFFD' {
			return false
		}
	}
	return true
}

// ArXivDOIPrefix is the DataCite prefix arXiv registers its DOIs under.
const ArXivDOIPrefix = "10.48550/arxiv."

// ArXivFromDOI returns the arXiv id a DataCite arXiv DOI names
// ("10.48550/arXiv.2401.01234" is "2401.01234"), or "".
func ArXivFromDOI(doi string) string {
	doi = NormalizeDOI(doi)
	if rest, ok := strings.CutPrefix(doi, ArXivDOIPrefix); ok {
		return NormalizeArXiv(rest)
	}
	return ""
}

// NormalizeArXiv returns the arXiv identifier in s without its version, or
// "" if s holds none.
func NormalizeArXiv(s string) string {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	for _, prefix := range []string{
		"https://arxiv.org/abs/", "http://arxiv.org/abs/", "https://arxiv.org/pdf/", "http://arxiv.org/pdf/",
		"https://www.arxiv.org/abs/", "http://www.arxiv.org/abs/", "https://export.arxiv.org/abs/", "http://export.arxiv.org/abs/",
		"arxiv.org/abs/", "arxiv.org/pdf/", "oai:arxiv.org:", "arxiv:",
	} {
		if strings.HasPrefix(lower, prefix) {
			s = strings.TrimSpace(s[len(prefix):])
			break
		}
	}
	// "arXiv:2401.01234 [cs.CL]", as Zotero notes write it.
	if i := strings.IndexAny(s, " \t["); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".pdf")
	if i := strings.LastIndexByte(s, 'v'); i > 0 && i < len(s)-1 && allDigits(s[i+1:]) {
		s = s[:i]
	}
	if isNewArXivID(s) {
		return s
	}
	archive, number, ok := strings.Cut(s, "/")
	if !ok || len(number) != 7 || !allDigits(number) || !validYYMM(number[:4]) {
		return ""
	}
	archive = strings.ToLower(archive)
	if i := strings.IndexByte(archive, '.'); i > 0 {
		archive = archive[:i] // math.GT/0309136 is math/0309136
	}
	if !ArXivArchives[archive] {
		return ""
	}
	return archive + "/" + number
}

// isNewArXivID checks YYMM.NNNN (2007 to 2014) or YYMM.NNNNN (since 2015).
func isNewArXivID(s string) bool {
	yymm, number, ok := strings.Cut(s, ".")
	if !ok || len(yymm) != 4 || !allDigits(yymm) || !validYYMM(yymm) || !allDigits(number) {
		return false
	}
	switch len(number) {
	case 4:
		return yymm < "1501"
	case 5:
		return yymm >= "1501"
	}
	return false
}

func validYYMM(s string) bool {
	return s[2:4] >= "01" && s[2:4] <= "12"
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ArXivArchives are arXiv's archives, current and retired: the part of a
// category before the dot, and the prefix of an old-style identifier.
var ArXivArchives = map[string]bool{
	"astro-ph": true, "cond-mat": true, "cs": true, "econ": true, "eess": true, "gr-qc": true,
	"hep-ex": true, "hep-lat": true, "hep-ph": true, "hep-th": true, "math": true, "math-ph": true,
	"nlin": true, "nucl-ex": true, "nucl-th": true, "physics": true, "q-bio": true, "q-fin": true,
	"quant-ph": true, "stat": true,
	// Retired archives, still the prefix of their old papers' ids.
	"acc-phys": true, "adap-org": true, "alg-geom": true, "ao-sci": true, "atom-ph": true,
	"bayes-an": true, "chao-dyn": true, "chem-ph": true, "cmp-lg": true, "comp-gas": true,
	"dg-ga": true, "funct-an": true, "mtrl-th": true, "patt-sol": true, "plasm-ph": true,
	"q-alg": true, "solv-int": true, "supr-con": true,
}

// NormalizePMID returns the PubMed id in s as digits without leading zeros,
// or "" if s holds none.
func NormalizePMID(s string) string {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	for _, prefix := range []string{
		"https://pubmed.ncbi.nlm.nih.gov/", "http://pubmed.ncbi.nlm.nih.gov/",
		"https://www.ncbi.nlm.nih.gov/pubmed/", "http://www.ncbi.nlm.nih.gov/pubmed/",
		"pubmed.ncbi.nlm.nih.gov/", "pmid:", "pmid",
	} {
		if strings.HasPrefix(lower, prefix) {
			s = strings.TrimSpace(s[len(prefix):])
			break
		}
	}
	s = strings.TrimSuffix(s, "/")
	if !allDigits(s) || len(s) > 12 {
		return ""
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return ""
	}
	return s
}

// The schemes of a Ref. A Ref without one is a paper id.
const (
	SchemeDOI   = "doi"
	SchemeArXiv = "arxiv"
	SchemePMID  = "pmid"
)

// Ref is what a user names a paper by: its id (Scheme ""), or one of its
// external ids.
type Ref struct {
	Scheme string // "", SchemeDOI, SchemeArXiv or SchemePMID
	Value  string // the id as given (trimmed), or the normalised external id
}

// String writes the ref as ParseRef reads it.
func (r Ref) String() string {
	if r.Scheme == "" {
		return r.Value
	}
	return r.Scheme + ":" + r.Value
}

// ErrBadRef marks a reference with a known scheme whose value is not an id
// of that kind ("doi:hello"). Test with errors.Is.
var ErrBadRef = errors.New("bad paper reference")

// ParseRef reads a reference to a paper: "doi:10.1000/X", "arxiv:2401.01234v2"
// (the version is dropped), "pmid:123", resolver links of each kind
// (https://doi.org/…, https://arxiv.org/abs/…, https://pubmed.ncbi.nlm.nih.gov/…),
// or anything else as a paper id. Schemes are case-insensitive. A string
// that is an id in one source can be an external id in another ("pmid:123"
// is both the PubMed reader's id and a PMID reference); a store resolving a
// Ref should try the id first when the two could meet.
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, fmt.Errorf("%w: empty", ErrBadRef)
	}
	lower := strings.ToLower(s)
	scheme, value, ok := strings.Cut(s, ":")
	if ok {
		switch strings.ToLower(scheme) {
		case SchemeDOI:
			if d := NormalizeDOI(value); d != "" {
				return Ref{Scheme: SchemeDOI, Value: d}, nil
			}
			return Ref{}, fmt.Errorf("%w: %s is not a DOI (want doi:10.NNNN/…)", ErrBadRef, quoteRef(s))
		case SchemeArXiv:
			if a := NormalizeArXiv(value); a != "" {
				return Ref{Scheme: SchemeArXiv, Value: a}, nil
			}
			return Ref{}, fmt.Errorf("%w: %s is not an arXiv id (want arxiv:2401.01234 or arxiv:hep-th/9901001)", ErrBadRef, quoteRef(s))
		case SchemePMID:
			if p := NormalizePMID(value); p != "" {
				return Ref{Scheme: SchemePMID, Value: p}, nil
			}
			return Ref{}, fmt.Errorf("%w: %s is not a PubMed id (want pmid: and digits)", ErrBadRef, quoteRef(s))
		}
	}
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		if d := NormalizeDOI(s); d != "" && strings.Contains(lower, "doi.org/") {
			return Ref{Scheme: SchemeDOI, Value: d}, nil
		}
		if a := NormalizeArXiv(s); a != "" {
			return Ref{Scheme: SchemeArXiv, Value: a}, nil
		}
		if p := NormalizePMID(s); p != "" {
			return Ref{Scheme: SchemePMID, Value: p}, nil
		}
	}
	return Ref{Value: s}, nil
}

// ExternalIDs lists p's external ids as refs, DOI first.
func (p *Paper) ExternalIDs() []Ref {
	var refs []Ref
	if p.DOI != "" {
		refs = append(refs, Ref{Scheme: SchemeDOI, Value: p.DOI})
	}
	if p.ArXiv != "" {
		refs = append(refs, Ref{Scheme: SchemeArXiv, Value: p.ArXiv})
	}
	if p.PMID != "" {
		refs = append(refs, Ref{Scheme: SchemePMID, Value: p.PMID})
	}
	return refs
}

// NormalizeExternalIDs puts p's external ids in the form stores match them
// in. Readers already store them so; this makes a store robust to a paper
// built by other code. A value that does not look like its kind is dropped,
// as readers drop it: a junk id shared by two papers would merge them.
func (p *Paper) NormalizeExternalIDs() {
	p.DOI = NormalizeDOI(p.DOI)
	p.ArXiv = NormalizeArXiv(p.ArXiv)
	p.PMID = NormalizePMID(p.PMID)
}

// quoteRef quotes a user's reference for a message, cut short when long.
func quoteRef(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return strconv.Quote(s)
}

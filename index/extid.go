package index

import (
	"strings"
)

// External id kinds: the same paper arriving from two sources (an arXiv
// dump and a BibTeX export, say) is recognised by any of them, and a user
// can name a paper by one (`paperseek get doi:10.1145/3600006.3613165`).
const (
	RefDOI   = "doi"
	RefArXiv = "arxiv"
	RefPMID  = "pmid"
)

// Ref is one external id of a paper.
type Ref struct {
	Kind  string // RefDOI, RefArXiv or RefPMID
	Value string // normalised
}

func (r Ref) String() string { return r.Kind + ":" + r.Value }

// ExternalIDs lists p's external ids (normalised as the readers store
// them).
func (p *Paper) ExternalIDs() []Ref {
	var out []Ref
	if p.DOI != "" {
		out = append(out, Ref{RefDOI, p.DOI})
	}
	if p.ArXiv != "" {
		out = append(out, Ref{RefArXiv, p.ArXiv})
	}
	if p.PMID != "" {
		out = append(out, Ref{RefPMID, p.PMID})
	}
	return out
}

// ParseRef reads a user's reference to a paper: "doi:…", "arxiv:…" or
// "pmid:…" (prefix case-insensitive) give an external id, normalised;
// anything else is a paper id (ok is false). A paper id that happens to
// look like a reference is still found: stores try it as an id first.
func ParseRef(ref string) (r Ref, ok bool) {
	kind, value, found := strings.Cut(ref, ":")
	if !found {
		return Ref{}, false
	}
	switch strings.ToLower(kind) {
	case RefDOI:
		r = Ref{RefDOI, NormalizeDOI(value)}
	case RefArXiv:
		r = Ref{RefArXiv, NormalizeArXiv(value)}
	case RefPMID:
		r = Ref{RefPMID, NormalizePMID(value)}
	default:
		return Ref{}, false
	}
	if r.Value == "" {
		return Ref{}, false
	}
	return r, true
}

// NormalizeDOI lower-cases a DOI and strips a resolver prefix
// (https://doi.org/, http://dx.doi.org/, doi:). DOIs are case-insensitive.
func NormalizeDOI(s string) string {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	for _, p := range []string{"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi.org/", "doi:"} {
		if strings.HasPrefix(lower, p) {
			lower = strings.TrimSpace(lower[len(p):])
			break
		}
	}
	if !strings.HasPrefix(lower, "10.") {
		return ""
	}
	return lower
}

// NormalizeArXiv returns an arXiv id without its version suffix and
// without an "arXiv:" prefix or abs/ URL: "2401.01234", "cs/0701113".
func NormalizeArXiv(s string) string {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	for _, p := range []string{"https://arxiv.org/abs/", "http://arxiv.org/abs/", "arxiv.org/abs/", "arxiv:"} {
		if strings.HasPrefix(lower, p) {
			s = strings.TrimSpace(s[len(p):])
			break
		}
	}
	if i := strings.LastIndexByte(s, 'v'); i > 0 && i < len(s)-1 && allDigits(s[i+1:]) && (s[i-1] >= '0' && s[i-1] <= '9') {
		s = s[:i]
	}
	return s
}

// NormalizePMID keeps a PubMed id's digits ("PMID: 123" → "123").
func NormalizePMID(s string) string {
	s = strings.TrimSpace(s)
	if l := strings.ToLower(s); strings.HasPrefix(l, "pmid") {
		s = strings.TrimLeft(s[4:], ": ")
	}
	if !allDigits(s) {
		return ""
	}
	return strings.TrimLeft(s, "0")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// NormalizeExternalIDs puts p's external ids in the form stores match them
// in. A value that does not look like its kind (a "DOI" not starting with
// 10.) is kept as given: it is shown, but matches only itself.
func (p *Paper) NormalizeExternalIDs() {
	norm := func(v *string, f func(string) string) {
		if n := f(*v); n != "" {
			*v = n
		} else {
			*v = strings.TrimSpace(*v)
		}
	}
	norm(&p.DOI, NormalizeDOI)
	norm(&p.ArXiv, NormalizeArXiv)
	norm(&p.PMID, NormalizePMID)
}

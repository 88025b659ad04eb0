package ingest

import (
	"strings"

	"github.com/paperseek/paperseek/index"
)

// preferredDOI picks one DOI from a field that lists several (arXiv's
// <doi> does, space-separated): the first that is not arXiv's own DataCite
// DOI, which only restates the arXiv id, else the first.
func preferredDOI(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == ',' || r == ';' })
	for _, f := range fields {
		if d := index.NormalizeDOI(f); d != "" && !strings.HasPrefix(d, index.ArXivDOIPrefix) {
			return d
		}
	}
	if len(fields) > 0 {
		return fields[0]
	}
	return ""
}

// isArXivCategory reports whether c names an arXiv category ("cs.CL",
// "hep-th", "math.AG").
func isArXivCategory(c string) bool {
	archive, _, _ := strings.Cut(c, ".")
	return index.ArXivArchives[archive]
}

package export

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// name is an author name split the way reference formats want it. Papers
// store names as written ("First von Last Jr."); the split follows BibTeX's
// rule: the last name starts at the first lower-case word after the first
// word ("van Beethoven"), else it is the last word; a trailing Jr., Sr. or
// roman numeral is a suffix.
type name struct {
	given, particle, family, suffix string
	literal                         string // an organisation, kept whole
	asWritten                       string // a name already written "Last, First"
}

// corporateWords mark the name of an organisation, which must never be cut
// into first and last names.
var corporateWords = map[string]bool{
	"collaboration": true, "consortium": true, "group": true, "team": true, "committee": true,
	"organization": true, "organisation": true, "association": true, "society": true, "institute": true,
	"university": true, "network": true, "initiative": true, "project": true, "council": true,
	"inc": true, "inc.": true, "ltd": true, "ltd.": true, "foundation": true, "agency": true,
	"center": true, "centre": true, "laboratory": true, "working": true, "and": true, "investigators": true,
}

var suffixes = map[string]bool{"jr": true, "jr.": true, "sr": true, "sr.": true, "ii": true, "iii": true, "iv": true}

func splitName(s string) name {
	s = strings.TrimSpace(s)
	words := strings.Fields(s)
	// An organisation first, even one whose name holds a comma ("Barnes
	// and Noble, Inc."): written "as written" it would be cut at its "and"
	// by BibTeX and at its comma by every format.
	for _, w := range words {
		if corporateWords[strings.ToLower(strings.TrimRight(w, ","))] {
			return name{literal: s}
		}
	}
	if strings.Contains(s, ",") {
		return name{asWritten: s}
	}
	var n name
	if len(words) >= 3 && suffixes[strings.ToLower(words[len(words)-1])] {
		n.suffix = words[len(words)-1]
		words = words[:len(words)-1]
	}
	switch len(words) {
	case 0:
		return name{literal: s}
	case 1:
		n.family = words[0]
		return n
	}
	start := len(words) - 1
	for k := 1; k < len(words)-1; k++ {
		if r, _ := utf8.DecodeRuneInString(words[k]); unicode.IsLower(r) {
			start = k
			break
		}
	}
	n.given = strings.Join(words[:start], " ")
	last := words[start:]
	for len(last) > 1 {
		r, _ := utf8.DecodeRuneInString(last[0])
		if !unicode.IsLower(r) {
			break
		}
		n.particle = strings.TrimSpace(n.particle + " " + last[0])
		last = last[1:]
	}
	n.family = strings.Join(last, " ")
	return n
}

package export

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/paperseek/paperseek/index"
)

// WriteBibTeX writes one entry per paper: @article for a paper with a
// publisher's DOI or a PMID, @misc otherwise (arXiv's own choice for
// preprints).
//
// Keys are stable and unique within one output. A paper whose id is a
// usable key (letters, digits and - _ : . / +, at most 64 characters,
// starting with a letter or digit) keeps it as its key, so a BibTeX file
// read into paperseek and exported again keeps its keys; other ids
// ("paper with spaces") get the key Google Scholar would: the first
// author's last name, the year and the first significant title word, in
// lower-case ASCII ("vaswani2017attention"). A key already used in the
// output gets a, b, c … appended ("vaswani2017attentiona"), so the keys of
// one output depend on its order only when two papers would share one.
//
// Text is UTF-8, which biblatex/biber, Zotero, JabRef and Mendeley read;
// turning every letter into a LaTeX accent would lose the scripts that
// have none (Greek, CJK). What BibTeX would misread is escaped: \ { } & %
// $ # _ ~ ^, and the TeX ligatures -- “ ” are broken with {} so they
// stay as written. Math in a title or abstract is therefore escaped too
// and comes back as the same text. The verbatim fields (doi, eprint, url)
// are written as they are (see bibRaw). Titles are double-braced so styles keep
// their capitals. Fields: title, author ("Last, First", organisations
// braced whole), year, month, date (YYYY-MM-DD), abstract, doi, eprint +
// archivePrefix + primaryClass for arXiv, pmid, url, and the categories
// as keywords.
func WriteBibTeX(w io.Writer, papers []index.Paper) error {
	bw := bufio.NewWriter(w)
	used := map[string]bool{}
	for i := range papers {
		p := &papers[i]
		if i > 0 {
			bw.WriteString("\n")
		}
		key := uniqueKey(used, bibKey(p))
		typ := "misc"
		if isJournalArticle(p) {
			typ = "article"
		}
		fmt.Fprintf(bw, "@%s{%s,\n", typ, key)
		field := func(name, value string) {
			if value != "" {
				fmt.Fprintf(bw, "  %-13s = {%s},\n", name, value)
			}
		}
		if p.Title != "" {
			field("title", "{"+bibEscape(p.Title)+"}")
		}
		var names []string
		for _, a := range p.Authors {
			names = append(names, bibName(a))
		}
		field("author", strings.Join(names, " and "))
		if p.Year != 0 {
			field("year", strconv.Itoa(p.Year))
		}
		if len(p.Published) == 10 {
			if m, err := strconv.Atoi(p.Published[5:7]); err == nil && m >= 1 && m <= 12 {
				fmt.Fprintf(bw, "  %-13s = %s,\n", "month", months[m-1])
			}
			field("date", p.Published)
		}
		field("abstract", bibEscape(p.Abstract))
		field("doi", bibRaw(p.DOI))
		if p.ArXiv != "" {
			field("eprint", bibRaw(p.ArXiv))
			field("archiveprefix", "arXiv")
			if len(p.Categories) > 0 {
				field("primaryclass", bibEscape(p.Categories[0]))
			}
		}
		field("pmid", p.PMID)
		field("url", bibRaw(p.URL))
		field("keywords", bibEscape(strings.Join(p.Categories, ", ")))
		bw.WriteString("}\n")
	}
	return bw.Flush()
}

var months = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// bibName writes a name as "von Last, Jr, First"; organisations braced.
func bibName(s string) string {
	n := splitName(s)
	switch {
	case n.asWritten != "":
		return bibEscape(n.asWritten)
	case n.literal != "":
		return "{" + bibEscape(n.literal) + "}"
	}
	last := strings.TrimSpace(n.particle + " " + n.family)
	out := bibEscape(last)
	if n.suffix != "" {
		out += ", " + bibEscape(n.suffix)
	}
	if n.given != "" || n.suffix != "" {
		out += ", " + bibEscape(n.given)
	}
	return out
}

// bibEscape writes text so that BibTeX, and paperseek's reader, read it
// back as the same text (see WriteBibTeX).
func bibEscape(s string) string {
	if !strings.ContainsAny(s, "\\{}&%$#_~^-`'") {
		return s
	}
	balanced := bracesBalanced(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			b.WriteString(`\textbackslash{}`)
		case '{', '}':
			switch {
			case balanced:
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '{':
				b.WriteString(`\textbraceleft{}`)
			default:
				b.WriteString(`\textbraceright{}`)
			}
		case '&', '%', '$', '#', '_':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '~':
			b.WriteString(`\textasciitilde{}`)
		case '^':
			b.WriteString(`\textasciicircum{}`)
		case '-', '`', '\'':
			b.WriteByte(c)
			if i+1 < len(s) && s[i+1] == c {
				b.WriteString("{}") // no -- – or `` “ ligature
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// bibRaw writes a verbatim field (doi, eprint, url): biblatex/biber read
// them as written and BibTeX styles print them with \url or \doi, so an
// escape would stay in the value ("10.1007/978-3-540-74126-8\_23" is
// what pandoc and biber read from an escaped DOI). Crossref's and Google
// Scholar's BibTeX write them raw too. Only a brace or a backslash, which
// could break the entry, makes the value escaped as text.
func bibRaw(s string) string {
	if strings.ContainsAny(s, `{}\`) {
		return bibEscape(s)
	}
	return s
}

// bracesBalanced: escaped as \{ \} the braces still count for BibTeX's
// matching, so they may be used only when they pair up.
func bracesBalanced(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// bibKey is the key a paper asks for (see WriteBibTeX).
func bibKey(p *index.Paper) string {
	if isKey(p.ID) {
		return p.ID
	}
	author := "anon"
	if len(p.Authors) > 0 {
		n := splitName(p.Authors[0])
		last := n.family
		switch {
		case n.literal != "":
			last = strings.Fields(n.literal)[0]
		case n.asWritten != "":
			last, _, _ = strings.Cut(n.asWritten, ",")
		}
		if a := asciiWord(last); a != "" {
			author = a
		}
	}
	year := ""
	if p.Year != 0 {
		year = strconv.Itoa(p.Year)
	}
	word := ""
	for _, w := range strings.Fields(p.Title) {
		if a := asciiWord(w); a != "" && !stopWords[a] {
			word = a
			break
		}
	}
	return author + year + word
}

func isKey(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		letterOrDigit := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !letterOrDigit && (i == 0 || !strings.ContainsRune("-_:./+", rune(c))) {
			return false
		}
	}
	return true
}

// uniqueKey appends a, b, … z, aa, ab … to a key already in used; keys
// are compared without case, as BibTeX does.
func uniqueKey(used map[string]bool, key string) string {
	candidate := key
	for n := 0; used[strings.ToLower(candidate)]; n++ {
		candidate = key + letterSuffix(n)
	}
	used[strings.ToLower(candidate)] = true
	return candidate
}

func letterSuffix(n int) string {
	s := ""
	for n++; n > 0; n = (n - 1) / 26 {
		s = string(rune('a'+(n-1)%26)) + s
	}
	return s
}

// asciiWord folds a word to lower-case ASCII letters: accents dropped
// ("Đoković" is "dokovic"), anything else removed.
func asciiWord(w string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(w) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r > 0x7f && unicode.IsLetter(r):
			if f, ok := fold[r]; ok {
				b.WriteString(f)
			}
		}
	}
	return b.String()
}

var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "on": true, "of": true, "in": true, "for": true, "and": true,
	"to": true, "with": true, "from": true, "at": true, "by": true, "is": true, "are": true, "via": true,
}

// fold maps the accented Latin letters of names to their base letters.
var fold = func() map[rune]string {
	m := map[rune]string{}
	for _, pair := range []string{
		"àáâãäåāăąǎ" + "a", "çćĉċč" + "c", "ďđ" + "d", "èéêëēĕėęě" + "e", "ĝğġģ" + "g", "ĥħ" + "h",
		"ìíîïĩīĭįıǐ" + "i", "ĵ" + "j", "ķ" + "k", "ĺļľŀł" + "l", "ñńņňŉ" + "n", "òóôõöøōŏőǒ" + "o",
		"ŕŗř" + "r", "śŝşšș" + "s", "ţťŧț" + "t", "ùúûüũūŭůűųǔ" + "u", "ŵ" + "w", "ýÿŷ" + "y", "źżž" + "z",
	} {
		runes := []rune(pair)
		base := string(runes[len(runes)-1])
		for _, r := range runes[:len(runes)-1] {
			m[r] = base
		}
	}
	m['ß'], m['æ'], m['œ'], m['þ'], m['ð'] = "ss", "ae", "oe", "th", "d"
	return m
}()

package weaviatetest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// A small parser for the GraphQL documents Weaviate clients send: one
// anonymous query of nested fields with aliases and arguments. Values are
// strings, numbers, booleans, enums, lists and objects. No variables,
// fragments or directives (paperseek's client sends none; a request using
// them gets a parse error, as a request the fake cannot judge should).

type gqlField struct {
	Alias, Name string
	Args        map[string]any // string, float64 (numbers), bool, gqlEnum, []any, map[string]any
	Fields      []*gqlField
}

// Key is the name the field's value has in the answer.
func (f *gqlField) Key() string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

type gqlEnum string

type gqlParser struct {
	s   string
	pos int
}

func parseGraphQL(doc string) ([]*gqlField, error) {
	p := &gqlParser{s: doc}
	p.skip()
	if p.word("query") {
		p.skip()
		if p.pos < len(p.s) && isNameStart(rune(p.s[p.pos])) {
			p.name()
		}
	}
	p.skip()
	fields, err := p.selection()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.pos != len(p.s) {
		return nil, p.errorf("unexpected %q after the query", p.rest())
	}
	return fields, nil
}

func (p *gqlParser) errorf(format string, args ...any) error {
	line, col := 1, 1
	for _, r := range p.s[:min(p.pos, len(p.s))] {
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Errorf("syntax error in GraphQL request (%d:%d): %s", line, col, fmt.Sprintf(format, args...))
}

func (p *gqlParser) rest() string {
	r := p.s[p.pos:]
	if len(r) > 20 {
		r = r[:20]
	}
	return r
}

func (p *gqlParser) skip() {
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			p.pos++
		case c == '#':
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *gqlParser) word(w string) bool {
	if strings.HasPrefix(p.s[p.pos:], w) {
		end := p.pos + len(w)
		if end == len(p.s) || !isNamePart(rune(p.s[end])) {
			p.pos = end
			return true
		}
	}
	return false
}

func isNameStart(r rune) bool { return r == '_' || (r < 128 && unicode.IsLetter(r)) }
func isNamePart(r rune) bool  { return isNameStart(r) || (r >= '0' && r <= '9') }

func (p *gqlParser) name() string {
	start := p.pos
	if p.pos < len(p.s) && isNameStart(rune(p.s[p.pos])) {
		p.pos++
		for p.pos < len(p.s) && isNamePart(rune(p.s[p.pos])) {
			p.pos++
		}
	}
	return p.s[start:p.pos]
}

func (p *gqlParser) expect(c byte) error {
	p.skip()
	if p.pos >= len(p.s) || p.s[p.pos] != c {
		return p.errorf("Expected %q, found %q", c, p.rest())
	}
	p.pos++
	return nil
}

func (p *gqlParser) selection() ([]*gqlField, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	var fields []*gqlField
	for {
		p.skip()
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			if len(fields) == 0 {
				return nil, p.errorf("empty selection")
			}
			return fields, nil
		}
		f, err := p.field()
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
}

func (p *gqlParser) field() (*gqlField, error) {
	n := p.name()
	if n == "" {
		return nil, p.errorf("Expected Name, found %q", p.rest())
	}
	f := &gqlField{Name: n}
	p.skip()
	if p.pos < len(p.s) && p.s[p.pos] == ':' {
		p.pos++
		p.skip()
		f.Alias = n
		if f.Name = p.name(); f.Name == "" {
			return nil, p.errorf("Expected Name, found %q", p.rest())
		}
		p.skip()
	}
	if p.pos < len(p.s) && p.s[p.pos] == '(' {
		p.pos++
		f.Args = map[string]any{}
		for {
			p.skip()
			if p.pos < len(p.s) && p.s[p.pos] == ')' {
				p.pos++
				break
			}
			an := p.name()
			if an == "" {
				return nil, p.errorf("Expected Name, found %q", p.rest())
			}
			if err := p.expect(':'); err != nil {
				return nil, err
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			f.Args[an] = v
		}
		p.skip()
	}
	if p.pos < len(p.s) && p.s[p.pos] == '{' {
		sub, err := p.selection()
		if err != nil {
			return nil, err
		}
		f.Fields = sub
	}
	return f, nil
}

func (p *gqlParser) value() (any, error) {
	p.skip()
	if p.pos >= len(p.s) {
		return nil, p.errorf("Unexpected <EOF>")
	}
	switch c := p.s[p.pos]; {
	case c == '"':
		return p.str()
	case c == '[':
		p.pos++
		list := []any{}
		for {
			p.skip()
			if p.pos < len(p.s) && p.s[p.pos] == ']' {
				p.pos++
				return list, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
	case c == '{':
		p.pos++
		obj := map[string]any{}
		for {
			p.skip()
			if p.pos < len(p.s) && p.s[p.pos] == '}' {
				p.pos++
				return obj, nil
			}
			k := p.name()
			if k == "" {
				return nil, p.errorf("Expected Name, found %q", p.rest())
			}
			if err := p.expect(':'); err != nil {
				return nil, err
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			obj[k] = v
		}
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[p.pos]) >= 0 {
			p.pos++
		}
		f, err := strconv.ParseFloat(p.s[start:p.pos], 64)
		if err != nil {
			return nil, p.errorf("bad number %q", p.s[start:p.pos])
		}
		return f, nil
	case isNameStart(rune(c)):
		n := p.name()
		switch n {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		return gqlEnum(n), nil
	}
	return nil, p.errorf("Unexpected %q", p.rest())
}

// str reads a GraphQL string; its escapes are JSON's.
func (p *gqlParser) str() (string, error) {
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			if p.pos+1 >= len(p.s) {
				return "", p.errorf("Unterminated string")
			}
			e := p.s[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if p.pos+4 > len(p.s) {
					return "", p.errorf("bad \\u escape")
				}
				r, err := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 32)
				if err != nil {
					return "", p.errorf("bad \\u escape")
				}
				p.pos += 4
				if r >= 0xD800 && r < 0xDC00 && strings.HasPrefix(p.s[p.pos:], "\\u") && p.pos+6 <= len(p.s) {
					if lo, err := strconv.ParseUint(p.s[p.pos+2:p.pos+6], 16, 32); err == nil && lo >= 0xDC00 && lo < 0xE000 {
						p.pos += 6
						r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					}
				}
				b.WriteRune(rune(r))
			default:
				return "", p.errorf("Invalid character escape sequence: \\%c", e)
			}
		case c == '\n':
			return "", p.errorf("Unterminated string")
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", p.errorf("Unterminated string")
}

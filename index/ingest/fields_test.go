package ingest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

// readOne reads a single-record input and returns the paper or the reason
// it was skipped.
func readOne(t *testing.T, input string) (index.Paper, string) {
	t.Helper()
	got := readString(t, input, maxRecordBytes)
	switch {
	case got.fatal != "":
		t.Fatalf("stopped with %q", got.fatal)
	case len(got.papers)+len(got.bad) != 1:
		t.Fatalf("got %d papers and bad records %q, want one record", len(got.papers), got.bad)
	case len(got.bad) == 1:
		return index.Paper{}, strings.TrimPrefix(got.bad[0], "in:1: ")
	}
	return got.papers[0], ""
}

func TestJSONFields(t *testing.T) {
	const base = `"title":"T"`
	tests := []struct {
		name   string
		fields string // the record is {<fields>}
		want   index.Paper
		reason string
	}{
		// Ids.
		{name: "big number id keeps its digits", fields: `"id":1000000,` + base, want: index.Paper{ID: "1000000", Title: "T"}},
		{name: "number id as written", fields: `"id":1e6,` + base, want: index.Paper{ID: "1e6", Title: "T"}},
		{name: "negative number id", fields: `"id":-5,` + base, want: index.Paper{ID: "-5", Title: "T"}},
		{name: "id trimmed, inner spaces kept", fields: `"id":"  a  b/c "` + "," + base, want: index.Paper{ID: "a  b/c", Title: "T"}},
		{name: "id with a tab", fields: `"id":"a\tb",` + base, reason: `id "a\tb" contains a control character`},
		{name: "id too long", fields: `"id":"` + strings.Repeat("x", 1025) + `",` + base, reason: "id longer than 1024 bytes"},
		{name: "id object", fields: `"id":{},` + base, reason: `field "id": want a string or a number, got an object`},
		{name: "empty id", fields: `"id":"",` + base, reason: "missing id"},
		// Text.
		{name: "whitespace normalised", fields: `"id":"a","title":" A\n\ttitle ","abstract":"line\r\nbreaks  here"`,
			want: index.Paper{ID: "a", Title: "A title", Abstract: "line breaks here"}},
		{name: "escaped unicode", fields: `"id":"a","title":"caf\u00e9 \ud83d\ude00"`, want: index.Paper{ID: "a", Title: "café 😀"}},
		{name: "NUL removed", fields: `"id":"a","title":"a\u0000b"`, want: index.Paper{ID: "a", Title: "ab"}},
		{name: "text when abstract is empty", fields: `"id":"a","abstract":"","text":"from text"`, want: index.Paper{ID: "a", Abstract: "from text"}},
		{name: "abstract number", fields: `"id":"a","title":"t","abstract":12`, reason: `field "abstract": want a string, got 12`},
		{name: "other fields ignored, whatever their type", fields: `"id":"a","title":"t","extra":[1,{"x":null}],"Comments":7`,
			want: index.Paper{ID: "a", Title: "t"}},
		// Years and dates.
		{name: "year string", fields: `"id":"a",` + base + `,"year":" 2021 "`, want: index.Paper{ID: "a", Title: "T", Year: 2021}},
		{name: "year float", fields: `"id":"a",` + base + `,"year":2021.0`, want: index.Paper{ID: "a", Title: "T", Year: 2021}},
		{name: "year fraction", fields: `"id":"a",` + base + `,"year":2021.5`, reason: `field "year": want a year between 1000 and 9999, got 2021.5`},
		{name: "year zero is unknown", fields: `"id":"a",` + base + `,"year":0`, want: index.Paper{ID: "a", Title: "T"}},
		{name: "year empty string", fields: `"id":"a",` + base + `,"year":""`, want: index.Paper{ID: "a", Title: "T"}},
		{name: "year list", fields: `"id":"a",` + base + `,"year":[2021]`, reason: `field "year": want a number, got a list`},
		{name: "year from published", fields: `"id":"a",` + base + `,"published":"2020-01-31"`,
			want: index.Paper{ID: "a", Title: "T", Year: 2020, Published: "2020-01-31"}},
		{name: "year given wins over published", fields: `"id":"a",` + base + `,"year":2019,"published":"2020-01-31"`,
			want: index.Paper{ID: "a", Title: "T", Year: 2019, Published: "2020-01-31"}},
		{name: "RFC 3339 keeps its own date", fields: `"id":"a",` + base + `,"published":"2020-01-31T23:59:59.5+09:00"`,
			want: index.Paper{ID: "a", Title: "T", Year: 2020, Published: "2020-01-31"}},
		{name: "RFC 1123 as arXiv writes it", fields: `"id":"a",` + base + `,"published":"Mon, 2 Apr 2007 19:18:42 GMT"`,
			want: index.Paper{ID: "a", Title: "T", Year: 2007, Published: "2007-04-02"}},
		{name: "year and month only", fields: `"id":"a",` + base + `,"published":"2021-07"`, want: index.Paper{ID: "a", Title: "T", Year: 2021}},
		{name: "published as a number", fields: `"id":"a",` + base + `,"published":1999`, want: index.Paper{ID: "a", Title: "T", Year: 1999}},
		{name: "impossible date", fields: `"id":"a",` + base + `,"published":"2021-02-30"`, reason: `field "published": want a date like 2021-03-04, got "2021-02-30"`},
		// Authors.
		{name: "authors list with nulls and blanks", fields: `"id":"a",` + base + `,"authors":["A  B", null, " ", "C"]`,
			want: index.Paper{ID: "a", Title: "T", Authors: []string{"A B", "C"}}},
		{name: "authors objects", fields: `"id":"a",` + base + `,"authors":[{"name":"A","affiliation":"X"},{"name":"B"}]`,
			want: index.Paper{ID: "a", Title: "T", Authors: []string{"A", "B"}}},
		{name: "authors comma string with Oxford and", fields: `"id":"a",` + base + `,"authors":"A, B, and C"`,
			want: index.Paper{ID: "a", Title: "T", Authors: []string{"A", "B", "C"}}},
		{name: "authors list of numbers", fields: `"id":"a",` + base + `,"authors":[1]`,
			reason: `field "authors": want each author as a string or {"name": string}, got 1`},
		// Categories, links.
		{name: "categories string, duplicates dropped", fields: `"id":"a",` + base + `,"categories":"cs.CL  cs.AI,cs.CL"`,
			want: index.Paper{ID: "a", Title: "T", Categories: []string{"cs.CL", "cs.AI"}}},
		{name: "categories list of numbers", fields: `"id":"a",` + base + `,"categories":[1]`,
			reason: `field "categories": want a list of strings or a space-separated string, got a list`},
		{name: "doi forms", fields: `"id":"a",` + base + `,"doi":" doi:10.1/X ","url":" https://x.org/a "`,
			want: index.Paper{ID: "a", Title: "T", DOI: "10.1/x", URL: "https://x.org/a"}},
		{name: "url number", fields: `"id":"a",` + base + `,"url":5`, reason: `field "url": want a string, got 5`},
		// External ids, and arXiv-shaped generic lines.
		{name: "external id fields", fields: `"id":"a",` + base + `,"doi":"https://doi.org/10.48550/arXiv.2401.01234","pmid":42`,
			want: index.Paper{ID: "a", Title: "T", DOI: "10.48550/arxiv.2401.01234", ArXiv: "2401.01234", PMID: "42"}},
		{name: "arxiv field with a version", fields: `"id":"a",` + base + `,"arxiv":"arXiv:2401.01234v1"`,
			want: index.Paper{ID: "a", Title: "T", ArXiv: "2401.01234"}},
		{name: "arXiv id and category: arXiv's text, decoded", fields: `"id":"2401.01234","title":"Djokovi\\'{c} -- $\\alpha$","categories":"cs.CL"`,
			want: index.Paper{ID: "2401.01234", Title: "Djoković – $\\alpha$", Categories: []string{"cs.CL"}, ArXiv: "2401.01234"}},
		{name: "arXiv-looking id, user's category: kept", fields: `"id":"2401.01234","title":"a -- b","categories":"biology"`,
			want: index.Paper{ID: "2401.01234", Title: "a -- b", Categories: []string{"biology"}}},
		{name: "arXiv category, user's id: kept", fields: `"id":"paper-1","title":"a -- b","categories":"cs.CL"`,
			want: index.Paper{ID: "paper-1", Title: "a -- b", Categories: []string{"cs.CL"}}},
		{name: "pmid of the wrong type", fields: `"id":"a",` + base + `,"pmid":[1]`, reason: `field "pmid": want a string or a number, got a list`},
		// arXiv snapshot lines.
		{name: "arXiv: update_date when there are no versions", fields: `"id":"cs/0701113",` + base + `,"versions":[],"authors_parsed":[["Doe","Jane","Jr."]],"update_date":"2008-11-26"`,
			want: index.Paper{ID: "cs/0701113", Title: "T", Authors: []string{"Jane Doe Jr."}, Year: 2008, Published: "2008-11-26", URL: "https://arxiv.org/abs/cs/0701113", ArXiv: "cs/0701113"}},
		{name: "arXiv: versions of the wrong shape", fields: `"id":"x",` + base + `,"versions":"v1"`,
			reason: `field "versions": want a list of {"created": date} objects, got "v1"`},
		{name: "arXiv: authors_parsed of the wrong shape", fields: `"id":"x",` + base + `,"authors_parsed":"Doe"`,
			reason: `field "authors_parsed": want a list of [last, first, suffix] lists, got "Doe"`},
		// BEIR lines.
		{name: "BEIR: text preferred, other fields not read", fields: `"_id":"b","id":"ignored","title":"t","text":"x","abstract":"y","year":"not read"`,
			want: index.Paper{ID: "b", Title: "t", Abstract: "x"}},
		{name: "BEIR: _id of the wrong type", fields: `"_id":[1],"title":"t"`, reason: `field "_id": want a string or a number, got a list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := readOne(t, "{"+tt.fields+"}\n")
			if reason != tt.reason {
				t.Fatalf("reason %q, want %q", reason, tt.reason)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestCSVFields(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		want   index.Paper
		reason string
	}{
		{name: "all columns", input: "id,title,abstract,authors,categories,year,published,url,doi\n" +
			`a,"T, t","A ""q""","X, Y and Z",cs.CL cs.AI,,2020-05-06,https://u,https://doi.org/10.1/x` + "\n",
			want: index.Paper{ID: "a", Title: "T, t", Abstract: `A "q"`, Authors: []string{"X", "Y", "Z"}, Categories: []string{"cs.CL", "cs.AI"},
				Year: 2020, Published: "2020-05-06", URL: "https://u", DOI: "10.1/x"}},
		{name: "external id columns", input: "id,title,doi,arxiv,pmid\na,t,DOI:10.1/X,arXiv:2401.01234v2,PMID:0042\n",
			want: index.Paper{ID: "a", Title: "t", DOI: "10.1/x", ArXiv: "2401.01234", PMID: "42"}},
		{name: "text column as abstract", input: "_id\ttitle\ttext\nb\tt\tbody\n", want: index.Paper{ID: "b", Title: "t", Abstract: "body"}},
		{name: "unknown columns ignored", input: "notes,id,title\nwhatever,a,t\n", want: index.Paper{ID: "a", Title: "t"}},
		{name: "space before an opening quote", input: "id,title\na, \"t, u\"\n", want: index.Paper{ID: "a", Title: "t, u"}},
		{name: "text after a closing quote is kept", input: "id,title\na,\"t\"u\n", want: index.Paper{ID: "a", Title: "tu"}},
		{name: "quote inside an unquoted field", input: "id,title\na,5\" disk\n", want: index.Paper{ID: "a", Title: `5" disk`}},
		{name: "bad year", input: "id,title,year\na,t,soon\n", reason: `field "year": want a number, got "soon"`},
		{name: "too few fields", input: "id,title,abstract\na,t\n", reason: "wrong number of fields: want 3, got 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readString(t, tt.input, maxRecordBytes)
			if got.fatal != "" || len(got.papers)+len(got.bad) != 1 {
				t.Fatalf("got %v, want one record", got)
			}
			var reason string
			if len(got.bad) == 1 {
				reason = strings.TrimPrefix(got.bad[0], "in:2: ")
			}
			if reason != tt.reason {
				t.Fatalf("reason %q, want %q", reason, tt.reason)
			}
			if tt.reason == "" && !reflect.DeepEqual(got.papers[0], tt.want) {
				t.Errorf("got %#v\nwant %#v", got.papers[0], tt.want)
			}
		})
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{`C. Bal\'azs`, "C. Balázs"},
		{`Bal\'{a}zs`, "Balázs"},
		{`{\'E}mile`, "Émile"},
		{`Rastislav \v{S}r\'amek`, "Rastislav Šrámek"},
		{`J. M\"uller`, "J. Müller"},
		{`Mikkel {\O}bro`, "Mikkel Øbro"},
		{`Paul Erd\H{o}s`, "Paul Erdős"},
		{`Fran\c{c}ois`, "François"},
		{`Fran\c cois`, "François"},
		{`Stra\ss{}e`, "Straße"},
		{`N\'{\i}colas`, "Nícolas"},
		{"Tom\\`as", "Tomàs"},
		{`\unknown{x} kept`, `\unknown{x} kept`}, // unknown commands stay as written, with their argument
		{`{\relax Ch}arles`, "Charles"},
		{`Bj\o rn {\AA}str\"om`, "Bjørn Åström"},
		{`Nova\v{c}i\'c -- {\DJ}uro`, "Novačić – Đuro"},
		{`trailing \`, `trailing \`},
		{"  spaced   out ", "spaced out"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := cleanName(tt.in); got != tt.want {
			t.Errorf("cleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// reset must empty every field: the record is reused, and a field it
// missed would carry one record's value into the next (a CSL keyword
// did).
func TestJSONRecordResetClearsEveryField(t *testing.T) {
	var j jsonRecord
	v := reflect.ValueOf(&j).Elem()
	for i := range v.NumField() {
		v.Field(i).Set(reflect.ValueOf(json.RawMessage(`"x"`)))
	}
	j.reset()
	for i := range v.NumField() {
		if v.Field(i).Len() != 0 {
			t.Errorf("reset leaves %s set", v.Type().Field(i).Name)
		}
	}
}

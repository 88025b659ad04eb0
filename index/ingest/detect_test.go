package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/paperseek/paperseek/index"
)

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func readString(t *testing.T, input string, maxRecord int) drained {
	t.Helper()
	r, err := newReader("in", strings.NewReader(input), maxRecord)
	if err != nil {
		return drained{fatal: err.Error()}
	}
	return drain(t, r)
}

func ids(ps []index.Paper) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// Detection is by content; everything here is named "in" and has no
// extension to go by.
func TestDetect(t *testing.T) {
	const generic = `{"id":"g","title":"generic"}` + "\n"
	tests := []struct {
		name   string
		input  string
		format Format
		ids    []string
		bad    []string
		fatal  string
	}{
		{name: "empty input holds nothing", input: "", format: FormatJSONL},
		{name: "only white space", input: " \n\r\n\t\n", format: FormatJSONL},
		{name: "only a BOM", input: "\ufeff", format: FormatJSONL},
		{name: "blank lines before JSON lines keep line numbers", input: "\n\n  \n{\"id\":\"a\",\"title\":\"t\"}\n{\"id\":\"b\"}\n",
			format: FormatJSONL, ids: []string{"a"}, bad: []string{"in:5: missing both title and abstract"}},
		{name: "kinds mix; the first names the format",
			input:  `{"_id":"b","title":"beir"}` + "\n" + generic + `{"id":"x","title":"arxiv","versions":[]}` + "\n",
			format: FormatBEIR, ids: []string{"b", "g", "x"}},
		{name: "a bad first line: the first good record names the format", input: "{oops\n" + `{"_id":"b","title":"beir"}` + "\n",
			format: FormatBEIR, ids: []string{"b"}, bad: []string{"in:1: invalid JSON: invalid character 'o' looking for beginning of object key string"}},
		{name: "array after BOM and white space", input: "\ufeff \n [" + `{"id":"a","title":"t"}]`, format: FormatJSONArray, ids: []string{"a"}},
		{name: "empty array", input: "[]", format: FormatJSONArray},
		{name: "gzipped array", input: gzipped(t, `[{"id":"a","title":"t"}]`), format: FormatJSONArray, ids: []string{"a"}},
		{name: "gzipped TSV with BOM", input: gzipped(t, "\ufeffid\ttitle\nx\ty\n"), format: FormatTSV, ids: []string{"x"}},
		{name: "two gzip members in a row", input: gzipped(t, generic) + gzipped(t, `{"id":"h","title":"t"}`+"\n"), format: FormatJSONL, ids: []string{"g", "h"}},
		{name: "CSV header case and spaces", input: " ID , TITLE ,Abstract\r\n1,t,a\r\n", format: FormatCSV, ids: []string{"1"}},
		{name: "CSV with _id", input: "_id,title\nb1,t\n", format: FormatCSV, ids: []string{"b1"}},
		{name: "header only", input: "id,title\n", format: FormatCSV},
		{name: "CSV without id", input: "title,abstract\nt,a\n", fatal: `in: CSV header has no "id" (or "_id") column (columns: title, abstract)`},
		{name: "gzip header cut short", input: "\x1f\x8b\x08", fatal: "in: truncated gzip stream: unexpected EOF"},
		{name: "corrupt gzip", input: "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + "not deflate data at all",
			fatal: "in: corrupt gzip stream: flate: corrupt input before offset 1"},
		{name: "zstd", input: "\x28\xb5\x2f\xfd\x00\x00", fatal: "in: input is zstd-compressed: decompress it first (zstd -d) or use gzip"},
		{name: "bzip2", input: "BZh91AY&SY", fatal: "in: input is bzip2-compressed: decompress it first (bzip2 -d) or use gzip"},
		{name: "zip", input: "PK\x03\x04rest", fatal: "in: input is a zip archive: extract it first (unzip)"},
		{name: "UTF-16", input: "\xff\xfe{\x00", fatal: "in: input is UTF-16 text: convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)"},
		{name: "binary", input: "\x00\x01\x02\x03\x04", fatal: "in: not a recognised input format: want JSON lines, a JSON array, CSV/TSV with a header naming id and title, BibTeX, RIS, PubMed XML or arXiv OAI-PMH XML"},
		{name: "a JSON string is not papers", input: `"just a string"`, fatal: "in: not a recognised input format: want JSON lines, a JSON array, CSV/TSV with a header naming id and title, BibTeX, RIS, PubMed XML or arXiv OAI-PMH XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readString(t, tt.input, maxRecordBytes)
			if got.fatal != tt.fatal {
				t.Fatalf("stopped with %q, want %q", got.fatal, tt.fatal)
			}
			if tt.fatal != "" {
				return
			}
			if got.format != tt.format {
				t.Errorf("format %q, want %q", got.format, tt.format)
			}
			if !reflect.DeepEqual(ids(got.papers), tt.ids) {
				t.Errorf("ids %q, want %q", ids(got.papers), tt.ids)
			}
			if !reflect.DeepEqual(got.bad, tt.bad) {
				t.Errorf("bad %q, want %q", got.bad, tt.bad)
			}
		})
	}
}

// Bad elements of an array are skipped like bad lines, reported at the
// line where they start; a broken array structure stops the run.
func TestJSONArray(t *testing.T) {
	tests := []struct {
		name  string
		input string
		ids   []string
		bad   []string
		fatal string
	}{
		{name: "bad elements are records", input: "[\n  1,\n  {\"id\": \"a\", \"title\": \"t\"},\n  {\"id\": },\n  {\"title\": \"no id\"\n  },\n  \"s\", null\n]\n",
			ids: []string{"a"},
			bad: []string{"in:2: want a JSON object, got 1", "in:4: invalid JSON: invalid character '}' looking for beginning of value",
				"in:5: missing id", `in:7: want a JSON object, got "s"`, "in:7: want a JSON object, got null"}},
		{name: "braces inside strings do not count", input: `[{"id":"a","title":"}]{[\"\\"}]`, ids: []string{"a"}},
		{name: "trailing comma tolerated", input: `[{"id":"a","title":"t"},]`, ids: []string{"a"}},
		{name: "missing comma", input: "[{\"id\":\"a\",\"title\":\"t\"}\n{\"id\":\"b\",\"title\":\"t\"}]",
			ids: []string{"a"}, fatal: `in:2: invalid JSON array: want , or ] after the element that starts on line 1, got '{'`},
		{name: "leading comma", input: "[,{}]", fatal: "in:1: invalid JSON array: unexpected ,"},
		{name: "data after the array", input: "[{\"id\":\"a\",\"title\":\"t\"}]\n\n[]", ids: []string{"a"},
			fatal: "in:3: unexpected '[' after the end of the JSON array"},
		{name: "no closing bracket", input: "[{\"id\":\"a\",\"title\":\"t\"}\n", ids: []string{"a"},
			fatal: "in: truncated JSON array: the input ends at line 2 without the closing ]"},
		{name: "cut inside a string", input: "[\n{\"id\":\"a\",\"title\":\"t", fatal: "in: truncated JSON array: the input ends inside the value that starts on line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readString(t, tt.input, maxRecordBytes)
			if got.fatal != tt.fatal {
				t.Fatalf("stopped with %q, want %q", got.fatal, tt.fatal)
			}
			if !reflect.DeepEqual(ids(got.papers), tt.ids) {
				t.Errorf("ids %q, want %q", ids(got.papers), tt.ids)
			}
			if !reflect.DeepEqual(got.bad, tt.bad) {
				t.Errorf("bad %q, want %q", got.bad, tt.bad)
			}
		})
	}
}

// Each format skips a record over the bound and goes on with the next one.
func TestRecordBound(t *testing.T) {
	long := strings.Repeat("x", 200)
	tests := []struct {
		name  string
		input string
		ids   []string
		bad   []string
		fatal string
	}{
		{name: "JSON line", input: `{"id":"big","title":"` + long + "\"}\n" + `{"id":"ok","title":"t"}` + "\n",
			ids: []string{"ok"}, bad: []string{"in:1: line longer than 100 bytes"}},
		{name: "JSON line exactly at the bound", input: `{"id":"a","title":"` + strings.Repeat("x", 100-len(`{"id":"a","title":""}`)) + "\"}\r\n",
			ids: []string{"a"}},
		{name: "array element", input: `[{"id":"big","title":"` + long + `"},{"id":"ok","title":"t"}]`,
			ids: []string{"ok"}, bad: []string{"in:1: record longer than 100 bytes"}},
		{name: "pretty objects", input: "{\n\"id\":\"big\",\"title\":\"" + long + "\"}\n{\"id\":\"ok\",\"title\":\"t\"}\n",
			ids: []string{"ok"}, bad: []string{"in:1: record longer than 100 bytes"}},
		{name: "CSV line", input: "id,title\nbig," + long + "\nok,t\n",
			ids: []string{"ok"}, bad: []string{"in:2: line longer than 100 bytes"}},
		{name: "CSV quoted field over many lines", input: "id,title\nok,t\nbig,\"" + strings.Repeat("line\n", 30) + "\"\nlater,t\n",
			// After an overlong quoted field nothing later can be trusted.
			ids: []string{"ok"}, fatal: "in:3: quoted field runs past 100 bytes; is a closing quote missing?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readString(t, tt.input, 100)
			if got.fatal != tt.fatal {
				t.Fatalf("stopped with %q, want %q", got.fatal, tt.fatal)
			}
			if !reflect.DeepEqual(ids(got.papers), tt.ids) {
				t.Errorf("ids %q, want %q", ids(got.papers), tt.ids)
			}
			if !reflect.DeepEqual(got.bad, tt.bad) {
				t.Errorf("bad %q, want %q", got.bad, tt.bad)
			}
		})
	}
}

// repeatReader yields n copies of one byte without holding them.
type repeatReader struct {
	n int
	b byte
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.n)
	for i := range p[:n] {
		p[i] = r.b
	}
	r.n -= n
	return n, nil
}

// A 256 MiB line is skipped as one bad record without being read into
// memory: what the reader allocates stays near the 16 MiB bound.
func TestHugeLineBoundedMemory(t *testing.T) {
	in := io.MultiReader(
		strings.NewReader(`{"id":"big","title":"`),
		&repeatReader{n: 256 << 20, b: 'a'},
		strings.NewReader("\"}\n{\"id\":\"after\",\"title\":\"kept\"}\n"),
	)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := NewReader("huge.jsonl", in)
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, r)
	runtime.ReadMemStats(&after)
	if want := []string{"huge.jsonl:1: line longer than 16 MiB"}; !reflect.DeepEqual(got.bad, want) || got.fatal != "" {
		t.Fatalf("bad %q fatal %q, want %q", got.bad, got.fatal, want)
	}
	if !reflect.DeepEqual(ids(got.papers), []string{"after"}) {
		t.Errorf("ids %q, want the line after the huge one", ids(got.papers))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 128<<20 {
		t.Errorf("allocated %d MiB for one skipped line, want it bounded", alloc>>20)
	}
}

type failingReader struct {
	data string
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// An I/O error is a broken input, never a bad record, even mid-line.
func TestReadErrorStops(t *testing.T) {
	boom := &fs.PathError{Op: "read", Path: "x", Err: errors.New("input/output error")}
	tests := []struct {
		name, data string
		ids        []string
	}{
		{name: "JSON lines", data: `{"id":"a","title":"t"}` + "\n" + `{"id":"b","ti`, ids: []string{"a"}},
		{name: "CSV", data: "id,title\na,t\nb,", ids: []string{"a"}},
		{name: "array", data: `[{"id":"a","title":"t"},{"id"`, ids: []string{"a"}},
		{name: "gzip", data: gzipped(t, `{"id":"a","title":"t"}`+"\n"+`{"id":"b","title":"t"}`+"\n")[:30]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader("in", &failingReader{data: tt.data, err: boom})
			var got drained
			if err != nil {
				got.fatal = err.Error()
			} else {
				got = drain(t, r)
			}
			if want := "in: read: input/output error"; got.fatal != want {
				t.Fatalf("stopped with %q, want %q", got.fatal, want)
			}
			if !reflect.DeepEqual(ids(got.papers), tt.ids) || len(got.bad) != 0 {
				t.Errorf("ids %q bad %q, want %q and no bad records", ids(got.papers), got.bad, tt.ids)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.jsonl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want not-exist", err)
	}
	if _, err := Open(dir); err == nil || err.Error() != dir+": is a directory, not a file of papers" {
		t.Errorf("directory: %v", err)
	}

	// "-" reads standard input and calls it "stdin" in messages.
	stdin := filepath.Join(dir, "stdin")
	if err := os.WriteFile(stdin, []byte("{\"id\":\"s\",\"title\":\"t\"}\n{\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(stdin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	got := openAndDrain(t, "-")
	if !reflect.DeepEqual(ids(got.papers), []string{"s"}) || !reflect.DeepEqual(got.bad, []string{"stdin:2: invalid JSON: unexpected end of input"}) {
		t.Errorf("stdin: ids %q bad %q fatal %q", ids(got.papers), got.bad, got.fatal)
	}
}

package eval

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseQrels(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Qrels
		wantErr string
	}{
		{
			name: "BEIR with header",
			in:   "query-id\tcorpus-id\tscore\n1\t31715818\t1\n1\t14717500\t2\n3\t23389795\t0\n",
			want: Qrels{"1": {"31715818": 1, "14717500": 2}, "3": {"23389795": 0}},
		},
		{
			name: "no header, spaces",
			in:   "q1 d1 1\nq1  d2   0\n",
			want: Qrels{"q1": {"d1": 1, "d2": 0}},
		},
		{
			name: "TREC four columns",
			in:   "401 0 FBIS3-10082 1\n401 0 FBIS3-10169 0\n402 0 FT921-7107 -1\n",
			want: Qrels{"401": {"FBIS3-10082": 1, "FBIS3-10169": 0}, "402": {"FT921-7107": -1}},
		},
		{
			name: "BOM, CRLF, blank lines, trailing tab",
			in:   "\uFEFFquery-id\tcorpus-id\tscore\r\n\r\n7\tcs/0701113\t1\t\r\n",
			want: Qrels{"7": {"cs/0701113": 1}},
		},
		{
			name: "tab-separated ids keep their spaces",
			in:   "q 1\tpaper one\t1\n",
			want: Qrels{"q 1": {"paper one": 1}},
		},
		{
			name: "last judgment of a pair wins",
			in:   "q d 1\nq d 2\n",
			want: Qrels{"q": {"d": 2}},
		},
		{
			name: "whole-number float grades",
			in:   "q d 1.0\nq e 0.0\nq f -1.0\n",
			want: Qrels{"q": {"d": 1, "e": 0, "f": -1}},
		},
		{name: "fractional grade refused", in: "q d 1\nq e 0.5\n", wantErr: "qrels.tsv:2: relevance \"0.5\" is not an integer"},
		{name: "bad score names file and line", in: "query-id\tcorpus-id\tscore\n1\td\t1\n1\te\thigh\n", wantErr: "qrels.tsv:3: relevance \"high\" is not an integer"},
		{name: "header only on the first line", in: "1 d 1\nquery-id corpus-id score\n", wantErr: "qrels.tsv:2:"},
		{name: "wrong column count", in: "\n1 d\n", wantErr: "qrels.tsv:2: want 3 columns"},
		{name: "header but no judgments", in: "query-id\tcorpus-id\tscore\n", wantErr: "qrels.tsv: no relevance judgments"},
		{name: "empty", in: "", wantErr: "qrels.tsv: no relevance judgments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQrels(strings.NewReader(tt.in), "qrels.tsv")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseQueries(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Query
		wantErr string
	}{
		{
			name: "BEIR layout, file order kept",
			in:   `{"_id": "2", "text": "second", "metadata": {}}` + "\n" + `{"_id": "1", "text": "first"}` + "\n",
			want: []Query{{"2", "second"}, {"1", "first"}},
		},
		{
			name: "numeric ids kept as written",
			in:   `{"_id": 7, "text": "a"}` + "\n" + `{"_id": 1.50, "text": "b"}` + "\n" + `{"_id": -3, "text": "c"}`,
			want: []Query{{"7", "a"}, {"1.50", "b"}, {"-3", "c"}},
		},
		{
			name: "id accepted for _id",
			in:   `{"id": "cs/0701113", "text": "old arXiv id"}`,
			want: []Query{{"cs/0701113", "old arXiv id"}},
		},
		{
			name: "BOM, CRLF and blank lines",
			in:   "\uFEFF{\"_id\": \"q\", \"text\": \"x\"}\r\n\r\n{\"_id\": \"r\", \"text\": \"y\"}\r\n",
			want: []Query{{"q", "x"}, {"r", "y"}},
		},
		{name: "not JSON names file and line", in: `{"_id": "1", "text": "a"}` + "\n\n" + `{"_id": "2", "text": `, wantErr: "queries.jsonl:3: not a JSON object"},
		{name: "missing id", in: `{"text": "a"}`, wantErr: "queries.jsonl:1: query has no \"_id\""},
		{name: "null id", in: `{"_id": null, "text": "a"}`, wantErr: "queries.jsonl:1: query has no \"_id\""},
		{name: "id of the wrong type", in: `{"_id": ["1"], "text": "a"}`, wantErr: "queries.jsonl:1: query id [\"1\"] is not a string or number"},
		{name: "empty id", in: `{"_id": "", "text": "a"}`, wantErr: "queries.jsonl:1: empty query id"},
		{name: "missing text", in: `{"_id": "1"}`, wantErr: "queries.jsonl:1: query \"1\" has no text"},
		{name: "blank text", in: `{"_id": "1", "text": "  "}`, wantErr: "queries.jsonl:1: query \"1\" has no text"},
		{name: "text not a string", in: `{"_id": "1", "text": 5}`, wantErr: "queries.jsonl:1: query \"1\": \"text\" is not a string"},
		{name: "repeated id", in: `{"_id": "1", "text": "a"}` + "\n" + `{"_id": 1, "text": "b"}`, wantErr: "queries.jsonl:2: query id \"1\" repeats line 1"},
		{name: "empty", in: "\n", wantErr: "queries.jsonl: no queries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQueries(strings.NewReader(tt.in), "queries.jsonl")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadFilesNameThePath(t *testing.T) {
	dir := t.TempDir()
	qrelsPath := filepath.Join(dir, "qrels.tsv")
	queriesPath := filepath.Join(dir, "queries.jsonl")
	if err := os.WriteFile(qrelsPath, []byte("q d 1\nq e x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(queriesPath, []byte(`{"_id": "q", "text": "t"}`+"\n{\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadQrels(qrelsPath); err == nil || !strings.HasPrefix(err.Error(), qrelsPath+":2: ") {
		t.Errorf("ReadQrels err = %v, want it to start with %s:2:", err, qrelsPath)
	}
	if _, err := ReadQueries(queriesPath); err == nil || !strings.HasPrefix(err.Error(), queriesPath+":2: ") {
		t.Errorf("ReadQueries err = %v, want it to start with %s:2:", err, queriesPath)
	}
	missing := filepath.Join(dir, "absent.tsv")
	if _, err := ReadQrels(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadQrels on a missing file: err = %v, want it to name the file", err)
	}
	if _, err := ReadQueries(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadQueries on a missing file: err = %v, want it to name the file", err)
	}
}

// The shared BEIR sets are what the quality benchmark reads; their shape is
// known (see /work/shared/data/README.md).
func TestReadSharedBEIR(t *testing.T) {
	sets := []struct {
		dir, split        string
		queries, judged   int
		judgments, graded int
	}{
		{"scifact", "train", 809, 809, 919, 0},
		{"cisi", "test", 76, 76, 3114, 0},
	}
	for _, s := range sets {
		t.Run(s.dir, func(t *testing.T) {
			dir := filepath.Join("..", "..", "..", "shared", "data", "beir", s.dir)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("shared data absent: %v", err)
			}
			qrels, err := ReadQrels(filepath.Join(dir, "qrels", s.split+".tsv"))
			if err != nil {
				t.Fatal(err)
			}
			queries, err := ReadQueries(filepath.Join(dir, "queries.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			judgments, graded := 0, 0
			for _, docs := range qrels {
				judgments += len(docs)
				for r := range maps.Values(docs) {
					if r > 1 {
						graded++
					}
				}
			}
			run, missing := JudgedQueries(queries, qrels)
			if len(queries) != s.queries || len(run) != s.judged || len(missing) != 0 ||
				judgments != s.judgments || graded != s.graded {
				t.Errorf("queries %d, to run %d, missing %d, judgments %d, graded %d; want %d, %d, 0, %d, %d",
					len(queries), len(run), len(missing), judgments, graded, s.queries, s.judged, s.judgments, s.graded)
			}
		})
	}
}

package eval

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestWriteRun(t *testing.T) {
	tests := []struct {
		name    string
		tag     string
		lines   []RunLine
		want    string
		wantErr string
	}{
		{
			name: "two queries",
			tag:  "keyword",
			lines: []RunLine{
				{"1", "31715818", 1, 12.75}, {"1", "cs/0701113", 2, 3}, {"1", "x", 3, 3},
				{"2", "d9", 1, 0.0325},
			},
			want: "1 Q0 31715818 1 12.75 keyword\n1 Q0 cs/0701113 2 3 keyword\n1 Q0 x 3 3 keyword\n2 Q0 d9 1 0.0325 keyword\n",
		},
		{
			name:  "empty tag is paperseek",
			lines: []RunLine{{"q", "d", 1, 1e-7}},
			want:  "q Q0 d 1 1e-07 paperseek\n",
		},
		{
			// Rounding to a few decimals would turn these into a tie that
			// trec_eval breaks by id, reversing them.
			name:  "scores keep every digit",
			lines: []RunLine{{"q", "a", 1, 0.30000000000000004}, {"q", "b", 2, 0.3}},
			want:  "q Q0 a 1 0.30000000000000004 paperseek\nq Q0 b 2 0.3 paperseek\n",
		},
		{name: "nothing to write", lines: nil, want: ""},
		{name: "repeated doc", lines: []RunLine{{"q", "d", 1, 2}, {"r", "d", 1, 2}, {"q", "d", 2, 1}}, wantErr: "line 3: query q: doc d repeats line 1"},
		{name: "score rising with rank", lines: []RunLine{{"q", "a", 1, 0.2}, {"q", "b", 2, 0.9}}, wantErr: "line 2: query q: score 0.9 at rank 2 is above 0.2 at rank 1"},
		{name: "rank not rising", lines: []RunLine{{"q", "a", 2, 1}, {"q", "b", 2, 1}}, wantErr: "line 2: query q: rank 2 after rank 2"},
		{name: "rank zero", lines: []RunLine{{"q", "a", 0, 1}}, wantErr: "line 1: rank 0"},
		{name: "NaN score", lines: []RunLine{{"q", "a", 1, math.NaN()}}, wantErr: "line 1: score NaN"},
		{name: "doc id with a space", lines: []RunLine{{"q", "paper one", 1, 1}}, wantErr: "line 1: doc id \"paper one\" contains whitespace"},
		{name: "empty query id", lines: []RunLine{{"", "a", 1, 1}}, wantErr: "line 1: empty query id"},
		{name: "tag with a space", tag: "my run", lines: []RunLine{{"q", "a", 1, 1}}, wantErr: "tag \"my run\" contains whitespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := WriteRun(&b, tt.tag, tt.lines)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if b.Len() != 0 {
					t.Errorf("wrote %q before refusing; a refused run must leave nothing", b.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteRunReportsWriteErrors(t *testing.T) {
	err := WriteRun(failingWriter{}, "", []RunLine{{"q", "a", 1, 1}})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want the writer's error", err)
	}
}

// A run written by WriteRun and read back the way trec_eval reads it scores
// the same as the ranking it came from, as long as no scores tie.
func TestRunRoundTrip(t *testing.T) {
	qrels := Qrels{"1": {"a": 2, "b": 1, "c": 1}, "2": {"d": 1}}
	ranked := map[string][]string{"1": {"x", "b", "a", "y"}, "2": {"d", "z"}}
	var lines []RunLine
	for _, qid := range []string{"1", "2"} {
		for i, doc := range ranked[qid] {
			lines = append(lines, RunLine{qid, doc, i + 1, 10 - float64(i)})
		}
	}
	path := filepath.Join(t.TempDir(), "run.txt")
	var b bytes.Buffer
	if err := WriteRun(&b, "test", lines); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := ReadRun(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ranked) {
		t.Errorf("read back %v, want %v", back, ranked)
	}
	if got, want := Evaluate(qrels, back), Evaluate(qrels, ranked); got != want {
		t.Errorf("scores from the file %+v, from the ranking %+v", got, want)
	}
}

func TestParseRun(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string][]string
		wantErr string
	}{
		{
			// trec_eval ignores the rank column and sorts by score.
			name: "ordered by score, not by rank column",
			in:   "q Q0 a 1 0.5 t\nq Q0 b 2 0.9 t\n",
			want: map[string][]string{"q": {"b", "a"}},
		},
		{
			// Ties go to the larger id, the way trec_eval breaks them.
			name: "ties broken by id descending",
			in:   "q Q0 a 1 1 t\nq Q0 c 2 1 t\nq Q0 b 3 1 t\nr Q0 z 1 2 t\n",
			want: map[string][]string{"q": {"c", "b", "a"}, "r": {"z"}},
		},
		{name: "wrong columns", in: "q Q0 a 1 1\n", wantErr: "run.txt:1: want 6 columns"},
		{name: "bad score", in: "\nq Q0 a 1 high t\n", wantErr: "run.txt:2: score \"high\" is not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRun(strings.NewReader(tt.in), "run.txt")
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

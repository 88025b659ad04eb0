package eval

import (
	"bytes"
	"encoding/json"
	"testing"
)

var (
	keyword = ModeScores{Mode: "keyword", Scores: Scores{Queries: 809, NDCG10: 0.68904, Recall100: 0.92699, MAP100: 0.64, MRR10: 0.652}}
	hybrid  = ModeScores{Mode: "hybrid", Scores: Scores{Queries: 809, NDCG10: 0.7, Recall100: 1, MAP100: 0.66666, MRR10: 0}}
)

func TestFormatTable(t *testing.T) {
	tests := []struct {
		name string
		runs []ModeScores
		want string
	}{
		{
			name: "modes in the order given",
			runs: []ModeScores{keyword, hybrid},
			want: "" +
				"mode     queries  nDCG@10  Recall@100  MAP@100  MRR@10\n" +
				"keyword      809   0.6890      0.9270   0.6400  0.6520\n" +
				"hybrid       809   0.7000      1.0000   0.6667  0.0000\n",
		},
		{
			name: "short name keeps the header width",
			runs: []ModeScores{{Mode: "bm", Scores: Scores{Queries: 5, NDCG10: 0.5}}},
			want: "" +
				"mode  queries  nDCG@10  Recall@100  MAP@100  MRR@10\n" +
				"bm          5   0.5000      0.0000   0.0000  0.0000\n",
		},
		{
			name: "no runs is just the header",
			want: "mode  queries  nDCG@10  Recall@100  MAP@100  MRR@10\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := FormatTable(&b, tt.runs); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestJSONDocuments(t *testing.T) {
	tests := []struct {
		name string
		doc  any
		want string
	}{
		{
			name: "single mode, keys in the contract's order",
			doc:  keyword,
			want: `{"queries":809,"mode":"keyword","ndcg@10":0.68904,"recall@100":0.92699,"map@100":0.64,"mrr@10":0.652}`,
		},
		{
			name: "mode all",
			doc:  Compare([]ModeScores{keyword, hybrid}),
			want: `{"queries":809,"runs":{"hybrid":{"queries":809,"ndcg@10":0.7,"recall@100":1,"map@100":0.66666,"mrr@10":0},` +
				`"keyword":{"queries":809,"ndcg@10":0.68904,"recall@100":0.92699,"map@100":0.64,"mrr@10":0.652}}}`,
		},
		{
			name: "mode name escaped",
			doc:  ModeScores{Mode: `a"b`},
			want: `{"queries":0,"mode":"a\"b","ndcg@10":0,"recall@100":0,"map@100":0,"mrr@10":0}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// A tool reading the single-mode document back gets every field.
func TestModeScoresDecode(t *testing.T) {
	b, err := json.Marshal(keyword)
	if err != nil {
		t.Fatal(err)
	}
	var back ModeScores
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != keyword {
		t.Errorf("decoded %+v, want %+v", back, keyword)
	}
}

package eval

import (
	"reflect"
	"testing"
)

func TestRelatedTasks(t *testing.T) {
	qrels := Qrels{
		"1": {"30": 1, "100": 2, "7": 1, "9": 0},
		"2": {"5": 1},                 // one relevant paper: no task at m = 1
		"3": {"8": 1, "7": 1, "6": 2}, // 7 is relevant to query 1 too
	}
	got := RelatedTasks(qrels, 1, 2)
	want := []RelatedTask{
		// Ids as strings: "100" < "30" < "7".
		{QueryID: "1", Positives: []string{"100"}, Negatives: []string{"6", "8"}, Targets: map[string]int{"30": 1, "7": 1, "9": 0}},
		{QueryID: "3", Positives: []string{"6"}, Negatives: []string{"100", "30"}, Targets: map[string]int{"7": 1, "8": 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("RelatedTasks(m=1, negatives=2) =\n%+v\nwant\n%+v", got, want)
	}
	if got := RelatedTasks(qrels, 3, 0); len(got) != 0 {
		t.Errorf("m = 3 needs 4 relevant papers; got tasks %+v", got)
	}
	got = RelatedTasks(qrels, 2, 0)
	if len(got) != 2 || !reflect.DeepEqual(got[0].Positives, []string{"100", "30"}) || got[0].Negatives != nil {
		t.Errorf("RelatedTasks(m=2) = %+v", got)
	}
	if q := TaskQrels(got); !reflect.DeepEqual(q, Qrels{"1": {"7": 1, "9": 0}, "3": {"8": 1}}) {
		t.Errorf("TaskQrels = %v", q)
	}
}

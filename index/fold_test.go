package index

import (
	"slices"
	"testing"
)

func TestAnalyzerFoldsAccents(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"Đoković", "Djokovic"},
		{"DJOKOVIĆ", "djokovic"},
		{"Schrödinger equation", "Schrodinger equations"},
		{"Müller's café", "Muller cafe"},
		{"Straße", "strasse"},
		{"Ærø", "aero"},
	} {
		if a, b := Terms(tt.a), Terms(tt.b); !slices.Equal(a, b) || len(a) == 0 {
			t.Errorf("Terms(%q) = %q, Terms(%q) = %q: want the same", tt.a, a, tt.b, b)
		}
	}
	// Letters with no ASCII form stay; stop words are still stopped after folding.
	if got := Terms("μ-opioid θέμα"); !slices.Contains(got, "μ") {
		t.Errorf("Greek lost: %q", got)
	}
	if got := Terms("thé"); len(got) != 0 {
		t.Errorf("\"thé\" folds to the stop word \"the\": %q", got)
	}
}

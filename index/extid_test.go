package index

import "testing"

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		want Ref
		ok   bool
	}{
		{"doi:10.1145/3600006.3613165", Ref{RefDOI, "10.1145/3600006.3613165"}, true},
		{"DOI:https://doi.org/10.48550/ARXIV.2401.01234", Ref{RefDOI, "10.48550/arxiv.2401.01234"}, true},
		{"arxiv:2401.01234v3", Ref{RefArXiv, "2401.01234"}, true},
		{"arXiv:cs/0701113v1", Ref{RefArXiv, "cs/0701113"}, true},
		{"arxiv:https://arxiv.org/abs/2401.01234v2", Ref{RefArXiv, "2401.01234"}, true},
		{"pmid:00123", Ref{RefPMID, "123"}, true},
		{"pmid:12a", Ref{}, false},
		{"doi:not-a-doi", Ref{}, false},
		{"cs/0701113", Ref{}, false},
		{"2401.01234", Ref{}, false},
		{"isbn:123", Ref{}, false},
		{"paper with: a colon", Ref{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseRef(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRef(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNormalizeArXivKeepsNonVersionV(t *testing.T) {
	for in, want := range map[string]string{
		"2401.01234":     "2401.01234",
		"2401.01234v12":  "2401.01234",
		"solv-int/9901v": "solv-int/9901v",
		"hep-th/9901001": "hep-th/9901001",
	} {
		if got := NormalizeArXiv(in); got != want {
			t.Errorf("NormalizeArXiv(%q) = %q, want %q", in, got, want)
		}
	}
}

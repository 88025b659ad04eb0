package index

import (
	"errors"
	"testing"
)

func TestNormalizeDOI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.1103/PhysRevD.76.013009", "10.1103/physrevd.76.013009"},
		{" https://doi.org/10.1000/ZF.1 ", "10.1000/zf.1"},
		{"http://dx.doi.org/10.1000/a", "10.1000/a"},
		{"https://doi.org/10.1002/%28SICI%291097", "10.1002/(sici)1097"},
		{"doi:10.1/X", "10.1/x"},
		{"DOI: 10.1/X", "10.1/x"},
		{"doi.org/10.48550/arXiv.2401.01234", "10.48550/arxiv.2401.01234"},
		{"10.1007/978-3-540-74126-8_23", "10.1007/978-3-540-74126-8_23"},
		{"10.1002/(SICI)1097-4636(199705)35:2<161::AID-JBM4>3.0.CO;2-N", "10.1002/(sici)1097-4636(199705)35:2<161::aid-jbm4>3.0.co;2-n"},
		// Not DOIs: dropped rather than merging unrelated papers.
		{"n/a", ""},
		{"", ""},
		{"10.1000", ""},
		{"10./x", ""},
		{"10.1000/", ""},
		{"10.1000/with space", ""},
		{"11.1000/x", ""},
		{"10.1a/x", ""},
	}
	for _, tt := range tests {
		if got := NormalizeDOI(tt.in); got != tt.want {
			t.Errorf("NormalizeDOI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeArXiv(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2401.01234", "2401.01234"},
		{"2401.01234v2", "2401.01234"},
		{"arXiv:2401.01234v12", "2401.01234"},
		{"ARXIV:2401.01234", "2401.01234"},
		{"https://arxiv.org/abs/2401.01234v3", "2401.01234"},
		{"http://arxiv.org/pdf/2401.01234v1.pdf", "2401.01234"},
		{"https://arxiv.org/pdf/2401.01234", "2401.01234"},
		{"oai:arXiv.org:2401.01234", "2401.01234"},
		{"arXiv:2401.01234 [cs.CL]", "2401.01234"},
		{"0704.0001", "0704.0001"},
		{"hep-th/9901001", "hep-th/9901001"},
		{"hep-th/9901001v2", "hep-th/9901001"},
		{"math.GT/0309136", "math/0309136"},
		{"cs/0701113", "cs/0701113"},
		{"solv-int/9901001", "solv-int/9901001"},
		{"oai:arXiv.org:cond-mat/0102536", "cond-mat/0102536"},
		// Not arXiv ids.
		{"1234.5678", ""},   // four digits after 2015: arXiv uses five
		{"1501.1234", ""},   // idem
		{"0713.01234", ""},  // month 13
		{"2401.1234", ""},   // four digits in 2024
		{"foo/9901001", ""}, // no such archive
		{"hep-th/99010", ""},
		{"2401.01234vx", ""},
		{"", ""},
		{"v2", ""},
	}
	for _, tt := range tests {
		if got := NormalizeArXiv(tt.in); got != tt.want {
			t.Errorf("NormalizeArXiv(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestArXivFromDOI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.48550/arXiv.2401.01234", "2401.01234"},
		{"https://doi.org/10.48550/ARXIV.2401.01234", "2401.01234"},
		{"10.48550/arXiv.hep-th/9901001", "hep-th/9901001"},
		{"10.1103/PhysRevD.76.013009", ""},
		{"10.48550/arXiv.nonsense", ""},
	}
	for _, tt := range tests {
		if got := ArXivFromDOI(tt.in); got != tt.want {
			t.Errorf("ArXivFromDOI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizePMID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"123", "123"},
		{" 00123 ", "123"},
		{"pmid:123", "123"},
		{"PMID: 123", "123"},
		{"https://pubmed.ncbi.nlm.nih.gov/29456894/", "29456894"},
		{"https://www.ncbi.nlm.nih.gov/pubmed/29456894", "29456894"},
		{"12a", ""},
		{"0", ""},
		{"", ""},
		{"1234567890123", ""},
	}
	for _, tt := range tests {
		if got := NormalizePMID(tt.in); got != tt.want {
			t.Errorf("NormalizePMID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		want Ref
		bad  bool
	}{
		{in: "doi:10.1/X", want: Ref{SchemeDOI, "10.1/x"}},
		{in: "DOI:https://doi.org/10.1/X", want: Ref{SchemeDOI, "10.1/x"}},
		{in: "arxiv:2401.01234v2", want: Ref{SchemeArXiv, "2401.01234"}},
		{in: "arXiv:hep-th/9901001", want: Ref{SchemeArXiv, "hep-th/9901001"}},
		{in: "pmid:123", want: Ref{SchemePMID, "123"}},
		{in: "PMID:00123", want: Ref{SchemePMID, "123"}},
		{in: "https://doi.org/10.1000/ABC", want: Ref{SchemeDOI, "10.1000/abc"}},
		{in: "https://arxiv.org/abs/2401.01234v1", want: Ref{SchemeArXiv, "2401.01234"}},
		{in: "https://pubmed.ncbi.nlm.nih.gov/123/", want: Ref{SchemePMID, "123"}},
		// Plain ids, whatever they look like.
		{in: "2401.01234", want: Ref{Value: "2401.01234"}},
		{in: " cs/0701113 ", want: Ref{Value: "cs/0701113"}},
		{in: "paper with spaces", want: Ref{Value: "paper with spaces"}},
		{in: "s2:12345", want: Ref{Value: "s2:12345"}},
		{in: "W4389000001", want: Ref{Value: "W4389000001"}},
		{in: "https://example.org/x", want: Ref{Value: "https://example.org/x"}},
		// Known schemes with values of the wrong kind.
		{in: "doi:hello", bad: true},
		{in: "arxiv:1234", bad: true},
		{in: "pmid:abc", bad: true},
		{in: "  ", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseRef(tt.in)
		if tt.bad {
			if !errors.Is(err, ErrBadRef) {
				t.Errorf("ParseRef(%q) = %v, %v; want ErrBadRef", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		// String writes what ParseRef reads back.
		if again, err := ParseRef(got.String()); err != nil || again != got {
			t.Errorf("ParseRef(%q.String()) = %+v, %v", tt.in, again, err)
		}
	}
}

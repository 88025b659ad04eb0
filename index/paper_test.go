package index

import "testing"

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"  leading and trailing  ", "leading and trailing"},
		{"arXiv hard\n  line breaks\tand\r\ntabs", "arXiv hard line breaks and tabs"},
		{"nul\x00byte", "nulbyte"},
		{"nul \x00 between", "nul between"},
		{"bad \xff\xfe utf8", "bad \uFFFD utf8"},
		{"non-breaking\u00a0space and\u2003em space", "non-breaking space and em space"},
		{"\n\n\t ", ""},
		{"émoji 🚀  مرحبا", "émoji 🚀 مرحبا"},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		p    Paper
		want string
	}{
		{Paper{Title: "T", Abstract: "A"}, "T\nA"},
		{Paper{Title: "T"}, "T"},
		{Paper{Abstract: "A"}, "A"},
	}
	for _, tt := range tests {
		if got := tt.p.Text(); got != tt.want {
			t.Errorf("%+v.Text() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

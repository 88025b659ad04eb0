package bytesize

import (
	"math"
	"testing"
)

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"},
		{1, "1 byte"},
		{1023, "1023 bytes"},
		{1024, "1 KiB"},
		{1536, "1.5 KiB"},
		{64 << 10, "64 KiB"},
		{1 << 20, "1 MiB"},
		{16 << 20, "16 MiB"},
		{(1 << 20) + 1, "1.0 MiB"},
		{1503238553, "1.4 GiB"},
		{5 << 40, "5 TiB"},
		{math.MaxInt64, "8.0 EiB"},
	} {
		if got := Format(tt.n); got != tt.want {
			t.Errorf("Format(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

package textdiff

import "testing"

func TestFirstLine(t *testing.T) {
	for _, tc := range []struct {
		a, b  string
		line  int
		lines string
	}{
		{"x\ny\nz", "x\nY\nz", 2, "got:  y\nwant: Y"},
		{"x\ny", "x\ny\nz", 3, "got:  (end of output)\nwant: z"},
		{"a", "b", 1, "got:  a\nwant: b"},
	} {
		if got := FirstLine(tc.a, tc.b); got != tc.line {
			t.Errorf("FirstLine(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.line)
		}
		if got := Lines(tc.a, tc.b); got != tc.lines {
			t.Errorf("Lines(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.lines)
		}
	}
}

func TestFirstByte(t *testing.T) {
	if got := FirstByte("abcd", "abXd"); got != 2 {
		t.Errorf("FirstByte = %d, want 2", got)
	}
	if got := FirstByte("ab", "abc"); got != 2 {
		t.Errorf("FirstByte of a prefix = %d, want 2", got)
	}
	if got, want := Bytes("abcd", "abXd"), " got: \"abcd\"\nwant: \"abXd\""; got != want {
		t.Errorf("Bytes = %q, want %q", got, want)
	}
}

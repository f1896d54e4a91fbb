// Package textdiff says where two texts part, for the messages of tests
// that compare a run's output with a golden file or another run's: the
// first line that differs, and that line of each.
package textdiff

import (
	"fmt"
	"strings"
)

// FirstLine returns the 1-based number of the first line where a and b
// differ (one past the shorter's last line if one is a prefix of the
// other).
func FirstLine(a, b string) int {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// Lines shows the first line where got and want differ, of both.
func Lines(got, want string) string {
	n := FirstLine(got, want)
	line := func(s string) string {
		if ls := strings.Split(s, "\n"); n-1 < len(ls) {
			return ls[n-1]
		}
		return "(end of output)"
	}
	return "got:  " + line(got) + "\nwant: " + line(want)
}

// FirstByte returns the offset of the first byte where a and b differ
// (the shorter's length if one is a prefix of the other): for outputs,
// such as a page, whose lines are too long to show.
func FirstByte(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// Bytes shows got and want around the first byte where they differ, 60
// bytes each side, quoted.
func Bytes(got, want string) string {
	i := FirstByte(got, want)
	lo := max(i-60, 0)
	return fmt.Sprintf(" got: %q\nwant: %q", got[lo:min(i+60, len(got))], want[lo:min(i+60, len(want))])
}

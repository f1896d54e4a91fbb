package model

import "testing"

// TestCount: the plurals the summaries print.
func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "seed", "1 seed"},
		{0, "seed", "0 seeds"},
		{2, "seed", "2 seeds"},
		{1, "delivery", "1 delivery"},
		{3, "delivery", "3 deliveries"},
		{2, "late reply", "2 late replies"},
		{2, "day", "2 days"}, // a vowel before the y: an s
		{2, "y", "2 ys"},
	} {
		if got := Count(tc.n, tc.noun); got != tc.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
}

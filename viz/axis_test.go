package viz

import (
	"math"
	"slices"
	"testing"
)

// TestAxisArithmetic: the steps and ticks of the axes never overflow,
// whatever the span, and each tick is a multiple of the step inside the
// range.
func TestAxisArithmetic(t *testing.T) {
	for _, span := range []int64{math.MinInt64, -1, 0, 1, 7, 8, 9, 999, 1e15, 4e18, 9e18, math.MaxInt64} {
		for _, n := range []int64{0, 1, 5, 8} {
			step := niceStep(span, n)
			if step <= 0 {
				t.Errorf("niceStep(%d, %d) = %d", span, n, step)
			}
			if span > 0 && n > 0 && span/step > n {
				t.Errorf("niceStep(%d, %d) = %d: %d steps", span, n, step, span/step)
			}
		}
	}
	const maxI, minI = math.MaxInt64, math.MinInt64
	for _, tt := range []struct {
		lo, hi, step int64
		want         []int64
	}{
		{0, 10, 5, []int64{0, 5, 10}},
		{-7, 7, 5, []int64{-5, 0, 5}},
		{-10, -6, 5, []int64{-10}},
		{1, 4, 5, nil},
		{5, 0, 1, nil},
		{0, maxI, 2e18, []int64{0, 2e18, 4e18, 6e18, 8e18}},
		{maxI - 2, maxI, 1, []int64{maxI - 2, maxI - 1, maxI}},
		{minI, minI + 1, 1, []int64{minI, minI + 1}},
		{minI, maxI, 5e18, []int64{-5e18, 0, 5e18}},
	} {
		if got := ticks(tt.lo, tt.hi, tt.step, 20); !slices.Equal(got, tt.want) {
			t.Errorf("ticks(%d, %d, %d) = %v, want %v", tt.lo, tt.hi, tt.step, got, tt.want)
		}
	}
	if got := ticks(0, maxI, 1, 20); len(got) != 20 {
		t.Errorf("ticks of step 1 over all of int64: %d, want the limit, 20", len(got))
	}
	for _, tt := range []struct{ v, step, want int64 }{
		{0, 5, 0}, {1, 5, 5}, {5, 5, 5}, {9e18, 2e18, maxI}, {maxI, 1, maxI},
	} {
		if got := roundUp(tt.v, tt.step); got != tt.want {
			t.Errorf("roundUp(%d, %d) = %d, want %d", tt.v, tt.step, got, tt.want)
		}
	}
}

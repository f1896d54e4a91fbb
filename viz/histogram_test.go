package viz_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"eccounter/viz"
)

// axisLabel matches a label of a chart's axes; its x and y are groups 1
// and 2.
var axisLabel = regexp.MustCompile(`<text x="([^"]*)" y="([^"]*)" text-anchor="(?:middle|end)" fill="#555">`)

// pictureSize matches the root element's width and height.
var pictureSize = regexp.MustCompile(`<svg [^>]*width="([^"]*)" height="([^"]*)"`)

// checkAxes fails if svg has many axis labels, or any off the picture.
func checkAxes(t *testing.T, svg string) {
	t.Helper()
	labels := axisLabel.FindAllStringSubmatch(svg, -1)
	size := pictureSize.FindStringSubmatch(svg)
	if size == nil {
		t.Fatal("the picture has no width and height")
	}
	w, _ := strconv.ParseFloat(size[1], 64)
	h, _ := strconv.ParseFloat(size[2], 64)
	if len(labels) > 40 {
		t.Errorf("%d axis labels", len(labels))
	}
	for _, m := range labels {
		x, xerr := strconv.ParseFloat(m[1], 64)
		y, yerr := strconv.ParseFloat(m[2], 64)
		if xerr != nil || yerr != nil || x < 0 || x > w || y < 0 || y > h {
			t.Errorf("an axis label at (%s, %s), off the picture", m[1], m[2])
		}
	}
}

// TestHistogramExtremes: whatever the bins and markers, Histogram returns
// promptly with a small SVG, or an error: no tick loop that overflows and
// never ends, no division by zero, no index out of range.
func TestHistogramExtremes(t *testing.T) {
	const maxI = math.MaxInt64
	equal := func(from, width int64, counts ...uint64) []viz.Bin {
		var bins []viz.Bin
		for i, c := range counts {
			lo := from + int64(i)*width
			bins = append(bins, viz.Bin{From: lo, To: lo + width, Count: c})
		}
		return bins
	}
	tests := []struct {
		name    string
		bins    []viz.Bin
		markers []viz.Marker
	}{
		// Thirty bins up to 9e18: ticks every 2e18, the next after 8e18
		// beyond the largest int64.
		{"ticks near the largest time", equal(0, 300_000_000_000_000_001, make([]uint64, 30)...), []viz.Marker{{At: 9e18, Label: "p99"}}},
		{"up to the largest time", []viz.Bin{{From: 0, To: maxI, Count: 1}}, []viz.Marker{{At: maxI, Label: "max"}}},
		{"the whole int64 range", []viz.Bin{{From: math.MinInt64, To: maxI, Count: 3}}, nil},
		{"negative times", equal(-5000, 1000, 1, 2, 3), []viz.Marker{{At: -4500, Label: "p50"}}},
		{"zero width", []viz.Bin{{From: 7, To: 7, Count: 1}}, []viz.Marker{{At: 7, Label: "p50"}}},
		{"huge counts", equal(0, 10, math.MaxUint64, math.MaxUint64/2, 1), nil},
		{"markers far outside", equal(0, 10, 1), []viz.Marker{{At: math.MinInt64, Label: "lo"}, {At: maxI, Label: "hi"}}},
		{"out of order", []viz.Bin{{From: 100, To: 0, Count: 1}, {From: 50, To: -maxI, Count: 2}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			done := make(chan error, 1)
			go func() { done <- viz.Histogram(&b, "h", tt.bins, tt.markers) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("error %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Histogram did not return within 10s")
			}
			if b.Len() > 64<<10 {
				t.Errorf("%d bytes of SVG", b.Len())
			}
			checkAxes(t, b.String())
			if err := xml.NewDecoder(&b).Decode(new(struct{})); err != nil && err != io.EOF {
				t.Errorf("not XML: %v", err)
			}
		})
	}
	// No bins is an error, not a panic.
	if err := viz.Histogram(io.Discard, "h", nil, nil); err == nil || !strings.HasPrefix(err.Error(), "viz: ") {
		t.Errorf("no bins: error %v, want one from viz", err)
	}
}

// TestChartHugeValues: values near the largest int64 (max_value allows
// them) give a value axis of a few ticks, all on the picture, where adding
// a step to the last tick used to overflow and wrap round.
func TestChartHugeValues(t *testing.T) {
	for _, top := range []int64{7e18, math.MaxInt64} {
		cfg := config(1)
		cfg.MaxValue = top
		rec, report := record(t, cfg)
		var b bytes.Buffer
		if err := viz.Chart(&b, rec, report); err != nil {
			t.Fatal(err)
		}
		checkAxes(t, b.String())
		// The value axis has its ticks, 0 and above.
		if n := strings.Count(b.String(), `text-anchor="end" fill="#555"`); n < 2 {
			t.Errorf("max_value %d: %d ticks on the value axis", top, n)
		}
	}
}

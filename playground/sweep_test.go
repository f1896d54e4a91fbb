package playground

import (
	"fmt"
	"strings"
	"testing"

	"eccounter/scenarios"
)

// TestSweepProgressAndStop: a sweep reports its progress every SweepChunk
// seeds and at the last, in order; asked to stop, it stops there, and its
// summary says which seeds it covers, as an interrupted eccounter-sim
// -seeds says it, with no histogram.
func TestSweepProgressAndStop(t *testing.T) {
	var calls []uint64
	r := Sweep(scenarios.DefaultName, defaultTOML(t), 1, 50, func(done, failed uint64) bool {
		calls = append(calls, done)
		return true
	})
	if want := []uint64{20, 40, 50}; r.Error != nil || r.Stopped || len(calls) != len(want) || calls[0] != 20 || calls[1] != 40 || calls[2] != 50 {
		t.Errorf("progress %v (error %+v, stopped %v), want %v", calls, r.Error, r.Stopped, want)
	}
	if r.Histogram == "" || !strings.Contains(r.Histogram, "<svg") {
		t.Errorf("no histogram: %q", r.HistogramNote)
	}

	calls = nil
	r = Sweep(scenarios.DefaultName, defaultTOML(t), 1, 300, func(done, failed uint64) bool {
		calls = append(calls, done)
		return done < 40
	})
	if !r.Stopped || r.Done != 40 || r.Total != 300 || len(calls) != 2 {
		t.Errorf("stopped %v after %d of %d seeds, progress %v: want a stop after 40 of 300", r.Stopped, r.Done, r.Total, calls)
	}
	if !strings.Contains(r.Summary, "\npartial:        interrupted after seeds 1..40 of 1..300\nseeds:          40, from 1 to 40\n") {
		t.Errorf("the stopped sweep's summary:\n%s", r.Summary)
	}
	if r.Histogram != "" || r.HistogramNote != "no histogram: the sweep was stopped" {
		t.Errorf("a stopped sweep drew a histogram (%q)", r.HistogramNote)
	}
	// Stopped at the first report: seeds 1..20 only.
	r = Sweep(scenarios.DefaultName, defaultTOML(t), 1, 300, func(uint64, uint64) bool { return false })
	if !r.Stopped || r.Done != SweepChunk {
		t.Errorf("stopped %v after %d seeds, want %d", r.Stopped, r.Done, SweepChunk)
	}
}

// TestSweepErrors: a bad range, a range too long for the page, a bad
// scenario and a run past MaxEvents give errors, never a panic or a
// sweep without end.
func TestSweepErrors(t *testing.T) {
	large := ""
	for _, p := range scenarios.Presets() {
		if p.Name == "scenarios/large.toml" {
			large = string(p.TOML)
		}
	}
	for _, tt := range []struct {
		name, text  string
		first, last int64
		want        string
	}{
		{"d.toml", defaultTOML(t), 5, 4, "seeds: the range is empty: 5 is larger than 4"},
		{"d.toml", defaultTOML(t), 1, MaxSweepSeeds + 1, "seeds: at most 100000 seeds in the page"},
		{"d.toml", defaultTOML(t), -1 << 63, 1<<63 - 1, "seeds: at most 100000 seeds in the page"},
		{"bad.toml", "servers = -1\n", 1, 2, "line 1, column 11"},
		{"scenarios/large.toml", large, 1, 2, "seed 1: the run went on past 200000 events"},
	} {
		r := Sweep(tt.name, tt.text, tt.first, tt.last, nil)
		if r.Error == nil || !strings.Contains(fmt.Sprintf("%s line %d, column %d", r.Error.Text, r.Error.Line, r.Error.Column), tt.want) || r.Summary != "" {
			t.Errorf("%s %d..%d: error %+v, summary %q: want %q", tt.name, tt.first, tt.last, r.Error, r.Summary, tt.want)
		}
	}
}

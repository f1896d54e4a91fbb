package playground

import (
	"bytes"
	"errors"
	"fmt"

	"eccounter/scenarios"
	"eccounter/sweeps"
)

// MaxSweepSeeds is the most seeds a sweep in the page takes: the default
// scenario runs a few hundred seeds a second there, so this is minutes;
// a longer sweep is for eccounter-sim -seeds, on every core.
const MaxSweepSeeds = 100_000

// SweepChunk is how many seeds a sweep runs between two reports of its
// progress: often enough for a progress bar to move smoothly, seldom
// enough that reporting costs nothing next to the runs.
const SweepChunk = 20

// SweepResult is what a sweep gives the page.
type SweepResult struct {
	// Summary is what eccounter-sim -seeds A..B -q prints on standard
	// error for the same scenario; if the sweep was stopped, marked
	// partial as a sweep interrupted by a signal is.
	Summary string
	// Histogram is the histogram of the seeds' convergence times after
	// their last accepted set as SVG, as -chart draws it with -seeds; empty
	// if the sweep was stopped or no seed converged after a set, and then
	// HistogramNote says why.
	Histogram, HistogramNote string
	// Total is the number of seeds asked for, Done and Failed those run
	// and those that failed.
	Total, Done, Failed uint64
	// Stopped: progress asked to stop before the last seed.
	Stopped bool
	// Error is nil if the sweep was made; a scenario error, a bad range,
	// or a seed whose run went on past MaxEvents (then Summary is empty).
	Error *Error
}

// Sweep runs the scenario text, named name as Run names it, under every
// seed from first to last, in order, as eccounter-sim -seeds first..last
// -q does (on one core: the page has one). After every SweepChunk seeds,
// and after the last, it calls progress, if not nil, with the seeds done
// and failed so far; progress returns false to stop the sweep there.
func Sweep(name, scenario string, first, last int64, progress func(done, failed uint64) bool) SweepResult {
	if len(scenario) > scenarios.MaxFileSize {
		msg := fmt.Sprintf("the scenario is larger than %d bytes; a scenario is a few lines of TOML", scenarios.MaxFileSize)
		return SweepResult{Error: &Error{Message: msg, Text: name + ": " + msg}}
	}
	bad := func(msg string) SweepResult {
		return SweepResult{Error: &Error{Message: "seeds: " + msg, Text: "seeds: " + msg}}
	}
	switch {
	case first > last:
		return bad(fmt.Sprintf("the range is empty: %d is larger than %d", first, last))
	// last-first in uint64 is exact for any first <= last, where int64
	// could overflow.
	case uint64(last)-uint64(first) >= MaxSweepSeeds:
		return bad(fmt.Sprintf("at most %d seeds in the page; sweep more with eccounter-sim -seeds", MaxSweepSeeds))
	}
	sc, err := scenarios.Parse(name, []byte(scenario))
	if err != nil {
		return SweepResult{Error: scenarioError(scenario, err)}
	}
	n := uint64(last) - uint64(first) + 1
	res := SweepResult{Total: n}
	t := sweeps.Tally{NoRecords: true} // as with -q
	run := sweeps.Runner(sc, MaxEvents)
	for k := range n {
		seed := first + int64(k)
		rec, err := run(seed)
		if errors.Is(err, sweeps.ErrCapped) {
			msg := fmt.Sprintf("seed %d: the run went on past %d events, the most the playground runs; sweep it with eccounter-sim -seeds %d..%d", seed, MaxEvents, first, last)
			return SweepResult{Total: n, Done: k, Failed: t.Failed(), Error: &Error{Message: msg, Text: msg}}
		}
		t.Add(&rec)
		if done := k + 1; progress != nil && (done%SweepChunk == 0 || done == n) && !progress(done, t.Failed()) && done < n {
			res.Stopped = true
			break
		}
	}
	res.Done, _, _ = t.Seeds()
	res.Failed = t.Failed()
	if res.Stopped {
		t.Interrupted(first, n)
	}
	var b bytes.Buffer
	t.WriteSummary(&b, sc) // a buffer never fails to write
	res.Summary = b.String()
	switch {
	case res.Stopped:
		// As on the command line: a picture has no room to say it is
		// partial.
		res.HistogramNote = "no histogram: the sweep was stopped"
	case !t.HasHistogram():
		res.HistogramNote = "no histogram: no seed converged after an accepted set"
	default:
		var svg bytes.Buffer
		if err := t.WriteHistogram(&svg); err != nil {
			res.HistogramNote = "no histogram: " + err.Error()
		} else {
			res.Histogram = svg.String()
		}
	}
	return res
}

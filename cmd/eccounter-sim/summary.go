package main

// The summary of a sweep, and -summarize, which prints it from saved JSON
// lines. Both feed the same tally one record at a time, so the summary of
// shards' outputs concatenated is the summary the whole sweep printed. For
// that the tally must not depend on the order of its records (shards may
// finish in any order) and, like the sweep, must not hold every record.

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/viz"
)

// maxReplays is how many replay commands a summary lists; every failing
// seed is in the JSON lines anyway.
const maxReplays = 20

// tally is what a summary is made of, added up a record at a time.
type tally struct {
	seeds     seedSet
	skipped   uint64 // records of a seed already seen
	failed    uint64
	failedBy  map[string]uint64 // first failed check -> seeds
	stops     map[string]uint64 // stop reason -> seeds
	converged uint64
	hashed    uint64 // records with a trace_hash
	// Seeds that ended with a residue, and the largest residue.
	withResidue uint64
	maxResidue  int

	convergedAt, afterLastSet histogram

	// firstFailures holds the smallest maxReplays failing seeds, as a
	// max-heap so that the largest of them is the one to drop.
	firstFailures failureHeap

	// partial, if set, says which seeds an interrupted sweep covered.
	partial string
}

// add counts one record. A seed seen before is skipped (and counted as
// such): concatenating a shard's output twice must not count it twice.
func (t *tally) add(r *seedRecord) {
	if !t.seeds.add(r.Seed) {
		t.skipped++
		return
	}
	if t.failedBy == nil {
		t.failedBy, t.stops = map[string]uint64{}, map[string]uint64{}
	}
	t.stops[r.Stop]++
	if r.TraceHash != "" {
		t.hashed++
	}
	if r.Residue > 0 {
		t.withResidue++
		t.maxResidue = max(t.maxResidue, r.Residue)
	}
	if r.Converged {
		t.converged++
		t.convergedAt.add(r.ConvergedAt, r.Seed)
		if r.HasAfterLastSet {
			t.afterLastSet.add(r.AfterLastSet, r.Seed)
		}
	}
	if !r.Failed() {
		return
	}
	t.failed++
	t.failedBy[r.FailedCheck]++
	heap.Push(&t.firstFailures, failure{r.Seed, r.FailedCheck})
	if len(t.firstFailures) > maxReplays {
		heap.Pop(&t.firstFailures)
	}
}

// writeSummary writes the summary of the sweep of scenario sc, for a person
// to read: a header, then lines that each start with a label, as the
// summary of a single run does.
func (t *tally) writeSummary(w io.Writer, sc *scenarios.Scenario) error {
	var b strings.Builder
	n := t.seeds.n
	fmt.Fprintf(&b, "== sweep: %s ==\n", sc.Name)
	if t.partial != "" {
		fmt.Fprintf(&b, "partial:        %s\n", t.partial)
	}
	if n == 0 {
		b.WriteString("seeds:          none\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "seeds:          %d, from %d to %d", n, t.seeds.min, t.seeds.max)
	// Gaps and repeats can only come from -summarize of shards: one
	// missing, or one given twice. (In uint64, max-min cannot overflow.)
	if missing := uint64(t.seeds.max) - uint64(t.seeds.min) + 1 - n; missing > 0 {
		fmt.Fprintf(&b, "; %d missing in between", missing)
	}
	if t.skipped > 0 {
		fmt.Fprintf(&b, "; %d repeated records skipped", t.skipped)
	}
	b.WriteString("\n")
	if t.failed == 0 {
		fmt.Fprintf(&b, "verdict:        all %d passed\n", n)
	} else {
		fmt.Fprintf(&b, "verdict:        %d of %d FAILED\n", t.failed, n)
		fmt.Fprintf(&b, "first failed:   %s\n", counts(t.failedBy))
	}
	fmt.Fprintf(&b, "stopped:        %s\n", counts(t.stops))
	fmt.Fprintf(&b, "converged:      %d of %d\n", t.converged, n)
	if model.Strategy(sc.Sync.Strategy).Backable() {
		// Rumor mongering and direct mail may leave servers without
		// the largest value.
		fmt.Fprintf(&b, "residue:        %d of %d seeds left servers below the largest value (at most %d)\n", t.withResidue, n, t.maxResidue)
	}
	if t.hashed > 0 {
		fmt.Fprintf(&b, "determinism:    %d seeds run twice, their traces compared\n", t.hashed)
	}
	if t.convergedAt.n > 0 {
		fmt.Fprintf(&b, "converged at:   %s\n", t.convergedAt.describe())
	}
	if t.afterLastSet.n > 0 {
		fmt.Fprintf(&b, "after last set: %s\n", t.afterLastSet.describe())
	}
	if t.failed > 0 {
		first := slices.Clone(t.firstFailures)
		slices.SortFunc(first, func(a, b failure) int { return cmp.Compare(a.seed, b.seed) })
		b.WriteString("replay:\n")
		for _, f := range first {
			fmt.Fprintf(&b, "  %s\n", replayFailure(sc, f))
		}
		if more := t.failed - uint64(len(first)); more > 0 {
			fmt.Fprintf(&b, "  ... and %d more (every seed has its line in the JSON lines)\n", more)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// histogramBins is how many bars the sweep's histogram has.
const histogramBins = 30

// writeHistogram writes the histogram of the seeds' convergence times
// after their last accepted set to chart (-chart with a sweep), with the
// percentiles the summary gives marked. With no seed converged after a
// set, there is nothing to draw, and it says so on stderr.
func (t *tally) writeHistogram(chart *output, stderr io.Writer) error {
	h := &t.afterLastSet
	if h.n == 0 {
		fmt.Fprintf(stderr, "eccounter-sim: -chart: no seed converged after an accepted set; no histogram written\n")
		return nil
	}
	width := h.max/histogramBins + 1
	bins := make([]viz.Bin, histogramBins)
	for i := range bins {
		bins[i] = viz.Bin{From: int64(i) * width, To: int64(i+1) * width}
	}
	// Buckets hold values truncated to four digits: each goes in the bin
	// of its lower bound, which is off by less than a part in a thousand.
	for v, n := range h.buckets {
		bins[min(v/width, histogramBins-1)].Count += n
	}
	var markers []viz.Marker
	for _, p := range []uint64{50, 90, 99} {
		markers = append(markers, viz.Marker{At: h.percentile(p), Label: fmt.Sprintf("p%d %s", p, fmtMillis(h.percentile(p)))})
	}
	title := fmt.Sprintf("convergence after the last accepted set, %d seeds", h.n)
	return writeFile(chart, func(w io.Writer) error { return viz.Histogram(w, title, bins, markers) })
}

// replayFailure is the command that shows why a seed failed: its run, or,
// if its two runs differed, the same check again.
func replayFailure(sc *scenarios.Scenario, f failure) string {
	s := *sc
	s.Seed = f.seed
	if f.check != "determinism" {
		return replayCommand(&s)
	}
	cmd := fmt.Sprintf("eccounter-sim -seeds %d..%d -check-determinism", f.seed, f.seed)
	if sc.Name != scenarios.DefaultName {
		cmd += " " + scenarios.ShellQuote(sc.Name)
	}
	return cmd
}

// counts renders a map of counts as "a 3, b 1", by name.
func counts(m map[string]uint64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// failure is a failing seed and the check it failed first.
type failure struct {
	seed  int64
	check string
}

// failureHeap is a max-heap of failures by seed.
type failureHeap []failure

func (h failureHeap) Len() int           { return len(h) }
func (h failureHeap) Less(i, j int) bool { return h[i].seed > h[j].seed }
func (h failureHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *failureHeap) Push(x any)        { *h = append(*h, x.(failure)) }
func (h *failureHeap) Pop() any {
	old := *h
	f := old[len(old)-1]
	*h = old[:len(old)-1]
	return f
}

// seedSet is the set of seeds seen, as a bitmap in chunks of seedChunk
// seeds: one bit per seed of the ranges covered, 12.5 MB for the largest
// sweep, where a map of seeds would take gigabytes.
type seedSet struct {
	chunks   map[int64]*[seedChunk / 64]uint64
	n        uint64
	min, max int64
}

const seedChunk = 1 << 16

// add adds seed s, and reports whether it was new.
func (s *seedSet) add(seed int64) bool {
	if s.chunks == nil {
		s.chunks = map[int64]*[seedChunk / 64]uint64{}
	}
	// Floor division, so that negative seeds have chunks of their own.
	key, off := seed/seedChunk, seed%seedChunk
	if off < 0 {
		key, off = key-1, off+seedChunk
	}
	c := s.chunks[key]
	if c == nil {
		c = new([seedChunk / 64]uint64)
		s.chunks[key] = c
	}
	bit := uint64(1) << (off % 64)
	if c[off/64]&bit != 0 {
		return false
	}
	c[off/64] |= bit
	if s.n == 0 || seed < s.min {
		s.min = seed
	}
	if s.n == 0 || seed > s.max {
		s.max = seed
	}
	s.n++
	return true
}

// histogram counts values in buckets of four significant digits: exact
// enough to read (a percentile of 72.88ms is the true one to within
// 0.01ms), bounded in memory (at most 9,000 buckets per power of ten), and
// the same whatever order the values come in.
type histogram struct {
	buckets map[int64]uint64 // a value truncated to 4 significant digits -> count
	n       uint64
	max     int64
	maxSeed int64 // the smallest seed that reached max
}

const histDigits = 4

func (h *histogram) add(v, seed int64) {
	if h.buckets == nil {
		h.buckets = map[int64]uint64{}
	}
	h.buckets[truncDigits(v, histDigits)]++
	if h.n == 0 || v > h.max || v == h.max && seed < h.maxSeed {
		h.max, h.maxSeed = v, seed
	}
	h.n++
}

// truncDigits truncates v, toward zero, to its first d significant digits.
func truncDigits(v int64, d int) int64 {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	scale, lim := uint64(1), pow10(d)
	for u/scale >= lim {
		scale *= 10
	}
	u = u / scale * scale
	if neg {
		return -int64(u)
	}
	return int64(u)
}

func pow10(d int) uint64 {
	p := uint64(1)
	for range d {
		p *= 10
	}
	return p
}

// percentile returns the nearest-rank p-th percentile, truncated to the
// histogram's precision: the smallest bucket with at least p% of the values
// at or below it.
func (h *histogram) percentile(p uint64) int64 {
	rank := (h.n*p + 99) / 100 // ceil(n*p/100), from 1
	keys := slices.Sorted(maps.Keys(h.buckets))
	var seen uint64
	for _, k := range keys {
		seen += h.buckets[k]
		if seen >= rank {
			return k
		}
	}
	return keys[len(keys)-1]
}

// describe renders the percentiles and the maximum, with the seed that
// reached it, to replay the slowest.
func (h *histogram) describe() string {
	var b strings.Builder
	for _, p := range []uint64{50, 90, 99} {
		fmt.Fprintf(&b, "p%d %s, ", p, fmtMillis(h.percentile(p)))
	}
	// The maximum is exact, written as the schedules write times, so that
	// the replay of its seed shows the same figure.
	fmt.Fprintf(&b, "max %v (seed %d)", sim.Time(h.max), h.maxSeed)
	return b.String()
}

// fmtMillis renders virtual nanoseconds in milliseconds, the unit of the
// schedules, with no more digits than the value has: "72.88ms".
func fmtMillis(ns int64) string {
	return strconv.FormatFloat(float64(ns)/1e6, 'f', -1, 64) + "ms"
}

// badInputError is a problem with the JSON lines -summarize reads: like a
// bad scenario, it exits 2.
type badInputError struct{ msg string }

func (e badInputError) Error() string { return e.msg }

// summarize reads the sweep records in files ("-" is standard input) and
// writes their summary to w: -summarize. Unlike a sweep, whose output is
// its records, the summary is then what was asked for, so it goes to
// standard output (or -o).
func summarize(w io.Writer, stdin io.Reader, stderr io.Writer, sc *scenarios.Scenario, files []string, chart *output) (int, error) {
	var t tally
	for _, name := range files {
		var r io.Reader = stdin
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				return exitUsage, badInputError{"-summarize: " + err.Error()}
			}
			defer f.Close()
			r = f
		} else {
			name = "standard input"
		}
		if err := readRecords(r, name, &t); err != nil {
			return exitUsage, err
		}
	}
	if err := t.writeSummary(w, sc); err != nil {
		return exitFail, err
	}
	if chart != nil {
		if err := t.writeHistogram(chart, stderr); err != nil {
			return exitFail, err
		}
	}
	if t.failed > 0 {
		return exitFail, nil
	}
	return exitPass, nil
}

// readRecords adds every record of r to t.
func readRecords(r io.Reader, name string, t *tally) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Bytes()
		if len(strings.TrimSpace(string(text))) == 0 {
			continue
		}
		rec, err := parseRecord(text)
		if err != nil {
			return badInputError{fmt.Sprintf("%s:%d: not a record of a sweep: %v", name, line, err)}
		}
		t.add(&rec)
	}
	if err := sc.Err(); err != nil {
		return badInputError{fmt.Sprintf("%s: %v", name, err)}
	}
	return nil
}

// parseRecord reads back a line that appendJSON wrote. Keys it does not
// know are ignored, so that records may gain keys; the ones the summary
// needs must be there.
func parseRecord(line []byte) (seedRecord, error) {
	var j struct {
		Seed         *int64  `json:"seed"`
		Verdict      *string `json:"verdict"`
		FailedCheck  *string `json:"failed_check"`
		Stop         *string `json:"stop"`
		Converged    *bool   `json:"converged"`
		ConvergedAt  *int64  `json:"converged_at"`
		AfterLastSet *int64  `json:"after_last_set"`
		Events       *int64  `json:"events"`
		Messages     *int64  `json:"messages"`
		Residue      int     `json:"residue"` // absent from older records: 0
		TraceHash    string  `json:"trace_hash"`
		RerunHash    string  `json:"rerun_hash"`
	}
	if err := json.Unmarshal(line, &j); err != nil {
		return seedRecord{}, err
	}
	for _, k := range []struct {
		name string
		ok   bool
	}{
		{"seed", j.Seed != nil}, {"verdict", j.Verdict != nil}, {"stop", j.Stop != nil},
		{"converged", j.Converged != nil}, {"events", j.Events != nil}, {"messages", j.Messages != nil},
	} {
		if !k.ok {
			return seedRecord{}, fmt.Errorf("no %q", k.name)
		}
	}
	r := seedRecord{Seed: *j.Seed, Stop: *j.Stop, Converged: *j.Converged, Events: *j.Events,
		Messages: *j.Messages, Residue: j.Residue, TraceHash: j.TraceHash, RerunHash: j.RerunHash}
	switch {
	case *j.Verdict == "pass" && j.FailedCheck == nil:
	case *j.Verdict == "fail" && j.FailedCheck != nil && *j.FailedCheck != "":
		r.FailedCheck = *j.FailedCheck
	default:
		return seedRecord{}, fmt.Errorf(`want "verdict":"pass" with "failed_check":null, or "fail" with a check`)
	}
	if r.Converged != (j.ConvergedAt != nil) {
		return seedRecord{}, fmt.Errorf(`want "converged_at" exactly when "converged" is true`)
	}
	if j.ConvergedAt != nil {
		r.ConvergedAt = *j.ConvergedAt
	}
	if j.AfterLastSet != nil {
		r.AfterLastSet, r.HasAfterLastSet = *j.AfterLastSet, true
	}
	return r, nil
}

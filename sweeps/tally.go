package sweeps

// The summary of a sweep, added up a record at a time. A sweep and
// eccounter-sim -summarize, which prints it from saved JSON lines, feed the
// same tally, so the summary of shards' outputs concatenated is the summary
// the whole sweep printed. For that the tally must not depend on the order
// of its records (shards may finish in any order) and, like the sweep, must
// not hold every record.

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"eccounter/model"
	"eccounter/runner"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/viz"
)

// MaxReplays is how many replay commands a summary lists; every failing
// seed is in the JSON lines anyway.
const MaxReplays = 20

// Tally is what a summary is made of, added up a record at a time.
type Tally struct {
	seeds    seedSet
	skipped  uint64 // records of a seed already seen
	failed   uint64
	failedBy map[string]uint64 // first failed check -> seeds
	// Seeds whose verdict is anomaly, by first anomaly check, and the
	// smallest of them, whose replay the summary gives.
	anomalous    uint64
	anomalyBy    map[string]uint64
	firstAnomaly int64
	stops        map[string]uint64 // stop reason -> seeds
	converged    uint64
	hashed       uint64 // records with a trace_hash
	// Seeds that ended with a residue, and the largest residue.
	withResidue uint64
	maxResidue  int

	convergedAt, afterLastSet histogram

	// firstFailures holds the smallest MaxReplays failing seeds, as a
	// max-heap so that the largest of them is the one to drop.
	firstFailures failureHeap

	// Partial, if set, says which seeds an interrupted sweep covered.
	Partial string
	// NoRecords: the sweep wrote no records (-q), so the summary cannot
	// send a reader to them for the failures it does not list.
	NoRecords bool

	// Of -summarize without a scenario: the records' fingerprint (empty
	// if they carry none), and the command that summarizes them with a
	// scenario file, for the replay commands.
	Fingerprint, Again string
}

// Add counts one record. A seed seen before is skipped (and counted as
// such): concatenating a shard's output twice must not count it twice.
func (t *Tally) Add(r *Record) {
	if !t.seeds.add(r.Seed) {
		t.skipped++
		return
	}
	if t.failedBy == nil {
		t.failedBy, t.stops, t.anomalyBy = map[string]uint64{}, map[string]uint64{}, map[string]uint64{}
	}
	if !r.Failed() && r.AnomalyCheck != "" {
		if t.anomalous == 0 || r.Seed < t.firstAnomaly {
			t.firstAnomaly = r.Seed
		}
		t.anomalous++
		t.anomalyBy[r.AnomalyCheck]++
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
	if len(t.firstFailures) > MaxReplays {
		heap.Pop(&t.firstFailures)
	}
}

// WriteSummary writes the summary of the sweep of scenario sc, for a person
// to read: a header, then lines that each start with a label, as the
// summary of a single run does. A nil sc is a scenario -summarize does not
// know: the summary gives the seeds to replay, not commands.
func (t *Tally) WriteSummary(w io.Writer, sc *scenarios.Scenario) error {
	var b strings.Builder
	n := t.seeds.n
	switch {
	case sc != nil:
		fmt.Fprintf(&b, "== sweep: %s ==\n", sc.Name)
	case t.Fingerprint != "":
		fmt.Fprintf(&b, "== sweep: unknown scenario, fingerprint %s ==\n", t.Fingerprint)
	case n > 0:
		b.WriteString("== sweep: unknown scenario: the records carry no fingerprint ==\n")
	default:
		b.WriteString("== sweep: unknown scenario ==\n")
	}
	if t.Partial != "" {
		fmt.Fprintf(&b, "partial:        %s\n", t.Partial)
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
	switch {
	case t.failed == 0 && t.anomalous == 0:
		fmt.Fprintf(&b, "verdict:        all %d passed\n", n)
	case t.failed == 0:
		fmt.Fprintf(&b, "verdict:        %d passed, %d anomaly (explained, so not failures)\n", n-t.anomalous, t.anomalous)
	case t.anomalous == 0:
		fmt.Fprintf(&b, "verdict:        %d of %d FAILED\n", t.failed, n)
	default:
		fmt.Fprintf(&b, "verdict:        %d of %d FAILED, %d anomaly (explained, so not failures)\n", t.failed, n, t.anomalous)
	}
	if t.failed > 0 {
		fmt.Fprintf(&b, "first failed:   %s\n", counts(t.failedBy))
	}
	if t.anomalous > 0 && sc == nil {
		fmt.Fprintf(&b, "first anomaly:  %s; the first: seed %d (name the scenario file for its command)\n", counts(t.anomalyBy), t.firstAnomaly)
	} else if t.anomalous > 0 {
		s := *sc
		s.Seed = t.firstAnomaly
		fmt.Fprintf(&b, "first anomaly:  %s; the first: %s\n", counts(t.anomalyBy), runner.ReplayCommand(&s))
	}
	fmt.Fprintf(&b, "stopped:        %s\n", counts(t.stops))
	fmt.Fprintf(&b, "converged:      %d of %d\n", t.converged, n)
	if sc == nil && t.withResidue > 0 || sc != nil && model.Strategy(sc.Sync.Strategy).Backable() {
		// Rumor mongering and direct mail may leave servers without
		// the largest value.
		fmt.Fprintf(&b, "residue:        %d of %d seeds left servers below the largest value (at most %d)\n", t.withResidue, n, t.maxResidue)
	}
	if t.hashed > 0 {
		fmt.Fprintf(&b, "determinism:    %s run twice, their traces compared\n", model.Count(int(t.hashed), "seed"))
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
		if sc == nil {
			// A command of the wrong scenario would replay another run.
			fmt.Fprintf(&b, "replay:         unknown scenario: for the commands, name its file: %s\n", t.Again)
		} else {
			b.WriteString("replay:\n")
		}
		for _, f := range first {
			if sc == nil {
				fmt.Fprintf(&b, "  seed %d (%s)\n", f.seed, f.check)
				continue
			}
			fmt.Fprintf(&b, "  %s\n", ReplayFailure(sc, f.seed, f.check))
		}
		switch more := t.failed - uint64(len(first)); {
		case more > 0 && t.NoRecords:
			fmt.Fprintf(&b, "  ... and %d more (without -q, every seed has its line in the JSON lines)\n", more)
		case more > 0:
			fmt.Fprintf(&b, "  ... and %d more (every seed has its line in the JSON lines)\n", more)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// histogramBins is how many bars the sweep's histogram has.
const histogramBins = 30

// Interrupted marks the summary partial: the sweep of the n seeds from
// first, n at least 1, stopped after the seeds the tally holds, which are
// the first of the range (a sweep adds its records in seed order).
func (t *Tally) Interrupted(first int64, n uint64) {
	done, last := t.seeds.n, first+int64(n-1)
	t.Partial = fmt.Sprintf("interrupted after seeds %d..%d of %d..%d", first, first+int64(done)-1, first, last)
	if done == 0 {
		t.Partial = fmt.Sprintf("interrupted before any seed of %d..%d", first, last)
	}
}

// Seeds returns how many seeds the tally counted, the smallest and the
// largest of them.
func (t *Tally) Seeds() (n uint64, first, last int64) { return t.seeds.n, t.seeds.min, t.seeds.max }

// SeedBytes estimates the memory the tally's set of seeds holds, which
// grows with scattered seeds: -summarize bounds it.
func (t *Tally) SeedBytes() int64 { return t.seeds.bytes }

// Failed returns how many seeds failed.
func (t *Tally) Failed() uint64 { return t.failed }

// HasHistogram reports whether some seed converged after an accepted set:
// without one, WriteHistogram has nothing to draw.
func (t *Tally) HasHistogram() bool { return t.afterLastSet.n > 0 }

// WriteHistogram writes the histogram of the seeds' convergence times
// after their last accepted set as SVG (-chart with a sweep), with the
// percentiles the summary gives marked. It needs HasHistogram.
func (t *Tally) WriteHistogram(w io.Writer) error {
	h := &t.afterLastSet
	if h.n == 0 {
		return errors.New("no seed converged after an accepted set")
	}
	// The records' times are at least 0 (eccounter-sim -summarize checks
	// those it reads); the last bin ends at the largest int64 if it would
	// end beyond it.
	width := max(h.max, 0)/histogramBins + 1
	bins := make([]viz.Bin, histogramBins)
	for i := range bins {
		from := int64(i) * width
		bins[i] = viz.Bin{From: from, To: from + min(width, math.MaxInt64-from)}
	}
	// Buckets hold values truncated to four digits: each goes in the bin
	// of its lower bound, which is off by less than a part in a thousand.
	for v, n := range h.buckets {
		bins[min(max(v/width, 0), histogramBins-1)].Count += n
	}
	var markers []viz.Marker
	for _, p := range []uint64{50, 90, 99} {
		markers = append(markers, viz.Marker{At: h.percentile(p), Label: fmt.Sprintf("p%d %s", p, fmtMillis(h.percentile(p)))})
	}
	title := fmt.Sprintf("convergence after the last accepted set, %d seeds", h.n)
	return viz.Histogram(w, title, bins, markers)
}

// ReplayFailure is the command that shows why seed failed check first: its
// run, or, if its two runs differed, the same check again.
func ReplayFailure(sc *scenarios.Scenario, seed int64, check string) string {
	s := *sc
	s.Seed = seed
	if check != "determinism" {
		return runner.ReplayCommand(&s)
	}
	cmd := fmt.Sprintf("eccounter-sim -seeds %d..%d -check-determinism", seed, seed)
	if sc.SwarmFlag {
		cmd += " -swarm"
	}
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

// seedSet is the set of seeds seen, in chunks of seedChunk consecutive
// seeds, each held as roaring bitmaps hold theirs: a sorted list of the
// chunk's seeds while it has few (2 bytes a seed), a bitmap once it has
// many (one bit per seed of the chunk, 8 KiB). So a sweep's dense range
// costs an eighth of a byte a seed, 12.5 MB for the largest sweep, and
// scattered seeds (records of seeds 1 and 10^15) cost tens of bytes each,
// not a chunk's bitmap each; memory follows the records, never the range
// they span.
type seedSet struct {
	chunks   map[int64]*seedChunkSet
	n        uint64
	min, max int64
	bytes    int64 // an estimate of the memory the set holds
}

const (
	seedChunk = 1 << 16
	// seedListMax is how many seeds a chunk lists before it turns into
	// a bitmap: then the list would take as much as the bitmap.
	seedListMax = seedChunk / 16
	// chunkOverhead estimates what a chunk costs besides its seeds: its
	// struct and its entry in the map.
	chunkOverhead = 80
)

// seedChunkSet is the seeds of one chunk, as offsets in it: a sorted list,
// or, once it would be longer than seedListMax, a bitmap.
type seedChunkSet struct {
	list []uint16
	bits *[seedChunk / 64]uint64
}

// add adds seed s, and reports whether it was new.
func (s *seedSet) add(seed int64) bool {
	if s.chunks == nil {
		s.chunks = map[int64]*seedChunkSet{}
	}
	// Floor division, so that negative seeds have chunks of their own.
	key, off := seed/seedChunk, seed%seedChunk
	if off < 0 {
		key, off = key-1, off+seedChunk
	}
	c := s.chunks[key]
	if c == nil {
		c = &seedChunkSet{}
		s.chunks[key] = c
		s.bytes += chunkOverhead
	}
	if !s.addTo(c, uint16(off)) {
		return false
	}
	if s.n == 0 || seed < s.min {
		s.min = seed
	}
	if s.n == 0 || seed > s.max {
		s.max = seed
	}
	s.n++
	return true
}

// addTo adds offset off to chunk c, and reports whether it was new.
func (s *seedSet) addTo(c *seedChunkSet, off uint16) bool {
	if c.bits == nil {
		i, found := slices.BinarySearch(c.list, off)
		if found {
			return false
		}
		if len(c.list) < seedListMax {
			old := cap(c.list)
			c.list = slices.Insert(c.list, i, off)
			s.bytes += 2 * int64(cap(c.list)-old)
			return true
		}
		c.bits = new([seedChunk / 64]uint64)
		for _, o := range c.list {
			c.bits[o/64] |= 1 << (o % 64)
		}
		s.bytes += int64(len(c.bits))*8 - 2*int64(cap(c.list))
		c.list = nil
	}
	bit := uint64(1) << (off % 64)
	if c.bits[off/64]&bit != 0 {
		return false
	}
	c.bits[off/64] |= bit
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

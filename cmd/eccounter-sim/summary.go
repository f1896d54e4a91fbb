package main

// The summary of a sweep, and -summarize, which prints it from saved JSON
// lines. Both feed the same tally one record at a time, so the summary of
// shards' outputs concatenated is the summary the whole sweep printed. For
// that the tally must not depend on the order of its records (shards may
// finish in any order) and, like the sweep, must not hold every record.

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

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

	// firstFailures holds the smallest maxReplays failing seeds, as a
	// max-heap so that the largest of them is the one to drop.
	firstFailures failureHeap

	// partial, if set, says which seeds an interrupted sweep covered.
	partial string
	// noRecords: the sweep wrote no records (-q), so the summary cannot
	// send a reader to them for the failures it does not list.
	noRecords bool

	// Of -summarize without a scenario: the records' fingerprint (empty
	// if they carry none), and the command that summarizes them with a
	// scenario file, for the replay commands.
	fingerprint, again string
}

// add counts one record. A seed seen before is skipped (and counted as
// such): concatenating a shard's output twice must not count it twice.
func (t *tally) add(r *seedRecord) {
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
	if len(t.firstFailures) > maxReplays {
		heap.Pop(&t.firstFailures)
	}
}

// writeSummary writes the summary of the sweep of scenario sc, for a person
// to read: a header, then lines that each start with a label, as the
// summary of a single run does. A nil sc is a scenario -summarize does not
// know: the summary gives the seeds to replay, not commands.
func (t *tally) writeSummary(w io.Writer, sc *scenarios.Scenario) error {
	var b strings.Builder
	n := t.seeds.n
	switch {
	case sc != nil:
		fmt.Fprintf(&b, "== sweep: %s ==\n", sc.Name)
	case t.fingerprint != "":
		fmt.Fprintf(&b, "== sweep: unknown scenario, fingerprint %s ==\n", t.fingerprint)
	case n > 0:
		b.WriteString("== sweep: unknown scenario: the records carry no fingerprint ==\n")
	default:
		b.WriteString("== sweep: unknown scenario ==\n")
	}
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
		fmt.Fprintf(&b, "first anomaly:  %s; the first: %s\n", counts(t.anomalyBy), replayCommand(&s))
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
			fmt.Fprintf(&b, "replay:         unknown scenario: for the commands, name its file: %s\n", t.again)
		} else {
			b.WriteString("replay:\n")
		}
		for _, f := range first {
			if sc == nil {
				fmt.Fprintf(&b, "  seed %d (%s)\n", f.seed, f.check)
				continue
			}
			fmt.Fprintf(&b, "  %s\n", replayFailure(sc, f))
		}
		switch more := t.failed - uint64(len(first)); {
		case more > 0 && t.noRecords:
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
	// The records' times are at least 0 (parseRecord sees to that); the
	// last bin ends at the largest int64 if it would end beyond it.
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

// seedSetBudget bounds seedSet.bytes for -summarize: enough for every
// seed of more than a thousand sweeps of the largest range, or for a few
// million seeds scattered. A variable so that a test can lower it.
var seedSetBudget int64 = 256 << 20

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

// badInputError is a problem with the JSON lines -summarize reads: like a
// bad scenario, it exits 2.
type badInputError struct{ msg string }

func (e badInputError) Error() string { return e.msg }

// summarize reads the sweep records in files ("-" is standard input) and
// writes their summary to w: -summarize. Unlike a sweep, whose output is
// its records, the summary is then what was asked for, so it goes to
// standard output (or -o).
//
// sc is the scenario the command line names, or nil if it names none. The
// records must carry its fingerprint, or, without one, all the same; then
// the scenario is the embedded default if the fingerprint is the
// default's, and unknown otherwise. Records that carry no fingerprint,
// written before records had one, are taken on trust, with a warning.
func summarize(w io.Writer, stdin io.Reader, stderr io.Writer, sc *scenarios.Scenario, files []string, chart *output) (int, error) {
	var t tally
	fps := fingerprints{}
	if sc != nil {
		fps.want, fps.wantName = sc.Fingerprint(), sc.Name
	}
	for _, name := range files {
		var r io.Reader = stdin
		if name != "-" {
			f, err := openRecords("-summarize", name)
			if err != nil {
				return exitUsage, err
			}
			defer f.Close()
			r = f
		} else {
			name = "standard input"
		}
		if err := readRecords(r, name, &t, &fps, stderr); err != nil {
			return exitUsage, err
		}
	}
	fps.warn(stderr)
	if sc == nil {
		if def := scenarios.Default(); fps.first != "" && fps.first == def.Fingerprint() {
			sc = def
		} else {
			t.fingerprint, t.again = fps.first, summarizeCommand(files)
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

// summarizeCommand is the command line that summarizes files again, with
// a scenario file to name.
func summarizeCommand(files []string) string {
	cmd := "eccounter-sim"
	for _, f := range files {
		if strings.IndexFunc(f, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
			f = "FILE" // not worth echoing to a terminal
		}
		cmd += " -summarize " + scenarios.ShellQuote(f)
	}
	return cmd + " SCENARIO.toml"
}

// fingerprints holds the records -summarize reads to one scenario.
type fingerprints struct {
	// want is the fingerprint of the scenario file given, of wantName;
	// empty without one.
	want, wantName string
	// first is the first fingerprint read, at firstAt (file:line), which
	// every other must equal.
	first, firstAt string
	// missing counts the records without a fingerprint, the first at
	// missingAt.
	missing   uint64
	missingAt string
}

// check holds fp, the fingerprint of the record at line of file name, to
// the scenario given and to the records before it. The fingerprints were
// checked to be written as a sweep writes them, so they are safe to print.
// Where a record is is written out only when needed: -summarize may read
// a hundred million records.
func (f *fingerprints) check(fp, name string, line int) error {
	at := func() string { return name + ":" + strconv.Itoa(line) }
	switch {
	case fp == "":
		if f.missing == 0 {
			f.missingAt = at()
		}
		f.missing++
	case fp == f.first:
	case f.want != "" && fp != f.want:
		return badInputError{fmt.Sprintf("%s: fingerprint %s, but %s has %s: the records are of another scenario (or of this file before it changed, or of a sweep with -swarm); "+
			"give -summarize the scenario file the sweep ran (and -swarm if it had it), or none for a summary without replay commands",
			at(), fp, f.wantName, f.want)}
	case f.first == "":
		f.first, f.firstAt = fp, at()
	default:
		return badInputError{fmt.Sprintf("%s: fingerprint %s, where %s has %s: records of two scenarios make no one summary; summarize each sweep's records on its own",
			at(), fp, f.firstAt, f.first)}
	}
	return nil
}

// warn writes a line on stderr if some records carry no fingerprint, but
// there was one to hold them to.
func (f *fingerprints) warn(stderr io.Writer) {
	if f.missing == 0 || f.want == "" && f.first == "" {
		return
	}
	against := fmt.Sprintf("the other records' %s", f.first)
	if f.want != "" {
		against = f.wantName
	}
	fmt.Fprintf(stderr, "eccounter-sim: warning: %s without a fingerprint (first at %s), as sweeps wrote them before records had one: not checked against %s\n",
		model.Count(int(f.missing), "record"), f.missingAt, against)
}

// openRecords opens a file of records for flag (-summarize, -judge),
// which must be a regular file. Opening a named pipe blocks until something writes to it,
// which may be never: it is opened without blocking, and refused, as are
// directories and devices. A pipe comes in as standard input instead.
func openRecords(flag, name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, badInputError{flag + ": " + err.Error()}
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		kind := "not a regular file"
		switch {
		case fi.IsDir():
			kind = "a directory"
		case fi.Mode()&os.ModeNamedPipe != 0:
			kind = "a named pipe"
		case fi.Mode()&os.ModeDevice != 0:
			kind = "a device"
		}
		err = fmt.Errorf("%s is %s, not a file of records; to read a pipe, give it as standard input: %s - < %s", name, kind, flag, name)
	}
	if err != nil {
		f.Close()
		return nil, badInputError{flag + ": " + err.Error()}
	}
	return f, nil
}

// maxRecordLine bounds a line of records: a record takes a few hundred
// bytes, so a longer line is no record, and is not read whole.
const maxRecordLine = 64 << 10

// readRecords adds every record of r to t. A last line that has no newline
// and is not JSON is what a sweep killed while writing leaves: it is
// reported on stderr and ignored, where the same line anywhere else is an
// error.
func readRecords(r io.Reader, name string, t *tally, fps *fingerprints, stderr io.Writer) error {
	br := bufio.NewReaderSize(r, maxRecordLine)
	for line := 1; ; line++ {
		text, err := br.ReadSlice('\n')
		switch err {
		case nil, io.EOF:
		case bufio.ErrBufferFull:
			return badInputError{fmt.Sprintf("%s:%d: a line longer than %d KiB: not a record of a sweep", name, line, maxRecordLine>>10)}
		default:
			return badInputError{fmt.Sprintf("%s:%d: %v", name, line, err)}
		}
		last := err == io.EOF
		if text = bytes.TrimSpace(text); len(text) > 0 {
			if last && !json.Valid(text) {
				fmt.Fprintf(stderr, "eccounter-sim: %s:%d: torn last record, ignored\n", name, line)
				return nil
			}
			rec, err := parseRecord(text)
			if err != nil {
				return badInputError{fmt.Sprintf("%s:%d: %v", name, line, err)}
			}
			if err := fps.check(rec.Fingerprint, name, line); err != nil {
				return err
			}
			t.add(&rec)
			if t.seeds.bytes > seedSetBudget {
				return badInputError{fmt.Sprintf("%s:%d: the seeds are too scattered to keep track of in %d MiB (%d seeds so far, from %d to %d): summarize fewer records at a time",
					name, line, seedSetBudget>>20, t.seeds.n, t.seeds.min, t.seeds.max)}
			}
		}
		if last {
			return nil
		}
	}
}

// verdicts are the words a record's "verdict" may be, in the order errors
// list them, and which checks each names.
var verdicts = []verdictWord{{"pass", false, false}, {"anomaly", false, true}, {"fail", true, false}}

type verdictWord struct {
	word   string
	failed bool // the record names its failed check
	// anomalous: the record names its first anomaly (a failed seed may
	// name one too, or not).
	anomalous bool
}

// sweepRecordKeys are the keys of a record, in the order appendJSON writes them;
// docs/sweeps.md's table "The record" describes each.
var sweepRecordKeys = []string{"seed", "verdict", "failed_check", "anomaly_check", "stop", "converged", "converged_at",
	"after_last_set", "events", "messages", "residue", "fingerprint", "trace_hash", "rerun_hash"}

// optionalKeys may be left out: residue, anomaly_check and fingerprint by
// records older than them (as 0, null and unknown), the hashes by sweeps
// without -check-determinism.
var optionalKeys = []string{"anomaly_check", "residue", "fingerprint", "trace_hash", "rerun_hash"}

// failedChecks are the names failed_check may have: a check, or the
// failures that are no check's.
var failedChecks = append(model.CheckNames(), "determinism", "aborted")

// stopReasons are the names stop may have.
var stopReasons = func() []string {
	var names []string
	for r := sim.Done; r <= sim.Aborted; r++ {
		names = append(names, r.String())
	}
	return names
}()

// parseRecord reads back a line that appendJSON wrote, as strictly as a
// scenario is read: every key of the record once (but the optional ones)
// and no other, each of its type and in its range, so that the summary and
// its histogram never meet a negative time or count, nor an unknown
// verdict, check or stop reason.
func parseRecord(line []byte) (seedRecord, error) {
	vals, err := recordValues(line)
	if err != nil {
		return seedRecord{}, fmt.Errorf("not a record of a sweep: %v", err)
	}
	var r seedRecord
	get := func(key string) any { return vals[slices.Index(sweepRecordKeys, key)] }
	v := get("seed")
	n, ok := v.(json.Number)
	seed, err := strconv.ParseInt(string(n), 10, 64)
	if !ok || err != nil {
		return r, fmt.Errorf("seed: %s: want an integer from %d to %d", describeValue(v), math.MinInt64, math.MaxInt64)
	}
	r.Seed = seed
	verdict, ok := get("verdict").(string)
	i := slices.IndexFunc(verdicts, func(v verdictWord) bool { return v.word == verdict })
	if !ok || i < 0 {
		var words []string
		for _, v := range verdicts {
			words = append(words, strconv.Quote(v.word))
		}
		return r, fmt.Errorf("verdict: %s: want %s", describeValue(get("verdict")), orList(words))
	}
	switch check, ok := get("failed_check").(string); {
	case !verdicts[i].failed && get("failed_check") != nil:
		return r, fmt.Errorf("failed_check: %s: want null with \"verdict\":%q", describeValue(get("failed_check")), verdict)
	case !verdicts[i].failed:
	case !ok && get("failed_check") == nil:
		return r, fmt.Errorf("failed_check: null: want a check with \"verdict\":%q", verdict)
	case !ok || !slices.Contains(failedChecks, check):
		return r, fmt.Errorf("failed_check: %s: want %s", describeValue(get("failed_check")), orList(failedChecks))
	default:
		r.FailedCheck = check
	}
	switch check, ok := get("anomaly_check").(string); {
	case get("anomaly_check") == nil && verdicts[i].anomalous:
		return r, fmt.Errorf("anomaly_check: null: want a check with \"verdict\":%q", verdict)
	case get("anomaly_check") == nil:
	case verdict == "pass":
		return r, fmt.Errorf("anomaly_check: %s: want null with \"verdict\":%q", describeValue(get("anomaly_check")), verdict)
	case !ok || !slices.Contains(model.CheckNames(), check):
		return r, fmt.Errorf("anomaly_check: %s: want %s", describeValue(get("anomaly_check")), orList(model.CheckNames()))
	default:
		r.AnomalyCheck = check
	}
	stop, ok := get("stop").(string)
	if !ok || !slices.Contains(stopReasons, stop) {
		return r, fmt.Errorf("stop: %s: want %s", describeValue(get("stop")), orList(stopReasons))
	}
	r.Stop = stop
	if r.Converged, ok = get("converged").(bool); !ok {
		return r, fmt.Errorf("converged: %s: want true or false", describeValue(get("converged")))
	}
	const times = "virtual nanoseconds, at least 0"
	switch at := get("converged_at"); {
	case !r.Converged && at != nil:
		return r, fmt.Errorf("converged_at: %s: want null when \"converged\" is false", describeValue(at))
	case r.Converged && at == nil:
		return r, fmt.Errorf("converged_at: null: want a time when \"converged\" is true")
	case r.Converged:
		if r.ConvergedAt, err = natural("converged_at", at, times); err != nil {
			return r, err
		}
	}
	switch after := get("after_last_set"); {
	case after == nil:
	case !r.Converged:
		return r, fmt.Errorf("after_last_set: %s: want null when \"converged\" is false", describeValue(after))
	default:
		if r.AfterLastSet, err = natural("after_last_set", after, times); err != nil {
			return r, err
		}
		// It is converged_at minus the time of a set, at least 0.
		if r.AfterLastSet > r.ConvergedAt {
			return r, fmt.Errorf("after_last_set: %d is more than converged_at, %d", r.AfterLastSet, r.ConvergedAt)
		}
		r.HasAfterLastSet = true
	}
	const counts = "a count, at least 0"
	if r.Events, err = natural("events", get("events"), counts); err != nil {
		return r, err
	}
	if r.Messages, err = natural("messages", get("messages"), counts); err != nil {
		return r, err
	}
	if v := get("residue"); v != nil {
		residue, err := natural("residue", v, counts)
		if err != nil {
			return r, err
		}
		if residue > scenarios.MaxServers {
			return r, fmt.Errorf("residue: %d is more than a scenario has servers, at most %d", residue, scenarios.MaxServers)
		}
		r.Residue = int(residue)
	}
	if v := get("fingerprint"); v != nil {
		fp, ok := v.(string)
		if !ok || !scenarios.IsFingerprint(fp) {
			return r, fmt.Errorf("fingerprint: %s: want %q and 16 hexadecimal digits (in lower case), as a sweep writes it", describeValue(v), scenarios.FingerprintPrefix)
		}
		r.Fingerprint = fp
	}
	for _, key := range []string{"trace_hash", "rerun_hash"} {
		v := get(key)
		if v == nil {
			continue
		}
		h, ok := v.(string)
		if !ok || len(h) != sha256.Size*2 || strings.Trim(h, "0123456789abcdef") != "" {
			return r, fmt.Errorf("%s: %s: want 64 hexadecimal digits (a SHA-256, in lower case)", key, describeValue(v))
		}
		if key == "trace_hash" {
			r.TraceHash = h
		} else {
			r.RerunHash = h
		}
	}
	// A rerun hash is the mark of a determinism failure, and only that.
	switch {
	case r.RerunHash != "" && r.FailedCheck != "determinism":
		return r, fmt.Errorf(`rerun_hash: only with "failed_check":"determinism"`)
	case r.FailedCheck == "determinism" && (r.TraceHash == "" || r.RerunHash == ""):
		return r, fmt.Errorf(`failed_check: "determinism" needs "trace_hash" and "rerun_hash"`)
	}
	return r, nil
}

// recordValues decodes line, a JSON object, into the values of
// sweepRecordKeys, in order: a json.Number, string, bool, nil (null or
// left out), or json.Delim for an array or an object. It refuses keys not
// in sweepRecordKeys, keys given twice, and required keys left out.
//
// json.Valid checks the syntax first, so that what follows may read the
// flat object directly, several times faster than json's decoders, which
// matters to -summarize of a hundred million records; invalid JSON goes
// through json.Unmarshal for the error that says what is wrong.
func recordValues(line []byte) ([]any, error) {
	if !json.Valid(line) {
		var v any
		if err := json.Unmarshal(line, &v); err != nil {
			return nil, err
		}
		return nil, errors.New("not JSON")
	}
	p := jsonReader{b: line}
	if p.skipSpace() != '{' {
		return nil, errors.New("want a JSON object")
	}
	p.i++
	vals := make([]any, len(sweepRecordKeys))
	seen := make([]bool, len(sweepRecordKeys))
	for p.skipSpace() != '}' {
		if p.b[p.i] == ',' {
			p.i++
			p.skipSpace()
		}
		raw, escaped := p.rawStr()
		i := slices.IndexFunc(sweepRecordKeys, func(k string) bool { return string(raw) == k })
		var key string
		if i < 0 || escaped {
			// Keys are plain words: only an unknown one, or one
			// written with escapes, is worth decoding.
			var err error
			p.i -= len(raw) + 2
			if key, err = p.str(); err != nil {
				return nil, err
			}
			i = slices.Index(sweepRecordKeys, key)
		} else {
			key = sweepRecordKeys[i]
		}
		switch {
		case i < 0:
			return nil, fmt.Errorf("unknown key %s", quoteShort(key))
		case seen[i]:
			return nil, fmt.Errorf("%q given twice", key)
		}
		seen[i] = true
		p.skipSpace() // then the colon
		p.i++
		p.skipSpace()
		var err error
		if vals[i], err = p.value(); err != nil {
			return nil, err
		}
		if _, ok := vals[i].(json.Delim); ok {
			return vals, nil // the value's check says what is wrong with it
		}
	}
	for i, key := range sweepRecordKeys {
		if !seen[i] && !slices.Contains(optionalKeys, key) {
			return nil, fmt.Errorf("no %q", key)
		}
	}
	return vals, nil
}

// jsonReader reads the tokens of valid JSON, from b[i].
type jsonReader struct {
	b []byte
	i int
}

// skipSpace skips white space and returns the next byte (valid JSON
// always has one where it is called).
func (p *jsonReader) skipSpace() byte {
	for p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r' {
		p.i++
	}
	return p.b[p.i]
}

// rawStr reads a string, at its opening quote, and returns what is
// between the quotes as it is, and whether it has escapes.
func (p *jsonReader) rawStr() (raw []byte, escaped bool) {
	start := p.i + 1
	for p.i++; p.b[p.i] != '"'; p.i++ {
		if p.b[p.i] == '\\' {
			escaped = true
			p.i++
		}
	}
	p.i++
	return p.b[start : p.i-1], escaped
}

// str reads a string, at its opening quote.
func (p *jsonReader) str() (string, error) {
	raw, escaped := p.rawStr()
	if !escaped {
		return string(raw), nil
	}
	var s string
	err := json.Unmarshal(p.b[p.i-len(raw)-2:p.i], &s)
	return s, err
}

// value reads a value: a string, number, true, false or null, or the
// opening delimiter of an array or an object, which it does not read on.
func (p *jsonReader) value() (any, error) {
	switch c := p.b[p.i]; c {
	case '"':
		return p.str()
	case 't':
		p.i += len("true")
		return true, nil
	case 'f':
		p.i += len("false")
		return false, nil
	case 'n':
		p.i += len("null")
		return nil, nil
	case '[', '{':
		return json.Delim(c), nil
	}
	start := p.i
	for p.i < len(p.b) && strings.IndexByte("+-.eE0123456789", p.b[p.i]) >= 0 {
		p.i++
	}
	return json.Number(p.b[start:p.i]), nil
}

// natural returns v, a value of key, as an int64 at least 0: a time or a
// count, which want describes.
func natural(key string, v any, want string) (int64, error) {
	n, ok := v.(json.Number)
	i, err := strconv.ParseInt(string(n), 10, 64)
	switch {
	case !ok || err != nil:
		return 0, fmt.Errorf("%s: %s: want %s", key, describeValue(v), want)
	case i < 0:
		return 0, fmt.Errorf("%s: %d is negative: want %s", key, i, want)
	}
	return i, nil
}

// describeValue renders a decoded JSON value for an error: short, quoted if a
// string, and free of control characters, whatever the input held.
func describeValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return quoteShort(v)
	case json.Number: // digits, a point, an exponent: valid JSON
		if len(v) > 40 {
			return string(v[:40]) + "..."
		}
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "an object"
	}
	return "a value"
}

// quoteShort quotes s as Go does, escaping control characters and
// anything not ASCII, cut to its first 40 bytes.
func quoteShort(s string) string {
	if len(s) > 40 {
		return strconv.QuoteToASCII(strings.ToValidUTF8(s[:40], "")) + "..."
	}
	return strconv.QuoteToASCII(s)
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

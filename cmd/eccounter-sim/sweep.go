package main

// Seed sweeps: -seeds A..B runs one scenario under every seed of a range,
// in parallel, and prints one JSON line per seed, in seed order.
//
// Each simulation is single-threaded and deterministic, so a sweep is
// embarrassingly parallel: workers take seeds in order and the writer puts
// their records back in order. The only care needed is memory: a worker may
// run at most sweepWindow seeds ahead of the writer, so a sweep of ten
// million seeds holds a few thousand records at a time, not ten million.

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sweeps"
)

// maxSweepSeeds bounds -seeds: at a few thousand seeds a second per core,
// a sweep this long already takes hours. A longer range is more likely a
// typo than a plan; run several ranges instead.
const maxSweepSeeds = 100_000_000

// sweepWindow is how far, in seeds, the workers may run ahead of the
// writer. It bounds the records held in memory whatever the sweep's
// length; it only has to be large enough that a seed slower than the rest
// does not leave the workers idle for long.
const sweepWindow = 4096

// seedRange is the seeds first, first+1, ..., first+n-1. n may be 0: an
// empty shard.
type seedRange struct {
	first int64
	n     uint64
}

// seed returns the k-th seed of the range, from 0. It never overflows,
// since first+k is at most the B of -seeds A..B.
func (r seedRange) seed(k uint64) int64 { return r.first + int64(k) }

// parseSeeds parses the A..B of -seeds.
func parseSeeds(s string) (seedRange, error) {
	as, bs, ok := strings.Cut(s, "..")
	a, aerr := strconv.ParseInt(as, 10, 64)
	b, berr := strconv.ParseInt(bs, 10, 64)
	if !ok || aerr != nil || berr != nil {
		return seedRange{}, errors.New("want A..B, two integers such as 1..1000")
	}
	if a > b {
		return seedRange{}, fmt.Errorf("the range is empty: %d is larger than %d", a, b)
	}
	// B-A in uint64 is exact for any A <= B, where int64 could overflow.
	if span := uint64(b) - uint64(a); span >= maxSweepSeeds {
		return seedRange{}, fmt.Errorf("too many seeds: at most %d in one sweep; run several ranges", maxSweepSeeds)
	}
	return seedRange{a, uint64(b) - uint64(a) + 1}, nil
}

// shard is -shard i/N: the i-th of N parts, from 1.
type shard struct{ i, n uint64 }

// parseShard parses the i/N of -shard.
func parseShard(s string) (shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, ierr := strconv.ParseUint(is, 10, 64)
	n, nerr := strconv.ParseUint(ns, 10, 64)
	if !ok || ierr != nil || nerr != nil {
		return shard{}, errors.New("want i/N, two whole numbers such as 2/4")
	}
	if n < 1 || i < 1 || i > n {
		return shard{}, fmt.Errorf("want 1 <= i <= N, got i=%d, N=%d", i, n)
	}
	return shard{i, n}, nil
}

// of returns the seeds of r that belong to shard s: the s.i-th of s.n
// contiguous blocks whose sizes differ by at most one. Contiguous rather
// than interleaved so that the shards' outputs, concatenated in shard
// order, are byte for byte the output of the whole sweep, and so that each
// shard's summary covers a range without gaps.
func (s shard) of(r seedRange) seedRange {
	lo, hi := s.bound(r.n, s.i-1), s.bound(r.n, s.i)
	return seedRange{r.seed(lo), hi - lo}
}

// bound returns floor(n*j/N) without overflow: the 128-bit product n*j
// divided by N fits in 64 bits because j <= N.
func (s shard) bound(n, j uint64) uint64 {
	hi, lo := bits.Mul64(n, j)
	q, _ := bits.Div64(hi, lo, s.n)
	return q
}

// sweepOptions is what a sweep needs of the command line.
type sweepOptions struct {
	seeds    seedRange // this shard's seeds
	jobs     int
	checkDet bool
	records  bool      // write the JSON lines (not with -q)
	progress io.Writer // where to draw a progress line, or nil
	window   int       // sweepWindow, unless a test wants a smaller one
	// stop, once closed, ends the sweep early: no more seeds are started,
	// and the records of those under way are written, so that the records
	// are always those of the first seeds of the range. Nil: never.
	stop <-chan struct{}
}

// runSweep runs the sweep the command line asks for, writes its records to
// w (which buffers out) and its summary to stderr, and returns the exit
// code. Stopped by a signal, it writes the records of the seeds finished,
// its summary marked partial with the seeds it covers, and no -chart, and
// returns the signal's exit code.
func runSweep(w *bufio.Writer, out, stderr io.Writer, sc *scenarios.Scenario, o options) (int, error) {
	so := sweepOptions{
		seeds:    o.shard.of(o.seeds),
		jobs:     o.jobs,
		checkDet: o.checkDet,
		records:  !o.quiet,
		window:   sweepWindow,
		stop:     o.intr.stopped(),
	}
	// A progress line is for a person watching a terminal; in a pipe, a
	// file or a test it would only be noise. Not when the records go to
	// the same terminal either: they would tear it.
	if isTerminal(stderr) && !(so.records && isTerminal(out)) {
		so.progress = stderr
	}
	t := sweeps.Tally{NoRecords: o.quiet}
	if err := sweep(w, sc, so, &t); err != nil {
		return exitFail, err
	}
	// Records first, then the summary, so that on a terminal the summary
	// comes last.
	if err := w.Flush(); err != nil {
		return exitFail, err
	}
	// A signal that came after the last seed was handed out interrupted
	// nothing: the sweep is whole.
	done, _, _ := t.Seeds()
	if code, all := o.intr.code(), so.seeds; code != 0 && done < all.n {
		t.Interrupted(all.first, all.n)
		t.WriteSummary(stderr, sc)
		if o.chart != "" {
			// A picture has no room to say it is partial; -summarize
			// -chart draws it from the records.
			fmt.Fprintf(stderr, "eccounter-sim: -chart: %s not written: the sweep was interrupted\n", o.chart)
		}
		return code, nil
	}
	t.WriteSummary(stderr, sc)
	if o.chart != "" {
		if err := writeHistogram(&t, o.outs.get("chart"), stderr); err != nil {
			return exitFail, err
		}
	}
	if t.Failed() > 0 {
		return exitFail, nil
	}
	return exitPass, nil
}

// isTerminal reports whether w is a terminal: a character device other
// than /dev/null (which is one too). It needs no dependency: that is all a
// progress line needs to know.
func isTerminal(w io.Writer) bool {
	if s, ok := w.(*syncWriter); ok {
		w = s.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// sweep runs every seed of o.seeds with o.jobs workers, writing each
// record to w in seed order (if o.records) and adding it to t.
func sweep(w io.Writer, sc *scenarios.Scenario, o sweepOptions, t *sweeps.Tally) error {
	n := o.seeds.n
	if n == 0 {
		return nil
	}
	window := uint64(o.window)
	workers := min(uint64(max(o.jobs, 1)), n, window)

	// tokens holds one token per seed that may be started: a worker's
	// seed takes one, and the writer gives it back once the record is
	// written. So at most window records are ever held.
	tokens := make(chan struct{}, window)
	for range window {
		tokens <- struct{}{}
	}
	type result struct {
		k   uint64 // index in o.seeds
		rec sweeps.Record
	}
	next := make(chan uint64)
	results := make(chan result, workers)
	stop := make(chan struct{}) // closed when writing fails
	go func() {
		defer close(next)
		for k := range n {
			select {
			case <-tokens:
			case <-stop:
				return
			case <-o.stop:
				return
			}
			select {
			case next <- k:
			case <-stop:
				return
			case <-o.stop:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	wg.Add(int(workers))
	for range workers {
		go func() {
			defer wg.Done()
			run := newSeedRunner(sc, o.checkDet)
			for k := range next {
				results <- result{k, run(o.seeds.seed(k))}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var p *progress
	if o.progress != nil {
		p = startProgress(o.progress, n)
		defer p.stop()
	}
	// The reorder buffer: record k waits in slot k%window until every
	// record before it is written. The tokens guarantee that the records
	// in flight span fewer than window seeds, so slots never collide.
	var (
		ring    = make([]sweeps.Record, window)
		ready   = make([]bool, window)
		written uint64
		line    []byte
		err     error
	)
	for res := range results {
		if err != nil {
			continue // drain, so that the workers can exit
		}
		slot := res.k % window
		if ready[slot] {
			panic("eccounter-sim: sweep ran more than its window ahead of the writer")
		}
		ring[slot], ready[slot] = res.rec, true
		for slot = written % window; ready[slot]; slot = written % window {
			rec := &ring[slot]
			t.Add(rec)
			if o.records {
				line = rec.AppendJSON(line[:0])
				if _, err = w.Write(line); err != nil {
					close(stop)
					break
				}
			}
			if p != nil {
				p.done.Add(1)
				if rec.Failed() {
					p.failed.Add(1)
				}
			}
			ready[slot] = false
			written++
			tokens <- struct{}{}
		}
	}
	return err
}

// newSeedRunner returns the function a worker runs each seed with. Without
// -check-determinism it runs the cluster bare, with no trace, as fast as a
// seed can run. With it, each seed runs twice through simulate with the
// JSON Lines trace into a SHA-256, so that the hash is that of exactly what
// eccounter-sim -seed N -trace jsonl prints: anyone can check it with
// sha256sum.
func newSeedRunner(sc *scenarios.Scenario, checkDet bool) func(seed int64) sweeps.Record {
	if !checkDet {
		run := sweeps.Runner(sc, 0)
		return func(seed int64) sweeps.Record {
			rec, _ := run(seed) // uncapped, it never fails
			return rec
		}
	}
	s := *sc // this worker's copy, whose seed it changes
	fp := sc.Fingerprint()
	h := sha256.New()
	bw := bufio.NewWriterSize(h, 64<<10)
	trace := func() (string, model.Report, error) {
		h.Reset()
		bw.Reset(h)
		r, err := simulate(bw, &s, options{trace: "jsonl"})
		bw.Flush() // a hash never fails to write
		return hex.EncodeToString(h.Sum(nil)), r, err
	}
	return func(seed int64) sweeps.Record {
		s.Seed = seed
		first, r, err := trace()
		second, _, _ := trace()
		rec := sweeps.NewRecord(seed, &r, err)
		rec.Fingerprint, rec.TraceHash = fp, first
		if second != first {
			rec.FailedCheck, rec.RerunHash = "determinism", second
		}
		return rec
	}
}

// progress draws, at most ten times a second, a line such as
//
//	sweep: 12345 of 100000 seeds (12%), 3 failed, 4821 seeds/s, 18s left
//
// on a terminal, and clears it when the sweep ends. Other long modes draw
// their own line with it (startLine).
type progress struct {
	w            io.Writer
	line         func(secs float64) string // the line, secs after the start
	total        uint64
	done, failed atomic.Uint64
	quit, exited chan struct{}
}

func startProgress(w io.Writer, total uint64) *progress {
	p := &progress{total: total}
	p.line = p.sweepLine
	return p.start(w)
}

// startLine draws line on w until stop, as a sweep draws its own.
func startLine(w io.Writer, line func(secs float64) string) *progress {
	return (&progress{line: line}).start(w)
}

func (p *progress) start(w io.Writer) *progress {
	p.w, p.quit, p.exited = w, make(chan struct{}), make(chan struct{})
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.exited)
	start := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.quit:
			fmt.Fprint(p.w, "\r\x1b[K") // erase the line
			return
		case <-tick.C:
		}
		fmt.Fprintf(p.w, "\r%s\x1b[K", p.line(time.Since(start).Seconds()))
	}
}

// sweepLine is a sweep's line, elapsed seconds after its start.
func (p *progress) sweepLine(elapsed float64) string {
	done, failed := p.done.Load(), p.failed.Load()
	rate := float64(done) / elapsed
	line := fmt.Sprintf("sweep: %d of %d seeds (%d%%), %d failed, %.0f seeds/s",
		done, p.total, done*100/p.total, failed, rate)
	if rate > 0 {
		left := time.Duration(float64(p.total-done) / rate * float64(time.Second))
		line += fmt.Sprintf(", %v left", left.Round(time.Second))
	}
	return line
}

// stop erases the line and waits until it is gone, so that nothing is
// drawn over what comes next on the terminal.
func (p *progress) stop() {
	close(p.quit)
	<-p.exited
}

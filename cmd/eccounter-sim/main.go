// Command eccounter-sim runs one deterministic simulation of the ec-counter
// protocol and prints it as a readable execution schedule (or JSON Lines),
// followed by a summary and the verdict of every check. With -seeds it runs
// a sweep instead: the scenario under every seed of a range, in parallel,
// one JSON line per seed (sweep.go), then a summary (summary.go).
//
// Usage:
//
//	eccounter-sim [flags] [scenario.toml]
//	eccounter-sim -schedule FILE [flags] [scenario.toml]
//	eccounter-sim -seeds A..B [-jobs N] [-shard i/N] [flags] [scenario.toml]
//	eccounter-sim -summarize FILE [scenario.toml]
//	eccounter-sim -judge FILE
//	eccounter-sim -epidemic -seeds A..B [-chart FILE] scenario.toml...
//
// Run with -h for the flags and examples.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"eccounter/model"
	"eccounter/runner"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/viz"
)

// Exit codes.
const (
	exitPass  = 0 // every check passed
	exitFail  = 1 // a check failed, or the run could not finish
	exitUsage = 2 // bad flags, scenario or input, or output that could not be written

	// A run stopped by a signal exits as the shell reports a process
	// killed by it: 128 plus the signal's number.
	exitSIGINT  = 130
	exitSIGTERM = 143
)

const usage = `eccounter-sim: a deterministic simulation of the ec-counter protocol.

Usage:
  eccounter-sim [flags] [scenario.toml]
  eccounter-sim -schedule FILE [flags] [scenario.toml]
  eccounter-sim -seeds A..B [-jobs N] [-shard i/N] [flags] [scenario.toml]
  eccounter-sim -summarize FILE [scenario.toml]
  eccounter-sim -judge FILE
  eccounter-sim -epidemic -seeds A..B [-chart FILE] scenario.toml...
  eccounter-sim -explore [-sync-on-change] [-o cx.txt] scenario.toml

Servers each hold a counter; clients get it or set it (a set is taken only
if larger); servers sync their values every interval until all agree. With
no file, the embedded default scenario runs (3 servers, 5 clients of 100
requests). The same scenario and seed print the same output, byte for byte.

Output: the resolved scenario (every value, so the run can be replayed), the
schedule (one line per event), then a summary with the verdict of each check.

A sweep (-seeds) runs every seed from A to B, in parallel, and prints one
JSON line per seed, in seed order; its summary, with the command that
replays each failing seed, goes to standard error. -summarize prints that
summary again from saved JSON lines, such as the outputs of several shards.

-explore tries every schedule of a small scenario instead of one, and prints
its verdict: proved (within the bounds it prints), counterexample (its steps;
-o FILE writes them as a schedule that -schedule FILE replays), or
incomplete. On a terminal, a progress line on standard error shows how far
the search is.

Exit status: 0 no check failed (an anomaly, a break that a crash without
durable storage or the strategy explains, is not a failure), 1 a check
failed (in a sweep: for some seed; with -explore: a counterexample), 2 bad
flags, scenario or JSON lines, or output that could not be written, 3 an
-explore search stopped by a limit before it saw every state (incomplete),
130 or 143 stopped by SIGINT or SIGTERM. -explore exits 0 only when it
proved the scenario within its bounds. Output files are written whole or not
at all: an error or a signal leaves them as they were, but a stopped sweep
writes the records of the seeds it finished.

Flags:
`

const examples = `
Examples:
  eccounter-sim                                   the default scenario
  eccounter-sim -seed 42                          ... with seed 42
  eccounter-sim -q scenarios/large.toml           summary only
  eccounter-sim -trace jsonl -o run.jsonl -seed 7 JSON Lines to a file
  eccounter-sim -seed 1 scenarios/crash.toml      a scenario, with a seed
  eccounter-sim -diagram d.svg -chart c.svg -seed 42  pictures of the run
  eccounter-sim -seeds 1..1000 -o s.jsonl scenarios/lossy.toml  a sweep of 1,000 seeds
  eccounter-sim -seeds 1..1000 -shard 2/4 scenarios/lossy.toml  its second quarter
  eccounter-sim -summarize s.jsonl scenarios/lossy.toml  the sweep's summary again
  eccounter-sim -judge run.jsonl                  the checks again, on a saved trace
  eccounter-sim -epidemic -seeds 1..100 scenarios/rumor.toml  one update's spread
  eccounter-sim -explore -sync-on-change scenarios/explore.toml  every schedule
  eccounter-sim -explore -o cx.txt scenarios/explore/eager.toml  a counterexample
  eccounter-sim -schedule cx.txt scenarios/explore/eager.toml    ... replayed
`

// versionLine says which build this is, from what the Go toolchain
// stamped into it: the module's version ("(devel)" for a build from a
// clone), and the VCS revision, its time, and whether the tree had changes
// (go build and go install stamp them in a clone; go run and go test do
// not).
func versionLine(info *debug.BuildInfo) string {
	if info == nil {
		return "eccounter-sim: no build information"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	line := "eccounter-sim " + v
	var rev, at, modified string
	for _, st := range info.Settings {
		switch st.Key {
		case "vcs.revision":
			rev = st.Value
		case "vcs.time":
			at = st.Value
		case "vcs.modified":
			modified = st.Value
		}
	}
	if rev == "" {
		return line + ", VCS revision unknown (not stamped: go run and go test do not, nor a build with -buildvcs=false)"
	}
	line += ", revision " + rev
	if at != "" {
		line += " of " + at
	}
	if modified == "true" {
		line += ", with uncommitted changes"
	}
	return line
}

// stdin is what -summarize - reads; tests replace it.
var stdin io.Reader = os.Stdin

func main() {
	// Caught from the start, so that no signal finds output half written;
	// what one does is interrupt's to say.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	os.Exit(runSignals(os.Args[1:], os.Stdout, os.Stderr, sigs))
}

// options are the parsed command line.
type options struct {
	seed    int64
	seedSet bool
	trace   string
	out     string
	quiet   bool
	file    string   // the scenario file; given only if files is not empty
	files   []string // every scenario file given (several with -epidemic)

	// A sweep (-seeds) and its flags; see sweep.go.
	seeds     seedRange
	seedsSet  bool
	jobs      int
	shard     shard
	checkDet  bool
	summarize []string // -summarize files, in order
	judge     string   // -judge: the trace to judge

	epidemic bool   // measure the spread of one update over -seeds
	swarm    bool   // draw the faults from the seed
	shrink   string // write the shrunk failing scenario here

	// -schedule: the file of the schedule to replay, and the schedule.
	schedule string
	sched    *model.Schedule

	// Pictures of one run (package viz).
	diagram string   // write the space-time diagram here
	chart   string   // write the value chart here
	report  string   // write the HTML report here
	nodes   []string // -nodes: the diagram's lanes
	window  [2]sim.Time

	ex exploreFlags // -explore and its flags; see explore.go

	set map[string]bool // the flags given, by name

	outs *outputs   // the output files, made before the run starts
	intr *interrupt // the signals' effect on a sweep; nil without signals
}

func parseFlags(args []string, stdout, stderr io.Writer) (options, int, bool) {
	o := options{jobs: runtime.NumCPU(), shard: shard{1, 1}}
	fs := flag.NewFlagSet("eccounter-sim", flag.ContinueOnError)
	// Errors are the tool's to print (see below), not the flag package's.
	fs.SetOutput(io.Discard)
	fs.Func("seed", "run with seed `N` instead of the scenario's (any integer)", func(s string) error {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return errors.New("want an integer")
		}
		o.seed, o.seedSet = v, true
		return nil
	})
	fs.StringVar(&o.trace, "trace", "text", "schedule `format`: text, jsonl, shiviz (a log for ShiViz: events with\nvector clocks, and nothing else) or none; with -explore: text or jsonl,\none JSON object")
	fs.StringVar(&o.out, "o", "", "write the output to `FILE` instead of standard output (with -seeds:\nthe JSON lines; the summary stays on standard error; with -explore: a\ncounterexample's schedule, the verdict staying on standard output)")
	version := fs.Bool("version", false, "print the module's version and the VCS revision it was built from, and\nexit")
	fs.BoolVar(&o.quiet, "q", false, "print the summary only, without the story of the run (with -trace\njsonl: the summary record only; with -seeds: no JSON lines;\nwith -explore: the verdict alone)")
	fs.Func("seeds", "sweep: run every seed in `A..B` (inclusive, A <= B): one JSON line per\nseed, in seed order, then a summary on standard error", func(s string) error {
		r, err := parseSeeds(s)
		o.seeds, o.seedsSet = r, err == nil
		return err
	})
	// -jobs is a Func rather than an Int so that -h shows no default: the
	// number of CPUs differs between machines, and docs/cli.md copies -h.
	fs.Func("jobs", "with -seeds: run `N` seeds at once; with -explore: expand states on N\ngoroutines, with the same result whatever N (default: the number of CPUs)", func(s string) error {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			return errors.New("want a whole number of workers, at least 1")
		}
		o.jobs = v
		return nil
	})
	fs.Func("shard", "with -seeds: run only part `i/N`, the i-th of N equal blocks of seeds", func(s string) (err error) {
		o.shard, err = parseShard(s)
		return err
	})
	fs.BoolVar(&o.checkDet, "check-determinism", false, "with -seeds: run each seed twice, hash both JSON Lines traces, and\nfail the seed if they differ")
	fs.Func("summarize", "print, on standard output, the summary of the sweep JSON lines in\n`FILE` (- for standard input; repeat the flag for several files)", func(s string) error {
		o.summarize = append(o.summarize, s)
		return nil
	})
	fs.StringVar(&o.judge, "judge", "", "judge the saved trace in `FILE` (-trace jsonl; - for standard input): run\nthe checks on its records, print their summary, and say where it differs\nfrom the trace's own summary (exit 1 if a check fails or they differ)")
	fs.BoolVar(&o.epidemic, "epidemic", false, "with -seeds: measure how one update spreads under each scenario's [sync]\nstrategy (no clients, synchronous rounds of sync_interval), as Demers et al.\ndo: residue, traffic, t_ave and t_last, mean ± sd, one markdown table row per\nscenario file (several may be given); with -chart FILE, the mean spread per\nround of each, as SVG")
	fs.BoolVar(&o.swarm, "swarm", false, "draw the kinds of fault, their rates and times from the seed, as\nswarm = true does (the scenario must set no faults of its own)")
	fs.StringVar(&o.shrink, "shrink", "", "shrink a failing run: write to `FILE` the smallest scenario (fewer\nfaults, clients, requests, servers; same seed) that still fails the same\ncheck")
	fs.StringVar(&o.schedule, "schedule", "", "replay the schedule in `FILE` (- for standard input), one step a line, such\nas an explorer writes: each step fires the event it names, with the choices\nit lists, then the run goes on in the simulator's order (see\ndocs/replay.md)")
	fs.StringVar(&o.diagram, "diagram", "", "also write a space-time diagram of the run to `FILE` (SVG): a lane per\nnode, an arrow per message, crashes, drops, partitions and value changes")
	fs.StringVar(&o.report, "report", "", "also write the run as one self-contained HTML page to `FILE`: the\nscenario, the verdicts, the diagram and chart, the schedule as a filterable\ntable, and a time scrubber that shows every node's state at any instant")
	fs.StringVar(&o.chart, "chart", "", "also write a chart of each server's value over time to `FILE` (SVG),\nwith the last accepted set and the convergence marked; with -seeds or\n-summarize: a histogram of the seeds' convergence times; with -epidemic:\nthe mean spread per round")
	fs.Func("nodes", "with -diagram: draw only the nodes in `LIST`, comma-separated names\nsuch as server-1,client-1 (without it: the first 40 nodes)", func(s string) error {
		o.nodes = nil
		for _, name := range strings.Split(s, ",") {
			if name = strings.TrimSpace(name); name == "" {
				return errors.New("want comma-separated node names, such as server-1,client-1")
			}
			o.nodes = append(o.nodes, name)
		}
		return nil
	})
	fs.Func("window", "with -diagram: draw only virtual times `A..B`, such as 100ms..300ms", func(s string) (err error) {
		o.window, err = parseWindow(s)
		return err
	})
	addExploreFlags(fs, &o.ex)
	// flag prints the problem with a bad flag itself; the full help is
	// printed only when asked for, to standard output, since then it is
	// the output.
	fs.Usage = func() {}
	// Go's flag package stops at the first argument that is not a flag;
	// parse again after each one, so that flags may follow the file too.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fmt.Fprint(stdout, usage)
				fs.PrintDefaults()
				fmt.Fprint(stdout, examples)
				return o, exitPass, false
			}
			// The flag package's words, with the tool's prefix, and for a
			// flag it does not know, the one that may have been meant.
			msg := err.Error()
			if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
				msg = "unknown flag -" + name
				var names []string
				fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
				if near, ok := scenarios.Closest(strings.TrimLeft(name, "-"), names); ok {
					msg += "; did you mean -" + near + "?"
				}
			}
			fmt.Fprintf(stderr, "eccounter-sim: %s\n", msg)
			fmt.Fprintln(stderr, "run eccounter-sim -h for help")
			return o, exitUsage, false
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if *version {
		info, _ := debug.ReadBuildInfo()
		fmt.Fprintln(stdout, versionLine(info))
		return o, exitPass, false
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	switch o.trace {
	case "text", "jsonl", "shiviz", "none":
	default:
		fmt.Fprintf(stderr, "eccounter-sim: -trace %q: want text, jsonl, shiviz or none\n", o.trace)
		return o, exitUsage, false
	}
	switch {
	case len(files) == 0:
	case len(files) == 1 || o.epidemic:
		o.file, o.files = files[0], files
	default:
		fmt.Fprintf(stderr, "eccounter-sim: one scenario file at most (several only with -epidemic), got %d: %s\n", len(files), strings.Join(files, " "))
		return o, exitUsage, false
	}
	if msg := o.conflict(); msg != "" {
		fmt.Fprintf(stderr, "eccounter-sim: %s\n", msg)
		return o, exitUsage, false
	}
	return o, 0, true
}

// conflict names a flag given in a mode it has no meaning in, rather than
// ignore it: a sweep that silently dropped -trace would look like a bug.
func (o *options) conflict() string {
	if msg := o.exploreConflict(); msg != "" {
		return msg
	}
	if o.set["schedule"] {
		for _, name := range []string{"seeds", "shrink", "epidemic", "summarize", "judge", "jobs", "shard", "check-determinism"} {
			if o.set[name] {
				return "-" + name + " does not apply to -schedule, which replays one run: the schedule's"
			}
		}
	}
	switch {
	case o.set["seeds"] && o.set["summarize"]:
		return "-seeds and -summarize do not go together: a sweep prints its summary itself"
	case (o.set["nodes"] || o.set["window"]) && !o.set["diagram"] && !o.set["report"]:
		if o.set["nodes"] {
			return "-nodes applies to the diagram only: add -diagram FILE or -report FILE"
		}
		return "-window applies to the diagram only: add -diagram FILE or -report FILE"
	case o.set["shrink"] && o.set["chart"]:
		return "-chart draws one run, or the convergence times of a sweep: not -shrink"
	case (o.set["seeds"] || o.set["summarize"] || o.set["shrink"]) && (o.set["diagram"] || o.set["report"]):
		name := "diagram"
		if o.set["report"] {
			name = "report"
		}
		return "-" + name + " draws one run: replay a seed with -seed N -" + name + " FILE instead of -seeds, -summarize or -shrink"
	case o.set["epidemic"] && !o.set["seeds"]:
		return "-epidemic measures over seeds: add -seeds A..B"
	case o.set["epidemic"] && (o.set["trace"] || o.set["q"] || o.set["shard"] || o.set["check-determinism"] || o.set["swarm"] || o.set["seed"]):
		return "-epidemic prints a table and draws a -chart; -trace, -q, -shard, -check-determinism, -swarm and -seed do not apply"
	case o.set["seeds"] && o.set["shrink"]:
		return "-shrink works on one run: replay the failing seed with -seed N -shrink FILE"
	case o.set["shrink"]:
		for _, name := range []string{"trace", "q", "o"} {
			if o.set[name] {
				return "-" + name + " does not apply to -shrink, which writes a scenario to its FILE and a report to standard output"
			}
		}
	case o.set["seeds"]:
		if o.set["seed"] {
			return "-seed and -seeds do not go together: -seeds sets the seed of each run (for one seed: -seeds N..N)"
		}
		if o.set["trace"] {
			return "-trace does not apply to -seeds: a sweep prints one JSON line per seed; replay a seed with -seed N to see its schedule"
		}
	case o.set["judge"]:
		if len(o.files) > 0 {
			return "-judge reads the scenario from the trace: give no scenario file"
		}
		for _, name := range []string{"seed", "seeds", "summarize", "epidemic", "trace", "q", "jobs", "shard", "check-determinism", "swarm", "shrink", "diagram", "report", "chart"} {
			if o.set[name] {
				return "-" + name + " does not apply to -judge, which reads a trace already written"
			}
		}
	case o.set["summarize"]:
		for _, name := range []string{"seed", "trace", "q", "jobs", "shard", "check-determinism", "shrink"} {
			if o.set[name] {
				return "-" + name + " does not apply to -summarize, which reads the records of a sweep already run"
			}
		}
	default:
		for _, name := range []string{"jobs", "shard", "check-determinism"} {
			if o.set[name] && !(name == "jobs" && o.ex.on) {
				return "-" + name + " applies to sweeps only: add -seeds A..B (for one seed: -seeds N..N)"
			}
		}
	}
	return ""
}

// run runs the command line, with no signals to heed.
func run(args []string, stdout, stderr io.Writer) int {
	return runSignals(args, stdout, stderr, nil)
}

// runSignals runs the command line and returns its exit code; a signal
// from sigs interrupts it (see interrupt).
func runSignals(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	if sigs != nil {
		// The goroutine that watches for signals writes to it too.
		stderr = &syncWriter{w: stderr}
	}
	o, code, ok := parseFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	sc := scenarios.Default()
	scs := []*scenarios.Scenario{sc}
	// An empty argument is a file name too, a bad one: not a way to ask
	// for the default scenario.
	if len(o.files) > 0 {
		scs = nil
		for _, f := range o.files {
			more, err := scenarios.Load(f)
			if err != nil {
				fmt.Fprintf(stderr, "eccounter-sim: %v\n", err)
				return exitUsage
			}
			scs = append(scs, more)
		}
		sc = scs[0]
	}
	if o.seedSet {
		sc.Seed = o.seed
	}
	if o.swarm {
		if err := sc.SetSwarm(); err != nil {
			fmt.Fprintf(stderr, "eccounter-sim: -swarm: %v\n", err)
			return exitUsage
		}
	}
	if o.schedule != "" {
		s, err := loadSchedule(o.schedule, sc)
		if err != nil {
			fmt.Fprintf(stderr, "eccounter-sim: %v\n", err)
			return exitUsage
		}
		o.sched = &s
	}
	outs, err := openOutputs(&o)
	if err != nil {
		fmt.Fprintf(stderr, "eccounter-sim: %v\n", err)
		return exitUsage
	}
	o.outs = outs
	if sigs != nil {
		done := make(chan struct{})
		defer close(done)
		o.intr = watch(sigs, outs, o.seedsSet && !o.epidemic, stderr, done)
	}

	var out io.Writer = stdout
	name := "standard output"
	if f := outs.get("o"); f != nil && !o.ex.on {
		out, name = f.f, "-o: "+f.path
	}
	w := bufio.NewWriterSize(namedWriter{out, name}, 64<<10)
	switch {
	case o.ex.on:
		code, err = runExplore(w, stderr, sc, o, outs.get("o"))
	case o.epidemic:
		code, err = runEpidemic(w, scs, o)
	case o.seedsSet:
		code, err = runSweep(w, out, stderr, sc, o)
	case o.judge != "":
		code, err = runJudge(w, stdin, o.judge)
	case len(o.summarize) > 0:
		// Without a scenario file, the records' fingerprint says which
		// scenario they are of, if it can.
		given := sc
		if len(o.files) == 0 && !o.swarm {
			given = nil
		}
		code, err = summarize(w, stdin, stderr, given, o.summarize, outs.get("chart"))
	case o.shrink != "":
		code, err = runShrink(w, sc, outs.get("shrink"))
	default:
		var report model.Report
		report, err = simulate(w, sc, o)
		code = verdict(report)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	var bad badInputError
	var unwritten outputError
	if err != nil && (errors.As(err, &bad) || errors.As(err, &unwritten)) {
		// What was written is not what was asked for: leave every
		// destination as it was.
		outs.discard()
		fmt.Fprintf(stderr, "eccounter-sim: %v\n", err)
		return exitUsage
	}
	// Any other error is the run's own (a simulation aborted, a failed
	// epidemic): its outputs are whole, as far as the run went.
	if f := outs.get("o"); f != nil {
		f.done = true
	}
	if cerr := outs.commit(); cerr != nil {
		if err != nil {
			fmt.Fprintf(stderr, "eccounter-sim: %v\n", err)
		}
		fmt.Fprintf(stderr, "eccounter-sim: %v\n", cerr)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "eccounter-sim: %v\n", err)
		return exitFail
	}
	return code
}

// namedWriter names the destination in its write errors, which are
// outputErrors: "-o: out.txt: no space left on device", not the name of a
// temporary file.
type namedWriter struct {
	w    io.Writer
	name string
}

func (n namedWriter) Write(p []byte) (int, error) {
	k, err := n.w.Write(p)
	if err != nil {
		err = outputError{fmt.Errorf("%s: %w", n.name, unwrapPath(err))}
	}
	return k, err
}

// syncWriter serializes the writes of several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// interrupt is what SIGINT and SIGTERM do to a run. A sweep stops at the
// first: it hands out no more seeds, writes the records of those under way
// and prints its summary marked partial (runSweep). Any other run, and a
// sweep at a second signal, has nothing true to write halfway: it removes
// its temporary output files, leaving every destination as it was, and
// exits at once, 130 for SIGINT and 143 for SIGTERM.
type interrupt struct {
	stop chan struct{} // closed at the first signal
	sig  os.Signal     // that signal; read only once stop is closed
}

// stopped is closed at the first signal; it is nil, and never closed,
// without signals.
func (in *interrupt) stopped() <-chan struct{} {
	if in == nil {
		return nil
	}
	return in.stop
}

// code is the exit code of the signal received, or 0 if none was.
func (in *interrupt) code() int {
	if in == nil {
		return 0
	}
	select {
	case <-in.stop:
		return signalCode(in.sig)
	default:
		return 0
	}
}

func signalCode(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitSIGTERM
	}
	return exitSIGINT
}

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// watch acts on the signals from sigs until done is closed. With gentle
// (a sweep) the first only closes the returned interrupt's stop channel.
func watch(sigs <-chan os.Signal, outs *outputs, gentle bool, stderr io.Writer, done <-chan struct{}) *interrupt {
	in := &interrupt{stop: make(chan struct{})}
	go func() {
		for first := true; ; first = false {
			var sig os.Signal
			select {
			case sig = <-sigs:
			case <-done:
				return
			}
			if first && gentle {
				in.sig = sig
				close(in.stop)
				fmt.Fprintf(stderr, "eccounter-sim: %s: finishing the seeds under way (again to stop at once)\n", signalName(sig))
				continue
			}
			outs.discard()
			msg := ""
			if len(outs.files) > 0 {
				msg = "; output files left as they were"
			}
			fmt.Fprintf(stderr, "eccounter-sim: stopped by %s%s\n", signalName(sig), msg)
			os.Exit(signalCode(sig))
		}
	}()
	return in
}

// verdict is the exit code a run's report calls for.
func verdict(r model.Report) int {
	if !r.Passed() {
		return exitFail
	}
	return exitPass
}

// simulate runs the scenario, writing header, schedule and summary to w,
// and returns the report, whose verdict makes the exit code. A sweep with
// -check-determinism calls it too, so that the trace it hashes is exactly
// what -trace jsonl prints. The run itself is package runner's, which the
// browser playground calls too.
func simulate(w *bufio.Writer, sc *scenarios.Scenario, o options) (model.Report, error) {
	r, err := runner.Start(w, sc, runner.Options{
		Trace: o.trace, Quiet: o.quiet, Schedule: o.sched, ScheduleName: o.schedule,
		Chart: o.chart != "", Diagram: o.diagram != "", Report: o.report != "", DiagramOptions: diagramOptions(o),
	})
	if err != nil {
		return model.Report{}, inputError(err)
	}
	if err := r.Execute(); err != nil {
		return r.Report, inputError(err)
	}
	if r.Recorder != nil {
		if err := writePictures(r.Recorder, r.Report, o); err != nil {
			return r.Report, err
		}
	}
	if r.Collector != nil {
		if err := writeFile(o.outs.get("report"), r.WriteReport); err != nil {
			return r.Report, err
		}
	}
	r.WriteSummary(w)
	return r.Report, nil
}

// inputError makes runner's bad input the command line's, which exits 2
// and leaves every output file as it was.
func inputError(err error) error {
	var bad *runner.InputError
	if errors.As(err, &bad) {
		return badInputError{bad.Msg}
	}
	return err
}

// replayCommand is the command line that reproduces the run.
func replayCommand(sc *scenarios.Scenario) string { return runner.ReplayCommand(sc) }

// parseWindow parses -window A..B: two virtual times, A before B.
func parseWindow(s string) ([2]sim.Time, error) {
	a, b, ok := strings.Cut(s, "..")
	if !ok {
		return [2]sim.Time{}, errors.New("want A..B, two virtual times such as 100ms..300ms")
	}
	from, err := time.ParseDuration(a)
	if err != nil || from < 0 {
		return [2]sim.Time{}, fmt.Errorf("start %q: want a virtual time such as 100ms, at least 0", a)
	}
	to, err := time.ParseDuration(b)
	if err != nil {
		return [2]sim.Time{}, fmt.Errorf("end %q: want a virtual time such as 300ms", b)
	}
	if from >= to {
		return [2]sim.Time{}, fmt.Errorf("start %v is not before end %v", from, to)
	}
	return [2]sim.Time{sim.Time(from), sim.Time(to)}, nil
}

// diagramOptions are what -nodes and -window ask of the diagram.
func diagramOptions(o options) viz.DiagramOptions {
	return viz.DiagramOptions{Nodes: o.nodes, From: o.window[0], To: o.window[1]}
}

// writePictures writes the -diagram and -chart files of a run.
func writePictures(rec *viz.Recorder, r model.Report, o options) error {
	err := writeFile(o.outs.get("diagram"), func(w io.Writer) error {
		return viz.Diagram(w, rec, r, diagramOptions(o))
	})
	if err != nil {
		return err
	}
	return writeFile(o.outs.get("chart"), func(w io.Writer) error { return viz.Chart(w, rec, r) })
}

package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"eccounter/explore"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/viz"
)

// exitIncomplete is -explore's exit status when a limit stopped the search
// before it saw every state: neither proved nor refuted.
const exitIncomplete = 3

// exploreFlags are the flags of -explore.
type exploreFlags struct {
	on    bool
	opt   explore.Options
	graph string
}

func addExploreFlags(fs *flag.FlagSet, e *exploreFlags) {
	fs.BoolVar(&e.on, "explore", false, "explore every schedule of the scenario (a small one) instead of one:\nevery order of the messages and timers, every outcome of every random\nchoice; print the verdict (proved, counterexample or incomplete) and the\nbounds it holds under; with -o FILE, write a counterexample's schedule")
	fs.Func("max-per-link", "with -explore: at most `K` messages a sync round may leave in flight on\none link, of its server's pushes and questions, or of the answers to them\non the link back (default 1)", func(s string) error {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > 8 {
			return errors.New("want a whole number of messages from 1 to 8")
		}
		e.opt.MaxPerLink = v
		return nil
	})
	fs.BoolVar(&e.opt.SyncOnChange, "sync-on-change", false, "with -explore: a server syncs only after its value changed, not\nperiodically (a much smaller space)")
	fs.BoolVar(&e.opt.SameInstant, "same-instant", false, "with -explore: also try messages arriving at the instant of the step\nbefore (the coincidences that same-instant and sync-race need)")
	fs.Func("max-losses", "with -explore and loss > 0: at most `N` messages lost per schedule\n(default 1)", func(s string) error {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 || v > 16 {
			return errors.New("want a whole number from 0 to 16")
		}
		e.opt.MaxLosses = v
		return nil
	})
	fs.Func("max-dups", "with -explore and duplicate > 0: at most `N` messages duplicated per\nschedule (default 1)", func(s string) error {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 || v > 16 {
			return errors.New("want a whole number from 0 to 16")
		}
		e.opt.MaxDuplicates = v
		return nil
	})
	fs.Func("max-states", "with -explore: stop, incomplete, after `N` distinct states (default\n20000000)", func(s string) error {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 1 {
			return errors.New("want a whole number of states, at least 1")
		}
		e.opt.MaxStates = v
		return nil
	})
	fs.StringVar(&e.graph, "graph", "", "with -explore: draw the whole state graph to `FILE` (SVG), the initial\nstates, end states and the counterexample's path marked: for a tiny\nconfiguration, of at most 400 states")
	fs.BoolVar(&e.opt.NoSymmetry, "no-symmetry", false, "with -explore -sync-on-change: store every renaming of a state, not one\nrepresentative of interchangeable clients and servers")
	fs.Func("max-memory", "with -explore: stop, incomplete, once the search holds `MiB` of memory\n(default 8192)", func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 1<<30 {
			return errors.New("want a whole number of MiB, at least 1")
		}
		e.opt.MaxMemory = n << 20
		return nil
	})
	fs.BoolVar(&e.opt.Exact, "exact", false, "with -explore: store whole states instead of 64-bit fingerprints (no\ncollision possible, more memory)")
}

// exploreConflict names a flag that has no meaning with -explore, or an
// -explore flag given without it.
func (o *options) exploreConflict() string {
	if !o.ex.on {
		for _, name := range []string{"max-per-link", "sync-on-change", "same-instant", "max-losses", "max-dups", "max-states", "exact", "graph", "no-symmetry", "max-memory"} {
			if o.set[name] {
				return "-" + name + " applies to -explore only"
			}
		}
		return ""
	}
	for _, name := range []string{"seed", "seeds", "schedule", "summarize", "judge", "epidemic", "swarm", "shrink", "diagram", "report", "chart", "nodes", "window", "shard", "check-determinism"} {
		if o.set[name] {
			return "-" + name + " does not apply to -explore, which tries every schedule (replay a counterexample with -schedule FILE to draw it)"
		}
	}
	if o.set["trace"] && o.trace != "text" && o.trace != "jsonl" {
		return "-explore writes text or -trace jsonl (one JSON object)"
	}
	return ""
}

// runExplore explores sc and reports the verdict to w; a counterexample's
// schedule goes to sched, if given. On a terminal, stderr shows how far
// the search is.
func runExplore(w *bufio.Writer, stderr io.Writer, sc *scenarios.Scenario, o options, sched *output) (int, error) {
	cfg := sc.Config()
	opt := o.ex.opt
	if cfg.Faults.Loss > 0 && !o.set["max-losses"] {
		opt.MaxLosses = 1
	}
	if cfg.Faults.Duplicate > 0 && !o.set["max-dups"] {
		opt.MaxDuplicates = 1
	}
	if o.ex.graph != "" {
		opt.Graph = viz.MaxGraphStates
	}
	if o.set["jobs"] {
		opt.Workers = o.jobs
	}
	// A progress line is for a person watching a terminal: in a pipe, a
	// file or a test it would only be noise. The verdict is written after
	// the line is erased, so the two never tear each other.
	var p *progress
	if isTerminal(stderr) {
		p = exploreProgress(stderr, &opt)
	}
	start := time.Now()
	r, err := explore.Explore(cfg, opt)
	if p != nil {
		p.stop()
	}
	if err != nil {
		return exitUsage, badInputError{sc.Name + ": -explore: " + strings.TrimPrefix(err.Error(), "explore: ")}
	}
	secs := time.Since(start).Seconds()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	what := explore.Describe(cfg, r, opt)
	code := exitPass
	switch r.Verdict {
	case explore.Counterexample:
		code = exitFail
	case explore.Incomplete:
		code = exitIncomplete
	}
	if o.ex.graph != "" {
		g := o.outs.get("graph")
		if r.Graph == nil {
			return exitUsage, badInputError{fmt.Sprintf("-graph: %s has more than %d states, and a picture shows at most %d: draw a smaller configuration (fewer clients, requests or values, or -sync-on-change)", sc.Name, viz.MaxGraphStates, viz.MaxGraphStates)}
		}
		r.Graph.Title = "every schedule of " + explore.Configuration(cfg) + ", " + explore.Bounds(cfg, opt)
		if err := writeFile(g, func(w io.Writer) error { return viz.WriteStateGraph(w, *r.Graph) }); err != nil {
			return exitUsage, err
		}
	}
	if sched != nil && r.Verdict == explore.Counterexample {
		if err := explore.WriteSchedule(sched.f, cfg.Servers, r); err != nil {
			return code, outputError{fmt.Errorf("-o: %s: %w", sched.path, err)}
		}
	}
	if o.trace == "jsonl" {
		b := []byte(`{"verdict":`)
		b = sim.AppendJSONString(b, string(r.Verdict))
		b = append(b, `,"check":`...)
		if r.Check == "" {
			b = append(b, "null"...)
		} else {
			b = sim.AppendJSONString(b, r.Check)
		}
		b = append(b, `,"what":`...)
		b = sim.AppendJSONString(b, firstNonEmpty(r.What, r.Why))
		b = append(b, `,"states":`...)
		b = strconv.AppendInt(b, r.States, 10)
		b = append(b, `,"transitions":`...)
		b = strconv.AppendInt(b, r.Transitions, 10)
		b = append(b, `,"depth":`...)
		b = strconv.AppendInt(b, int64(r.Depth), 10)
		b = append(b, `,"steps":`...)
		b = strconv.AppendInt(b, int64(len(r.Path)+len(r.Cycle)), 10)
		b = append(b, `,"seconds":`...)
		b = strconv.AppendFloat(b, secs, 'f', 3, 64)
		b = append(b, `,"bounds":`...)
		b = sim.AppendJSONString(b, explore.Bounds(cfg, opt))
		b = append(b, `,"reductions":`...)
		b = sim.AppendJSONString(b, r.Reductions)
		b = append(b, `,"collision_probability":`...)
		b = strconv.AppendFloat(b, r.Collision, 'g', 3, 64)
		w.Write(append(b, "}\n"...))
		return code, nil
	}
	fmt.Fprintf(w, "%s: %s\n", r.Verdict, what)
	if o.quiet {
		return code, nil
	}
	speed := fmt.Sprintf("%.0f states/s (%.2f s), peak memory %d MB", float64(r.States)/max(secs, 1e-9), secs, ms.Sys>>20)
	if err := explore.WriteText(w, sc.Name, cfg, r, opt, speed); err != nil {
		return exitFail, err
	}
	if r.Verdict == explore.Counterexample {
		if sched != nil {
			fmt.Fprintf(w, "replay:      eccounter-sim -schedule %s %s\n", scenarios.ShellQuote(sched.path), scenarios.ShellQuote(sc.Name))
		} else {
			fmt.Fprintf(w, "replay:      add -o cx.txt, then eccounter-sim -schedule cx.txt %s\n", scenarios.ShellQuote(sc.Name))
		}
	}
	return code, nil
}

// exploreProgress draws, while opt's search runs, a line such as
//
//	exploring: 1,234,567 states, 5,678,901 transitions, depth 12, 250,000 states/s
//
// on w. The search reports between batches, from its own goroutine; the
// line is drawn from another, at its own pace, hence the atomics.
func exploreProgress(w io.Writer, opt *explore.Options) *progress {
	var states, transitions, depth atomic.Int64
	opt.Progress = func(s, t int64, d int) {
		states.Store(s)
		transitions.Store(t)
		depth.Store(int64(d))
	}
	return startLine(w, func(secs float64) string {
		s := states.Load()
		return fmt.Sprintf("exploring: %s states, %s transitions, depth %d, %s states/s",
			grouped(s), grouped(transitions.Load()), depth.Load(), grouped(int64(float64(s)/max(secs, 1e-9))))
	})
}

// grouped writes a count with its thousands apart: 1,234,567.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

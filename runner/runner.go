// Package runner runs one scenario as eccounter-sim does without -seeds,
// and writes what it prints: the resolved scenario (the header), the
// schedule, then the summary with the verdict of every check. The command
// line and the browser playground both call it, so that the same scenario
// and seed print the same bytes in both.
//
// A run has three steps, so that a caller can draw its pictures between
// the run and the summary, as the command line does:
//
//	r, err := runner.Start(w, sc, runner.Options{Report: true})
//	err = r.Execute()
//	err = r.WriteReport(html) // optional: the -report page, to another writer
//	r.WriteSummary(w)
package runner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"eccounter/model"
	"eccounter/report"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/viz"
)

// Options are what a run writes and keeps besides its text.
type Options struct {
	// Trace is the schedule's format: "text" (also when empty), "jsonl",
	// "shiviz" or "none" (the header and the summary only).
	Trace string
	// Quiet writes the summary only, in brief.
	Quiet bool
	// Schedule, if not nil, is replayed instead of the simulator's
	// order; ScheduleName is its file ("-" for standard input).
	Schedule     *model.Schedule
	ScheduleName string
	// Chart, Diagram and Report keep what those pictures need (a
	// viz.Recorder; for Report a report.Collector too). DiagramOptions
	// are the diagram's lanes and window.
	Chart, Diagram, Report bool
	DiagramOptions         viz.DiagramOptions
	// MaxEvents, if above 0, stops a run after that many events even if
	// the scenario's max_events allows more; Execute then returns a
	// *LimitError. The header still shows the scenario's own value: the
	// run is the scenario's, cut short by its caller.
	MaxEvents int64
}

// LimitError is a run cut short by Options.MaxEvents.
type LimitError struct{ Events int64 }

func (e *LimitError) Error() string {
	return fmt.Sprintf("the run went on past %d events, the most this caller runs", e.Events)
}

// InputError is a run asked for that cannot be made, such as lanes that
// name no node or a ShiViz log too large: the caller's input is at fault,
// not the simulator.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

// tracer is what every trace writer is: an observer that remembers its
// first write error.
type tracer interface {
	sim.Observer[model.Msg, model.Note]
	Err() error
}

// Run is one run of a scenario, started.
type Run struct {
	Scenario *scenarios.Scenario
	Cluster  *model.Cluster
	// Replay is the command line that reproduces the run.
	Replay string
	// Recorder and Collector are nil unless the options asked for them.
	Recorder  *viz.Recorder
	Collector *report.Collector
	// Report is the run's report, once Execute has returned.
	Report model.Report

	o      Options
	tr     tracer
	capped bool // Options.MaxEvents is below the scenario's max_events
}

// Start makes the cluster of sc, observes it as o asks and writes the
// header to w (unless o.Quiet, or the trace is ShiViz's, which has none).
func Start(w *bufio.Writer, sc *scenarios.Scenario, o Options) (*Run, error) {
	if o.Trace == "" {
		o.Trace = "text"
	}
	cfg := sc.Config()
	capped := cfg.CapEvents(o.MaxEvents)
	c := model.NewCluster(cfg)
	r := &Run{Scenario: sc, Cluster: c, Replay: ReplayCommand(sc), o: o, capped: capped}
	if o.Schedule != nil {
		r.Replay = ScheduleCommand(sc, o.ScheduleName)
	}
	if o.Report {
		r.Collector = report.NewCollector(c)
	}
	if o.Diagram || o.Chart || o.Report {
		r.Recorder = viz.NewRecorder(c)
		if !o.Diagram && !o.Report {
			r.Recorder.NoMessages()
		} else if err := r.Recorder.Keep(o.DiagramOptions); err != nil {
			return nil, &InputError{"-nodes: " + strings.TrimPrefix(err.Error(), "viz: ")}
		}
	}
	if o.Quiet {
		r.observe()
		return r, nil
	}
	switch o.Trace {
	case "text":
		WriteHeader(w, sc, r.Replay)
		fmt.Fprintf(w, "\n== schedule ==\n")
		r.tr = model.NewTextWriter(w, c)
	case "jsonl":
		// The header shows the scenario as it runs: a swarm's faults as
		// the keys they were drawn as, so that the header itself replays
		// the run.
		b := []byte(`{"t":0,"event":"scenario","node":"","source":`)
		b = sim.AppendJSONString(b, sc.Name)
		b = append(b, `,"replay":`...)
		b = sim.AppendJSONString(b, r.Replay)
		b = append(b, `,"swarm":`...)
		b = strconv.AppendBool(b, sc.Swarm)
		b = append(b, `,"fingerprint":"`...)
		b = append(b, sc.Fingerprint()...)
		b = append(b, `","scenario":`...)
		b = sc.Resolved().AppendJSON(b)
		w.Write(append(b, "}\n"...))
		r.tr = sim.NewJSONLWriter(w, c.Engine())
	case "shiviz":
		if n := sc.Servers + sc.Clients; n > model.MaxShiVizNodes {
			return nil, &InputError{fmt.Sprintf("-trace shiviz: %d nodes; ShiViz export takes at most %d", n, model.MaxShiVizNodes)}
		}
		r.tr = model.NewShiVizWriter(w, c)
	case "none":
		WriteHeader(w, sc, r.Replay)
	default:
		return nil, &InputError{fmt.Sprintf("-trace %q: want text, jsonl, shiviz or none", o.Trace)}
	}
	r.observe()
	return r, nil
}

// observe has the run's observers observe its cluster: the trace writer
// first, so that the report's collector can take the schedule's lines
// from it rather than format each twice.
func (r *Run) observe() {
	e := r.Cluster.Engine()
	if r.tr != nil {
		e.Observe(r.tr)
	}
	if r.Collector != nil {
		if tw, ok := r.tr.(*model.TextWriter); ok {
			r.Collector.Share(tw)
		}
		e.Observe(r.Collector)
	}
	if r.Recorder != nil {
		e.Observe(r.Recorder)
	}
}

// Execute runs the cluster, or replays the schedule on it, and keeps the
// report. A schedule that does not fit the scenario is an *InputError, as
// a scenario that does not parse is; so is a ShiViz log grown too large.
// A run cut short by Options.MaxEvents is a *LimitError.
func (r *Run) Execute() error {
	var err error
	if r.o.Schedule == nil {
		r.Report, err = r.Cluster.Run()
	} else {
		r.Report, err = r.Cluster.Replay(*r.o.Schedule)
		var unfit *model.ScheduleError
		if errors.As(err, &unfit) {
			return &InputError{"-schedule: " + unfit.Error()}
		}
	}
	if err != nil {
		return fmt.Errorf("simulation aborted: %w", err)
	}
	if r.capped && r.Report.Reason == sim.MaxEventsReached {
		return &LimitError{r.o.MaxEvents}
	}
	if r.tr != nil && r.tr.Err() != nil {
		var big *model.ShiVizTooLargeError
		if errors.As(r.tr.Err(), &big) {
			return &InputError{"-trace shiviz: " + big.Error()}
		}
		return r.tr.Err()
	}
	return nil
}

// WriteSummary writes the summary that ends a run's output: the report's
// record with -trace jsonl, nothing with shiviz, else the text summary.
func (r *Run) WriteSummary(w *bufio.Writer) {
	switch r.o.Trace {
	case "jsonl":
		w.Write(r.Report.AppendJSON(nil))
	case "shiviz":
		// Nothing but the log: ShiViz would take a summary for events.
	default:
		if !r.o.Quiet {
			fmt.Fprintf(w, "\n")
		}
		fmt.Fprintf(w, "== summary ==\n")
		if r.o.Quiet {
			// One screen, run after run: the story is for a run read
			// whole.
			r.Report.WriteBrief(w, r.Cluster)
		} else {
			r.Report.WriteText(w, r.Cluster)
		}
		if r.o.Schedule != nil {
			name := scenarios.ShellQuote(r.o.ScheduleName)
			if r.o.ScheduleName == "-" {
				name = "standard input"
			}
			fmt.Fprintf(w, "schedule:     %s (%d steps, then the simulator's order)\n", name, len(r.o.Schedule.Steps))
		}
		if !r.Report.Passed() {
			fmt.Fprintf(w, "replay:       %s\n", r.Replay)
		}
	}
}

// WriteReport writes the HTML report of the run (Options.Report), with
// its diagram and chart, as -report does.
func (r *Run) WriteReport(w io.Writer) error {
	if r.Collector == nil {
		return errors.New("runner: the run was started without Options.Report")
	}
	diagram, done, err := viz.DiagramBytes(r.Recorder, r.Report, r.o.DiagramOptions)
	if err != nil {
		return err
	}
	defer done()
	var chart bytes.Buffer
	if err := viz.Chart(&chart, r.Recorder, r.Report); err != nil {
		return err
	}
	sc := r.Scenario
	page := report.Page{Name: sc.Name, Replay: r.Replay, Scenario: string(sc.Resolved().TOML()),
		Diagram: diagram, Chart: chart.Bytes()}
	return report.Write(w, r.Collector, r.Recorder, &r.Report, page)
}

// WriteHeader writes the resolved scenario that starts a run's output.
func WriteHeader(w *bufio.Writer, sc *scenarios.Scenario, replay string) {
	fmt.Fprintf(w, "== scenario: %s ==\n# replay: %s\n", sc.Name, replay)
	if sc.Swarm {
		fmt.Fprintf(w, "# swarm: seed %d drew the faults below; this header replays them as they are\n", sc.Seed)
	}
	w.Write(sc.Resolved().TOML())
}

// ReplayCommand is the command line that reproduces the run, ready to
// paste into a shell whatever the scenario file is called.
func ReplayCommand(sc *scenarios.Scenario) string {
	cmd := "eccounter-sim -seed " + strconv.FormatInt(sc.Seed, 10)
	if sc.SwarmFlag {
		cmd += " -swarm"
	}
	if sc.Name != scenarios.DefaultName {
		cmd += " " + scenarios.ShellQuote(sc.Name)
	}
	return cmd
}

// ScheduleCommand is the command line that replays the schedule at path
// on the scenario.
func ScheduleCommand(sc *scenarios.Scenario, path string) string {
	cmd := "eccounter-sim -seed " + strconv.FormatInt(sc.Seed, 10) + " -schedule "
	if path == "-" {
		cmd += "-"
	} else {
		cmd += scenarios.ShellQuote(path)
	}
	if sc.Name != scenarios.DefaultName {
		cmd += " " + scenarios.ShellQuote(sc.Name)
	}
	return cmd
}

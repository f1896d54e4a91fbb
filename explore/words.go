package explore

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"eccounter/model"
	"eccounter/sim"
)

// Describe says in a sentence what a result means: what a proof covers,
// what a counterexample breaks, what stopped an incomplete search.
func Describe(cfg model.Config, r Result, opt Options) string {
	switch r.Verdict {
	case Proved:
		return "no violation in every schedule of " + Configuration(cfg) + ", " + Bounds(cfg, opt)
	case Counterexample:
		return r.Check + ": " + r.What
	}
	return r.Why + "; not proved: " + fmt.Sprint(r.States) + " states explored without a violation"
}

// Configuration names what is explored: "3 servers (broadcast), 3 clients
// x 2 requests, values below 3".
func Configuration(cfg model.Config) string {
	st := cfg.Strategy
	if st == "" {
		st = model.StrategyBroadcast
	}
	s := fmt.Sprintf("%d server%s (%s", cfg.Servers, plural(cfg.Servers), st)
	if v := cfg.Variant; v != "" && v != model.VariantCorrect {
		s += ", variant " + v
	}
	s += fmt.Sprintf("), %d client%s x %d request%s", cfg.Clients, plural(cfg.Clients), cfg.Requests, plural(cfg.Requests))
	if cfg.SetRatio > 0 {
		s += fmt.Sprintf(", values below %d", cfg.MaxValue)
	}
	if cfg.Inject > 0 {
		s += fmt.Sprintf(", server-1 holding %d", cfg.Inject)
	}
	return s
}

// Bounds says under which bounds a verdict holds.
func Bounds(cfg model.Config, opt Options) string { return bounds(cfg, opt.withDefaults(cfg)) }

// WriteText writes what eccounter-sim -explore prints of a result after
// its verdict line: the scenario's name, the bounds, the reductions, the
// counts, the speed (unless empty: it is the caller's clock's, and no part
// of the result), how states were kept, and a counterexample's steps.
func WriteText(w io.Writer, name string, cfg model.Config, r Result, opt Options, speed string) error {
	fmt.Fprintf(w, "scenario:    %s\n", name)
	fmt.Fprintf(w, "bounds:      %s\n", Bounds(cfg, opt))
	fmt.Fprintf(w, "reductions:  %s\n", r.Reductions)
	fmt.Fprintf(w, "states:      %d distinct, %d transitions, depth %d\n", r.States, r.Transitions, r.Depth)
	if speed != "" {
		fmt.Fprintf(w, "speed:       %s\n", speed)
	}
	if opt.Exact {
		fmt.Fprintf(w, "states kept: whole (-exact): no collision can hide one\n")
	} else {
		fmt.Fprintf(w, "states kept: 64-bit fingerprints; probability that a collision hid a state: %.1g\n", r.Collision)
	}
	if r.Verdict != Counterexample {
		return nil
	}
	fmt.Fprintf(w, "\n== counterexample: %d steps ==\n", len(r.Path)+len(r.Cycle))
	return WriteSteps(w, cfg.Servers, r, "  ")
}

// formatStep writes a step as a line of a schedule file of a
// configuration of that many servers (see model.Schedule):
//
//	client-1 start choose set?=1 value=2
//	server-1 recv set value=2 req=1 from client-1
//	server-1 timer sync
//	same-instant server-2 recv sync value=1 from server-3
func formatStep(servers int, st Step) string {
	line, err := model.Schedule{Servers: servers, Steps: []Step{st}}.Line(0)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return line
}

// Schedule returns a counterexample as the model's schedule, which the
// simulator replays (model.Cluster.Replay): the path, then the cycle of a
// liveness counterexample twice. A message that arrives at a server while
// it is down is a drop there, as the simulator has it.
func (r Result) Schedule(servers int) (model.Schedule, error) {
	s := model.Schedule{Servers: servers}
	steps := append(slices.Clone(r.Path), r.Cycle...)
	steps = append(steps, r.Cycle...)
	var down uint64
	for _, st := range steps {
		ms := st
		ms.Choices = slices.Clone(st.Choices)
		switch st.Kind {
		case sim.CrashKind:
			down |= 1 << st.Node
		case sim.Recover:
			down &^= 1 << st.Node
		case sim.Deliver:
			if down&(1<<st.Node) != 0 {
				ms.Kind = sim.Drop
			}
		}
		s.Steps = append(s.Steps, ms)
	}
	return s, nil
}

// WriteSchedule writes a counterexample as a schedule file that
// eccounter-sim -schedule replays.
func WriteSchedule(w io.Writer, servers int, r Result) error {
	s, err := r.Schedule(servers)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# counterexample to %s: %s\n", r.Check, r.What)
	if len(r.Cycle) > 0 {
		fmt.Fprintf(&b, "# the last %d steps are a cycle a fair schedule may repeat for ever, written twice\n", 2*len(r.Cycle))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	_, err = s.WriteTo(w)
	return err
}

// WriteSteps writes a counterexample's steps, one a line after indent, as
// the schedule file has them, the cycle of a liveness counterexample once
// after a line that says so.
func WriteSteps(w io.Writer, servers int, r Result, indent string) error {
	s, err := r.Schedule(servers)
	if err != nil {
		return err
	}
	for i := range len(r.Path) + len(r.Cycle) {
		if i == len(r.Path) && len(r.Cycle) > 0 {
			fmt.Fprintf(w, "%s-- then, for ever: --\n", indent)
		}
		line, err := s.Line(i)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s%s\n", indent, line)
	}
	return nil
}

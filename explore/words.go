package explore

import (
	"fmt"
	"io"
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
func Bounds(cfg model.Config, opt Options) string {
	x := explorer{cfg: cfg, opt: opt}
	x.opt.MaxPerLink = max(opt.MaxPerLink, 1)
	x.lossy = cfg.Faults.Loss > 0 && opt.MaxLosses > 0
	x.dupes = cfg.Faults.Duplicate > 0 && opt.MaxDuplicates > 0
	if x.opt.MaxCrashes <= 0 {
		x.opt.MaxCrashes = len(cfg.Faults.Crashes)
	}
	return x.bounds()
}

// String writes the step as a line of a schedule file:
//
//	client-1 start choose set?=1 value=2
//	server-1 recv set value=2 req=1 from client-1
//	server-1 timer sync
//	same-instant server-2 recv sync value=1 from server-3
func (st Step) String() string {
	var b strings.Builder
	if st.SameInstant {
		b.WriteString("same-instant ")
	}
	b.WriteString(nodeName(st.Node))
	switch st.Kind {
	case sim.Start:
		b.WriteString(" start")
	case sim.Timer:
		b.WriteString(" timer " + st.Timer)
	case sim.CrashKind:
		b.WriteString(" crash")
	case sim.Recover:
		if st.Durable {
			b.WriteString(" restart durable")
		} else {
			b.WriteString(" restart")
		}
	case sim.Deliver:
		m := st.Msg
		b.WriteString(" recv " + m.Type.String())
		if m.Type != model.Get && m.Type != model.Pull {
			fmt.Fprintf(&b, " value=%d", m.Value)
		}
		if m.Type == model.SetReply || m.Type == model.RumorAck {
			fmt.Fprintf(&b, " accepted=%t", m.Accepted)
		}
		if m.Type >= model.Get && m.Type <= model.SetReply {
			fmt.Fprintf(&b, " req=%d", m.Req)
		}
		b.WriteString(" from " + nodeName(st.From))
	}
	if len(st.Choices) > 0 {
		b.WriteString(" choose")
		for _, c := range st.Choices {
			fmt.Fprintf(&b, " %s=%d", c.Label, c.Answer)
		}
	}
	return b.String()
}

// nodeName is set by the explorer for the configuration at hand: servers
// first. It is a package variable only until schedules move to the model.
var nodeName = func(id sim.NodeID) string { return fmt.Sprintf("node-%d", id) }

// WriteSteps writes steps one a line, numbered, after indent.
func WriteSteps(w io.Writer, steps []Step, indent string) {
	for _, st := range steps {
		fmt.Fprintf(w, "%s%s\n", indent, st)
	}
}

// WriteSchedule writes a counterexample as a schedule file that
// eccounter-sim -schedule replays.
func WriteSchedule(w io.Writer, scenario string, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# a schedule: one step per line; replay with eccounter-sim -schedule FILE %s\n", scenario)
	fmt.Fprintf(&b, "# counterexample to %s: %s\n", r.Check, r.What)
	for _, st := range r.Path {
		b.WriteString(st.String() + "\n")
	}
	if len(r.Cycle) > 0 {
		b.WriteString("# the cycle, which a fair schedule may repeat for ever; here twice\n")
		for range 2 {
			for _, st := range r.Cycle {
				b.WriteString(st.String() + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

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

// Format writes the step as a line of a schedule file, of a configuration
// of that many servers:
//
//	client-1 start choose set?=1 value=2
//	server-1 recv set value=2 req=1 from client-1
//	server-1 timer sync
//	same-instant server-2 recv sync value=1 from server-3
func (st Step) Format(servers int) string {
	nodeName := func(id sim.NodeID) string {
		if int(id) < servers {
			return model.ServerName(int(id))
		}
		return model.ClientName(int(id) - servers)
	}
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

// WriteSteps writes steps of a configuration of that many servers, one a
// line, after indent.
func WriteSteps(w io.Writer, steps []Step, servers int, indent string) {
	for _, st := range steps {
		fmt.Fprintf(w, "%s%s\n", indent, st.Format(servers))
	}
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
		ms := model.ScheduleStep{Node: st.Node, Kind: st.Kind, From: st.From, Msg: st.Msg, Timer: st.Timer, SameInstant: st.SameInstant}
		switch st.Kind {
		case sim.CrashKind:
			ms.Crash = st.Crash
			down |= 1 << st.Node
		case sim.Recover:
			down &^= 1 << st.Node
		case sim.Deliver:
			if down&(1<<st.Node) != 0 {
				ms.Kind = sim.Drop
			}
		}
		for _, c := range st.Choices {
			ms.Choices = append(ms.Choices, model.ScheduleChoice{Label: c.Label, Answer: c.Answer})
		}
		s.Steps = append(s.Steps, ms)
	}
	return s, nil
}

// WriteSchedule writes a counterexample as a schedule file that
// eccounter-sim -schedule replays, or, if it crashes a server, as the
// steps alone, marked as not replayable.
func WriteSchedule(w io.Writer, servers int, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# counterexample to %s: %s\n", r.Check, r.What)
	if len(r.Cycle) > 0 {
		fmt.Fprintf(&b, "# the last %d steps are a cycle a fair schedule may repeat for ever: here twice\n", 2*len(r.Cycle))
	}
	s, err := r.Schedule(servers)
	if err != nil {
		fmt.Fprintf(&b, "# not replayable: %v\n", err)
		for _, st := range append(slices.Clone(r.Path), r.Cycle...) {
			b.WriteString(st.Format(servers) + "\n")
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	_, err = s.WriteTo(w)
	return err
}

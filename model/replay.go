package model

import (
	"fmt"
	"strings"
	"time"

	"eccounter/sim"
)

// ScheduleError is a schedule that does not fit the cluster's scenario:
// a step whose event is not pending, or whose choices are not the ones
// its node and the network ask. Step counts from 1; Line is the line of
// the file it was read from, if any.
type ScheduleError struct {
	Name string // the schedule's file, if read from one
	Step int
	Line int
	Text string // the step as the schedule writes it
	Err  string // what is wrong
}

func (e *ScheduleError) Error() string {
	var b strings.Builder
	switch {
	case e.Name != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.Name, e.Line)
	case e.Step > 0:
		fmt.Fprintf(&b, "schedule step %d: ", e.Step)
	case e.Name != "":
		fmt.Fprintf(&b, "%s: ", e.Name)
	default:
		b.WriteString("schedule: ")
	}
	if e.Text != "" {
		b.WriteString(e.Text + ": ")
	}
	b.WriteString(e.Err)
	return b.String()
}

// ReplayGap is how far the clock of a replay moves on, with nothing
// happening, before each step not marked same-instant: at least the least
// latency of the scenario, so that every message sent at an earlier step
// (with the least latency: see Replay) is due, and 1ms at least, so that
// no two steps meet within a window that a server tells apart from one
// instant (the sync-race variant's 10µs). Steps at instants of their
// own are what the schedule means by a step not marked same-instant.
func ReplayGap(l sim.Latency) time.Duration {
	lo, _ := l.Bounds()
	return max(lo, time.Millisecond)
}

// Replay runs the simulation through schedule s, step by step, and then
// on as Run does, until the same ending; the checks judge it as they judge
// Run's. Step i fires the pending event it names (node, kind, and for a
// recv the sender and the whole message, for a timer its name; of several
// alike, such as a duplicated message's copies, the earliest), which fails
// with a *ScheduleError if none is pending. Its choices answer the node's
// and the network's in the order they are asked, and each message gets the
// distribution's least latency. Before each step not marked same-instant
// the clock moves on by ReplayGap, with nothing happening; a same-instant
// one fires at once, and needs its message due by then. While the schedule
// lasts the run does not stop (the stop rule, max time and max events
// apply after its last step), and the scenario's end of faults waits until
// after it. After the last step the earliest pending event fires each
// time, with the choices Config.Chooser gives (nil: the seed's).
//
// Crashes happen where the schedule says, not at the scenario's times: a
// crash step fires its [[crash]] entry's crash (at the entry's time, if
// that is later: the clock moves on to it), and a restart step the
// restart of the crash that took the server down, at the entry's restart
// time if it has one (the clock moves on to it, if later), and otherwise
// at once, although a run would restart it only when the faults end: an
// explorer restarts a server at any point, and the schedule says which.
// While a server is down, a message to it is dropped, and the schedule
// says drop for it, not recv; its timers are gone. A crash the schedule
// does not name happens after its last step, in the simulator's order, if
// the faults still last. A partition cuts the network by time, which a
// schedule does not set: Replay refuses a scenario that has one.
func (c *Cluster) Replay(s Schedule) (Report, error) {
	unfit := func(step int, format string, args ...any) (Report, error) {
		c.once()
		return Report{}, &ScheduleError{Name: s.Name, Step: step, Err: fmt.Sprintf(format, args...)}
	}
	if len(c.cfg.Faults.Partitions) > 0 {
		return unfit(0, "the scenario has partitions, which happen at times a schedule does not set: replay it on a scenario without them")
	}
	if s.Servers != c.cfg.Servers {
		return unfit(0, "a schedule of %d servers does not fit a scenario of %d", s.Servers, c.cfg.Servers)
	}
	nodes := sim.NodeID(c.engine.Len())
	crashes := c.cfg.Faults.Crashes
	for i, st := range s.Steps {
		msg := st.Kind == sim.Deliver || st.Kind == sim.Drop
		if st.Node < 0 || st.Node >= nodes || (msg && (st.From < 0 || st.From >= nodes)) {
			return unfit(i+1, "a node the scenario does not have (it has %d)", nodes)
		}
		if st.Kind == sim.CrashKind && (st.Crash < 0 || st.Crash >= len(crashes) || crashes[st.Crash].Node != st.Node) {
			return unfit(i+1, "crash entry %d of %s: not one of the scenario's %d [[crash]] entries", st.Crash, c.engine.Name(st.Node), len(crashes))
		}
	}
	r := &replayer{c: c, s: s, gap: ReplayGap(c.cfg.Latency), down: make([]int, nodes), crashed: make([]bool, len(crashes))}
	r.ch.fallback = c.cfg.Chooser
	c.engine.SetChooser(&r.ch)
	return c.drive(r)
}

// replayer is the driver of Replay.
type replayer struct {
	c   *Cluster
	s   Schedule
	gap time.Duration
	i   int // the next step
	ch  replayChooser
	// down is, per node, the crash entry that took it down, plus 1 (0:
	// up), and crashed whether each entry has happened: only the
	// schedule's steps crash and restart servers while it lasts.
	down    []int
	crashed []bool
}

func (r *replayer) scripted() bool { return r.i < len(r.s.Steps) }

func (r *replayer) pick(p []sim.Pending[Msg]) (sim.EventID, error) {
	if !r.scripted() {
		r.ch.scripted = false
		return p[0].ID, nil
	}
	st := &r.s.Steps[r.i]
	e := r.c.engine
	if !st.SameInstant && r.i > 0 {
		e.Wait(r.gap)
	}
	name, by := e.Name(st.Node), r.down[st.Node]
	switch {
	case st.Kind == sim.CrashKind && by > 0:
		return 0, r.fail(fmt.Sprintf("%s is down already, by crash %d", name, by))
	case st.Kind == sim.CrashKind && r.crashed[st.Crash]:
		return 0, r.fail(fmt.Sprintf("crash %d happened already: each [[crash]] entry happens once", st.Crash+1))
	case st.Kind == sim.Recover && by == 0:
		return 0, r.fail(name + " is up: there is no crash to restart from")
	}
	for _, ev := range p {
		if !st.matches(&ev) {
			continue
		}
		if st.SameInstant && ev.Time > e.Now() {
			return 0, r.fail(fmt.Sprintf("at the instant of the step before (%v), but the message is due only at %v",
				time.Duration(e.Now()), time.Duration(ev.Time)))
		}
		switch {
		case st.Kind == sim.Deliver && by > 0:
			return 0, r.fail(fmt.Sprintf("%s is down (crash %d), so the message is dropped: write drop, not recv", name, by))
		case st.Kind == sim.Drop && by == 0:
			return 0, r.fail(name + " is up, so the message is received: write recv, not drop")
		}
		return r.fire(st, ev.ID), nil
	}
	switch st.Kind {
	case sim.Recover:
		// A crash with no restart time: its server would stay down
		// until the faults end.
		if id, ok := e.Restart(st.Node); ok {
			return r.fire(st, id), nil
		}
	case sim.CrashKind:
		return 0, r.fail(fmt.Sprintf("crash %d never happens: it is due after the faults end", st.Crash+1))
	}
	return 0, r.fail("not pending; " + r.pending(p, st.Node))
}

// fire readies the chooser for step st, whose event id fires next.
func (r *replayer) fire(st *ScheduleStep, id sim.EventID) sim.EventID {
	r.ch.scripted, r.ch.choices, r.ch.err = true, st.Choices, ""
	return id
}

func (r *replayer) fired() error {
	if !r.ch.scripted {
		return nil
	}
	if r.ch.err == "" && len(r.ch.choices) > 0 {
		left := make([]string, len(r.ch.choices))
		for i, c := range r.ch.choices {
			left[i] = fmt.Sprintf("%s=%d", c.Label, c.Answer)
		}
		r.ch.err = "the step asked no more choices, but the line lists " + strings.Join(left, " ")
	}
	if r.ch.err != "" {
		return r.fail(r.ch.err)
	}
	switch st := &r.s.Steps[r.i]; st.Kind {
	case sim.CrashKind:
		r.down[st.Node], r.crashed[st.Crash] = st.Crash+1, true
	case sim.Recover:
		r.down[st.Node] = 0
	}
	r.i++
	return nil
}

// fail is the error of the current step.
func (r *replayer) fail(msg string) error {
	text, _ := r.s.appendStep(nil, &r.s.Steps[r.i])
	e := &ScheduleError{Name: r.s.Name, Step: r.i + 1, Text: string(text), Err: msg}
	if r.i < len(r.s.Lines) {
		e.Line = r.s.Lines[r.i]
	}
	return e
}

// pending describes what is pending for node id, as a schedule's steps.
func (r *replayer) pending(p []sim.Pending[Msg], id sim.NodeID) string {
	var what []string
	for _, ev := range p {
		if ev.Node != id || ev.Void {
			continue
		}
		st := ScheduleStep{Node: id, Kind: ev.In.Kind, From: ev.In.From, Msg: ev.In.Msg, Timer: ev.In.Timer, Crash: ev.Crash}
		if st.Kind == sim.Deliver && r.down[id] > 0 {
			st.Kind = sim.Drop
		}
		b, err := r.s.appendStep(nil, &st)
		if err != nil {
			b = []byte(ev.In.Kind.String()) // a fault: no step of a schedule
		}
		line := strings.TrimPrefix(string(b), r.c.engine.Name(id)+" ")
		if ev.Lost {
			line += " (lost)"
		}
		what = append(what, line)
	}
	down := ""
	if by := r.down[id]; by > 0 {
		down = fmt.Sprintf("%s is down, by crash %d; ", r.c.engine.Name(id), by)
	}
	if len(what) == 0 {
		return down + "nothing is pending for " + r.c.engine.Name(id)
	}
	return down + "pending for " + r.c.engine.Name(id) + ": " + strings.Join(what, "; ")
}

// matches reports whether pending event ev is the one step st names. A
// message the network lost is never received, nor dropped by a step (it
// is dropped when the schedule is over); an event that would vanish (a
// timer armed before a crash) is never fired by one.
func (st *ScheduleStep) matches(ev *sim.Pending[Msg]) bool {
	kind := st.Kind
	if kind == sim.Drop {
		kind = sim.Deliver // the engine drops it when it fires
	}
	if ev.Node != st.Node || ev.In.Kind != kind || ev.Lost || ev.Void {
		return false
	}
	switch kind {
	case sim.Deliver:
		return ev.In.From == st.From && ev.In.Msg == st.Msg
	case sim.Timer:
		return ev.In.Timer == st.Timer
	case sim.CrashKind:
		return ev.Crash == st.Crash
	}
	return true
}

// replayChooser answers the choices of a replay: while a step of the
// schedule is fired (scripted), from its line, in order, and every
// latency with the least; after the schedule, as fallback does, or from
// the seed.
type replayChooser struct {
	scripted bool
	choices  []ScheduleChoice // the step's, not yet asked
	err      string           // the first mismatch of the step
	fallback sim.Chooser
}

func (r *replayChooser) Choose(c sim.Choice) int {
	switch {
	case !r.scripted && r.fallback != nil:
		return r.fallback.Choose(c)
	case !r.scripted:
		return c.Draw()
	case c.Label == sim.LabelLatency:
		return 0 // the least latency: see ReplayGap
	case r.err != "":
		return 0 // the step fails anyway
	}
	who := "the network"
	if c.Node != sim.NoNode {
		who = "the node"
	}
	if len(r.choices) == 0 {
		r.err = fmt.Sprintf("%s asks for %s, but the line lists no more choices", who, c.Label)
		return 0
	}
	want := r.choices[0]
	r.choices = r.choices[1:]
	switch {
	case want.Label != c.Label:
		r.err = fmt.Sprintf("%s asks for %s where the line lists %s=%d", who, c.Label, want.Label, want.Answer)
		return 0
	case want.Answer < 0 || want.Answer >= c.N:
		r.err = fmt.Sprintf("%s=%d, but %s has only the answers 0 to %d", want.Label, want.Answer, c.Label, c.N-1)
		return 0
	}
	return want.Answer
}

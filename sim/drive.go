package sim

import (
	"fmt"
	"slices"
	"time"
)

// A driver other than Run schedules the events itself: Start, then, until
// it is satisfied, Pending to see what can happen next and Fire to make one
// of those things happen, then Result. An explorer uses it to try orders
// of events that Run's (time, sequence) order never takes. None of it is
// on Run's path, which stays as fast as it was; in exchange it is slow
// (Pending lists the whole queue).
//
// Virtual time never goes back. Firing the earliest pending event is
// exactly what Run does. Firing a later one first moves the clock to its
// time; an event due earlier and fired afterwards happens at the time
// reached, late: a message that took longer, a timer that went off late,
// a fault that came late. That is a run the network and the nodes' clocks
// could have given, and what a node sees (Env.Now) and arms (timers after
// a delay from now) stays consistent with it.

// EventID identifies a pending event for Fire: stable for as long as the
// event waits, and never reused during a run.
type EventID uint64

// Pending is an event waiting to happen.
type Pending[M Message] struct {
	ID EventID
	// Time is when the event is due; it happens then, or later if fired
	// out of order (see Fire).
	Time Time
	// Node is the node it happens to, or NoNode for an event of the whole
	// network (a partition, the end of faults).
	Node NodeID
	// In is what it is: the input the node will get (Kind Start,
	// Deliver, Timer, Recover), or a fault (CrashKind, PartitionStart,
	// PartitionEnd, FaultsEnd).
	In Input[M]
	// Lost: a delivery the network lost when the message was sent; it
	// will be a Drop.
	Lost bool
	// Crash: for CrashKind and Recover, which of Faults.Crashes.
	Crash int
	// Void: fired now, the event would vanish without a step (see Fire):
	// a timer armed before its node crashed, a crash of a node that is
	// down or after the faults ended, a restart of a node that is up or
	// down by another crash. A driver that names the events it wants
	// (a replay) skips these, as Run passes them by.
	Void bool
}

// Start gives every node its Start input at time 0 and schedules the
// faults, as Run does first; then Pending and Fire take over from Run,
// which must not be called. Start may be called only once.
func (e *Engine[M, N]) Start() {
	if e.driven || e.queue.len() > 0 {
		panic("sim: Engine.Start called twice, or after Run")
	}
	e.driven = true
	// The calendar would hold messages where Fire cannot take them out
	// of turn; the heap and the timer lanes can.
	e.queue.cal.width = 0
	for id := range e.ns {
		e.schedule(event[M]{node: NodeID(id), kind: Start})
	}
	e.initFaults()
}

// Pending lists the events that can happen next, in the order Run would
// take them: by (time, sequence).
func (e *Engine[M, N]) Pending() []Pending[M] {
	q := &e.queue
	var out []Pending[M]
	add := func(ev *event[M]) {
		p := Pending[M]{ID: EventID(ev.seq), Time: ev.at, Node: ev.node, In: e.input(ev), Lost: ev.lost, Void: e.vanishes(ev)}
		if ev.kind == CrashKind || ev.kind == Recover {
			p.Crash = int(ev.aux)
		}
		out = append(out, p)
	}
	for i := range q.heap {
		add(&q.events[q.heap[i].slot])
	}
	for li := range q.lanes {
		l := &q.lanes[li]
		for i := l.head; i < len(l.ents); i++ {
			if h := &l.ents[i]; !q.dead(h) {
				ev := laneEvent[M](h)
				add(&ev)
			}
		}
	}
	slices.SortFunc(out, func(a, b Pending[M]) int {
		if earlier(a.Time, uint64(a.ID), b.Time, uint64(b.ID)) {
			return -1
		}
		return 1
	})
	return out
}

// Fire makes pending event id happen now, or at its time if that is later
// (see the rules of virtual time above), and reports whether it counted as
// an event: a timer of a node that crashed since, or a fault after the
// faults ended, vanishes without a step, as in Run. It fails as Run does
// if the node breaks the engine's rules, and if no event id is pending.
func (e *Engine[M, N]) Fire(id EventID) (bool, error) {
	if !e.driven {
		panic("sim: Engine.Fire called before Start")
	}
	ev, ok := e.queue.take(uint64(id))
	if !ok {
		return false, fmt.Errorf("sim: no pending event %d", id)
	}
	before := e.now
	e.now = max(e.now, ev.at)
	counted, err := e.process(ev)
	if counted {
		e.fired++
	} else {
		e.now = before
	}
	return counted, err
}

// Result describes the run so far of a driver that used Fire, with the
// reason it gives for stopping.
func (e *Engine[M, N]) Result(reason StopReason) Result { return e.result(reason, e.fired) }

// vanishes reports whether ev, fired now, would vanish without a step, as
// process decides (which keeps its own copy of these tests, on Run's
// path): a timer armed before its node crashed, a restart of a node that
// is up or down by another crash, a crash of a node that is down, a fault
// after the faults ended.
func (e *Engine[M, N]) vanishes(ev *event[M]) bool {
	switch ev.kind {
	case Timer:
		ns := &e.ns[ev.node]
		return ns.down || ev.epoch != ns.epoch
	case Recover:
		return !e.ns[ev.node].down || e.fs.downBy[ev.node] != ev.aux
	case CrashKind:
		return !e.fs.on || e.ns[ev.node].down
	case PartitionStart, PartitionEnd:
		return !e.fs.on
	}
	return false
}

// laneEvent returns the event a lane's entry stands for.
func laneEvent[M Message](h *laneEntry) event[M] {
	return event[M]{at: h.at, seq: h.seq, node: h.node, epoch: h.epoch, aux: h.aux, kind: Timer}
}

// take removes the event of sequence number seq from the queue, wherever
// it waits (the calendar aside: see Start), as pop removes the earliest.
func (q *queue[M]) take(seq uint64) (event[M], bool) {
	for i := range q.heap {
		if q.heap[i].seq != seq {
			continue
		}
		slot := q.heap[i].slot
		q.remove(i)
		ev := q.events[slot]
		q.events[slot] = event[M]{}
		q.release(slot)
		return ev, true
	}
	for li := range q.lanes {
		l := &q.lanes[li]
		for i := l.head; i < len(l.ents); i++ {
			h := &l.ents[i]
			if h.seq != seq || q.dead(h) {
				continue
			}
			ev := laneEvent[M](h)
			q.release(h.slot) // which marks the entry dead
			l.live--
			q.inLane--
			q.tidy(li)
			return ev, true
		}
	}
	return event[M]{}, false
}

// Wait moves the clock of a driver's run forward by d with nothing
// happening, so that the next event fired happens at an instant of its
// own, apart from the one before: a replay that must keep the steps of
// its schedule at distinct instants (or at one) says so with it. Events
// that fall due meanwhile wait, and happen late if fired after (see the
// rules of virtual time above). d must not be negative.
func (e *Engine[M, N]) Wait(d time.Duration) {
	if !e.driven {
		panic("sim: Engine.Wait called before Start")
	}
	if d < 0 {
		panic(fmt.Sprintf("sim: Engine.Wait(%v): virtual time never goes back", d))
	}
	e.now = e.now.Add(d)
}

// Restart schedules, now, the restart of node, which a crash took down, as
// the end of the faults would: a Recover input, durable as that crash
// says, which the driver fires with the ID returned. ok is false if node is
// not down. A crash whose Faults.Crashes entry has no restart time keeps
// its node down until the faults end; a driver that decides when things
// happen (a replay of an explorer's schedule, in which a server restarts at
// any point) restarts it earlier with this. A Recover still due later for
// the same crash vanishes, the node being up by then (see Fire).
func (e *Engine[M, N]) Restart(node NodeID) (id EventID, ok bool) {
	if !e.driven {
		panic("sim: Engine.Restart called before Start")
	}
	if node < 0 || int(node) >= len(e.ns) || !e.ns[node].down {
		return 0, false
	}
	by := e.fs.downBy[node]
	e.schedule(event[M]{at: e.now, node: node, kind: Recover, durable: e.cfg.Faults.Crashes[by].Durable, aux: by})
	return EventID(e.seq), true
}

// Now returns the virtual time a driver's run has reached: that of the
// last event fired, or later after a Wait.
func (e *Engine[M, N]) Now() Time { return e.now }

// SetChooser makes ch answer the run's choices instead of Config.Chooser
// (nil: the seeded streams). A driver that decides the choices as well as
// the order of events, such as a replay of a schedule, sets it before
// Start, on an engine built by someone else.
func (e *Engine[M, N]) SetChooser(ch Chooser) {
	if e.driven || e.queue.len() > 0 {
		panic("sim: Engine.SetChooser called after Start, or after Run")
	}
	e.cfg.Chooser, e.env.chooser = ch, ch
}

package sim

import "strconv"

// VectorClocks is an observer that keeps a vector clock per node, as
// Fidge and Mattern defined them: a node ticks its own entry at each of its
// events (a step, or its crash), a message carries its sender's clock, and
// a receiver first takes the entry-wise maximum of its clock and the
// message's. Then event a happened before event b exactly when a's clock is
// below b's. Drops and network-wide events are no node's events and do not
// tick.
//
// It holds a clock of every node for every node, and one for each step
// whose messages are still in flight, shared by the messages the step sent
// (a broadcast to n nodes costs one clock, not n), so it suits runs of
// tens or hundreds of nodes, not thousands. Bytes says how much it holds.
type VectorClocks[M Message, N Note] struct {
	names    []string
	clocks   [][]uint64
	inflight map[MsgID]inflight
	bytes    int64
}

// inflight is a message on its way: the clock it was sent with, and how
// many of its copies the network has still to deliver or drop (two if it
// was duplicated).
type inflight struct {
	sent   *sentClock
	copies int32
}

// sentClock is a node's clock when it sent the messages of a step, and
// how many copies of them are in flight.
type sentClock struct {
	clock  []uint64
	copies int
}

// What Bytes counts for a clock of n entries and for a message in flight:
// the entries, the slice and the struct around them; the map's entry.
const (
	clockOverhead = 48
	inflightBytes = 32
)

// NewVectorClocks returns the clocks of e's nodes, all zero. Observe it
// after all nodes are added.
func NewVectorClocks[M Message, N Note](e *Engine[M, N]) *VectorClocks[M, N] {
	v := &VectorClocks[M, N]{names: e.names, inflight: make(map[MsgID]inflight)}
	for range e.names {
		v.clocks = append(v.clocks, make([]uint64, len(e.names)))
	}
	v.bytes = int64(len(e.names)) * v.clockBytes()
	return v
}

// Bytes estimates the memory the clocks hold: every node's, and those of
// the messages in flight.
func (v *VectorClocks[M, N]) Bytes() int64 { return v.bytes }

// InFlight returns how many messages in flight the clocks are kept for.
func (v *VectorClocks[M, N]) InFlight() int { return len(v.inflight) }

func (v *VectorClocks[M, N]) clockBytes() int64 { return int64(len(v.names))*8 + clockOverhead }

// BeforeStep does nothing: clocks change with what a step did.
func (v *VectorClocks[M, N]) BeforeStep(Time, NodeID) {}

// AfterStep ticks the clock of the node that stepped.
func (v *VectorClocks[M, N]) AfterStep(s *Step[M, N]) {
	switch s.In.Kind {
	case Start, Timer, Recover, CrashKind:
	case Deliver:
		// A duplicated message arrives twice at the same node, which
		// merged its clock the first time: one merge is enough, and
		// its other copy need not keep the clock.
		if m, ok := v.inflight[s.In.ID]; ok {
			c := v.clocks[s.Node]
			for i := range c {
				c[i] = max(c[i], m.sent.clock[i])
			}
			v.forget(s.In.ID, m, m.copies)
		}
	case Drop:
		// No node's event, but one copy fewer that may still arrive.
		if m, ok := v.inflight[s.In.ID]; ok {
			v.forget(s.In.ID, m, 1)
		}
		return
	default:
		return // events of the whole network
	}
	c := v.clocks[s.Node]
	c[s.Node]++
	if len(s.Sends) == 0 {
		return
	}
	sent := &sentClock{clock: append([]uint64(nil), c...)}
	v.bytes += v.clockBytes()
	for _, m := range s.Sends {
		copies := int32(1)
		if m.Duplicated {
			copies = 2
		}
		sent.copies += int(copies)
		v.inflight[m.ID] = inflight{sent, copies}
		v.bytes += inflightBytes
	}
}

// forget counts n copies of message id, in flight as m, as delivered or
// dropped, and lets go of its clock when no copy of the step's messages
// is left in flight.
func (v *VectorClocks[M, N]) forget(id MsgID, m inflight, n int32) {
	m.copies -= n
	m.sent.copies -= int(n)
	if m.copies > 0 {
		v.inflight[id] = m
	} else {
		delete(v.inflight, id)
		v.bytes -= inflightBytes
	}
	if m.sent.copies == 0 {
		v.bytes -= v.clockBytes()
	}
}

// Ticked reports whether the step was an event of its node, which ticked
// its clock.
func (v *VectorClocks[M, N]) Ticked(s *Step[M, N]) bool {
	switch s.In.Kind {
	case Start, Timer, Recover, CrashKind, Deliver:
		return true
	}
	return false
}

// AppendJSON appends node's clock as a JSON object from node names to
// counts, leaving out zero entries, in node order.
func (v *VectorClocks[M, N]) AppendJSON(b []byte, node NodeID) []byte {
	b = append(b, '{')
	first := true
	for i, n := range v.clocks[node] {
		if n == 0 {
			continue
		}
		if !first {
			b = append(b, ", "...)
		}
		first = false
		b = AppendJSONString(b, v.names[i])
		b = append(b, ": "...)
		b = strconv.AppendUint(b, n, 10)
	}
	return append(b, '}')
}

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
// It holds a clock of every node for every node, and one per message in
// flight, so it suits runs of tens or hundreds of nodes, not thousands.
type VectorClocks[M Message, N Note] struct {
	names    []string
	clocks   [][]uint64
	inflight map[MsgID][]uint64
}

// NewVectorClocks returns the clocks of e's nodes, all zero. Observe it
// after all nodes are added.
func NewVectorClocks[M Message, N Note](e *Engine[M, N]) *VectorClocks[M, N] {
	v := &VectorClocks[M, N]{names: e.names, inflight: make(map[MsgID][]uint64)}
	for range e.names {
		v.clocks = append(v.clocks, make([]uint64, len(e.names)))
	}
	return v
}

// BeforeStep does nothing: clocks change with what a step did.
func (v *VectorClocks[M, N]) BeforeStep(Time, NodeID) {}

// AfterStep ticks the clock of the node that stepped.
func (v *VectorClocks[M, N]) AfterStep(s *Step[M, N]) {
	switch s.In.Kind {
	case Start, Timer, Recover, CrashKind:
	case Deliver:
		// A duplicated message arrives twice at the same node, which
		// merged its clock the first time: one merge is enough.
		if sent, ok := v.inflight[s.In.ID]; ok {
			c := v.clocks[s.Node]
			for i := range c {
				c[i] = max(c[i], sent[i])
			}
			delete(v.inflight, s.In.ID)
		}
	default:
		return // drops and events of the whole network
	}
	c := v.clocks[s.Node]
	c[s.Node]++
	for _, m := range s.Sends {
		v.inflight[m.ID] = append([]uint64(nil), c...)
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

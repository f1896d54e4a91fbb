package sim

// Faults are what goes wrong during a run, all of it driven by the seed:
// lost and duplicated messages, network partitions, and node crashes.
// Faults happen only until they end (Until, or a call to EndFaults): then
// the network heals and every crashed node restarts, so that a protocol's
// liveness can be checked after a safety phase, as TigerBeetle's VOPR does.
type Faults struct {
	// Loss and Duplicate are the probabilities that the network loses a
	// message, or delivers it twice (each copy with its own latency).
	Loss, Duplicate float64
	Partitions      []Partition
	Crashes         []Crash
	// Until ends the faults at that time; 0 leaves it to EndFaults.
	Until Time

	_ struct{}
}

// Any reports whether anything can go wrong in a run with these faults:
// with none, the safety phase is over from the start.
func (f *Faults) Any() bool {
	return f.Loss > 0 || f.Duplicate > 0 || len(f.Partitions) > 0 || len(f.Crashes) > 0
}

// Partition cuts the network into groups during [At, Heal): a message
// between nodes of different groups is dropped when it arrives. Nodes that
// no group names form one more group together. Heal 0 lasts until the
// faults end.
type Partition struct {
	At, Heal Time
	Groups   [][]NodeID
}

// Crash stops a node at At: it receives nothing (messages to it are
// dropped) and its timers never fire. At Restart (0: when the faults end)
// it steps again with a Recover input; Durable says whether it kept its
// state, which the node itself must honour.
type Crash struct {
	Node        NodeID
	At, Restart Time
	Durable     bool
}

// Why a message was dropped.
const (
	DropLoss      = "loss"
	DropPartition = "partition"
	DropDown      = "down"
)

// active reports whether partition p cuts the network at t.
func (p *Partition) active(t Time) bool {
	return p.At <= t && (p.Heal == 0 || t < p.Heal)
}

// faultState is the engine's view of the faults during a run.
type faultState struct {
	on        bool      // faults are still happening
	endQueued bool      // an end-of-faults event is scheduled
	ended     Time      // when they ended, if !on
	downBy    []int32   // per node: the crash that took it down, or -1 (see also nodeState)
	groups    [][]int32 // per partition, per node: its group
}

func (e *Engine[M, N]) initFaults() {
	f := &e.fs
	f.on = true
	n := len(e.ns)
	f.downBy = make([]int32, n)
	for i := range n {
		f.downBy[i] = -1
	}
	for pi, p := range e.cfg.Faults.Partitions {
		g := make([]int32, n)
		for i := range g {
			g[i] = int32(len(p.Groups)) // the group of the unnamed
		}
		for gi, members := range p.Groups {
			for _, id := range members {
				g[id] = int32(gi)
			}
		}
		f.groups = append(f.groups, g)
		e.scheduleFault(event[M]{at: p.At, node: NoNode, kind: PartitionStart, aux: int32(pi)})
		if p.Heal > 0 {
			e.scheduleFault(event[M]{at: p.Heal, node: NoNode, kind: PartitionEnd, aux: int32(pi)})
		}
	}
	for ci, c := range e.cfg.Faults.Crashes {
		e.scheduleFault(event[M]{at: c.At, node: c.Node, kind: CrashKind, durable: c.Durable, aux: int32(ci)})
		if c.Restart > 0 {
			e.scheduleFault(event[M]{at: c.Restart, node: c.Node, kind: Recover, durable: c.Durable, aux: int32(ci)})
		}
	}
	if e.cfg.Faults.Until > 0 {
		e.fs.endQueued = true
		e.scheduleFault(event[M]{at: e.cfg.Faults.Until, node: NoNode, kind: FaultsEnd})
	}
}

// scheduleFault schedules a fault event unless it lies after the faults
// end: nothing goes wrong after that.
func (e *Engine[M, N]) scheduleFault(ev event[M]) {
	if until := e.cfg.Faults.Until; until > 0 && ev.at > until && ev.kind != Recover {
		return
	}
	e.schedule(ev)
}

// EndFaults ends the faults, unless they ended already or Faults.Until
// sets when they end: a protocol calls it (from an observer) when its
// safety phase is over, such as when the last client has finished. The end
// is an event at the current time, after the step in progress and any
// other events already due at that time.
func (e *Engine[M, N]) EndFaults() {
	if e.fs.on && !e.fs.endQueued {
		e.fs.endQueued = true
		e.schedule(event[M]{at: e.now, node: NoNode, kind: FaultsEnd})
	}
}

// partitioned reports whether a partition separates from and to at t.
func (e *Engine[M, N]) partitioned(from, to NodeID, t Time) bool {
	if !e.fs.on {
		return false
	}
	for i := range e.cfg.Faults.Partitions {
		if g := e.fs.groups[i]; e.cfg.Faults.Partitions[i].active(t) && g[from] != g[to] {
			return true
		}
	}
	return false
}

// dropReason says why a delivery cannot happen, or "".
func (e *Engine[M, N]) dropReason(ev *event[M]) string {
	switch {
	case ev.lost:
		return DropLoss
	case e.partitioned(ev.from, ev.node, e.now):
		return DropPartition
	case e.ns[ev.node].down:
		return DropDown
	}
	return ""
}

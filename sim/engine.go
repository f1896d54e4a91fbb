package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Config sets up an engine.
type Config struct {
	// Seed determines every random choice of the run.
	Seed int64
	// Latency is the network's delay distribution; it must be valid.
	Latency Latency
	// MaxTime stops the run before the first event later than it; 0 means
	// no limit.
	MaxTime Time
	// MaxEvents stops the run once that many events were processed; 0
	// means no limit.
	MaxEvents int64
	// Faults is what goes wrong, if anything. Node IDs in it must exist
	// by the time Run is called.
	Faults Faults

	_ struct{} // fields by name, so that new ones can be added
}

// StopReason says why a run ended.
type StopReason int

// The reasons a run ends.
const (
	// Done: the caller's done function returned true.
	Done StopReason = iota + 1
	// Idle: nothing is left to happen, yet done never held.
	Idle
	// MaxTimeReached: the next event lies beyond Config.MaxTime.
	MaxTimeReached
	// MaxEventsReached: Config.MaxEvents events were processed.
	MaxEventsReached
	// Aborted: a node broke the engine's rules; Run returned an error.
	Aborted
)

// ErrForbiddenSend is wrapped by the error Run returns when a node sends to
// a node that Restrict does not allow it to address.
var ErrForbiddenSend = errors.New("sim: forbidden send")

func (r StopReason) String() string {
	switch r {
	case Done:
		return "done"
	case Idle:
		return "idle"
	case MaxTimeReached:
		return "max_time"
	case MaxEventsReached:
		return "max_events"
	case Aborted:
		return "aborted"
	}
	return "invalid"
}

// KindCount is how many messages of one kind were sent.
type KindCount struct {
	Kind  string
	Count int64
}

// Result describes a finished run.
type Result struct {
	Reason StopReason
	// Now is the virtual time of the last event processed (or MaxTime if
	// the run stopped there).
	Now Time
	// Events is the number of events processed.
	Events int64
	// Sent counts the messages sent, by kind, in order of kind.
	Sent []KindCount
	// MaxLatency is the largest latency the network drew.
	MaxLatency time.Duration
	// Dropped counts deliveries that did not happen, Duplicated the
	// messages the network delivered twice.
	Dropped, Duplicated int64
	// FaultsEnded: the faults ended, at HealedAt (the run may stop first).
	FaultsEnded bool
	HealedAt    Time
}

// Step records one step of one node, as observers see it after the step.
// Some steps are events no node handles (see CrashKind and the kinds after
// it): they have no notes or sends, and Node is NoNode for events of the
// whole network.
type Step[M Message, N Note] struct {
	Time  Time
	Node  NodeID
	In    Input[M]
	Notes []N
	Sends []Sent[M]
	// Reason: why a Drop happened (DropLoss, DropPartition, DropDown).
	Reason string
	// Partition: which of Faults.Partitions started or ended.
	Partition int
	// Crash: which of Faults.Crashes took the node down (CrashKind,
	// Recover).
	Crash int
}

// Sent is a message as the network accepted it.
type Sent[M Message] struct {
	ID     MsgID
	To     NodeID
	Msg    M
	Arrive Time
	// Duplicated: the network delivers a second copy too, with a latency
	// of its own (see Faults.Duplicate).
	Duplicated bool
}

// Observer sees every step of a run. BeforeStep is called just before a
// node steps, so an observer can read the node's state as it was; AfterStep
// is called right after with what happened. The Step and its slices are
// reused: an observer must copy what it keeps.
type Observer[M Message, N Note] interface {
	BeforeStep(t Time, node NodeID)
	AfterStep(s *Step[M, N])
}

// Engine runs a deterministic discrete-event simulation. It is not safe for
// concurrent use; runs are independent, so run many engines in parallel
// instead.
type Engine[M Message, N Note] struct {
	cfg       Config
	nodes     []Node[M, N]
	names     []string
	rngs      []*rand.Rand
	rands     []nodeRand // unused streams of the latest chunk
	only      []NodeID   // per node: the one node it may send to, or anyone, or see allowed
	allowed   [][]NodeID // nil: the node may send to any node
	observers []Observer[M, N]

	net     *rand.Rand
	queue   queue[M]
	now     Time
	seq     uint64
	lastID  MsgID
	sent    []KindCount // by first send; see count
	maxLat  time.Duration
	dropped int64
	dups    int64
	fs      faultState

	env  Env[M, N]
	step Step[M, N]
}

// New returns an engine with no nodes. It panics if cfg.Latency is invalid:
// callers validate configuration before building an engine.
func New[M Message, N Note](cfg Config) *Engine[M, N] {
	if err := cfg.Latency.Validate(); err != nil {
		panic(err)
	}
	e := &Engine[M, N]{
		cfg: cfg,
		net: NewRand(cfg.Seed, streamNetwork),
	}
	e.queue.cal.width = cfg.Latency.horizon()
	return e
}

// Add adds a node under a name used in traces and returns its ID. IDs are
// handed out in order from 0.
func (e *Engine[M, N]) Add(name string, n Node[M, N]) NodeID {
	id := NodeID(len(e.nodes))
	e.nodes = append(e.nodes, n)
	e.names = append(e.names, name)
	e.rngs = append(e.rngs, e.newNodeRand(id))
	e.allowed = append(e.allowed, nil)
	e.only = append(e.only, anyone)
	return id
}

// Sentinels of Engine.only.
const (
	anyone    NodeID = -1 // unrestricted
	seeList   NodeID = -2 // restricted to allowed[node], not one node
	randChunk        = 1024
)

// nodeRand is a node's random stream, the generator and its source side
// by side: a node draws on every step, and in a run of many nodes each
// separate allocation is a cache miss of its own.
type nodeRand struct {
	r   rand.Rand
	pcg rand.PCG
}

// newNodeRand returns node id's stream, the same one NewRand returns,
// from chunks of nodeRand that never move, each as large as the nodes so
// far (up to randChunk), so that a small run allocates little.
func (e *Engine[M, N]) newNodeRand(id NodeID) *rand.Rand {
	if len(e.rands) == 0 {
		e.rands = make([]nodeRand, min(max(int(id), 4), randChunk))
	}
	nr := &e.rands[0]
	e.rands = e.rands[1:]
	nr.pcg = *newPCG(e.cfg.Seed, streamNode+uint64(id))
	nr.r = *rand.New(&nr.pcg)
	return &nr.r
}

// Restrict limits node to sending to the given nodes only. A send to any
// other node makes Run fail: it is a bug in the protocol, not a message to
// drop quietly.
func (e *Engine[M, N]) Restrict(node NodeID, to ...NodeID) {
	// Never nil, even with no targets: nil means unrestricted.
	e.allowed[node] = append(make([]NodeID, 0, len(to)), to...)
	e.only[node] = seeList
	if len(to) == 1 && to[0] >= 0 {
		e.only[node] = to[0]
	}
}

// Observe registers an observer; observers are called in the order they
// were registered.
func (e *Engine[M, N]) Observe(o Observer[M, N]) {
	e.observers = append(e.observers, o)
}

// Name returns the name a node was added under ("" for NoNode).
func (e *Engine[M, N]) Name(id NodeID) string {
	if id == NoNode {
		return ""
	}
	if id < 0 || int(id) >= len(e.names) {
		return fmt.Sprintf("node(%d)", id)
	}
	return e.names[id]
}

// Len returns the number of nodes.
func (e *Engine[M, N]) Len() int { return len(e.nodes) }

// Run gives every node its Start input at time 0, in the order they were
// added, then processes events in (time, sequence) order until done returns
// true, nothing is left to happen, or a limit of the Config is reached.
// done is asked before every event, so it must be cheap. Run fails if a node
// breaks the engine's rules (sends to an unknown or forbidden node, arms a
// timer in the past); the simulation stops at that step.
func (e *Engine[M, N]) Run(done func() bool) (Result, error) {
	for id := range e.nodes {
		e.schedule(0, NodeID(id), Input[M]{Kind: Start})
	}
	e.initFaults()
	var events int64
	reason := Idle
	for e.queue.len() > 0 {
		if done() {
			reason = Done
			break
		}
		if e.cfg.MaxEvents > 0 && events >= e.cfg.MaxEvents {
			reason = MaxEventsReached
			break
		}
		if e.cfg.MaxTime > 0 && e.queue.peekTime() > e.cfg.MaxTime {
			reason = MaxTimeReached
			e.now = e.cfg.MaxTime
			break
		}
		ev := e.queue.pop()
		before := e.now
		e.now = ev.at
		counted, err := e.process(ev)
		if counted {
			events++
		} else {
			e.now = before // nothing happened then
		}
		if err != nil {
			return e.result(Aborted, events), err
		}
	}
	if reason == Idle && done() {
		reason = Done
	}
	return e.result(reason, events), nil
}

func (e *Engine[M, N]) result(reason StopReason, events int64) Result {
	r := Result{Reason: reason, Now: e.now, Events: events, MaxLatency: e.maxLat,
		Dropped: e.dropped, Duplicated: e.dups, FaultsEnded: !e.fs.on, HealedAt: e.fs.ended}
	r.Sent = slices.Clone(e.sent)
	slices.SortFunc(r.Sent, func(a, b KindCount) int { return strings.Compare(a.Kind, b.Kind) })
	return r
}

func (e *Engine[M, N]) schedule(at Time, node NodeID, in Input[M]) {
	e.seq++
	e.queue.push(event[M]{at: at, seq: e.seq, node: node, in: in})
}

// process handles one event: it steps a node, or records a fault, or
// discards the event (a timer of a crashed node, a fault after the faults
// ended). It reports whether the event counted.
func (e *Engine[M, N]) process(ev event[M]) (bool, error) {
	st := &e.step
	*st = Step[M, N]{Time: e.now, Node: ev.node, In: ev.in, Sends: st.Sends[:0]}
	switch ev.in.Kind {
	case Timer:
		if !e.fs.up[ev.node] || ev.epoch != e.fs.epoch[ev.node] {
			return false, nil // armed before a crash: gone with it
		}
	case Deliver:
		if reason := e.dropReason(&ev); reason != "" {
			e.dropped++
			st.In.Kind, st.Reason = Drop, reason
			e.observe(st)
			return true, nil
		}
	case Recover:
		if e.fs.up[ev.node] || e.fs.downBy[ev.node] != ev.in.crash {
			// Restarted already (when the faults ended), or the end of
			// a crash that never happened because the node was down.
			return false, nil
		}
		e.fs.up[ev.node], e.fs.downBy[ev.node] = true, -1
		st.Crash = ev.in.crash
	case CrashKind:
		if !e.fs.on || !e.fs.up[ev.node] {
			return false, nil
		}
		e.fs.up[ev.node], e.fs.downBy[ev.node] = false, ev.in.crash
		e.fs.epoch[ev.node]++
		st.Crash = ev.in.crash
		e.observe(st)
		return true, nil
	case PartitionStart, PartitionEnd:
		if !e.fs.on {
			return false, nil
		}
		st.Partition = ev.in.part
		e.observe(st)
		return true, nil
	case FaultsEnd:
		e.endFaults(st)
		return true, nil
	}
	return true, e.step1(ev)
}

// endFaults heals the network and restarts every crashed node, now.
func (e *Engine[M, N]) endFaults(st *Step[M, N]) {
	if !e.fs.on {
		return
	}
	e.fs.on, e.fs.ended = false, e.now
	e.observe(st)
	for id, by := range e.fs.downBy {
		if by >= 0 {
			c := e.cfg.Faults.Crashes[by]
			e.schedule(e.now, NodeID(id), Input[M]{Kind: Recover, Durable: c.Durable, crash: by})
		}
	}
}

func (e *Engine[M, N]) observe(st *Step[M, N]) {
	for _, o := range e.observers {
		o.AfterStep(st)
	}
}

// step1 steps one node with one input and applies what it asked for.
func (e *Engine[M, N]) step1(ev event[M]) error {
	for _, o := range e.observers {
		o.BeforeStep(e.now, ev.node)
	}
	env := &e.env
	env.now, env.self, env.rng, env.queue = e.now, ev.node, e.rngs[ev.node], &e.queue
	env.sends, env.timers, env.cancel, env.notes = env.sends[:0], env.timers[:0], env.cancel[:0], env.notes[:0]
	e.nodes[ev.node].Step(env, ev.in)

	st := &e.step
	st.Notes = env.notes
	for _, out := range env.sends {
		if err := e.checkSend(ev.node, out); err != nil {
			return err
		}
		e.lastID++
		e.count(out.msg.Kind())
		// Draw loss and duplication only while they can happen, so that a
		// run without faults draws exactly the same latencies.
		lost := e.fs.on && e.cfg.Faults.Loss > 0 && e.net.Float64() < e.cfg.Faults.Loss
		arrive := e.deliver(ev.node, out, lost)
		dup := !lost && e.fs.on && e.cfg.Faults.Duplicate > 0 && e.net.Float64() < e.cfg.Faults.Duplicate
		if dup {
			e.dups++
			e.deliver(ev.node, out, false)
		}
		st.Sends = append(st.Sends, Sent[M]{ID: e.lastID, To: out.to, Msg: out.msg, Arrive: arrive, Duplicated: dup})
	}
	for _, t := range env.timers {
		if t.after < 0 {
			return fmt.Errorf("sim: %s armed timer %q %v in the past", e.Name(ev.node), t.name, t.after)
		}
		e.seq++
		e.queue.put(t.slot, t.after, event[M]{at: e.now.Add(t.after), seq: e.seq, node: ev.node, epoch: e.fs.epoch[ev.node],
			in: Input[M]{Kind: Timer, Timer: t.name}})
	}
	// After the new timers are in, so that a timer armed and cancelled
	// in the same step is cancelled too.
	for _, id := range env.cancel {
		e.queue.cancel(id)
	}
	e.observe(st)
	return nil
}

// count counts a message of kind sent. A protocol has a handful of kinds,
// named by constant strings: comparing with each kind seen, which is
// quick when the two strings share their bytes, costs less than hashing
// the kind for a map, on every send.
func (e *Engine[M, N]) count(kind string) {
	for i := range e.sent {
		if e.sent[i].Kind == kind {
			e.sent[i].Count++
			return
		}
	}
	e.sent = append(e.sent, KindCount{kind, 1})
}

// deliver schedules one copy of a message, with a latency of its own.
func (e *Engine[M, N]) deliver(from NodeID, out outgoing[M], lost bool) Time {
	lat := e.cfg.Latency.Sample(e.net)
	e.maxLat = max(e.maxLat, lat)
	arrive := e.now.Add(lat)
	e.seq++
	e.queue.push(event[M]{at: arrive, seq: e.seq, node: out.to, lost: lost,
		in: Input[M]{Kind: Deliver, ID: e.lastID, From: from, Msg: out.msg}})
	return arrive
}

// checkSend enforces Restrict and rejects sends to nodes that do not exist.
func (e *Engine[M, N]) checkSend(from NodeID, out outgoing[M]) error {
	if out.to < 0 || int(out.to) >= len(e.nodes) {
		return fmt.Errorf("sim: %s sent %s to unknown node %d", e.Name(from), out.msg.Kind(), out.to)
	}
	switch e.only[from] {
	case anyone, out.to:
		return nil
	}
	allowed := e.allowed[from]
	if slices.Contains(allowed, out.to) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, id := range allowed {
		names[i] = e.Name(id)
	}
	return fmt.Errorf("%w: %s sent %s to %s, but may send only to %s",
		ErrForbiddenSend, e.Name(from), out.msg.Kind(), e.Name(out.to), strings.Join(names, ", "))
}

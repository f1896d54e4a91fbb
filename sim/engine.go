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
	// Chooser, if set, answers every random choice of the run instead
	// of the seeded streams (see Chooser); nil draws them from the
	// streams, as Seeded would.
	Chooser Chooser

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
	// of its own (see Faults.Duplicate), due at Again.
	Duplicated bool
	Again      Time
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
	ns        []nodeState[M, N] // by node
	names     []string
	allowed   [][]NodeID // nil: the node may send to any node
	observers []Observer[M, N]
	warmNode  func(NodeID) uint32 // see Warm

	net    *rand.Rand
	queue  queue[M]
	now    Time
	seq    uint64
	lastID MsgID
	sent   []KindCount // by first send; see count
	// timerNames holds the names of timers, which events carry as
	// indexes (see timerName); timerIndex finds those past the first
	// few.
	timerNames []string
	timerIndex map[string]int32
	maxLat     time.Duration
	dropped    int64
	dups       int64
	fs         faultState

	env  Env[M, N]
	step Step[M, N]

	// A driver's run (see Start): driven is set, and fired counts the
	// events that counted.
	driven bool
	fired  int64
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
	e.env.chooser = cfg.Chooser
	return e
}

// Add adds a node under a name used in traces and returns its ID. IDs are
// handed out in order from 0.
func (e *Engine[M, N]) Add(name string, n Node[M, N]) NodeID {
	id := NodeID(len(e.ns))
	old := cap(e.ns)
	e.ns = append(e.ns, nodeState[M, N]{node: n, only: anyone})
	if cap(e.ns) != old {
		// The states moved: each generator must point at its own
		// source again.
		for i := range e.ns[:id] {
			e.ns[i].r = *rand.New(&e.ns[i].pcg)
		}
	}
	s := &e.ns[id]
	s.pcg = *newPCG(e.cfg.Seed, streamNode+uint64(id)) // the stream NewRand returns
	s.r = *rand.New(&s.pcg)
	e.names = append(e.names, name)
	e.allowed = append(e.allowed, nil)
	return id
}

// Sentinels of nodeState.only.
const (
	anyone  NodeID = -1 // unrestricted
	seeList NodeID = -2 // restricted to allowed[node], not one node
)

// nodeState is what the engine reads of a node on each of its steps, side
// by side in one 64-byte record: a large run steps its nodes in random
// order, so each separate per-node array (the node, its generator, its
// source, its restriction, whether it is up) would be a cache miss of its
// own on every step.
type nodeState[M Message, N Note] struct {
	node Node[M, N]
	// The node's random stream: r draws from pcg, which is why Add must
	// point r at pcg again whenever the states move.
	r    rand.Rand
	pcg  rand.PCG
	only NodeID // the one node it may send to, or anyone, or seeList
	// Faults: down is set while the node is crashed, and epoch is
	// incremented by each crash.
	epoch uint32
	down  bool
}

// Restrict limits node to sending to the given nodes only. A send to any
// other node makes Run fail: it is a bug in the protocol, not a message to
// drop quietly.
func (e *Engine[M, N]) Restrict(node NodeID, to ...NodeID) {
	// Never nil, even with no targets: nil means unrestricted.
	e.allowed[node] = append(make([]NodeID, 0, len(to)), to...)
	e.ns[node].only = seeList
	if len(to) == 1 && to[0] >= 0 {
		e.ns[node].only = to[0]
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
func (e *Engine[M, N]) Len() int { return len(e.ns) }

// Run gives every node its Start input at time 0, in the order they were
// added, then processes events in (time, sequence) order until done returns
// true, nothing is left to happen, or a limit of the Config is reached.
// done is asked before every event, so it must be cheap. Run fails if a node
// breaks the engine's rules (sends to an unknown or forbidden node, arms a
// timer in the past); the simulation stops at that step.
func (e *Engine[M, N]) Run(done func() bool) (Result, error) {
	if e.driven {
		panic("sim: Engine.Run called after Start")
	}
	for id := range e.ns {
		e.schedule(event[M]{node: NodeID(id), kind: Start})
	}
	e.initFaults()
	if len(e.ns) >= warmFrom {
		e.queue.warm = e.warm
	}
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

// warmFrom is how many nodes a run needs for Engine.warm to pay: below
// that their states stay in cache anyway.
const warmFrom = 1 << 14

// warm reads the state of node n, due to step soon, and what the
// function given to Warm reads of it, and returns a part of that for the
// caller to keep: in a run of many nodes each step would otherwise begin
// with cache misses on its node's state, where these reads, which do not
// depend on one another, miss together (see queue.refill).
func (e *Engine[M, N]) warm(n NodeID) uint32 {
	if n < 0 {
		return 0
	}
	x := e.ns[n].epoch
	if e.warmNode != nil {
		x += e.warmNode(n)
	}
	return x
}

// Warm gives the engine a function that reads what node n's step will
// read first, and returns any part of it. In runs of many nodes the
// engine calls it for the nodes of a batch of events shortly before they
// step, so that their cache misses overlap instead of coming one a step.
// It must not change anything: it is a hint about memory, not part of the
// simulation, and a run gives the same schedule with or without it.
func (e *Engine[M, N]) Warm(f func(n NodeID) uint32) { e.warmNode = f }

// schedule puts ev, which cannot be cancelled, in the queue, next in order
// among the events due at its time.
func (e *Engine[M, N]) schedule(ev event[M]) {
	e.seq++
	ev.seq = e.seq
	e.queue.push(ev)
}

// input returns the Input a node gets for ev.
func (e *Engine[M, N]) input(ev *event[M]) Input[M] {
	in := Input[M]{Kind: ev.kind, Durable: ev.durable, From: ev.from, ID: ev.id, Msg: ev.msg}
	if ev.kind == Timer {
		in.Timer = e.timerNames[ev.aux]
	}
	return in
}

// timerName returns the index of a timer's name in timerNames, adding it
// if it is new, so that events carry an index rather than a string. A
// protocol names its timers with a few constant strings: comparing with
// each of the first names seen, quick when the two strings share their
// bytes, costs less than hashing the name on every timer. Should a node
// make names up as it goes, the names past those are found in a map; the
// table keeps every name for the rest of the run.
func (e *Engine[M, N]) timerName(name string) int32 {
	first := e.timerNames[:min(len(e.timerNames), scanNames)]
	for i := range first {
		if first[i] == name {
			return int32(i)
		}
	}
	if i, ok := e.timerIndex[name]; ok {
		return i
	}
	i := int32(len(e.timerNames))
	e.timerNames = append(e.timerNames, name)
	if i >= scanNames {
		if e.timerIndex == nil {
			e.timerIndex = make(map[string]int32)
		}
		e.timerIndex[name] = i
	}
	return i
}

// scanNames is how many timer names timerName compares one by one.
const scanNames = 8

// process handles one event: it steps a node, or records a fault, or
// discards the event (a timer of a crashed node, a fault after the faults
// ended). It reports whether the event counted.
func (e *Engine[M, N]) process(ev event[M]) (bool, error) {
	st := &e.step
	*st = Step[M, N]{Time: e.now, Node: ev.node, In: e.input(&ev), Sends: st.Sends[:0]}
	switch ev.kind {
	case Timer:
		if ns := &e.ns[ev.node]; ns.down || ev.epoch != ns.epoch {
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
		if !e.ns[ev.node].down || e.fs.downBy[ev.node] != ev.aux {
			// Restarted already (when the faults ended), or the end of
			// a crash that never happened because the node was down.
			return false, nil
		}
		e.ns[ev.node].down, e.fs.downBy[ev.node] = false, -1
		st.Crash = int(ev.aux)
	case CrashKind:
		if !e.fs.on || e.ns[ev.node].down {
			return false, nil
		}
		e.ns[ev.node].down, e.fs.downBy[ev.node] = true, ev.aux
		e.ns[ev.node].epoch++
		st.Crash = int(ev.aux)
		e.observe(st)
		return true, nil
	case PartitionStart, PartitionEnd:
		if !e.fs.on {
			return false, nil
		}
		st.Partition = int(ev.aux)
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
			e.schedule(event[M]{at: e.now, node: NodeID(id), kind: Recover, durable: c.Durable, aux: by})
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
	ns := &e.ns[ev.node]
	env := &e.env
	env.now, env.self, env.rng, env.queue = e.now, ev.node, &ns.r, &e.queue
	env.sends, env.timers, env.cancel, env.notes = env.sends[:0], env.timers[:0], env.cancel[:0], env.notes[:0]
	ns.node.Step(env, e.step.In)

	st := &e.step
	st.Notes = env.notes
	for _, out := range env.sends {
		if err := e.checkSend(ev.node, out); err != nil {
			return err
		}
		e.lastID++
		e.count(out.Msg.Kind())
		// Draw loss and duplication only while they can happen, so that a
		// run without faults draws exactly the same latencies.
		lost := e.fs.on && e.cfg.Faults.Loss > 0 && e.chance(LabelLoss, e.cfg.Faults.Loss, e.lastID)
		arrive := e.deliver(ev.node, out, lost)
		dup := !lost && e.fs.on && e.cfg.Faults.Duplicate > 0 && e.chance(LabelDuplicate, e.cfg.Faults.Duplicate, e.lastID)
		var again Time
		if dup {
			e.dups++
			again = e.deliver(ev.node, out, false)
		}
		st.Sends = append(st.Sends, Sent[M]{ID: e.lastID, To: out.To, Msg: out.Msg, Arrive: arrive, Duplicated: dup, Again: again})
	}
	for _, t := range env.timers {
		if t.after < 0 {
			return fmt.Errorf("sim: %s armed timer %q %v in the past", e.Name(ev.node), t.name, t.after)
		}
		e.seq++
		e.queue.put(t.slot, t.after, event[M]{at: e.now.Add(t.after), seq: e.seq, node: ev.node, epoch: ns.epoch,
			kind: Timer, aux: e.timerName(t.name)})
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
func (e *Engine[M, N]) deliver(from NodeID, out Outgoing[M], lost bool) Time {
	var lat time.Duration
	if e.cfg.Chooser == nil {
		lat = e.cfg.Latency.Sample(e.net)
	} else {
		lat = e.chooseLatency(e.lastID)
	}
	e.maxLat = max(e.maxLat, lat)
	arrive := e.now.Add(lat)
	e.seq++
	e.queue.push(event[M]{at: arrive, seq: e.seq, id: e.lastID, msg: out.Msg, node: out.To, from: from, kind: Deliver, lost: lost})
	return arrive
}

// checkSend enforces Restrict and rejects sends to nodes that do not exist.
func (e *Engine[M, N]) checkSend(from NodeID, out Outgoing[M]) error {
	if out.To < 0 || int(out.To) >= len(e.ns) {
		return fmt.Errorf("sim: %s sent %s to unknown node %d", e.Name(from), out.Msg.Kind(), out.To)
	}
	switch e.ns[from].only {
	case anyone, out.To:
		return nil
	}
	allowed := e.allowed[from]
	if slices.Contains(allowed, out.To) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, id := range allowed {
		names[i] = e.Name(id)
	}
	return fmt.Errorf("%w: %s sent %s to %s, but may send only to %s",
		ErrForbiddenSend, e.Name(from), out.Msg.Kind(), e.Name(out.To), strings.Join(names, ", "))
}

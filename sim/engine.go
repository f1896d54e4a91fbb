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
}

// Step records one step of one node, as observers see it after the step.
type Step[M Message, N Note] struct {
	Time  Time
	Node  NodeID
	In    Input[M]
	Notes []N
	Sends []Sent[M]
}

// Sent is a message as the network accepted it.
type Sent[M Message] struct {
	ID     MsgID
	To     NodeID
	Msg    M
	Arrive Time
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
	allowed   [][]NodeID // nil: the node may send to any node
	observers []Observer[M, N]

	net    *rand.Rand
	queue  queue[M]
	now    Time
	seq    uint64
	lastID MsgID
	sent   map[string]int64
	maxLat time.Duration

	env  Env[M, N]
	step Step[M, N]
}

// New returns an engine with no nodes. It panics if cfg.Latency is invalid:
// callers validate configuration before building an engine.
func New[M Message, N Note](cfg Config) *Engine[M, N] {
	if err := cfg.Latency.Validate(); err != nil {
		panic(err)
	}
	return &Engine[M, N]{
		cfg:  cfg,
		net:  NewRand(cfg.Seed, streamNetwork),
		sent: make(map[string]int64),
	}
}

// Add adds a node under a name used in traces and returns its ID. IDs are
// handed out in order from 0.
func (e *Engine[M, N]) Add(name string, n Node[M, N]) NodeID {
	id := NodeID(len(e.nodes))
	e.nodes = append(e.nodes, n)
	e.names = append(e.names, name)
	e.rngs = append(e.rngs, NewRand(e.cfg.Seed, streamNode+uint64(id)))
	e.allowed = append(e.allowed, nil)
	return id
}

// Restrict limits node to sending to the given nodes only. A send to any
// other node makes Run fail: it is a bug in the protocol, not a message to
// drop quietly.
func (e *Engine[M, N]) Restrict(node NodeID, to ...NodeID) {
	// Never nil, even with no targets: nil means unrestricted.
	e.allowed[node] = append(make([]NodeID, 0, len(to)), to...)
}

// Observe registers an observer; observers are called in the order they
// were registered.
func (e *Engine[M, N]) Observe(o Observer[M, N]) {
	e.observers = append(e.observers, o)
}

// Name returns the name a node was added under.
func (e *Engine[M, N]) Name(id NodeID) string {
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
		if e.cfg.MaxTime > 0 && e.queue.peek().at > e.cfg.MaxTime {
			reason = MaxTimeReached
			e.now = e.cfg.MaxTime
			break
		}
		ev := e.queue.pop()
		e.now = ev.at
		events++
		if err := e.process(ev); err != nil {
			return e.result(Aborted, events), err
		}
	}
	if reason == Idle && done() {
		reason = Done
	}
	return e.result(reason, events), nil
}

func (e *Engine[M, N]) result(reason StopReason, events int64) Result {
	r := Result{Reason: reason, Now: e.now, Events: events, MaxLatency: e.maxLat}
	for kind, n := range e.sent {
		r.Sent = append(r.Sent, KindCount{kind, n})
	}
	// Map order is random; the result must not be.
	slices.SortFunc(r.Sent, func(a, b KindCount) int { return strings.Compare(a.Kind, b.Kind) })
	return r
}

func (e *Engine[M, N]) schedule(at Time, node NodeID, in Input[M]) {
	e.seq++
	e.queue.push(event[M]{at: at, seq: e.seq, node: node, in: in})
}

// process steps one node with one input and applies what it asked for.
func (e *Engine[M, N]) process(ev event[M]) error {
	for _, o := range e.observers {
		o.BeforeStep(e.now, ev.node)
	}
	env := &e.env
	env.now, env.self, env.rng = e.now, ev.node, e.rngs[ev.node]
	env.sends, env.timers, env.notes = env.sends[:0], env.timers[:0], env.notes[:0]
	e.nodes[ev.node].Step(env, ev.in)

	st := &e.step
	st.Time, st.Node, st.In, st.Notes = e.now, ev.node, ev.in, env.notes
	st.Sends = st.Sends[:0]
	for _, out := range env.sends {
		if err := e.checkSend(ev.node, out); err != nil {
			return err
		}
		lat := e.cfg.Latency.Sample(e.net)
		e.maxLat = max(e.maxLat, lat)
		e.lastID++
		arrive := e.now.Add(lat)
		e.schedule(arrive, out.to, Input[M]{Kind: Deliver, ID: e.lastID, From: ev.node, Msg: out.msg})
		e.sent[out.msg.Kind()]++
		st.Sends = append(st.Sends, Sent[M]{ID: e.lastID, To: out.to, Msg: out.msg, Arrive: arrive})
	}
	for _, t := range env.timers {
		if t.after < 0 {
			return fmt.Errorf("sim: %s armed timer %q %v in the past", e.Name(ev.node), t.name, t.after)
		}
		e.schedule(e.now.Add(t.after), ev.node, Input[M]{Kind: Timer, Timer: t.name})
	}
	for _, o := range e.observers {
		o.AfterStep(st)
	}
	return nil
}

// checkSend enforces Restrict and rejects sends to nodes that do not exist.
func (e *Engine[M, N]) checkSend(from NodeID, out outgoing[M]) error {
	if out.to < 0 || int(out.to) >= len(e.nodes) {
		return fmt.Errorf("sim: %s sent %s to unknown node %d", e.Name(from), out.msg.Kind(), out.to)
	}
	allowed := e.allowed[from]
	if allowed == nil || slices.Contains(allowed, out.to) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, id := range allowed {
		names[i] = e.Name(id)
	}
	return fmt.Errorf("%w: %s sent %s to %s, but may send only to %s",
		ErrForbiddenSend, e.Name(from), out.msg.Kind(), e.Name(out.to), strings.Join(names, ", "))
}

package explore

import (
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"strings"

	"eccounter/model"
	"eccounter/sim"
	"eccounter/viz"
)

// Options bound and steer a search.
type Options struct {
	// MaxPerLink is K: at most K messages of one server's rounds may be
	// in flight between it and a peer: its pushes and questions to the
	// peer, and the peer's answers to them (a round whose sends would
	// overfill is not enabled; answers are always sent). The peer's own
	// rounds count apart. 0 means 1.
	MaxPerLink int
	// SyncOnChange: a server's round is enabled only after its value
	// changed since its last one, rather than whenever its links allow;
	// and, standing for the rounds that periodic sync would repeat,
	// after a message of its round was lost or dropped at a server that
	// was down, and after a server lost its state in a restart without
	// durable storage (then every server's).
	SyncOnChange bool
	// SameInstant: a message sent at an earlier instant may also arrive
	// at the instant of the step before, so that the steps of one
	// instant are explored too (see the package doc).
	SameInstant bool
	// MaxCrashes bounds the crashes a path may have, of those the
	// scenario lists ([[crash]]: which server, and whether durable):
	// each may happen once, at any point while the faults last, and
	// its server restarts at any point after. 0 means all of them.
	MaxCrashes int
	// MaxLosses and MaxDuplicates bound the messages a path may lose or
	// duplicate, when the scenario's faults can (loss, duplicate > 0).
	MaxLosses, MaxDuplicates int
	// MaxStates stops the search, incomplete, once it has stored that
	// many distinct states. 0 means DefaultMaxStates.
	MaxStates int64
	// MaxMemory stops the search, incomplete, once its heap holds that
	// many bytes. 0 means DefaultMaxMemory.
	MaxMemory int64
	// Graph, if positive, records the state graph (Result.Graph) of a
	// configuration of at most that many states; a larger one gives no
	// graph, and Result.States says how large it was.
	Graph int
	// Workers is how many goroutines expand states at once; 0 means
	// GOMAXPROCS. The verdict, the counts and the counterexample are the
	// same whatever it is.
	Workers int
	// NoSymmetry stores every renaming of a state, rather than one
	// representative (see symmetry.go). Symmetry applies only with
	// SyncOnChange, or where liveness is not judged (rumor mongering or
	// direct mail alone under faults).
	NoSymmetry bool
	// Progress, if set, is called now and then during the search (after
	// each batch of states expanded) with what it has seen so far.
	Progress func(states, transitions int64, depth int)
	// observe, for the tests, sees every state stored.
	observe func(x *explorer, w *world)
	// Exact stores whole states rather than 64-bit fingerprints: no
	// collision can hide a state, at some ten times the memory.
	Exact bool
}

// DefaultMaxStates is the states a search stores at most, unless told.
const DefaultMaxStates = 20_000_000

// DefaultMaxMemory is the heap a search may hold at most, unless told.
const DefaultMaxMemory = 8 << 30

// Verdict is what a search concludes.
type Verdict string

// The verdicts.
const (
	// Proved: no violation in any schedule within the bounds.
	Proved Verdict = "proved"
	// Counterexample: a schedule breaks a check.
	Counterexample Verdict = "counterexample"
	// Incomplete: a limit stopped the search before it saw every state.
	Incomplete Verdict = "incomplete"
)

// Step is one step of a counterexample: the event that fires and how its
// choices are answered, as the simulator's schedules have it.
type Step = model.ScheduleStep

// Choice is one answered choice.
type Choice = model.ScheduleChoice

// Result is what a search found.
type Result struct {
	Verdict Verdict
	// Check and What: the check a counterexample breaks, and how.
	Check, What string
	// Why: what stopped an incomplete search.
	Why string
	// States counts the distinct states stored, Transitions the steps
	// tried from them, Depth the longest shortest path to a state (the
	// levels of the breadth-first search).
	States, Transitions int64
	Depth               int
	// Path is a counterexample's schedule; for liveness, the way to the
	// cycle, and Cycle the cycle, which a fair run may repeat for ever.
	Path, Cycle []Step
	// Graph is the state graph, with Options.Graph, if the states were
	// no more than it allows.
	Graph *viz.StateGraph
	// Reductions says which reductions the verdict was reached with, and
	// why not the others, in words. Partial-order reduction is not built;
	// the parallel search is no reduction (it finds the same states).
	Reductions string
	// Collision is the probability that two distinct states had the same
	// fingerprint, so that one was never explored: 0 in exact mode.
	Collision float64
}

// errConfig marks what a scenario asks that the explorer cannot explore.
var errConfig = errors.New("explore")

// explorer is one configuration ready to explore: scratch nodes to load
// states into and step, and what the bounds allow.
type explorer struct {
	cfg     model.Config
	opt     Options
	servers []model.Replica
	clients []model.Client
	ns, nc  int
	names   []string
	stepper *sim.Stepper[model.Msg, model.Note]
	ch      chooser
	script  []int
	sends   []sim.Sent[model.Msg]
	// next is the world fire builds, and nodeBuf holds the node states
	// it writes: both valid until the next fire.
	next    world
	nodeBuf []byte
	// judge makes the simulator's checks of a server step.
	judge model.StepJudge
	// steps: successors describes the steps it takes, for a path.
	steps bool
	// sym renames states to their representatives; nil without symmetry.
	sym   *symmetry
	lossy bool
	dupes bool
	// unbacked: the servers do not promise to converge (rumor
	// mongering, or direct mail under faults, alone): no end state or
	// cycle of theirs fails for want of agreement.
	unbacked bool
	// appendNow is the time node states are written as of: the
	// instant with SameInstant, and otherwise a time no step has, so
	// that no node's state ever says "now" (every step is at an instant
	// of its own).
	appendNow sim.Time
	// init is the world before any node starts, written from the
	// nodes as NewNodes built them: the scratch nodes change from then on.
	init world
}

// now is the virtual time every step happens at: what matters to a node
// is only whether it equals a time it remembers (see model.AppendState).
const now sim.Time = sim.Time(1 << 40)

// withDefaults fills in what opt leaves at 0 (see Options).
func (opt Options) withDefaults(cfg model.Config) Options {
	if opt.MaxPerLink <= 0 {
		opt.MaxPerLink = 1
	}
	if opt.MaxStates <= 0 {
		opt.MaxStates = DefaultMaxStates
	}
	if opt.MaxMemory <= 0 {
		opt.MaxMemory = DefaultMaxMemory
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.MaxCrashes <= 0 {
		opt.MaxCrashes = len(cfg.Faults.Crashes)
	}
	return opt
}

func newExplorer(cfg model.Config, opt Options) (*explorer, error) {
	opt = opt.withDefaults(cfg)
	if cfg.Strategy == "" {
		cfg.Strategy = model.StrategyBroadcast
	}
	switch f := &cfg.Faults; {
	case len(f.Partitions) > 0:
		return nil, fmt.Errorf("%w: partitions are not explored yet (a partition is a time window, and a search has no clock); remove [[partition]], or run the simulator", errConfig)
	case len(f.Crashes) > 64:
		return nil, fmt.Errorf("%w: %d crashes: exploration allows at most 64 [[crash]] entries", errConfig, len(f.Crashes))
	case cfg.Servers+cfg.Clients > 64:
		return nil, fmt.Errorf("%w: %d nodes: exploration is for small configurations, at most 64 nodes", errConfig, cfg.Servers+cfg.Clients)
	case cfg.MaxValue > 64 && cfg.Clients > 0 && cfg.Requests > 0 && cfg.SetRatio > 0:
		return nil, fmt.Errorf("%w: max_value %d: every value is a branch of the search, so exploration allows at most 64 (try 3)", errConfig, cfg.MaxValue)
	case cfg.Inject >= 64:
		return nil, fmt.Errorf("%w: inject %d: exploration allows values below 64", errConfig, cfg.Inject)
	case opt.SyncOnChange && len(cfg.Strategy.Keys()) > 0 && cfg.Strategy != model.StrategyRing:
		// Strategies with random partners (and rumor mongering's).
		return nil, fmt.Errorf("%w: -sync-on-change with strategy %s: one round with a random partner after a change may never reach the other servers, so only broadcast, ring and direct-mail sync on change; explore %s with periodic sync", errConfig, cfg.Strategy, cfg.Strategy)
	}
	servers, clients, err := model.NewNodes(cfg)
	if err != nil {
		return nil, err
	}
	x := &explorer{cfg: cfg, stepper: sim.NewStepper[model.Msg, model.Note](timerNames...), opt: opt, servers: servers, clients: clients, ns: len(servers), nc: len(clients),
		lossy: cfg.Faults.Loss > 0 && opt.MaxLosses > 0, dupes: cfg.Faults.Duplicate > 0 && opt.MaxDuplicates > 0,
		unbacked: !cfg.PromisesConvergence(), appendNow: -1}
	if opt.SameInstant {
		x.appendNow = now
	}
	x.judge.Names = x
	x.init = x.initial()
	// With periodic sync the liveness graph nearly always has a cycle
	// (rounds that change nothing), which symmetry cannot judge (see
	// symmetry.go): it would only make a first search to throw away.
	if !opt.NoSymmetry && (opt.SyncOnChange || x.unbacked) {
		x.sym = newSymmetry(x)
		if len(x.sym.classes) == 0 && !slices.ContainsFunc(x.sym.clientsOf, func(c []sim.NodeID) bool { return len(c) > 1 }) {
			x.sym = nil // nothing is interchangeable
		}
	}
	for i := range x.ns {
		x.names = append(x.names, model.ServerName(i))
	}
	for i := range x.nc {
		x.names = append(x.names, model.ClientName(i))
	}
	return x, nil
}

// The node states of the search are written as of the instant when they
// stepped at it; at loads them as of the instant of the step to come.
func (x *explorer) load(w *world, id sim.NodeID, at sim.Time) sim.Node[model.Msg, model.Note] {
	if int(id) < x.ns {
		if _, err := model.LoadState(w.nodes[id], x.servers[id], at); err != nil {
			panic(err)
		}
		return x.servers[id]
	}
	c := &x.clients[int(id)-x.ns]
	if _, err := c.LoadState(w.nodes[id]); err != nil {
		panic(err)
	}
	return c
}

func (x *explorer) store(w *world, id sim.NodeID) {
	start := len(x.nodeBuf)
	if int(id) < x.ns {
		x.nodeBuf = model.AppendState(x.nodeBuf, x.servers[id], x.appendNow)
	} else {
		x.nodeBuf = x.clients[int(id)-x.ns].AppendState(x.nodeBuf)
	}
	w.nodes[id] = x.nodeBuf[start:len(x.nodeBuf):len(x.nodeBuf)]
}

// value returns server i's value in w.
func (x *explorer) value(w *world, i int) int64 {
	x.load(w, sim.NodeID(i), model.Past)
	return x.servers[i].Counter()
}

// clientsDone reports whether every client of w has finished.
func (x *explorer) clientsDone(w *world) bool { return w.done == 1<<x.nc-1 }

// converged reports whether every server of w holds the largest value any
// held.
//
// A restart without durable storage may destroy the largest value for
// good; then agreeing on what is left, with nothing larger in flight, is
// converging too (the run's checker calls the loss an anomaly).
func (x *explorer) converged(w *world) bool {
	if w.down != 0 {
		return false
	}
	first := x.value(w, 0)
	for i := range x.ns {
		if v := x.value(w, i); v != first || (v != w.hist.maxEver && w.hist.wiped < w.hist.maxEver) {
			return false
		}
	}
	for _, p := range w.flight {
		if p.msg.Value > first && int(p.to) < x.ns && int(p.from) < x.ns {
			return false
		}
	}
	return true
}

// violation is a check broken by a step or at a state.
type violation = model.Violation

// action is one thing that can happen next in a state: a message arrives
// (at the current instant, or at a later one) or a timer goes off.
type action struct {
	node sim.NodeID
	in   model.Input
	pkt  int // Deliver: its index in flight
	same bool
	// crash: for sim.CrashKind, the crash of the scenario.
	crash int
}

// label names an action for fairness: the same message on the same link,
// or the same timer of the same node, is the same action in every state.
// A round's choice of partners (and a rumor's coin) is part of its
// action: a server that picks its partners at random picks each of them
// eventually, with probability 1, and a search that let every round pick
// the same partner for ever would call anti-entropy broken, which it is
// not.
func (a action) label(choices []asked) string {
	l := a.baseLabel()
	for _, c := range choices {
		if c.label == model.ChoicePartner || c.label == model.ChoiceCoin {
			l += fmt.Sprintf(" %s=%d", c.label, c.answer)
		}
	}
	return l
}

func (a action) baseLabel() string {
	switch a.in.Kind {
	case sim.Deliver:
		m := a.in.Msg
		return fmt.Sprintf("d %d %d %d %d %d %t", a.in.From, a.node, m.Type, m.Value, m.Req, m.Accepted)
	case sim.CrashKind:
		return fmt.Sprintf("c %d", a.crash)
	case sim.Recover:
		return fmt.Sprintf("r %d", a.node)
	}
	return fmt.Sprintf("t %d %s", a.node, a.in.Timer)
}

// actions lists what can happen next in w, in canonical order.
func (x *explorer) actions(w *world, out []action) []action {
	for i, p := range w.flight {
		if i > 0 && w.flight[i-1].same(p) {
			continue // a second copy: the same action
		}
		in := model.Input{Kind: sim.Deliver, From: p.from, Msg: p.msg}
		out = append(out, action{node: p.to, in: in, pkt: i})
		if x.opt.SameInstant && w.cur != 0 {
			// The first copy sent at an earlier instant, if any.
			for j := i; j < len(w.flight) && w.flight[j].same(p); j++ {
				if !w.flight[j].fresh {
					out = append(out, action{node: p.to, in: in, pkt: j, same: true})
					break
				}
			}
		}
	}
	if !x.clientsDone(w) {
		// The faults last until the last client finishes.
		for k, c := range x.cfg.Faults.Crashes {
			if w.crashed&(1<<k) == 0 && w.down&(1<<c.Node) == 0 && bits.OnesCount64(w.crashed) < x.opt.MaxCrashes {
				out = append(out, action{node: c.Node, in: model.Input{Kind: sim.CrashKind, Durable: c.Durable}, crash: k})
			}
		}
	}
	for d := w.down; d != 0; d &= d - 1 {
		id := sim.NodeID(bits.TrailingZeros64(d))
		out = append(out, action{node: id, in: model.Input{Kind: sim.Recover, Durable: w.durable&(1<<id) != 0}})
	}
	for id, t := range w.timers {
		for b := range timerNames {
			if t&(1<<b) == 0 {
				continue
			}
			if x.opt.SyncOnChange && id < x.ns && timerNames[b] != model.TimeoutTimer && w.dirty&(1<<id) == 0 {
				continue
			}
			out = append(out, action{node: sim.NodeID(id), in: model.Input{Kind: sim.Timer, Timer: timerNames[b]}})
		}
	}
	return out
}

// fire takes action a in w with the choices the chooser's script gives,
// and returns the state it leads to. ok is false if the outcome is not
// enabled (a round that would overfill a link). A violation is the first
// check the step broke.
//
// The world returned is the explorer's own, valid until the next fire:
// clone it to keep it.
func (x *explorer) fire(w *world, a action) (next *world, v *violation, ok bool) {
	x.nodeBuf = x.nodeBuf[:0]
	next = &x.next
	next.copyFrom(w)
	faultsOn := !x.clientsDone(w)
	at := model.Past
	if a.same {
		at = now
	} else if x.opt.SameInstant {
		x.newInstant(next)
	}
	switch a.in.Kind {
	case sim.Deliver:
		next.remove(a.pkt)
		if next.down&(1<<a.node) != 0 {
			if int(a.in.From) < x.ns && x.opt.SyncOnChange {
				next.dirty |= 1 << a.in.From // see resync
			}
			return next, nil, true // dropped: its server is down
		}
	case sim.Timer:
		bit, _ := timerBit(a.in.Timer)
		next.timers[a.node] &^= bit
	case sim.CrashKind:
		// The server stops, and its timers with it.
		next.down |= 1 << a.node
		next.durable &^= 1 << a.node
		if a.in.Durable {
			next.durable |= 1 << a.node
		}
		next.crashed |= 1 << a.crash
		next.timers[a.node] = 0
		return next, nil, true
	case sim.Recover:
		next.down &^= 1 << a.node
	}
	node := x.load(next, a.node, at)
	server := int(a.node) < x.ns
	var before int64
	if server {
		before = x.servers[a.node].Counter()
	}
	x.stepper.Step(node, a.node, now, &x.ch, a.in)
	x.store(next, a.node)
	if x.opt.SameInstant {
		next.cur |= 1 << a.node
	}
	for _, op := range x.stepper.Timers() {
		bit, known := timerBit(op.Name)
		if !known {
			panic("explore: a node armed a timer the search does not know: " + op.Name)
		}
		if op.Cancel {
			next.timers[a.node] &^= bit
		} else {
			next.timers[a.node] |= bit
		}
	}
	x.sends = x.sends[:0]
	lost := false
	for _, s := range x.stepper.Sends() {
		x.sends = append(x.sends, sim.Sent[model.Msg]{To: s.To, Msg: s.Msg})
		// Only a server's rounds are bounded: a client's timeout sends
		// its next request (of a bounded few) whatever is in flight.
		if a.in.Kind == sim.Timer && server && x.overfills(next, a.node, s) {
			return next, nil, false
		}
		if !server {
			if c := &x.clients[int(a.node)-x.ns]; s.To != c.Subject && v == nil {
				v = &violation{Check: "clients-use-own-server", What: fmt.Sprintf("%s sent %s to %s, but may send only to %s",
					x.names[a.node], s.Msg.Kind(), x.names[s.To], x.names[c.Subject])}
			}
		}
		p := packet{from: a.node, to: s.To, msg: s.Msg, fresh: x.opt.SameInstant}
		// The network's choices are asked of every send while the
		// scenario's faults can lose or duplicate, as the engine asks them
		// of a schedule's replay; past the bounds, or once the faults are
		// over here, the answer is no.
		if x.cfg.Faults.Loss > 0 && x.ch.pick(sim.LabelLoss, 0, b2i(faultsOn && x.lossy && int(next.hist.losses) < x.opt.MaxLosses)) == 1 {
			next.hist.losses++
			lost = true
			continue
		}
		next.add(p)
		if x.cfg.Faults.Duplicate > 0 && x.ch.pick(sim.LabelDuplicate, 0, b2i(faultsOn && x.dupes && int(next.hist.dups) < x.opt.MaxDuplicates)) == 1 {
			next.hist.dups++
			next.add(p)
		}
	}
	h := &next.hist
	if server {
		after := x.servers[a.node].Counter()
		if found, bad := x.judge.Judge(a.in, before, after, x.sends, a.node); bad && v == nil {
			c := found
			v = &c
		}
		if a.in.Kind == sim.Recover && !a.in.Durable {
			h.wiped = max(h.wiped, before)
			for i := range x.nc {
				if x.clients[i].Subject == a.node {
					h.stale |= 1 << i
					h.pending |= 1 << i
				}
			}
		}
		if after != before {
			if after != 0 && (after < 0 || after >= 64 || h.proposed&(1<<after) == 0) && v == nil {
				v = &violation{Check: "no-invented-values", What: fmt.Sprintf("%s holds %d, which no client set", x.names[a.node], after)}
			}
			h.maxEver = max(h.maxEver, after)
			next.dirty |= 1 << a.node
		}
		if a.in.Kind == sim.Timer && a.in.Timer != model.TimeoutTimer {
			next.dirty &^= 1 << a.node
			if after != before || lost {
				next.dirty |= 1 << a.node // see resync
			}
		}
		if a.in.Kind == sim.Recover && !a.in.Durable {
			next.dirty |= 1<<x.ns - 1 // see resync
		}
		if !x.opt.SyncOnChange {
			next.dirty = 0 // read only by sync on change: no state apart for it
		}
		if a.in.Kind == sim.Deliver && a.in.Msg.Type == model.Set {
			for _, s := range x.sends {
				if s.To == a.in.From && s.Msg.Type == model.SetReply && s.Msg.Accepted {
					h.maxAccepted = max(h.maxAccepted, a.in.Msg.Value)
				}
			}
		}
		return next, v, true
	}
	i := int(a.node) - x.ns
	for _, s := range x.sends {
		if s.Msg.Type == model.Set && s.Msg.Value >= 0 && s.Msg.Value < 64 {
			h.proposed |= 1 << s.Msg.Value
		}
	}
	for _, n := range x.stepper.Notes() {
		if n.Kind != model.Op || n.Op != model.Get || n.TimedOut {
			continue
		}
		if last := h.reads[i]; last > 0 && n.Value < last-1 && v == nil && h.stale&(1<<i) == 0 {
			v = &violation{Check: "monotonic-reads", What: fmt.Sprintf("%s read %d after reading %d", x.names[a.node], n.Value, last-1)}
		}
		// A read goes back as an anomaly if the server lost its value
		// after the last read was invoked (as the run's checker says):
		// for the next read, that is this one.
		h.reads[i] = n.Value + 1
		h.stale = h.stale&^(1<<i) | h.pending&(1<<i)
	}
	if len(x.sends) > 0 {
		h.pending &^= 1 << i // a new request, invoked now
	}
	if x.clients[i].Done {
		next.done |= 1 << i
	}
	return next, v, true
}

// resync: with Options.SyncOnChange a server's round is enabled by a
// change of its value, and also by what periodic sync would mend with a
// later round: a message of the round lost, or dropped at a server that
// was down, or a server that came back without its state (every server
// holding what it lost syncs again). Without those, sync on change would
// fail to converge where the protocol does not.

// overfills reports whether a round's send s from server from would
// overfill its link, or the link back for its answer. Only from's own
// exchanges count: its pushes and questions on the link out, and the
// answers to its questions on the link back; the peer's questions, and
// the answers from sends to them, are the peer's (counted by link alone,
// a question in flight each way blocked both rounds, so the explorer
// never saw two servers whose rounds fire at once both pull, which is
// what nearly every run does). Answers are always sent (a server must
// answer), so a round that asks is held back until its answer has room,
// or the answers would pile up without bound on the way back.
func (x *explorer) overfills(w *world, from sim.NodeID, s sim.Outgoing[model.Msg]) bool {
	if w.onLink(from, s.To, isRound) >= x.opt.MaxPerLink {
		return true
	}
	if isQuestion(s.Msg.Type) {
		return w.onLink(s.To, from, isAnswer) >= x.opt.MaxPerLink
	}
	return false
}

// newInstant moves w to a later instant: nothing is fresh any more, and
// no node has stepped at it.
func (x *explorer) newInstant(w *world) {
	for i := range w.flight {
		w.flight[i].fresh = false
	}
	for c := w.cur; c != 0; c &= c - 1 {
		id := sim.NodeID(bits.TrailingZeros64(c))
		x.load(w, id, model.Past)
		x.store(w, id)
	}
	w.cur = 0
}

// Name names node id, for model.StepJudge.
func (x *explorer) Name(id sim.NodeID) string {
	if id < 0 || int(id) >= len(x.names) {
		return "the network"
	}
	return x.names[id]
}

// initial returns the world before any node has started.
func (x *explorer) initial() world {
	w := world{nodes: make([][]byte, x.ns+x.nc), timers: make([]uint8, x.ns+x.nc)}
	w.hist.reads = make([]int64, x.nc)
	if v := x.cfg.Inject; v > 0 && x.ns > 0 {
		w.hist.maxEver = v
		w.hist.proposed = 1 << v
		w.dirty = uint64(b2i(x.opt.SyncOnChange))
	}
	for id := range w.nodes {
		x.store(&w, sim.NodeID(id))
	}
	return w.clone()
}

// starts calls visit with each state the run can begin in: every node
// started, in the order of their IDs as the engine starts them, each
// outcome of their choices in turn (the clients' first requests). The
// Start steps of different nodes touch nothing in common, so one order
// stands for all.
func (x *explorer) starts(visit func(w *world, steps []Step, v *violation)) {
	init := x.init
	script := []int{}
	for {
		x.ch.reset(script)
		w := init.clone()
		var steps []Step
		var v *violation
		for id := range sim.NodeID(x.ns + x.nc) {
			n0 := len(x.ch.asked)
			a := action{node: id, in: model.Input{Kind: sim.Start}}
			next, bad, _ := x.fire(&w, a)
			w = next.clone()
			if bad != nil && v == nil {
				v = bad
			}
			steps = append(steps, Step{Node: id, Kind: sim.Start, Choices: choicesOf(x.ch.asked[n0:])})
		}
		if x.opt.SameInstant {
			x.newInstant(&w)
		}
		visit(&w, steps, v)
		var more bool
		if script, more = x.ch.next(script); !more {
			return
		}
	}
}

func choicesOf(as []asked) []Choice {
	if len(as) == 0 {
		return nil
	}
	out := make([]Choice, len(as))
	for i, a := range as {
		out[i] = Choice{Label: a.label, Answer: a.answer}
	}
	return out
}

// successors calls visit with each state w leads to in one step, in
// canonical order, with the action and the step taken; visit returns
// false to stop.
func (x *explorer) successors(w *world, acts []action, visit func(next *world, a action, st Step, v *violation) bool) {
	for _, a := range acts {
		script := x.script[:0]
		for {
			x.ch.reset(script)
			next, v, ok := x.fire(w, a)
			if ok {
				var st Step
				if x.steps {
					st = Step{Node: a.node, Kind: a.in.Kind, From: a.in.From, Msg: a.in.Msg, Timer: a.in.Timer, Crash: a.crash, SameInstant: a.same, Choices: choicesOf(x.ch.asked)}
					if a.in.Kind != sim.Deliver {
						st.From = 0
					}
				}
				if !visit(next, a, st, v) {
					return
				}
			}
			var more bool
			if script, more = x.ch.next(script); !more {
				break
			}
		}
		x.script = script
	}
}

// endViolation judges a state in which nothing more can happen: every
// client must have finished, and every server hold the largest value any
// held, and no accepted set be lost.
func (x *explorer) endViolation(w *world) *violation {
	for i := range x.nc {
		x.load(w, sim.NodeID(x.ns+i), model.Past)
		if c := &x.clients[i]; !c.Done {
			return &violation{Check: "clients-complete", What: fmt.Sprintf("%s completed %d of %d requests, and nothing more can happen",
				x.names[x.ns+i], max(c.Sent-1, 0), c.Requests)}
		}
	}
	news := x.stillNews(w)
	lowest := int64(-1)
	for i := range x.ns {
		v := x.value(w, i)
		if lowest < 0 || v < lowest {
			lowest = v
		}
		if v != w.hist.maxEver && x.unbacked && news == "" {
			// A residue: what rumor mongering or direct mail alone may
			// leave, once no server has news to spread.
			continue
		}
		if v != w.hist.maxEver && w.hist.wiped < w.hist.maxEver {
			check := "converged-to-max"
			if x.cfg.Unbacked() {
				// Direct mail alone promises convergence only through
				// its bound, as the run's checker judges it.
				check = "liveness"
			}
			return &violation{Check: check, What: fmt.Sprintf("%s holds %d, but %d was held, and nothing more can happen", x.names[i], v, w.hist.maxEver) + news}
		}
	}
	if w.hist.maxAccepted > lowest && !x.unbacked && w.hist.wiped < w.hist.maxAccepted {
		return &violation{Check: "acknowledged-sets-kept", What: fmt.Sprintf("a set of %d was accepted, but a server ends with %d", w.hist.maxAccepted, lowest)}
	}
	return nil
}

// unsettled reports whether w is a state a fair path must leave, once
// every client has finished: the servers disagree; or, for servers that
// promise no convergence, one still has news to spread (the run's stop
// rule waits for none to have any, and a run that never gets there fails).
func (x *explorer) unsettled(w *world) bool {
	if x.unbacked {
		return x.stillNews(w) != ""
	}
	return !x.converged(w)
}

// stillNews says, for servers that promise no convergence, why an end
// without it is a failure all the same: a server still has news to
// spread, so the run's stop rule does not hold, and a run that can do
// nothing more but does not stop by it fails, as the run's checker has it.
func (x *explorer) stillNews(w *world) string {
	if !x.unbacked {
		return ""
	}
	for i := range x.ns {
		x.load(w, sim.NodeID(i), model.Past)
		if x.servers[i].Infective() {
			return fmt.Sprintf(", though %s still has news to spread", x.names[i])
		}
	}
	return ""
}

// bounds says under which bounds a verdict holds, in words, of options with
// their defaults.
func bounds(cfg model.Config, opt Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "at most %d message%s of a server's own rounds per link", opt.MaxPerLink, plural(opt.MaxPerLink))
	if opt.SyncOnChange {
		b.WriteString(", a server syncs only after its value changed")
	} else {
		b.WriteString(", periodic sync")
	}
	if opt.SameInstant {
		b.WriteString(", same-instant arrivals")
	}
	if cfg.Faults.Loss > 0 && opt.MaxLosses > 0 {
		fmt.Fprintf(&b, ", at most %d lost", opt.MaxLosses)
	}
	if cfg.Faults.Duplicate > 0 && opt.MaxDuplicates > 0 {
		fmt.Fprintf(&b, ", at most %d duplicated", opt.MaxDuplicates)
	}
	if n := len(cfg.Faults.Crashes); n > 0 {
		fmt.Fprintf(&b, ", at most %d of the %d crash%s at any point", min(opt.MaxCrashes, n), n, pluralES(n))
	}
	return b.String()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pluralES(n int) string {
	if n == 1 {
		return ""
	}
	return "es"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

package model

import (
	"slices"
	"time"

	"eccounter/sim"
)

// SyncTimer is the name of the timer that makes a server sync.
const SyncTimer = "sync"

// Strategy is how servers sync their values, each sync interval.
type Strategy string

// The strategies. Besides broadcast, they are the anti-entropy of Demers et
// al., "Epidemic Algorithms for Replicated Database Maintenance" (PODC
// 1987), for a register whose conflicts resolve by taking the larger value:
// each interval a server picks Fanout partners uniformly at random among
// the other servers and
const (
	// StrategyBroadcast: sends its value to every other server (the
	// original emulation's way; Servers*(Servers-1) messages a round).
	StrategyBroadcast Strategy = "broadcast"
	// StrategyPush: sends its value to each partner, which takes it if
	// larger.
	StrategyPush Strategy = "push"
	// StrategyPull: asks each partner for its value, and takes the answer
	// if larger.
	StrategyPull Strategy = "pull"
	// StrategyPushPull: sends its value to each partner, which takes it
	// if larger and answers with its own, which the server takes if
	// larger: afterwards both hold the larger of the two.
	StrategyPushPull Strategy = "push-pull"
)

// MaxFanout bounds the partners a server picks a round.
const MaxFanout = 16

// Server is one replica of the counter. It answers its clients' gets and
// sets, and every SyncInterval it passes its value on to other servers (to
// all of them, or to random partners: see Strategy), so that once the sets
// stop every server ends up holding the largest value any of them had.
//
// Server is a plain value: copying it snapshots the node.
type Server struct {
	// ID is this server's node ID. Servers are nodes 0..Servers-1, so a
	// server's peers are every other ID in that range; the server needs
	// no list of them.
	ID           sim.NodeID
	Servers      int
	SyncInterval time.Duration
	// Strategy is how the server syncs, with Fanout partners a round
	// (not for broadcast, which syncs with every other server).
	Strategy Strategy
	Fanout   int

	// Value is the counter. It starts at 0 and never decreases.
	Value int64
}

// Counter returns the server's current value.
func (s *Server) Counter() int64 { return s.Value }

// Step handles one input: the start, a client's get or set, a peer's sync,
// or the sync timer going off.
func (s *Server) Step(env *Env, in Input) {
	switch in.Kind {
	case sim.Start:
		s.start(env)
	case sim.Deliver:
		switch in.Msg.Type {
		case Get:
			s.get(env, in.From, in.Msg.Req)
		case Set:
			s.set(env, in.From, in.Msg.Req, in.Msg.Value)
		case Sync, PullReply:
			s.receiveSync(env, in.Msg.Value)
		case Pull:
			s.answerPull(env, in.From)
		case PushPull:
			s.receiveSync(env, in.Msg.Value)
			s.answerPull(env, in.From)
		}
		// Servers receive no other kind of message: replies go to
		// clients only.
	case sim.Timer:
		s.sync(env)
	case sim.Recover:
		s.restart(env, in.Durable)
	}
}

// start arms the first sync timer. Every server arms it at the same moment,
// so all servers sync in phase, as in the original emulation. A server with
// no peers has nobody to sync with and arms nothing.
func (s *Server) start(env *Env) {
	if s.Servers > 1 {
		env.After(s.SyncInterval, SyncTimer)
	}
}

// get answers a client's read with the current value. There is no
// coordination with the other servers: a client may read a value older than
// one another server already holds. That is what "eventually consistent"
// allows.
func (s *Server) get(env *Env, client sim.NodeID, req uint64) {
	env.Send(client, Msg{Type: GetReply, Value: s.Value, Req: req})
}

// set takes value only if it is larger than the counter. Taking the maximum
// is what makes the servers converge whatever order the sets and syncs
// arrive in: max is commutative, associative and idempotent, so every
// server that has seen the same values holds the same result.
//
// The reply carries the value before the set: the old value if the set was
// accepted, the current one if it was rejected. A durable server writes the
// new value to its disk before replying (here: keeps it through a crash),
// so that an acknowledged set survives a crash.
func (s *Server) set(env *Env, client sim.NodeID, req uint64, value int64) {
	before := s.Value
	accepted := value > before
	if accepted {
		s.update(env, value)
	}
	env.Send(client, Msg{Type: SetReply, Value: before, Accepted: accepted, Req: req})
}

// sync is the timer going off: pass the current value on, as the strategy
// says, then arm the timer again for the next round.
//
// Broadcasting costs Servers*(Servers-1) messages a round, but after one
// round every server has heard of every value held at its start. The
// epidemic strategies send Fanout messages a round per server (twice that
// with a pull's answer), and spread a value to all servers in O(log
// Servers) rounds with high probability.
func (s *Server) sync(env *Env) {
	if s.Strategy == StrategyBroadcast || s.Strategy == "" {
		for peer := range sim.NodeID(s.Servers) {
			if peer != s.ID {
				env.Send(peer, Msg{Type: Sync, Value: s.Value})
			}
		}
	} else {
		var buf [MaxFanout]sim.NodeID
		for _, peer := range s.partners(env, buf[:0]) {
			switch s.Strategy {
			case StrategyPush:
				env.Send(peer, Msg{Type: Sync, Value: s.Value})
			case StrategyPull:
				env.Send(peer, Msg{Type: Pull})
			case StrategyPushPull:
				env.Send(peer, Msg{Type: PushPull, Value: s.Value})
			}
		}
	}
	env.After(s.SyncInterval, SyncTimer)
}

// partners picks Fanout distinct servers other than this one, uniformly at
// random, from the server's own random stream.
func (s *Server) partners(env *Env, out []sim.NodeID) []sim.NodeID {
	k := min(s.Fanout, s.Servers-1, MaxFanout)
	for len(out) < k {
		// One of the Servers-1 others: skip over this server's own ID.
		p := sim.NodeID(env.Rand().IntN(s.Servers - 1))
		if p >= s.ID {
			p++
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// answerPull answers a peer's pull (or push-pull) with the current value.
func (s *Server) answerPull(env *Env, peer sim.NodeID) {
	env.Send(peer, Msg{Type: PullReply, Value: s.Value})
}

// receiveSync takes a peer's value (pushed, or answering a pull) under the
// same rule as a set: only if it is larger. A stale or repeated sync
// therefore changes nothing.
func (s *Server) receiveSync(env *Env, value int64) {
	if value > s.Value {
		s.update(env, value)
	}
}

// restart brings the server back after a crash. Its timers died with it,
// so it must arm the sync timer again, or it would never sync again. A
// server without durable storage comes back with nothing: its counter is
// 0 again, and every value it held, even ones it acknowledged to clients,
// is gone from it. Peers that learned the value through sync still have
// it, and will sync it back; if none did, it is lost for good.
func (s *Server) restart(env *Env, durable bool) {
	if !durable && s.Value != 0 {
		s.update(env, 0)
	}
	s.start(env)
}

// update changes the counter and records the change for the trace.
func (s *Server) update(env *Env, value int64) {
	env.Record(Note{Kind: Update, Value: value, Prev: s.Value})
	s.Value = value
}

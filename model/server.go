package model

import (
	"time"

	"eccounter/sim"
)

// SyncTimer is the name of the timer that makes a server sync.
const SyncTimer = "sync"

// Server is one replica of the counter. It answers its clients' gets and
// sets, and every SyncInterval it tells every other server its value, so
// that once the sets stop every server ends up holding the largest value
// any of them had.
//
// Server is a plain value: copying it snapshots the node.
type Server struct {
	// ID is this server's node ID. Servers are nodes 0..Servers-1, so a
	// server's peers are every other ID in that range; the server needs
	// no list of them.
	ID           sim.NodeID
	Servers      int
	SyncInterval time.Duration

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
		case Sync:
			s.receiveSync(env, in.Msg.Value)
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

// sync is the timer going off: send the current value to every other
// server, then arm the timer again for the next round. Broadcasting to all
// peers costs Servers*(Servers-1) messages a round, but after one round
// every server has heard of every value held at its start.
func (s *Server) sync(env *Env) {
	for peer := range sim.NodeID(s.Servers) {
		if peer != s.ID {
			env.Send(peer, Msg{Type: Sync, Value: s.Value})
		}
	}
	env.After(s.SyncInterval, SyncTimer)
}

// receiveSync takes a peer's value under the same rule as a set: only if it
// is larger. A stale or repeated sync therefore changes nothing.
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

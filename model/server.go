package model

import (
	"time"

	"eccounter/sim"
)

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
	// Rumor says when a rumor-mongering server loses interest.
	Rumor Rumor

	// Value is the counter. It starts at 0 and never decreases.
	Value int64
	// News: the server has news to spread: it is infective for Value
	// (rumor mongering), or holds a value injected at the start
	// (Config.Inject) that it has yet to mail (direct mail), as if a
	// client had just set it. Counted counts the rounds counted towards
	// losing interest in it (see Rumor), and round is what the server
	// needs to judge the current round.
	News    bool
	Counted int
	round   round
	// origin is when the server started (or restarted): its rounds begin
	// every SyncInterval from then. awake: its sync timer is armed.
	origin sim.Time
	awake  bool
	// held is the value the server held before the instant of its
	// current step (stepped: it has stepped at all), which its answers
	// carry: see answerPull.
	instant sim.Time
	held    int64
	stepped bool
}

// Counter returns the server's current value.
func (s *Server) Counter() int64 { return s.Value }

// Infective reports whether the server has news to spread: a rumor, or
// with direct mail an injected value it has yet to mail.
func (s *Server) Infective() bool { return s.News }

// Step handles one input: the start, a client's get or set, a peer's
// message, a timer going off, or a restart. What a peer's message and a
// timer mean is the strategy's to say (see syncer); the rest is the
// protocol every strategy shares.
func (s *Server) Step(env *Env, in Input) {
	if now := env.Now(); !s.stepped || now != s.instant {
		s.instant, s.held, s.stepped = now, s.Value, true
	}
	switch in.Kind {
	case sim.Start:
		s.start(env)
	case sim.Deliver:
		switch in.Msg.Type {
		case Get:
			s.get(env, in.From, in.Msg.Req)
		case Set:
			s.set(env, in.From, in.Msg.Req, in.Msg.Value)
		default:
			// Servers receive no replies: those go to clients.
			s.Strategy.syncer().receive(s, env, in)
		}
	case sim.Timer:
		s.Strategy.syncer().timer(s, env, in.Timer)
	case sim.Recover:
		s.restart(env, in.Durable)
	}
}

// start begins the server's rounds (at the start, or again at a restart):
// they run every SyncInterval from now, and the strategy arms its timers.
// A server with no peers has nobody to sync with and arms nothing, nor
// has it news for anyone.
func (s *Server) start(env *Env) {
	s.origin, s.awake = env.Now(), false
	if s.Servers < 2 {
		s.News = false
		return
	}
	s.Strategy.syncer().start(s, env)
}

// get answers a client's read with the current value. There is no
// coordination with the other servers: a client may read a value older than
// one another server already holds. That is what "eventually consistent"
// allows.
func (s *Server) get(env *Env, client sim.NodeID, req uint32) {
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
func (s *Server) set(env *Env, client sim.NodeID, req uint32, value int64) {
	before := s.Value
	accepted := value > before
	if accepted {
		s.learn(env, value)
	}
	env.Send(client, Msg{Type: SetReply, Value: before, Accepted: accepted, Req: req})
	if accepted {
		s.Strategy.syncer().accepted(s, env)
	}
}

// merge takes a peer's value (pushed, or answering a pull) under the same
// rule as a set: only if it is larger. A stale or repeated sync therefore
// changes nothing.
func (s *Server) merge(env *Env, value int64) {
	if value > s.Value {
		s.learn(env, value)
	}
}

// answerPull answers a peer's pull (or push-pull) with the value the
// server held before this instant: messages that arrive at one instant
// arrive at once. The engine steps them one at a time, in the order they
// were sent, but that order is the simulator's, not the network's; were
// the answer to carry what the server took from a push-pull stepped just
// before, a value would travel two hops at one instant, server to server
// to server, and how far it got in a round would depend on that order.
// In synchronous rounds (see EpidemicConfig), where every question of a
// round arrives one latency after the round began, this is the value the
// server held when the round began, as in the model of Demers et al.
func (s *Server) answerPull(env *Env, peer sim.NodeID) {
	env.Send(peer, Msg{Type: PullReply, Value: s.held})
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
		// The rumor was in memory too, and so was what the server
		// held before this instant: it must not answer with it.
		s.News, s.Counted, s.round, s.held = false, 0, round{}, 0
	}
	s.start(env)
}

// learn takes a larger value, from a client's set or from a peer, and lets
// the strategy know: under rumor mongering the value is news to spread.
func (s *Server) learn(env *Env, value int64) {
	s.update(env, value)
	s.Strategy.syncer().learned(s, env)
}

// update changes the counter and records the change for the trace.
func (s *Server) update(env *Env, value int64) {
	env.Record(Note{Kind: Update, Value: value, Prev: s.Value})
	s.Value = value
}

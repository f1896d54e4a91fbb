package model

import (
	"slices"
	"time"

	"eccounter/sim"
)

// The timers of a server.
const (
	// SyncTimer makes a server sync, every SyncInterval.
	SyncTimer = "sync"
	// AntiEntropyTimer makes a rumor-mongering server run its backing
	// anti-entropy, every Rumor.AntiEntropy.
	AntiEntropyTimer = "anti-entropy"
)

// Strategy is how servers sync their values, each sync interval.
type Strategy string

// The strategies. Besides broadcast, they are the anti-entropy of Demers et
// al., "Epidemic Algorithms for Replicated Database Maintenance" (PODC
// 1987), for a register whose conflicts resolve by taking the larger value:
// each interval a server picks Fanout partners uniformly at random among
// the other servers and exchanges values with them, as each strategy below
// says. Ring picks fixed partners instead, and rumor mongering and direct
// mail are the paper's two other ways to spread an update.
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
	// larger: afterwards both hold the larger of the two. (A partner
	// answers with the value it held before the question arrived, not
	// with what other exchanges arriving at the same instant brought it:
	// see answerPull.)
	StrategyPushPull Strategy = "push-pull"
	// StrategyRing is push to fixed partners rather than random ones:
	// the servers form a ring in order of ID, and each sends its value
	// to the Fanout servers after it (server-n's next is server-1),
	// which take it if larger. Not from the papers, but the contrast
	// they draw: a value travels Fanout servers a round, so it takes
	// ceil((Servers-1)/Fanout) rounds to reach every server, where random
	// partners take O(log Servers).
	StrategyRing Strategy = "ring"

	// The rumor mongering of Demers et al.: a server that learns a new
	// larger value (from a client's set or from a peer) becomes
	// infective for it, and spreads it every round until it loses
	// interest as its Rumor says; then it is removed, and sends nothing
	// until it learns a larger value again. Unlike anti-entropy, this
	// can stop before every server has the value: the servers left out
	// are the residue, unless a backing anti-entropy (Rumor.AntiEntropy)
	// finds them later.
	//
	// StrategyRumorPush: an infective server sends the value to each
	// partner ("rumor"), which takes it if larger and, with feedback,
	// answers whether it was news ("rumor_ack").
	StrategyRumorPush Strategy = "rumor-push"
	// StrategyRumorPull: every server, infective or not, asks each
	// partner for its hot rumor ("rumor_pull", carrying its own value);
	// an infective partner answers with the value ("rumor_reply"), which
	// the asker takes if larger.
	StrategyRumorPull Strategy = "rumor-pull"

	// StrategyDirectMail is the direct mail of Demers et al.: a server
	// that accepts a client's set mails the new value at once to every
	// other server ("mail"), which takes it if larger and passes it on to
	// nobody. There are no rounds. Each update costs Servers-1 messages
	// and arrives within one latency, but a mail that is lost, or that
	// reaches a server which then loses its value in a crash, is never
	// sent again: the servers it missed are a residue, as with rumor
	// mongering, unless a backing anti-entropy (Rumor.AntiEntropy) finds
	// them.
	StrategyDirectMail Strategy = "direct-mail"
)

// Strategies lists every strategy, in the order the documentation gives
// them.
var Strategies = []Strategy{StrategyBroadcast, StrategyPush, StrategyPull, StrategyPushPull, StrategyRing,
	StrategyRumorPush, StrategyRumorPull, StrategyDirectMail}

// IsRumor reports whether st is a rumor-mongering strategy.
func (st Strategy) IsRumor() bool { return st == StrategyRumorPush || st == StrategyRumorPull }

// Backable reports whether st may leave servers out, and so may be backed
// by an anti-entropy (Rumor.AntiEntropy): rumor mongering and direct mail.
func (st Strategy) Backable() bool { return st.IsRumor() || st == StrategyDirectMail }

// Rumor is how a rumor-mongering server loses interest in a value, with
// the variants of Demers et al. The zero value, with K set, is feedback and
// counter, the variant of the paper's Table 1.
//
// The paper runs synchronous cycles, and so does the simulator with a
// fixed latency far below the sync interval: each sync interval is one
// round, and a server's round runs from one sync timer to the next. What
// the paper leaves to its simulation, this one decides as follows, and
// reproduces the paper's tables with it (docs/epidemics.md):
//   - A contact is one partner of one round: a push the server sent, or
//     a pull it answered. With feedback, it is necessary if the value was
//     news to the partner at the start of the round: for a push, the
//     receiver judges against the value it held when its round began, so
//     that two servers pushing the same news to a third in one round both
//     made a necessary contact, as if the contacts of a round happened at
//     once; for a pull, the pull carries the asker's value.
//   - Interest is judged once a round, when the next begins: a round with
//     a necessary contact restarts the counter; a round with contacts but
//     no necessary one (with any contact at all, if blind) counts once,
//     and the server loses interest when the count reaches K (counter) or
//     with probability 1/K (coin). "Lose interest only after k unnecessary
//     contacts", in the paper's words; its bound on the traffic of
//     counters, k(2m-1), holds only if a necessary contact restarts the
//     count, and with the count kept instead the residue comes out as the
//     coin's.
//   - A server that becomes infective in a round spreads from the next:
//     it pushes at its next sync timer, and answers pulls once that round
//     has begun. (A server already infective when its round began
//     answers with whatever it held before the pull arrived, even a value
//     learned since the round began.) A server that loses interest sends
//     and answers nothing more.
//   - Acknowledgements that come back after the server learned a larger
//     value concern a rumor it no longer spreads, and are ignored.
type Rumor struct {
	// K is the paper's k: contacts counted before losing interest, or
	// 1/K the chance of losing it at each (Coin).
	K int
	// Blind: lose interest whatever the partner knew, instead of only
	// after unnecessary contacts (feedback).
	Blind bool
	// Coin: at each counted contact, lose interest with probability 1/K,
	// instead of after K of them (counter).
	Coin bool
	// AntiEntropy, if not 0, is the interval of a backing anti-entropy:
	// a push-pull exchange with one random partner, which finds the
	// servers the rumors missed. A value it brings makes the server
	// infective again. Direct mail takes it too (and no other field).
	AntiEntropy time.Duration
}

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
	// Rumor says when a rumor-mongering server loses interest.
	Rumor Rumor

	// Value is the counter. It starts at 0 and never decreases.
	Value int64
	// Hot: the server is infective for Value (rumor mongering), or holds
	// a value injected at the start (Config.Inject) that it has yet to
	// mail (direct mail), as if a client had just set it.
	// Tries counts its rounds without a necessary contact, and round is
	// what it needs to judge the current round.
	Hot   bool
	Tries int
	round round
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

// round is a rumor-mongering server's state at the start of its round,
// and the contacts of the round so far.
type round struct {
	value        int64
	hot          bool
	contacts     int // pushes sent and pulls answered
	necessary    int // of which the value was news to the partner
	acknowledged int // pushes answered (with feedback)
}

// Counter returns the server's current value.
func (s *Server) Counter() int64 { return s.Value }

// Infective reports whether the server is spreading its value as a rumor.
func (s *Server) Infective() bool { return s.Hot }

// Step handles one input: the start, a client's get or set, a peer's sync,
// or the sync timer going off.
func (s *Server) Step(env *Env, in Input) {
	if now := env.Now(); !s.stepped || now != s.instant {
		s.instant, s.held, s.stepped = now, s.Value, true
	}
	switch in.Kind {
	case sim.Start:
		s.start(env)
		if s.Strategy == StrategyDirectMail && s.Hot {
			s.mail(env)
		}
	case sim.Deliver:
		switch in.Msg.Type {
		case Get:
			s.get(env, in.From, in.Msg.Req)
		case Set:
			s.set(env, in.From, in.Msg.Req, in.Msg.Value)
		case Sync, PullReply, Mail:
			s.receiveSync(env, in.Msg.Value)
		case Pull:
			s.answerPull(env, in.From)
		case PushPull:
			s.receiveSync(env, in.Msg.Value)
			s.answerPull(env, in.From)
		case RumorPush:
			s.hearRumor(env, in.From, in.Msg.Value)
		case RumorAck:
			if s.Hot && in.Msg.Value == s.Value && in.Msg.Accepted {
				s.round.necessary++
			}
		case RumorPull:
			s.answerRumorPull(env, in.From, in.Msg.Value)
		case RumorReply:
			s.receiveSync(env, in.Msg.Value)
		}
		// Servers receive no other kind of message: replies go to
		// clients only.
	case sim.Timer:
		if in.Timer == AntiEntropyTimer {
			s.antiEntropy(env)
		} else {
			s.sync(env)
		}
	case sim.Recover:
		s.restart(env, in.Durable)
	}
}

// start arms the first sync timer. Every server arms it at the same moment,
// so all servers sync in phase, as in the original emulation. A server with
// no peers has nobody to sync with and arms nothing.
//
// Direct mail has no rounds, so no sync timer.
//
// Under rumor-push, a server that is not infective has nothing to send, so
// it arms no sync timer: it sleeps until it learns a value, and then wakes
// for the next round, in phase with the others (see wake). On 10,000
// servers, most of which are not infective most of the time, that saves
// most of the events of a run, and the schedule shows only what matters.
func (s *Server) start(env *Env) {
	s.origin, s.awake = env.Now(), false
	if s.Servers < 2 {
		return
	}
	switch {
	case s.Strategy == StrategyDirectMail:
	case s.Strategy != StrategyRumorPush:
		env.After(s.SyncInterval, SyncTimer)
	case s.Hot:
		s.wake(env)
	}
	if s.Strategy.Backable() && s.Rumor.AntiEntropy > 0 {
		env.After(s.Rumor.AntiEntropy, AntiEntropyTimer)
	}
}

// wake arms the sync timer of a sleeping rumor-push server for the next
// round: the next multiple of SyncInterval since the server started.
func (s *Server) wake(env *Env) {
	if s.awake || s.Servers < 2 {
		return
	}
	s.awake = true
	since := env.Now().Sub(s.origin)
	next := (since/s.SyncInterval + 1) * s.SyncInterval
	env.After(next-since, SyncTimer)
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
	if accepted && s.Strategy == StrategyDirectMail {
		s.mail(env)
	}
}

// mail is direct mail: the value just set goes to every other server, at
// once and once only.
func (s *Server) mail(env *Env) {
	s.Hot = false
	for peer := range sim.NodeID(s.Servers) {
		if peer != s.ID {
			env.Send(peer, Msg{Type: Mail, Value: s.Value})
		}
	}
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
	if s.Strategy.IsRumor() {
		s.newRound(env)
	}
	if s.Strategy == StrategyBroadcast || s.Strategy == "" {
		for peer := range sim.NodeID(s.Servers) {
			if peer != s.ID {
				env.Send(peer, Msg{Type: Sync, Value: s.Value})
			}
		}
	} else if s.Strategy != StrategyRumorPush || s.Hot {
		var buf [MaxFanout]sim.NodeID
		partners := s.partners(env, s.Fanout, buf[:0])
		for _, peer := range partners {
			switch s.Strategy {
			case StrategyPush, StrategyRing:
				env.Send(peer, Msg{Type: Sync, Value: s.Value})
			case StrategyPull:
				env.Send(peer, Msg{Type: Pull})
			case StrategyPushPull:
				env.Send(peer, Msg{Type: PushPull, Value: s.Value})
			case StrategyRumorPush:
				env.Send(peer, Msg{Type: RumorPush, Value: s.Value})
			case StrategyRumorPull:
				// Every server pulls, infective or not: the
				// value it carries is the feedback.
				env.Send(peer, Msg{Type: RumorPull, Value: s.Value})
			}
		}
		if s.Strategy == StrategyRumorPush {
			s.round.contacts += len(partners)
		}
	}
	if s.Strategy == StrategyRumorPush && !s.Hot {
		s.awake = false // until it learns a value
		return
	}
	env.After(s.SyncInterval, SyncTimer)
}

// antiEntropy is the backing anti-entropy of rumor mongering and direct
// mail: a push-pull exchange with one random partner, after which both
// hold the larger of their values.
func (s *Server) antiEntropy(env *Env) {
	var buf [1]sim.NodeID
	for _, peer := range s.partners(env, 1, buf[:0]) {
		env.Send(peer, Msg{Type: PushPull, Value: s.Value})
	}
	env.After(s.Rumor.AntiEntropy, AntiEntropyTimer)
}

// partners picks k distinct servers other than this one, uniformly at
// random, from the server's own random stream; or, on a ring, the k
// servers after this one.
func (s *Server) partners(env *Env, k int, out []sim.NodeID) []sim.NodeID {
	k = min(k, s.Servers-1, MaxFanout)
	if s.Strategy == StrategyRing {
		for i := 1; i <= k; i++ {
			out = append(out, (s.ID+sim.NodeID(i))%sim.NodeID(s.Servers))
		}
		return out
	}
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

// receiveSync takes a peer's value (pushed, or answering a pull) under the
// same rule as a set: only if it is larger. A stale or repeated sync
// therefore changes nothing.
func (s *Server) receiveSync(env *Env, value int64) {
	if value > s.Value {
		s.learn(env, value)
	}
}

// hearRumor takes a pushed rumor if it is news, and with feedback tells
// the sender whether it was news at the start of this server's round. The
// answer names the value, so that the sender can tell it from an answer
// about an older rumor of its own.
func (s *Server) hearRumor(env *Env, from sim.NodeID, value int64) {
	if value > s.Value {
		s.learn(env, value)
	}
	if !s.Rumor.Blind {
		env.Send(from, Msg{Type: RumorAck, Value: value, Accepted: value > s.round.value})
	}
}

// answerRumorPull answers a pull with the server's value if it was
// infective at the start of its round; otherwise it has no hot rumor and
// stays silent. The pull carries the asker's value, so the server knows at
// once whether the contact was necessary: the feedback that a push needs
// an answer for. Like the paper, it sends the rumor either way, and the
// sends count as update traffic. Like answerPull, it answers with the
// value it held before this instant; if it learned a larger one since,
// the answer is about the old rumor, like the contacts that learn
// forgot, and does not count towards the new one.
func (s *Server) answerRumorPull(env *Env, from sim.NodeID, theirs int64) {
	if !s.round.hot || !s.Hot {
		return
	}
	env.Send(from, Msg{Type: RumorReply, Value: s.held})
	if s.held < s.Value {
		return
	}
	s.round.contacts++
	if theirs < s.Value {
		s.round.necessary++
	}
}

// newRound judges the round that ends, as Rumor says, and starts the next.
func (s *Server) newRound(env *Env) {
	r := s.round
	s.round = round{value: s.Value}
	if !s.Hot || r.contacts == 0 {
		s.round.hot = s.Hot
		return
	}
	switch {
	case !s.Rumor.Blind && r.necessary > 0:
		if !s.Rumor.Coin {
			s.Tries = 0
		}
	case s.Rumor.Coin:
		s.Tries++
		s.Hot = env.Rand().IntN(s.Rumor.K) != 0
	default:
		s.Tries++
		s.Hot = s.Tries < s.Rumor.K
	}
	if !s.Hot {
		env.Record(Note{Kind: LostInterest, Value: s.Value, Seq: s.Tries})
	}
	s.round.hot = s.Hot
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
		s.Hot, s.Tries, s.round, s.held = false, 0, round{}, 0
	}
	s.start(env)
}

// learn takes a larger value, from a client's set or from a peer. Under
// rumor mongering the value is news to spread: the server becomes
// infective for it, with a fresh count of tries.
func (s *Server) learn(env *Env, value int64) {
	s.update(env, value)
	if s.Strategy.IsRumor() && s.Servers > 1 {
		// A lone server has nobody to tell. The contacts so far were
		// about the old value.
		s.Hot, s.Tries = true, 0
		s.round.contacts, s.round.necessary = 0, 0
		if s.Strategy == StrategyRumorPush {
			s.wake(env)
		}
	}
}

// update changes the counter and records the change for the trace.
func (s *Server) update(env *Env, value int64) {
	env.Record(Note{Kind: Update, Value: value, Prev: s.Value})
	s.Value = value
}

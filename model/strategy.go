package model

import (
	"math/bits"
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

// MaxFanout bounds the partners a server picks a round.
const MaxFanout = 16

// syncer is what a strategy makes a server do: the choice points of the
// protocol at which the strategies differ. Everything else a server does
// (answer a get, take a set only if larger, merge a peer's value, restart
// with or without its value) is the protocol they share, in server.go. A
// server asks its strategy at each of these points, rather than each of
// its methods asking which strategy it runs; the strategies hold no state
// of their own (what they need is in Server), so that a Server stays a
// plain value.
type syncer interface {
	// start arms the strategy's timers when the server starts or
	// restarts; a server with no peers never gets here.
	start(s *Server, env *Env)
	// timer handles one of the strategy's timers going off.
	timer(s *Server, env *Env, name string)
	// receive handles a message from a peer.
	receive(s *Server, env *Env, in Input)
	// learned follows the server taking a larger value, from a client's
	// set or from a peer.
	learned(s *Server, env *Env)
	// accepted follows the server answering a client's set that it
	// took.
	accepted(s *Server, env *Env)

	// How the strategy describes itself. plan appends, to a server's
	// start line in the schedule, how it will pass its value on to its
	// peers (", syncs with 2 peers every 100ms"); timerWords are the
	// words of a sync timer's line: what the server does with the value
	// it sends (if value), to whom (prep), and after the peers (tail).
	// describe names the strategy and its parameters for the summary
	// ("rumor-push, fanout 1, feedback, counter, k 2").
	plan(b []byte, cfg *Config, peers int) []byte
	timerWords() (verb, prep, tail string, value bool)
	describe(cfg *Config) string
	// livenessBound is how soon the servers must agree after the faults
	// end and the last set is accepted, unless the scenario says (see
	// Config.defaultLivenessBound).
	livenessBound(cfg *Config, maxLatency time.Duration) time.Duration
	// alone says how the strategy ends without a backing anti-entropy,
	// if it may leave servers out (see Strategy.Backable).
	alone() alone

	// What a scenario may say of the strategy, and what it costs: see the
	// exported methods of Strategy below.
	keys() []string
	unusedFanout() string
	allToAll() string
	perRound(servers, fanout float64) float64
	perSet(servers float64) float64
	theory(cfg *Config, traffic float64) string
}

// Keys returns the keys of a scenario's [sync] table that the strategy
// reads, besides strategy itself, in the order a scenario gives them.
func (st Strategy) Keys() []string { return st.syncer().keys() }

// UnusedFanout, for a strategy that has no partners to count, says whom
// it reaches instead ("syncs with every other server"); "" for the
// others.
func (st Strategy) UnusedFanout() string { return st.syncer().unusedFanout() }

// AllToAll, for a strategy whose messages grow with the square of the
// servers, says why; "" for the others, whose cost grows with the servers.
func (st Strategy) AllToAll() string { return st.syncer().allToAll() }

// MessagesPerRound is how many messages the servers send in one sync
// round, at most: with broadcast servers*(servers-1), with random
// partners or a ring a message per partner (and as many answers).
func (st Strategy) MessagesPerRound(servers, fanout int) float64 {
	return st.syncer().perRound(float64(servers), float64(fanout))
}

// MessagesPerSet is how many messages a server sends between servers when
// it accepts a client's set: the mails of direct mail, servers-1; none
// for the strategies that sync in rounds.
func (st Strategy) MessagesPerSet(servers int) float64 { return st.syncer().perSet(float64(servers)) }

// Theory is what the papers predict of the spread of one update under
// cfg's strategy, to print beside a measurement whose traffic (messages
// per server) is traffic: rounds for anti-entropy, and for rumor
// mongering the relation between residue and traffic that Demers et al.
// derive.
func (cfg *Config) Theory(traffic float64) string { return cfg.Strategy.syncer().theory(cfg, traffic) }

// rumorKeys are the keys of a scenario's [sync] table that say how a
// rumor-mongering server loses interest (see Rumor).
var rumorKeys = []string{"k", "feedback", "coin"}

// alone is how a strategy that may leave servers out (rumor mongering,
// direct mail) ends when no anti-entropy backs it: why a run stops, why
// servers were left out (the residue), and why liveness is not checked;
// with boundWithoutFaults it is, when nothing goes wrong.
type alone struct {
	stop, residue, unchecked string
	boundWithoutFaults       bool
}

// appendEvery ends a start line's plan with the round: " every 100ms".
func appendEvery(b []byte, cfg *Config) []byte {
	b = append(b, " every "...)
	return append(b, cfg.SyncInterval.String()...)
}

// roundsBound is the liveness bound of strategies that pick partners at
// random: no bound is certain, but the number of rounds a value takes to
// reach every server is concentrated near log2(n) + ln(n) for push
// (Pittel 1987) and below for pull and push-pull (Karp et al. 2000). The
// bound allows 2*ceil(log2 n) + 20 rounds, plus two latencies for a pull
// and its answer: far in the tail, so that a correct protocol practically
// never misses it, yet a server that stops syncing does.
func roundsBound(cfg *Config, round, maxLatency time.Duration) time.Duration {
	rounds := 2*bits.Len(uint(cfg.Servers-1)) + 20 // 2*ceil(log2 n) + 20
	return time.Duration(rounds)*round + 2*maxLatency
}

// syncer returns what the strategy makes a server do: the one place that
// maps a strategy's name to its behaviour.
func (st Strategy) syncer() syncer {
	switch st {
	case StrategyPush:
		return antiEntropy{send: Sync}
	case StrategyPull:
		return antiEntropy{send: Pull}
	case StrategyPushPull:
		return antiEntropy{send: PushPull}
	case StrategyRing:
		return antiEntropy{send: Sync, ring: true}
	case StrategyRumorPush:
		return rumorMongering{}
	case StrategyRumorPull:
		return rumorMongering{pull: true}
	case StrategyDirectMail:
		return directMail{}
	}
	return broadcast{} // also the zero Strategy
}

// ChoicePartner labels a server's choice of a partner, one of the other
// servers it has not picked yet this round.
const ChoicePartner = "partner"

// randomPartners picks k distinct servers other than s, uniformly at
// random (by default from the server's own random stream), and appends
// them to out, which must be empty.
func (s *Server) randomPartners(env *Env, k int, out []sim.NodeID) []sim.NodeID {
	k = min(k, s.Servers-1, MaxFanout)
	// The others are numbered 0 to Servers-2, skipping this server's own
	// ID; picked holds the numbers taken so far.
	var buf [MaxFanout]int
	picked := buf[:0]
	for len(out) < k {
		q := env.ChooseDistinct(ChoicePartner, s.Servers-1, picked)
		picked = append(picked, q)
		p := sim.NodeID(q)
		if p >= s.ID {
			p++
		}
		out = append(out, p)
	}
	return out
}

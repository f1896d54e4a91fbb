package model

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"eccounter/sim"
)

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

// round is a rumor-mongering server's state at the start of its round,
// and the contacts of the round so far.
type round struct {
	value     int64
	news      bool
	contacts  int // pushes sent and pulls answered
	necessary int // of which the value was news to the partner
}

// rumorMongering is the rumor mongering of Demers et al. (see
// StrategyRumorPush and StrategyRumorPull): every SyncInterval an
// infective server pushes its rumor to Fanout random partners (push), or
// every server asks Fanout random partners for theirs (pull); each round
// judges, as Rumor says, whether the server loses interest. A backing
// anti-entropy (Rumor.AntiEntropy) runs on a timer of its own.
type rumorMongering struct{ pull bool }

// start arms the sync timer. Under rumor-push, a server that is not
// infective has nothing to send, so it arms none: it sleeps until it
// learns a value, and then wakes for the next round, in phase with the
// others (see wake). On 10,000 servers, most of which are not infective
// most of the time, that saves most of the events of a run, and the
// schedule shows only what matters. Under rumor-pull every server asks,
// infective or not.
func (r rumorMongering) start(s *Server, env *Env) {
	switch {
	case r.pull:
		env.After(s.SyncInterval, SyncTimer)
	case s.News:
		s.wake(env)
	}
	s.armBacking(env)
}

// timer starts a round at the sync timer: judge the round that ends, then
// push the rumor to each partner, or ask each for theirs. A rumor-push
// server that is not infective (any more) sleeps until it learns a value.
func (r rumorMongering) timer(s *Server, env *Env, name string) {
	if name == AntiEntropyTimer {
		s.backingRound(env)
		return
	}
	s.newRound(env)
	if r.pull || s.News {
		var buf [MaxFanout]sim.NodeID
		partners := s.randomPartners(env, s.Fanout, buf[:0])
		for _, peer := range partners {
			if r.pull {
				// Every server pulls, infective or not: the
				// value it carries is the feedback.
				env.Send(peer, Msg{Type: RumorPull, Value: s.Value})
			} else {
				env.Send(peer, Msg{Type: RumorPush, Value: s.Value})
			}
		}
		if !r.pull {
			s.round.contacts += len(partners)
		}
	}
	if !r.pull && !s.News {
		s.awake = false // until it learns a value
		return
	}
	env.After(s.SyncInterval, SyncTimer)
}

func (rumorMongering) receive(s *Server, env *Env, in Input) {
	switch in.Msg.Type {
	case RumorPush:
		s.hearRumor(env, in.From, in.Msg.Value)
	case RumorAck:
		if s.News && in.Msg.Value == s.Value && in.Msg.Accepted {
			s.round.necessary++
		}
	case RumorPull:
		s.answerRumorPull(env, in.From, in.Msg.Value)
	case RumorReply:
		s.merge(env, in.Msg.Value)
	default:
		s.exchange(env, in) // the backing anti-entropy
	}
}

// learned makes the value news to spread: the server becomes infective
// for it, with a fresh count of tries. A lone server has nobody to tell.
// The contacts so far were about the old value.
func (r rumorMongering) learned(s *Server, env *Env) {
	if s.Servers < 2 {
		return
	}
	s.News, s.Counted = true, 0
	s.round.contacts, s.round.necessary = 0, 0
	if !r.pull {
		s.wake(env)
	}
}

func (rumorMongering) accepted(*Server, *Env) {}

func (rumorMongering) plan(b []byte, cfg *Config, peers int) []byte {
	b = appendRandomPeers(b, cfg, peers)
	b = append(b, " ("...)
	b = cfg.Rumor.appendText(b)
	b = append(b, ')')
	return appendEvery(b, cfg)
}

func (r rumorMongering) timerWords() (verb, prep, tail string, value bool) {
	if r.pull {
		return "asks ", "", " for a hot rumor", false
	}
	return "spreads rumor ", " to ", "", true
}

func (rumorMongering) describe(cfg *Config) string {
	return fmt.Sprintf("%s, fanout %d, ", cfg.Strategy, cfg.Fanout) + string(cfg.Rumor.appendText(nil))
}

// livenessBound: whatever the rumors missed, the backing anti-entropy
// finds, so the rounds are the longer of the two (see roundsBound).
// Without one there is no bound (see alone).
func (rumorMongering) livenessBound(cfg *Config, maxLatency time.Duration) time.Duration {
	return roundsBound(cfg, max(cfg.SyncInterval, cfg.Rumor.AntiEntropy), maxLatency)
}

func (rumorMongering) keys() []string {
	return append([]string{"fanout"}, append(rumorKeys, "anti_entropy")...)
}
func (rumorMongering) unusedFanout() string { return "" }
func (rumorMongering) allToAll() string     { return "" }

// perRound: a rumor or a pull per partner, and as many answers (acks or
// replies).
func (rumorMongering) perRound(servers, fanout float64) float64 { return 2 * servers * fanout }

// theory: Demers et al.'s relation between the residue s and the traffic
// m, s = e^-m for push; pull does better.
func (r rumorMongering) theory(_ *Config, traffic float64) string {
	if r.pull {
		return fmt.Sprintf("s < e^-m = %.3g", math.Exp(-traffic))
	}
	return fmt.Sprintf("s ≈ e^-m = %.3g", math.Exp(-traffic))
}

// alone: rumor mongering may end with a residue, reported under
// converged-to-max, and even when it reaches every server it promises no
// time: a rumor spreads for as long as the coin or the counter keeps it
// going.
func (rumorMongering) alone() alone {
	return alone{
		stop:      "every client finished and no server is infective",
		residue:   "rumor mongering without a backing anti-entropy stopped when no server was infective any more",
		unchecked: "rumor mongering without a backing anti-entropy promises no convergence, so no bound on it",
	}
}

// appendLostInterest says why a server stopped spreading a value; a
// rumor-push server then sleeps (see start).
func (r rumorMongering) appendLostInterest(b []byte, rumor Rumor, n Note) []byte {
	b = append(b, " -> loses interest in "...)
	b = strconv.AppendInt(b, n.Value, 10)
	switch {
	case rumor.Coin && rumor.Blind:
		b = append(b, " (coin: 1 in "...)
		b = strconv.AppendInt(b, int64(rumor.K), 10)
		b = append(b, ')')
	case rumor.Coin:
		b = append(b, " after a round without news (coin: 1 in "...)
		b = strconv.AppendInt(b, int64(rumor.K), 10)
		b = append(b, ')')
	case rumor.Blind:
		b = append(b, " after "...)
		b = appendCount(b, n.Rounds, "round")
	default:
		b = append(b, " after "...)
		b = appendCount(b, n.Rounds, "round")
		if n.Rounds > 1 {
			b = append(b, " in a row"...)
		}
		b = append(b, " without news"...)
	}
	if !r.pull {
		b = append(b, "; sleeps until it learns a value"...)
	}
	return b
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
	if !s.round.news || !s.News {
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

// ChoiceCoin labels a rumor-mongering server's coin (Rumor.Coin): one of
// K outcomes, of which 0 makes it lose interest.
const ChoiceCoin = "coin"

// newRound judges the round that ends, as Rumor says, and starts the next.
func (s *Server) newRound(env *Env) {
	r := s.round
	s.round = round{value: s.Value}
	if !s.News || r.contacts == 0 {
		s.round.news = s.News
		return
	}
	switch {
	case !s.Rumor.Blind && r.necessary > 0:
		if !s.Rumor.Coin {
			s.Counted = 0
		}
	case s.Rumor.Coin:
		s.Counted++
		s.News = env.Choose(ChoiceCoin, s.Rumor.K) != 0
	default:
		s.Counted++
		s.News = s.Counted < s.Rumor.K
	}
	if !s.News {
		env.Record(Note{Kind: LostInterest, Value: s.Value, Rounds: s.Counted})
	}
	s.round.news = s.News
}

func (rumorMongering) perSet(float64) float64 { return 0 }

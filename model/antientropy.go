package model

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"eccounter/sim"
)

// antiEntropy is the anti-entropy of Demers et al.: every SyncInterval a
// server exchanges values with Fanout partners, sending send: its value
// (Sync: push), a question (Pull: pull) or both (PushPull: push-pull).
// The partners are random, picked afresh each round; on a ring they are
// the Fanout servers after this one. The epidemic strategies send Fanout
// messages a round per server (twice that with a pull's answer), and
// spread a value to all servers in O(log Servers) rounds with high
// probability; a ring takes ceil((Servers-1)/Fanout).
type antiEntropy struct {
	send MsgType
	ring bool
}

// start arms the first sync timer, in phase with every other server.
func (antiEntropy) start(s *Server, env *Env) { env.After(s.SyncInterval, SyncTimer) }

// timer is the sync timer going off: start an exchange with each partner,
// then arm the timer again for the next round.
func (a antiEntropy) timer(s *Server, env *Env, _ string) {
	var buf [MaxFanout]sim.NodeID
	partners := buf[:0]
	if a.ring {
		partners = s.ringPartners(s.Fanout, partners)
	} else {
		partners = s.randomPartners(env, s.Fanout, partners)
	}
	for _, peer := range partners {
		switch a.send {
		case Pull:
			env.Send(peer, Msg{Type: Pull})
		default:
			env.Send(peer, Msg{Type: a.send, Value: s.Value})
		}
	}
	env.After(s.SyncInterval, SyncTimer)
}

// receive takes a pushed value or an answer if larger, and answers a
// question.
func (antiEntropy) receive(s *Server, env *Env, in Input) {
	switch in.Msg.Type {
	case Sync:
		s.merge(env, in.Msg.Value)
	default:
		s.exchange(env, in)
	}
}

func (antiEntropy) learned(*Server, *Env)  {}
func (antiEntropy) accepted(*Server, *Env) {}

func (a antiEntropy) plan(b []byte, cfg *Config, peers int) []byte {
	if a.ring {
		b = append(b, ", syncs with the next "...)
		b = appendCount(b, min(cfg.Fanout, peers), "peer")
		b = append(b, " of "...)
		b = strconv.AppendInt(b, int64(peers), 10)
		b = append(b, " around a ring by push"...)
		return appendEvery(b, cfg)
	}
	b = appendRandomPeers(b, cfg, peers)
	return appendEvery(b, cfg)
}

// appendRandomPeers says whom a server picks its partners among, and how
// it exchanges with them: ", syncs with 1 random peer of 2 by pull".
func appendRandomPeers(b []byte, cfg *Config, peers int) []byte {
	b = append(b, ", syncs with "...)
	b = appendCount(b, min(cfg.Fanout, peers), "random peer")
	b = append(b, " of "...)
	b = strconv.AppendInt(b, int64(peers), 10)
	b = append(b, " by "...)
	return append(b, cfg.Strategy...)
}

func (a antiEntropy) timerWords() (verb, prep, tail string, value bool) {
	switch a.send {
	case PushPull:
		return "exchanges ", " with ", "", true
	case Pull:
		return "asks ", "", " for its value", false
	}
	return "sends ", " to ", "", true
}

func (antiEntropy) describe(cfg *Config) string {
	return fmt.Sprintf("%s, fanout %d", cfg.Strategy, cfg.Fanout)
}

// livenessBound: on a ring a value moves Fanout servers a hop, so
// ceil((Servers-1)/Fanout) hops reach every server, and a hop takes at
// most a sync interval (for the sender's next timer) plus the largest
// latency, a bound proved with the property test. Random partners: see
// roundsBound.
func (a antiEntropy) livenessBound(cfg *Config, maxLatency time.Duration) time.Duration {
	if a.ring {
		return time.Duration(cfg.RingHops()) * (cfg.SyncInterval + maxLatency)
	}
	return roundsBound(cfg, cfg.SyncInterval, maxLatency)
}

func (antiEntropy) keys() []string       { return []string{"fanout"} }
func (antiEntropy) unusedFanout() string { return "" }
func (antiEntropy) allToAll() string     { return "" }

// perRound: a message per partner, and with a pull as many answers.
func (a antiEntropy) perRound(servers, fanout float64) float64 {
	if a.send == Sync {
		return servers * fanout
	}
	return 2 * servers * fanout
}

// theory: push reaches every server in about log2 n + ln n rounds
// (Pittel 1987), pull in fewer, push-pull in log3 n + O(log log n)
// (Karp et al. 2000); a ring in exactly its hops.
func (a antiEntropy) theory(cfg *Config, _ float64) string {
	n := float64(cfg.Servers)
	switch {
	case a.ring:
		return fmt.Sprintf("t_last = ceil((n-1)/fanout) = %d", cfg.RingHops())
	case a.send == Pull:
		return fmt.Sprintf("t_last < push's log2 n + ln n = %.1f", math.Log2(n)+math.Log(n))
	case a.send == PushPull:
		return fmt.Sprintf("t_last ≈ log3 n + O(log log n); log3 n = %.1f", math.Log(n)/math.Log(3))
	}
	return fmt.Sprintf("t_last ≈ log2 n + ln n = %.1f", math.Log2(n)+math.Log(n))
}

func (antiEntropy) alone() alone { return alone{} }

// ringPartners returns the k servers after this one on the ring of
// servers in order of ID (server-n's next is server-1).
func (s *Server) ringPartners(k int, out []sim.NodeID) []sim.NodeID {
	k = min(k, s.Servers-1, MaxFanout)
	for i := 1; i <= k; i++ {
		out = append(out, (s.ID+sim.NodeID(i))%sim.NodeID(s.Servers))
	}
	return out
}

// exchange is a server's part in a pull or a push-pull it did not start:
// it answers a question, merging what a push-pull brought first; and it
// takes the answer to its own question if larger.
func (s *Server) exchange(env *Env, in Input) {
	switch in.Msg.Type {
	case Pull:
		s.answerPull(env, in.From)
	case PushPull:
		s.merge(env, in.Msg.Value)
		s.answerPull(env, in.From)
	case PullReply:
		s.merge(env, in.Msg.Value)
	}
}

// armBacking arms the timer of the backing anti-entropy of rumor mongering
// and direct mail, if the server has one (Rumor.AntiEntropy).
func (s *Server) armBacking(env *Env) {
	if s.Rumor.AntiEntropy > 0 {
		env.After(s.Rumor.AntiEntropy, AntiEntropyTimer)
	}
}

// backingRound is the backing anti-entropy's timer going off: a push-pull
// exchange with one random partner, after which both hold the larger of
// their values.
func (s *Server) backingRound(env *Env) {
	var buf [1]sim.NodeID
	for _, peer := range s.randomPartners(env, 1, buf[:0]) {
		env.Send(peer, Msg{Type: PushPull, Value: s.Value})
	}
	env.After(s.Rumor.AntiEntropy, AntiEntropyTimer)
}

func (antiEntropy) perSet(float64) float64 { return 0 }

package model

import (
	"time"

	"eccounter/sim"
)

// broadcast is the original emulation's sync: every SyncInterval, a server
// sends its value to every other server, which takes it if larger. It
// costs Servers*(Servers-1) messages a round, but after one round every
// server has heard of every value held at its start.
type broadcast struct{}

// start arms the first sync timer. Every server arms it at the same
// moment, so all servers sync in phase, as in the original emulation.
func (broadcast) start(s *Server, env *Env) { env.After(s.SyncInterval, SyncTimer) }

// timer is the sync timer going off: pass the current value on to every
// other server, then arm the timer again for the next round.
func (broadcast) timer(s *Server, env *Env, _ string) {
	for peer := range sim.NodeID(s.Servers) {
		if peer != s.ID {
			env.Send(peer, Msg{Type: Sync, Value: s.Value})
		}
	}
	env.After(s.SyncInterval, SyncTimer)
}

func (broadcast) receive(s *Server, env *Env, in Input) {
	if in.Msg.Type == Sync {
		s.merge(env, in.Msg.Value)
	}
}

func (broadcast) learned(*Server, *Env)  {}
func (broadcast) accepted(*Server, *Env) {}

func (broadcast) plan(b []byte, cfg *Config, peers int) []byte {
	b = append(b, ", syncs with "...)
	b = appendCount(b, peers, "peer")
	return appendEvery(b, cfg)
}

func (broadcast) timerWords() (verb, prep, tail string, value bool) {
	return "sends ", " to ", "", true
}

func (broadcast) describe(cfg *Config) string { return string(StrategyBroadcast) }

// livenessBound: one sync interval plus the largest latency, a bound
// proved with the property test.
func (broadcast) livenessBound(cfg *Config, maxLatency time.Duration) time.Duration {
	return cfg.SyncInterval + maxLatency
}

func (broadcast) keys() []string       { return nil }
func (broadcast) unusedFanout() string { return "syncs with every other server" }
func (broadcast) allToAll() string {
	return "with broadcast, each sync round sends servers*(servers-1) messages"
}
func (broadcast) perRound(servers, _ float64) float64 { return servers * (servers - 1) }
func (broadcast) theory(*Config, float64) string      { return "t_last = 1" }

func (broadcast) alone() alone { return alone{} }

func (broadcast) perSet(float64) float64 { return 0 }

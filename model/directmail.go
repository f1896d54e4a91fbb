package model

import (
	"fmt"
	"time"

	"eccounter/sim"
)

// directMail is the direct mail of Demers et al. (see
// StrategyDirectMail): a server that accepts a client's set mails the new
// value at once to every other server, which takes it if larger and
// passes it on to nobody. There are no rounds, so no sync timer; a
// backing anti-entropy (Rumor.AntiEntropy) runs on a timer of its own.
type directMail struct{}

// start arms the backing anti-entropy, and mails a value injected at the
// start (Config.Inject), which the server holds as if a client had just
// set it; it has none to mail after a restart.
func (directMail) start(s *Server, env *Env) {
	s.armBacking(env)
	if s.News {
		s.mail(env)
	}
}

// timer is the backing anti-entropy's: direct mail has no other.
func (directMail) timer(s *Server, env *Env, _ string) { s.backingRound(env) }

func (directMail) receive(s *Server, env *Env, in Input) {
	if in.Msg.Type == Mail {
		s.merge(env, in.Msg.Value)
		return
	}
	s.exchange(env, in) // the backing anti-entropy
}

func (directMail) learned(*Server, *Env) {}

// accepted mails the value a client just set, after answering the set.
func (directMail) accepted(s *Server, env *Env) { s.mail(env) }

func (directMail) plan(b []byte, cfg *Config, peers int) []byte {
	b = append(b, ", mails each value set to its "...)
	b = appendCount(b, peers, "peer")
	return cfg.Rumor.appendAntiEntropy(b)
}

// timerWords: direct mail has no sync timer, only its backing
// anti-entropy's, which the schedule words itself.
func (directMail) timerWords() (verb, prep, tail string, value bool) {
	return "sends ", " to ", "", true
}

func (directMail) describe(cfg *Config) string {
	return string(cfg.Rumor.appendAntiEntropy([]byte(StrategyDirectMail)))
}

// livenessBound: direct mail alone, checked only without faults, is held
// to the largest latency, for every mail of the last accepted set to
// arrive (the proof is with the property test). Backed by an
// anti-entropy, the rounds are those of the anti-entropy, which finds what
// the mails missed (see roundsBound).
func (directMail) livenessBound(cfg *Config, maxLatency time.Duration) time.Duration {
	if cfg.Rumor.AntiEntropy == 0 {
		return maxLatency
	}
	return roundsBound(cfg, cfg.Rumor.AntiEntropy, maxLatency)
}

// alone: a lost mail, or a value lost in a crash, is never sent again;
// without faults, every mail arrives.
func (directMail) alone() alone {
	return alone{
		stop:               "every client finished and no mail is on its way",
		residue:            "direct mail without a backing anti-entropy sends each mail once, and none was on its way any more",
		unchecked:          "direct mail without a backing anti-entropy promises no convergence under faults, so no bound on it",
		boundWithoutFaults: true,
	}
}

func (directMail) keys() []string       { return []string{"anti_entropy"} }
func (directMail) unusedFanout() string { return "mails every other server" }
func (directMail) allToAll() string {
	return "with direct mail, each accepted set sends servers-1 messages, and every server may accept one at once"
}

// perRound: direct mail has no rounds; its mails follow the sets.
func (directMail) perRound(float64, float64) float64 { return 0 }

func (directMail) theory(cfg *Config, _ float64) string {
	n := float64(cfg.Servers)
	return fmt.Sprintf("s = 0 without loss, m = (n-1)/n = %.3f, t_last = 0", (n-1)/n)
}

// mail is direct mail: the value just set goes to every other server, at
// once and once only.
func (s *Server) mail(env *Env) {
	s.News = false
	for peer := range sim.NodeID(s.Servers) {
		if peer != s.ID {
			env.Send(peer, Msg{Type: Mail, Value: s.Value})
		}
	}
}

func (directMail) perSet(servers float64) float64 { return max(servers-1, 0) }

package model

import "eccounter/sim"

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
	if s.Hot {
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

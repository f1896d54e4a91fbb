package model

import "eccounter/sim"

// silentMailer is direct mail that forgets the mail: it accepts a set and
// answers it, but tells no other server. (With the other strategies it is
// the real server.)
//
// Caught by liveness: without faults, direct mail alone promises every
// server the value within the largest latency of the set, and the other
// servers never get it. (That they end without it, converged-to-max
// reports as an anomaly, a residue: what direct mail may leave when mail
// is lost, which none was.) With a backing anti-entropy the value
// spreads rounds later, within the liveness bound, and only the property
// test's bound on direct mail catches it.
//
// The lesson: direct mail has no second chance. What the sender does not
// mail in the step that takes the set, nobody ever sends.
type silentMailer struct{ *Server }

func (s silentMailer) Step(env *Env, in Input) {
	if in.Kind == sim.Deliver && in.Msg.Type == Set && s.Strategy == StrategyDirectMail {
		// The bug: the set is taken as if there were no mail to send
		// (broadcast sends nothing on a set).
		s.Strategy = StrategyBroadcast
		defer func() { s.Strategy = StrategyDirectMail }()
	}
	s.Server.Step(env, in)
}

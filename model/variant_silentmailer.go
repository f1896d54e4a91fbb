package model

import "eccounter/sim"

// silentMailer is direct mail that forgets the mail: it accepts a set and
// answers it, but tells no other server. (With the other strategies it is
// the real server.)
//
// Caught by converged-to-max with a backing anti-entropy, which spreads
// the value rounds later, but within the liveness bound only by luck;
// without one, every other server is left out, a residue the report
// calls an anomaly: direct mail alone promises no more. The property
// test's bound on direct mail without faults (every server has the value
// one latency after the set) catches it either way.
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

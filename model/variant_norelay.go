package model

import "eccounter/sim"

// noRelayServer never passes on a value it learned from a peer: its
// rounds send only the largest value its own clients set, as if a value
// from a peer were the peer's business.
//
// Caught by converged-to-max, on a ring: server-1's value reaches
// server-2, which keeps it, and server-3 never hears of it. (With
// broadcast every server tells every other directly, and the bug does not
// show: a scenario's strategy decides which bugs it can find.)
//
// The lesson: epidemic protocols work by relaying; a value reaches the
// servers its source never talks to only through the ones it does.
type noRelayServer struct {
	*Server
	fromClients int64 // the largest value its clients set (or injected)
}

func (s *noRelayServer) Step(env *Env, in Input) {
	switch {
	case in.Kind == sim.Timer:
		stepSending(s.Server, env, in, s.fromClients) // the bug
	case in.Kind == sim.Recover && !in.Durable:
		s.fromClients = 0
		s.Server.Step(env, in)
	default:
		before := s.Value
		s.Server.Step(env, in)
		if in.Kind == sim.Deliver && in.Msg.Type == Set && s.Value > before {
			s.fromClients = s.Value
		}
	}
}

package model

import "eccounter/sim"

// hoarderServer never syncs the values its own clients set: its rounds
// send only the largest value it learned from a peer, as a server that
// syncs the wrong field (the last value it merged) would.
//
// Caught by converged-to-max: each server ends with the values its own
// clients set, and nothing else; no value ever leaves its server.
//
// The lesson: the value to spread is the whole state, wherever it came
// from. A server that passes on only part of what it knows breaks
// convergence silently: every set is accepted, every read is answered.
type hoarderServer struct {
	*Server
	fromPeers int64 // the largest value a peer sent it
}

func (s *hoarderServer) Step(env *Env, in Input) {
	switch {
	case in.Kind == sim.Timer:
		stepSending(s.Server, env, in, s.fromPeers) // the bug
	case in.Kind == sim.Recover && !in.Durable:
		s.fromPeers = 0
		s.Server.Step(env, in)
	default:
		before := s.Value
		s.Server.Step(env, in)
		if peerValue(in) && s.Value > before {
			s.fromPeers = s.Value
		}
	}
}

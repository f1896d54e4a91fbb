package model

import "eccounter/sim"

// onceServer syncs at its first round and never again: the second time
// its sync timer goes off it does nothing, not even arm the timer for the
// round after, as a server that forgets env.After at the end of its round.
//
// Caught by converged-to-max (and liveness): with one client, on
// server-1, the other servers hear of the values set after the first
// round from nobody, and the run ends at max_time with them behind.
//
// The lesson: anti-entropy is a loop, not a step. A value set after the
// last sync reaches the other servers only if there is a next one; every
// handler of a periodic timer must arm it again, on every path.
type onceServer struct {
	*Server
	synced bool
}

func (s *onceServer) Step(env *Env, in Input) {
	if in.Kind == sim.Timer && in.Timer == SyncTimer {
		if s.synced {
			return // the bug: no round, and no timer for the next one
		}
		s.synced = true
	}
	s.Server.Step(env, in)
}

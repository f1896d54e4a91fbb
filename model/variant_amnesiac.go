package model

import (
	"eccounter/sim"
)

// amnesiacServer forgets to arm its sync timer again after a restart: its
// timers died with the crash, and it comes back (with its value, if
// durable, or at 0) without starting its rounds again, so it never syncs
// again.
//
// Caught by converged-to-max (and liveness): a server that crashed,
// durably, before its first sync holds a value no other server has, and
// keeps it to itself for the rest of the run.
//
// The lesson: a restart is a start. Whatever the start sets up (timers
// above all) must be set up again, since a crash takes everything in
// memory, timers too, even when the disk keeps the value.
type amnesiacServer struct{ *Server }

func (s amnesiacServer) Step(env *Env, in Input) {
	if in.Kind != sim.Recover {
		s.Server.Step(env, in)
		return
	}
	if !in.Durable && s.Value != 0 {
		s.update(env, 0)
		s.News, s.Counted, s.round, s.held = false, 0, round{}, 0
	}
	// The bug: no s.start(env), so no sync timer.
}

package model

import "eccounter/sim"

// leakyDiskServer is durable, and says so, but comes back from every
// crash at 0 all the same: its disk is a cache that dies with it.
//
// Caught by values-never-decrease: a crash without durable storage may
// take a server back to 0 (an anomaly, explained by the crash), but this
// crash was durable, so the drop is a failure.
//
// The lesson: durability is a promise about crashes, and only a crash
// tests it. Anything a server acknowledged must come back with it; the
// checks hold a durable server to that, and forgive only the server that
// never promised.
type leakyDiskServer struct{ *Server }

func (s leakyDiskServer) Step(env *Env, in Input) {
	if in.Kind == sim.Recover {
		in.Durable = false // the bug: the disk kept nothing
	}
	s.Server.Step(env, in)
}

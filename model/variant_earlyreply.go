package model

import "eccounter/sim"

// earlyReplyServer answers a set at once but writes its value to disk only
// at its next round, as a server that acknowledges before it fsyncs. It is
// the same as the real server until a durable crash falls between the
// reply and the write: then it comes back with the value of its last
// write, and the sets it acknowledged since are gone from it.
//
// Caught by values-never-decrease: the server restarts, durably, lower
// than it crashed ("server-1 went from 873 to 412"); if no other server
// had the value yet, acknowledged-sets-kept fails too.
//
// The lesson: in a simulator a reply and a store in one step are atomic,
// so the order of the two lines looks harmless. Observably, "reply, then
// store" differs from "store, then reply" only when a crash comes between
// them, which is exactly the case durability is for.
type earlyReplyServer struct {
	*Server
	disk int64 // the value as of the last write
}

func (s *earlyReplyServer) Step(env *Env, in Input) {
	switch in.Kind {
	case sim.Recover:
		if in.Durable && s.Value != s.disk {
			s.update(env, s.disk) // what the disk had: the bug shows
		}
		s.Server.Step(env, in)
		s.disk = s.Value
	case sim.Timer:
		s.Server.Step(env, in)
		s.disk = s.Value // the write, a round late
	default:
		s.Server.Step(env, in)
	}
}

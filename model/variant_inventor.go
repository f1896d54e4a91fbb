package model

// inventorServer rounds every value a peer sends it up to an even number
// before it merges it, as a sync whose encoding drops the lowest bit and
// rounds up would.
//
// Caught by no-invented-values: a server comes to hold a value that no
// client ever asked to set (an odd value set on one server arrives at the
// other one larger by one). Every other check passes: the servers
// converge, on the invented value, which is the largest any server held.
//
// The lesson: a replica may only ever hold values that came from a
// client; the checks know every value proposed, so a server cannot make
// one up unnoticed, even one that is larger and so looks like progress.
type inventorServer struct{ *Server }

func (s inventorServer) Step(env *Env, in Input) {
	if peerValue(in) {
		in.Msg.Value += in.Msg.Value & 1 // the bug
	}
	s.Server.Step(env, in)
}

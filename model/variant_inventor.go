package model

// inventorServer adds one to every value a peer sends it before it merges
// it: an off-by-one in decoding a sync, say.
//
// Caught by no-invented-values: a server comes to hold a value that no
// client ever asked to set.
//
// The lesson: a replica may only ever hold values that came from a
// client; the checks know every value proposed, so a server cannot make
// one up unnoticed, even one that is larger and so looks like progress.
type inventorServer struct{ *Server }

func (s inventorServer) Step(env *Env, in Input) {
	if peerValue(in) {
		in.Msg.Value++ // the bug
	}
	s.Server.Step(env, in)
}

package model

// replaceServer takes whatever value a peer sends, even a smaller one: it
// replaces its value instead of merging, the classic mistake of treating
// a replica's state as a message to obey rather than a fact to combine.
//
// Caught by values-never-decrease: a sync carrying an older value drags
// the server back ("server-2 went from 812 to 640").
//
// The lesson: the merge must be commutative, associative and idempotent
// (max is), or the order in which syncs happen to arrive decides the
// result. A value never goes back, whatever arrives.
type replaceServer struct{ *Server }

func (s replaceServer) Step(env *Env, in Input) {
	s.Server.Step(env, in)
	if peerValue(in) && in.Msg.Value < s.Value {
		s.update(env, in.Msg.Value) // the bug: merge takes the peer's value
	}
}

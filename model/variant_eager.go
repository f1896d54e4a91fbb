package model

import "eccounter/sim"

// eagerServer accepts a set of a value equal to its own: it compares with
// >= where the rule says >.
//
// Caught by set-accepted-iff-larger: the reply says accepted=true for a
// set that changed nothing.
//
// The lesson: the client reads "accepted" as "my value is now the
// counter, and it was not before"; a boundary case of the comparison
// changes what the protocol tells its clients, even if no value is lost.
// Values drawn from a narrow range make the boundary common.
type eagerServer struct{ *Server }

func (s eagerServer) Step(env *Env, in Input) {
	if in.Kind == sim.Deliver && in.Msg.Type == Set && in.Msg.Value == s.Value {
		// The bug: an equal value counts as larger.
		env.Send(in.From, Msg{Type: SetReply, Value: s.Value, Accepted: true, Req: in.Msg.Req})
		return
	}
	s.Server.Step(env, in)
}

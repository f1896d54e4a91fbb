package model

import "eccounter/sim"

// staleCacheServer answers gets from a cache of its value that it
// refreshes once a round, at its sync timer, instead of reading the value
// itself.
//
// Caught by get-returns-current: a get after a set and before the next
// round reads the value from before the set ("answered get from client-1
// with 0 while holding 517").
//
// The lesson: eventual consistency lets a server be behind the others,
// not behind itself. A client that reads its own server after a set it
// was told was accepted must see it (read your writes); only other
// servers' news may be late.
type staleCacheServer struct {
	*Server
	cache int64
}

func (s *staleCacheServer) Step(env *Env, in Input) {
	if in.Kind == sim.Deliver && in.Msg.Type == Get {
		env.Send(in.From, Msg{Type: GetReply, Value: s.cache, Req: in.Msg.Req}) // the bug
		return
	}
	s.Server.Step(env, in)
	if in.Kind != sim.Deliver {
		s.cache = s.Value // refreshed at the start, each round, and at a restart
	}
}

package model

import "eccounter/sim"

// sameInstantServer merges a peer's value against the value it held
// before the current instant (the one its answers carry: see answerPull)
// instead of the value it holds now. One message an instant, the two are
// the same, and it behaves as the real server. When two syncs arrive at
// the same instant, the larger first, the second one (larger than what
// the server held before, smaller than what it holds now) takes the
// server back.
//
// Caught by values-never-decrease, but rarely: with latencies drawn in
// nanoseconds two messages almost never arrive at one instant, and a
// sweep of seeds 1..10,000 of its scenario finds no failure at all. With
// a fixed latency every round's syncs arrive together, and it fails
// (see docs/variants.md).
//
// The lesson: random sampling of schedules misses what needs a
// coincidence; the events of one instant can be stepped in any order,
// and an explorer that tries them all finds this at once.
type sameInstantServer struct{ *Server }

func (s sameInstantServer) Step(env *Env, in Input) {
	second := s.stepped && env.Now() == s.instant
	if second && in.Kind == sim.Deliver && (in.Msg.Type == Sync || in.Msg.Type == Mail) {
		if v := in.Msg.Value; v > s.held && v != s.Value {
			s.update(env, v) // the bug: larger than held is not larger than Value
		}
		return
	}
	s.Server.Step(env, in)
}

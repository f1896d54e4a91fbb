package model

import (
	"slices"

	"eccounter/sim"
)

// Variant is a server from the catalogue of deliberately broken ones, for
// teaching: a scenario picks one with [server] variant, and a student sees
// the checks catch it, replays the failing seed, shrinks it and reads why.
// Each variant wraps the real *Server and overrides one step of it, so that
// the protocol itself stays as it is; each has a file of its own,
// variant_NAME.go, whose doc comment says what it gets wrong, the check
// that catches it, and the lesson. docs/variants.md says how often a sweep
// of seeds catches each.
type Variant struct {
	Name string
	// Wrong says in a few words what the server gets wrong.
	Wrong string
	// Check is the check that catches it, as Report.Checks names it.
	Check string
	// Rare: its failure needs an interleaving so rare that a sweep of
	// random seeds finds it in fewer than 1 seed in 1,000, or never (two
	// messages at the same instant, a set in a narrow window): a case for
	// exhaustive exploration rather than for sampling.
	Rare bool
	wrap func(*Server) Replica
}

// VariantCorrect names the real protocol: the default.
const VariantCorrect = "correct"

// Variants is the catalogue, in the order the documentation gives it: the
// real protocol first, then a broken server for each part of it.
var Variants = []Variant{
	{Name: VariantCorrect, Wrong: "nothing: the protocol itself"},
	{Name: "replace", Wrong: "takes a peer's value even when smaller", Check: "values-never-decrease",
		wrap: func(s *Server) Replica { return replaceServer{s} }},
	{Name: "eager", Wrong: "accepts a set equal to its value", Check: "set-accepted-iff-larger",
		wrap: func(s *Server) Replica { return eagerServer{s} }},
	{Name: "inventor", Wrong: "rounds every value a peer sends up to an even one", Check: "no-invented-values",
		wrap: func(s *Server) Replica { return inventorServer{s} }},
	{Name: "once", Wrong: "syncs only once", Check: "converged-to-max",
		wrap: func(s *Server) Replica { return &onceServer{Server: s} }},
	{Name: "amnesiac", Wrong: "forgets to arm its sync timer again after a restart", Check: "converged-to-max",
		wrap: func(s *Server) Replica { return amnesiacServer{s} }},
	{Name: "hoarder", Wrong: "never syncs the values its clients set", Check: "converged-to-max",
		wrap: func(s *Server) Replica { return &hoarderServer{Server: s} }},
	{Name: "no-relay", Wrong: "never passes on values it learned from peers", Check: "converged-to-max",
		wrap: func(s *Server) Replica { return &noRelayServer{Server: s, fromClients: s.Value} }},
	{Name: "silent-mailer", Wrong: "direct mail that never mails", Check: "liveness",
		wrap: func(s *Server) Replica { return silentMailer{s} }},
	{Name: "leaky-disk", Wrong: "a durable server that still loses its value", Check: "values-never-decrease",
		wrap: func(s *Server) Replica { return leakyDiskServer{s} }},
	{Name: "early-reply", Wrong: "replies to a set before the value is stored", Check: "values-never-decrease",
		wrap: func(s *Server) Replica { return &earlyReplyServer{Server: s} }},
	{Name: "stale-cache", Wrong: "answers gets from a cache refreshed each round", Check: "get-returns-current",
		wrap: func(s *Server) Replica { return &staleCacheServer{Server: s} }},
	{Name: "same-instant", Wrong: "merges against the value it held before the instant", Check: "values-never-decrease", Rare: true,
		wrap: func(s *Server) Replica { return sameInstantServer{s} }},
	{Name: "sync-race", Wrong: "loses a set that lands just after its sync timer", Check: "set-accepted-iff-larger", Rare: true,
		wrap: func(s *Server) Replica { return &syncRaceServer{Server: s} }},
}

// LookupVariant returns the variant of the catalogue named name; "" names
// the real protocol.
func LookupVariant(name string) (Variant, bool) {
	if name == "" {
		name = VariantCorrect
	}
	i := slices.IndexFunc(Variants, func(v Variant) bool { return v.Name == name })
	if i < 0 {
		return Variant{}, false
	}
	return Variants[i], true
}

// VariantNames lists the names of the catalogue, in its order.
func VariantNames() []string {
	names := make([]string, len(Variants))
	for i, v := range Variants {
		names[i] = v.Name
	}
	return names
}

// Wrap makes the node the engine steps from the real server s: s itself
// for the real protocol, else s wrapped in the variant.
func (v Variant) Wrap(s *Server) Replica {
	if v.wrap == nil {
		return s
	}
	return v.wrap(s)
}

// peerValue reports whether a message from a peer carries a value the
// server merges (a push, a pull's answer, a mail): the messages a
// broken merge mishandles.
func peerValue(in Input) bool {
	if in.Kind != sim.Deliver {
		return false
	}
	switch in.Msg.Type {
	case Sync, PushPull, PullReply, Mail, RumorPush, RumorReply:
		return true
	}
	return false
}

// stepSending steps s on in (a timer: a round) as if it held v: the
// round sends v, not what the server holds. The value is put back after.
func stepSending(s *Server, env *Env, in Input, v int64) {
	real := s.Value
	s.Value = v
	s.Step(env, in)
	s.Value = real
}

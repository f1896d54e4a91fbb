package model

import "eccounter/sim"

// The stop rule. A run is over when nothing still to happen can change any
// server's value. In the max-register a server's value changes in two ways
// only: it takes a larger value from a message (a set, or a peer's value),
// or it restarts without durable storage and comes back at 0. So the run is
// over once all of these hold:
//
//  1. every client has finished: no new set will be sent;
//  2. the faults are over (or there are none) and no server is down: no
//     crash is still to come, and no restart;
//  3. no message in flight to a server carries a value it might take: no
//     client's set is on its way, and no peer's value larger than the
//     servers hold (see below);
//  4. with broadcast or an anti-entropy, every server holds the same value;
//     with rumor mongering or direct mail alone, no server is infective.
//
// Proof that the values are then final. By 1 and 2 no value changes but by
// a message arriving. None in flight makes its receiver take anything (3).
// Every message sent from now on carries its sender's value: under 4 with
// agreement, the value every server holds, which none takes; without
// agreement, only an infective server spreads news, and none is (a peer's
// answer to a pull carries a value the asker may lack, but the strategies
// that pull without a backing anti-entropy answer only while infective).
// By induction on the events, no value changes again.
//
// How 3 is known without looking at each value in flight, which would cost
// a search on every message of a run. A server sends the value it holds
// (or held earlier at the same instant), so a peer's message carries at
// most the largest value held when it was sent. That largest value only
// grows, but at a fall: a restart without durable storage of the last
// server holding it. So every peer's message sent since the last fall
// carries at most the largest value held now, which is the value all hold
// when they agree; the rule waits for every message sent before the fall
// to land. Without agreement (rumor mongering or direct mail alone) it
// waits for every peer's message, and it waits for every set: each lands
// within a latency, so the waits are short, and they never miss a message
// that could change a value.
//
// Conversely each condition is needed: a set that timed out may still be on
// its way (1, 3); a server that restarts without durable storage at 0 may
// leave the others agreeing on a smaller value than a sync still in flight
// carries (2, 3), which is how a run once stopped with a value lost that
// the next delivery would have brought back.
func (k *checker) quiescent() bool {
	f := &k.flight
	if k.clientsDone != k.c.cfg.Clients || !k.faultsOver || k.down != 0 || f.sets != 0 {
		return false
	}
	if k.c.cfg.unbacked() {
		return k.news == 0 && f.peer == 0
	}
	return k.atCur == k.c.cfg.Servers && f.beforeFall == 0
}

// flight counts the messages in flight to servers that the stop rule must
// wait for (see quiescent).
type flight struct {
	sets int // clients' sets
	peer int // peers' messages carrying a value the receiver may take
	// beforeFall counts those of peer sent before the last fall of the
	// largest value held: messages up to ID lastBeforeFall.
	beforeFall     int
	lastBeforeFall sim.MsgID
	lastSent       sim.MsgID
}

// fell notes that the largest value held just fell: every peer's message
// in flight was sent before.
func (f *flight) fell() {
	f.beforeFall, f.lastBeforeFall = f.peer, f.lastSent
}

// takesValue reports whether a server receiving a message of type t from
// a peer takes its value if larger: every message that carries a peer's
// value to be merged. A rumor pull carries the asker's value, which the
// pulled server only compares (feedback), and a rumor ack names the
// rumor it answers: neither changes the receiver.
func takesValue(t MsgType) bool {
	switch t {
	case Sync, PushPull, PullReply, RumorPush, RumorReply, Mail:
		return true
	}
	return false
}

// trackFlight keeps the counts of flight up to date with a step: the
// message it delivered or dropped has left the network, and each message
// it sent to a server (two copies if duplicated) has entered it.
func (k *checker) trackFlight(s *Step) {
	f := &k.flight
	if (s.In.Kind == sim.Deliver || s.In.Kind == sim.Drop) && k.c.isServer(s.Node) {
		switch t := s.In.Msg.Type; {
		case t == Set:
			f.sets--
		case takesValue(t):
			f.peer--
			if s.In.ID <= f.lastBeforeFall {
				f.beforeFall--
			}
		}
	}
	for _, m := range s.Sends {
		f.lastSent = m.ID
		if !k.c.isServer(m.To) {
			continue
		}
		copies := 1
		if m.Duplicated {
			copies = 2
		}
		switch t := m.Msg.Type; {
		case t == Set:
			f.sets += copies
		case takesValue(t):
			f.peer += copies
		}
	}
}

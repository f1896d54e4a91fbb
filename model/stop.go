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
//     crash is still to come, and no restart (see faultsOver for why the
//     whole safety phase, not only its crashes);
//  3. no message in flight to a server carries a value that server might
//     take: none is larger than the smallest value a server holds;
//  4. with broadcast or an anti-entropy, every server holds the same value;
//     with rumor mongering or direct mail alone, no server is infective.
//
// Proof that the values are then final. By 1 and 2 no value changes but by
// a message arriving. Every message in flight carries at most the smallest
// value held (3), so none makes its receiver take anything. Every message
// sent from now on carries its sender's value: under 4 with agreement that
// is the value every server holds, which no server takes; without
// agreement, only an infective server spreads news, and none is (a peer's
// answer to a pull carries a value the asker may lack, but the
// strategies that pull without a backing anti-entropy answer only while
// infective). By induction on the events, no value changes again.
//
// Conversely each condition is needed: a set that timed out may still be on
// its way (1, 3); a server that restarts without durable storage at 0 may
// leave the others agreeing on a smaller value than a sync still in flight
// carries (2, 3), which is how a run once stopped with a value lost that
// the next delivery would have brought back.
func (k *checker) quiescent() bool {
	if k.clientsDone != k.c.cfg.Clients || !k.faultsOver || k.down != 0 {
		return false
	}
	if k.c.cfg.unbacked() {
		if k.hot != 0 {
			return false
		}
	} else if k.atCur != k.c.cfg.Servers {
		return false
	}
	return k.flight.empty() || k.flight.max() <= k.minValue()
}

// minValue is the smallest value a server holds: with every server agreeing,
// the value they hold, else found by a scan (only rumor mongering and
// direct mail alone get there without agreement, and only at their end).
func (k *checker) minValue() int64 {
	if k.atCur == k.c.cfg.Servers {
		return k.curMax
	}
	low := k.curMax
	for _, r := range k.c.servers {
		low = min(low, r.Counter())
	}
	return low
}

// takesValue reports whether a server receiving a message of type t takes
// its value if larger: a client's set, and every message that carries a
// peer's value to be merged. A rumor pull carries the asker's value, which
// the pulled server only compares (feedback), and a rumor ack names the
// rumor it answers: neither changes the receiver.
func takesValue(t MsgType) bool {
	switch t {
	case Set, Sync, PushPull, PullReply, RumorPush, RumorReply, Mail:
		return true
	}
	return false
}

// trackFlight keeps the values in flight up to date with a step: the
// message it delivered or dropped has left the network, and each message
// it sent to a server (two copies if duplicated) has entered it.
func (k *checker) trackFlight(s *Step) {
	if (s.In.Kind == sim.Deliver || s.In.Kind == sim.Drop) && k.c.isServer(s.Node) && takesValue(s.In.Msg.Type) {
		k.flight.remove(s.In.Msg.Value)
	}
	for _, m := range s.Sends {
		if k.c.isServer(m.To) && takesValue(m.Msg.Type) {
			k.flight.add(m.Msg.Value)
			if m.Duplicated {
				k.flight.add(m.Msg.Value)
			}
		}
	}
}

// flight is the multiset of values carried by messages in flight to
// servers. A run has few distinct values in flight at once (servers that
// agree all send the same), so a map of counts stays small, and the
// largest is cached: it is recomputed only when its last copy leaves.
type flight struct {
	count map[int64]int32
	top   int64
}

func (f *flight) empty() bool { return len(f.count) == 0 }
func (f *flight) max() int64  { return f.top }
func (f *flight) add(v int64) {
	if f.count == nil {
		f.count = make(map[int64]int32)
	}
	if len(f.count) == 0 || v > f.top {
		f.top = v
	}
	f.count[v]++
}

func (f *flight) remove(v int64) {
	if f.count[v]--; f.count[v] > 0 {
		return
	}
	delete(f.count, v)
	if v == f.top {
		f.top = 0
		for x := range f.count {
			f.top = max(f.top, x)
		}
	}
}

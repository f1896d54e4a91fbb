package sim

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

// clockLog records, for every node event, the node's vector clock after
// it, and for every message the clock it was sent with.
type clockLog struct {
	v      *VectorClocks[tmsg, tnote]
	events []clockEvent
	sentAt map[MsgID][]uint64
}

type clockEvent struct {
	node  NodeID
	kind  InputKind
	msg   MsgID
	clock []uint64
}

func (l *clockLog) BeforeStep(Time, NodeID) {}

func (l *clockLog) AfterStep(s *tstep) {
	l.v.AfterStep(s)
	if !l.v.Ticked(s) {
		return
	}
	c := slices.Clone(l.v.clocks[s.Node])
	l.events = append(l.events, clockEvent{s.Node, s.In.Kind, s.In.ID, c})
	for _, m := range s.Sends {
		l.sentAt[m.ID] = c
	}
}

// before reports whether clock a happened before clock b.
func before(a, b []uint64) bool {
	strictly := false
	for i := range a {
		if a[i] > b[i] {
			return false
		}
		strictly = strictly || a[i] < b[i]
	}
	return strictly
}

// TestVectorClocks: each node ticks its own entry by one at each event;
// a message's sending happened before its receipt; and two nodes that
// never heard from each other have concurrent events.
func TestVectorClocks(t *testing.T) {
	// a pings b three times, b answers; c only ticks on a timer and talks
	// to nobody. Duplicates and losses make sure a message arriving twice
	// or never changes nothing.
	e := newEngine(Config{Seed: 5, Latency: Latency{Distribution: Uniform, Min: time.Millisecond, Max: 3 * time.Millisecond},
		Faults: Faults{Duplicate: 0.5, Loss: 0.2, Until: Time(time.Second)}})
	var a, b NodeID
	pings := 0
	a = e.Add("a", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Start || in.Kind == Timer && pings < 3 {
			pings++
			env.Send(b, tmsg{"ping", int64(pings)})
			env.After(5*time.Millisecond, "again")
		}
	}))
	b = e.Add("b", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Deliver {
			env.Send(a, tmsg{"pong", in.Msg.n})
		}
	}))
	e.Add("c", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Start {
			env.After(time.Millisecond, "tick")
		}
	}))
	log := &clockLog{v: NewVectorClocks(e), sentAt: make(map[MsgID][]uint64)}
	e.Observe(log)
	if _, err := e.Run(func() bool { return false }); err != nil {
		t.Fatal(err)
	}

	own := make(map[NodeID]uint64)
	receipts := 0
	for _, ev := range log.events {
		own[ev.node]++
		if ev.clock[ev.node] != own[ev.node] {
			t.Errorf("event %d of node %d has own entry %d", own[ev.node], ev.node, ev.clock[ev.node])
		}
		if ev.kind == Deliver {
			receipts++
			if sent := log.sentAt[ev.msg]; !before(sent, ev.clock) {
				t.Errorf("message %d: sent at %v, received at %v: not before", ev.msg, sent, ev.clock)
			}
		}
	}
	if receipts < 3 {
		t.Fatalf("only %d receipts: the test shows nothing", receipts)
	}
	last := func(n NodeID) []uint64 {
		for i := len(log.events) - 1; i >= 0; i-- {
			if log.events[i].node == n {
				return log.events[i].clock
			}
		}
		return nil
	}
	if ca, cc := last(a), last(2); before(ca, cc) || before(cc, ca) {
		t.Errorf("a %v and c %v never communicated, yet their events are ordered", ca, cc)
	}
	if got := string(log.v.AppendJSON(nil, 2)); got != `{"c": 2}` {
		t.Errorf("c's clock = %s, want {\"c\": 2}", got)
	}
}

// TestVectorClocksMemory: the clocks of messages no longer in flight are
// forgotten, dropped ones too, and the messages a node sends in one step
// share one copy of its clock, so that a broadcast to n nodes costs one
// clock, not n.
func TestVectorClocksMemory(t *testing.T) {
	const n = 50
	e := newEngine(Config{Seed: 3, Latency: Latency{Distribution: Uniform, Min: time.Millisecond, Max: 3 * time.Millisecond},
		Faults: Faults{Duplicate: 0.3, Loss: 0.3, Until: Time(time.Second)}})
	ids := make([]NodeID, n)
	rounds := 0
	for i := range ids {
		ids[i] = e.Add(strconv.Itoa(i), stepFunc(func(env *tenv, in tinput) {
			// Node 0 broadcasts every 20ms, ten times; node 1
			// answers. A round is over before the next starts.
			switch {
			case i == 0 && (in.Kind == Start || in.Kind == Timer) && rounds < 10:
				rounds++
				for _, to := range ids[1:] {
					env.Send(to, tmsg{"ping", int64(rounds)})
				}
				env.After(20*time.Millisecond, "again")
			case i == 1 && in.Kind == Deliver:
				env.Send(ids[0], tmsg{"pong", in.Msg.n})
			}
		}))
	}
	v := NewVectorClocks(e)
	base := v.Bytes()
	if base < n*n*8 {
		t.Fatalf("Bytes() = %d before any step, want at least the %d of the nodes' clocks", base, n*n*8)
	}
	peak := base
	e.Observe(observerFunc(func(s *tstep) {
		v.AfterStep(s)
		peak = max(peak, v.Bytes())
	}))
	if _, err := e.Run(func() bool { return false }); err != nil {
		t.Fatal(err)
	}
	if len(v.inflight) != 0 || v.Bytes() != base {
		t.Errorf("with nothing left in flight, %d messages' clocks are kept, %d bytes over the nodes' own", len(v.inflight), v.Bytes()-base)
	}
	// A round in flight is one clock for the broadcast and one for the
	// answer, and an entry per message, where a clock per message would
	// be n.
	if over := peak - base; over > 2*v.clockBytes()+n*inflightBytes {
		t.Errorf("the clocks of the messages in flight took up to %d bytes", over)
	}
}

package model

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"eccounter/sim"
)

// The handlers are tested in isolation: the node under test runs in a small
// engine with a fixed latency, next to scripted peers that send chosen
// messages at chosen times and log what they receive.

// latency is the network's fixed latency in these tests.
const latency = time.Millisecond

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func at(n float64) sim.Time { return sim.Time(ms(n)) }

// request is a message a scripted peer sends at a time.
type request struct {
	at  time.Duration
	by  sim.NodeID // the peer that sends it
	to  sim.NodeID
	msg Msg
}

// delivery is a message as a scripted peer received it.
type delivery struct {
	at       sim.Time
	from, to sim.NodeID
	msg      Msg
}

func (d delivery) String() string {
	return fmt.Sprintf("%v %d->%d %v(%d, accepted %t)", d.at, d.from, d.to, d.msg.Type, d.msg.Value, d.msg.Accepted)
}

// scriptedPeer sends its requests at their times and appends what it
// receives to a log shared by all peers.
type scriptedPeer struct {
	sends []request
	log   *[]delivery
}

func (p *scriptedPeer) Step(env *Env, in Input) {
	switch in.Kind {
	case sim.Start:
		for i, r := range p.sends {
			env.After(r.at, strconv.Itoa(i))
		}
	case sim.Timer:
		i, err := strconv.Atoi(in.Timer)
		if err != nil {
			panic(err)
		}
		env.Send(p.sends[i].to, p.sends[i].msg)
	case sim.Deliver:
		*p.log = append(*p.log, delivery{env.Now(), in.From, env.Self(), in.Msg})
	}
}

// recordedStep is a copy of a step an observer saw.
type recordedStep struct {
	t     sim.Time
	node  sim.NodeID
	in    Input
	notes []Note
	sends []sim.Sent[Msg]
}

// stepRecorder keeps a copy of every step.
type stepRecorder struct{ steps []recordedStep }

func (r *stepRecorder) BeforeStep(sim.Time, sim.NodeID) {}

func (r *stepRecorder) AfterStep(s *Step) {
	r.steps = append(r.steps, recordedStep{s.Time, s.Node, s.In, slices.Clone(s.Notes), slices.Clone(s.Sends)})
}

// of returns the steps of one node.
func (r *stepRecorder) of(node sim.NodeID) []recordedStep {
	var out []recordedStep
	for _, s := range r.steps {
		if s.node == node {
			out = append(out, s)
		}
	}
	return out
}

func newTestEngine(maxTime time.Duration) *Engine {
	return sim.New[Msg, Note](sim.Config{Seed: 1, Latency: sim.Latency{Distribution: sim.Fixed, Fixed: latency}, MaxTime: sim.Time(maxTime)})
}

func never() bool { return false }

// TestServerRequests sends a lone server (node 0) gets, sets and syncs from
// scripted peers and checks its replies, its final value and the updates it
// records. A request sent at t arrives at t+1ms and its reply at t+2ms.
func TestServerRequests(t *testing.T) {
	get := Msg{Type: Get}
	set := func(v int64) Msg { return Msg{Type: Set, Value: v} }
	sync := func(v int64) Msg { return Msg{Type: Sync, Value: v} }
	getReply := func(v int64) Msg { return Msg{Type: GetReply, Value: v} }
	setReply := func(v int64, ok bool) Msg { return Msg{Type: SetReply, Value: v, Accepted: ok} }
	update := func(v, prev int64) Note { return Note{Kind: Update, Value: v, Prev: prev} }

	tests := []struct {
		name        string
		value       int64 // the server's value at the start
		script      []request
		wantReplies []delivery
		wantValue   int64
		wantUpdates []Note
	}{
		{name: "get of a fresh server",
			script:      []request{{0, 1, 0, get}},
			wantReplies: []delivery{{at(2), 0, 1, getReply(0)}}},
		{name: "get replies with the current value", value: 7,
			script:      []request{{0, 1, 0, get}, {ms(3), 1, 0, get}},
			wantReplies: []delivery{{at(2), 0, 1, getReply(7)}, {at(5), 0, 1, getReply(7)}},
			wantValue:   7},
		{name: "larger set accepted with the old value", value: 5,
			script:      []request{{0, 1, 0, set(9)}},
			wantReplies: []delivery{{at(2), 0, 1, setReply(5, true)}},
			wantValue:   9, wantUpdates: []Note{update(9, 5)}},
		{name: "set one larger accepted", value: 5,
			script:      []request{{0, 1, 0, set(6)}},
			wantReplies: []delivery{{at(2), 0, 1, setReply(5, true)}},
			wantValue:   6, wantUpdates: []Note{update(6, 5)}},
		{name: "equal set rejected with the current value", value: 5,
			script:      []request{{0, 1, 0, set(5)}},
			wantReplies: []delivery{{at(2), 0, 1, setReply(5, false)}},
			wantValue:   5},
		{name: "smaller set rejected with the current value", value: 5,
			script:      []request{{0, 1, 0, set(3)}},
			wantReplies: []delivery{{at(2), 0, 1, setReply(5, false)}},
			wantValue:   5},
		{name: "set of 0 on a fresh server rejected",
			script:      []request{{0, 1, 0, set(0)}},
			wantReplies: []delivery{{at(2), 0, 1, setReply(0, false)}}},
		{name: "larger sync taken without reply", value: 5,
			script:    []request{{0, 1, 0, sync(8)}},
			wantValue: 8, wantUpdates: []Note{update(8, 5)}},
		{name: "equal sync ignored", value: 5,
			script:    []request{{0, 1, 0, sync(5)}},
			wantValue: 5},
		{name: "smaller sync ignored", value: 5,
			script:    []request{{0, 1, 0, sync(4)}},
			wantValue: 5},
		{name: "get sees a sync", value: 1,
			script:      []request{{0, 1, 0, sync(4)}, {ms(1), 1, 0, get}},
			wantReplies: []delivery{{at(3), 0, 1, getReply(4)}},
			wantValue:   4, wantUpdates: []Note{update(4, 1)}},
		{name: "replies go to the sender", value: 10,
			script: []request{
				{0, 1, 0, get},
				{0, 2, 0, set(20)},
				{ms(1), 3, 0, set(15)},
				{ms(1), 1, 0, get},
			},
			wantReplies: []delivery{
				{at(2), 0, 1, getReply(10)},
				{at(2), 0, 2, setReply(10, true)},
				// Peer 1 armed its timer for 1ms before peer 3 did, so
				// its get goes first.
				{at(3), 0, 1, getReply(20)},
				{at(3), 0, 3, setReply(20, false)},
			},
			wantValue: 20, wantUpdates: []Note{update(20, 10)}},
		{name: "a run of sets, syncs and gets",
			script: []request{
				{0, 1, 0, set(3)},
				{ms(1), 1, 0, set(2)},
				{ms(2), 1, 0, sync(10)},
				{ms(3), 1, 0, get},
				{ms(4), 1, 0, set(10)},
				{ms(5), 1, 0, set(11)},
				{ms(5.5), 1, 0, sync(10)},
				{ms(6), 1, 0, get},
			},
			wantReplies: []delivery{
				{at(2), 0, 1, setReply(0, true)},
				{at(3), 0, 1, setReply(3, false)},
				{at(5), 0, 1, getReply(10)},
				{at(6), 0, 1, setReply(10, false)},
				{at(7), 0, 1, setReply(10, true)},
				{at(8), 0, 1, getReply(11)},
			},
			wantValue: 11, wantUpdates: []Note{update(3, 0), update(10, 3), update(11, 10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// MaxTime only bounds a broken server that keeps running.
			e := newTestEngine(time.Second)
			srv := &Server{ID: 0, Servers: 1, SyncInterval: 10 * time.Millisecond, Value: tt.value}
			e.Add("server", srv)
			var log []delivery
			peers := 0
			for _, r := range tt.script {
				peers = max(peers, int(r.by))
			}
			for id := 1; id <= peers; id++ {
				p := &scriptedPeer{log: &log}
				for _, r := range tt.script {
					if int(r.by) == id {
						p.sends = append(p.sends, r)
					}
				}
				e.Add(fmt.Sprintf("peer-%d", id), p)
			}
			rec := &stepRecorder{}
			e.Observe(rec)
			res, err := e.Run(never)
			if err != nil {
				t.Fatal(err)
			}
			if res.Reason != sim.Idle {
				t.Errorf("run ended %v, want idle: a lone server arms no timer", res.Reason)
			}
			if !slices.Equal(log, tt.wantReplies) {
				t.Errorf("peers received\n%v\nwant\n%v", log, tt.wantReplies)
			}
			if srv.Value != tt.wantValue || srv.Counter() != tt.wantValue {
				t.Errorf("server holds %d (Counter %d), want %d", srv.Value, srv.Counter(), tt.wantValue)
			}
			var updates []Note
			for _, s := range rec.of(0) {
				updates = append(updates, s.notes...)
			}
			if !slices.Equal(updates, tt.wantUpdates) {
				t.Errorf("server recorded %+v, want %+v", updates, tt.wantUpdates)
			}
		})
	}
}

// TestServerSync runs one server among scripted peers (the other server
// IDs) and one more scripted node past the servers, which stands for a
// client. The server starts at 42; the first peer syncs it 99 halfway
// through the second interval. Every interval the server must send its
// current value to every other server, and nothing to itself or the client.
func TestServerSync(t *testing.T) {
	tests := []struct {
		servers  int
		self     sim.NodeID
		interval time.Duration
	}{
		{1, 0, 10 * time.Millisecond},
		{2, 0, 10 * time.Millisecond},
		{2, 1, 10 * time.Millisecond},
		{3, 1, 7 * time.Millisecond},
		{5, 0, 10 * time.Millisecond},
		{5, 4, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d servers, self %d, every %v", tt.servers, tt.self, tt.interval), func(t *testing.T) {
			maxTime := 3*tt.interval + 5*time.Millisecond
			e := newTestEngine(maxTime)
			srv := &Server{ID: tt.self, Servers: tt.servers, SyncInterval: tt.interval, Value: 42}
			var log []delivery
			firstPeer := sim.NodeID(0)
			if tt.self == 0 {
				firstPeer = 1
			}
			for id := range sim.NodeID(tt.servers + 1) {
				if id == tt.self {
					e.Add("server", srv)
					continue
				}
				p := &scriptedPeer{log: &log}
				if id == firstPeer && tt.servers > 1 {
					p.sends = []request{{tt.interval * 3 / 2, id, tt.self, Msg{Type: Sync, Value: 99}}}
				}
				e.Add(fmt.Sprintf("peer-%d", id), p)
			}
			rec := &stepRecorder{}
			e.Observe(rec)
			res, err := e.Run(never)
			if err != nil {
				t.Fatal(err)
			}

			var want []delivery
			var wantTimers []sim.Time
			if tt.servers > 1 {
				for k, v := range []int64{42, 99, 99} {
					sent := sim.Time(tt.interval) * sim.Time(k+1)
					wantTimers = append(wantTimers, sent)
					for peer := range sim.NodeID(tt.servers) {
						if peer != tt.self {
							want = append(want, delivery{sent.Add(latency), tt.self, peer, Msg{Type: Sync, Value: v}})
						}
					}
				}
				if res.Reason != sim.MaxTimeReached || res.Now != sim.Time(maxTime) {
					t.Errorf("run ended %v at %v, want max_time at %v: the sync timer is re-armed for ever", res.Reason, res.Now, maxTime)
				}
			} else if res.Reason != sim.Idle || res.Events != 2 {
				t.Errorf("run ended %v after %d events, want idle after the 2 starts: a lone server arms no timer", res.Reason, res.Events)
			}
			if !slices.Equal(log, want) {
				t.Errorf("peers received\n%v\nwant\n%v", log, want)
			}

			var timers []sim.Time
			for _, s := range rec.of(tt.self) {
				switch s.in.Kind {
				case sim.Timer:
					timers = append(timers, s.t)
					if s.in.Timer != SyncTimer {
						t.Errorf("timer %q at %v, want %q", s.in.Timer, s.t, SyncTimer)
					}
					if len(s.sends) != tt.servers-1 {
						t.Errorf("%d syncs sent at %v, want %d", len(s.sends), s.t, tt.servers-1)
					}
					for _, m := range s.sends {
						if m.To == tt.self || int(m.To) >= tt.servers || m.Msg.Type != Sync {
							t.Errorf("at %v sent %v to node %d", s.t, m.Msg.Type, m.To)
						}
					}
				case sim.Deliver:
					if s.in.From == tt.self {
						t.Errorf("server received %v from itself at %v", s.in.Msg.Type, s.t)
					}
				}
			}
			if !slices.Equal(timers, wantTimers) {
				t.Errorf("sync timer fired at %v, want %v", timers, wantTimers)
			}
		})
	}
}

// TestAnswersCarryTheValueBeforeTheInstant: messages that arrive at one
// instant arrive at once, so a server answers every pull, push-pull and
// rumor pull of an instant with the value it held before that instant,
// whatever it takes from the push-pulls the engine steps first; the next
// instant's answers carry what it took. A rumor-pull server's answer that
// carries the rumor it had before is no contact for the one it just
// learned. A server that comes back from a crash without its disk held
// nothing before: its answers at that instant carry 0. A request sent at t
// arrives at t+1ms and its answer at t+2ms.
func TestAnswersCarryTheValueBeforeTheInstant(t *testing.T) {
	req := func(at float64, by sim.NodeID, typ MsgType, v int64) request {
		return request{ms(at), by, 0, Msg{Type: typ, Value: v}}
	}
	answer := func(at float64, to sim.NodeID, typ MsgType, v int64) delivery {
		return delivery{sim.Time(ms(at)), 0, to, Msg{Type: typ, Value: v}}
	}
	tests := []struct {
		name    string
		srv     *Server
		peers   map[sim.NodeID]*rumorPeer
		crash   []sim.Crash
		maxTime time.Duration
		want    []delivery
	}{
		{name: "push-pull and pull",
			srv: &Server{Servers: 5, Strategy: StrategyPushPull, Value: 2},
			// Stepped in the order they were sent: peer 1's
			// push-pull first.
			peers: map[sim.NodeID]*rumorPeer{
				1: sending(req(5, 1, PushPull, 7)),
				2: sending(req(5, 2, PushPull, 3)),
				3: sending(req(5, 3, Pull, 0)),
				4: sending(req(6, 4, Pull, 0)),
			},
			maxTime: 20 * time.Millisecond,
			want: []delivery{answer(7, 1, PullReply, 2), answer(7, 2, PullReply, 2), answer(7, 3, PullReply, 2),
				answer(8, 4, PullReply, 7)}},
		// The answer of 7 is about the old rumor: it does not count
		// towards 9, so the server (blind, k = 1: one round of
		// contacts is enough) does not lose interest in 9 when its
		// round 2 begins (200ms).
		{name: "rumor-pull, with a backing push-pull",
			srv: &Server{Servers: 3, Strategy: StrategyRumorPull, Rumor: Rumor{K: 1, Blind: true}, Value: 7, News: true},
			peers: map[sim.NodeID]*rumorPeer{
				1: sending(req(150, 1, PushPull, 9)),
				2: sending(req(150, 2, RumorPull, 8), req(210, 2, RumorPull, 0)),
			},
			maxTime: 280 * time.Millisecond,
			want: []delivery{answer(152, 1, PullReply, 7), answer(152, 2, RumorReply, 7),
				answer(212, 2, RumorReply, 9)}},
		{name: "restarted without its disk",
			srv:     &Server{Servers: 2, Strategy: StrategyPushPull, Value: 5},
			peers:   map[sim.NodeID]*rumorPeer{1: sending(req(19, 1, PushPull, 0), req(20, 1, Pull, 0))},
			crash:   []sim.Crash{{Node: 0, At: sim.Time(ms(10)), Restart: sim.Time(ms(20))}},
			maxTime: 30 * time.Millisecond,
			want:    []delivery{answer(21, 1, PullReply, 0), answer(22, 1, PullReply, 0)}},
		{name: "restarted with its disk",
			srv:     &Server{Servers: 2, Strategy: StrategyPushPull, Value: 5},
			peers:   map[sim.NodeID]*rumorPeer{1: sending(req(19, 1, PushPull, 0))},
			crash:   []sim.Crash{{Node: 0, At: sim.Time(ms(10)), Restart: sim.Time(ms(20)), Durable: true}},
			maxTime: 30 * time.Millisecond,
			want:    []delivery{answer(21, 1, PullReply, 5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := runRumor(t, tt.srv, tt.peers, 1, tt.maxTime, tt.crash...)
			var got []delivery
			for _, d := range b.log {
				if d.msg.Type == PullReply || d.msg.Type == RumorReply {
					got = append(got, d)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("peers received\n%v\nwant\n%v", got, tt.want)
			}
		})
	}

	// With no latency a pull can arrive at time 0, the instant the server
	// starts with its value: it answers with that value.
	t.Run("at time 0", func(t *testing.T) {
		e := sim.New[Msg, Note](sim.Config{Seed: 1, Latency: sim.Latency{Distribution: sim.Fixed}, MaxTime: sim.Time(ms(5))})
		e.Add("server", &Server{ID: 0, Servers: 2, SyncInterval: rumorRound, Strategy: StrategyPull, Fanout: 1, Value: 5})
		var log []delivery
		e.Add("peer", &scriptedPeer{sends: []request{{0, 1, 0, Msg{Type: Pull}}}, log: &log})
		if _, err := e.Run(never); err != nil {
			t.Fatal(err)
		}
		if want := []delivery{{0, 0, 1, Msg{Type: PullReply, Value: 5}}}; !slices.Equal(log, want) {
			t.Errorf("peer received %v, want %v", log, want)
		}
	})
}

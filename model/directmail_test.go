package model

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"eccounter/sim"
)

// Direct mail is tested like rumor mongering (rumor_test.go): the server
// under test runs next to scripted peers, with the fixed latency of 1ms,
// or among other real servers. A scripted node past the servers stands
// for a client, as in TestServerSync. A set sent at t arrives at t+1ms;
// its set_reply and the mails it makes leave in that same step, and
// arrive at t+2ms.

// runMail runs srv (node srv.ID of srv.Servers) among peers, as runRumor
// does, and one more scripted node, srv.Servers, standing for a client,
// which sends the requests of client; until nothing is left to happen or
// maxTime.
func runMail(t *testing.T, srv *Server, peers map[sim.NodeID]*rumorPeer, client []request, maxTime time.Duration) *rumorBench {
	t.Helper()
	if srv.SyncInterval == 0 {
		srv.SyncInterval = rumorRound
	}
	nodes := maps.Clone(peers)
	if nodes == nil {
		nodes = map[sim.NodeID]*rumorPeer{}
	}
	nodes[sim.NodeID(srv.Servers)] = sending(client...)
	return runNodes(t, srv, srv.Servers+1, nodes, 1, maxTime)
}

// mailsTo is what the other servers of 0..servers-1 receive when self
// mails value at sent: one mail each, in the order of their IDs.
func mailsTo(servers int, self sim.NodeID, sent time.Duration, value int64) []delivery {
	var out []delivery
	for peer := range sim.NodeID(servers) {
		if peer != self {
			out = append(out, delivery{sim.Time(sent + latency), self, peer, Msg{Type: Mail, Value: value}})
		}
	}
	return out
}

// TestDirectMailSet: a server that accepts a client's set mails the new
// value to every other server, once each, in the very step of its
// set_reply; a rejected set mails nothing. The server arms no timer at
// all, so the run goes idle once the client is done.
func TestDirectMailSet(t *testing.T) {
	tests := []struct {
		name    string
		servers int
		self    sim.NodeID
		value   int64   // the server's value at the start
		sets    []int64 // sent by the client at 10ms, 20ms, ...
		// per set: the value accepted, and so mailed to every other
		// server; 0 if the set is rejected
		accepted []int64
	}{
		{name: "accepted: mailed to every other server", servers: 3, value: 5,
			sets: []int64{9}, accepted: []int64{9}},
		{name: "one larger is accepted", servers: 3, value: 5,
			sets: []int64{6}, accepted: []int64{6}},
		{name: "equal: rejected, nothing mailed", servers: 3, value: 5,
			sets: []int64{5}, accepted: []int64{0}},
		{name: "smaller: rejected, nothing mailed", servers: 3, value: 5,
			sets: []int64{3}, accepted: []int64{0}},
		{name: "a server in the middle mails those before and after it", servers: 5, self: 2,
			sets: []int64{4}, accepted: []int64{4}},
		{name: "the last server", servers: 4, self: 3, value: 1,
			sets: []int64{2}, accepted: []int64{2}},
		{name: "two servers: one mail", servers: 2, self: 1,
			sets: []int64{7}, accepted: []int64{7}},
		{name: "a lone server has nobody to mail", servers: 1,
			sets: []int64{7}, accepted: []int64{7}},
		{name: "a run of sets: each accepted value once", servers: 3, self: 1,
			sets: []int64{3, 2, 7, 7, 8, 1}, accepted: []int64{3, 0, 7, 0, 8, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := sim.NodeID(tt.servers)
			var script []request
			var want []delivery
			value := tt.value
			for i, v := range tt.sets {
				sent := ms(10 * float64(i+1))
				script = append(script, request{sent, client, tt.self, Msg{Type: Set, Value: v, Req: uint32(i + 1)}})
				accepted := tt.accepted[i] != 0
				want = append(want, delivery{sim.Time(sent + 2*latency), tt.self, client,
					Msg{Type: SetReply, Value: value, Accepted: accepted, Req: uint32(i + 1)}})
				if accepted {
					want = append(want, mailsTo(tt.servers, tt.self, sent+latency, tt.accepted[i])...)
					value = tt.accepted[i]
				}
			}
			srv := &Server{ID: tt.self, Servers: tt.servers, Strategy: StrategyDirectMail, Value: tt.value}
			b := runMail(t, srv, nil, script, time.Minute)
			if !slices.Equal(b.log, want) {
				t.Errorf("peers and client received\n%v\nwant\n%v", b.log, want)
			}
			// The mails leave with the set_reply, in the same step.
			for _, s := range b.rec.of(tt.self) {
				if s.in.Kind == sim.Deliver && s.in.Msg.Type == Set {
					if len(s.sends) == 0 || s.sends[0].Msg.Type != SetReply {
						t.Errorf("at %v the set step sent %v, want the set_reply first", s.t, s.sends)
					}
					continue
				}
				if len(s.sends) > 0 {
					t.Errorf("at %v the server sent %v on %v, want sends only when it accepts a set", s.t, s.sends, s.in.Kind)
				}
			}
			if srv.Value != value || srv.News {
				t.Errorf("server ends with %d, News %t; want %d, not hot", srv.Value, srv.News, value)
			}
			if b.res.Reason != sim.Idle {
				t.Errorf("run ended %v at %v, want idle: direct mail arms no timer", b.res.Reason, b.res.Now)
			}
		})
	}
}

// TestDirectMailReceive: a server takes a mailed value if it is larger,
// and passes it on to nobody, not even an acknowledgement; a mail of a
// value no larger than its own changes nothing.
func TestDirectMailReceive(t *testing.T) {
	mail := func(at float64, by sim.NodeID, v int64) request {
		return request{ms(at), by, 0, Msg{Type: Mail, Value: v}}
	}
	update := func(at float64, v, prev int64) timedNote {
		return timedNote{sim.Time(ms(at)), Note{Kind: Update, Value: v, Prev: prev}}
	}
	tests := []struct {
		name    string
		peers   map[sim.NodeID]*rumorPeer
		value   int64
		updates []timedNote
	}{
		{name: "larger: taken", value: 8,
			peers:   map[sim.NodeID]*rumorPeer{1: sending(mail(10, 1, 8))},
			updates: []timedNote{update(11, 8, 5)}},
		{name: "equal: kept out", value: 5,
			peers: map[sim.NodeID]*rumorPeer{1: sending(mail(10, 1, 5))}},
		{name: "smaller: kept out", value: 5,
			peers: map[sim.NodeID]*rumorPeer{2: sending(mail(10, 2, 3))}},
		{name: "mails from two servers, in and out of order", value: 10,
			peers: map[sim.NodeID]*rumorPeer{
				1: sending(mail(10, 1, 8), mail(30, 1, 8)),
				2: sending(mail(20, 2, 6), mail(40, 2, 10), mail(50, 2, 9)),
			},
			updates: []timedNote{update(11, 8, 5), update(41, 10, 8)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &Server{ID: 0, Servers: 3, Strategy: StrategyDirectMail, Value: 5}
			b := runMail(t, srv, tt.peers, nil, time.Minute)
			if srv.Value != tt.value {
				t.Errorf("server ends with %d, want %d", srv.Value, tt.value)
			}
			if got := b.notes(0, Update); !slices.Equal(got, tt.updates) {
				t.Errorf("server updated %v, want %v", got, tt.updates)
			}
			if got := b.sent(0, 0); len(got) > 0 {
				t.Errorf("server sent %v, want nothing: a mail is passed on to nobody", got)
			}
			if srv.News || srv.Infective() {
				t.Errorf("server is hot after a mail: it has nothing to spread")
			}
			if b.res.Reason != sim.Idle {
				t.Errorf("run ended %v at %v, want idle", b.res.Reason, b.res.Now)
			}
		})
	}
}

// TestDirectMailStart: a server arms no sync timer, whatever its sync
// interval, and sends nothing unless it starts with News (a value injected as if
// a client had just set it), which it then mails to every other server
// once, at the start, and has News no more.
func TestDirectMailStart(t *testing.T) {
	for _, tt := range []struct {
		servers int
		self    sim.NodeID
		news    bool
	}{
		{2, 0, false}, {3, 1, false}, {5, 4, false},
		{2, 0, true}, {3, 1, true}, {5, 0, true}, {5, 4, true},
		{1, 0, true},
	} {
		t.Run(fmt.Sprintf("%d servers, self %d, hot %t", tt.servers, tt.self, tt.news), func(t *testing.T) {
			srv := &Server{ID: tt.self, Servers: tt.servers, Strategy: StrategyDirectMail, Value: 7, News: tt.news}
			b := runRumor(t, srv, nil, 1, 10*rumorRound)
			var want []delivery
			if tt.news {
				want = mailsTo(tt.servers, tt.self, 0, 7)
			}
			if !slices.Equal(b.log, want) {
				t.Errorf("peers received\n%v\nwant\n%v", b.log, want)
			}
			for _, s := range b.rec.of(tt.self) {
				if s.in.Kind != sim.Start {
					t.Errorf("server stepped on %v at %v, want its start alone", s.in.Kind, s.t)
				}
			}
			if srv.News || srv.Value != 7 {
				t.Errorf("server ends with %d, News %t; want 7, not hot", srv.Value, srv.News)
			}
			end := sim.Time(0)
			if len(want) > 0 {
				end = sim.Time(latency)
			}
			if b.res.Reason != sim.Idle || b.res.Now != end {
				t.Errorf("run ended %v at %v, want idle at %v, once the mails are in", b.res.Reason, b.res.Now, end)
			}
		})
	}
}

// TestDirectMailAntiEntropy: with a backing anti-entropy a server sends
// one push_pull to one other server every AntiEntropy, and still no sync
// message; among real servers the exchanges spread a value nobody mailed.
func TestDirectMailAntiEntropy(t *testing.T) {
	const every = 250 * time.Millisecond
	t.Run("one push_pull an interval", func(t *testing.T) {
		srv := &Server{ID: 1, Servers: 3, Strategy: StrategyDirectMail, Rumor: Rumor{AntiEntropy: every}, Value: 5}
		b := runRumor(t, srv, nil, 1, 4*every+5*time.Millisecond)
		want := []sim.Time{sim.Time(every), sim.Time(2 * every), sim.Time(3 * every), sim.Time(4 * every)}
		if got := b.timers(1, AntiEntropyTimer); !slices.Equal(got, want) {
			t.Errorf("anti-entropy timer went off at %v, want %v", got, want)
		}
		if got := b.timers(1, SyncTimer); len(got) > 0 {
			t.Errorf("sync timer went off at %v, want never", got)
		}
		sent := b.sent(1, 0)
		if len(sent) != len(want) {
			t.Errorf("server sent %v, want one push_pull at each of %v", sent, want)
		}
		for i, m := range sent {
			if i >= len(want) || m.at != want[i] || m.msg.Type != PushPull || m.msg.Value != 5 || m.to == 1 || m.to > 2 || m.timerN != AntiEntropyTimer {
				t.Errorf("sent %v, want a push_pull of 5 to another server at %v", m, want[min(i, len(want)-1)])
			}
		}
	})

	t.Run("exchanges spread an unmailed value", func(t *testing.T) {
		var servers []*Server
		for i := range 4 {
			s := &Server{SyncInterval: rumorRound, Strategy: StrategyDirectMail, Rumor: Rumor{AntiEntropy: every}}
			if i == 0 {
				s.Value = 7 // not News: no mail, only an exchange spreads it
			}
			servers = append(servers, s)
		}
		const intervals = 20
		b := runServers(t, servers, 5, intervals*every+5*time.Millisecond)
		kinds := map[MsgType]int{}
		for node := range sim.NodeID(4) {
			for _, m := range b.sent(node, 0) {
				kinds[m.msg.Type]++
			}
			if got := len(b.timers(node, AntiEntropyTimer)); got != intervals {
				t.Errorf("server %d: anti-entropy timer went off %d times, want %d", node, got, intervals)
			}
		}
		if want := (map[MsgType]int{PushPull: 4 * intervals, PullReply: 4 * intervals}); !maps.Equal(kinds, want) {
			t.Errorf("servers sent %v, want %v: exchanges and their answers only", kinds, want)
		}
		for i, s := range servers {
			if s.Value != 7 {
				t.Errorf("server %d ends with %d, want 7", i, s.Value)
			}
		}
	})
}

// mailConfig is an epidemic measurement (EpidemicConfig) of direct mail on
// servers, in rounds of rumorRound.
func mailConfig(seed int64, servers int) Config {
	return EpidemicConfig(Config{Seed: seed, Servers: servers, Strategy: StrategyDirectMail, SyncInterval: rumorRound,
		MaxTime: time.Minute, MaxEvents: 1_000_000})
}

// TestDirectMailInjected: a value injected at server-1, as an epidemic
// measurement does, is mailed at the start to every other server, each of
// which takes it one latency later and passes it on to nobody; the run
// ends then, every server holding it, the update having cost n-1
// messages, all of round 0.
func TestDirectMailInjected(t *testing.T) {
	for _, n := range []int{1, 2, 8} {
		t.Run(fmt.Sprintf("%d servers", n), func(t *testing.T) {
			cfg := mailConfig(1, n)
			c := NewCluster(cfg)
			var rec stepRecorder
			c.Engine().Observe(&rec)
			spread := NewSpread(c)
			c.Engine().Observe(spread)
			r, err := c.Run()
			if err != nil {
				t.Fatal(err)
			}
			end := sim.Time(cfg.Latency.Fixed)
			if n == 1 {
				end = 0
			}
			if r.Reason != sim.Done || r.Now != end || !r.Converged || r.Value != 1 || r.Residue != 0 || !r.Passed() || len(r.Anomalies) > 0 {
				t.Errorf("stopped by %v at %v, converged %t on %d, residue %d, passed %t, anomalies %v; want done at %v, converged on 1",
					r.Reason, r.Now, r.Converged, r.Value, r.Residue, r.Passed(), r.Anomalies, end)
			}
			var wantSent []sim.KindCount
			if n > 1 {
				wantSent = []sim.KindCount{{Kind: "mail", Count: int64(n - 1)}}
			}
			if !slices.Equal(r.Sent, wantSent) {
				t.Errorf("sent %v, want %v", r.Sent, wantSent)
			}
			for _, s := range rec.steps {
				switch {
				case s.in.Kind == sim.Start && s.node == 0:
					var to []sim.NodeID
					for _, m := range s.sends {
						if m.Msg != (Msg{Type: Mail, Value: 1}) {
							t.Errorf("server-1 sent %v at its start, want a mail of 1", m.Msg)
						}
						to = append(to, m.To)
					}
					var want []sim.NodeID
					for p := sim.NodeID(1); int(p) < n; p++ {
						want = append(want, p)
					}
					if !slices.Equal(to, want) {
						t.Errorf("server-1 mailed %v at its start, want %v", to, want)
					}
				case s.in.Kind == sim.Start:
					if len(s.sends) > 0 {
						t.Errorf("server %d sent %v at its start", s.node, s.sends)
					}
				default:
					if s.t != end || s.in.Kind != sim.Deliver || s.in.Msg != (Msg{Type: Mail, Value: 1}) || s.in.From != 0 ||
						!slices.Equal(s.notes, []Note{{Kind: Update, Value: 1, Prev: 0}}) || len(s.sends) > 0 {
						t.Errorf("server %d at %v: %v %v, notes %v, sent %v; want the mail of 1 from server-1 at %v, taken, passed on to nobody",
							s.node, s.t, s.in.Kind, s.in.Msg, s.notes, s.sends, end)
					}
				}
			}
			if got := c.servers[0].Infective(); got {
				t.Errorf("server-1 is still hot after mailing")
			}
			e := spread.Result()
			want := Epidemic{Residue: 0, Traffic: float64(n-1) / float64(n), TAve: 0, TLast: 0, Holding: []int{n}}
			if e.Residue != want.Residue || e.Traffic != want.Traffic || e.TAve != want.TAve || e.TLast != want.TLast || !slices.Equal(e.Holding, want.Holding) {
				t.Errorf("epidemic %+v, want %+v", e, want)
			}
		})
	}
}

// droppedMails returns, in order, the servers whose mail the network lost.
func droppedMails(rec *stepRecorder) []sim.NodeID {
	var out []sim.NodeID
	for _, s := range rec.steps {
		if s.in.Kind == sim.Drop && s.in.Msg.Type == Mail {
			out = append(out, s.node)
		}
	}
	return out
}

// TestDirectMailLoss: a mail the network loses is never sent again. Alone,
// direct mail then ends as soon as no mail is on its way, with exactly the
// servers whose mail was lost left out: the residue, reported as an
// anomaly of converged-to-max, not a failure, and liveness not checked.
// With a backing anti-entropy, under the same loss, the exchanges find
// them, and the servers converge.
func TestDirectMailLoss(t *testing.T) {
	const n, seed = 20, 1
	cfg := mailConfig(seed, n)
	cfg.Faults = sim.Faults{Loss: 0.25}

	alone := NewCluster(cfg)
	var rec stepRecorder
	alone.Engine().Observe(&rec)
	r, err := alone.Run()
	if err != nil {
		t.Fatal(err)
	}
	missed := droppedMails(&rec)
	if len(missed) < 4 {
		t.Fatalf("the network lost %d mails (to %v): the test shows little; pick another seed", len(missed), missed)
	}
	t.Logf("the network lost the mails to %d of %d servers", len(missed), n-1)
	end := sim.Time(cfg.Latency.Fixed)
	if r.Reason != sim.Done || r.Now != end || r.Converged || !r.Passed() {
		t.Errorf("stopped by %v at %v, converged %t, passed %t; want done at %v, not converged, passed", r.Reason, r.Now, r.Converged, r.Passed(), end)
	}
	var below []sim.NodeID
	for i, v := range r.Values {
		if v < 1 {
			below = append(below, sim.NodeID(i))
		}
	}
	if !slices.Equal(below, missed) || r.Residue != len(missed) {
		t.Errorf("residue %d, servers %v below 1; want exactly those whose mail was lost: %v", r.Residue, below, missed)
	}
	var names []string
	for _, id := range missed[:3] {
		names = append(names, alone.Engine().Name(id))
	}
	wantAnomaly := Anomaly{"converged-to-max", fmt.Sprintf("at %v: residue: %d of %d servers never got 1 (%s, ...): "+
		"direct mail without a backing anti-entropy sends each mail once, and none was on its way any more", end, len(missed), n, strings.Join(names, ", "))}
	if !slices.Equal(r.Anomalies, []Anomaly{wantAnomaly}) {
		t.Errorf("anomalies\n%v\nwant\n%v", r.Anomalies, []Anomaly{wantAnomaly})
	}
	if c, _ := r.Check("converged-to-max"); c.Violations != 0 {
		t.Errorf("converged-to-max failed: %s", c.First)
	}
	const skipped = "direct mail without a backing anti-entropy promises no convergence under faults, so no bound on it"
	if c, _ := r.Check("liveness"); c.Skipped != skipped || c.Violations != 0 {
		t.Errorf("liveness skipped %q with %d violations, want skipped: %q", c.Skipped, c.Violations, skipped)
	}
	var summary bytes.Buffer
	if err := r.WriteText(&summary, alone); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		fmt.Sprintf("stopped:      at %v after %d events: every client finished and no mail is on its way\n", end, r.Events),
		fmt.Sprintf("residue:      %d of %d servers\n", len(missed), n),
		"sync:         direct-mail: 19 messages\n",
	} {
		if !strings.Contains(summary.String(), line) {
			t.Errorf("summary lacks %q:\n%s", line, &summary)
		}
	}

	cfg.Rumor.AntiEntropy = 2 * rumorRound
	backed := NewCluster(cfg)
	var rec2 stepRecorder
	backed.Engine().Observe(&rec2)
	r, err = backed.Run()
	if err != nil {
		t.Fatal(err)
	}
	if got := droppedMails(&rec2)[:len(missed)]; !slices.Equal(got, missed) {
		t.Fatalf("with anti-entropy the first mails lost went to %v, not %v: the same loss?", got, missed)
	}
	if r.Reason != sim.Done || !r.Converged || r.Value != 1 || r.Residue != 0 || !r.Passed() || len(r.Anomalies) > 0 {
		t.Errorf("with anti-entropy: stopped by %v at %v, converged %t on %d, residue %d, passed %t, anomalies %v; want converged on 1",
			r.Reason, r.Now, r.Converged, r.Value, r.Residue, r.Passed(), r.Anomalies)
	}
	if c, _ := r.Check("liveness"); c.Skipped != "" || !c.Passed() {
		t.Errorf("with anti-entropy liveness is %+v, want checked and passed", c)
	}
	// Each server the mail missed got the value from an exchange.
	for _, id := range missed {
		var by MsgType
		for _, s := range rec2.steps {
			if s.node == id && len(s.notes) > 0 && s.notes[0].Kind == Update {
				by = s.in.Msg.Type
				break
			}
		}
		if by != PushPull && by != PullReply {
			t.Errorf("%s, which the mail missed, got the value by %v, want by an exchange", backed.Engine().Name(id), by)
		}
	}
}

// TestDirectMailLossWithClients: under loss, with clients setting values
// on every server, each run without anti-entropy ends when the clients
// are done and no mail is on its way, passes every check, and reports as
// its residue exactly the servers below the largest value.
func TestDirectMailLossWithClients(t *testing.T) {
	withResidue := 0
	for seed := int64(1); seed <= 20; seed++ {
		cfg := Config{Seed: seed, Servers: 6, Clients: 4, Requests: 10, SetRatio: 0.5, MaxValue: 1000,
			SyncInterval: rumorRound, Strategy: StrategyDirectMail, Assignment: RoundRobin,
			Latency: sim.Latency{Distribution: sim.Uniform, Min: time.Millisecond, Max: 10 * time.Millisecond},
			MaxTime: time.Minute, MaxEvents: 1_000_000, RequestTimeout: time.Second, Faults: sim.Faults{Loss: 0.2}}
		r, err := NewCluster(cfg).Run()
		if err != nil {
			t.Fatal(err)
		}
		top, below := slices.Max(r.Values), 0
		for _, v := range r.Values {
			if v < top {
				below++
			}
		}
		if r.Reason != sim.Done || !r.Passed() || r.Residue != below || r.Converged != (below == 0) {
			t.Errorf("seed %d: stopped by %v, passed %t, residue %d, converged %t; want done, passed, residue %d (values %v)",
				seed, r.Reason, r.Passed(), r.Residue, r.Converged, below, r.Values)
		}
		if below > 0 {
			withResidue++
		}
	}
	if withResidue == 0 || withResidue == 20 {
		t.Errorf("%d of 20 seeds ended with a residue: the test shows little", withResidue)
	}
}

// TestDirectMailCluster: without faults direct mail sends nothing but the
// clients' requests, their replies and n-1 mails per accepted set, and
// the servers converge within one latency of the last accepted set.
func TestDirectMailCluster(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		cfg := Config{Seed: seed, Servers: 5, Clients: 6, Requests: 40, SetRatio: 0.5, MaxValue: 1000,
			SyncInterval: rumorRound, Strategy: StrategyDirectMail, Assignment: RoundRobin,
			Latency: sim.Latency{Distribution: sim.Uniform, Min: time.Millisecond, Max: 10 * time.Millisecond},
			MaxTime: time.Minute, MaxEvents: 1_000_000}
		c := NewCluster(cfg)
		var rec stepRecorder
		c.Engine().Observe(&rec)
		r, err := c.Run()
		if err != nil {
			t.Fatal(err)
		}
		if r.Reason != sim.Done || !r.Passed() || !r.Converged || r.Residue != 0 || len(r.Anomalies) > 0 || r.AcceptedSets == 0 {
			t.Fatalf("seed %d: stopped by %v, passed %t, converged %t, residue %d, anomalies %v, %d accepted sets",
				seed, r.Reason, r.Passed(), r.Converged, r.Residue, r.Anomalies, r.AcceptedSets)
		}
		sent := map[string]int64{}
		for _, k := range r.Sent {
			sent[k.Kind] = k.Count
			if !slices.Contains([]string{"get", "get_reply", "set", "set_reply", "mail"}, k.Kind) {
				t.Errorf("seed %d: sent %d %s", seed, k.Count, k.Kind)
			}
		}
		if want := r.AcceptedSets * int64(cfg.Servers-1); sent["mail"] != want || r.SyncMessages() != want {
			t.Errorf("seed %d: %d mails, %d sync messages; want %d, n-1 for each of %d accepted sets",
				seed, sent["mail"], r.SyncMessages(), want, r.AcceptedSets)
		}
		for _, s := range rec.steps {
			if s.in.Kind == sim.Timer && c.isServer(s.node) {
				t.Fatalf("seed %d: server %d's timer %q went off at %v", seed, s.node, s.in.Timer, s.t)
			}
		}
		if bound := r.LastAcceptedSet.Add(r.MaxLatency); r.ConvergedAt > bound {
			t.Errorf("seed %d: converged at %v, after the last accepted set %v + the largest latency %v", seed, r.ConvergedAt, r.LastAcceptedSet, r.MaxLatency)
		}
		// Without faults, direct mail alone promises that bound, and
		// the liveness check holds it to it.
		if ch, _ := r.Check("liveness"); ch.Skipped != "" || r.LivenessDeadline != r.LastAcceptedSet.Add(r.MaxLatency) {
			t.Errorf("seed %d: liveness skipped %q, deadline %v; want checked by the last accepted set %v + the largest latency %v",
				seed, ch.Skipped, r.LivenessDeadline, r.LastAcceptedSet, r.MaxLatency)
		}
		if got := cfg.DescribeSync(); got != "direct-mail" {
			t.Errorf("DescribeSync() = %q, want direct-mail", got)
		}
	}
	cfg := Config{Strategy: StrategyDirectMail, Rumor: Rumor{K: 3, AntiEntropy: 1500 * time.Millisecond}}
	if got, want := cfg.DescribeSync(), "direct-mail, anti-entropy every 1.5s"; got != want {
		t.Errorf("DescribeSync() = %q, want %q", got, want)
	}
}

// TestDirectMailText: the schedule says how a server spreads values when
// it starts, how many peers an accepted set was mailed to, and what each
// mail did. Two scripted clients set values on server-1 and server-2.
func TestDirectMailText(t *testing.T) {
	set := func(at float64, to sim.NodeID, v int64) request {
		return request{ms(at), 0, to, Msg{Type: Set, Value: v, Req: 1}}
	}
	scripts := [][]request{
		{set(10, 0, 5), set(20, 0, 3), set(30, 0, 8)},
		{set(10, 1, 4)},
	}
	schedule := func(t *testing.T, servers int, antiEntropy time.Duration, maxTime time.Duration) []string {
		t.Helper()
		var log []delivery
		clients := 0
		cfg := Config{Seed: 1, Servers: servers, Clients: len(scripts), SyncInterval: rumorRound, Strategy: StrategyDirectMail,
			Rumor: Rumor{AntiEntropy: antiEntropy}, Assignment: RoundRobin, MaxValue: 10,
			Latency: sim.Latency{Distribution: sim.Fixed, Fixed: latency}, MaxTime: maxTime, MaxEvents: 10_000,
			WrapClient: func(*Client) sim.Node[Msg, Note] {
				clients++
				return &scriptedPeer{sends: scripts[clients-1], log: &log}
			}}
		c := NewCluster(cfg)
		var out bytes.Buffer
		w := NewTextWriter(&out, c)
		c.Engine().Observe(w)
		if _, err := c.Run(); err != nil {
			t.Fatal(err)
		}
		if w.Err() != nil {
			t.Fatal(w.Err())
		}
		var lines []string
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, "  server-") {
				lines = append(lines, l)
			}
		}
		return lines
	}
	line := func(at float64, node, text string) string {
		return fmt.Sprintf("%12s  %s  %s", sim.Time(ms(at)), node, text)
	}

	t.Run("without anti-entropy", func(t *testing.T) {
		want := []string{
			line(0, "server-1", "starts at 0, mails each value set to its 2 peers"),
			line(0, "server-2", "starts at 0, mails each value set to its 2 peers"),
			line(0, "server-3", "starts at 0, mails each value set to its 2 peers"),
			line(11, "server-1", "set 5 from client-1 -> accepted (was 0), mailed to 2 peers"),
			line(11, "server-2", "set 4 from client-2 -> accepted (was 0), mailed to 2 peers"),
			line(12, "server-2", "mail 5 from server-1 -> updated (was 4)"),
			line(12, "server-3", "mail 5 from server-1 -> updated (was 0)"),
			line(12, "server-1", "mail 4 from server-2 -> kept 5"),
			line(12, "server-3", "mail 4 from server-2 -> kept 5"),
			line(21, "server-1", "set 3 from client-1 -> rejected (current 5)"),
			line(31, "server-1", "set 8 from client-1 -> accepted (was 5), mailed to 2 peers"),
			line(32, "server-2", "mail 8 from server-1 -> updated (was 5)"),
			line(32, "server-3", "mail 8 from server-1 -> updated (was 5)"),
		}
		if got := schedule(t, 3, 0, time.Second); !slices.Equal(got, want) {
			t.Errorf("server lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("with anti-entropy", func(t *testing.T) {
		got := schedule(t, 3, 250*time.Millisecond, 100*time.Millisecond)
		want := line(0, "server-1", "starts at 0, mails each value set to its 2 peers, anti-entropy every 250ms")
		if len(got) == 0 || got[0] != want {
			t.Errorf("first server line %q, want %q", got, want)
		}
	})

	t.Run("two servers: one peer", func(t *testing.T) {
		got := schedule(t, 2, 0, time.Second)
		want := []string{
			line(0, "server-1", "starts at 0, mails each value set to its 1 peer"),
			line(0, "server-2", "starts at 0, mails each value set to its 1 peer"),
			line(11, "server-1", "set 5 from client-1 -> accepted (was 0), mailed to 1 peer"),
		}
		if len(got) < 3 || !slices.Equal(got[:3], want) {
			t.Errorf("server lines\n%s\nwant them to begin\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

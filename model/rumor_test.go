package model

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"eccounter/sim"
)

// Rumor mongering is tested in the synchronous rounds of Demers et al.: a
// sync interval of 100ms, a hundredth of which is the fixed latency of
// these tests (1ms). A server's round r runs from r*100ms to (r+1)*100ms;
// what it sends when the round begins arrives 1ms later, and an answer 2ms
// later, well within the round. The server under test runs next to
// scripted peers (rumorPeer), or among other real servers.

// rumorRound is the sync interval, one round, of these tests.
const rumorRound = 100 * time.Millisecond

// roundStart is when round r begins (the sync timer of a server started at
// 0 goes off).
func roundStart(r int) sim.Time { return sim.Time(time.Duration(r) * rumorRound) }

// rumorPeer is a scriptedPeer that can also answer the rumors pushed to it,
// as a server with feedback would: its i-th answer is acks[i], and "knew
// it" past the end of acks. If ack is false it answers nothing.
type rumorPeer struct {
	scriptedPeer
	ack    bool
	acks   []bool
	pushes int
}

func (p *rumorPeer) Step(env *Env, in Input) {
	p.scriptedPeer.Step(env, in)
	if in.Kind == sim.Deliver && in.Msg.Type == RumorPush && p.ack {
		news := p.pushes < len(p.acks) && p.acks[p.pushes]
		p.pushes++
		env.Send(in.From, Msg{Type: RumorAck, Value: in.Msg.Value, Accepted: news})
	}
}

// acking returns a peer that answers its pushes with acks.
func acking(acks ...bool) *rumorPeer { return &rumorPeer{ack: true, acks: acks} }

// sending returns a peer that sends the requests of script at their times
// (each request's by is the peer itself) and answers nothing.
func sending(script ...request) *rumorPeer {
	return &rumorPeer{scriptedPeer: scriptedPeer{sends: script}}
}

// rumorBench is what a run of one server among rumorPeers, or of several
// real servers, left behind.
type rumorBench struct {
	log []delivery // what the peers received
	rec stepRecorder
	res sim.Result
}

// rumorEngine is an engine with the fixed latency of these tests.
func rumorEngine(seed int64, maxTime time.Duration, crashes ...sim.Crash) *Engine {
	return sim.New[Msg, Note](sim.Config{Seed: seed, Latency: sim.Latency{Distribution: sim.Fixed, Fixed: latency},
		MaxTime: sim.Time(maxTime), MaxEvents: 100_000, Faults: sim.Faults{Crashes: crashes}})
}

// runRumor runs srv (node srv.ID of srv.Servers) among peers (the other
// IDs; a missing one is a silent peer) until nothing is left to happen or
// maxTime. srv gets the test's sync interval and fanout 1 unless it sets
// its own.
func runRumor(t *testing.T, srv *Server, peers map[sim.NodeID]*rumorPeer, seed int64, maxTime time.Duration, crashes ...sim.Crash) *rumorBench {
	t.Helper()
	if srv.SyncInterval == 0 {
		srv.SyncInterval = rumorRound
	}
	if srv.Fanout == 0 {
		srv.Fanout = 1
	}
	return runNodes(t, srv, srv.Servers, peers, seed, maxTime, crashes...)
}

// runNodes runs srv as node srv.ID of nodes, the others being peers (a
// missing one is a silent peer), until nothing is left to happen or
// maxTime.
func runNodes(t *testing.T, srv *Server, nodes int, peers map[sim.NodeID]*rumorPeer, seed int64, maxTime time.Duration, crashes ...sim.Crash) *rumorBench {
	t.Helper()
	b := &rumorBench{}
	e := rumorEngine(seed, maxTime, crashes...)
	for id := range sim.NodeID(nodes) {
		if id == srv.ID {
			e.Add("server", srv)
			continue
		}
		p := peers[id]
		if p == nil {
			p = &rumorPeer{}
		}
		p.log = &b.log
		e.Add(fmt.Sprintf("peer-%d", id), p)
	}
	b.run(t, e)
	return b
}

// runServers runs real servers (each node i of len(servers)) until nothing
// is left to happen or maxTime.
func runServers(t *testing.T, servers []*Server, seed int64, maxTime time.Duration) *rumorBench {
	t.Helper()
	b := &rumorBench{}
	e := rumorEngine(seed, maxTime)
	for i, s := range servers {
		s.ID, s.Servers = sim.NodeID(i), len(servers)
		e.Add(fmt.Sprintf("server-%d", i+1), s)
	}
	b.run(t, e)
	return b
}

// run runs e to its end, recording every step.
func (b *rumorBench) run(t *testing.T, e *Engine) {
	t.Helper()
	e.Observe(&b.rec)
	res, err := e.Run(never)
	if err != nil {
		t.Fatal(err)
	}
	b.res = res
}

// sentMsg is a message a node sent, and when.
type sentMsg struct {
	at     sim.Time
	to     sim.NodeID
	msg    Msg
	timer  bool // sent by a timer step
	timerN string
}

func (m sentMsg) String() string {
	return fmt.Sprintf("%v ->%d %v(%d, accepted %t)", m.at, m.to, m.msg.Type, m.msg.Value, m.msg.Accepted)
}

// sent returns the messages of type typ (any, if 0) that node sent.
func (b *rumorBench) sent(node sim.NodeID, typ MsgType) []sentMsg {
	var out []sentMsg
	for _, s := range b.rec.of(node) {
		for _, m := range s.sends {
			if typ == 0 || m.Msg.Type == typ {
				out = append(out, sentMsg{s.t, m.To, m.Msg, s.in.Kind == sim.Timer, s.in.Timer})
			}
		}
	}
	return out
}

// timedNote is a note and when it was recorded.
type timedNote struct {
	at   sim.Time
	note Note
}

// notes returns the notes of kind that node recorded.
func (b *rumorBench) notes(node sim.NodeID, kind NoteKind) []timedNote {
	var out []timedNote
	for _, s := range b.rec.of(node) {
		for _, n := range s.notes {
			if n.Kind == kind {
				out = append(out, timedNote{s.t, n})
			}
		}
	}
	return out
}

// timers returns when node's timer called name went off.
func (b *rumorBench) timers(node sim.NodeID, name string) []sim.Time {
	var out []sim.Time
	for _, s := range b.rec.of(node) {
		if s.in.Kind == sim.Timer && s.in.Timer == name {
			out = append(out, s.t)
		}
	}
	return out
}

// received returns the messages of type typ the peers received.
func (b *rumorBench) received(typ MsgType) []delivery {
	var out []delivery
	for _, d := range b.log {
		if d.msg.Type == typ {
			out = append(out, d)
		}
	}
	return out
}

// lostInterest is the note a server records when it stops spreading value
// after tries.
func lostInterest(value int64, tries int) Note {
	return Note{Kind: LostInterest, Value: value, Rounds: tries}
}

// pushRounds checks that node pushed value in rounds 1..rounds of its
// own, fanout partners each, at the sync timer, and sent no other rumor.
// It returns what went wrong, if anything.
func (b *rumorBench) pushRounds(node sim.NodeID, servers, fanout, rounds int, value int64) error {
	pushes := b.sent(node, RumorPush)
	if len(pushes) != rounds*fanout {
		return fmt.Errorf("server pushed %v, want %d rounds of %d", pushes, rounds, fanout)
	}
	for r := 1; r <= rounds; r++ {
		var to []sim.NodeID
		for _, p := range pushes[(r-1)*fanout : r*fanout] {
			if p.at != roundStart(r) || !p.timer || p.msg.Value != value || p.to == node || int(p.to) >= servers || slices.Contains(to, p.to) {
				return fmt.Errorf("round %d: pushed %v, want %d at %v to %d distinct other servers", r, pushes[(r-1)*fanout:r*fanout], value, roundStart(r), fanout)
			}
			to = append(to, p.to)
		}
	}
	return nil
}

// TestRumorPushFeedbackCounter: with feedback and a counter, an infective
// server pushes every round to its partners; a round whose pushes were all
// acknowledged "knew it" (or not at all) counts, and K of them in a row make
// it lose interest, which it records with the count of tries; it then
// sends nothing more. A round with one necessary contact (acknowledged as
// news) restarts the count.
func TestRumorPushFeedbackCounter(t *testing.T) {
	const T, F = true, false
	tests := []struct {
		name    string
		servers int
		fanout  int
		k       int
		peers   map[sim.NodeID]*rumorPeer
		rounds  int // the server pushes in rounds 1..rounds, and loses interest when round rounds+1 begins
	}{
		{name: "never news: k rounds", servers: 2, fanout: 1, k: 3,
			peers: map[sim.NodeID]*rumorPeer{1: acking()}, rounds: 3},
		{name: "k = 1: one round", servers: 2, fanout: 1, k: 1,
			peers: map[sim.NodeID]*rumorPeer{1: acking()}, rounds: 1},
		{name: "no answer counts as knew it", servers: 2, fanout: 1, k: 2,
			peers: map[sim.NodeID]*rumorPeer{1: {}}, rounds: 2},
		{name: "news in round 2 restarts the count", servers: 2, fanout: 1, k: 3,
			peers: map[sim.NodeID]*rumorPeer{1: acking(F, T)}, rounds: 5},
		{name: "three rounds of news, then k without", servers: 2, fanout: 1, k: 2,
			peers: map[sim.NodeID]*rumorPeer{1: acking(T, T, T)}, rounds: 5},
		{name: "news every other round: never k in a row until it stops", servers: 2, fanout: 1, k: 2,
			peers: map[sim.NodeID]*rumorPeer{1: acking(F, T, F, T, F)}, rounds: 6},
		{name: "news to one partner of two is a necessary round", servers: 3, fanout: 2, k: 1,
			peers: map[sim.NodeID]*rumorPeer{1: acking(T), 2: acking()}, rounds: 2},
		{name: "news to a partner that does not answer is not known", servers: 3, fanout: 2, k: 1,
			peers: map[sim.NodeID]*rumorPeer{1: acking(), 2: {ack: false, acks: []bool{T}}}, rounds: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &Server{ID: 0, Servers: tt.servers, Strategy: StrategyRumorPush, Fanout: tt.fanout,
				Rumor: Rumor{K: tt.k}, Value: 5, News: true}
			b := runRumor(t, srv, tt.peers, 1, time.Minute)
			if err := b.pushRounds(0, tt.servers, tt.fanout, tt.rounds, 5); err != nil {
				t.Error(err)
			}
			wantTimers := []sim.Time{}
			for r := 1; r <= tt.rounds+1; r++ {
				wantTimers = append(wantTimers, roundStart(r))
			}
			if got := b.timers(0, SyncTimer); !slices.Equal(got, wantTimers) {
				t.Errorf("sync timer went off at %v, want %v (one a round, then asleep)", got, wantTimers)
			}
			want := []timedNote{{roundStart(tt.rounds + 1), lostInterest(5, tt.k)}}
			if got := b.notes(0, LostInterest); !slices.Equal(got, want) {
				t.Errorf("lost interest %v, want %v", got, want)
			}
			if all := b.sent(0, 0); len(all) != tt.rounds*tt.fanout {
				t.Errorf("server sent %v, want only its pushes", all)
			}
			if srv.News || srv.Infective() || srv.Counted != tt.k {
				t.Errorf("server ends News %t, Counted %d; want removed after %d tries", srv.News, srv.Counted, tt.k)
			}
			if b.res.Reason != sim.Idle {
				t.Errorf("run ended %v at %v, want idle: a removed rumor-push server sleeps", b.res.Reason, b.res.Now)
			}
		})
	}
}

// TestRumorPushBlindCounter: blind, a server loses interest after exactly
// K rounds of pushing, whatever its partners answer, and never answers a
// rumor itself.
func TestRumorPushBlindCounter(t *testing.T) {
	const T, F = true, false
	for _, tt := range []struct {
		name string
		k    int
		peer *rumorPeer
	}{
		{"acked as news every round", 3, acking(T, T, T, T, T, T)},
		{"acked as known every round", 3, acking()},
		{"never acked", 2, &rumorPeer{}},
		{"k = 1, news", 1, acking(T, T)},
		{"pushed to, stale and current values", 3, sending(request{ms(150), 1, 0, Msg{Type: RumorPush, Value: 3}},
			request{ms(250), 1, 0, Msg{Type: RumorPush, Value: 5}})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := &Server{ID: 0, Servers: 2, Strategy: StrategyRumorPush, Rumor: Rumor{K: tt.k, Blind: true}, Value: 5, News: true}
			b := runRumor(t, srv, map[sim.NodeID]*rumorPeer{1: tt.peer}, 1, time.Minute)
			if err := b.pushRounds(0, 2, 1, tt.k, 5); err != nil {
				t.Error(err)
			}
			want := []timedNote{{roundStart(tt.k + 1), lostInterest(5, tt.k)}}
			if got := b.notes(0, LostInterest); !slices.Equal(got, want) {
				t.Errorf("lost interest %v, want %v", got, want)
			}
			if acks := b.sent(0, RumorAck); len(acks) > 0 {
				t.Errorf("blind server acknowledged rumors: %v", acks)
			}
		})
	}

	// Among real servers: every server the rumor reaches pushes it in
	// exactly K rounds in a row, from the round after it learned it, and
	// nobody acknowledges anything.
	for _, k := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("cluster of 8, k = %d", k), func(t *testing.T) {
			cfg := EpidemicConfig(Config{Seed: 3, Servers: 8, Strategy: StrategyRumorPush, Fanout: 1,
				Rumor: Rumor{K: k, Blind: true}, SyncInterval: rumorRound, MaxTime: time.Hour, MaxEvents: 100_000})
			c := NewCluster(cfg)
			var b rumorBench
			c.Engine().Observe(&b.rec)
			r, err := c.Run()
			if err != nil {
				t.Fatal(err)
			}
			if r.Reason != sim.Done || !r.Passed() {
				t.Fatalf("stopped by %v, passed %t", r.Reason, r.Passed())
			}
			for _, kc := range r.Sent {
				if kc.Kind == RumorAck.String() {
					t.Errorf("%d rumor_acks sent by blind servers", kc.Count)
				}
			}
			reached := 0
			for node := range sim.NodeID(cfg.Servers) {
				learned := roundStart(0) // server-1 holds the value from the start
				if node != 0 {
					u := b.notes(node, Update)
					if len(u) == 0 {
						if got := b.sent(node, 0); len(got) > 0 {
							t.Errorf("server %d never learned the value but sent %v", node, got)
						}
						if got := b.timers(node, SyncTimer); len(got) > 0 {
							t.Errorf("server %d never learned the value but its sync timer went off at %v", node, got)
						}
						continue
					}
					learned = u[0].at
				}
				reached++
				first := int(time.Duration(learned)/rumorRound) + 1
				var want []sim.Time
				for r := first; r < first+k; r++ {
					want = append(want, roundStart(r))
				}
				var got []sim.Time
				for _, p := range b.sent(node, RumorPush) {
					got = append(got, p.at)
				}
				if !slices.Equal(got, want) {
					t.Errorf("server %d learned the value at %v and pushed at %v, want %v", node, learned, got, want)
				}
				wantTimers := append(slices.Clone(want), roundStart(first+k))
				if timers := b.timers(node, SyncTimer); !slices.Equal(timers, wantTimers) {
					t.Errorf("server %d learned the value at %v; its sync timer went off at %v, want %v", node, learned, timers, wantTimers)
				}
				wantLost := []timedNote{{roundStart(first + k), lostInterest(1, k)}}
				if lost := b.notes(node, LostInterest); !slices.Equal(lost, wantLost) {
					t.Errorf("server %d lost interest %v, want %v", node, lost, wantLost)
				}
			}
			if reached < 2 {
				t.Errorf("the rumor reached %d servers: the test shows nothing", reached)
			}
		})
	}
}

// coinRounds runs a blind-or-feedback coin server among one peer and
// returns in how many rounds it pushed, and its LostInterest notes.
func coinRounds(t *testing.T, seed int64, rumor Rumor, peer *rumorPeer, maxTime time.Duration) (int, []timedNote, *Server) {
	t.Helper()
	rumor.Coin = true
	srv := &Server{ID: 0, Servers: 2, Strategy: StrategyRumorPush, Rumor: rumor, Value: 5, News: true}
	b := runRumor(t, srv, map[sim.NodeID]*rumorPeer{1: peer}, seed, maxTime)
	rounds := len(b.sent(0, RumorPush))
	if err := b.pushRounds(0, 2, 1, rounds, 5); err != nil {
		t.Errorf("seed %d: %v", seed, err)
	}
	return rounds, b.notes(0, LostInterest), srv
}

// TestRumorCoin: with a coin, a server loses interest with probability 1/K
// at each round that counts, so the rounds it pushes are geometric with
// mean K (blind). With feedback, rounds of news never count.
func TestRumorCoin(t *testing.T) {
	t.Run("a fixed seed loses interest at some round, the same every time", func(t *testing.T) {
		n, lost, srv := coinRounds(t, 7, Rumor{K: 3, Blind: true}, &rumorPeer{}, time.Minute)
		if want := []timedNote{{roundStart(n + 1), lostInterest(5, n)}}; n < 1 || !slices.Equal(lost, want) {
			t.Errorf("pushed %d rounds, lost interest %v; want at least 1 round, then %v", n, lost, want)
		}
		if srv.News {
			t.Errorf("server still infective")
		}
		if again, _, _ := coinRounds(t, 7, Rumor{K: 3, Blind: true}, &rumorPeer{}, time.Minute); again != n {
			t.Errorf("seed 7 pushed %d rounds, then %d", n, again)
		}
	})

	t.Run("blind, k = 2: rounds are geometric with mean 2", func(t *testing.T) {
		// Rounds pushed N: P(N = n) = (1/2)^n, mean K = 2, variance
		// (1-p)/p^2 = 2. Over 400 seeds the mean has a standard
		// deviation of sqrt(2/400) = 0.071, and the share of runs of
		// one round (p = 1/2) one of 0.025: four of each is the
		// tolerance. The seeds are fixed, so the test is deterministic.
		const k, seeds = 2, 400
		sum, ones, longest := 0, 0, 0
		for seed := int64(1); seed <= seeds; seed++ {
			n, lost, _ := coinRounds(t, seed, Rumor{K: k, Blind: true}, &rumorPeer{}, time.Minute)
			if want := []timedNote{{roundStart(n + 1), lostInterest(5, n)}}; !slices.Equal(lost, want) {
				t.Fatalf("seed %d: pushed %d rounds, lost interest %v, want %v", seed, n, lost, want)
			}
			sum += n
			longest = max(longest, n)
			if n == 1 {
				ones++
			}
		}
		mean, share := float64(sum)/seeds, float64(ones)/seeds
		if tol := 4 * math.Sqrt(2.0/seeds); math.Abs(mean-k) > tol {
			t.Errorf("mean rounds %.3f over %d seeds, want %d ± %.3f", mean, seeds, k, tol)
		}
		if tol := 4 * math.Sqrt(0.25/seeds); math.Abs(share-0.5) > tol {
			t.Errorf("%.3f of runs pushed one round, want 0.5 ± %.3f", share, tol)
		}
		if longest < 4 {
			t.Errorf("no run pushed more than %d rounds: a coin, not a counter?", longest)
		}
	})

	t.Run("feedback: rounds of news never count", func(t *testing.T) {
		news := make([]bool, 30)
		for i := range news {
			news[i] = true
		}
		for seed := int64(1); seed <= 10; seed++ {
			// 20 rounds; acknowledged as news every time.
			n, lost, srv := coinRounds(t, seed, Rumor{K: 2}, acking(news...), 20*rumorRound+rumorRound/2)
			if n != 20 || len(lost) > 0 || !srv.News || srv.Counted != 0 {
				t.Errorf("seed %d: pushed %d rounds, lost interest %v, News %t, Counted %d; want 20 rounds, still infective, no tries",
					seed, n, lost, srv.News, srv.Counted)
			}
		}
	})

	t.Run("feedback: only rounds without news count, and are not reset", func(t *testing.T) {
		// News in odd rounds only: the server can lose interest only
		// when an even round ends, after n/2 rounds without news.
		alternate := make([]bool, 200)
		for i := range alternate {
			alternate[i] = i%2 == 0
		}
		lengths := map[int]bool{}
		for seed := int64(1); seed <= 40; seed++ {
			n, lost, _ := coinRounds(t, seed, Rumor{K: 2}, acking(alternate...), time.Hour)
			want := []timedNote{{roundStart(n + 1), lostInterest(5, n/2)}}
			if n%2 != 0 || !slices.Equal(lost, want) {
				t.Errorf("seed %d: pushed %d rounds, lost interest %v; want an even number of rounds, then %v", seed, n, lost, want)
			}
			lengths[n] = true
		}
		if len(lengths) < 3 {
			t.Errorf("40 seeds pushed for only %d different numbers of rounds", len(lengths))
		}
	})
}

// TestRumorNewsJudgedAtRoundStart: a pushed rumor is news if it is larger
// than what the receiver held when its round began, so two pushes of the
// same new value in one round are both acknowledged as news, though the
// second changes nothing.
func TestRumorNewsJudgedAtRoundStart(t *testing.T) {
	t.Run("two infective servers push to a third", func(t *testing.T) {
		// Fanout 2 of 2 others: servers 0 and 1, infective for 7,
		// both push to server 2 (and to each other) in round 1.
		mk := func(v int64) *Server {
			return &Server{SyncInterval: rumorRound, Strategy: StrategyRumorPush, Fanout: 2, Rumor: Rumor{K: 1}, Value: v, News: v > 0}
		}
		servers := []*Server{mk(7), mk(7), mk(0)}
		b := runServers(t, servers, 1, time.Minute)
		ack := func(at float64, to sim.NodeID, news bool) sentMsg {
			return sentMsg{at: sim.Time(ms(at)), to: to, msg: Msg{Type: RumorAck, Value: 7, Accepted: news}}
		}
		want := map[sim.NodeID][]sentMsg{
			// Round 1: server 2 held 0 when it began; server 0 and 1
			// held 7. Round 2: everybody held 7.
			0: {ack(101, 1, false), ack(201, 1, false), ack(201, 2, false)},
			1: {ack(101, 0, false), ack(201, 0, false), ack(201, 2, false)},
			2: {ack(101, 0, true), ack(101, 1, true), ack(201, 0, false), ack(201, 1, false)},
		}
		for node, w := range want {
			got := b.sent(node, RumorAck)
			for i := range got {
				got[i].timer, got[i].timerN = false, ""
			}
			slices.SortFunc(got, func(a, b sentMsg) int { return int(a.at-b.at)*10 + int(a.to-b.to) })
			if !slices.Equal(got, w) {
				t.Errorf("server %d acknowledged\n%v\nwant\n%v", node, got, w)
			}
		}
		if u := b.notes(2, Update); len(u) != 1 || u[0].at != sim.Time(ms(101)) {
			t.Errorf("server 2 updated %v, want once, at 101ms", u)
		}
		// Servers 0 and 1 made a necessary contact in round 1, so they
		// push again in round 2; nothing is news in round 2, so with
		// k = 1 all three lose interest when round 3 begins.
		for node := range sim.NodeID(3) {
			if got, want := b.notes(node, LostInterest), []timedNote{{roundStart(3), lostInterest(7, 1)}}; !slices.Equal(got, want) {
				t.Errorf("server %d lost interest %v, want %v", node, got, want)
			}
		}
	})

	t.Run("scripted pushes across the receiver's rounds", func(t *testing.T) {
		// Server 2 holds 0 and sleeps; 7 pushed at 151ms and 161ms is
		// news both times (the round began at 100ms with 0), and 7
		// pushed again at 251ms is not (server 2 woke at 200ms with 7).
		push := func(at float64, by sim.NodeID, v int64) request {
			return request{ms(at), by, 2, Msg{Type: RumorPush, Value: v}}
		}
		srv := &Server{ID: 2, Servers: 3, Strategy: StrategyRumorPush, Rumor: Rumor{K: 5}}
		b := runRumor(t, srv, map[sim.NodeID]*rumorPeer{
			0: sending(push(150, 0, 7), push(250, 0, 7)),
			1: sending(push(160, 1, 7)),
		}, 1, 350*time.Millisecond)
		ack := func(at float64, to sim.NodeID, news bool) delivery {
			return delivery{sim.Time(ms(at)), 2, to, Msg{Type: RumorAck, Value: 7, Accepted: news}}
		}
		want := []delivery{ack(152, 0, true), ack(162, 1, true), ack(252, 0, false)}
		if got := b.received(RumorAck); !slices.Equal(got, want) {
			t.Errorf("peers received acks\n%v\nwant\n%v", got, want)
		}
	})
}

// TestRumorStaleAck: an acknowledgement names the value it answers, and
// one for a value the server no longer holds (it learned a larger one
// since) is ignored; one for the current value counts.
func TestRumorStaleAck(t *testing.T) {
	// Server 0 pushes 5 in round 1 (100ms), learns 9 from a push at
	// 121ms, and pushes 9 in round 2 (200ms). In round 2 the peer
	// answers 9 (if current is set) and, late, 5 as news.
	type ack struct {
		value int64
		news  bool
	}
	for _, tt := range []struct {
		name       string
		acks       []ack // sent at 205ms, 210ms, ...
		lostAt     int   // the round whose start finds it lost interest
		pushRounds int
	}{
		{"stale news after knew-it is ignored", []ack{{9, false}, {5, true}}, 3, 2},
		{"stale news alone is ignored", []ack{{5, true}}, 3, 2},
		{"current news counts", []ack{{9, true}, {5, false}}, 4, 3},
		{"current news counts, stale news too", []ack{{5, true}, {9, true}}, 4, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			script := []request{{ms(120), 1, 0, Msg{Type: RumorPush, Value: 9}}}
			for i, a := range tt.acks {
				script = append(script, request{ms(205 + 5*float64(i)), 1, 0, Msg{Type: RumorAck, Value: a.value, Accepted: a.news}})
			}
			srv := &Server{ID: 0, Servers: 2, Strategy: StrategyRumorPush, Rumor: Rumor{K: 1}, Value: 5, News: true}
			b := runRumor(t, srv, map[sim.NodeID]*rumorPeer{1: sending(script...)}, 1, time.Minute)
			var pushed []string
			for _, p := range b.sent(0, RumorPush) {
				pushed = append(pushed, fmt.Sprintf("%v:%d", p.at, p.msg.Value))
			}
			wantPushed := []string{"100.000ms:5", "200.000ms:9", "300.000ms:9"}[:tt.pushRounds]
			if !slices.Equal(pushed, wantPushed) {
				t.Errorf("pushed %v, want %v", pushed, wantPushed)
			}
			want := []timedNote{{roundStart(tt.lostAt), lostInterest(9, 1)}}
			if got := b.notes(0, LostInterest); !slices.Equal(got, want) {
				t.Errorf("lost interest %v, want %v", got, want)
			}
		})
	}
}

// TestRumorPull: under rumor-pull every server asks a partner each round,
// with its own value; an infective server answers only if it was
// infective when its round began, so a server infected in a round answers
// from the next, and one that lost interest answers nothing.
func TestRumorPull(t *testing.T) {
	pull := func(at float64, by sim.NodeID, v int64) request {
		return request{ms(at), by, 0, Msg{Type: RumorPull, Value: v}}
	}
	reply := func(at float64, to sim.NodeID, v int64) delivery {
		return delivery{sim.Time(ms(at)), 0, to, Msg{Type: RumorReply, Value: v}}
	}
	tests := []struct {
		name      string
		value     int64
		news      bool
		k         int
		peers     map[sim.NodeID]*rumorPeer
		maxTime   time.Duration
		wantPulls []int64 // the value its pull carries, rounds 1, 2, ...
		replies   []delivery
		lost      []timedNote
	}{
		{name: "not infective: pulls each round, answers nothing", value: 3, k: 1,
			peers:     map[sim.NodeID]*rumorPeer{1: sending(pull(150, 1, 0), pull(250, 1, 0))},
			maxTime:   350 * time.Millisecond,
			wantPulls: []int64{3, 3, 3}},
		{name: "infected in a round: answers from the next", k: 1,
			peers: map[sim.NodeID]*rumorPeer{
				1: sending(request{ms(120), 1, 0, Msg{Type: RumorReply, Value: 7}}),
				2: sending(pull(130, 2, 0), pull(230, 2, 0)),
			},
			maxTime:   350 * time.Millisecond,
			wantPulls: []int64{0, 7, 7},
			replies:   []delivery{reply(232, 2, 7)}},
		{name: "infective: answers, then loses interest after a round without news", value: 7, news: true, k: 1,
			peers:     map[sim.NodeID]*rumorPeer{1: sending(pull(150, 1, 7), pull(250, 1, 0))},
			maxTime:   350 * time.Millisecond,
			wantPulls: []int64{7, 7, 7},
			replies:   []delivery{reply(152, 1, 7)},
			lost:      []timedNote{{roundStart(2), lostInterest(7, 1)}}},
		{name: "a pull that was news keeps it infective", value: 7, news: true, k: 1,
			peers:     map[sim.NodeID]*rumorPeer{1: sending(pull(150, 1, 0), pull(250, 1, 7), pull(350, 1, 0))},
			maxTime:   450 * time.Millisecond,
			wantPulls: []int64{7, 7, 7, 7},
			replies:   []delivery{reply(152, 1, 7), reply(252, 1, 7)},
			lost:      []timedNote{{roundStart(3), lostInterest(7, 1)}}},
		{name: "k = 2: two rounds without news", value: 7, news: true, k: 2,
			peers:     map[sim.NodeID]*rumorPeer{1: sending(pull(150, 1, 7), pull(250, 1, 9), pull(350, 1, 0))},
			maxTime:   450 * time.Millisecond,
			wantPulls: []int64{7, 7, 7, 7},
			replies:   []delivery{reply(152, 1, 7), reply(252, 1, 7)},
			lost:      []timedNote{{roundStart(3), lostInterest(7, 2)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &Server{ID: 0, Servers: 3, Strategy: StrategyRumorPull, Rumor: Rumor{K: tt.k}, Value: tt.value, News: tt.news}
			b := runRumor(t, srv, tt.peers, 1, tt.maxTime)
			var pulls []int64
			for i, p := range b.sent(0, RumorPull) {
				if p.at != roundStart(i+1) || !p.timer || p.to == 0 || p.to > 2 {
					t.Errorf("pull %d: %v, want one at %v to another server", i+1, p, roundStart(i+1))
				}
				pulls = append(pulls, p.msg.Value)
			}
			if !slices.Equal(pulls, tt.wantPulls) {
				t.Errorf("pulls carried %v, want %v", pulls, tt.wantPulls)
			}
			if got := b.received(RumorReply); !slices.Equal(got, tt.replies) {
				t.Errorf("peers received replies\n%v\nwant\n%v", got, tt.replies)
			}
			if got := b.notes(0, LostInterest); !slices.Equal(got, tt.lost) {
				t.Errorf("lost interest %v, want %v", got, tt.lost)
			}
			if n := len(b.sent(0, 0)); n != len(pulls)+len(tt.replies) {
				t.Errorf("server sent %v, want only its pulls and replies", b.sent(0, 0))
			}
		})
	}
}

// TestRumorPushSleeps: under rumor-push a server that is not infective
// arms no sync timer. Once it learns a value it wakes for its next round,
// at the next multiple of the sync interval since it started (or
// restarted), pushes, and sleeps again once it loses interest.
func TestRumorPushSleeps(t *testing.T) {
	push := func(at float64, v int64) request { return request{ms(at), 1, 0, Msg{Type: RumorPush, Value: v}} }
	tests := []struct {
		name   string
		script []request // by peer 1; each arrives 1ms later
		crash  *sim.Crash
		wake   float64 // ms; 0: never
		pushed int64
	}{
		{name: "learns nothing: never wakes"},
		{name: "learns in round 0", script: []request{push(98, 7)}, wake: 100, pushed: 7},
		{name: "learns mid-round", script: []request{push(150, 7)}, wake: 200, pushed: 7},
		{name: "learns just before a round", script: []request{push(198.5, 7)}, wake: 200, pushed: 7},
		{name: "learns as a round begins: the next one", script: []request{push(199, 7)}, wake: 300, pushed: 7},
		{name: "learns twice in a round: one timer, the larger value", script: []request{push(150, 7), push(160, 9)}, wake: 200, pushed: 9},
		{name: "after a durable restart at 70ms", crash: &sim.Crash{Node: 0, At: sim.Time(ms(30)), Restart: sim.Time(ms(70)), Durable: true},
			script: []request{push(150, 7)}, wake: 170, pushed: 7},
		{name: "after a restart at 70ms, late in the round", crash: &sim.Crash{Node: 0, At: sim.Time(ms(30)), Restart: sim.Time(ms(70))},
			script: []request{push(170, 7)}, wake: 270, pushed: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &Server{ID: 0, Servers: 2, Strategy: StrategyRumorPush, Rumor: Rumor{K: 1, Blind: true}}
			var crashes []sim.Crash
			if tt.crash != nil {
				crashes = append(crashes, *tt.crash)
			}
			b := runRumor(t, srv, map[sim.NodeID]*rumorPeer{1: sending(tt.script...)}, 1, time.Minute, crashes...)
			var wantTimers []sim.Time
			var wantPushes []sentMsg
			if tt.wake > 0 {
				wake := sim.Time(ms(tt.wake))
				wantTimers = []sim.Time{wake, wake.Add(rumorRound)}
				wantPushes = []sentMsg{{at: wake, to: 1, msg: Msg{Type: RumorPush, Value: tt.pushed}, timer: true, timerN: SyncTimer}}
			}
			if got := b.timers(0, SyncTimer); !slices.Equal(got, wantTimers) {
				t.Errorf("sync timer went off at %v, want %v", got, wantTimers)
			}
			if got := b.sent(0, 0); !slices.Equal(got, wantPushes) {
				t.Errorf("server sent %v, want %v", got, wantPushes)
			}
			if b.res.Reason != sim.Idle {
				t.Errorf("run ended %v at %v, want idle", b.res.Reason, b.res.Now)
			}
		})
	}
}

// TestRumorRestart: a restart without durable storage loses the rumor with
// the value; a durable one keeps both, and the server wakes for its next
// round, counted from the restart.
func TestRumorRestart(t *testing.T) {
	crash := func(at, restart float64, durable bool) sim.Crash {
		return sim.Crash{Node: 0, At: sim.Time(ms(at)), Restart: sim.Time(ms(restart)), Durable: durable}
	}
	t.Run("rumor-push", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			crash  sim.Crash
			pushes []float64 // ms
			lost   []timedNote
			value  int64
			tries  int
			timers []float64 // ms
		}{
			// Blind, k = 2: the round of 100ms counts when the
			// server wakes at 270ms.
			{"durable, after round 1", crash(150, 170, true), []float64{100, 270},
				[]timedNote{{sim.Time(ms(370)), lostInterest(5, 2)}}, 5, 2, []float64{100, 270, 370}},
			{"durable, before round 1", crash(50, 80, true), []float64{180, 280},
				[]timedNote{{sim.Time(ms(380)), lostInterest(5, 2)}}, 5, 2, []float64{180, 280, 380}},
			{"not durable", crash(150, 170, false), []float64{100},
				nil, 0, 0, []float64{100}},
			{"not durable, before round 1", crash(50, 80, false), nil,
				nil, 0, 0, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				srv := &Server{ID: 0, Servers: 2, Strategy: StrategyRumorPush, Rumor: Rumor{K: 2, Blind: true}, Value: 5, News: true}
				b := runRumor(t, srv, nil, 1, time.Minute, tt.crash)
				var pushes []float64
				for _, p := range b.sent(0, RumorPush) {
					pushes = append(pushes, float64(p.at)/float64(time.Millisecond))
				}
				if !slices.Equal(pushes, tt.pushes) {
					t.Errorf("pushed at %v ms, want %v", pushes, tt.pushes)
				}
				var timers []float64
				for _, at := range b.timers(0, SyncTimer) {
					timers = append(timers, float64(at)/float64(time.Millisecond))
				}
				if !slices.Equal(timers, tt.timers) {
					t.Errorf("sync timer went off at %v ms, want %v", timers, tt.timers)
				}
				if got := b.notes(0, LostInterest); !slices.Equal(got, tt.lost) {
					t.Errorf("lost interest %v, want %v", got, tt.lost)
				}
				// Either way it ends removed or without the rumor, and
				// asleep.
				if srv.Value != tt.value || srv.News || srv.Counted != tt.tries {
					t.Errorf("server ends with %d, News %t, Counted %d; want %d, not infective, %d tries", srv.Value, srv.News, srv.Counted, tt.value, tt.tries)
				}
				if b.res.Reason != sim.Idle {
					t.Errorf("run ended %v, want idle", b.res.Reason)
				}
			})
		}
	})

	t.Run("rumor-pull", func(t *testing.T) {
		// Infective for 5 from round 1 (100ms); pulled by a server
		// holding 0 at 151ms and 251ms; down from 160ms to 170ms.
		for _, tt := range []struct {
			durable bool
			replies []float64
			value   int64
			news    bool
		}{
			{true, []float64{152, 252}, 5, true},
			{false, []float64{152}, 0, false},
		} {
			t.Run(fmt.Sprintf("durable %t", tt.durable), func(t *testing.T) {
				srv := &Server{ID: 0, Servers: 2, Strategy: StrategyRumorPull, Rumor: Rumor{K: 2}, Value: 5, News: true}
				pull := func(at float64) request { return request{ms(at), 1, 0, Msg{Type: RumorPull, Value: 0}} }
				b := runRumor(t, srv, map[sim.NodeID]*rumorPeer{1: sending(pull(150), pull(250))}, 1, 300*time.Millisecond,
					crash(160, 170, tt.durable))
				var replies []float64
				for _, d := range b.received(RumorReply) {
					replies = append(replies, float64(d.at)/float64(time.Millisecond))
				}
				if !slices.Equal(replies, tt.replies) {
					t.Errorf("replies arrived at %v ms, want %v", replies, tt.replies)
				}
				// The sync timer, like the server's rounds, restarts
				// from the restart.
				if got, want := b.timers(0, SyncTimer), []sim.Time{roundStart(1), sim.Time(ms(270))}; !slices.Equal(got, want) {
					t.Errorf("sync timer went off at %v, want %v", got, want)
				}
				if srv.Value != tt.value || srv.News != tt.news {
					t.Errorf("server ends with %d, News %t; want %d, %t", srv.Value, srv.News, tt.value, tt.news)
				}
			})
		}
	})
}

// TestRumorAntiEntropy: with a backing anti-entropy, every server, asleep
// or not, exchanges its value with one random partner every AntiEntropy;
// a value an exchange brings makes the server infective; and the exchanges
// find the servers that rumor mongering alone leaves out.
func TestRumorAntiEntropy(t *testing.T) {
	const every = 250 * time.Millisecond
	for _, st := range []Strategy{StrategyRumorPush, StrategyRumorPull} {
		t.Run("exchanges every interval, "+string(st), func(t *testing.T) {
			var servers []*Server
			for i := range 4 {
				s := &Server{SyncInterval: rumorRound, Strategy: st, Fanout: 1, Rumor: Rumor{K: 1, Blind: true, AntiEntropy: every}}
				if i == 0 {
					s.Value = 7 // not infective: only an exchange spreads it
				}
				servers = append(servers, s)
			}
			// Until just after the fourth exchange is answered.
			const until = 4*every + 5*time.Millisecond
			b := runServers(t, servers, 5, until)
			want := []sim.Time{sim.Time(every), sim.Time(2 * every), sim.Time(3 * every), sim.Time(4 * every)}
			exchanges := 0
			for node := range sim.NodeID(4) {
				if got := b.timers(node, AntiEntropyTimer); !slices.Equal(got, want) {
					t.Errorf("server %d: anti-entropy timer went off at %v, want %v", node, got, want)
				}
				for _, s := range b.rec.of(node) {
					if s.in.Kind != sim.Timer || s.in.Timer != AntiEntropyTimer {
						continue
					}
					if len(s.sends) != 1 || s.sends[0].Msg.Type != PushPull || s.sends[0].To == node || s.sends[0].To > 3 {
						t.Errorf("server %d at %v sent %v, want one push_pull to another server", node, s.t, s.sends)
					}
				}
				exchanges += len(b.sent(node, PushPull))
				if st == StrategyRumorPush && len(b.notes(node, Update)) == 0 && len(b.timers(node, SyncTimer)) > 0 {
					t.Errorf("server %d never learned a value but woke for rounds at %v", node, b.timers(node, SyncTimer))
				}
			}
			replies := 0
			for node := range sim.NodeID(4) {
				replies += len(b.sent(node, PullReply))
			}
			if exchanges != 16 || replies != exchanges {
				t.Errorf("%d exchanges, %d answers; want 16 of each", exchanges, replies)
			}
			// Every server an exchange brought 7 to became infective:
			// it spreads 7 from its next round.
			infected := 0
			for node := sim.NodeID(1); node < 4; node++ {
				u := b.notes(node, Update)
				if len(u) == 0 {
					continue
				}
				var by MsgType
				for _, s := range b.rec.of(node) {
					if len(s.notes) > 0 && s.notes[0].Kind == Update {
						by = s.in.Msg.Type
						break
					}
				}
				next := sim.Time((time.Duration(u[0].at)/rumorRound + 1) * rumorRound)
				if by != PushPull && by != PullReply || next > sim.Time(until) {
					continue
				}
				infected++
				var spread []sentMsg
				for _, m := range b.sent(node, 0) {
					if m.at == next && m.timerN == SyncTimer {
						spread = append(spread, m)
					}
				}
				if st == StrategyRumorPush && (len(spread) != 1 || spread[0].msg.Type != RumorPush || spread[0].msg.Value != 7) {
					t.Errorf("server %d learned 7 by %v at %v, then sent %v at %v; want a rumor of 7", node, by, u[0].at, spread, next)
				}
				if st == StrategyRumorPull && !servers[node].News && len(b.notes(node, LostInterest)) == 0 {
					t.Errorf("server %d learned 7 by %v at %v but never was infective", node, by, u[0].at)
				}
			}
			if infected == 0 {
				t.Errorf("no exchange brought 7 to anyone: the test shows nothing")
			}
		})
	}

	t.Run("finds the residue", func(t *testing.T) {
		// k = 1, blind, coin: every infected server pushes once. On
		// 30 servers that misses many (s ≈ e^-m).
		cfg := EpidemicConfig(Config{Seed: 1, Servers: 30, Strategy: StrategyRumorPush, Fanout: 1,
			Rumor: Rumor{K: 1, Blind: true, Coin: true}, SyncInterval: rumorRound, MaxTime: time.Hour, MaxEvents: 1_000_000})
		alone, err := NewCluster(cfg).Run()
		if err != nil {
			t.Fatal(err)
		}
		if alone.Reason != sim.Done || alone.Converged || alone.Residue == 0 || !alone.Passed() {
			t.Fatalf("without anti-entropy: stopped by %v, converged %t, residue %d, passed %t; want a residue",
				alone.Reason, alone.Converged, alone.Residue, alone.Passed())
		}
		cfg.Rumor.AntiEntropy = 2 * rumorRound
		backed, err := NewCluster(cfg).Run()
		if err != nil {
			t.Fatal(err)
		}
		if backed.Reason != sim.Done || !backed.Converged || backed.Value != 1 || backed.Residue != 0 || !backed.Passed() {
			t.Errorf("with anti-entropy: stopped by %v, converged %t on %d, residue %d, passed %t; want converged on 1",
				backed.Reason, backed.Converged, backed.Value, backed.Residue, backed.Passed())
		}
		exchanged := false
		for _, k := range backed.Sent {
			exchanged = exchanged || k.Kind == PushPull.String() && k.Count > 0
		}
		if !exchanged {
			t.Errorf("converged without a push_pull: %v", backed.Sent)
		}
		t.Logf("residue %d of %d without anti-entropy; with it, converged at %v", alone.Residue, cfg.Servers, backed.ConvergedAt)
	})
}

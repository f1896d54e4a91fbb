package explore

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// tiny is a configuration of servers under broadcast, clients x requests,
// values below maxValue, running the server variant.
func tiny(servers, clients, requests int, maxValue int64, variant string) model.Config {
	return model.Config{Servers: servers, Clients: clients, Requests: requests, SetRatio: 0.5, MaxValue: maxValue,
		SyncInterval: 100 * time.Millisecond, Latency: sim.Latency{Distribution: sim.Uniform, Min: time.Millisecond, Max: 10 * time.Millisecond},
		MaxTime: 5 * time.Second, Variant: variant}
}

func explore(t *testing.T, cfg model.Config, opt Options) Result {
	t.Helper()
	r, err := Explore(cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCountsByHand: the states of configurations small enough to count on
// paper, in exact mode and with fingerprints.
//
// One server, one client of one request, values below 1: the client
// starts with a get or a set of 0 (2 states); the server answers (2); the
// client reads the answer and is done (2). A get and a set stay apart
// (the client's pending request differs): 6 states, 4 transitions, depth 2.
//
// The same with two requests: 2 starts; 2 answered; then the client reads
// and asks again, a get or a set (4: GG, GS, SG, SS); 4 answered; 4 done.
// No two of these meet: the first request differs in what the checks
// remember (a read, or a value proposed), so 2+2+4+4+4 = 16 states, 14
// transitions, depth 4.
//
// Two servers, no client: each starts with its sync timer armed and
// nothing to send but 0. Server 1's round puts a sync on its link, which
// blocks its timer until the sync arrives; so do server 2's. The states
// are which of the two links holds a sync: 4, each round and each arrival
// a transition: 8 (2 rounds from the empty links, 1 round and 1 arrival
// from each half-full, 2 arrivals from the full), depth 2.
//
// Two servers pulling, no client: each server's exchange with the other
// is idle, its question in flight, or the answer on its way back; the
// bound counts a server's own exchange only, so the two go on
// independently: 3 x 3 = 9 states, each server moving on in each (a
// round, the question's arrival, the answer's) whatever the other's: 18
// transitions, depth 2 + 2 = 4. (When both links counted every message,
// a question in flight either way held the other server's round back,
// and the two servers' rounds never overlapped: 5 states, 6 transitions,
// depth 2. A run has them overlap nearly always, since both timers go off
// at the same instant.)
//
// One server, two clients of one request, values below 1, syncing on
// change (no round ever: no value changes). A client is a get or a set,
// its request or its reply in flight or done: 6 local states, and the
// checks' history follows from them (a set proposed 0; a get done read
// 0). 6 x 6 = 36 states; each client moves on in the 4 of its 6 states in
// which it is not done, whatever the other's: 2 x 4 x 6 = 48 transitions,
// depth 4. With symmetry the two clients are interchangeable: the
// unordered pairs of local states, 6 x 7 / 2 = 21, and 28 transitions (a
// state x moves on in 4 of the 6, times the 5 others it pairs with, 20;
// and both clients of each of the 4 pairs {x, x} of a state not done, 8).
func TestCountsByHand(t *testing.T) {
	soc := Options{SyncOnChange: true}
	noSym := Options{SyncOnChange: true, NoSymmetry: true}
	for _, tt := range []struct {
		cfg           model.Config
		opt           Options
		states, trans int64
		depth         int
	}{
		{tiny(1, 1, 1, 1, ""), Options{}, 6, 4, 2},
		{tiny(1, 1, 2, 1, ""), Options{}, 16, 14, 4},
		{tiny(2, 0, 0, 1, ""), Options{}, 4, 8, 2},
		{pulling(tiny(2, 0, 0, 1, "")), Options{}, 9, 18, 4},
		{tiny(1, 2, 1, 1, ""), noSym, 36, 48, 4},
		{tiny(1, 2, 1, 1, ""), soc, 21, 28, 4},
	} {
		for _, exact := range []bool{false, true} {
			opt := tt.opt
			opt.Exact = exact
			r := explore(t, tt.cfg, opt)
			if r.Verdict != Proved || r.States != tt.states || r.Transitions != tt.trans || r.Depth != tt.depth {
				t.Errorf("%s, exact %t: %s, %d states, %d transitions, depth %d; want proved, %d, %d, %d",
					Configuration(tt.cfg), exact, r.Verdict, r.States, r.Transitions, r.Depth, tt.states, tt.trans, tt.depth)
			}
		}
	}
}

// pulling returns cfg with the servers pulling from one partner a round.
func pulling(cfg model.Config) model.Config {
	cfg.Strategy, cfg.Fanout = model.StrategyPull, 1
	return cfg
}

// TestFingerprintsMatchExact: on a ladder of configurations, storing
// fingerprints finds exactly the states that storing whole states does.
func TestFingerprintsMatchExact(t *testing.T) {
	for _, cfg := range ladder() {
		for _, opt := range []Options{{}, {SyncOnChange: true}} {
			if opt.SyncOnChange && len(cfg.Strategy.Keys()) > 0 && cfg.Strategy != model.StrategyRing {
				continue
			}
			a, b := explore(t, cfg, opt), explore(t, cfg, Options{SyncOnChange: opt.SyncOnChange, Exact: true})
			if a.Verdict != b.Verdict || a.States != b.States || a.Transitions != b.Transitions || a.Depth != b.Depth {
				t.Errorf("%s, %s: fingerprints %s %d/%d/%d, exact %s %d/%d/%d", Configuration(cfg), Bounds(cfg, opt),
					a.Verdict, a.States, a.Transitions, a.Depth, b.Verdict, b.States, b.Transitions, b.Depth)
			}
		}
	}
}

// ladder is a few small configurations of the correct protocol under
// several strategies.
func ladder() []model.Config {
	var out []model.Config
	out = append(out, tiny(1, 1, 2, 3, ""), tiny(2, 1, 2, 3, ""), tiny(2, 2, 1, 3, ""), tiny(3, 1, 1, 2, ""))
	for _, st := range []model.Strategy{model.StrategyPush, model.StrategyPushPull, model.StrategyRing} {
		cfg := tiny(3, 1, 1, 2, "")
		cfg.Strategy, cfg.Fanout = st, 1
		out = append(out, cfg)
	}
	// Pull, whose rounds the bound holds back while their links are full:
	// proved only under strong fairness for rounds (see fairCycle). And
	// rumor mongering, whose rounds' contacts grew without bound while a
	// round never ended.
	for _, st := range []model.Strategy{model.StrategyPull, model.StrategyRumorPull, model.StrategyRumorPush} {
		cfg := tiny(2, 1, 1, 2, "")
		cfg.Strategy, cfg.Fanout, cfg.Rumor.K = st, 1, 1
		out = append(out, cfg)
	}
	return out
}

// TestCorrectProved: the real protocol passes every schedule of the
// ladder, with periodic sync and with sync on change, and with a crash of
// either kind.
func TestCorrectProved(t *testing.T) {
	for _, cfg := range ladder() {
		for _, opt := range []Options{{MaxStates: 1_000_000}, {SyncOnChange: true, MaxStates: 1_000_000}} {
			if opt.SyncOnChange && len(cfg.Strategy.Keys()) > 0 && cfg.Strategy != model.StrategyRing {
				continue // refused: see TestRefused
			}
			if r := explore(t, cfg, opt); r.Verdict != Proved {
				t.Errorf("%s, %s: %s", Configuration(cfg), Bounds(cfg, opt), Describe(cfg, r, opt))
			}
		}
	}
	for _, durable := range []bool{false, true} {
		cfg := tiny(2, 1, 2, 3, "")
		cfg.Faults.Crashes = []sim.Crash{{Node: 0, Durable: durable}}
		if r := explore(t, cfg, Options{}); r.Verdict != Proved {
			t.Errorf("crash, durable %t: %s", durable, Describe(cfg, r, Options{}))
		}
	}
}

// variantCase is a broken server of the catalogue on the smallest
// configuration where it can fail: scenarios/explore/NAME.toml.
type variantCase struct {
	variant string
	cfg     model.Config
	opt     Options
	checks  []string // what may catch it: its own check, or liveness
}

// variantCases loads the scenario of each variant but the real server's,
// in the catalogue's order. The rare ones need same-instant arrivals.
func variantCases(t testing.TB) []variantCase {
	t.Helper()
	var out []variantCase
	for _, v := range model.Variants[1:] {
		sc, err := scenarios.Load(filepath.Join("..", "scenarios", "explore", v.Name+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		c := variantCase{variant: v.Name, cfg: sc.Config(), opt: Options{SameInstant: v.Rare}, checks: []string{v.Check}}
		if v.Check == "converged-to-max" {
			// With periodic sync there is no end state to judge: a
			// fair cycle that never converges is the failure.
			c.checks = append(c.checks, "liveness")
		}
		out = append(out, c)
	}
	return out
}

// TestEveryVariantFound: every broken server of the catalogue has a
// counterexample on its smallest configuration, caught by its own check
// (or liveness, where the run's checker says converged-to-max: with
// periodic sync a search has no end state to judge), while the real
// server passes the same configuration.
func TestEveryVariantFound(t *testing.T) {
	for _, c := range variantCases(t) {
		start := time.Now()
		r := explore(t, c.cfg, c.opt)
		want := c.checks
		if r.Verdict != Counterexample || !slices.Contains(want, r.Check) {
			t.Errorf("%s on %s, %s: %s; want a counterexample to %v", c.variant, Configuration(c.cfg), Bounds(c.cfg, c.opt), Describe(c.cfg, r, c.opt), want)
			continue
		}
		if len(r.Path) == 0 {
			t.Errorf("%s: a counterexample with no schedule", c.variant)
		}
		t.Logf("%-13s %-24s %6d states %v", c.variant, r.Check, r.States, time.Since(start).Round(time.Millisecond))
		correct := c.cfg
		correct.Variant = ""
		if r := explore(t, correct, c.opt); r.Verdict != Proved {
			t.Errorf("%s's configuration with the real server: %s", c.variant, Describe(correct, r, c.opt))
		}
	}
}

// TestSameInstantNeeded: the two rare variants fail only when messages
// may arrive at the instant of the step before; without that every step
// has an instant of its own, and they behave as the real server.
func TestSameInstantNeeded(t *testing.T) {
	for _, c := range variantCases(t) {
		if !c.opt.SameInstant {
			continue
		}
		if r := explore(t, c.cfg, Options{}); r.Verdict != Proved {
			t.Errorf("%s without -same-instant: %s", c.variant, Describe(c.cfg, r, Options{}))
		}
	}
}

// TestDeterministic: the same search twice gives the same counts and the
// same counterexample, step for step.
func TestDeterministic(t *testing.T) {
	cfg := tiny(2, 2, 1, 3, "same-instant")
	a, b := explore(t, cfg, Options{SameInstant: true}), explore(t, cfg, Options{SameInstant: true})
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("two searches differ:\n%v\n%v", a, b)
	}
}

// TestLivenessNeedsFairCycle: a server that never syncs its clients'
// values fails liveness with periodic sync, by a cycle of its peer's
// rounds; the real server, whose rounds also go on for ever, passes,
// because a fair path delivers the sync that converges.
func TestLivenessNeedsFairCycle(t *testing.T) {
	r := explore(t, tiny(2, 1, 1, 2, "hoarder"), Options{})
	if r.Check != "liveness" || len(r.Cycle) == 0 {
		t.Fatalf("hoarder with periodic sync: %s, cycle of %d steps; want a liveness counterexample with a cycle", Describe(tiny(2, 1, 1, 2, "hoarder"), r, Options{}), len(r.Cycle))
	}
	for _, st := range r.Cycle {
		if st.Kind != sim.Timer && st.Kind != sim.Deliver {
			t.Errorf("cycle step %s: want rounds and their syncs", formatStep(2, st))
		}
	}
}

// TestIncomplete: a search stopped by its limit says so, and never
// proved.
func TestIncomplete(t *testing.T) {
	r := explore(t, tiny(2, 2, 2, 3, ""), Options{MaxStates: 100})
	if r.Verdict != Incomplete || r.States < 100 {
		t.Errorf("%s, %d states; want incomplete at 100", r.Verdict, r.States)
	}
}

// TestNoSetsAnyMaxValue: max_value bounds only what clients set, so a
// configuration whose clients never set explores whatever it is.
func TestNoSetsAnyMaxValue(t *testing.T) {
	cfg := tiny(2, 1, 1, 1000, "")
	cfg.SetRatio = 0
	if r := explore(t, cfg, Options{}); r.Verdict != Proved {
		t.Errorf("%s: %s", Configuration(cfg), Describe(cfg, r, Options{}))
	}
}

// TestRefused: what the explorer cannot explore is refused with a reason.
func TestRefused(t *testing.T) {
	big := tiny(2, 1, 1, 100, "")
	part := tiny(2, 1, 1, 2, "")
	part.Faults.Partitions = []sim.Partition{{Groups: [][]sim.NodeID{{0}}}}
	pull := tiny(2, 1, 1, 2, "")
	pull.Strategy, pull.Fanout = model.StrategyPush, 1
	for _, c := range []struct {
		cfg model.Config
		opt Options
	}{{big, Options{}}, {part, Options{}}, {pull, Options{SyncOnChange: true}}} {
		if _, err := Explore(c.cfg, c.opt); err == nil {
			t.Errorf("%s, %s: explored; want an error", Configuration(c.cfg), Bounds(c.cfg, c.opt))
		}
	}
}

// TestCounterexamplesReplay: the schedule of every variant's
// counterexample, run through the simulator, fails there too, crashes
// and all.
func TestCounterexamplesReplay(t *testing.T) {
	for _, c := range variantCases(t) {
		r := explore(t, c.cfg, c.opt)
		s, err := r.Schedule(c.cfg.Servers)
		if err != nil {
			t.Errorf("%s: %v", c.variant, err)
			continue
		}
		rep, err := model.NewCluster(c.cfg).Replay(s)
		if err != nil {
			t.Errorf("%s: replay: %v", c.variant, err)
			continue
		}
		failed := map[string]bool{}
		for _, ch := range rep.Checks {
			if !ch.Passed() {
				failed[ch.Name] = true
			}
			// A break in a step is the same break, word for word, at
			// the schedule's last step.
			if ch.Name == r.Check && len(r.Cycle) == 0 && !strings.Contains(r.What, "nothing more can happen") && !strings.HasSuffix(ch.First, ": "+r.What) {
				t.Errorf("%s: the explorer found %q; replayed, the first break is %q", c.variant, r.What, ch.First)
			}
		}
		if !failed[r.Check] && !(r.Check == "liveness" && failed["converged-to-max"]) {
			t.Errorf("%s: the explorer found %s: %s; replayed, the run fails %v", c.variant, r.Check, r.What, failed)
		}
		crashes := 0
		for _, st := range s.Steps {
			if st.Kind == sim.CrashKind {
				crashes++
			}
		}
		if crashes != len(c.cfg.Faults.Crashes) {
			t.Errorf("%s: %d crash steps replayed; want the %d of its counterexample", c.variant, crashes, len(c.cfg.Faults.Crashes))
		}
	}

	// A crash names its entry: here the second, of server-1, where the
	// first is server-2's.
	two := tiny(2, 1, 1, 2, "leaky-disk")
	two.Faults.Crashes = []sim.Crash{{Node: 1}, {Node: 0, Durable: true}}
	two.RequestTimeout = time.Second
	r := explore(t, two, Options{})
	s, err := r.Schedule(two.Servers)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := model.NewCluster(two).Replay(s)
	if c, _ := rep.Check(r.Check); err != nil || c.Passed() {
		t.Errorf("leaky-disk with two crash entries: %v, %s", err, rep.AppendJSON(nil))
	}

	// No variant's counterexample sends to a server while it is down: a
	// path that does, written by hand, replays that message as a drop.
	cfg := tiny(2, 1, 1, 3, "")
	cfg.Faults.Crashes = []sim.Crash{{Node: 0, Durable: true}}
	set := model.Msg{Type: model.Set, Value: 2, Req: 1}
	r = Result{Path: []Step{
		{Node: 0, Kind: sim.Start}, {Node: 1, Kind: sim.Start},
		{Node: 2, Kind: sim.Start, Choices: []Choice{{Label: model.ChoiceSet, Answer: 1}, {Label: model.ChoiceValue, Answer: 2}}},
		{Node: 0, Kind: sim.Deliver, From: 2, Msg: set},
		{Node: 2, Kind: sim.Deliver, From: 0, Msg: model.Msg{Type: model.SetReply, Accepted: true, Req: 1}},
		{Node: 0, Kind: sim.CrashKind},
		{Node: 1, Kind: sim.Timer, Timer: model.SyncTimer},
		{Node: 0, Kind: sim.Deliver, From: 1, Msg: model.Msg{Type: model.Sync}},
		{Node: 0, Kind: sim.Recover},
		{Node: 0, Kind: sim.Timer, Timer: model.SyncTimer},
		{Node: 1, Kind: sim.Deliver, From: 0, Msg: model.Msg{Type: model.Sync, Value: 2}},
	}}
	s, err = r.Schedule(cfg.Servers)
	if err != nil {
		t.Fatal(err)
	}
	if k := s.Steps[7].Kind; k != sim.Drop || s.Steps[10].Kind != sim.Deliver {
		t.Errorf("the sync to server-1 while down is a %v step; want a drop, and a recv once it is up", k)
	}
	rep, err = model.NewCluster(cfg).Replay(s)
	if err != nil || !rep.Passed() || rep.Dropped != 1 {
		t.Errorf("replayed: %v, %d dropped, %s", err, rep.Dropped, rep.AppendJSON(nil))
	}
}

// timeouts gives the clients of cfg a request timeout: a second timer
// name besides the servers' sync.
func timeouts(cfg model.Config) model.Config {
	cfg.RequestTimeout = time.Second
	return cfg
}

// TestWorkersAgree: the verdict, the counts and the counterexample are the
// same however many goroutines expand states.
func TestWorkersAgree(t *testing.T) {
	cases := []struct {
		cfg model.Config
		opt Options
	}{
		{tiny(2, 2, 2, 3, ""), Options{SyncOnChange: true}},
		{tiny(2, 1, 1, 2, "hoarder"), Options{}},
		{tiny(2, 2, 1, 3, "same-instant"), Options{SameInstant: true}},
		{timeouts(tiny(2, 2, 1, 3, "")), Options{}},
	}
	for _, c := range cases {
		var first string
		for _, n := range []int{1, 2, 3, 7} {
			opt := c.opt
			opt.Workers = n
			got := fmt.Sprint(explore(t, c.cfg, opt))
			if n == 1 {
				first = got
			} else if got != first {
				t.Errorf("%s with %d workers:\n%s\nwith 1:\n%s", Configuration(c.cfg), n, got, first)
			}
		}
	}
}

// observables collects what a state shows a user, named by no node: the
// servers' values, sorted, and the clients' progress (requests sent, and
// whether done), sorted.
func observables(set map[string]bool) func(x *explorer, w *world) {
	return func(x *explorer, w *world) {
		var vals []int64
		for i := range x.ns {
			vals = append(vals, x.value(w, i))
		}
		var progress []string
		for i := range x.nc {
			x.load(w, sim.NodeID(x.ns+i), model.Past)
			progress = append(progress, fmt.Sprintf("%d/%t", x.clients[i].Sent, x.clients[i].Done))
		}
		slices.Sort(vals)
		slices.Sort(progress)
		set[fmt.Sprint(vals, progress)] = true
	}
}

// TestSymmetrySound: on the ladder, and on configurations with several
// clients a server, symmetry changes neither the verdict nor the
// observable states reachable, and never stores more states.
func TestSymmetrySound(t *testing.T) {
	cfgs := append(ladder(), tiny(1, 3, 1, 3, ""), tiny(2, 4, 1, 2, ""), tiny(3, 3, 1, 2, "eager"), tiny(2, 2, 1, 2, "hoarder"))
	for _, cfg := range cfgs {
		for _, opt := range []Options{{}, {SyncOnChange: true}} {
			if opt.SyncOnChange && len(cfg.Strategy.Keys()) > 0 && cfg.Strategy != model.StrategyRing {
				continue
			}
			with, without := map[string]bool{}, map[string]bool{}
			a := opt
			a.observe = observables(with)
			b := opt
			b.NoSymmetry, b.observe = true, observables(without)
			ra, rb := explore(t, cfg, a), explore(t, cfg, b)
			name := Configuration(cfg) + ", " + Bounds(cfg, opt)
			if ra.Verdict != rb.Verdict || ra.Check != rb.Check {
				t.Errorf("%s: with symmetry %s %s, without %s %s", name, ra.Verdict, ra.Check, rb.Verdict, rb.Check)
			}
			if ra.States > rb.States {
				t.Errorf("%s: %d states with symmetry, %d without", name, ra.States, rb.States)
			}
			if ra.Verdict == Proved && !maps.Equal(with, without) {
				t.Errorf("%s: %d observable states with symmetry, %d without", name, len(with), len(without))
			}
		}
	}
}

// TestLossReplays: under loss, every send lists the network's choice, even
// past the bound on losses, so that the simulator's replay, which asks of
// every send while the schedule lasts, finds the answers it asks for; and
// a lost message explains no failure of the real server.
func TestLossReplays(t *testing.T) {
	cfg := tiny(2, 1, 1, 2, "once")
	cfg.Faults.Loss = 0.1
	cfg.RequestTimeout = time.Second
	opt := Options{MaxLosses: 1}
	r := explore(t, cfg, opt)
	if r.Verdict != Counterexample {
		t.Fatalf("once under loss: %s", Describe(cfg, r, opt))
	}
	s, err := r.Schedule(cfg.Servers)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := model.NewCluster(cfg).Replay(s); err != nil {
		t.Errorf("replay: %v", err)
	}
	cfg.Variant = ""
	if r := explore(t, cfg, opt); r.Verdict != Proved {
		t.Errorf("the real server under loss: %s", Describe(cfg, r, opt))
	}
}

// TestMemoryLimit: a search that outgrows its memory says so, incomplete.
func TestMemoryLimit(t *testing.T) {
	r := explore(t, tiny(2, 2, 2, 3, ""), Options{MaxMemory: 1})
	if r.Verdict != Incomplete || !strings.Contains(r.Why, "memory") {
		t.Errorf("%s: %s; want incomplete at the memory limit", r.Verdict, r.Why)
	}
}

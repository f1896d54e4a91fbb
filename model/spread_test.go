package model_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/sim"
)

// epidemic measures the spread of one update over servers under a
// strategy, for seeds 1..seeds, and returns the mean figures.
func epidemic(t *testing.T, strategy model.Strategy, servers, seeds int) (mean model.Epidemic) {
	t.Helper()
	m := measureEpidemic(t, model.Config{Servers: servers, Strategy: strategy}, seeds)
	return model.Epidemic{Residue: m.residue.mean, Traffic: m.traffic.mean, TAve: m.tAve.mean, TLast: m.tLast.mean}
}

// spread is the mean and standard deviation of one figure over seeds.
type spread struct{ mean, sd float64 }

func spreadOf(xs []float64) spread {
	var s spread
	for _, x := range xs {
		s.mean += x / float64(len(xs))
	}
	for _, x := range xs {
		s.sd += (x - s.mean) * (x - s.mean) / float64(len(xs)-1)
	}
	s.sd = math.Sqrt(s.sd)
	return s
}

// figures are the papers' figures of an epidemic over seeds.
type figures struct{ residue, traffic, tAve, tLast spread }

// measureEpidemic measures the spread of one update under cfg (Servers,
// Strategy, Rumor; Fanout 1) for seeds 1..seeds.
func measureEpidemic(t *testing.T, cfg model.Config, seeds int) figures {
	t.Helper()
	var residue, traffic, tAve, tLast []float64
	for seed := 1; seed <= seeds; seed++ {
		cfg.Seed, cfg.SyncInterval, cfg.Fanout, cfg.MaxTime, cfg.MaxEvents = int64(seed), time.Second, 1, time.Hour, 10_000_000
		cfg.Assignment = model.RoundRobin
		c := model.NewCluster(model.EpidemicConfig(cfg))
		spread := model.NewSpread(c)
		c.Engine().Observe(spread)
		r, err := c.Run()
		if err != nil {
			t.Fatal(err)
		}
		if r.Reason != sim.Done || !r.Passed() {
			t.Fatalf("%s seed %d: stopped by %v, passed %t", cfg.DescribeSync(), seed, r.Reason, r.Passed())
		}
		e := spread.Result()
		residue, traffic = append(residue, e.Residue), append(traffic, e.Traffic)
		tAve, tLast = append(tAve, e.TAve), append(tLast, e.TLast)
	}
	return figures{spreadOf(residue), spreadOf(traffic), spreadOf(tAve), spreadOf(tLast)}
}

// TestEpidemicsAgainstTheory checks the anti-entropy strategies against
// the papers, with fixed seeds, so the result is the same every time. Over
// 100 seeds at 1,000 servers push took 17.95 rounds to reach the last
// server, with a standard deviation of 1.27 (docs/epidemics.md), so the
// mean of 20 seeds varies by about 1.27/sqrt(20) = 0.28: a window of
// several of those around what was measured, inside what theory allows,
// fails only if the strategy changed.
func TestEpidemicsAgainstTheory(t *testing.T) {
	const n = 1000
	pittel := math.Log2(n) + math.Log(n) // push: log2 n + ln n + O(1) rounds
	push := epidemic(t, model.StrategyPush, n, 20)
	pull := epidemic(t, model.StrategyPull, n, 20)
	pushPull := epidemic(t, model.StrategyPushPull, n, 20)
	for _, x := range []struct {
		name string
		e    model.Epidemic
	}{{"push", push}, {"pull", pull}, {"push-pull", pushPull}} {
		if x.e.Residue != 0 {
			t.Errorf("%s: residue %v; anti-entropy reaches every server", x.name, x.e.Residue)
		}
	}
	if push.TLast < pittel-1 || push.TLast > pittel+3 {
		t.Errorf("push: t_last %.2f rounds, want log2 n + ln n + O(1) = %.1f + [-1, 3]", push.TLast, pittel)
	}
	// Pull finishes faster than push (its residue falls quadratically
	// near the end, Demers), push-pull faster still (Karp et al.: about
	// log3 n rounds).
	if !(pushPull.TLast < pull.TLast && pull.TLast < push.TLast) {
		t.Errorf("t_last: push %.2f, pull %.2f, push-pull %.2f; want push-pull < pull < push", push.TLast, pull.TLast, pushPull.TLast)
	}
	if log3 := math.Log(n) / math.Log(3); pushPull.TLast < log3 || pushPull.TLast > log3+4 {
		t.Errorf("push-pull: t_last %.2f rounds, want about log3 n = %.1f", pushPull.TLast, log3)
	}
	// Push goes on sending from every server that has the update through
	// the many rounds it takes to find the last few; pull finishes those
	// rounds sooner, so it sends fewer updates in all.
	if !(pull.Traffic < push.Traffic) {
		t.Errorf("traffic: push %.2f, pull %.2f; want pull < push", push.Traffic, pull.Traffic)
	}

	// Push-pull's figures in docs/epidemics-measured.md (mean ± sd over seeds 1 to
	// 100), pinned: the mean of the first seeds must lie within four
	// standard errors of them (the sd there over the root of the seeds
	// here), plus half the last digit printed. When a server's answer
	// carried what an exchange stepped just before it had brought, so
	// that an update could travel two hops in a round, every figure was
	// about a round smaller: t_last 5.65, 8.07 and 10.31.
	for _, pp := range []struct {
		n, seeds                     int
		tAve, tAveSD, tLast, tLastSD float64
	}{
		{100, 20, 4.337, 0.385, 6.570, 0.590},
		{1000, 20, 6.417, 0.372, 9.150, 0.500},
		{10_000, 5, 8.539, 0.339, 11.610, 0.510},
	} {
		f := measureEpidemic(t, model.Config{Servers: pp.n, Strategy: model.StrategyPushPull}, pp.seeds)
		for _, x := range []struct {
			what          string
			got, want, sd float64
		}{{"t_ave", f.tAve.mean, pp.tAve, pp.tAveSD}, {"t_last", f.tLast.mean, pp.tLast, pp.tLastSD}} {
			if tol := 4*x.sd/math.Sqrt(float64(pp.seeds)) + 0.0005; math.Abs(x.got-x.want) > tol {
				t.Errorf("push-pull, %d servers: %s %.3f over %d seeds; docs/epidemics-measured.md has %.3f ± %.3f (allowed ± %.2f)",
					pp.n, x.what, x.got, pp.seeds, x.want, x.sd, tol)
			}
		}
	}
}

// TestRumorMongeringAgainstDemers checks the rumor-mongering variants
// against the tables of Demers et al. (Xerox CSL-89-1: Table 1, feedback
// and counters; Table 2, blind and coin; Table 3, pull with feedback and
// counters), each an epidemic on 1,000 sites. The seeds are fixed, so the
// result is the same every time; a figure must lie within four standard
// errors of the paper's (the standard deviation measured over the seeds,
// divided by the root of their number), plus half the last digit the
// paper prints, plus, for the residue, the smallest step a mean over the
// seeds can take (one server in one seed).
//
// The test has teeth: the interpretations model.Rumor documents are what
// make the figures agree. With news judged when a push arrives instead of
// at the start of the receiver's round, the residue of Table 1 at k = 2 is
// 0.048, not 0.037; with, in addition, a counter that a necessary contact
// does not restart, 0.060 (the coin's). With pull counting every
// unnecessary answer instead of rounds, Table 3's residue at k = 1 is 0.07,
// not 0.031.
//
// t_ave is not compared: the simulator's is 1 to 3 rounds below the
// paper's, for a reason docs/epidemics.md discusses.
func TestRumorMongeringAgainstDemers(t *testing.T) {
	const n, seeds = 1000, 20
	push := model.StrategyRumorPush
	tests := []struct {
		table    string
		strategy model.Strategy
		rumor    model.Rumor
		// The paper's figures, and the unit of their last digit.
		residue, traffic, tLast  float64
		residueUnit, trafficUnit float64
		tLastUnit                float64
	}{
		{"1", push, model.Rumor{K: 1}, 0.18, 1.7, 16.8, 0.01, 0.1, 0.1},
		{"1", push, model.Rumor{K: 2}, 0.037, 3.3, 16.9, 0.001, 0.1, 0.1},
		{"1", push, model.Rumor{K: 3}, 0.011, 4.5, 17.4, 0.001, 0.1, 0.1},
		{"1", push, model.Rumor{K: 4}, 0.0036, 5.6, 17.5, 0.0001, 0.1, 0.1},
		{"1", push, model.Rumor{K: 5}, 0.0012, 6.7, 17.7, 0.0001, 0.1, 0.1},
		{"2", push, model.Rumor{K: 2, Blind: true, Coin: true}, 0.20, 1.6, 33, 0.01, 0.1, 1},
		{"2", push, model.Rumor{K: 3, Blind: true, Coin: true}, 0.060, 2.8, 32, 0.001, 0.1, 1},
		{"2", push, model.Rumor{K: 4, Blind: true, Coin: true}, 0.021, 3.9, 32, 0.001, 0.1, 1},
		{"2", push, model.Rumor{K: 5, Blind: true, Coin: true}, 0.008, 4.9, 32, 0.001, 0.1, 1},
		{"3", model.StrategyRumorPull, model.Rumor{K: 1}, 3.1e-2, 2.7, 17.63, 1e-3, 0.1, 0.01},
		{"3", model.StrategyRumorPull, model.Rumor{K: 2}, 5.8e-4, 4.5, 15.39, 1e-5, 0.1, 0.01},
		{"3", model.StrategyRumorPull, model.Rumor{K: 3}, 4.0e-6, 6.1, 14.00, 1e-7, 0.1, 0.01},
	}
	for _, tt := range tests {
		cfg := model.Config{Servers: n, Strategy: tt.strategy, Fanout: 1, Rumor: tt.rumor}
		name := "Table " + tt.table + ": " + cfg.DescribeSync()
		t.Run(name, func(t *testing.T) {
			f := measureEpidemic(t, cfg, seeds)
			for _, x := range []struct {
				what        string
				got         spread
				paper, unit float64
				floor       float64
			}{
				{"residue s", f.residue, tt.residue, tt.residueUnit, 1.0 / (n * seeds)},
				{"traffic m", f.traffic, tt.traffic, tt.trafficUnit, 0},
				{"t_last", f.tLast, tt.tLast, tt.tLastUnit, 0},
			} {
				tol := 4*x.got.sd/math.Sqrt(seeds) + x.unit/2 + x.floor
				if math.Abs(x.got.mean-x.paper) > tol {
					t.Errorf("%s: %.4g ± %.2g over %d seeds; the paper has %g (allowed ± %.2g)", x.what, x.got.mean, x.got.sd, seeds, x.paper, tol)
				}
			}
		})
	}
}

// BenchmarkRumorEpidemic is one seed of the scale target for rumor
// mongering: a single update spreading through 10,000 servers by push
// rumor mongering with feedback and counters, k = 3, as -epidemic runs it.
// Target: 1,000 seeds in under a minute on the two cores of the
// development machine, that is under 120 ms per seed here, where seeds run
// one at a time.
func BenchmarkRumorEpidemic(b *testing.B) {
	cfg := model.Config{Servers: 10_000, Strategy: model.StrategyRumorPush, Fanout: 1, Rumor: model.Rumor{K: 3},
		SyncInterval: time.Second, MaxTime: time.Hour, MaxEvents: 100_000_000, Assignment: model.RoundRobin}
	var events int64
	seed := int64(0)
	for b.Loop() {
		seed++
		cfg.Seed = seed
		c := model.NewCluster(model.EpidemicConfig(cfg))
		spread := model.NewSpread(c)
		c.Engine().Observe(spread)
		r, err := c.Run()
		if err != nil || r.Reason != sim.Done {
			b.Fatalf("seed %d: err %v, stopped by %v", seed, err, r.Reason)
		}
		if e := spread.Result(); e.Residue > 0.05 {
			b.Fatalf("seed %d: residue %v; Demers' k = 3 leaves about 0.011", seed, e.Residue)
		}
		events += r.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
}

// roundStarts is an observer of an epidemic run that checks that every
// message a server sends another carries no more than the sender held
// when its round began: the synchronous rounds the measurement claims
// (see model.EpidemicConfig).
type roundStarts struct {
	t        *testing.T
	name     string
	interval time.Duration
	servers  []*model.Server
	round    []int64 // per server: its round at its last step
	start    []int64 // per server: its value when that round began
	failures int
}

func (o *roundStarts) BeforeStep(t sim.Time, node sim.NodeID) {
	if node < 0 || int(node) >= len(o.servers) {
		return
	}
	// The value before a server's first step of a round is the value it
	// held when the round began: it changes only when it steps.
	if r := int64(t) / int64(o.interval); r != o.round[node] {
		o.round[node], o.start[node] = r, o.servers[node].Value
	}
}

func (o *roundStarts) AfterStep(s *model.Step) {
	if s.Node < 0 || int(s.Node) >= len(o.servers) {
		return
	}
	for _, m := range s.Sends {
		switch m.Msg.Type {
		case model.Sync, model.Pull, model.PushPull, model.PullReply, model.RumorPush, model.RumorPull, model.RumorReply, model.Mail:
			// (A rumor_ack names the rumor it answers, not a value
			// of its sender's.)
			if v := m.Msg.Value; v > o.start[s.Node] && o.failures < 3 {
				o.failures++
				o.t.Errorf("%s: at %v server-%d sent a %s carrying %d to server-%d, but held %d when round %d began",
					o.name, s.Time, s.Node+1, m.Msg.Kind(), v, m.To+1, o.start[s.Node], o.round[s.Node])
			}
		}
	}
}

// TestEpidemicRoundsAreSynchronous: in an epidemic measurement every
// message of a round carries what its sender held when the round began,
// whatever the strategy (a backing anti-entropy in phase with the rounds
// included), so that an update travels at most one hop a round. Before
// the servers answered with the value they held before the instant of
// the question, a push-pull answered just after another that brought the
// update carried it on, two hops in one round.
func TestEpidemicRoundsAreSynchronous(t *testing.T) {
	for _, cfg := range []model.Config{
		{Strategy: model.StrategyPush},
		{Strategy: model.StrategyPull},
		{Strategy: model.StrategyPushPull},
		{Strategy: model.StrategyPushPull, Fanout: 3},
		{Strategy: model.StrategyRing, Fanout: 2},
		{Strategy: model.StrategyRumorPush, Rumor: model.Rumor{K: 2}},
		{Strategy: model.StrategyRumorPull, Rumor: model.Rumor{K: 2}},
		{Strategy: model.StrategyRumorPush, Rumor: model.Rumor{K: 1, AntiEntropy: time.Second}},
		{Strategy: model.StrategyRumorPull, Rumor: model.Rumor{K: 1, Blind: true, AntiEntropy: 2 * time.Second}},
		{Strategy: model.StrategyDirectMail, Rumor: model.Rumor{AntiEntropy: time.Second}},
	} {
		for seed := int64(1); seed <= 3; seed++ {
			cfg.Seed, cfg.Servers, cfg.SyncInterval, cfg.MaxTime, cfg.MaxEvents = seed, 300, time.Second, time.Hour, 10_000_000
			cfg.Fanout = max(cfg.Fanout, 1)
			o := &roundStarts{t: t, name: cfg.DescribeSync(), interval: cfg.SyncInterval,
				round: make([]int64, cfg.Servers), start: make([]int64, cfg.Servers)}
			for i := range o.round {
				o.round[i] = -1
			}
			cfg.WrapServer = func(s *model.Server) model.Replica { o.servers = append(o.servers, s); return s }
			c := model.NewCluster(model.EpidemicConfig(cfg))
			c.Engine().Observe(o)
			if r, err := c.Run(); err != nil || r.Reason != sim.Done {
				t.Fatalf("%s seed %d: stopped by %v, error %v", o.name, seed, r.Reason, err)
			}
		}
	}
}

// synchronousRounds is the model of Demers et al. computed directly,
// independently of the simulator: n servers, server 0 holding the update,
// and rounds in which every server picks one other uniformly at random
// and pushes, pulls or exchanges with it, every exchange of a round
// reading what the servers held when the round began. It returns t_ave and
// t_last as model.Epidemic defines them.
func synchronousRounds(strategy model.Strategy, n int, rng *rand.Rand) (tAve, tLast float64) {
	held := make([]bool, n) // at the start of the round
	got := make([]int, n)   // the round in which a server first held it; 0: not yet
	held[0] = true
	push := strategy == model.StrategyPush || strategy == model.StrategyPushPull
	pull := strategy == model.StrategyPull || strategy == model.StrategyPushPull
	for r, left := 1, n-1; left > 0; r++ {
		for i := range n {
			p := rng.IntN(n - 1)
			if p >= i {
				p++
			}
			if push && held[i] && got[p] == 0 && p != 0 {
				got[p], left = r, left-1
			}
			if pull && held[p] && got[i] == 0 && i != 0 {
				got[i], left = r, left-1
			}
		}
		for i := range n {
			held[i] = i == 0 || got[i] > 0
		}
	}
	sum := 0
	for _, r := range got[1:] {
		sum += r
		tLast = max(tLast, float64(r))
	}
	return float64(sum) / float64(n-1), tLast
}

// TestEpidemicsAgainstSynchronousRounds compares what the simulator
// measures (-epidemic's measurement, seeds 1 to 100 or 30) with the
// synchronous model computed directly (synchronousRounds, 2,000 runs from
// a seeded stream of its own) for pull and push-pull at 100 and 1,000
// servers: the means of t_ave and t_last must agree within four standard
// errors of their difference, and their standard deviations within a
// factor 1.5. Before servers answered with the value they held before the
// instant of the question, push-pull's t_last at 1,000 servers was 8.0
// where the model gives 9.2, and it was 0.9 to 1.1 rounds short at every
// size.
func TestEpidemicsAgainstSynchronousRounds(t *testing.T) {
	const runs = 2000
	for _, tt := range []struct {
		strategy model.Strategy
		n, seeds int
	}{
		{model.StrategyPull, 100, 100},
		{model.StrategyPull, 1000, 30},
		{model.StrategyPushPull, 100, 100},
		{model.StrategyPushPull, 1000, 30},
	} {
		rng := rand.New(rand.NewPCG(uint64(tt.n), 1987))
		var tAve, tLast []float64
		for range runs {
			a, l := synchronousRounds(tt.strategy, tt.n, rng)
			tAve, tLast = append(tAve, a), append(tLast, l)
		}
		sim := measureEpidemic(t, model.Config{Servers: tt.n, Strategy: tt.strategy}, tt.seeds)
		for _, x := range []struct {
			what       string
			got, model spread
		}{{"t_ave", sim.tAve, spreadOf(tAve)}, {"t_last", sim.tLast, spreadOf(tLast)}} {
			tol := 4 * math.Sqrt(x.got.sd*x.got.sd/float64(tt.seeds)+x.model.sd*x.model.sd/runs)
			if math.Abs(x.got.mean-x.model.mean) > tol || x.got.sd > 1.5*x.model.sd || x.model.sd > 1.5*x.got.sd {
				t.Errorf("%s, %d servers: %s %.2f ± %.2f over %d seeds; synchronous rounds give %.2f ± %.2f (means allowed ± %.2f apart)",
					tt.strategy, tt.n, x.what, x.got.mean, x.got.sd, tt.seeds, x.model.mean, x.model.sd, tol)
			}
		}
	}
}

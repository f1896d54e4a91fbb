package model_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// TestMain raises rapid's default of 100 cases: one generated run takes a
// millisecond or so, and rare interleavings need many runs to turn up.
// -rapid.checks on the command line still wins.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set {
		flag.Set("rapid.checks", "1000")
	}
	os.Exit(m.Run())
}

// genScenario generates a small scenario: 1-7 servers, 0-20 clients of 0-50
// requests, set ratios from 0 to 1, any seed, and random latencies and sync
// intervals, including latencies much longer than the interval. Times are
// drawn in microseconds from ranges in milliseconds, so that rapid's bias
// toward small numbers still yields a spread of realistic values.
func genScenario() *rapid.Generator[*scenarios.Scenario] {
	return rapid.Custom(func(t *rapid.T) *scenarios.Scenario {
		// span draws a duration from loUs microseconds to hiMs
		// milliseconds.
		span := func(loUs, hiMs int64, label string) scenarios.Duration {
			us := rapid.Int64Range(loUs, hiMs*1000).Draw(t, label)
			return scenarios.Duration(time.Duration(us) * time.Microsecond)
		}
		sc := scenarios.Default()
		sc.Name = "generated"
		sc.Seed = rapid.Int64().Draw(t, "seed")
		sc.Servers = rapid.IntRange(1, 7).Draw(t, "servers")
		sc.Clients = rapid.IntRange(0, 20).Draw(t, "clients")
		sc.RequestsPerClient = rapid.IntRange(0, 50).Draw(t, "requests")
		// Percent, not a float: rapid draws floats near 0 so often that
		// most runs would have no sets at all.
		sc.SetRatio = float64(rapid.IntRange(0, 100).Draw(t, "set_percent")) / 100
		sc.MaxValue = rapid.Int64Range(1, 2000).Draw(t, "max_value")
		sc.SyncInterval = span(1000, 200, "sync_interval_us")
		sc.Assignment = rapid.SampledFrom([]string{"round_robin", "random"}).Draw(t, "assignment")
		st := rapid.SampledFrom(model.Strategies).Draw(t, "strategy")
		sc.Sync.Strategy = string(st)
		// Broadcast and direct mail reach every other server: they take
		// no fanout, nor rumor mongering's keys.
		if st != model.StrategyBroadcast && st != model.StrategyDirectMail && sc.Servers > 1 {
			sc.Sync.Fanout = rapid.IntRange(1, sc.Servers-1).Draw(t, "fanout")
		}
		if st.IsRumor() {
			sc.Sync.K = rapid.IntRange(1, 5).Draw(t, "k")
			sc.Sync.Feedback = rapid.Bool().Draw(t, "feedback")
			sc.Sync.Coin = rapid.Bool().Draw(t, "coin")
		}
		if st.Backable() && rapid.Bool().Draw(t, "backed_by_anti_entropy") {
			sc.Sync.AntiEntropy = span(1000, 500, "anti_entropy_us")
		}
		sc.Latency.Distribution = rapid.SampledFrom([]string{"fixed", "uniform", "exponential"}).Draw(t, "distribution")
		switch sc.Latency.Distribution {
		case "fixed":
			sc.Latency.Fixed = span(1, 50, "fixed_us")
		case "uniform":
			sc.Latency.Min = span(1, 50, "min_us")
			sc.Latency.Max = sc.Latency.Min + span(1, 100, "spread_us")
		case "exponential":
			sc.Latency.Floor = span(1, 20, "floor_us")
			sc.Latency.Mean = span(1, 50, "mean_us")
		}
		// Correct runs end within seconds of virtual time (50 requests of
		// at most a few hundred ms each); a broken server may never
		// converge, and must then fail fast rather than run for an hour.
		sc.MaxTime = scenarios.Duration(60 * time.Second)
		sc.MaxEvents = 5_000_000
		// What a user would replay must be what ran: the scenario must
		// survive its own TOML and validation unchanged.
		back, err := scenarios.Parse(sc.Name, sc.TOML())
		if err != nil {
			t.Fatalf("generated an invalid scenario: %v", err)
		}
		return back
	})
}

// convergenceBound is the latest time by which every server must hold the
// final value, with broadcast or ring and no faults: the last accepted
// set, plus hops times one sync interval and the largest latency of the
// run, where hops is 1 for broadcast and ceil((servers-1)/fanout) for a
// ring.
//
// Proof. Values only come from sets, and servers only take larger values,
// so the final value M is the value of some accepted set, taken by some
// server s at a time T <= the last accepted set. s holds M from T on. Its
// sync timer fires every interval, so it next fires at some F with T <= F
// <= T + interval (a timer due at T itself may run before the set, by
// sequence number; the next one is then T + interval). At F, s sends its
// value, M, to every other server (broadcast) or to the fanout k servers
// after it (ring); each copy arrives by F + (largest latency), and the
// receiver takes M, as nothing is larger. With broadcast that is every
// server. On a ring, by induction: if every server within jk places after
// s holds M by T + j(interval + largest latency), then each of them sends
// M on at its next timer, within an interval, and it reaches the k
// servers after it within the largest latency: every server within
// (j+1)k places holds M by T + (j+1)(interval + largest latency). The
// farthest server is servers-1 places after s. Values never change once
// every server holds M. So the servers converge no later than T + hops
// (interval + largest latency).
func convergenceBound(r *model.Report, cfg *model.Config) sim.Time {
	hops := 1
	if cfg.Strategy == model.StrategyRing {
		k := max(min(cfg.Fanout, cfg.Servers-1), 1)
		hops = (cfg.Servers - 1 + k - 1) / k
	}
	return r.LastAcceptedSet.Add(time.Duration(hops) * (cfg.SyncInterval + r.MaxLatency))
}

// mailBound is the latest time by which every server must hold the final
// value under direct mail without faults (no loss, partitions or crashes),
// with or without a backing anti-entropy: the last accepted set plus the
// largest latency of the run. There is no round to wait for.
//
// Proof. If no set was accepted, every server holds 0 throughout. Else,
// values only come from sets, and servers only take larger values, so the
// final value M is the value of some accepted set, taken by some server s
// at a time T <= the last accepted set. In the same step s mails M to
// every other server. No mail is lost and no server crashes, so each mail
// arrives by T + (largest latency), and the receiver takes M, as nothing
// is larger (a duplicate arrives within the largest latency too, and
// changes nothing). So every server holds M by T + (largest latency), and
// values never change once every server holds M: an exchange of the
// anti-entropy carries a value some server held, at most M. The run
// cannot stop before: without anti-entropy it waits for every mail to
// arrive, with it for every server to hold the largest value. So the
// servers converge, on M, no later than T + largest latency.
func mailBound(r *model.Report) sim.Time {
	return r.LastAcceptedSet.Add(r.MaxLatency)
}

// checkMailBound checks the promise of mailBound for a run of direct mail
// without faults; any other run passes.
func checkMailBound(cfg *model.Config, r *model.Report) error {
	if cfg.Strategy != model.StrategyDirectMail || !faultless(cfg) {
		return nil
	}
	switch {
	case !r.Converged || r.Residue != 0:
		return fmt.Errorf("direct mail without faults did not converge: values %v, residue %d", r.Values, r.Residue)
	case r.ConvergedAt > mailBound(r):
		return fmt.Errorf("converged at %v, later than the bound %v (last accepted set %v + largest latency %v)",
			r.ConvergedAt, mailBound(r), r.LastAcceptedSet, r.MaxLatency)
	}
	return nil
}

// faultless reports whether a run can lose no message and no value: no
// loss, partitions or crashes (duplicates delay nothing).
func faultless(cfg *model.Config) bool {
	return len(cfg.Faults.Partitions)+len(cfg.Faults.Crashes) == 0 && cfg.Faults.Loss == 0
}

// checkRun runs a scenario, with its servers the catalogue's variant
// named variant ("": the scenario's own), and returns what is wrong with
// the run, or nil.
func checkRun(sc *scenarios.Scenario, variant string) error {
	cfg := sc.Config()
	if variant != "" {
		cfg.Variant = variant
	}
	v, ok := model.LookupVariant(cfg.Variant)
	if !ok {
		return fmt.Errorf("no server variant %q", cfg.Variant)
	}
	var servers []model.Replica
	cfg.WrapServer = func(s *model.Server) model.Replica {
		r := v.Wrap(s)
		servers = append(servers, r)
		return r
	}
	r, err := model.NewCluster(cfg).Run()
	if err == nil && r.Reason == sim.Done && cfg.Strategy.Backable() && cfg.Rumor.AntiEntropy == 0 {
		if err := checkResidue(&r, servers); err != nil {
			return err
		}
		return checkMailBound(&cfg, &r)
	}
	switch {
	case err != nil:
		return err
	case r.Reason != sim.Done:
		return fmt.Errorf("run did not finish: stopped by %v at %v after %d events", r.Reason, r.Now, r.Events)
	case !r.Passed():
		for _, c := range r.Checks {
			if !c.Passed() {
				return fmt.Errorf("check %s failed %d times; first %s", c.Name, c.Violations, c.First)
			}
		}
	case faultless(&cfg) && (cfg.Strategy == model.StrategyBroadcast || cfg.Strategy == model.StrategyRing) &&
		r.ConvergedAt > convergenceBound(&r, &cfg):
		// With faults, the liveness check measures from the end of the
		// faults instead, and the random strategies have a bound of
		// their own (r.Passed covers both).
		return fmt.Errorf("converged at %v, later than the bound %v (last accepted set %v + hops of sync interval %v + largest latency %v)",
			r.ConvergedAt, convergenceBound(&r, &cfg), r.LastAcceptedSet, cfg.SyncInterval, r.MaxLatency)
	}
	return checkMailBound(&cfg, &r)
}

// checkResidue checks how a run of rumor mongering or direct mail alone
// (without a backing anti-entropy) ended, which may leave servers without
// the largest value: no server is infective (or holds a value it has yet
// to mail) any more, the residue counts exactly the servers below the
// largest final value, and a residue is reported as an anomaly naming it,
// not as a failure.
func checkResidue(r *model.Report, servers []model.Replica) error {
	if !r.Passed() {
		for _, c := range r.Checks {
			if !c.Passed() {
				return fmt.Errorf("check %s failed %d times; first %s", c.Name, c.Violations, c.First)
			}
		}
	}
	top, below := int64(0), 0
	for i, s := range servers {
		if s.Infective() {
			return fmt.Errorf("the run ended with server-%d still infective", i+1)
		}
		top = max(top, s.Counter())
	}
	for _, s := range servers {
		if s.Counter() < top {
			below++
		}
	}
	reported := false
	for _, a := range r.Anomalies {
		reported = reported || a.Check == "converged-to-max" && strings.HasPrefix(a.What[strings.Index(a.What, ": ")+2:], "residue: ")
	}
	switch {
	case r.Residue != below:
		return fmt.Errorf("residue %d reported, but %d servers end below %d", r.Residue, below, top)
	case below > 0 && !reported:
		return fmt.Errorf("%d servers end below %d, but no anomaly reports the residue: %v", below, top, r.Anomalies)
	case below == 0 && reported:
		return fmt.Errorf("a residue is reported, but every server holds %d", top)
	case below == 0 && !r.Converged:
		return fmt.Errorf("every server holds %d, but the report says they did not converge", top)
	}
	return nil
}

// replayFile writes the scenario where it outlives the test and returns the
// command that replays it.
func replayFile(sc *scenarios.Scenario) string {
	dir, err := os.MkdirTemp("", "eccounter-failure-")
	if err != nil {
		return "(could not write the scenario: " + err.Error() + ")"
	}
	path := filepath.Join(dir, "scenario.toml")
	if err := os.WriteFile(path, sc.TOML(), 0o644); err != nil {
		return "(could not write the scenario: " + err.Error() + ")"
	}
	// The temporary directory is the user's choice ($TMPDIR), and may
	// hold a space.
	return fmt.Sprintf("go run ./cmd/eccounter-sim -seed %d %s", sc.Seed, scenarios.ShellQuote(path))
}

// property is the protocol's promise, as a rapid property over scenarios
// from gen, with servers the catalogue's variant named variant ("": the
// real ones). A failure names the broken check and the command that
// replays the shrunk case, broken server and all.
func property(gen *rapid.Generator[*scenarios.Scenario], variant string) func(*rapid.T) {
	return func(t *rapid.T) {
		sc := gen.Draw(t, "scenario")
		if variant != "" {
			sc.Server.Variant = variant
		}
		if err := checkRun(sc, ""); err != nil {
			t.Fatalf("%v\nreplay: %s", err, replayFile(sc))
		}
	}
}

// TestConvergence is the protocol's promise: whatever the sizes, latencies,
// sync interval, strategy and seed, every run terminates, every check
// passes, and the servers converge to the global maximum within the bounds
// above (or, for rumor mongering alone, the run ends when no server is
// infective and reports its residue exactly; direct mail, which loses
// nothing without faults, converges within mailBound with or without
// anti-entropy).
func TestConvergence(t *testing.T) {
	rapid.Check(t, property(genScenario(), ""))
}

// requireFailure runs a property that must fail, as it must against a
// broken server, and checks that the failure says how to replay it.
func requireFailure(t *testing.T, prop func(*rapid.T), what string) {
	t.Helper()
	// rapid would save the expected failure under testdata/rapid.
	flag.Set("rapid.nofailfile", "true")
	defer flag.Set("rapid.nofailfile", "false")
	rec := &failureRecorder{TB: t}
	rapid.Check(rec, prop)
	if !rec.failed {
		t.Fatalf("the property passed with %s", what)
	}
	if !strings.Contains(rec.msg, "replay: go run ./cmd/eccounter-sim -seed ") {
		t.Errorf("the failure does not say how to replay it:\n%s", rec.msg)
	}
	t.Logf("as expected, the property failed:\n%s", rec.msg)
}

// TestPropertyCatchesBrokenServer shows the property test has teeth: run
// against a server that replaces its value on sync instead of taking the
// maximum (the variant replace), the same property must fail, and report
// a replay command.
func TestPropertyCatchesBrokenServer(t *testing.T) {
	requireFailure(t, property(genScenario(), "replace"),
		"a server that loses values on sync")
}

// TestPropertyCatchesSilentMailer shows the direct-mail bound has teeth:
// with servers that never mail (the variant silent-mailer), the runs of direct mail without faults
// pass every check of the report (a residue is what direct mail alone may
// leave; anti-entropy converges within the liveness bound), yet the
// property fails.
func TestPropertyCatchesSilentMailer(t *testing.T) {
	requireFailure(t, property(genScenario(), "silent-mailer"),
		"direct-mail servers that never mail")
}

// failureRecorder lets a test run rapid.Check and look at its verdict,
// instead of failing: it records the failure rapid reports.
type failureRecorder struct {
	rapid.TB
	failed bool
	msg    string
}

func (r *failureRecorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg += fmt.Sprintf(format, args...)
}
func (r *failureRecorder) Errorf(format string, args ...any) { r.Fatalf(format, args...) }
func (r *failureRecorder) Fatal(args ...any)                 { r.Fatalf("%s", fmt.Sprint(args...)) }
func (r *failureRecorder) Error(args ...any)                 { r.Fatal(args...) }
func (r *failureRecorder) FailNow()                          { r.failed = true }
func (r *failureRecorder) Fail()                             { r.failed = true }
func (r *failureRecorder) Failed() bool                      { return r.failed }

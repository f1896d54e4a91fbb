package model_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// flightRecorder follows every message by its ID, independently of the
// checker's own count: which are still in the network, and which servers
// are down. At the end of a run it can say what could still change a
// server's value.
type flightRecorder struct {
	servers int
	copies  map[sim.MsgID]int // copies still in the network
	sent    map[sim.MsgID]sim.Sent[model.Msg]
	down    map[sim.NodeID]bool
	faults  bool // the safety phase is still on
}

func newFlightRecorder(servers int, faults bool) *flightRecorder {
	return &flightRecorder{servers: servers, copies: map[sim.MsgID]int{},
		sent: map[sim.MsgID]sim.Sent[model.Msg]{}, down: map[sim.NodeID]bool{}, faults: faults}
}

func (f *flightRecorder) BeforeStep(sim.Time, sim.NodeID) {}

func (f *flightRecorder) AfterStep(s *model.Step) {
	switch s.In.Kind {
	case sim.Deliver, sim.Drop:
		if f.copies[s.In.ID]--; f.copies[s.In.ID] == 0 {
			delete(f.copies, s.In.ID)
			delete(f.sent, s.In.ID)
		}
	case sim.CrashKind:
		f.down[s.Node] = true
	case sim.Recover:
		delete(f.down, s.Node)
	case sim.FaultsEnd:
		f.faults = false
	}
	for _, m := range s.Sends {
		f.sent[m.ID] = m
		f.copies[m.ID] = 1
		if m.Duplicated {
			f.copies[m.ID] = 2
		}
	}
}

// pending says what, at the end of a run, could still change a server's
// value: a crash still to come or a server still down, or a message in
// flight carrying a value larger than its receiving server holds (any
// message but the ones that carry no value or only name one: a get, a
// pull, a rumor's ack, and a rumor pull, whose value the pulled server
// only compares). "" if nothing can.
func (f *flightRecorder) pending(r *model.Report, crashes int) string {
	if f.faults && crashes > 0 {
		return "the faults were not over, and a crash could still come"
	}
	for id := range f.down {
		return fmt.Sprintf("server-%d was down", id+1)
	}
	for _, m := range f.sent {
		switch m.Msg.Type {
		case model.Get, model.Pull, model.RumorAck, model.RumorPull:
			continue
		}
		if int(m.To) < f.servers && m.Msg.Value > r.Values[m.To] {
			return fmt.Sprintf("%s %d to server-%d (holding %d) was still in flight, due at %v",
				m.Msg.Kind(), m.Msg.Value, m.To+1, r.Values[m.To], m.Arrive)
		}
	}
	return ""
}

// checkStop runs a scenario and reports an error if it stopped as done
// while something could still change a server's value.
func checkStop(sc *scenarios.Scenario) error {
	cfg := sc.Config()
	c := model.NewCluster(cfg)
	f := newFlightRecorder(cfg.Servers, len(cfg.Faults.Partitions)+len(cfg.Faults.Crashes) > 0 || cfg.Faults.Loss > 0 || cfg.Faults.Duplicate > 0)
	c.Engine().Observe(f)
	r, err := c.Run()
	if err != nil {
		return err
	}
	if r.Reason != sim.Done {
		return nil
	}
	if why := f.pending(&r, len(cfg.Faults.Crashes)); why != "" {
		return fmt.Errorf("the run stopped as done at %v, yet %s", r.Now, why)
	}
	return nil
}

// TestStopWaitsForValueInFlight is the run that once stopped too soon:
// server-1 crashes without durable storage just after sending its 545 to
// server-2, and restarts when the faults end, at 0. Both servers then hold
// 0, but the sync of 545 is still on its way; the run must wait for it,
// and end with 545 everywhere rather than report it lost.
func TestStopWaitsForValueInFlight(t *testing.T) {
	sc := mustParse(t, "stop.toml", `
servers = 2
clients = 2
requests_per_client = 1
set_ratio = 1.0
sync_interval = "25ms"
request_timeout = "35ms"

[latency]
distribution = "fixed"
fixed = "15ms"

[[partition]]
at = "0ms"
groups = [["client-2"]]

[[crash]]
node = "server-1"
at = "26ms"
durable = false
`)
	if err := checkStop(sc); err != nil {
		t.Fatal(err)
	}
	r, err := model.NewCluster(sc.Config()).Run()
	if err != nil {
		t.Fatal(err)
	}
	if !r.Converged || r.Value != 545 || len(r.Anomalies) != 0 {
		t.Errorf("stopped at %v with values %v and anomalies %v; want both servers on 545 and no value lost", r.Now, r.Values, r.Anomalies)
	}
}

// genEndOfFaults generates runs whose crashes fall around the end of the
// faults, where a run is most tempted to stop early: one or two crashes,
// mostly without durable storage, shortly before faults_until, restarting
// when the faults end or a little before or after; a partition that may
// cut a client off, so that its set times out and is still on its way; and
// sync intervals short beside the latency, so that values are in flight
// when the faults end.
func genEndOfFaults() *rapid.Generator[*scenarios.Scenario] {
	return rapid.Custom(func(t *rapid.T) *scenarios.Scenario {
		ms := func(lo, hi int64, label string) scenarios.Duration {
			return scenarios.Duration(time.Duration(rapid.Int64Range(lo, hi).Draw(t, label)) * time.Millisecond)
		}
		sc := scenarios.Default()
		sc.Name = "generated"
		sc.Seed = rapid.Int64().Draw(t, "seed")
		sc.Servers = rapid.IntRange(2, 4).Draw(t, "servers")
		sc.Clients = rapid.IntRange(1, 4).Draw(t, "clients")
		sc.RequestsPerClient = rapid.IntRange(1, 4).Draw(t, "requests")
		sc.SetRatio = float64(rapid.IntRange(50, 100).Draw(t, "set_percent")) / 100
		sc.SyncInterval = ms(1, 40, "sync_interval_ms")
		sc.RequestTimeout = ms(1, 60, "request_timeout_ms")
		st := rapid.SampledFrom(model.Strategies).Draw(t, "strategy")
		sc.Sync.Strategy = string(st)
		if st != model.StrategyBroadcast && st != model.StrategyDirectMail {
			sc.Sync.Fanout = rapid.IntRange(1, sc.Servers-1).Draw(t, "fanout")
		}
		if st.Backable() {
			sc.Sync.AntiEntropy = ms(1, 40, "anti_entropy_ms")
		}
		sc.Latency.Distribution = "fixed"
		sc.Latency.Fixed = ms(1, 40, "latency_ms")
		sc.FaultsUntil = ms(10, 200, "faults_until_ms")
		until := time.Duration(sc.FaultsUntil)
		if rapid.Bool().Draw(t, "partition") {
			c := rapid.IntRange(1, sc.Clients).Draw(t, "cut_off_client")
			sc.Partitions = append(sc.Partitions, scenarios.Partition{Groups: [][]string{{fmt.Sprintf("client-%d", c)}}})
		}
		crashed := map[int]bool{}
		for i := range rapid.IntRange(1, 2).Draw(t, "crashes") {
			s := rapid.IntRange(1, sc.Servers).Draw(t, fmt.Sprintf("crash%d_server", i))
			if crashed[s] {
				continue
			}
			crashed[s] = true
			before := time.Duration(rapid.Int64Range(0, 30).Draw(t, fmt.Sprintf("crash%d_before_end_ms", i))) * time.Millisecond
			c := scenarios.Crash{Node: fmt.Sprintf("server-%d", s), At: scenarios.Duration(max(until-before, 0)),
				Durable: rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("crash%d_durable", i)) == 0}
			if rapid.Bool().Draw(t, fmt.Sprintf("crash%d_restarts_itself", i)) {
				c.Restart = c.At + ms(1, 40, fmt.Sprintf("crash%d_down_ms", i))
			}
			sc.Crashes = append(sc.Crashes, c)
		}
		sc.MaxTime = scenarios.Duration(60 * time.Second)
		back, err := scenarios.Parse(sc.Name, sc.TOML())
		if err != nil {
			t.Fatalf("generated an invalid scenario: %v\n%s", err, sc.TOML())
		}
		return back
	})
}

// TestStopRuleAroundEndOfFaults: a run that stops as done leaves nothing
// that could change a server's value, judged by an observer that follows
// every message on its own; and every such run still passes its checks.
func TestStopRuleAroundEndOfFaults(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := genEndOfFaults().Draw(t, "scenario")
		if err := checkStop(sc); err != nil {
			t.Fatalf("%v\nreplay: %s", err, replayFile(sc))
		}
		if err := checkRun(sc, ""); err != nil {
			t.Fatalf("%v\nreplay: %s", err, replayFile(sc))
		}
	})
}

// TestLivenessWhenTheValueIsOnlyInFlight: server-3 syncs 802 at 65ms, and
// both servers that could hold it restart without durable storage when
// the faults end at 82ms; the syncs carrying 802 arrive at 98ms, 16ms
// after the healing, and the value takes a sync interval and a latency
// from there. The liveness bound counts from when the value can be held
// again, the healing plus the largest latency, not from the healing.
func TestLivenessWhenTheValueIsOnlyInFlight(t *testing.T) {
	sc := mustParse(t, "in-flight.toml", `
seed = -1746691
servers = 3
clients = 3
requests_per_client = 3
set_ratio = 0.57
sync_interval = "13ms"
request_timeout = "20ms"
faults_until = "82ms"

[latency]
distribution = "fixed"
fixed = "33ms"

[[crash]]
node = "server-3"
at = "82ms"
restart = "106ms"
durable = false

[[crash]]
node = "server-2"
at = "82ms"
durable = false
`)
	r, err := model.NewCluster(sc.Config()).Run()
	if err != nil {
		t.Fatal(err)
	}
	if !r.Converged || r.Value != 802 || r.ConvergedAt.Sub(r.HealedAt) <= 46*time.Millisecond {
		t.Fatalf("converged %t on %d at %v, healed at %v: the case no longer takes more than a sync interval and a latency after the healing",
			r.Converged, r.Value, r.ConvergedAt, r.HealedAt)
	}
	if c, _ := r.Check("liveness"); c.Status() != model.StatusPass {
		t.Errorf("liveness: %s %s", c.Status().Word(), c.First)
	}
}

// mustParse parses a scenario written in a test.
func mustParse(t *testing.T, name, src string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

package model_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// Servers that get a restart wrong, each in its own way.
type (
	// keepingServer restarts without durable storage but keeps its
	// value, as if the crash had written it to disk.
	keepingServer struct{ *model.Server }
	// halfWipedServer restarts without durable storage at 1 instead
	// of 0.
	halfWipedServer struct{ *model.Server }
	// forgettingServer loses its value in a restart with durable
	// storage.
	forgettingServer struct{ *model.Server }
	// growingServer comes back from a restart with durable storage one
	// larger than it went down.
	growingServer struct{ *model.Server }
	// peakServer's counter never reads below the largest value the
	// server held, even after a restart wiped it.
	peakServer struct {
		*model.Server
		peak *int64
	}
)

func (s keepingServer) Step(env *model.Env, in model.Input) {
	in.Durable = true
	s.Server.Step(env, in)
}

func (s halfWipedServer) Step(env *model.Env, in model.Input) {
	s.Server.Step(env, in)
	if in.Kind == sim.Recover && !in.Durable {
		s.Value = 1
	}
}

func (s forgettingServer) Step(env *model.Env, in model.Input) {
	in.Durable = false
	s.Server.Step(env, in)
}

func (s growingServer) Step(env *model.Env, in model.Input) {
	s.Server.Step(env, in)
	if in.Kind == sim.Recover && in.Durable {
		s.Value++
	}
}

func (s peakServer) Step(env *model.Env, in model.Input) {
	s.Server.Step(env, in)
	*s.peak = max(*s.peak, s.Value)
}

func (s peakServer) Counter() int64 { return *s.peak }

// TestRestartsAreChecked: values-never-decrease knows what a restart must
// leave, exactly: 0 after one without durable storage, the value held
// after one with it. In crash.toml server-1 restarts with durable storage
// and server-2 without, both holding a value; each server above gets one
// of the two wrong, and fails the check where the real one passes.
func TestRestartsAreChecked(t *testing.T) {
	tests := []struct {
		name   string
		server func(*model.Server) model.Replica
		first  string
	}{
		{"keeps its value without durable storage",
			func(s *model.Server) model.Replica { return keepingServer{s} }, "server-2 restarted without durable storage at "},
		{"restarts at 1 without durable storage",
			func(s *model.Server) model.Replica { return halfWipedServer{s} }, "server-2 restarted without durable storage at 1, not 0"},
		{"counter not 0 after a restart without durable storage",
			func(s *model.Server) model.Replica { return peakServer{s, new(int64)} }, "server-2 restarted without durable storage at "},
		{"loses its value with durable storage",
			func(s *model.Server) model.Replica { return forgettingServer{s} }, "server-1 restarted from durable storage at 0, having held "},
		{"gains with durable storage",
			func(s *model.Server) model.Replica { return growingServer{s} }, "server-1 restarted from durable storage at "},
	}
	sc, err := scenarios.Load("../scenarios/crash.toml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := model.NewCluster(sc.Config()).Run()
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := r.Check("values-never-decrease"); c.Status() != model.StatusPass {
		t.Fatalf("the real servers fail values-never-decrease: %s", c.First)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := sc.Config()
			cfg.WrapServer = tt.server
			r, err := model.NewCluster(cfg).Run()
			if err != nil {
				t.Fatal(err)
			}
			c, _ := r.Check("values-never-decrease")
			if c.Passed() {
				t.Fatalf("values-never-decrease passed")
			}
			if !strings.Contains(c.First, tt.first) {
				t.Errorf("first violation %q does not mention %q", c.First, tt.first)
			}
		})
	}
}

// lazyServer syncs only every other round: it skips the first sync timer,
// the third, and so on, re-arming it each time. Every other step is the
// real server's.
type lazyServer struct {
	*model.Server
	rounds *int
}

func (s lazyServer) Step(env *model.Env, in model.Input) {
	if in.Kind == sim.Timer && in.Timer == model.SyncTimer {
		*s.rounds++
		if *s.rounds%2 == 1 {
			env.After(s.SyncInterval, model.SyncTimer)
			return
		}
	}
	s.Server.Step(env, in)
}

// TestLazyServerMissesTheBound: the default liveness bound of broadcast
// (one interval and the largest latency) and of a ring (hops times that)
// are tight enough that a server syncing every other round misses them.
// server-1 holds a value from the start and there are no clients, so the
// bound counts from 0: the real servers spread the value in the first
// round (the ring's in one round a hop), the lazy ones one round late.
func TestLazyServerMissesTheBound(t *testing.T) {
	for _, src := range []string{
		"servers = 4\n[sync]\nstrategy = \"broadcast\"\n",
		"servers = 4\n[sync]\nstrategy = \"ring\"\nfanout = 1\n",
		"servers = 5\n[sync]\nstrategy = \"ring\"\nfanout = 2\n",
	} {
		sc := mustParse(t, "lazy.toml", "clients = 0\n"+src)
		cfg := sc.Config()
		cfg.Inject = 7
		r, err := model.NewCluster(cfg).Run()
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := r.Check("liveness"); c.Status() != model.StatusPass || !r.Converged || r.Value != 7 {
			t.Fatalf("%s: the real servers: liveness %s %s, converged %t on %d", src, c.Status().Word(), c.First, r.Converged, r.Value)
		}
		cfg.WrapServer = func(s *model.Server) model.Replica { return lazyServer{s, new(int)} }
		r, err = model.NewCluster(cfg).Run()
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := r.Check("liveness"); c.Status() != model.StatusFail || !strings.Contains(c.First, "later than the bound") {
			t.Errorf("%s: lazy servers: liveness %s %q, want a failure", src, c.Status().Word(), c.First)
		}
		if !r.Converged || r.Value != 7 {
			t.Errorf("%s: lazy servers converged %t on %d, want on 7", src, r.Converged, r.Value)
		}
	}
}

// TestDefaultLivenessBounds pins the default bound of every strategy, read
// from a report as its deadline less the time it counts from (the last
// accepted set, in a run without faults). Sync interval 100ms, fixed
// latency 10ms, anti_entropy 300ms where set; 2*ceil(log2 n)+20 rounds is
// 26 for 5 to 8 servers and 28 for 9 to 16.
func TestDefaultLivenessBounds(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		servers int
		sync    string
		want    time.Duration
	}{
		// A lone server holds the final value as soon as it takes it,
		// whatever the strategy: the broadcast bound.
		{1, `strategy = "broadcast"`, 110 * ms},
		{1, `strategy = "push"`, 110 * ms},
		{1, `strategy = "ring"`, 110 * ms},
		{5, `strategy = "broadcast"`, 110 * ms},
		{5, "strategy = \"ring\"\nfanout = 1", 4 * 110 * ms},
		{5, "strategy = \"ring\"\nfanout = 2", 2 * 110 * ms},
		{6, "strategy = \"ring\"\nfanout = 2", 3 * 110 * ms},
		{5, "strategy = \"push\"\nfanout = 1", 26*100*ms + 20*ms},
		{8, "strategy = \"push\"\nfanout = 1", 26*100*ms + 20*ms},
		{9, "strategy = \"push\"\nfanout = 1", 28*100*ms + 20*ms},
		{9, "strategy = \"pull\"\nfanout = 2", 28*100*ms + 20*ms},
		{9, "strategy = \"push-pull\"\nfanout = 1", 28*100*ms + 20*ms},
		{2, "strategy = \"push-pull\"\nfanout = 1", 22*100*ms + 20*ms},
		// Rumor mongering counts rounds of its backing anti-entropy
		// when they are longer than the sync interval, and of the
		// interval when they are shorter.
		{5, "strategy = \"rumor-push\"\nfanout = 1\nk = 2\nanti_entropy = \"300ms\"", 26*300*ms + 20*ms},
		{5, "strategy = \"rumor-pull\"\nfanout = 1\nk = 2\nanti_entropy = \"50ms\"", 26*100*ms + 20*ms},
		{5, `strategy = "direct-mail"`, 10 * ms},
		{5, "strategy = \"direct-mail\"\nanti_entropy = \"300ms\"", 26*300*ms + 20*ms},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%d servers, %s", tt.servers, strings.ReplaceAll(tt.sync, "\n", ", "))
		t.Run(name, func(t *testing.T) {
			sc := mustParse(t, "bound.toml", fmt.Sprintf(`
servers = %d
clients = 3
requests_per_client = 10
[latency]
distribution = "fixed"
fixed = "10ms"
[sync]
%s
`, tt.servers, tt.sync))
			r, err := model.NewCluster(sc.Config()).Run()
			if err != nil {
				t.Fatal(err)
			}
			if c, _ := r.Check("liveness"); c.Status() != model.StatusPass {
				t.Fatalf("liveness %s: %s", c.Status().Word(), c.First)
			}
			if r.AcceptedSets == 0 || r.MaxLatency != 10*ms {
				t.Fatalf("%d accepted sets, largest latency %v: the case no longer tests the bound", r.AcceptedSets, r.MaxLatency)
			}
			if got := r.LivenessDeadline.Sub(r.LastAcceptedSet); got != tt.want {
				t.Errorf("bound %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLoneServerWithInjectedRumor: a lone server holding an injected value
// has nobody to tell, so it is not infective, and the run ends by itself
// at once (with clients, when they finish), converged on the value, every
// check passing, and an epidemic measurement of it finds no residue.
func TestLoneServerWithInjectedRumor(t *testing.T) {
	for _, sync := range []string{
		"strategy = \"rumor-push\"",
		"strategy = \"rumor-pull\"\nfeedback = false\ncoin = true",
		"strategy = \"rumor-push\"\nanti_entropy = \"1s\"",
		"strategy = \"direct-mail\"",
	} {
		for _, clients := range []int{0, 2} {
			name := fmt.Sprintf("%s, %d clients", strings.ReplaceAll(sync, "\n", ", "), clients)
			sc := mustParse(t, "lone.toml", fmt.Sprintf("servers = 1\nclients = %d\nrequests_per_client = 5\nmax_time = \"1m\"\n[sync]\n%s\n", clients, sync))
			cfg := sc.Config()
			cfg.Inject = 5
			c := model.NewCluster(cfg)
			spread := model.NewSpread(c)
			c.Engine().Observe(spread)
			r, err := c.Run()
			if err != nil {
				t.Fatal(err)
			}
			want := max(int64(5), r.MaxSet)
			if r.Reason != sim.Done || !r.Converged || r.Value != want || !r.Passed() {
				t.Errorf("%s: stopped %v at %v, converged %t on %d (want %d), passed %t", name, r.Reason, r.Now, r.Converged, r.Value, want, r.Passed())
			}
			if clients == 0 && r.Now != 0 {
				t.Errorf("%s: stopped at %v, want at 0: nothing can change the value", name, r.Now)
			}
			if e := spread.Result(); e.Residue != 0 || e.TLast != 0 || len(e.Holding) != 1 || e.Holding[0] != 1 {
				t.Errorf("%s: epidemic %+v, want no residue and server-1 alone in round 0", name, e)
			}
		}
	}
}

// TestEverySetRejected: with max_value 1 every set is of 0, which no
// server takes. The summary says that none was accepted, with no time of
// a last one; the JSON summary has last_accepted_set null and max_set 0;
// the liveness bound counts from the start.
func TestEverySetRejected(t *testing.T) {
	sc := mustParse(t, "rejected.toml", "servers = 2\nclients = 2\nrequests_per_client = 5\nset_ratio = 1.0\nmax_value = 1\n")
	c := model.NewCluster(sc.Config())
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	if !r.HasSet || r.MaxSet != 0 || r.AcceptedSets != 0 || r.LastAcceptedSet != 0 || !r.Passed() {
		t.Fatalf("sets received %t, largest %d, %d accepted, the last at %v, passed %t; want 0 received, none accepted, a pass",
			r.HasSet, r.MaxSet, r.AcceptedSets, r.LastAcceptedSet, r.Passed())
	}
	var text strings.Builder
	r.WriteText(&text, c)
	for _, want := range []string{"\nsets:         none accepted; largest received 0\n", "\nconverged:    yes, on 0 (no set was ever accepted)\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, &text)
		}
	}
	if strings.Contains(text.String(), "the last at") {
		t.Errorf("the summary gives the time of a last accepted set:\n%s", &text)
	}
	js := string(r.AppendJSON(nil))
	for _, want := range []string{`"max_set":0,"accepted_sets":0,"last_accepted_set":null,`, `"converged":true,"value":0,`} {
		if !strings.Contains(js, want) {
			t.Errorf("the JSON summary lacks %s:\n%s", want, js)
		}
	}
	if want := sim.Time(0).Add(sc.Config().SyncInterval + r.MaxLatency); r.LivenessDeadline != want {
		t.Errorf("liveness deadline %v, want %v: the bound from the start", r.LivenessDeadline, want)
	}
}

// boastingServer answers the first get after a restart with 7, whatever
// it holds.
type boastingServer struct {
	*model.Server
	restarted *bool
}

func (s boastingServer) Step(env *model.Env, in model.Input) {
	if in.Kind == sim.Recover {
		*s.restarted = true
	}
	if in.Kind == sim.Deliver && in.Msg.Type == model.Get && *s.restarted {
		*s.restarted = false
		env.Send(in.From, model.Msg{Type: model.GetReply, Value: 7, Req: in.Msg.Req})
		return
	}
	s.Server.Step(env, in)
}

// TestReadBackAfterAWipeAtTheInvocation: a read may go back without a
// failure only if its server lost its value after the client asked for
// the read before; a wipe at the very instant it asked is before the
// server answered, so it explains nothing. Here the lone server restarts
// without durable storage at 21ms, when the client's third get, sent on
// the timeout of the second (dropped: the server was down), leaves; the
// boasting server answers it with 7 and the next get with 0.
func TestReadBackAfterAWipeAtTheInvocation(t *testing.T) {
	sc := mustParse(t, "boast.toml", `
servers = 1
clients = 1
requests_per_client = 5
set_ratio = 0.0
request_timeout = "11ms"
[latency]
distribution = "fixed"
fixed = "5ms"
[[crash]]
node = "server-1"
at = "12ms"
restart = "21ms"
`)
	cfg := sc.Config()
	cfg.WrapServer = func(s *model.Server) model.Replica { return boastingServer{s, new(bool)} }
	r, err := model.NewCluster(cfg).Run()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := r.Check("monotonic-reads")
	if c.Status() != model.StatusFail || !strings.Contains(c.First, "client-1 read 0 after reading 7 at 31.000ms") {
		t.Errorf("monotonic-reads %s, first %q, anomalies %v: want a failure, the read after the one asked at 21ms going back", c.Status().Word(), c.First, r.AnomaliesOf("monotonic-reads"))
	}
}

// TestLivenessCutOffWhileFaultsGoOn: a run stopped by max_time while the
// faults could still happen is judged from when it stopped: the faults
// were there to delay convergence. Here a partition keeps the servers
// apart for the first second, and the faults go on until 10s, past
// max_time: the servers converge a second after the last accepted set,
// far past the bound counted from it, and liveness passes.
func TestLivenessCutOffWhileFaultsGoOn(t *testing.T) {
	sc := mustParse(t, "cutoff.toml", `
servers = 2
clients = 1
requests_per_client = 5
set_ratio = 1.0
max_time = "2s"
faults_until = "10s"
[[partition]]
at = "0s"
heal = "1s"
groups = [["server-1", "client-1"]]
`)
	r, err := model.NewCluster(sc.Config()).Run()
	if err != nil {
		t.Fatal(err)
	}
	if r.Reason != sim.MaxTimeReached || r.FaultsEnded || !r.Converged || r.ConvergedAt < sim.Time(time.Second) || r.AcceptedSets == 0 {
		t.Fatalf("stopped %v, faults ended %t, converged %t at %v, %d sets accepted: the case no longer tests a late convergence cut off",
			r.Reason, r.FaultsEnded, r.Converged, r.ConvergedAt, r.AcceptedSets)
	}
	if c, _ := r.Check("liveness"); c.Status() != model.StatusPass {
		t.Errorf("liveness %s: %s", c.Status().Word(), c.First)
	}
	if r.LivenessDeadline < r.Now {
		t.Errorf("deadline %v, before the cut-off at %v", r.LivenessDeadline, r.Now)
	}
}

// hoardingServer keeps a hidden copy of what a restart without durable
// storage wiped, and brings it back a second after the restart.
type hoardingServer struct {
	*model.Server
	h *hoard
}

type hoard struct {
	value int64
	at    sim.Time
}

func (s hoardingServer) Step(env *model.Env, in model.Input) {
	if in.Kind == sim.Recover && !in.Durable {
		s.h.value, s.h.at = s.Value, env.Now()
	}
	if in.Kind == sim.Timer && s.h.value > s.Value && env.Now() >= s.h.at.Add(time.Second) {
		s.Value, s.h.value = s.h.value, 0
	}
	s.Server.Step(env, in)
}

// TestLivenessBoundNotMovedByALateValue: when restarts wiped every copy of
// the final value, the bound counts from when a server holds it again, but
// no later than one largest latency after the healing, by which time any
// message carrying it has arrived. A server that brings the value back
// from nowhere a second later must not move the bound with it. In
// crash.toml server-2 alone held the largest value when it restarted
// without durable storage; here the faults end soon after, and the
// hoarding server brings the value back a second after its restart.
func TestLivenessBoundNotMovedByALateValue(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/crash.toml")
	if err != nil {
		t.Fatal(err)
	}
	sc.FaultsUntil = scenarios.Duration(250 * time.Millisecond)
	cfg := sc.Config()
	r, err := model.NewCluster(cfg).Run()
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := r.Check("liveness"); c.Status() != model.StatusPass {
		t.Fatalf("the real servers: liveness %s: %s", c.Status().Word(), c.First)
	}
	lost := r.Value
	cfg.WrapServer = func(s *model.Server) model.Replica { return hoardingServer{s, &hoard{}} }
	r, err = model.NewCluster(cfg).Run()
	if err != nil {
		t.Fatal(err)
	}
	if !r.Converged || r.Value <= lost || r.ConvergedAt < sim.Time(1200*time.Millisecond) {
		t.Fatalf("hoarding server: converged %t on %d (the real ones on %d) at %v: the case no longer brings a lost value back late",
			r.Converged, r.Value, lost, r.ConvergedAt)
	}
	if c, _ := r.Check("liveness"); c.Status() != model.StatusFail {
		t.Errorf("hoarding server: liveness %s %s, want a failure", c.Status().Word(), c.First)
	}
}

// TestCutOffRumorIsNoResidue: servers that rumor mongering left without
// the largest value when nothing was left to send are its residue, an
// anomaly; servers without it because the run was cut off at max_time,
// while rumors were still spreading, are a failure of converged-to-max.
func TestCutOffRumorIsNoResidue(t *testing.T) {
	for _, st := range []string{"strategy = \"rumor-push\"\nk = 2", "strategy = \"rumor-pull\"\nk = 2"} {
		sc := mustParse(t, "cut.toml", "servers = 12\nclients = 6\nrequests_per_client = 20\nmax_time = \"30ms\"\n[sync]\n"+st+"\n")
		r, err := model.NewCluster(sc.Config()).Run()
		if err != nil {
			t.Fatal(err)
		}
		if r.Reason != sim.MaxTimeReached || r.Converged {
			t.Fatalf("%s: stopped %v, converged %t: the case needs a run cut off before it converged", st, r.Reason, r.Converged)
		}
		if c, _ := r.Check("converged-to-max"); c.Status() != model.StatusFail {
			t.Errorf("%s: converged-to-max %s, anomalies %v: want a failure", st, c.Status().Word(), r.AnomaliesOf("converged-to-max"))
		}
	}
}

// inFlight follows the messages to servers that carry a value to merge,
// from their send to their delivery or drop.
type inFlight struct {
	flying  map[sim.MsgID]flyingMsg
	servers int
}

type flyingMsg struct {
	to     sim.NodeID
	value  int64
	copies int
}

func (f *inFlight) BeforeStep(sim.Time, sim.NodeID) {}

func (f *inFlight) AfterStep(s *model.Step) {
	if s.In.Kind == sim.Deliver || s.In.Kind == sim.Drop {
		if m, ok := f.flying[s.In.ID]; ok {
			if m.copies--; m.copies == 0 {
				delete(f.flying, s.In.ID)
			} else {
				f.flying[s.In.ID] = m
			}
		}
	}
	for _, m := range s.Sends {
		switch m.Msg.Type {
		case model.Sync, model.PushPull, model.PullReply, model.RumorPush, model.RumorReply, model.Mail, model.Set:
			if int(m.To) < f.servers {
				copies := 1
				if m.Duplicated {
					copies = 2
				}
				f.flying[m.ID] = flyingMsg{m.To, m.Msg.Value, copies}
			}
		}
	}
}

// TestNothingInFlightCouldChangeAValue: a run that ends by itself ends
// when nothing still to happen can change a server's value (see the stop
// rule, model/stop.go). So no message still in flight then carries a
// value larger than its receiver ends with. Latencies here run up to
// three sync intervals, so that answers and pushes are often still on
// their way when their senders stop spreading.
func TestNothingInFlightCouldChangeAValue(t *testing.T) {
	for _, sync := range []string{
		"strategy = \"rumor-pull\"\nk = 1", "strategy = \"rumor-pull\"\nk = 2\nfeedback = false",
		"strategy = \"rumor-push\"\nk = 1", "strategy = \"direct-mail\"", "strategy = \"pull\"\nfanout = 1",
		"strategy = \"push-pull\"\nfanout = 1", "strategy = \"push\"\nfanout = 2", "strategy = \"broadcast\"",
	} {
		for seed := 1; seed <= 40; seed++ {
			sc := mustParse(t, "flight.toml", fmt.Sprintf(`
seed = %d
servers = 8
clients = 3
requests_per_client = 10
sync_interval = "10ms"
[latency]
distribution = "uniform"
min = "1ms"
max = "30ms"
[sync]
%s
`, seed, sync))
			c := model.NewCluster(sc.Config())
			f := &inFlight{flying: map[sim.MsgID]flyingMsg{}, servers: sc.Servers}
			c.Engine().Observe(f)
			r, err := c.Run()
			if err != nil {
				t.Fatal(err)
			}
			if r.Reason != sim.Done {
				t.Fatalf("%s, seed %d: stopped %v", sync, seed, r.Reason)
			}
			for id, m := range f.flying {
				if m.value > r.Values[m.to] {
					t.Errorf("%s, seed %d: the run stopped at %v with message %d carrying %d to server-%d, which ends with %d",
						strings.ReplaceAll(sync, "\n", ", "), seed, r.Now, id, m.value, m.to+1, r.Values[m.to])
					break
				}
			}
		}
	}
}

// TestVerdictWords pins the summary's verdict for each mix of statuses.
func TestVerdictWords(t *testing.T) {
	checks := func(statuses ...model.Status) []model.Check {
		var cs []model.Check
		for _, st := range statuses {
			var c model.Check
			switch st {
			case model.StatusSkipped:
				c.Skipped = "why"
			case model.StatusAnomaly:
				c.Anomalies = 1
			case model.StatusFail:
				c.Violations = 1
			}
			cs = append(cs, c)
		}
		return cs
	}
	P, S, A, F := model.StatusPass, model.StatusSkipped, model.StatusAnomaly, model.StatusFail
	for _, tt := range []struct {
		checks []model.Check
		want   string
	}{
		{checks(P, P, P), "all 3 checks passed"},
		{checks(P, S, P), "all 2 checks that apply passed"},
		{checks(P, A, P), "2 passed, 1 anomaly (explained, so not a failure)"},
		{checks(A, A, P, S), "1 passed, 2 anomalies (explained, so not failures)"},
		{checks(P, F, P), "1 of 3 checks FAILED"},
		{checks(F, F, S), "2 of 2 checks FAILED"},
		{checks(F, A, P), "1 of 3 checks FAILED, 1 anomaly (explained, so not a failure)"},
	} {
		r := model.Report{Checks: tt.checks}
		if got := r.Verdict(); got != tt.want {
			t.Errorf("Verdict() = %q, want %q", got, tt.want)
		}
	}
}

// TestTimeoutsShownWithoutFaults: requests that time out are shown on the
// summary's faults line even in a run with no faults.
func TestTimeoutsShownWithoutFaults(t *testing.T) {
	sc := mustParse(t, "timeouts.toml", "servers = 1\nclients = 1\nrequests_per_client = 3\nrequest_timeout = \"1ms\"\n[latency]\ndistribution = \"fixed\"\nfixed = \"5ms\"\n")
	c := model.NewCluster(sc.Config())
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	r.WriteText(&text, c)
	if want := "\nfaults:       0 deliveries dropped, 0 messages duplicated; 3 requests timed out, 0 late replies ignored\n"; !strings.Contains(text.String(), want) {
		t.Errorf("the summary lacks %q:\n%s", want, &text)
	}
}

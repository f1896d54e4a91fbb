package model_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// replay parses text for cfg and replays it, returning the report and the
// JSON Lines trace.
func replay(t *testing.T, cfg model.Config, text string) (model.Report, string, error) {
	t.Helper()
	s, err := model.ParseSchedule("cx.txt", strings.NewReader(text), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := model.NewCluster(cfg)
	var b bytes.Buffer
	c.Engine().Observe(sim.NewJSONLWriter(&b, c.Engine()))
	r, err := c.Replay(s)
	return r, b.String(), err
}

// eagerConfig is the smallest scenario of the eager variant: one server,
// one client of two requests, values below 3.
func eagerConfig(variant string) model.Config {
	sc := scenarios.Default()
	cfg := sc.Config()
	cfg.Servers, cfg.Clients, cfg.Requests, cfg.MaxValue, cfg.Variant = 1, 1, 2, 3, variant
	return cfg
}

// setTwice sets 2, then 2 again; the eager server accepts both.
const setTwice = `client-1 start choose set?=1 value=2
server-1 start
server-1 recv set value=2 req=1 from client-1
client-1 recv set_reply value=0 accepted=true req=1 from server-1 choose set?=1 value=2
server-1 recv set value=2 req=2 from client-1
client-1 recv set_reply value=2 accepted=true req=2 from server-1
`

// TestReplayEager: a schedule that sets the same value twice makes the
// eager server fail set-accepted-iff-larger; one that sets a smaller value
// second replays a correct run, which passes every check.
func TestReplayEager(t *testing.T) {
	r, _, err := replay(t, eagerConfig("eager"), setTwice)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := r.Check("set-accepted-iff-larger"); c.Passed() {
		t.Errorf("set-accepted-iff-larger passed: %s", r.AppendJSON(nil))
	}
	if r.Events != 6 || r.Reason != sim.Done {
		t.Errorf("%d events, stopped by %v; want the schedule's 6, and done", r.Events, r.Reason)
	}
	smaller := strings.Replace(setTwice, "set?=1 value=2\nserver-1 recv set value=2 req=2", "set?=1 value=1\nserver-1 recv set value=1 req=2", 1)
	smaller = strings.Replace(smaller, "set_reply value=2 accepted=true req=2", "set_reply value=2 accepted=false req=2", 1)
	r, _, err = replay(t, eagerConfig("eager"), smaller)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Passed() {
		t.Errorf("a correct run failed: %s", r.AppendJSON(nil))
	}
}

// TestReplayNotPending: a step whose event is not pending (the correct
// server rejects the second set, so no accepted reply comes) fails the
// replay, naming the line and what was pending for the node.
func TestReplayNotPending(t *testing.T) {
	_, _, err := replay(t, eagerConfig(""), setTwice)
	var se *model.ScheduleError
	if !errors.As(err, &se) || se.Line != 6 || se.Step != 6 {
		t.Fatalf("err = %v, want a ScheduleError of line 6", err)
	}
	want := "cx.txt:6: client-1 recv set_reply value=2 accepted=true req=2 from server-1: not pending; " +
		"pending for client-1: recv set_reply value=2 accepted=false req=2 from server-1; timer timeout"
	if err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
}

// TestReplayChoices: the choices of a step must be those its node and the
// network ask, in order, with answers they can take.
func TestReplayChoices(t *testing.T) {
	for _, tt := range []struct{ first, want string }{
		{"client-1 start choose value=2 set?=1", "the node asks for set? where the line lists value=2"},
		{"client-1 start choose set?=1", "the node asks for value, but the line lists no more choices"},
		{"client-1 start choose set?=1 value=3", "value=3, but value has only the answers 0 to 2"},
		{"client-1 start choose set?=1 value=2 coin=1", "the step asked no more choices, but the line lists coin=1"},
	} {
		text := strings.Replace(setTwice, "client-1 start choose set?=1 value=2", tt.first, 1)
		_, _, err := replay(t, eagerConfig("eager"), text)
		if want := "cx.txt:1: " + tt.first + ": " + tt.want; err == nil || err.Error() != want {
			t.Errorf("err =\n%v\nwant\n%s", err, want)
		}
	}
}

// sameInstantConfig: three servers and three clients of one request; the
// first and third clients set, the second gets.
func sameInstantConfig(variant string) model.Config {
	cfg := scenarios.Default().Config()
	cfg.Servers, cfg.Clients, cfg.Requests, cfg.Variant = 3, 3, 1, variant
	return cfg
}

// twoSyncs brings server-1's 2 and then server-3's 1 to server-2 at one
// instant. Before the second, every client is done and every server holds
// 2: the stop rule would end a run there, but a schedule goes on to its
// last step.
const twoSyncs = `server-1 start
server-2 start
server-3 start
client-1 start choose set?=1 value=2
client-2 start choose set?=0
client-3 start choose set?=1 value=1
server-1 recv set value=2 req=1 from client-1
server-2 recv get req=1 from client-2
server-3 recv set value=1 req=1 from client-3
client-1 recv set_reply value=0 accepted=true req=1 from server-1
client-2 recv get_reply value=0 req=1 from server-2
client-3 recv set_reply value=0 accepted=true req=1 from server-3
server-1 timer sync
server-3 timer sync
server-3 recv sync value=2 from server-1
server-2 recv sync value=2 from server-1
same-instant server-2 recv sync value=1 from server-3
`

// TestReplaySameInstant: two syncs that reach one server at one instant,
// the larger first, take the same-instant server back; the same schedule
// with the syncs at instants of their own passes every check. The gap
// between steps and its absence are what the variant tells apart.
func TestReplaySameInstant(t *testing.T) {
	r, trace, err := replay(t, sameInstantConfig("same-instant"), twoSyncs)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := r.Check("values-never-decrease"); c.Passed() {
		t.Errorf("values-never-decrease passed at one instant:\n%s", trace)
	}
	apart := strings.Replace(twoSyncs, "same-instant ", "", 1)
	r, trace, err = replay(t, sameInstantConfig("same-instant"), apart)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Passed() {
		t.Errorf("at instants of their own, a check failed: %s\n%s", r.AppendJSON(nil), trace)
	}
	r, _, err = replay(t, sameInstantConfig(""), twoSyncs)
	if err != nil || !r.Passed() {
		t.Errorf("the correct server at one instant: %v, %s", err, r.AppendJSON(nil))
	}
}

// TestReplayTimes: a step not marked same-instant happens ReplayGap after
// the step before (or at its timer's time, if later), a same-instant one
// at the same instant; the first at 0.
func TestReplayTimes(t *testing.T) {
	cfg := sameInstantConfig("")
	_, trace, err := replay(t, cfg, twoSyncs)
	if err != nil {
		t.Fatal(err)
	}
	gap := int64(model.ReplayGap(cfg.Latency))
	interval := int64(cfg.SyncInterval)
	var want []int64
	for i := range 12 {
		want = append(want, int64(i)*gap)
	}
	want = append(want, interval, 2*gap+interval, 3*gap+interval, 4*gap+interval, 4*gap+interval)
	var got []int64
	for _, line := range strings.Split(trace, "\n") {
		var t int64
		var kind string
		if _, err := fmt.Sscanf(line, `{"t":%d,"event":%q`, &t, &kind); err == nil && (kind == "start" || kind == "recv" || kind == "timer") {
			got = append(got, t)
		}
	}
	if len(got) < len(want) || fmt.Sprint(got[:len(want)]) != fmt.Sprint(want) {
		t.Errorf("steps at %v, want %v then the rest", got, want)
	}
}

// TestReplayUnfit: a schedule of another number of servers, or for a
// scenario with partitions, or naming a crash the scenario does not have,
// is refused before anything runs.
func TestReplayUnfit(t *testing.T) {
	cfg := eagerConfig("eager")
	s, err := model.ParseSchedule("cx.txt", strings.NewReader(setTwice), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	other := sameInstantConfig("")
	var se *model.ScheduleError
	if _, err := model.NewCluster(other).Replay(s); !errors.As(err, &se) || err.Error() != "cx.txt: a schedule of 1 servers does not fit a scenario of 3" {
		t.Errorf("err = %v", err)
	}
	part, err := scenarios.Load("../scenarios/partition.toml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := model.NewCluster(part.Config()).Replay(model.Schedule{Servers: part.Servers}); !errors.As(err, &se) || !strings.Contains(err.Error(), "the scenario has partitions") {
		t.Errorf("err = %v", err)
	}
	for _, crash := range []int{1, -1} {
		s := model.Schedule{Servers: 2, Steps: []model.ScheduleStep{{Node: 0, Kind: sim.CrashKind, Crash: crash}}}
		if _, err := model.NewCluster(crashConfig("")).Replay(s); !errors.As(err, &se) || se.Step != 1 || !strings.Contains(err.Error(), "not one of the scenario's 1 [[crash]] entries") {
			t.Errorf("crash entry %d: err = %v", crash, err)
		}
	}
	s = model.Schedule{Servers: 2, Steps: []model.ScheduleStep{{Node: 1, Kind: sim.CrashKind}}}
	if _, err := model.NewCluster(crashConfig("")).Replay(s); !errors.As(err, &se) || !strings.Contains(err.Error(), "crash entry 0 of server-2: not one of") {
		t.Errorf("crash 1 of server-2: err = %v", err)
	}
}

// crashConfig: two servers and one client of one request; server-1 may
// crash, durably, and restarts when the faults end.
func crashConfig(variant string) model.Config {
	cfg := eagerConfig(variant)
	cfg.Servers, cfg.Requests = 2, 1
	cfg.Faults.Crashes = []sim.Crash{{Node: 0, Durable: true}}
	return cfg
}

// crashAfterSet: server-1 accepts a set of 2, crashes, misses server-2's
// sync while down, restarts, and syncs its 2 to server-2 with the timer it
// armed at the restart (the one it armed at its start died with it).
const crashAfterSet = `server-1 start
server-2 start
client-1 start choose set?=1 value=2
server-1 recv set value=2 req=1 from client-1
client-1 recv set_reply value=0 accepted=true req=1 from server-1
server-1 crash 1
server-2 timer sync
server-1 drop sync value=0 from server-2
server-1 restart
server-1 timer sync
server-2 recv sync value=2 from server-1
`

// TestReplayCrash: a schedule crashes and restarts a server where it says:
// the correct server comes back with its value and passes every check;
// the leaky-disk server, durable by its word, comes back at 0, and
// values-never-decrease fails. The message that arrives while the server
// is down is dropped, and the restart comes at once, although the crash
// has no restart time (a run would restart it when the faults end).
func TestReplayCrash(t *testing.T) {
	r, trace, err := replay(t, crashConfig(""), crashAfterSet)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Passed() || r.Dropped != 1 {
		t.Errorf("the correct server: %d dropped, %s\n%s", r.Dropped, r.AppendJSON(nil), trace)
	}
	gap := int64(model.ReplayGap(crashConfig("").Latency))
	interval := int64(crashConfig("").SyncInterval)
	for _, want := range []string{
		fmt.Sprintf(`{"t":%d,"event":"crash","node":"server-1","crash":1,"durable":true}`, 5*gap),
		fmt.Sprintf(`{"t":%d,"event":"drop","node":"server-1","id":3,"from":"server-2","to":"server-1","msg":"sync","value":0,"reason":"down"}`, interval+2*gap),
		fmt.Sprintf(`{"t":%d,"event":"restart","node":"server-1","crash":1,"durable":true}`, interval+3*gap),
		fmt.Sprintf(`{"t":%d,"event":"timer","node":"server-1","timer":"sync"}`, 2*interval+3*gap),
	} {
		if !strings.Contains(trace, want+"\n") {
			t.Errorf("no %s in the trace:\n%s", want, trace)
		}
	}
	leaky, _, _ := strings.Cut(crashAfterSet, "server-1 timer sync\n")
	r, trace, err = replay(t, crashConfig("leaky-disk"), leaky)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := r.Check("values-never-decrease"); c.Passed() || !strings.Contains(c.First, "server-1 restarted from durable storage at 0, having held 2") {
		t.Errorf("leaky-disk: values-never-decrease %+v\n%s", c, trace)
	}

	// Of two crashes of one server, the line says which: here the
	// second, without durable storage.
	twice := crashConfig("")
	twice.Faults.Crashes = append(twice.Faults.Crashes, sim.Crash{Node: 0})
	_, trace, err = replay(t, twice, strings.Replace(leaky, "crash 1", "crash 2", 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf(`{"t":%d,"event":"crash","node":"server-1","crash":2,"durable":false}`, 5*gap),
		fmt.Sprintf(`{"t":%d,"event":"restart","node":"server-1","crash":2,"durable":false}`, interval+3*gap),
	} {
		if !strings.Contains(trace, want+"\n") {
			t.Errorf("no %s in the trace:\n%s", want, trace)
		}
	}
}

// TestReplayCrashTimes: a crash happens at its entry's time, and a restart
// at the entry's restart time, if later than the step would be: the clock
// moves on to them.
func TestReplayCrashTimes(t *testing.T) {
	cfg := crashConfig("")
	cfg.Faults.Crashes[0].At, cfg.Faults.Crashes[0].Restart = sim.Time(time.Second), sim.Time(3*time.Second)
	_, trace, err := replay(t, cfg, crashAfterSet)
	if err != nil {
		t.Fatal(err)
	}
	gap := int64(model.ReplayGap(cfg.Latency))
	for _, want := range []string{
		fmt.Sprintf(`{"t":%d,"event":"crash","node":"server-1","crash":1,"durable":true}`, time.Second),
		fmt.Sprintf(`{"t":%d,"event":"drop","node":"server-1","id":3,"from":"server-2","to":"server-1","msg":"sync","value":0,"reason":"down"}`, int64(time.Second)+2*gap),
		fmt.Sprintf(`{"t":%d,"event":"restart","node":"server-1","crash":1,"durable":true}`, 3*time.Second),
	} {
		if !strings.Contains(trace, want+"\n") {
			t.Errorf("no %s in the trace:\n%s", want, trace)
		}
	}
}

// TestReplayCrashUnfit: a schedule that receives a message at a server
// that is down, drops one at a server that is up, restarts a server that
// is up, crashes one that is down, or repeats a crash, or names a crash
// due after the faults end, does not fit, and says why.
func TestReplayCrashUnfit(t *testing.T) {
	twice := crashConfig("")
	twice.Faults.Crashes = append(twice.Faults.Crashes, sim.Crash{Node: 0})
	late := crashConfig("")
	late.Faults.Until, late.Faults.Crashes[0].At = sim.Time(time.Second), sim.Time(2*time.Second)
	for _, tt := range []struct {
		cfg       model.Config
		old, new_ string
		want      string
	}{
		{crashConfig(""), "server-1 drop sync", "server-1 recv sync",
			"cx.txt:8: server-1 recv sync value=0 from server-2: server-1 is down (crash 1), so the message is dropped: write drop, not recv"},
		{crashConfig(""), "server-2 recv sync", "server-2 drop sync",
			"cx.txt:11: server-2 drop sync value=2 from server-1: server-2 is up, so the message is received: write recv, not drop"},
		{crashConfig(""), "server-1 crash 1\n", "server-1 restart\n",
			"cx.txt:6: server-1 restart: server-1 is up: there is no crash to restart from"},
		{crashConfig(""), "server-1 timer sync\n", "server-1 crash 1\n",
			"cx.txt:10: server-1 crash 1: crash 1 happened already: each [[crash]] entry happens once"},
		{twice, "server-2 timer sync\n", "server-1 crash 2\n",
			"cx.txt:7: server-1 crash 2: server-1 is down already, by crash 1"},
		{late, "", "", "cx.txt:6: server-1 crash 1: crash 1 never happens: it is due after the faults end"},
		{crashConfig(""), "server-1 restart\n", "server-1 timer sync\n",
			"cx.txt:9: server-1 timer sync: not pending; server-1 is down, by crash 1; nothing is pending for server-1"},
		{crashConfig(""), "server-1 drop sync value=0", "server-1 drop sync value=1",
			"cx.txt:8: server-1 drop sync value=1 from server-2: not pending; server-1 is down, by crash 1; pending for server-1: drop sync value=0 from server-2"},
	} {
		_, _, err := replay(t, tt.cfg, strings.Replace(crashAfterSet, tt.old, tt.new_, 1))
		if err == nil || err.Error() != tt.want {
			t.Errorf("err =\n%v\nwant\n%s", err, tt.want)
		}
	}
}

// scheduleRecorder records a run that Drive makes in Run's order as a schedule:
// each event fired, with the choices asked during it.
type scheduleRecorder struct {
	c *model.Cluster
	s model.Schedule
}

func (r *scheduleRecorder) Choose(c sim.Choice) int {
	a := c.Draw()
	if c.Label != sim.LabelLatency && len(r.s.Steps) > 0 {
		st := &r.s.Steps[len(r.s.Steps)-1]
		st.Choices = append(st.Choices, model.ScheduleChoice{Label: c.Label, Answer: a})
	}
	return a
}

func (r *scheduleRecorder) pick(p []sim.Pending[model.Msg]) sim.EventID {
	ev := p[0]
	if !ev.Lost && (ev.In.Kind == sim.Start || ev.In.Kind == sim.Deliver || ev.In.Kind == sim.Timer) {
		r.s.Steps = append(r.s.Steps, model.ScheduleStep{Node: ev.Node, Kind: ev.In.Kind, From: ev.In.From, Msg: ev.In.Msg, Timer: ev.In.Timer,
			SameInstant: ev.In.Kind == sim.Deliver && len(r.s.Steps) > 0 && ev.Time == r.c.Engine().Now()})
	}
	return ev.ID
}

// nodeSteps observes what the nodes do, times aside: one line a step.
type nodeSteps struct{ lines []string }

func (n *nodeSteps) BeforeStep(sim.Time, sim.NodeID) {}
func (n *nodeSteps) AfterStep(s *model.Step) {
	if s.In.Kind != sim.Start && s.In.Kind != sim.Deliver && s.In.Kind != sim.Timer {
		return
	}
	var sends []string
	for _, m := range s.Sends {
		sends = append(sends, fmt.Sprintf("%d:%s", m.To, m.Msg.AppendJSON([]byte(m.Msg.Kind()))))
	}
	var notes []model.Note
	for _, note := range s.Notes {
		note.Invoked = 0 // a time
		notes = append(notes, note)
	}
	n.lines = append(n.lines, fmt.Sprintf("%d %v %d %s %s -> %v %v", s.Node, s.In.Kind, s.In.From, s.In.Msg.AppendJSON(nil), s.In.Timer, sends, notes))
}

// TestReplayRecordedRun: a run recorded as a schedule, written and read
// back, replays step for step: the same nodes take the same inputs, in the
// same order, and do the same things, at other times.
func TestReplayRecordedRun(t *testing.T) {
	rumor, err := scenarios.Load("../scenarios/rumor.toml")
	if err != nil {
		t.Fatal(err)
	}
	pushPull := scenarios.Default().Config()
	pushPull.Strategy, pushPull.Fanout = model.StrategyPushPull, 1
	for _, cfg := range []model.Config{scenarios.Default().Config(), rumor.Config(), pushPull} {
		cfg.Requests = min(cfg.Requests, 10)
		rec := &scheduleRecorder{s: model.Schedule{Servers: cfg.Servers}}
		cfg.Chooser = rec
		rec.c = model.NewCluster(cfg)
		want := &nodeSteps{}
		rec.c.Engine().Observe(want)
		if _, err := rec.c.Drive(rec.pick); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := rec.s.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		cfg.Chooser = nil
		s, err := model.ParseSchedule("rec.txt", &b, &cfg)
		if err != nil {
			t.Fatal(err)
		}
		c := model.NewCluster(cfg)
		got := &nodeSteps{}
		c.Engine().Observe(got)
		r, err := c.Replay(s)
		if err != nil {
			t.Fatalf("%s: %v", cfg.Strategy, err)
		}
		if len(want.lines) < 100 {
			t.Fatalf("%s: only %d steps recorded", cfg.Strategy, len(want.lines))
		}
		if len(got.lines) != len(want.lines) {
			t.Errorf("%s: %d steps replayed, want the %d recorded", cfg.Strategy, len(got.lines), len(want.lines))
		}
		for i := range min(len(got.lines), len(want.lines)) {
			if got.lines[i] != want.lines[i] {
				t.Fatalf("%s: step %d:\n%s\nwant\n%s", cfg.Strategy, i+1, got.lines[i], want.lines[i])
			}
		}
		if !r.Passed() {
			t.Errorf("%s: %s", cfg.Strategy, r.AppendJSON(nil))
		}
	}
}

// TestReplayGap: the gap between steps is the least latency, and 1ms at
// least.
func TestReplayGap(t *testing.T) {
	for _, tt := range []struct {
		l    sim.Latency
		want time.Duration
	}{
		{sim.Latency{Distribution: sim.Fixed, Fixed: 0}, time.Millisecond},
		{sim.Latency{Distribution: sim.Uniform, Min: 5 * time.Millisecond, Max: 9 * time.Millisecond}, 5 * time.Millisecond},
		{sim.Latency{Distribution: sim.Exponential, Floor: 100 * time.Microsecond, Mean: time.Millisecond}, time.Millisecond},
	} {
		if got := model.ReplayGap(tt.l); got != tt.want {
			t.Errorf("ReplayGap(%+v) = %v, want %v", tt.l, got, tt.want)
		}
	}
}

// TestReplayGapBeyondSyncRace: with messages that take no time at all, a
// step still happens well apart from the one before: a set the line after
// a sync round begins falls outside the sync-race server's 10µs window,
// and only one marked same-instant falls in it.
func TestReplayGapBeyondSyncRace(t *testing.T) {
	cfg := scenarios.Default().Config()
	cfg.Servers, cfg.Clients, cfg.Requests, cfg.Variant = 2, 1, 1, "sync-race"
	cfg.Latency = sim.Latency{Distribution: sim.Fixed, Fixed: 0}
	const text = `server-1 start
server-2 start
client-1 start choose set?=1 value=2
server-1 timer sync
server-1 recv set value=2 req=1 from client-1
`
	r, trace, err := replay(t, cfg, text)
	if err != nil || !r.Passed() {
		t.Fatalf("a set a step after the round: %v, %s\n%s", err, r.AppendJSON(nil), trace)
	}
	r, _, err = replay(t, cfg, strings.Replace(text, "server-1 recv set", "same-instant server-1 recv set", 1))
	if c, _ := r.Check("set-accepted-iff-larger"); err != nil || c.Passed() {
		t.Errorf("a set at the instant the round began: %v, %s", err, r.AppendJSON(nil))
	}
}

// TestReplaySameInstantNotDue: a message sent at the instant of the step
// before cannot arrive at it when it takes time; the replay says so
// rather than fire it later.
func TestReplaySameInstantNotDue(t *testing.T) {
	text := strings.Replace(setTwice, "server-1 start\nserver-1 recv set", "server-1 start\nsame-instant server-1 recv set", 1)
	text = strings.Replace(text, "client-1 start choose set?=1 value=2\nserver-1 start\n", "server-1 start\nclient-1 start choose set?=1 value=2\n", 1)
	_, _, err := replay(t, eagerConfig("eager"), text)
	want := "cx.txt:3: same-instant server-1 recv set value=2 req=1 from client-1: at the instant of the step before (1ms), but the message is due only at 2ms"
	if err == nil || err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
}

// TestReplayNegativeAnswer: a schedule built in Go with an answer below 0
// is an error of its step, not a panic of the engine.
func TestReplayNegativeAnswer(t *testing.T) {
	cfg := eagerConfig("eager")
	s := model.Schedule{Servers: 1, Steps: []model.ScheduleStep{{Node: 1, Kind: sim.Start,
		Choices: []model.ScheduleChoice{{Label: model.ChoiceSet, Answer: -1}}}}}
	_, err := model.NewCluster(cfg).Replay(s)
	if want := "schedule step 1: client-1 start choose set?=-1: set?=-1, but set? has only the answers 0 to 1"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

package sim

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// timeLog records the time of every step and counts deliveries and drops.
type timeLog struct {
	times          []Time
	recv, drops    int
	sends, doubles int
}

func (l *timeLog) BeforeStep(Time, NodeID) {}

func (l *timeLog) AfterStep(s *tstep) {
	l.times = append(l.times, s.Time)
	switch s.In.Kind {
	case Deliver:
		l.recv++
	case Drop:
		l.drops++
	}
	for _, m := range s.Sends {
		l.sends++
		if m.Duplicated {
			l.doubles++
		}
	}
}

// drive runs e to the end, firing the event pick chooses each time.
func drive(t *testing.T, e *tengine, pick func([]Pending[tmsg]) EventID) Result {
	t.Helper()
	e.Start()
	for {
		p := e.Pending()
		if len(p) == 0 {
			return e.Result(Idle)
		}
		for i := 1; i < len(p); i++ {
			if earlier(p[i].Time, uint64(p[i].ID), p[i-1].Time, uint64(p[i-1].ID)) {
				t.Fatalf("pending out of order: %+v before %+v", p[i-1], p[i])
			}
		}
		id := pick(p)
		counted, err := e.Fire(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range p {
			if ev.ID == id && ev.Void == counted {
				t.Fatalf("%+v: listed void %t, but fired it counted %t", ev, ev.Void, counted)
			}
		}
	}
}

// TestDrive: firing the earliest event is Run, timers, crashes and all;
// firing the latest instead is another run, in which the clock never goes
// back and every message still arrives or is dropped, once or twice.
func TestDrive(t *testing.T) {
	cfg := Config{Seed: 4, Latency: Latency{Distribution: Uniform, Min: 100 * time.Microsecond, Max: 3 * time.Millisecond},
		Faults: Faults{Loss: 0.1, Duplicate: 0.1, Until: 40 * ms,
			Crashes:    []Crash{{Node: 2, At: 3 * ms, Restart: 9 * ms}},
			Partitions: []Partition{{At: 5 * ms, Heal: 12 * ms, Groups: [][]NodeID{{0, 1}}}}}}
	var want bytes.Buffer
	wantRes, err := chatter(cfg, &want).Run(never)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	res := drive(t, chatter(cfg, &got), func(p []Pending[tmsg]) EventID { return p[0].ID })
	if got.String() != want.String() {
		t.Fatalf("firing the earliest event, the trace differs from Run's")
	}
	if res.Events != wantRes.Events || res.Dropped != wantRes.Dropped || res.Now != wantRes.Now {
		t.Errorf("result %+v, want Run's %+v", res, wantRes)
	}

	var late bytes.Buffer
	e := chatter(cfg, &late)
	log := &timeLog{}
	e.Observe(log)
	drive(t, e, func(p []Pending[tmsg]) EventID { return p[len(p)-1].ID })
	if late.String() == want.String() {
		t.Fatalf("firing the latest event, the trace is Run's")
	}
	for i := 1; i < len(log.times); i++ {
		if log.times[i] < log.times[i-1] {
			t.Fatalf("step %d at %v, after a step at %v: the clock went back", i, log.times[i], log.times[i-1])
		}
	}
	if log.recv+log.drops != log.sends+log.doubles || log.sends == 0 {
		t.Errorf("%d received and %d dropped of %d sent, %d of them twice", log.recv, log.drops, log.sends, log.doubles)
	}
}

// TestDriveMisuse: Start and Run exclude each other, and Fire needs Start.
func TestDriveMisuse(t *testing.T) {
	for name, f := range map[string]func(e *tengine){
		"Start twice":            func(e *tengine) { e.Start(); e.Start() },
		"Run after":              func(e *tengine) { e.Start(); e.Run(never) },
		"Fire, no run":           func(e *tengine) { e.Fire(1) },
		"Wait, no run":           func(e *tengine) { e.Wait(time.Millisecond) },
		"Wait back":              func(e *tengine) { e.Start(); e.Wait(-1) },
		"SetChooser after Start": func(e *tengine) { e.Start(); e.SetChooser(Seeded{}) },
		"Restart, no run":        func(e *tengine) { e.Restart(0) },
	} {
		t.Run(name, func(t *testing.T) {
			e := chatter(Config{Latency: fixed(time.Millisecond)}, nil)
			defer func() {
				if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "sim: Engine.") {
					t.Errorf("panic %v, want the engine's", r)
				}
			}()
			f(e)
		})
	}
}

// constChooser answers every choice with 0 and counts them.
type constChooser struct{ asked int }

func (c *constChooser) Choose(Choice) int { c.asked++; return 0 }

// TestDriveWait: Wait moves the clock forward and nothing else, so that
// the event fired next, due before, happens late, at the time reached;
// SetChooser makes its chooser answer the choices of the steps that
// follow.
func TestDriveWait(t *testing.T) {
	e := chatter(Config{Latency: fixed(time.Millisecond)}, nil)
	ch := &constChooser{}
	e.SetChooser(ch)
	log := &timeLog{}
	e.Observe(log)
	e.Start()
	p := e.Pending()
	e.Wait(3 * time.Millisecond)
	if e.Now() != Time(3*time.Millisecond) || len(e.Pending()) != len(p) || len(log.times) != 0 {
		t.Fatalf("after Wait(3ms): now %v, %d pending (want %d), %d steps", e.Now(), len(e.Pending()), len(p), len(log.times))
	}
	if _, err := e.Fire(p[0].ID); err != nil {
		t.Fatal(err)
	}
	if log.times[0] != Time(3*time.Millisecond) {
		t.Errorf("the start due at 0 happened at %v, want 3ms: late, at the time reached", log.times[0])
	}
	if ch.asked == 0 {
		t.Errorf("the chooser set by SetChooser was asked nothing")
	}
	e.Wait(0)
	if e.Now() != Time(3*time.Millisecond) {
		t.Errorf("Wait(0) moved the clock to %v", e.Now())
	}
}

// TestDriveRestart: a crash with no restart time keeps its node down until
// the faults end, unless the driver restarts it: Restart schedules the
// Recover now, durable as the crash says, for Fire. While the node is down
// its timers are listed void, and after the restart the old ones still
// are, beside the new; a node that is up cannot be restarted.
func TestDriveRestart(t *testing.T) {
	cfg := Config{Latency: fixed(time.Millisecond), Faults: Faults{Crashes: []Crash{{Node: 2, At: 3 * ms, Durable: true}}}}
	e := chatter(cfg, nil)
	log := &kindLog{}
	e.Observe(log)
	e.Start()
	if _, ok := e.Restart(2); ok {
		t.Fatalf("restarted a node that is up")
	}
	for {
		p := e.Pending()
		if p[0].In.Kind == CrashKind {
			if p[0].Crash != 0 || p[0].Node != 2 || p[0].Void {
				t.Fatalf("the crash pending as %+v", p[0])
			}
		}
		if _, err := e.Fire(p[0].ID); err != nil {
			t.Fatal(err)
		}
		if p[0].In.Kind == CrashKind {
			break
		}
	}
	timers := func(void bool) int {
		n := 0
		for _, ev := range e.Pending() {
			if ev.Node == 2 && ev.In.Kind == Timer && ev.Void == void {
				n++
			}
		}
		return n
	}
	if timers(true) != 1 || timers(false) != 0 {
		t.Fatalf("node 2 down: %d void timers, %d live; want its tick, void", timers(true), timers(false))
	}
	for _, ev := range e.Pending() {
		if ev.In.Kind == Recover {
			t.Fatalf("a restart pending before the faults end: %+v", ev)
		}
	}
	e.Wait(time.Millisecond)
	id, ok := e.Restart(2)
	if !ok {
		t.Fatal("Restart(2) of the crashed node: not ok")
	}
	var rec *Pending[tmsg]
	for _, ev := range e.Pending() {
		if ev.ID == id {
			rec = &ev
		}
	}
	if rec == nil || rec.In.Kind != Recover || !rec.In.Durable || rec.Crash != 0 || rec.Void || rec.Time != e.Now() {
		t.Fatalf("the restart pending as %+v, want a durable Recover of crash 0, now (%v)", rec, e.Now())
	}
	now := e.Now()
	if counted, err := e.Fire(id); !counted || err != nil {
		t.Fatalf("Fire(restart): %t, %v", counted, err)
	}
	if last := log.steps[len(log.steps)-1]; last != (kindStep{2, Recover, now}) {
		t.Errorf("last step %+v; want node 2's recover at %v", last, now)
	}
	if timers(true) != 1 || timers(false) != 1 {
		t.Errorf("node 2 restarted: %d void timers, %d live; want the old tick void and a new one", timers(true), timers(false))
	}
	if _, ok := e.Restart(2); ok {
		t.Errorf("restarted node 2 twice")
	}
}

// kindLog records the node, kind and time of every step.
type kindLog struct{ steps []kindStep }

type kindStep struct {
	node NodeID
	kind InputKind
	at   Time
}

func (l *kindLog) BeforeStep(Time, NodeID) {}
func (l *kindLog) AfterStep(s *tstep) {
	l.steps = append(l.steps, kindStep{s.Node, s.In.Kind, s.Time})
}

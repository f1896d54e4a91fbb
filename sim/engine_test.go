package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A tiny protocol for the engine's tests: messages of any kind carrying one
// number, and notes carrying one string.
type tmsg struct {
	kind string
	n    int64
}

func (m tmsg) Kind() string { return m.kind }

func (m tmsg) AppendJSON(b []byte) []byte {
	b = append(b, `,"n":`...)
	return strconv.AppendInt(b, m.n, 10)
}

type tnote struct{ event, text string }

func (n tnote) Event() string { return n.event }

func (n tnote) AppendJSON(b []byte) []byte {
	b = append(b, `,"text":`...)
	return AppendJSONString(b, n.text)
}

type (
	tenv    = Env[tmsg, tnote]
	tinput  = Input[tmsg]
	tengine = Engine[tmsg, tnote]
	tstep   = Step[tmsg, tnote]
)

// stepFunc makes a node of a function, so that each test can script its
// nodes in place.
type stepFunc func(env *tenv, in tinput)

func (f stepFunc) Step(env *tenv, in tinput) { f(env, in) }

// idle is a node that does nothing.
var idle = stepFunc(func(*tenv, tinput) {})

func newEngine(cfg Config) *tengine { return New[tmsg, tnote](cfg) }

func fixed(d time.Duration) Latency { return Latency{Distribution: Fixed, Fixed: d} }

// stepLog is an observer that writes one line per step, "<time> <node>
// <input>", the way a person would read a schedule.
type stepLog struct {
	e     *tengine
	lines []string
}

func (l *stepLog) BeforeStep(Time, NodeID) {}

func (l *stepLog) AfterStep(s *tstep) {
	var what string
	switch s.In.Kind {
	case Start:
		what = "start"
	case Deliver:
		what = fmt.Sprintf("recv %s#%d from %s", s.In.Msg.kind, s.In.Msg.n, l.e.Name(s.In.From))
	case Timer:
		what = "timer " + s.In.Timer
	default:
		what = "invalid input"
	}
	l.lines = append(l.lines, fmt.Sprintf("%v %s %s", s.Time, l.e.Name(s.Node), what))
}

func logSteps(e *tengine) *stepLog {
	l := &stepLog{e: e}
	e.Observe(l)
	return l
}

func never() bool { return false }

// ticker arms a timer named "tick" every period, limit times (0: for ever).
type ticker struct {
	period time.Duration
	limit  int
	ticks  int
}

func (tk *ticker) Step(env *tenv, in tinput) {
	if in.Kind == Timer {
		tk.ticks++
	}
	if tk.limit == 0 || tk.ticks < tk.limit {
		env.After(tk.period, "tick")
	}
}

// TestSchedule pins the order in which the engine runs events: by time,
// and events due at the same instant in the order they were scheduled.
func TestSchedule(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		build func(e *tengine)
		want  []string
	}{
		{
			name: "starts at time 0 in the order nodes were added",
			cfg:  Config{Latency: fixed(time.Millisecond)},
			build: func(e *tengine) {
				e.Add("c", idle)
				e.Add("a", idle)
				e.Add("b", idle)
			},
			want: []string{"0.000ms c start", "0.000ms a start", "0.000ms b start"},
		},
		{
			name: "a timer of 0 runs after every start",
			cfg:  Config{Latency: fixed(time.Millisecond)},
			build: func(e *tengine) {
				e.Add("a", stepFunc(func(env *tenv, in tinput) {
					if in.Kind == Start {
						env.After(0, "now")
					}
				}))
				e.Add("b", idle)
			},
			want: []string{"0.000ms a start", "0.000ms b start", "0.000ms a timer now"},
		},
		{
			name: "timers fire at now+d with their name",
			cfg:  Config{Latency: fixed(time.Millisecond)},
			build: func(e *tengine) {
				e.Add("n", stepFunc(func(env *tenv, in tinput) {
					switch {
					case in.Kind == Start:
						env.After(3*time.Millisecond, "first")
					case in.Timer == "first":
						env.After(2500*time.Microsecond, "second")
					case in.Timer == "second":
						env.After(0, "third")
					}
				}))
			},
			want: []string{
				"0.000ms n start",
				"3.000ms n timer first",
				"5.500ms n timer second",
				"5.500ms n timer third",
			},
		},
		{
			name: "timers due together fire in the order they were armed",
			cfg:  Config{Latency: fixed(time.Millisecond)},
			build: func(e *tengine) {
				e.Add("n", stepFunc(func(env *tenv, in tinput) {
					if in.Kind == Start {
						env.After(5*time.Millisecond, "t3")
						env.After(5*time.Millisecond, "t1")
						env.After(5*time.Millisecond, "t2")
						env.After(2*time.Millisecond, "early")
					}
				}))
			},
			want: []string{
				"0.000ms n start",
				"2.000ms n timer early",
				"5.000ms n timer t3",
				"5.000ms n timer t1",
				"5.000ms n timer t2",
			},
		},
		{
			name: "periodic timer fires at d, 2d, 3d",
			cfg:  Config{Latency: fixed(time.Millisecond), MaxEvents: 4},
			build: func(e *tengine) {
				e.Add("p", &ticker{period: 250 * time.Microsecond})
			},
			want: []string{"0.000ms p start", "0.250ms p timer tick", "0.500ms p timer tick", "0.750ms p timer tick"},
		},
		{
			name: "fixed-latency messages arrive in the order sent",
			cfg:  Config{Latency: fixed(3 * time.Millisecond)},
			build: func(e *tengine) {
				e.Add("src", stepFunc(func(env *tenv, in tinput) {
					for i := range int64(4) {
						env.Send(1, tmsg{"m", i + 1})
					}
				}))
				e.Add("dst", idle)
			},
			want: []string{
				"0.000ms src start",
				"0.000ms dst start",
				"3.000ms dst recv m#1 from src",
				"3.000ms dst recv m#2 from src",
				"3.000ms dst recv m#3 from src",
				"3.000ms dst recv m#4 from src",
			},
		},
		{
			name: "messages of two senders arrive in the order sent",
			cfg:  Config{Latency: fixed(3 * time.Millisecond)},
			build: func(e *tengine) {
				// a sends on a timer of 0, so after b's start: b's
				// message was scheduled first.
				e.Add("a", stepFunc(func(env *tenv, in tinput) {
					if in.Kind == Start {
						env.After(0, "go")
					} else {
						env.Send(2, tmsg{"m", 1})
					}
				}))
				e.Add("b", stepFunc(func(env *tenv, in tinput) { env.Send(2, tmsg{"m", 2}) }))
				e.Add("dst", idle)
			},
			want: []string{
				"0.000ms a start",
				"0.000ms b start",
				"0.000ms dst start",
				"0.000ms a timer go",
				"3.000ms dst recv m#2 from b",
				"3.000ms dst recv m#1 from a",
			},
		},
		{
			name: "timer armed before a message due with it fires first",
			cfg:  Config{Latency: fixed(3 * time.Millisecond)},
			build: func(e *tengine) {
				e.Add("t", stepFunc(func(env *tenv, in tinput) {
					if in.Kind == Start {
						env.After(3*time.Millisecond, "x")
					}
				}))
				e.Add("s", stepFunc(func(env *tenv, in tinput) { env.Send(0, tmsg{"m", 1}) }))
			},
			want: []string{"0.000ms t start", "0.000ms s start", "3.000ms t timer x", "3.000ms t recv m#1 from s"},
		},
		{
			name: "message sent before a timer due with it arrives first",
			cfg:  Config{Latency: fixed(3 * time.Millisecond)},
			build: func(e *tengine) {
				e.Add("s", stepFunc(func(env *tenv, in tinput) { env.Send(1, tmsg{"m", 1}) }))
				e.Add("t", stepFunc(func(env *tenv, in tinput) {
					if in.Kind == Start {
						env.After(3*time.Millisecond, "x")
					}
				}))
			},
			want: []string{"0.000ms s start", "0.000ms t start", "3.000ms t recv m#1 from s", "3.000ms t timer x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(tt.cfg)
			tt.build(e)
			log := logSteps(e)
			if _, err := e.Run(never); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(log.lines, tt.want) {
				t.Errorf("schedule:\n%s\nwant:\n%s", strings.Join(log.lines, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestManyTiesKeepOrder arms many timers due at a few instants, in an order
// unrelated to their times: a heap that broke ties by anything but the order
// of scheduling would shuffle them.
func TestManyTiesKeepOrder(t *testing.T) {
	const n = 300
	e := newEngine(Config{Latency: fixed(0)})
	var fired []string
	e.Add("n", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Start {
			for i := range n {
				env.After(time.Duration(i%3)*time.Millisecond, strconv.Itoa(i))
			}
			return
		}
		fired = append(fired, fmt.Sprintf("%v %s", env.Now(), in.Timer))
	}))
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	var want []string
	for ms := range 3 {
		for i := ms; i < n; i += 3 {
			want = append(want, fmt.Sprintf("%v %d", Time(ms)*Time(time.Millisecond), i))
		}
	}
	if !slices.Equal(fired, want) {
		t.Errorf("timers fired in the order\n%v\nwant\n%v", fired, want)
	}
}

// TestLatencyBounds sends many messages through each distribution and checks
// every delivery against the distribution's bounds.
func TestLatencyBounds(t *testing.T) {
	const (
		rounds  = 200
		perTick = 10
	)
	tests := []struct {
		name   string
		lat    Latency
		lo, hi time.Duration // hi < 0: unbounded
		mean   time.Duration // the distribution's mean
		// tol is how far the sample mean may stray from mean.
		tol time.Duration
		// every: each value in [lo, hi] must occur.
		every bool
	}{
		{name: "fixed", lat: fixed(7 * time.Millisecond), lo: 7 * time.Millisecond, hi: 7 * time.Millisecond, mean: 7 * time.Millisecond},
		{name: "fixed zero", lat: fixed(0)},
		{name: "uniform", lat: Latency{Distribution: Uniform, Min: 2 * time.Millisecond, Max: 4 * time.Millisecond},
			lo: 2 * time.Millisecond, hi: 4 * time.Millisecond, mean: 3 * time.Millisecond, tol: 100 * time.Microsecond},
		{name: "uniform includes both ends", lat: Latency{Distribution: Uniform, Min: 10, Max: 13},
			lo: 10, hi: 13, mean: 11, tol: 1, every: true},
		{name: "uniform min == max", lat: Latency{Distribution: Uniform, Min: 3 * time.Millisecond, Max: 3 * time.Millisecond},
			lo: 3 * time.Millisecond, hi: 3 * time.Millisecond, mean: 3 * time.Millisecond},
		{name: "exponential", lat: Latency{Distribution: Exponential, Floor: time.Millisecond, Mean: 2 * time.Millisecond},
			lo: time.Millisecond, hi: -1, mean: 3 * time.Millisecond, tol: 200 * time.Microsecond},
		{name: "exponential no floor", lat: Latency{Distribution: Exponential, Mean: time.Microsecond},
			lo: 0, hi: -1, mean: time.Microsecond, tol: 100 * time.Nanosecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(Config{Seed: 7, Latency: tt.lat})
			// The sender sends perTick messages every millisecond,
			// each carrying the time it was sent.
			e.Add("sender", &sender{rounds: rounds, perTick: perTick})
			var lats []time.Duration
			e.Add("receiver", stepFunc(func(env *tenv, in tinput) {
				if in.Kind == Deliver {
					lats = append(lats, env.Now().Sub(Time(in.Msg.n)))
				}
			}))
			res, err := e.Run(never)
			if err != nil {
				t.Fatal(err)
			}
			if len(lats) != rounds*perTick {
				t.Fatalf("%d messages delivered, want %d", len(lats), rounds*perTick)
			}
			var sum, largest time.Duration
			seen := map[time.Duration]bool{}
			for _, l := range lats {
				if l < tt.lo || (tt.hi >= 0 && l > tt.hi) {
					t.Fatalf("latency %v outside [%v, %v]", l, tt.lo, tt.hi)
				}
				sum += l
				largest = max(largest, l)
				seen[l] = true
			}
			if res.MaxLatency != largest {
				t.Errorf("Result.MaxLatency = %v, want the largest latency observed, %v", res.MaxLatency, largest)
			}
			mean := sum / time.Duration(len(lats))
			if d := mean - tt.mean; d > tt.tol || d < -tt.tol {
				t.Errorf("mean latency %v, want %v ± %v", mean, tt.mean, tt.tol)
			}
			if tt.hi != tt.lo && len(seen) < 4 {
				t.Errorf("only %d distinct latencies: the distribution does not spread", len(seen))
			}
			if tt.every {
				for l := tt.lo; l <= tt.hi; l++ {
					if !seen[l] {
						t.Errorf("latency %v never drawn", l)
					}
				}
			}
			if tt.hi < 0 && largest <= tt.lo+tt.mean {
				t.Errorf("no latency above floor+mean %v: no tail", tt.lo+tt.mean)
			}
		})
	}
}

// sender sends perTick messages every millisecond for rounds ticks, each
// carrying the time it was sent, to node 1.
type sender struct{ rounds, perTick, ticks int }

func (s *sender) Step(env *tenv, in tinput) {
	if in.Kind == Timer {
		for range s.perTick {
			env.Send(1, tmsg{"m", int64(env.Now())})
		}
		s.ticks++
	}
	if s.ticks < s.rounds {
		env.After(time.Millisecond, "tick")
	}
}

func TestLatencyValidate(t *testing.T) {
	tests := []struct {
		lat Latency
		ok  bool
	}{
		{fixed(0), true},
		{fixed(time.Millisecond), true},
		{fixed(-1), false},
		{Latency{Distribution: Uniform, Min: 0, Max: 0}, true},
		{Latency{Distribution: Uniform, Min: 1, Max: 2}, true},
		{Latency{Distribution: Uniform, Min: 2, Max: 1}, false},
		{Latency{Distribution: Uniform, Min: -1, Max: 1}, false},
		{Latency{Distribution: Exponential, Floor: 0, Mean: 1}, true},
		{Latency{Distribution: Exponential, Floor: 1, Mean: 0}, false},
		{Latency{Distribution: Exponential, Floor: -1, Mean: 1}, false},
		{Latency{Distribution: "normal", Fixed: 1}, false},
		{Latency{Fixed: 1}, false},
	}
	for _, tt := range tests {
		err := tt.lat.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%+v: Validate() = %v, want ok %t", tt.lat, err, tt.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "sim: ") {
			t.Errorf("%+v: error %q lacks the package prefix", tt.lat, err)
		}
	}
}

func TestNewPanicsOnInvalidLatency(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New accepted a negative fixed latency")
		}
	}()
	newEngine(Config{Latency: fixed(-1)})
}

// TestStop covers every way a run ends without an error, on a node that
// ticks every 10ms.
func TestStop(t *testing.T) {
	const ms = Time(time.Millisecond)
	tests := []struct {
		name       string
		cfg        Config
		limit      int                   // ticks before the ticker stops; 0: never
		done       func(tk *ticker) bool // nil: never
		wantReason StopReason
		wantEvents int64
		wantNow    Time
	}{
		{name: "done at the start runs nothing", done: func(*ticker) bool { return true },
			wantReason: Done, wantEvents: 0, wantNow: 0},
		{name: "done after the third tick", done: func(tk *ticker) bool { return tk.ticks >= 3 },
			wantReason: Done, wantEvents: 4, wantNow: 30 * ms},
		{name: "idle once nothing is left", limit: 2,
			wantReason: Idle, wantEvents: 3, wantNow: 20 * ms},
		{name: "done when the queue empties is done", limit: 2, done: func(tk *ticker) bool { return tk.ticks >= 2 },
			wantReason: Done, wantEvents: 3, wantNow: 20 * ms},
		{name: "max time between events", cfg: Config{MaxTime: 35 * ms},
			wantReason: MaxTimeReached, wantEvents: 4, wantNow: 35 * ms},
		{name: "event at max time runs", cfg: Config{MaxTime: 30 * ms},
			wantReason: MaxTimeReached, wantEvents: 4, wantNow: 30 * ms},
		{name: "max events", cfg: Config{MaxEvents: 5},
			wantReason: MaxEventsReached, wantEvents: 5, wantNow: 40 * ms},
		{name: "done takes precedence over max events", cfg: Config{MaxEvents: 4}, done: func(tk *ticker) bool { return tk.ticks >= 3 },
			wantReason: Done, wantEvents: 4, wantNow: 30 * ms},
		{name: "limits not reached", cfg: Config{MaxTime: 100 * ms, MaxEvents: 100}, limit: 5,
			wantReason: Idle, wantEvents: 6, wantNow: 50 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Latency = fixed(time.Millisecond)
			e := newEngine(cfg)
			tk := &ticker{period: 10 * time.Millisecond, limit: tt.limit}
			e.Add("ticker", tk)
			var times []Time
			e.Observe(observerFunc(func(s *tstep) { times = append(times, s.Time) }))
			done := never
			if tt.done != nil {
				done = func() bool { return tt.done(tk) }
			}
			res, err := e.Run(done)
			if err != nil {
				t.Fatal(err)
			}
			if res.Reason != tt.wantReason || res.Events != tt.wantEvents || res.Now != tt.wantNow {
				t.Errorf("Result = %v after %d events at %v, want %v after %d at %v",
					res.Reason, res.Events, res.Now, tt.wantReason, tt.wantEvents, tt.wantNow)
			}
			if int64(len(times)) != res.Events {
				t.Errorf("observers saw %d steps, Result.Events = %d", len(times), res.Events)
			}
			for _, at := range times {
				if tt.cfg.MaxTime > 0 && at > tt.cfg.MaxTime {
					t.Errorf("event at %v processed after MaxTime %v", at, tt.cfg.MaxTime)
				}
			}
		})
	}
}

// observerFunc is an observer that only looks after each step.
type observerFunc func(s *tstep)

func (f observerFunc) BeforeStep(Time, NodeID) {}
func (f observerFunc) AfterStep(s *tstep)      { f(s) }

// TestRunErrors shows that a node breaking the engine's rules stops the run
// with an error at the step that broke them. Node alice misbehaves on a
// timer at 5ms; bob and carol are idle.
func TestRunErrors(t *testing.T) {
	const ms = Time(time.Millisecond)
	tests := []struct {
		name      string
		restrict  []NodeID // nil: alice is not restricted
		act       func(env *tenv)
		forbidden bool     // the error wraps ErrForbiddenSend
		mention   []string // the error mentions these; nil: no error
	}{
		{name: "send to a node not allowed", restrict: []NodeID{1},
			act:       func(env *tenv) { env.Send(2, tmsg{"hello", 0}) },
			forbidden: true, mention: []string{"alice", "carol", "bob", "hello"}},
		{name: "second send not allowed", restrict: []NodeID{1},
			act:       func(env *tenv) { env.Send(1, tmsg{"ok", 0}); env.Send(0, tmsg{"self", 0}) },
			forbidden: true, mention: []string{"alice sent self to alice", "bob"}},
		{name: "send to allowed nodes", restrict: []NodeID{2, 1},
			act: func(env *tenv) { env.Send(1, tmsg{"a", 0}); env.Send(2, tmsg{"b", 0}) }},
		{name: "unrestricted node sends anywhere",
			act: func(env *tenv) { env.Send(0, tmsg{"a", 0}); env.Send(2, tmsg{"b", 0}) }},
		{name: "send to a node past the last",
			act:     func(env *tenv) { env.Send(3, tmsg{"hello", 0}) },
			mention: []string{"alice", "unknown node 3"}},
		{name: "send to a negative node",
			act:     func(env *tenv) { env.Send(-1, tmsg{"hello", 0}) },
			mention: []string{"alice", "unknown node -1"}},
		{name: "restricted send to a node past the last", restrict: []NodeID{1},
			act:     func(env *tenv) { env.Send(7, tmsg{"hello", 0}) },
			mention: []string{"alice", "unknown node 7"}},
		{name: "timer in the past",
			act:     func(env *tenv) { env.After(-time.Nanosecond, "oops") },
			mention: []string{"alice", `"oops"`}},
		{name: "timer of zero", act: func(env *tenv) { env.After(0, "fine") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(Config{Latency: fixed(time.Millisecond)})
			alice := e.Add("alice", stepFunc(func(env *tenv, in tinput) {
				switch {
				case in.Kind == Start:
					env.After(5*time.Millisecond, "act")
				case in.Timer == "act":
					tt.act(env)
				}
			}))
			e.Add("bob", idle)
			e.Add("carol", idle)
			if tt.restrict != nil {
				e.Restrict(alice, tt.restrict...)
			}
			log := logSteps(e)
			res, err := e.Run(never)

			if tt.mention == nil {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				if res.Reason != Idle {
					t.Errorf("Reason = %v, want idle", res.Reason)
				}
				return
			}
			if err == nil {
				t.Fatalf("Run succeeded with %v after %d events", res.Reason, res.Events)
			}
			if got := errors.Is(err, ErrForbiddenSend); got != tt.forbidden {
				t.Errorf("errors.Is(%q, ErrForbiddenSend) = %t, want %t", err, got, tt.forbidden)
			}
			for _, s := range tt.mention {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if !strings.HasPrefix(err.Error(), "sim: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if res.Reason != Aborted || res.Now != 5*ms || res.Events != 4 {
				t.Errorf("Result = %v at %v after %d events, want aborted at 5ms after 4", res.Reason, res.Now, res.Events)
			}
			// Observers never see the step that broke the rules.
			want := []string{"0.000ms alice start", "0.000ms bob start", "0.000ms carol start"}
			if !slices.Equal(log.lines, want) {
				t.Errorf("observers saw %q, want %q", log.lines, want)
			}
		})
	}
}

// TestRestrictToNobody: Restrict documents that the node may then send
// only to the nodes given, so with none given it may send to no one. A
// node restricted so must not be able to send at all.
func TestRestrictToNobody(t *testing.T) {
	e := newEngine(Config{Latency: fixed(time.Millisecond)})
	a := e.Add("a", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Start {
			env.Send(1, tmsg{"hello", 0})
		}
	}))
	e.Add("b", idle)
	e.Restrict(a)
	res, err := e.Run(never)
	if !errors.Is(err, ErrForbiddenSend) {
		t.Errorf("a node restricted to no one sent a message: Run = %v, %v; want an error wrapping ErrForbiddenSend", res.Reason, err)
	}
}

// gossip builds a run in which nodes pass a message around, each forwarding
// it to a peer, some number of hops. With random set, each node picks the
// peer and what to add from its own random stream.
func gossip(seed int64, lat Latency, random bool, w *bytes.Buffer) *tengine {
	const nodes, hops = 4, 40
	e := newEngine(Config{Seed: seed, Latency: lat})
	for i := range nodes {
		e.Add(fmt.Sprintf("node-%d", i), stepFunc(func(env *tenv, in tinput) {
			next := (env.Self() + 1) % nodes
			add := int64(1)
			if random {
				next = NodeID(env.Choose("next", nodes))
				add = int64(env.Choose("add", 100))
			}
			switch in.Kind {
			case Start:
				env.Send(next, tmsg{"gossip", add})
			case Deliver:
				env.Record(tnote{"heard", strconv.FormatInt(in.Msg.n, 10)})
				if int(in.ID) < hops {
					env.Send(next, tmsg{"gossip", in.Msg.n + add})
				}
			}
		}))
	}
	if w != nil {
		e.Observe(NewJSONLWriter(w, e))
	}
	return e
}

func trace(t *testing.T, seed int64, lat Latency, random bool) string {
	t.Helper()
	var b bytes.Buffer
	e := gossip(seed, lat, random, &b)
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDeterminism: the trace of a run is a function of the seed.
func TestDeterminism(t *testing.T) {
	uniform := Latency{Distribution: Uniform, Min: time.Millisecond, Max: 10 * time.Millisecond}
	exponential := Latency{Distribution: Exponential, Floor: time.Millisecond, Mean: 4 * time.Millisecond}
	tests := []struct {
		name         string
		lat          Latency
		random       bool // nodes draw from their streams
		seedA, seedB int64
		same         bool
	}{
		{"same seed, uniform", uniform, true, 42, 42, true},
		{"same seed, exponential", exponential, true, -5, -5, true},
		{"different seeds, uniform", uniform, false, 42, 43, false},
		{"different seeds, exponential", exponential, false, 1, 2, false},
		{"different seeds, fixed, random nodes", fixed(time.Millisecond), true, 1, 2, false},
		// Nothing draws a random number, so the seed cannot matter.
		{"different seeds, nothing random", fixed(time.Millisecond), false, 1, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := trace(t, tt.seedA, tt.lat, tt.random)
			b := trace(t, tt.seedB, tt.lat, tt.random)
			if n := strings.Count(a, "\n"); n < 40 {
				t.Fatalf("trace of only %d lines:\n%s", n, a)
			}
			if (a == b) != tt.same {
				t.Errorf("seeds %d and %d: traces equal = %t, want %t", tt.seedA, tt.seedB, a == b, tt.same)
			}
		})
	}
}

// TestRandomStreamsIndependent: a node's random stream depends on the seed
// and its ID only, not on how many nodes there are or what the network
// draws.
func TestRandomStreamsIndependent(t *testing.T) {
	draws := func(seed int64, lat Latency, others int) []uint64 {
		e := newEngine(Config{Seed: seed, Latency: lat})
		var got []uint64
		e.Add("x", stepFunc(func(env *tenv, in tinput) {
			got = append(got, uint64(env.Choose("draw", math.MaxInt)))
			if len(got) < 5 {
				env.After(time.Millisecond, "again")
			}
		}))
		for i := range others {
			// Chatty nodes that use the network and their own streams.
			e.Add(fmt.Sprintf("o%d", i), stepFunc(func(env *tenv, in tinput) {
				env.Choose("draw", math.MaxInt)
				if in.Kind == Start || (in.Kind == Deliver && in.Msg.n < 20) {
					env.Send(NodeID(1+(i+1)%others), tmsg{"chat", in.Msg.n + 1})
				}
			}))
		}
		if _, err := e.Run(never); err != nil {
			t.Fatal(err)
		}
		return got
	}
	uniform := Latency{Distribution: Uniform, Min: 0, Max: 5 * time.Millisecond}
	base := draws(9, fixed(time.Millisecond), 0)
	if len(base) != 5 {
		t.Fatalf("%d draws, want 5", len(base))
	}
	tests := []struct {
		name   string
		lat    Latency
		others int
	}{
		{"two more nodes", fixed(time.Millisecond), 2},
		{"random network", uniform, 3},
	}
	for _, tt := range tests {
		if got := draws(9, tt.lat, tt.others); !slices.Equal(got, base) {
			t.Errorf("%s: node 0 drew %v, want %v", tt.name, got, base)
		}
	}
	if got := draws(10, fixed(time.Millisecond), 0); slices.Equal(got, base) {
		t.Errorf("seeds 9 and 10 give node 0 the same draws %v", got)
	}

	// Each node has a stream of its own.
	e := newEngine(Config{Seed: 9, Latency: fixed(time.Millisecond)})
	first := make([]uint64, 3)
	for i := range first {
		e.Add(fmt.Sprintf("n%d", i), stepFunc(func(env *tenv, in tinput) { first[i] = uint64(env.Choose("draw", math.MaxInt)) }))
	}
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	if first[0] != base[0] {
		t.Errorf("node 0 of 3 drew %d first, want %d", first[0], base[0])
	}
	if first[0] == first[1] || first[1] == first[2] || first[0] == first[2] {
		t.Errorf("nodes share a random stream: first draws %v", first)
	}
}

func TestSentCounts(t *testing.T) {
	tests := []struct {
		name  string
		kinds []string // sent by node 0 at start, in this order
		want  []KindCount
	}{
		{"none", nil, nil},
		{"one", []string{"ping"}, []KindCount{{"ping", 1}}},
		{"sorted by kind", []string{"zeta", "alpha", "mid", "zeta", "alpha", "zeta", "Zulu"},
			[]KindCount{{"Zulu", 1}, {"alpha", 2}, {"mid", 1}, {"zeta", 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(Config{Latency: fixed(time.Millisecond)})
			e.Add("s", stepFunc(func(env *tenv, in tinput) {
				if in.Kind == Start {
					for _, k := range tt.kinds {
						env.Send(1, tmsg{k, 0})
					}
				}
			}))
			e.Add("r", idle)
			res, err := e.Run(never)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Sent, tt.want) {
				t.Errorf("Sent = %v, want %v", res.Sent, tt.want)
			}
		})
	}
}

// TestObservers: observers are called in the order registered, BeforeStep
// sees the node's state before its step and AfterStep after.
func TestObservers(t *testing.T) {
	e := newEngine(Config{Latency: fixed(time.Millisecond)})
	count := 0
	e.Add("n", stepFunc(func(env *tenv, in tinput) {
		count++
		if count < 2 {
			env.After(time.Millisecond, "t")
		}
	}))
	var log []string
	for _, name := range []string{"A", "B"} {
		e.Observe(&funcObserver{
			before: func(tm Time, n NodeID) {
				log = append(log, fmt.Sprintf("%s before %v node %d count %d", name, tm, n, count))
			},
			after: func(s *tstep) { log = append(log, fmt.Sprintf("%s after %v count %d", name, s.Time, count)) },
		})
	}
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"A before 0.000ms node 0 count 0",
		"B before 0.000ms node 0 count 0",
		"A after 0.000ms count 1",
		"B after 0.000ms count 1",
		"A before 1.000ms node 0 count 1",
		"B before 1.000ms node 0 count 1",
		"A after 1.000ms count 2",
		"B after 1.000ms count 2",
	}
	if !slices.Equal(log, want) {
		t.Errorf("observers saw\n%s\nwant\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

type funcObserver struct {
	before func(Time, NodeID)
	after  func(*tstep)
}

func (o *funcObserver) BeforeStep(t Time, n NodeID) { o.before(t, n) }
func (o *funcObserver) AfterStep(s *tstep)          { o.after(s) }

// TestJSONLExact pins the trace of a small run, byte for byte: a ping
// answered by a pong, a timer, notes, and names that need escaping.
func TestJSONLExact(t *testing.T) {
	e := newEngine(Config{Latency: fixed(2 * time.Millisecond)})
	e.Add("pinger", stepFunc(func(env *tenv, in tinput) {
		switch in.Kind {
		case Start:
			env.Send(1, tmsg{"ping", 7})
			env.After(time.Millisecond, "t\n")
		case Deliver:
			env.Record(tnote{"done", ""})
		}
	}))
	e.Add(`echo "q" \`, stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Deliver {
			env.Record(tnote{"got", "tab\there"})
			env.Record(tnote{"again", "x"})
			env.Send(in.From, tmsg{"pong", in.Msg.n + 1})
		}
	}))
	var b bytes.Buffer
	w := NewJSONLWriter(&b, e)
	e.Observe(w)
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	if w.Err() != nil {
		t.Fatal(w.Err())
	}
	const echo = `"echo \"q\" \\"`
	want := strings.ReplaceAll(`{"t":0,"event":"start","node":"pinger"}
{"t":0,"event":"send","node":"pinger","id":1,"from":"pinger","to":ECHO,"msg":"ping","n":7,"arrive":2000000}
{"t":0,"event":"start","node":ECHO}
{"t":1000000,"event":"timer","node":"pinger","timer":"t\u000a"}
{"t":2000000,"event":"recv","node":ECHO,"id":1,"from":"pinger","to":ECHO,"msg":"ping","n":7}
{"t":2000000,"event":"got","node":ECHO,"text":"tab\u0009here"}
{"t":2000000,"event":"again","node":ECHO,"text":"x"}
{"t":2000000,"event":"send","node":ECHO,"id":2,"from":ECHO,"to":"pinger","msg":"pong","n":8,"arrive":4000000}
{"t":4000000,"event":"recv","node":"pinger","id":2,"from":ECHO,"to":"pinger","msg":"pong","n":8}
{"t":4000000,"event":"done","node":"pinger","text":""}
`, "ECHO", echo)
	if got := b.String(); got != want {
		t.Errorf("trace:\n%s\nwant:\n%s", got, want)
	}
}

// TestJSONLStructure checks a longer trace line by line: every line is a
// JSON object with t, event and node; time never goes back; the records of a
// step (notes, sends) follow the record of the input that caused it; and
// every send has a recv with the same ID at its arrival time.
func TestJSONLStructure(t *testing.T) {
	e := gossip(3, Latency{Distribution: Uniform, Min: 0, Max: 3 * time.Millisecond}, true, nil)
	// A timer too, so that every kind of record appears.
	e.Add("timer", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Start {
			env.After(time.Millisecond, "t")
		}
	}))
	var b bytes.Buffer
	e.Observe(NewJSONLWriter(&b, e))
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}

	type record = map[string]any
	var recs []record
	for i, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d %q: %v", i+1, line, err)
		}
		for _, k := range []string{"t", "event", "node"} {
			if _, ok := r[k]; !ok {
				t.Fatalf("line %d %q has no %q", i+1, line, k)
			}
		}
		if _, ok := r["t"].(float64); !ok {
			t.Fatalf("line %d %q: t is not a number", i+1, line)
		}
		recs = append(recs, r)
	}
	count := map[string]int{}
	recvs := map[float64]record{}
	var head record // the record of the input of the current step
	for i, r := range recs {
		ev := r["event"].(string)
		count[ev]++
		if i > 0 && r["t"].(float64) < recs[i-1]["t"].(float64) {
			t.Fatalf("record %d goes back in time: %v after %v", i+1, r, recs[i-1])
		}
		switch ev {
		case "start", "recv", "timer":
			head = r
			if ev == "recv" {
				recvs[r["id"].(float64)] = r
			}
		default:
			// A note or a send belongs to the step begun by head.
			if head == nil || head["t"] != r["t"] || head["node"] != r["node"] {
				t.Fatalf("record %d %v does not follow the record of its step's input (last was %v)", i+1, r, head)
			}
		}
	}
	for _, ev := range []string{"start", "recv", "send", "timer", "heard"} {
		if count[ev] == 0 {
			t.Errorf("no %q record in the trace", ev)
		}
	}
	if count["send"] != count["recv"] || count["heard"] != count["recv"] {
		t.Errorf("%d sends, %d recvs, %d notes; want all equal", count["send"], count["recv"], count["heard"])
	}
	for _, r := range recs {
		if r["event"] != "send" {
			continue
		}
		recv, ok := recvs[r["id"].(float64)]
		if !ok {
			t.Errorf("send %v never received", r)
			continue
		}
		for _, k := range []string{"from", "to", "msg", "n"} {
			if recv[k] != r[k] {
				t.Errorf("send %v and recv %v differ in %q", r, recv, k)
			}
		}
		if recv["t"] != r["arrive"] {
			t.Errorf("send %v arrives at %v, received at %v", r, r["arrive"], recv["t"])
		}
	}
}

// failingWriter fails every write after the first ok ones.
type failingWriter struct{ ok, calls int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.calls++
	if w.calls > w.ok {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestJSONLWriteError(t *testing.T) {
	e := newEngine(Config{Latency: fixed(time.Millisecond)})
	e.Add("p", &ticker{period: time.Millisecond, limit: 10})
	fw := &failingWriter{ok: 2}
	w := NewJSONLWriter(fw, e)
	e.Observe(w)
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	if w.Err() == nil || w.Err().Error() != "disk full" {
		t.Errorf("Err() = %v, want the write error", w.Err())
	}
	if fw.calls != 3 {
		t.Errorf("%d writes, want 3: none after the first failure", fw.calls)
	}
}

func TestAppendJSONOptInt(t *testing.T) {
	for _, tt := range []struct {
		v    int64
		ok   bool
		want string
	}{{0, false, "prefix:null"}, {7, false, "prefix:null"}, {0, true, "prefix:0"}, {-42, true, "prefix:-42"}} {
		if got := string(AppendJSONOptInt([]byte("prefix:"), tt.v, tt.ok)); got != tt.want {
			t.Errorf("AppendJSONOptInt(%d, %t) = %s, want %s", tt.v, tt.ok, got, tt.want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" : only check the round trip
	}{
		{"", `""`},
		{"plain", `"plain"`},
		{`say "hi"`, `"say \"hi\""`},
		{`C:\dir\`, `"C:\\dir\\"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"line\nbreak\r\ttab", `"line\u000abreak\u000d\u0009tab"`},
		{"\x7f and space ", "\"\x7f and space \""},
		{`\"`, `"\\\""`},
		{"héllo, 世界 🎉", `"héllo, 世界 🎉"`},
		{"</script>&", `"</script>&"`},
		{"\u2028\u2029", ""},
	}
	for _, tt := range tests {
		b := AppendJSONString([]byte("prefix:"), tt.in)
		got, ok := bytes.CutPrefix(b, []byte("prefix:"))
		if !ok {
			t.Errorf("AppendJSONString(%q) lost what it appended to: %q", tt.in, b)
			continue
		}
		if tt.want != "" && string(got) != tt.want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("AppendJSONString(%q) = %s, not valid JSON: %v", tt.in, got, err)
			continue
		}
		if back != tt.in {
			t.Errorf("AppendJSONString(%q) = %s, which decodes to %q", tt.in, got, back)
		}
	}
}

func TestTimeString(t *testing.T) {
	tests := []struct {
		t    Time
		want string
	}{
		{0, "0.000ms"},
		{12345678, "12.345ms"},
		{1500, "0.001ms"},
		{999, "0.000ms"},
		{Time(time.Millisecond), "1.000ms"},
		{Time(10*time.Millisecond + 10*time.Microsecond), "10.010ms"},
		{Time(time.Second + 100*time.Microsecond), "1000.100ms"},
		{Time(time.Hour), "3600000.000ms"},
		{-1500, "-0.001ms"},
		{-12345678, "-12.345ms"},
		{math.MaxInt64, "9223372036854.775ms"},
		{math.MinInt64, "-9223372036854.775ms"},
		{-999, "-0.000ms"},
		{Time(1<<32) * 1000, "4294967.296ms"},   // past 32 bits of microseconds
		{Time(1<<32-1) * 1000, "4294967.295ms"}, // the last within them
		{Time(5e15 + 7e3), "5000000000.007ms"},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("Time(%d).String() = %q, want %q", int64(tt.t), got, tt.want)
		}
		if got := string(tt.t.AppendText([]byte("at "))); got != "at "+tt.want {
			t.Errorf("Time(%d).AppendText = %q, want %q", int64(tt.t), got, "at "+tt.want)
		}
	}
}

func TestTimeArithmetic(t *testing.T) {
	t0 := Time(5 * time.Millisecond)
	if got := t0.Add(1500 * time.Microsecond); got != Time(6500*time.Microsecond) {
		t.Errorf("5ms + 1.5ms = %v", got)
	}
	if got := t0.Sub(Time(2 * time.Millisecond)); got != 3*time.Millisecond {
		t.Errorf("5ms - 2ms = %v", got)
	}
	if got := Time(0).Sub(t0); got != -5*time.Millisecond {
		t.Errorf("0 - 5ms = %v", got)
	}
}

// TestManyNodes runs enough nodes for the engine to read node states ahead
// of their steps (warmFrom): each node passes a token to the next for a
// few hops. Reading ahead must change nothing: every hop happens, in the
// order of time.
func TestManyNodes(t *testing.T) {
	const n, hops = warmFrom + 100, 3
	e := newEngine(Config{Seed: 1, Latency: Latency{Distribution: Uniform, Min: time.Millisecond, Max: 5 * time.Millisecond}})
	received := make([]int, n)
	for i := range n {
		e.Add(fmt.Sprintf("node-%d", i+1), stepFunc(func(env *tenv, in tinput) {
			switch {
			case in.Kind == Start:
				env.Send(NodeID((i+1)%n), tmsg{kind: "token", n: 1})
			case in.Kind == Deliver && in.Msg.n < hops:
				received[i]++
				env.Send(NodeID((i+1)%n), tmsg{kind: "token", n: in.Msg.n + 1})
			case in.Kind == Deliver:
				received[i]++
			}
		}))
	}
	var last Time
	e.Observe(observerFunc(func(s *tstep) {
		if s.Time < last {
			t.Fatalf("step at %v after one at %v", s.Time, last)
		}
		last = s.Time
	}))
	r, err := e.Run(func() bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(n + n*hops); r.Events != want {
		t.Errorf("%d events, want %d", r.Events, want)
	}
	for i, got := range received {
		if got != hops {
			t.Fatalf("node-%d received %d tokens, want %d", i+1, got, hops)
		}
	}
}

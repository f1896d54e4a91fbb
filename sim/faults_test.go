package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const ms = Time(time.Millisecond)

// faultLog is an observer that writes one line per step, faults included,
// "<time> <node> <what>", with "net" for steps of the whole network. It
// also checks what every step must satisfy: network-wide steps have Node
// NoNode, only drops have a Reason, and BeforeStep comes just before the
// steps of a node and of no others.
type faultLog struct {
	e      *tengine
	lines  []string
	errs   []string
	before NodeID // the node BeforeStep announced, or NoNode
}

func logFaults(e *tengine) *faultLog {
	l := &faultLog{e: e, before: NoNode}
	e.Observe(l)
	return l
}

func (l *faultLog) BeforeStep(t Time, node NodeID) {
	if l.before != NoNode {
		l.errs = append(l.errs, fmt.Sprintf("%v: BeforeStep(%d) twice in a row", t, node))
	}
	l.before = node
}

func (l *faultLog) AfterStep(s *tstep) {
	who := l.e.Name(s.Node)
	if s.Node == NoNode {
		who = "net"
	}
	var what string
	switch s.In.Kind {
	case Start:
		what = "start"
	case Deliver:
		what = fmt.Sprintf("recv %s#%d id %d from %s", s.In.Msg.kind, s.In.Msg.n, s.In.ID, l.e.Name(s.In.From))
	case Timer:
		what = "timer " + s.In.Timer
	case Drop:
		what = fmt.Sprintf("drop %s#%d id %d from %s: %s", s.In.Msg.kind, s.In.Msg.n, s.In.ID, l.e.Name(s.In.From), s.Reason)
	case CrashKind:
		what = fmt.Sprintf("crash %d %s", s.Crash, durability(s.In.Durable))
	case Recover:
		what = fmt.Sprintf("restart %d %s", s.Crash, durability(s.In.Durable))
	case PartitionStart:
		what = fmt.Sprintf("partition %d", s.Partition)
	case PartitionEnd:
		what = fmt.Sprintf("partition_heal %d", s.Partition)
	case FaultsEnd:
		what = "faults_end"
	default:
		what = "invalid input"
	}
	line := fmt.Sprintf("%v %s %s", s.Time, who, what)
	l.lines = append(l.lines, line)

	fail := func(format string, args ...any) {
		l.errs = append(l.errs, line+": "+fmt.Sprintf(format, args...))
	}
	stepped := s.In.Kind == Start || s.In.Kind == Deliver || s.In.Kind == Timer || s.In.Kind == Recover
	switch {
	case stepped && l.before != s.Node:
		fail("node stepped, but BeforeStep announced node %d", l.before)
	case !stepped && l.before != NoNode:
		fail("no node steps, but BeforeStep announced node %d", l.before)
	}
	l.before = NoNode
	network := s.In.Kind == PartitionStart || s.In.Kind == PartitionEnd || s.In.Kind == FaultsEnd
	if network != (s.Node == NoNode) {
		fail("Node = %d", s.Node)
	}
	if (s.In.Kind == Drop) != (s.Reason != "") {
		fail("Reason = %q", s.Reason)
	}
	if !stepped && (len(s.Notes) > 0 || len(s.Sends) > 0) {
		fail("a step no node handles has notes %v or sends %v", s.Notes, s.Sends)
	}
}

func durability(durable bool) string {
	if durable {
		return "durable"
	}
	return "volatile"
}

// plan is a node that sends messages "m" at the given times: at Start it
// arms a timer "send#n" for each, and sends m#n to the node when it fires.
type plan []planned

type planned struct {
	at time.Duration // since time 0
	to NodeID
	n  int64
}

func (p plan) Step(env *tenv, in tinput) {
	switch in.Kind {
	case Start:
		for _, s := range p {
			env.After(s.at, fmt.Sprintf("send#%d", s.n))
		}
	case Timer:
		for _, s := range p {
			if in.Timer == fmt.Sprintf("send#%d", s.n) {
				env.Send(s.to, tmsg{"m", s.n})
			}
		}
	}
}

// arms is a node that arms the given timers at Start, each named after
// when it fires, and one more, "new", 1ms after a Recover.
func arms(at ...Time) stepFunc {
	return func(env *tenv, in tinput) {
		switch in.Kind {
		case Start:
			for _, t := range at {
				env.After(t.Sub(0), "armed@"+t.String())
			}
		case Recover:
			env.After(time.Millisecond, "new")
		}
	}
}

// failedSchedule formats a schedule and the one expected, one after the
// other.
func failedSchedule(got, want []string) string {
	return fmt.Sprintf("schedule:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
}

// counted counts the steps of the node it wraps.
type counted struct {
	Node[tmsg, tnote]
	steps *int
}

func (c counted) Step(env *tenv, in tinput) {
	*c.steps++
	c.Node.Step(env, in)
}

// TestFaultSchedules pins what each fault does to a small run, step by
// step. The latency is a fixed 1ms throughout, so every arrival time is
// known. Fault events are scheduled when the run starts, after the nodes'
// starts, so they come before every timer and message due at the same
// instant.
func TestFaultSchedules(t *testing.T) {
	const (
		a NodeID = iota
		b
		c
		d
	)
	type node struct {
		name string
		n    Node[tmsg, tnote]
	}
	const us = time.Microsecond
	tests := []struct {
		name   string
		faults Faults
		nodes  []node
		want   []string
		// The Result, apart from Reason (always idle) and Events (always
		// one per line of want).
		dropped, dups int64
		healedAt      Time // when the faults ended; -1: they did not
	}{
		{
			name:   "loss 1 drops every delivery on arrival, at the receiver",
			faults: Faults{Loss: 1},
			nodes: []node{
				{"a", stepFunc(func(env *tenv, in tinput) {
					if in.Kind == Start {
						env.Send(b, tmsg{"m", 1})
						env.Send(b, tmsg{"m", 2})
						env.Send(a, tmsg{"m", 3})
					}
				})},
				{"b", idle},
			},
			want: []string{
				"0.000ms a start",
				"0.000ms b start",
				"1.000ms b drop m#1 id 1 from a: loss",
				"1.000ms b drop m#2 id 2 from a: loss",
				"1.000ms a drop m#3 id 3 from a: loss",
			},
			dropped: 3, healedAt: -1,
		},
		{
			name:   "duplicate 1 delivers every message twice under one ID",
			faults: Faults{Duplicate: 1},
			nodes: []node{
				{"a", plan{{0, b, 1}, {time.Millisecond, b, 2}}},
				{"b", idle},
			},
			want: []string{
				"0.000ms a start",
				"0.000ms b start",
				"0.000ms a timer send#1",
				"1.000ms a timer send#2",
				"1.000ms b recv m#1 id 1 from a",
				"1.000ms b recv m#1 id 1 from a",
				"2.000ms b recv m#2 id 2 from a",
				"2.000ms b recv m#2 id 2 from a",
			},
			dups: 2, healedAt: -1,
		},
		{
			// a and b form one group, c and d (named by no group)
			// the other. Whether a message crosses is decided when it
			// arrives: m#2 was sent before the partition and is cut,
			// m#5 was sent during it and arrives.
			name: "a partition cuts messages between groups during [At, Heal)",
			faults: Faults{Partitions: []Partition{
				{At: 2 * ms, Heal: 4 * ms, Groups: [][]NodeID{{a, b}}},
			}},
			nodes: []node{
				{"a", plan{{500 * us, c, 1}, {time.Millisecond, c, 2}, {time.Millisecond, b, 3}, {2500 * us, c, 4}, {3 * time.Millisecond, c, 5}}},
				{"b", idle},
				{"c", plan{{2 * time.Millisecond, d, 6}}},
				{"d", plan{{2 * time.Millisecond, a, 7}}},
			},
			want: []string{
				"0.000ms a start",
				"0.000ms b start",
				"0.000ms c start",
				"0.000ms d start",
				"0.500ms a timer send#1",
				"1.000ms a timer send#2",
				"1.000ms a timer send#3",
				"1.500ms c recv m#1 id 1 from a",
				"2.000ms net partition 0",
				"2.000ms c timer send#6",
				"2.000ms d timer send#7",
				"2.000ms c drop m#2 id 2 from a: partition",
				"2.000ms b recv m#3 id 3 from a", // within a group
				"2.500ms a timer send#4",
				"3.000ms a timer send#5",
				"3.000ms d recv m#6 id 4 from c", // within the unnamed group
				"3.000ms a drop m#7 id 5 from d: partition",
				"3.500ms c drop m#4 id 6 from a: partition",
				"4.000ms net partition_heal 0",
				"4.000ms c recv m#5 id 7 from a",
			},
			dropped: 3, healedAt: -1,
		},
		{
			// Partition 0 puts a alone, b and c together, and never
			// heals by itself; partition 1 puts b, c and a (unnamed)
			// in three groups for a while. A message must get through
			// every partition in force.
			name: "partitions overlap; heal 0 lasts until the faults end",
			faults: Faults{Until: 5 * ms, Partitions: []Partition{
				{At: 1 * ms, Groups: [][]NodeID{{a}}},
				{At: 2 * ms, Heal: 3 * ms, Groups: [][]NodeID{{b}, {c}}},
			}},
			nodes: []node{
				{"a", plan{{0, c, 1}, {3 * time.Millisecond, b, 4}, {4 * time.Millisecond, b, 5}}},
				{"b", plan{{time.Millisecond, c, 2}, {2500 * us, c, 3}}},
				{"c", plan{{0, b, 6}}},
			},
			want: []string{
				"0.000ms a start",
				"0.000ms b start",
				"0.000ms c start",
				"0.000ms a timer send#1",
				"0.000ms c timer send#6",
				"1.000ms net partition 0",
				"1.000ms b timer send#2",
				"1.000ms c drop m#1 id 1 from a: partition", // At <= t
				"1.000ms b recv m#6 id 2 from c",
				"2.000ms net partition 1",
				"2.000ms c drop m#2 id 3 from b: partition",
				"2.500ms b timer send#3",
				"3.000ms net partition_heal 1",
				"3.000ms a timer send#4",
				"3.500ms c recv m#3 id 4 from b", // partition 0 keeps b and c together
				"4.000ms a timer send#5",
				"4.000ms b drop m#4 id 5 from a: partition",
				"5.000ms net faults_end", // heals partition 0, with no partition_heal
				"5.000ms b recv m#5 id 6 from a",
			},
			dropped: 3, healedAt: 5 * ms,
		},
		{
			name:   "loss ends with the faults",
			faults: Faults{Loss: 1, Until: 2 * ms},
			nodes: []node{
				{"a", plan{{500 * us, b, 1}, {2 * time.Millisecond, b, 2}}},
				{"b", idle},
			},
			want: []string{
				"0.000ms a start",
				"0.000ms b start",
				"0.500ms a timer send#1",
				"1.500ms b drop m#1 id 1 from a: loss",
				"2.000ms net faults_end",
				"2.000ms a timer send#2",
				"3.000ms b recv m#2 id 2 from a",
			},
			dropped: 1, healedAt: 2 * ms,
		},
		{
			name:   "duplication ends with the faults",
			faults: Faults{Duplicate: 1, Until: 2 * ms},
			nodes: []node{
				{"a", plan{{500 * us, b, 1}, {2 * time.Millisecond, b, 2}}},
				{"b", idle},
			},
			want: []string{
				"0.000ms a start",
				"0.000ms b start",
				"0.500ms a timer send#1",
				"1.500ms b recv m#1 id 1 from a",
				"1.500ms b recv m#1 id 1 from a",
				"2.000ms net faults_end",
				"2.000ms a timer send#2",
				"3.000ms b recv m#2 id 2 from a",
			},
			dups: 1, healedAt: 2 * ms,
		},
		{
			// s's timers armed at its start go off at 3ms (while it is
			// down) and 6ms (after its restart): neither fires. The
			// timer it arms on restart does.
			name: "a crashed node receives nothing and loses its timers",
			faults: Faults{Until: 10 * ms, Crashes: []Crash{
				{Node: a, At: 2 * ms, Restart: 5 * ms, Durable: true},
			}},
			nodes: []node{
				{"s", arms(3*ms, 6*ms)},
				{"p", plan{{500 * us, a, 1}, {time.Millisecond, a, 2}, {3 * time.Millisecond, a, 3}, {5 * time.Millisecond, a, 4}}},
			},
			want: []string{
				"0.000ms s start",
				"0.000ms p start",
				"0.500ms p timer send#1",
				"1.000ms p timer send#2",
				"1.500ms s recv m#1 id 1 from p",
				"2.000ms s crash 0 durable",
				"2.000ms s drop m#2 id 2 from p: down",
				"3.000ms p timer send#3",
				"4.000ms s drop m#3 id 3 from p: down",
				"5.000ms s restart 0 durable",
				"5.000ms p timer send#4",
				"6.000ms s timer new",
				"6.000ms s recv m#4 id 4 from p",
				"10.000ms net faults_end", // s is up: no second restart
			},
			dropped: 2, healedAt: 10 * ms,
		},
		{
			name: "restart 0 restarts the node when the faults end",
			faults: Faults{Until: 3 * ms, Crashes: []Crash{
				{Node: a, At: 1 * ms},
			}},
			nodes: []node{{"s", arms(4 * ms)}},
			want: []string{
				"0.000ms s start",
				"1.000ms s crash 0 volatile",
				"3.000ms net faults_end",
				"3.000ms s restart 0 volatile",
				"4.000ms s timer new", // armed@4ms is gone
			},
			healedAt: 3 * ms,
		},
		{
			name: "crashed nodes restart in node order when the faults end",
			faults: Faults{Until: 3 * ms, Crashes: []Crash{
				{Node: b, At: 1 * ms},
				{Node: a, At: 2 * ms, Restart: 7 * ms, Durable: true},
			}},
			nodes: []node{{"a", idle}, {"b", idle}},
			want: []string{
				"0.000ms a start",
				"0.000ms b start",
				"1.000ms b crash 0 volatile",
				"2.000ms a crash 1 durable",
				"3.000ms net faults_end",
				"3.000ms a restart 1 durable",
				"3.000ms b restart 0 volatile",
				// a's own restart at 7ms finds it up: nothing.
			},
			healedAt: 3 * ms,
		},
		{
			name: "a crash when the faults end happens and is over at once",
			faults: Faults{Until: 3 * ms, Crashes: []Crash{
				{Node: a, At: 3 * ms, Durable: true},
			}},
			nodes: []node{{"s", arms()}},
			want: []string{
				"0.000ms s start",
				"3.000ms s crash 0 durable",
				"3.000ms net faults_end",
				"3.000ms s restart 0 durable",
				"4.000ms s timer new",
			},
			healedAt: 3 * ms,
		},
		{
			name: "crashes and partitions after the faults end never happen",
			faults: Faults{Until: 3 * ms,
				Crashes:    []Crash{{Node: a, At: 4 * ms, Restart: 6 * ms}},
				Partitions: []Partition{{At: 4 * ms, Heal: 5 * ms, Groups: [][]NodeID{{a}}}},
			},
			nodes: []node{
				{"s", arms(5 * ms)},
				{"p", plan{{4500 * us, a, 1}}},
			},
			want: []string{
				"0.000ms s start",
				"0.000ms p start",
				"3.000ms net faults_end",
				"4.500ms p timer send#1",
				"5.000ms s timer armed@5.000ms",
				"5.500ms s recv m#1 id 1 from p",
			},
			healedAt: 3 * ms,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(Config{Seed: 1, Latency: fixed(time.Millisecond), Faults: tt.faults})
			steps := make([]int, len(tt.nodes))
			for i, n := range tt.nodes {
				e.Add(n.name, counted{n.n, &steps[i]})
			}
			log := logFaults(e)
			res, err := e.Run(never)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(log.lines, tt.want) {
				t.Error(failedSchedule(log.lines, tt.want))
			}
			for _, msg := range log.errs {
				t.Error(msg)
			}
			// Only starts, deliveries, timers and restarts step a node.
			for i, n := range tt.nodes {
				want := 0
				for _, line := range log.lines {
					f := strings.Fields(line)
					if f[1] == n.name && slices.Contains([]string{"start", "recv", "timer", "restart"}, f[2]) {
						want++
					}
				}
				if steps[i] != want {
					t.Errorf("node %s stepped %d times, want %d", n.name, steps[i], want)
				}
			}
			ended := tt.healedAt >= 0
			var lat time.Duration // 1ms if any message was sent
			if slices.ContainsFunc(tt.want, func(l string) bool { return strings.Contains(l, " recv ") || strings.Contains(l, " drop ") }) {
				lat = time.Millisecond
			}
			want := Result{Reason: Idle, Now: res.Now, Events: int64(len(tt.want)), MaxLatency: lat,
				Dropped: tt.dropped, Duplicated: tt.dups, FaultsEnded: ended, HealedAt: max(tt.healedAt, 0)}
			res.Sent = nil
			if !reflect.DeepEqual(res, want) {
				t.Errorf("Result = %+v\nwant     %+v", res, want)
			}
		})
	}
}

// TestFaultRates sends thousands of messages through a lossy or duplicating
// network and checks that the share lost or duplicated is near the
// probability asked for. The run is deterministic, so the test cannot
// flake; the tolerance of four standard deviations of the binomial share,
// 4·sqrt(p(1-p)/n), only makes sure that the seeds were not picked to pass.
func TestFaultRates(t *testing.T) {
	const (
		rounds, perTick = 500, 10
		n               = rounds * perTick
	)
	tests := []struct {
		loss, dup float64
	}{
		{0.3, 0},
		{0, 0.3},
		{0.3, 0.3},
		{0.05, 0.9},
	}
	for _, tt := range tests {
		for seed := int64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("loss %v dup %v seed %d", tt.loss, tt.dup, seed), func(t *testing.T) {
				e := newEngine(Config{Seed: seed, Latency: Latency{Distribution: Uniform, Min: 0, Max: 2 * time.Millisecond},
					Faults: Faults{Loss: tt.loss, Duplicate: tt.dup}})
				e.Add("sender", &sender{rounds: rounds, perTick: perTick})
				e.Add("receiver", idle)
				var drops, recvs int64
				e.Observe(observerFunc(func(s *tstep) {
					switch {
					case s.In.Kind == Drop && s.Reason == DropLoss && s.Node == 1:
						drops++
					case s.In.Kind == Drop:
						t.Errorf("unexpected drop %+v", s)
					case s.In.Kind == Deliver:
						recvs++
					}
				}))
				res, err := e.Run(never)
				if err != nil {
					t.Fatal(err)
				}
				if res.Dropped != drops {
					t.Errorf("Result.Dropped = %d, observers saw %d drops", res.Dropped, drops)
				}
				if recvs != n-res.Dropped+res.Duplicated {
					t.Errorf("%d deliveries, want %d sent - %d lost + %d duplicated", recvs, n, res.Dropped, res.Duplicated)
				}
				// A lost message is never duplicated.
				check := func(what string, count int64, p float64) {
					t.Helper()
					got := float64(count) / n
					tol := 4 * math.Sqrt(p*(1-p)/n)
					if math.Abs(got-p) > tol {
						t.Errorf("%s %d of %d messages (%.4f), want %.4f ± %.4f", what, count, n, got, p, tol)
					}
				}
				check("lost", res.Dropped, tt.loss)
				check("duplicated", res.Duplicated, (1-tt.loss)*tt.dup)
			})
		}
	}
}

// chatter builds a run of four nodes that each send a message to a random
// node (their own random stream decides) every 0.5 to 1.5ms, 30 times, and
// note what they hear. A node that restarts starts over.
func chatter(cfg Config, w *bytes.Buffer) *tengine {
	const nodes, sends = 4, 30
	e := newEngine(cfg)
	for i := range nodes {
		count := 0
		e.Add(fmt.Sprintf("n%d", i), stepFunc(func(env *tenv, in tinput) {
			switch in.Kind {
			case Start, Recover:
				count = 0
			case Timer:
				count++
				env.Send(NodeID(env.Choose("to", nodes)), tmsg{"chat", int64(count)})
			case Deliver:
				env.Record(tnote{"heard", fmt.Sprint(in.Msg.n)})
				return
			}
			if count < sends {
				env.After(time.Duration(500+env.Choose("wait", 1000))*time.Microsecond, "tick")
			}
		}))
	}
	if w != nil {
		e.Observe(NewJSONLWriter(w, e))
	}
	return e
}

// sendLog is an observer that records every send with its arrival time, the
// network's latency draws made visible.
type sendLog []string

func (l *sendLog) BeforeStep(Time, NodeID) {}

func (l *sendLog) AfterStep(s *tstep) {
	for _, m := range s.Sends {
		*l = append(*l, fmt.Sprintf("%d %v->%d %v", m.ID, s.Node, m.To, m.Arrive))
	}
}

// TestNoFaultsNoDraws: faults that cannot change a message take nothing from
// the network's random stream, so a run draws the same latencies as with no
// faults at all, and with Loss and Duplicate 0 writes the very same trace.
func TestNoFaultsNoDraws(t *testing.T) {
	const seed = 11
	lat := Latency{Distribution: Uniform, Min: 100 * time.Microsecond, Max: 3 * time.Millisecond}
	run := func(t *testing.T, f Faults) (string, []string) {
		t.Helper()
		var b bytes.Buffer
		e := chatter(Config{Seed: seed, Latency: lat, Faults: f}, &b)
		sends := &sendLog{}
		e.Observe(sends)
		if _, err := e.Run(never); err != nil {
			t.Fatal(err)
		}
		return b.String(), *sends
	}
	baseTrace, baseSends := run(t, Faults{})
	if len(baseSends) != 4*30 {
		t.Fatalf("%d sends, want %d", len(baseSends), 4*30)
	}
	tests := []struct {
		name   string
		faults Faults
		// The trace is the base trace plus records of these events
		// (which never change what the nodes do), or differs in its
		// draws if nil.
		extra []string
	}{
		{"loss and duplicate 0", Faults{Loss: 0, Duplicate: 0}, []string{}},
		{"faults that end", Faults{Until: 5 * ms}, []string{"faults_end"}},
		{"a partition that separates no one", Faults{Until: 100 * ms,
			Partitions: []Partition{{At: 0, Heal: 10 * ms, Groups: [][]NodeID{{0, 1, 2, 3}}}}},
			[]string{"partition", "partition_heal", "faults_end"}},
		// Loss and duplication after the faults end draw nothing.
		{"loss that ends before the first send", Faults{Loss: 0.5, Duplicate: 0.5, Until: Time(100 * time.Microsecond)}, []string{"faults_end"}},
		// Controls: the test notices draws.
		{"loss", Faults{Loss: 0.01}, nil},
		{"duplicate", Faults{Duplicate: 0.01}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, sends := run(t, tt.faults)
			if tt.extra == nil {
				if slices.Equal(sends, baseSends) {
					t.Errorf("the latencies are those of a run without faults")
				}
				return
			}
			if !slices.Equal(sends, baseSends) {
				t.Errorf("sends and arrivals differ from a run without faults:\n%v\nwant\n%v", sends, baseSends)
			}
			var kept []string
			for _, line := range strings.SplitAfter(tr, "\n") {
				if !slices.ContainsFunc(tt.extra, func(ev string) bool { return strings.Contains(line, `"event":"`+ev+`"`) }) {
					kept = append(kept, line)
				}
			}
			if got := strings.Join(kept, ""); got != baseTrace {
				t.Errorf("trace differs from a run without faults")
			}
			if len(tt.extra) == 0 && tr != baseTrace {
				t.Errorf("trace is not byte-identical to a run without faults")
			}
			for _, ev := range tt.extra {
				if !strings.Contains(tr, `"event":"`+ev+`"`) {
					t.Errorf("no %q record", ev)
				}
			}
		})
	}
}

// TestDuplicateOwnLatency: each copy of a duplicated message travels with a
// latency of its own, under the message's one ID.
func TestDuplicateOwnLatency(t *testing.T) {
	const n = 50
	lat := Latency{Distribution: Uniform, Min: time.Millisecond, Max: 10 * time.Millisecond}
	e := newEngine(Config{Seed: 5, Latency: lat, Faults: Faults{Duplicate: 1}})
	e.Add("a", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Start {
			for i := range int64(n) {
				env.Send(1, tmsg{"m", i})
			}
		}
	}))
	arrivals := map[MsgID][]Time{}
	steps := 0
	e.Add("b", stepFunc(func(env *tenv, in tinput) {
		steps++
		if in.Kind == Deliver {
			if in.Msg.n != int64(in.ID)-1 {
				t.Errorf("message %d carries %d", in.ID, in.Msg.n)
			}
			arrivals[in.ID] = append(arrivals[in.ID], env.Now())
		}
	}))
	sent := map[MsgID][]Time{}
	e.Observe(observerFunc(func(s *tstep) {
		for _, m := range s.Sends {
			if !m.Duplicated {
				t.Errorf("message %d not duplicated", m.ID)
			}
			sent[m.ID] = []Time{m.Arrive, m.Again}
		}
	}))
	res, err := e.Run(never)
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicated != n || res.Dropped != 0 || steps != 1+2*n {
		t.Errorf("Duplicated %d, Dropped %d, b stepped %d times; want %d, 0, %d", res.Duplicated, res.Dropped, steps, n, 1+2*n)
	}
	apart := 0
	var largest time.Duration
	for id := MsgID(1); id <= n; id++ {
		at := arrivals[id]
		if len(at) != 2 {
			t.Errorf("message %d arrived %d times, want 2", id, len(at))
			continue
		}
		if want := sent[id]; !(want[0] == at[0] && want[1] == at[1] || want[0] == at[1] && want[1] == at[0]) {
			t.Errorf("message %d: the send record says its copies arrive at %v, but they arrived at %v", id, want, at)
		}
		if at[0] != at[1] {
			apart++
		}
		for _, a := range at {
			largest = max(largest, a.Sub(0))
		}
	}
	// 10 possible latencies: a pair agrees with probability 1/10.
	if apart < n/2 {
		t.Errorf("only %d of %d copies arrived apart: they share a latency", apart, n)
	}
	if res.MaxLatency != largest {
		t.Errorf("MaxLatency %v, want %v, the largest of either copy", res.MaxLatency, largest)
	}
}

// TestEndFaults ends the faults from an observer, as a protocol does when
// its safety phase is over: at the time of the step in progress, after it.
// The network heals at once (the message sent in that very step crosses
// what was a partition), crashed nodes restart, and a crash planned for
// later never happens. Calling EndFaults again changes nothing.
func TestEndFaults(t *testing.T) {
	const (
		s NodeID = iota
		a
		b
	)
	e := newEngine(Config{Latency: fixed(time.Millisecond), Faults: Faults{
		Partitions: []Partition{{At: 0, Groups: [][]NodeID{{a}}}},
		Crashes:    []Crash{{Node: s, At: 1 * ms, Durable: true}, {Node: b, At: 5 * ms, Restart: 6 * ms}},
	}})
	e.Add("s", arms())
	e.Add("a", stepFunc(func(env *tenv, in tinput) {
		switch in.Kind {
		case Start:
			env.Send(b, tmsg{"m", 1})
			env.After(2*time.Millisecond, "end")
		case Timer:
			env.Send(b, tmsg{"m", 2})
		}
	}))
	e.Add("b", idle)
	calls := 0
	e.Observe(observerFunc(func(st *tstep) {
		if st.In.Kind == Timer && st.In.Timer == "end" || calls > 0 {
			calls++
			e.EndFaults()
			e.EndFaults()
		}
	}))
	log := logFaults(e)
	res, err := e.Run(never)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"0.000ms s start",
		"0.000ms a start",
		"0.000ms b start",
		"0.000ms net partition 0",
		"1.000ms s crash 0 durable",
		"1.000ms b drop m#1 id 1 from a: partition",
		"2.000ms a timer end",
		"2.000ms net faults_end",
		"2.000ms s restart 0 durable",
		"3.000ms b recv m#2 id 2 from a", // sent before the restart armed s's timer
		"3.000ms s timer new",
	}
	if !slices.Equal(log.lines, want) {
		t.Error(failedSchedule(log.lines, want))
	}
	for _, msg := range log.errs {
		t.Error(msg)
	}
	if !res.FaultsEnded || res.HealedAt != 2*ms || res.Events != int64(len(want)) || res.Dropped != 1 {
		t.Errorf("Result %+v, want faults ended at 2ms, %d events, 1 dropped", res, len(want))
	}
}

// TestEndFaultsOnce: the faults end once, whoever ends them: an observer
// calling EndFaults on every step, before and after Until, yields a single
// faults_end record.
func TestEndFaultsOnce(t *testing.T) {
	for _, until := range []Time{0, 3 * ms} {
		t.Run(fmt.Sprintf("until %v", until), func(t *testing.T) {
			e := newEngine(Config{Latency: fixed(time.Millisecond), Faults: Faults{Until: until, Loss: 0.5}})
			e.Add("p", &ticker{period: time.Millisecond, limit: 5})
			e.EndFaults() // before Run: nothing to end yet
			ends := 0
			e.Observe(observerFunc(func(st *tstep) {
				if st.In.Kind == FaultsEnd {
					ends++
				}
				if st.Time >= 2*ms {
					e.EndFaults()
				}
			}))
			res, err := e.Run(never)
			if err != nil {
				t.Fatal(err)
			}
			if ends != 1 || !res.FaultsEnded || res.Events != 7 {
				t.Errorf("%d faults_end steps, FaultsEnded %t, %d events; want 1, true, 7", ends, res.FaultsEnded, res.Events)
			}
		})
	}
}

// TestTimerCancel arms and cancels timers: a timer cancelled before it goes
// off never does, whether cancelled in the step that armed it or later;
// cancelling a timer that went off already, or is going off now, changes
// nothing; cancelled timers are not events.
func TestTimerCancel(t *testing.T) {
	var x, y, z TimerID
	e := newEngine(Config{Latency: fixed(time.Millisecond)})
	e.Add("n", stepFunc(func(env *tenv, in tinput) {
		switch {
		case in.Kind == Start:
			x = env.After(5*time.Millisecond, "x")
			y = env.After(time.Millisecond, "y")
			z = env.After(0, "z")
			env.Cancel(z) // in the step that armed it
		case in.Timer == "y":
			env.Cancel(x)
			env.Cancel(y) // the timer going off
			env.After(time.Millisecond, "w")
		case in.Timer == "w":
			env.Cancel(y) // went off already
			env.Cancel(z) // cancelled already
			env.After(time.Millisecond, "v")
			env.After(time.Millisecond, "u")
		}
	}))
	log := logFaults(e)
	res, err := e.Run(never)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"0.000ms n start",
		"1.000ms n timer y",
		"2.000ms n timer w",
		"3.000ms n timer v",
		"3.000ms n timer u",
	}
	if !slices.Equal(log.lines, want) {
		t.Error(failedSchedule(log.lines, want))
	}
	if x == y || y == z || x == z {
		t.Errorf("timer IDs %d, %d, %d are not distinct", x, y, z)
	}
	if res.Events != int64(len(want)) {
		t.Errorf("Result.Events = %d, want %d: cancelled timers are no events", res.Events, len(want))
	}
}

// TestTimerIDsDistinct: every timer armed in a run, by any node in any
// step, gets an ID of its own.
func TestTimerIDsDistinct(t *testing.T) {
	e := newEngine(Config{Latency: fixed(time.Millisecond)})
	seen := map[TimerID]string{}
	for i := range 3 {
		name := fmt.Sprintf("n%d", i)
		count := 0
		e.Add(name, stepFunc(func(env *tenv, in tinput) {
			for range 3 {
				if count++; count > 12 {
					return
				}
				id := env.After(time.Duration(i+1)*time.Millisecond, "t")
				if prev, ok := seen[id]; ok {
					t.Errorf("%s got timer ID %d, already %s's", name, id, prev)
				}
				seen[id] = name
			}
		}))
	}
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 36 {
		t.Errorf("%d timers armed, want 36", len(seen))
	}
}

// TestCancelledTimerLeavesClock: a cancelled timer is not processed, so a
// run whose last live event is at 3ms ends at 3ms, however late the
// cancelled timer was due.
func TestCancelledTimerLeavesClock(t *testing.T) {
	e := newEngine(Config{Latency: fixed(time.Millisecond)})
	e.Add("n", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Start {
			env.Cancel(env.After(9*time.Millisecond, "late"))
			env.After(3*time.Millisecond, "last")
		}
	}))
	res, err := e.Run(never)
	if err != nil {
		t.Fatal(err)
	}
	if res.Now != 3*ms || res.Events != 2 || res.Reason != Idle {
		t.Errorf("run ended %v at %v after %d events, want idle at 3ms after 2 (Result.Now is the time of the last event processed)", res.Reason, res.Now, res.Events)
	}
}

// TestOverlappingCrashes: a crash of a node that is down already does not
// happen (no crash step), so neither may its restart: the node stays down
// until the restart of the crash that took it down, and is told whether
// that crash kept its state. (scenarios rejects such crashes, but Faults
// does not.)
//
// It fails today: Engine.process restarts the node at 3ms on crash 1's
// Recover, with Step.Crash 1 and Durable true, though crash 0 (volatile)
// took it down; crash 0's restart at 5ms is then skipped.
func TestOverlappingCrashes(t *testing.T) {
	e := newEngine(Config{Latency: fixed(time.Millisecond), Faults: Faults{Crashes: []Crash{
		{Node: 0, At: 1 * ms, Restart: 5 * ms},
		{Node: 0, At: 2 * ms, Restart: 3 * ms, Durable: true},
	}}})
	e.Add("s", idle)
	e.Add("p", plan{{3 * time.Millisecond, 0, 1}})
	log := logFaults(e)
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"0.000ms s start",
		"0.000ms p start",
		"1.000ms s crash 0 volatile",
		"3.000ms p timer send#1",
		"4.000ms s drop m#1 id 1 from p: down",
		"5.000ms s restart 0 volatile",
	}
	if !slices.Equal(log.lines, want) {
		t.Error(failedSchedule(log.lines, want))
	}
}

// faultRun is the run the determinism and trace tests share: chatter under
// every kind of fault.
func faultRun(t *testing.T, seed int64) string {
	t.Helper()
	var b bytes.Buffer
	e := chatter(Config{Seed: seed, Latency: Latency{Distribution: Exponential, Floor: 200 * time.Microsecond, Mean: time.Millisecond},
		Faults: Faults{
			Loss: 0.1, Duplicate: 0.1, Until: 25 * ms,
			Partitions: []Partition{
				{At: 3 * ms, Heal: 8 * ms, Groups: [][]NodeID{{0, 1}}},
				{At: 15 * ms, Groups: [][]NodeID{{2}, {1}}},
			},
			Crashes: []Crash{
				{Node: 3, At: 5 * ms, Restart: 12 * ms, Durable: true},
				{Node: 1, At: 10 * ms},
			},
		}}, &b)
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFaultDeterminism: under faults too, the trace is a function of the
// seed.
func TestFaultDeterminism(t *testing.T) {
	a := faultRun(t, 42)
	for _, ev := range []string{"drop", "crash", "restart", "partition", "partition_heal", "faults_end"} {
		if !strings.Contains(a, `"event":"`+ev+`"`) {
			t.Errorf("the run has no %q record: it does not exercise every fault", ev)
		}
	}
	for _, reason := range []string{DropLoss, DropPartition, DropDown} {
		if !strings.Contains(a, `"reason":"`+reason+`"`) {
			t.Errorf("the run has no drop for %q", reason)
		}
	}
	if b := faultRun(t, 42); a != b {
		t.Errorf("seed 42 twice gives different traces")
	}
	if b := faultRun(t, 43); a == b {
		t.Errorf("seeds 42 and 43 give the same trace")
	}
}

// TestJSONLFaultsExact pins the records of every fault, byte for byte.
// Crashes and partitions are numbered from 1 in the trace.
func TestJSONLFaultsExact(t *testing.T) {
	tests := []struct {
		name   string
		faults Faults
		lat    Latency // zero: 1ms
		want   string
	}{
		{
			name:   "loss",
			faults: Faults{Loss: 1},
			want: `{"t":0,"event":"start","node":"a"}
{"t":0,"event":"send","node":"a","id":1,"from":"a","to":"b","msg":"m","n":1,"arrive":1000000}
{"t":0,"event":"start","node":"b"}
{"t":1000000,"event":"drop","node":"b","id":1,"from":"a","to":"b","msg":"m","n":1,"reason":"loss"}
{"t":1500000,"event":"timer","node":"a","timer":"t"}
{"t":1500000,"event":"send","node":"a","id":2,"from":"a","to":"b","msg":"m","n":2,"arrive":2500000}
{"t":2500000,"event":"drop","node":"b","id":2,"from":"a","to":"b","msg":"m","n":2,"reason":"loss"}
`,
		},
		{
			// Each copy has a latency of its own, given in the send
			// record, and a recv or drop record of its own, under the
			// one id; the second copy may arrive first.
			name:   "duplication",
			faults: Faults{Duplicate: 1, Partitions: []Partition{{At: Time(1200 * time.Microsecond), Groups: [][]NodeID{{0}}}}},
			lat:    Latency{Distribution: Uniform, Min: time.Millisecond, Max: 2 * time.Millisecond},
			want: `{"t":0,"event":"start","node":"a"}
{"t":0,"event":"send","node":"a","id":1,"from":"a","to":"b","msg":"m","n":1,"arrive":1565048,"duplicate_arrive":1037416}
{"t":0,"event":"start","node":"b"}
{"t":1037416,"event":"recv","node":"b","id":1,"from":"a","to":"b","msg":"m","n":1}
{"t":1200000,"event":"partition","node":"","partition":1}
{"t":1500000,"event":"timer","node":"a","timer":"t"}
{"t":1500000,"event":"send","node":"a","id":2,"from":"a","to":"b","msg":"m","n":2,"arrive":3051849,"duplicate_arrive":3279646}
{"t":1565048,"event":"drop","node":"b","id":1,"from":"a","to":"b","msg":"m","n":1,"reason":"partition"}
{"t":3051849,"event":"drop","node":"b","id":2,"from":"a","to":"b","msg":"m","n":2,"reason":"partition"}
{"t":3279646,"event":"drop","node":"b","id":2,"from":"a","to":"b","msg":"m","n":2,"reason":"partition"}
`,
		},
		{
			name: "partition, crash, end of faults",
			faults: Faults{
				Until:      4 * ms,
				Partitions: []Partition{{At: 1 * ms, Heal: 2 * ms, Groups: [][]NodeID{{0}}}},
				Crashes: []Crash{
					{Node: 1, At: 2 * ms, Restart: 3 * ms, Durable: true},
					{Node: 0, At: 3 * ms},
				},
			},
			want: `{"t":0,"event":"start","node":"a"}
{"t":0,"event":"send","node":"a","id":1,"from":"a","to":"b","msg":"m","n":1,"arrive":1000000}
{"t":0,"event":"start","node":"b"}
{"t":1000000,"event":"partition","node":"","partition":1}
{"t":1000000,"event":"drop","node":"b","id":1,"from":"a","to":"b","msg":"m","n":1,"reason":"partition"}
{"t":1500000,"event":"timer","node":"a","timer":"t"}
{"t":1500000,"event":"send","node":"a","id":2,"from":"a","to":"b","msg":"m","n":2,"arrive":2500000}
{"t":2000000,"event":"partition_heal","node":"","partition":1}
{"t":2000000,"event":"crash","node":"b","crash":1,"durable":true}
{"t":2500000,"event":"drop","node":"b","id":2,"from":"a","to":"b","msg":"m","n":2,"reason":"down"}
{"t":3000000,"event":"restart","node":"b","crash":1,"durable":true}
{"t":3000000,"event":"back","node":"b","text":"durable"}
{"t":3000000,"event":"crash","node":"a","crash":2,"durable":false}
{"t":4000000,"event":"faults_end","node":""}
{"t":4000000,"event":"restart","node":"a","crash":2,"durable":false}
{"t":4000000,"event":"back","node":"a","text":"volatile"}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lat := tt.lat
			if lat.Distribution == "" {
				lat = fixed(time.Millisecond)
			}
			e := newEngine(Config{Latency: lat, Faults: tt.faults})
			back := func(env *tenv, in tinput) {
				if in.Kind == Recover {
					env.Record(tnote{"back", durability(in.Durable)})
				}
			}
			e.Add("a", stepFunc(func(env *tenv, in tinput) {
				switch in.Kind {
				case Start:
					env.Send(1, tmsg{"m", 1})
					env.After(1500*time.Microsecond, "t")
				case Timer:
					env.Send(1, tmsg{"m", 2})
				}
				back(env, in)
			}))
			e.Add("b", stepFunc(back))
			var b bytes.Buffer
			w := NewJSONLWriter(&b, e)
			e.Observe(w)
			if _, err := e.Run(never); err != nil {
				t.Fatal(err)
			}
			if w.Err() != nil {
				t.Fatal(w.Err())
			}
			if got := b.String(); got != tt.want {
				t.Errorf("trace:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestJSONLFaultsStructure decodes every line of a trace with every kind of
// fault and checks the fields each record must carry.
func TestJSONLFaultsStructure(t *testing.T) {
	tr := faultRun(t, 7)
	nodes := []any{"n0", "n1", "n2", "n3"}
	count := map[string]int{}
	for i, line := range strings.Split(strings.TrimSuffix(tr, "\n"), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d %q: %v", i+1, line, err)
		}
		ev, _ := r["event"].(string)
		count[ev]++
		if _, ok := r["t"].(float64); !ok {
			t.Errorf("line %d %q: t is not a number", i+1, line)
		}
		isInt := func(k string, lo, hi float64) bool {
			v, ok := r[k].(float64)
			return ok && v == math.Trunc(v) && lo <= v && v <= hi
		}
		var bad []string
		switch ev {
		case "drop":
			if !isInt("id", 1, math.Inf(1)) {
				bad = append(bad, "id")
			}
			for _, k := range []string{"from", "to", "node"} {
				if !slices.Contains(nodes, r[k]) {
					bad = append(bad, k)
				}
			}
			if r["to"] != r["node"] {
				bad = append(bad, "to != node")
			}
			if r["msg"] != "chat" || !isInt("n", 1, 30) {
				bad = append(bad, "msg")
			}
			if !slices.Contains([]any{DropLoss, DropPartition, DropDown}, r["reason"]) {
				bad = append(bad, "reason")
			}
		case "crash", "restart":
			if !isInt("crash", 1, 2) {
				bad = append(bad, "crash")
			}
			if _, ok := r["durable"].(bool); !ok {
				bad = append(bad, "durable")
			}
			if !slices.Contains(nodes, r["node"]) {
				bad = append(bad, "node")
			}
		case "partition", "partition_heal":
			if !isInt("partition", 1, 2) {
				bad = append(bad, "partition")
			}
			if r["node"] != "" {
				bad = append(bad, "node")
			}
		case "faults_end":
			if r["node"] != "" || len(r) != 3 {
				bad = append(bad, "node")
			}
		case "start", "timer", "recv", "send", "heard":
			if !slices.Contains(nodes, r["node"]) {
				bad = append(bad, "node")
			}
		default:
			bad = append(bad, "event")
		}
		if len(bad) > 0 {
			t.Errorf("line %d %q: bad %s", i+1, line, strings.Join(bad, ", "))
		}
	}
	want := map[string]int{"partition": 2, "partition_heal": 1, "crash": 2, "restart": 2, "faults_end": 1}
	for ev, n := range want {
		if count[ev] != n {
			t.Errorf("%d %q records, want %d", count[ev], ev, n)
		}
	}
	if count["drop"] == 0 {
		t.Errorf("no drop records")
	}
}

// TestFaultsAny: each kind of fault alone counts as a fault; Until alone,
// which only says when none happen any more, does not.
func TestFaultsAny(t *testing.T) {
	for _, tt := range []struct {
		f    Faults
		want bool
	}{
		{Faults{}, false},
		{Faults{Until: 5}, false},
		{Faults{Loss: 0.1}, true},
		{Faults{Duplicate: 0.1}, true},
		{Faults{Partitions: []Partition{{At: 1}}}, true},
		{Faults{Crashes: []Crash{{At: 1}}}, true},
	} {
		if got := tt.f.Any(); got != tt.want {
			t.Errorf("%+v: Any() = %t, want %t", tt.f, got, tt.want)
		}
	}
}

// TestNoFaultAfterTheEnd: once the faults end, a partition or a crash
// due later never happens: no step of it is observed, and none counts as
// an event.
func TestNoFaultAfterTheEnd(t *testing.T) {
	const (
		a NodeID = iota
		b
	)
	e := newEngine(Config{Latency: fixed(time.Millisecond), Faults: Faults{
		Partitions: []Partition{{At: 5 * ms, Heal: 6 * ms, Groups: [][]NodeID{{a}}}},
		Crashes:    []Crash{{Node: b, At: 5 * ms, Restart: 7 * ms}},
	}})
	e.Add("a", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Start {
			env.After(2*time.Millisecond, "end")
			env.After(8*time.Millisecond, "last")
		}
	}))
	e.Add("b", idle)
	e.Observe(observerFunc(func(st *tstep) {
		if st.In.Kind == Timer && st.In.Timer == "end" {
			e.EndFaults()
		}
	}))
	log := logFaults(e)
	res, err := e.Run(never)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"0.000ms a start",
		"0.000ms b start",
		"2.000ms a timer end",
		"2.000ms net faults_end",
		"8.000ms a timer last",
	}
	if !slices.Equal(log.lines, want) {
		t.Error(failedSchedule(log.lines, want))
	}
	if res.Events != int64(len(want)) {
		t.Errorf("%d events, want %d", res.Events, len(want))
	}
}

// TestDropReasonOrder: a message that a partition cuts off from a crashed
// receiver is dropped for the partition: the reasons are tried in the
// order loss, partition, down.
func TestDropReasonOrder(t *testing.T) {
	const (
		a NodeID = iota
		b
	)
	e := newEngine(Config{Latency: fixed(time.Millisecond), Faults: Faults{
		Partitions: []Partition{{At: 0, Groups: [][]NodeID{{b}}}},
		Crashes:    []Crash{{Node: b, At: 0}},
		Until:      5 * ms,
	}})
	e.Add("a", stepFunc(func(env *tenv, in tinput) {
		if in.Kind == Start {
			env.Send(b, tmsg{"m", 1})
		}
	}))
	e.Add("b", idle)
	log := logFaults(e)
	if _, err := e.Run(never); err != nil {
		t.Fatal(err)
	}
	if want := "1.000ms b drop m#1 id 1 from a: partition"; !slices.Contains(log.lines, want) {
		t.Errorf("no %q in\n%s", want, strings.Join(log.lines, "\n"))
	}
}

package explore

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/sim"
)

// observed is what a state shows, in the simulator's terms as well as the
// explorer's: each server's value, how many requests each client has
// completed, the messages in flight (a multiset: each one's link and
// contents, see inFlight), and which servers are down. The messages are
// all of them, not their count: a count let a state with two questions
// in flight pass for one with a question and a client's late reply.
func observed(values []int64, completed []int, flight []string, down uint64) string {
	flight = slices.Clone(flight)
	slices.Sort(flight)
	return fmt.Sprintf("%v %v [%s] %d", values, completed, strings.Join(flight, " "), down)
}

// inFlight names a message in flight, for observed.
func inFlight(from, to sim.NodeID, m model.Msg) string {
	return fmt.Sprintf("%d>%d:%s/%d/%d/%t", from, to, m.Type, m.Value, m.Req, m.Accepted)
}

// explorerStates collects observed() of every state the explorer stores.
func explorerStates(set map[string]bool) func(x *explorer, w *world) {
	return func(x *explorer, w *world) {
		values := make([]int64, x.ns)
		for i := range values {
			values[i] = x.value(w, i)
		}
		completed := make([]int, x.nc)
		for i := range completed {
			x.load(w, sim.NodeID(x.ns+i), model.Past)
			c := &x.clients[i]
			completed[i] = c.Sent
			if c.Waiting {
				completed[i]--
			}
		}
		flight := make([]string, len(w.flight))
		for i, p := range w.flight {
			flight[i] = inFlight(p.from, p.to, p.msg)
		}
		set[observed(values, completed, flight, w.down)] = true
	}
}

// simObserver follows a simulated run's states through its notes.
type simObserver struct {
	servers int
	values  []int64
	done    []int
	flight  []string
	down    uint64
	crashes int
	seen    []string
}

func (o *simObserver) BeforeStep(sim.Time, sim.NodeID) {}

func (o *simObserver) AfterStep(s *model.Step) {
	switch s.In.Kind {
	case sim.Deliver, sim.Drop:
		i := slices.Index(o.flight, inFlight(s.In.From, s.Node, s.In.Msg))
		if i < 0 {
			panic("cover: a message arrived that was never sent")
		}
		o.flight = slices.Delete(o.flight, i, i+1)
	case sim.CrashKind:
		o.down |= 1 << s.Node
		o.crashes++
	case sim.Recover:
		o.down &^= 1 << s.Node
	}
	for _, m := range s.Sends {
		o.flight = append(o.flight, inFlight(s.Node, m.To, m.Msg))
		if m.Duplicated {
			o.flight = append(o.flight, inFlight(s.Node, m.To, m.Msg))
		}
	}
	for _, n := range s.Notes {
		switch {
		case n.Kind == model.Update:
			o.values[s.Node] = n.Value
		case n.Kind == model.Op:
			o.done[int(s.Node)-o.servers]++
		}
	}
	o.seen = append(o.seen, observed(o.values, o.done, o.flight, o.down))
}

// runCovered runs cfg in the simulator and fails t unless every state the
// run passes through is in set, the explorer's; it returns the run's
// crashes.
func runCovered(t interface {
	Fatal(...any)
	Fatalf(string, ...any)
}, cfg model.Config, set map[string]bool) int {
	c := model.NewCluster(cfg)
	o := &simObserver{servers: cfg.Servers, values: make([]int64, cfg.Servers), done: make([]int, cfg.Clients)}
	c.Engine().Observe(o)
	if _, err := c.Run(); err != nil {
		t.Fatal(err)
	}
	// The explorer starts every node at once: the states in between are
	// none of its.
	for i, st := range o.seen[min(cfg.Servers+cfg.Clients-1, len(o.seen)):] {
		if !set[st] {
			t.Fatalf("%s, seed %d: the run's state %d (%s) is none of the %d the explorer found", Configuration(cfg), cfg.Seed, i, st, len(set))
		}
	}
	return o.crashes
}

// TestExplorerCoversSimulator: every state a simulated run passes through,
// whatever its seed, is one the explorer found: the explorer's schedules
// include the simulator's. The real server under several strategies, with
// the clients' timeouts short enough to fire, and with a crash.
func TestExplorerCoversSimulator(t *testing.T) {
	var cfgs []model.Config
	for _, st := range []model.Strategy{model.StrategyBroadcast, model.StrategyRing, model.StrategyPushPull, model.StrategyPull} {
		cfg := tiny(3, 2, 1, 3, "")
		if st == model.StrategyPushPull || st == model.StrategyPull {
			cfg = tiny(2, 2, 1, 3, "") // 3 servers: a million states
		}
		cfg.Strategy, cfg.Fanout = st, 1
		cfgs = append(cfgs, cfg)
	}
	// A client whose request times out on its way to the server: its
	// next request is sent at once, the first still in flight.
	cfgs = append(cfgs, tiny(1, 1, 2, 2, ""))
	crash := tiny(2, 1, 2, 3, "")
	crash.Faults.Crashes = []sim.Crash{{Node: 0, At: sim.Time(2 * time.Millisecond), Restart: sim.Time(8 * time.Millisecond)}}
	cfgs = append(cfgs, crash)
	// A fixed latency: every round's syncs arrive at one instant, which
	// the explorer covers only with same-instant arrivals; both servers'
	// questions cross, and so do the answers. (3 servers under push-pull:
	// 2.4 million states, as each may have a question out to each peer.)
	for _, st := range []model.Strategy{model.StrategyPushPull, model.StrategyBroadcast} {
		fixed := tiny(2, 2, 1, 3, "")
		if st == model.StrategyBroadcast {
			fixed = tiny(3, 1, 1, 3, "")
		}
		fixed.Strategy, fixed.Fanout = st, 1
		fixed.Latency = sim.Latency{Distribution: sim.Fixed, Fixed: time.Millisecond}
		cfgs = append(cfgs, fixed)
	}
	crashed := false
	for _, cfg := range cfgs {
		cfg.RequestTimeout = 5 * time.Millisecond // within the latencies: some fire
		set := map[string]bool{}
		opt := Options{observe: explorerStates(set), MaxStates: 2_000_000, SameInstant: cfg.Latency.Distribution == sim.Fixed}
		r := explore(t, cfg, opt)
		if r.Verdict != Proved {
			t.Fatalf("%s: %s", Configuration(cfg), Describe(cfg, r, Options{}))
		}
		for seed := int64(1); seed <= 30; seed++ {
			cfg.Seed = seed
			crashed = runCovered(t, cfg, set) > 0 || crashed
		}
	}
	if !crashed {
		t.Error("no run crashed: the crash is not covered")
	}
}

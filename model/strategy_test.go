package model_test

import (
	"slices"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/sim"
)

// roundWatcher checks every sync round of every server: the partners a
// strategy picks, and the message it sends them.
type roundWatcher struct {
	t        *testing.T
	cfg      model.Config
	rounds   int
	partners map[sim.NodeID]int // how often each server was picked
}

func (w *roundWatcher) BeforeStep(sim.Time, sim.NodeID) {}

func (w *roundWatcher) AfterStep(s *model.Step) {
	if s.In.Kind != sim.Timer || int(s.Node) >= w.cfg.Servers {
		return
	}
	w.rounds++
	want := map[model.Strategy]model.MsgType{model.StrategyBroadcast: model.Sync, model.StrategyPush: model.Sync,
		model.StrategyPull: model.Pull, model.StrategyPushPull: model.PushPull, model.StrategyRing: model.Sync}[w.cfg.Strategy]
	n := w.cfg.Fanout
	if w.cfg.Strategy == model.StrategyBroadcast {
		n = w.cfg.Servers - 1
	}
	var to []sim.NodeID
	for _, m := range s.Sends {
		if m.Msg.Type != want {
			w.t.Errorf("server %d sent %s in a %s round", s.Node, m.Msg.Kind(), w.cfg.Strategy)
		}
		if m.To == s.Node || int(m.To) >= w.cfg.Servers || slices.Contains(to, m.To) {
			w.t.Errorf("%v picked %v among %v", s.Node, m.To, to)
		}
		to = append(to, m.To)
		w.partners[m.To]++
	}
	if len(to) != n {
		w.t.Errorf("%v synced with %d servers, want %d", s.Node, len(to), n)
	}
	if w.cfg.Strategy == model.StrategyRing {
		// The next servers around the ring, in order, wrapping from
		// the last server to the first.
		for i, p := range to {
			if next := (s.Node + sim.NodeID(i+1)) % sim.NodeID(w.cfg.Servers); p != next {
				w.t.Errorf("ring: %v synced with %v, want the next %d: %v first", s.Node, to, n, next)
				break
			}
		}
	}
}

// TestStrategies runs every strategy but rumor mongering and direct mail
// (see their own tests): each round a server syncs with exactly its fanout
// of distinct other servers (all of them for broadcast; the next ones for
// ring), partners spread over all servers, pulls are answered one for one,
// and every run converges and passes every check.
func TestStrategies(t *testing.T) {
	for _, tt := range []struct {
		strategy model.Strategy
		fanout   int
	}{
		{model.StrategyBroadcast, 0},
		{model.StrategyPush, 1}, {model.StrategyPush, 3},
		{model.StrategyPull, 1}, {model.StrategyPull, 2},
		{model.StrategyPushPull, 1}, {model.StrategyPushPull, 4},
		{model.StrategyRing, 1}, {model.StrategyRing, 3}, {model.StrategyRing, 7},
	} {
		t.Run(string(tt.strategy), func(t *testing.T) {
			cfg := model.Config{Seed: 9, Servers: 8, Clients: 4, Requests: 30, SetRatio: 0.5, MaxValue: 1000,
				SyncInterval: 20 * time.Millisecond, Assignment: model.RoundRobin, MaxTime: time.Minute, MaxEvents: 1_000_000,
				RequestTimeout: time.Second, Strategy: tt.strategy, Fanout: tt.fanout,
				Latency: sim.Latency{Distribution: sim.Uniform, Min: time.Millisecond, Max: 5 * time.Millisecond}}
			c := model.NewCluster(cfg)
			w := &roundWatcher{t: t, cfg: cfg, partners: map[sim.NodeID]int{}}
			c.Engine().Observe(w)
			r, err := c.Run()
			if err != nil {
				t.Fatal(err)
			}
			if r.Reason != sim.Done || !r.Passed() {
				t.Fatalf("stopped by %v; passed %t", r.Reason, r.Passed())
			}
			if w.rounds < cfg.Servers*3 {
				t.Fatalf("only %d rounds", w.rounds)
			}
			if len(w.partners) != cfg.Servers {
				t.Errorf("partners were picked among %d of %d servers", len(w.partners), cfg.Servers)
			}
			sent := map[string]int64{}
			for _, k := range r.Sent {
				sent[k.Kind] = k.Count
			}
			asks := sent["pull"] + sent["push_pull"]
			// A pull sent in the run's last instants may not have been
			// answered when the run stopped.
			if replies := sent["pull_reply"]; replies > asks || replies < asks-int64(cfg.Servers*max(cfg.Fanout, 1)) {
				t.Errorf("%d pulls, %d answers", asks, replies)
			}
		})
	}
}

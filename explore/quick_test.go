package explore

import (
	"testing"
	"time"

	"eccounter/model"
	"eccounter/sim"
)

func tiny(servers, clients, requests int, maxValue int64, variant string) model.Config {
	return model.Config{Servers: servers, Clients: clients, Requests: requests, SetRatio: 0.5, MaxValue: maxValue,
		SyncInterval: 100 * time.Millisecond, Latency: sim.Latency{Distribution: sim.Uniform, Min: time.Millisecond, Max: 10 * time.Millisecond},
		Variant: variant}
}

func TestQuickCrash(t *testing.T) {
	for _, v := range []string{"correct", "amnesiac", "leaky-disk", "early-reply"} {
		for _, durable := range []bool{false, true} {
			cfg := tiny(2, 1, 2, 3, v)
			cfg.Faults.Crashes = []sim.Crash{{Node: 0, Durable: durable}}
			r, err := Explore(cfg, Options{SyncOnChange: false})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%-14s durable=%v %s %s %q states=%d path=%d cycle=%d", v, durable, r.Verdict, r.Check, r.What, r.States, len(r.Path), len(r.Cycle))
		}
	}
}

func TestQuick(t *testing.T) {
	for _, v := range model.VariantNames() {
		for _, soc := range []bool{true, false} {
			start := time.Now()
			r, err := Explore(tiny(2, 2, 2, 3, v), Options{SyncOnChange: soc})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%-14s soc=%v %s %s %q states=%d trans=%d depth=%d path=%d cycle=%d %v", v, soc, r.Verdict, r.Check, r.What, r.States, r.Transitions, r.Depth, len(r.Path), len(r.Cycle), time.Since(start))
		}
	}
}

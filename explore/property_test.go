package explore

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"eccounter/model"
	"eccounter/sim"
)

// genTiny generates a tiny configuration of the real protocol: 1-3
// servers, 0-2 clients of 0-2 requests, values below 1-3, any strategy
// with its parameters, with or without request timeouts, and maybe a loss,
// a duplication or a crash.
func genTiny(t *rapid.T) (model.Config, Options) {
	cfg := tiny(rapid.IntRange(1, 3).Draw(t, "servers"), rapid.IntRange(0, 2).Draw(t, "clients"),
		rapid.IntRange(0, 2).Draw(t, "requests"), int64(rapid.IntRange(1, 3).Draw(t, "max_value")), "")
	cfg.SetRatio = rapid.SampledFrom([]float64{0, 0.5, 1}).Draw(t, "set_ratio")
	cfg.Strategy = rapid.SampledFrom(model.Strategies).Draw(t, "strategy")
	cfg.Fanout, cfg.Rumor.K = 1, rapid.IntRange(1, 2).Draw(t, "k")
	cfg.Rumor.Coin = rapid.Bool().Draw(t, "coin")
	cfg.Rumor.Blind = rapid.Bool().Draw(t, "blind")
	if cfg.Strategy.Backable() && rapid.Bool().Draw(t, "backed") {
		cfg.Rumor.AntiEntropy = 300 * time.Millisecond
	}
	if cfg.Strategy == model.StrategyDirectMail && cfg.Rumor.AntiEntropy == 0 {
		cfg.SyncInterval = 0
	}
	if rapid.Bool().Draw(t, "timeouts") {
		cfg.RequestTimeout = 5 * time.Millisecond
	}
	switch rapid.IntRange(0, 3).Draw(t, "fault") {
	case 1:
		cfg.Faults.Loss = 0.1
	case 2:
		cfg.Faults.Duplicate = 0.1
	case 3:
		cfg.Faults.Crashes = []sim.Crash{{Node: 0, Durable: rapid.Bool().Draw(t, "durable"),
			At: sim.Time(2 * time.Millisecond), Restart: sim.Time(8 * time.Millisecond)}}
	}
	opt := Options{MaxStates: 30_000, MaxLosses: 1, MaxDuplicates: 1, SameInstant: rapid.Bool().Draw(t, "same_instant"),
		NoSymmetry: rapid.Bool().Draw(t, "no_symmetry")}
	if len(cfg.Strategy.Keys()) == 0 || cfg.Strategy == model.StrategyRing {
		opt.SyncOnChange = rapid.Bool().Draw(t, "sync_on_change")
	}
	return cfg, opt
}

// TestPropertyRealServerProved: every tiny configuration of the real
// protocol that the explorer finishes is proved, and every state of its
// simulated runs (three seeds; see below for when) is one the explorer
// found.
func TestPropertyRealServerProved(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg, opt := genTiny(t)
		if cfg.Faults.Any() {
			// A client whose request or reply is lost would wait for
			// ever without a timeout: clients-complete fails, in a run
			// as here (a scenario always has a timeout).
			cfg.RequestTimeout = 5 * time.Millisecond
		}
		set := map[string]bool{}
		opt.observe = explorerStates(set)
		r, err := Explore(cfg, opt)
		if err != nil {
			t.Fatalf("%s: %v", Configuration(cfg), err)
		}
		switch r.Verdict {
		case Incomplete:
			return // too large to finish here
		case Counterexample:
			t.Fatalf("%s, %s: %s", Configuration(cfg), Bounds(cfg, opt), Describe(cfg, r, opt))
		}
		if cfg.Faults.Loss > 0 || cfg.Faults.Duplicate > 0 || opt.SyncOnChange || !opt.NoSymmetry {
			// The explorer bounds losses and duplicates, and a run does
			// not; a run syncs periodically; and the observed states
			// of a representative name nodes otherwise than a run.
			return
		}
		for seed := int64(1); seed <= 3; seed++ {
			cfg.Seed = seed
			runCovered(t, cfg, set)
		}
	})
}

// TestPropertyVariantsFound: whatever a simulated run of a broken server
// catches, the explorer catches too. For a tiny configuration (no loss or
// duplication, which the explorer bounds and a run does not; a client that
// sets) of a variant of the catalogue, if a run of one of ten seeds breaks
// a check (other
// than liveness, whose bound is a time the explorer has no notion of), the
// explorer, same-instant arrivals and all, finds a counterexample, unless
// the space is too large to finish.
func TestPropertyVariantsFound(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg, opt := genTiny(t)
		cfg.Faults.Loss, cfg.Faults.Duplicate = 0, 0
		cfg.Variant = rapid.SampledFrom(model.VariantNames()[1:]).Draw(t, "variant")
		// Something for the broken server to get wrong: a client that
		// sets, at least once.
		cfg.Clients, cfg.Requests, cfg.SetRatio = max(cfg.Clients, 1), max(cfg.Requests, 1), max(cfg.SetRatio, 0.5)
		cfg.MaxValue = max(cfg.MaxValue, 2)
		if cfg.Faults.Any() {
			cfg.RequestTimeout = 5 * time.Millisecond
		}
		opt.SameInstant, opt.SyncOnChange = true, false
		var caught string
		for seed := int64(1); seed <= 10 && caught == ""; seed++ {
			cfg.Seed = seed
			rep, err := model.NewCluster(cfg).Run()
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range rep.Checks {
				if !c.Passed() && c.Name != "liveness" {
					caught = fmt.Sprintf("seed %d: %s: %s", seed, c.Name, c.First)
					break
				}
			}
		}
		if caught == "" {
			return
		}
		r, err := Explore(cfg, opt)
		if err != nil {
			t.Fatalf("%s: %v", Configuration(cfg), err)
		}
		if r.Verdict == Proved {
			t.Fatalf("%s: the simulator catches it (%s), the explorer proves it, %s", Configuration(cfg), caught, Bounds(cfg, opt))
		}
	})
}

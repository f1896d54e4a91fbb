package model_test

import (
	"crypto/sha256"
	"path/filepath"
	"runtime"
	"testing"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// traceHash runs a scenario with seed and returns the hash of its whole
// JSON Lines trace and its report's verdict.
func traceHash(t *testing.T, sc *scenarios.Scenario, seed int64) [32]byte {
	t.Helper()
	s := *sc
	s.Seed = seed
	c := model.NewCluster(s.Config())
	h := sha256.New()
	w := sim.NewJSONLWriter(h, c.Engine())
	c.Engine().Observe(w)
	r, err := c.Run()
	if err != nil {
		t.Fatalf("%s seed %d: %v", sc.Name, seed, err)
	}
	h.Write(r.AppendJSON(nil))
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// TestDeterminismAcrossScenarios: every shipped scenario, over a range of
// seeds, gives the same trace twice, whether the runtime has one thread or
// four, and different seeds give different traces.
func TestDeterminismAcrossScenarios(t *testing.T) {
	files, err := filepath.Glob("../scenarios/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, f := range files {
		sc, err := scenarios.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Clients*sc.RequestsPerClient > 10_000 {
			sc.Clients, sc.Servers = 20, min(sc.Servers, 10) // keep large.toml quick
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			seen := make(map[[32]byte]int64)
			for seed := int64(1); seed <= 10; seed++ {
				runtime.GOMAXPROCS(1)
				a := traceHash(t, sc, seed)
				runtime.GOMAXPROCS(4)
				b := traceHash(t, sc, seed)
				if a != b {
					t.Errorf("seed %d: two runs gave different traces (replay: eccounter-sim -seed %d %s)", seed, seed, scenarios.ShellQuote(f))
				}
				if prev, dup := seen[a]; dup {
					t.Errorf("seeds %d and %d gave the same trace: is the seed used?", prev, seed)
				}
				seen[a] = seed
			}
		})
	}
}

// TestManyClientsReadAhead runs enough clients for the engine to read
// them ahead of their steps (sim.Engine.Warm): a hint about memory that
// must change nothing. The run passes, and gives the same trace twice.
func TestManyClientsReadAhead(t *testing.T) {
	sc := scenarios.Default()
	sc.Name, sc.Servers, sc.Clients, sc.RequestsPerClient = "many clients", 4, 17_000, 2
	first := traceHash(t, sc, 3)
	if first != traceHash(t, sc, 3) {
		t.Error("two runs of the same seed differ")
	}
	r, err := model.NewCluster(sc.Config()).Run()
	if err != nil || !r.Passed() || r.Reason != sim.Done {
		t.Errorf("err %v, passed %t, stopped by %v", err, r.Passed(), r.Reason)
	}
}

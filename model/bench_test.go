package model_test

import (
	"testing"

	"eccounter/model"
	"eccounter/scenarios"
)

// benchmarkScenario runs a scenario with checks on and no trace, and
// reports events per second of wall time, the engine's figure of merit.
func benchmarkScenario(b *testing.B, sc *scenarios.Scenario) {
	cfg := sc.Config()
	var events int64
	b.ReportAllocs()
	for b.Loop() {
		r, err := model.NewCluster(cfg).Run()
		if err != nil || !r.Passed() {
			b.Fatalf("run failed: err %v, passed %t", err, r.Passed())
		}
		events += r.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/run")
}

// BenchmarkDefault is the embedded default scenario: 3 servers, 5 clients
// of 100 requests. Target: under 1 ms per run.
func BenchmarkDefault(b *testing.B) {
	benchmarkScenario(b, scenarios.Default())
}

// BenchmarkLarge is 100 servers and 10,000 clients of 100 requests: a
// million requests. Target: under 3 s per run and under 1 GiB.
func BenchmarkLarge(b *testing.B) {
	sc, err := scenarios.Load("../scenarios/large.toml")
	if err != nil {
		b.Fatal(err)
	}
	benchmarkScenario(b, sc)
}

// hugeTOML is the scale: 1,000 servers and 100,000 clients of 100
// requests, ten million requests, with push-pull anti-entropy (broadcast
// among 1,000 servers would be a million sync messages a round).
const hugeTOML = `
servers = 1000
clients = 100000
requests_per_client = 100
sync_interval = "50ms"
max_events = 100000000

[sync]
strategy = "push-pull"
`

// BenchmarkHuge is 1,000 servers and 100,000 clients of 100 requests, ten
// million requests, with push-pull sync: about 20 million events. Target:
// under 10 s per run and under 2 GiB for the whole command on the 2-core
// development machine.
func BenchmarkHuge(b *testing.B) {
	sc, err := scenarios.Parse("huge (inline)", []byte(hugeTOML))
	if err != nil {
		b.Fatal(err)
	}
	benchmarkScenario(b, sc)
}

package explore

import (
	"os"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/sim"
)

// benchConfig is S servers x C clients x R requests x values 1..V under
// broadcast: the ladder of the speed targets.
func benchConfig(s, c, r int, v int64) model.Config {
	return model.Config{Servers: s, Clients: c, Requests: r, SetRatio: 0.5, MaxValue: v + 1,
		SyncInterval: 100 * time.Millisecond, Latency: sim.Latency{Distribution: sim.Uniform, Min: time.Millisecond, Max: 10 * time.Millisecond}}
}

func benchExplore(b *testing.B, cfg model.Config, opt Options) {
	var states int64
	for b.Loop() {
		r, err := Explore(cfg, opt)
		if err != nil {
			b.Fatal(err)
		}
		if r.Verdict != Proved {
			b.Fatalf("%s: %s", r.Verdict, Describe(cfg, r, opt))
		}
		states += r.States
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(float64(states)/float64(b.N), "states")
}

// BenchmarkExplore2x2x2x2 is a small configuration with periodic sync.
func BenchmarkExplore2x2x2x2(b *testing.B) { benchExplore(b, benchConfig(2, 2, 2, 2), Options{}) }

// BenchmarkExplore3x3x1x3OnChange: 3 servers, 3 clients x 1 request,
// values 1..3, sync on change: some 900,000 states.
func BenchmarkExplore3x3x1x3OnChange(b *testing.B) {
	benchExplore(b, benchConfig(3, 3, 1, 3), Options{SyncOnChange: true})
}

// BenchmarkVariantsFirstCounterexample: every broken server of the
// catalogue to its first counterexample, on its smallest configuration.
func BenchmarkVariantsFirstCounterexample(b *testing.B) {
	cases := variantCases(b)
	var states int64
	for b.Loop() {
		for _, c := range cases {
			r, err := Explore(c.cfg, c.opt)
			if err != nil || r.Verdict != Counterexample {
				b.Fatalf("%s: %v %s", c.variant, err, r.Verdict)
			}
			states += r.States
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(cases)), "µs/variant")
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
}

// BenchmarkExplore3x3x2x3OnChange is the first target: 3 servers,
// 3 clients x 2 requests, values 1..3, sync on change. It takes minutes
// and gigabytes, so it runs only when asked for:
// EXPLORE_BIG=1 go test ./explore -run '^$' -bench 3x3x2x3 -benchtime 1x
func BenchmarkExplore3x3x2x3OnChange(b *testing.B) {
	if os.Getenv("EXPLORE_BIG") == "" {
		b.Skip("set EXPLORE_BIG=1: minutes and gigabytes")
	}
	benchExplore(b, benchConfig(3, 3, 2, 3), Options{SyncOnChange: true, MaxStates: 100_000_000, MaxMemory: 16 << 30})
}

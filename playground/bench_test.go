package playground

import (
	"testing"

	"eccounter/scenarios"
)

// BenchmarkRun is what the page's Run button costs in Go: the default
// scenario, seed 42, with its text output and its report page. The page
// runs the same code compiled to WebAssembly, several times slower; the
// browser test logs the time there.
func BenchmarkRun(b *testing.B) {
	toml := string(scenarios.Presets()[0].TOML)
	seed := int64(42)
	b.ReportAllocs()
	var events int64
	for i := 0; i < b.N; i++ {
		r := Run(scenarios.DefaultName, toml, &seed)
		if r.Error != nil {
			b.Fatal(r.Error.Text)
		}
		events = int64(len(r.Output))
	}
	_ = events
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

package report_test

import (
	"bytes"
	"io"
	"testing"

	"eccounter/model"
	"eccounter/report"
	"eccounter/scenarios"
	"eccounter/viz"
)

// run is the default scenario's run with seed 42, the playground's first
// run, observed for the page.
type run struct {
	col *report.Collector
	rec *viz.Recorder
	r   model.Report
	p   report.Page
}

func defaultRun(b *testing.B) *run {
	b.Helper()
	sc := scenarios.Default()
	sc.Seed = 42
	c := model.NewCluster(sc.Config())
	x := &run{col: report.NewCollector(c), rec: viz.NewRecorder(c)}
	c.Engine().Observe(x.col)
	c.Engine().Observe(x.rec)
	var err error
	if x.r, err = c.Run(); err != nil {
		b.Fatal(err)
	}
	var d, ch bytes.Buffer
	if err := viz.Diagram(&d, x.rec, x.r, viz.DiagramOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := viz.Chart(&ch, x.rec, x.r); err != nil {
		b.Fatal(err)
	}
	x.p = report.Page{Name: sc.Name, Replay: "eccounter-sim -seed 42", Scenario: string(sc.TOML()), Diagram: d.Bytes(), Chart: ch.Bytes()}
	return x
}

// BenchmarkWrite renders the default run's page (seed 42, about 1,100
// schedule lines), the bulk of the playground's time per run.
func BenchmarkWrite(b *testing.B) {
	x := defaultRun(b)
	var n int64
	for b.Loop() {
		cw := &countWriter{}
		if err := report.Write(cw, x.col, x.rec, &x.r, x.p); err != nil {
			b.Fatal(err)
		}
		n = cw.n
	}
	b.SetBytes(n)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkDiagram and BenchmarkChart draw the default run's pictures,
// which the page embeds.
func BenchmarkDiagram(b *testing.B) {
	x := defaultRun(b)
	b.SetBytes(int64(len(x.p.Diagram)))
	for b.Loop() {
		if err := viz.Diagram(io.Discard, x.rec, x.r, viz.DiagramOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(x.rec.Messages)), "messages")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "diagrams/s")
}

func BenchmarkChart(b *testing.B) {
	x := defaultRun(b)
	b.SetBytes(int64(len(x.p.Chart)))
	for b.Loop() {
		if err := viz.Chart(io.Discard, x.rec, x.r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "charts/s")
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

package viz_test

import (
	"strings"
	"testing"
	"time"

	"eccounter/sim"
	"eccounter/viz"
)

// TestUnhealedPartitionEndsWithTheFaults: a partition without a heal lasts
// until the faults end, and its span in the recorder and on the diagram
// ends there, not at the end of the run; one healed before keeps its own
// end. A run stopped before the faults end leaves it open.
func TestUnhealedPartitionEndsWithTheFaults(t *testing.T) {
	ms := func(n int) sim.Time { return sim.Time(time.Duration(n) * time.Millisecond) }
	cfg := config(1)
	cfg.Faults = sim.Faults{
		Partitions: []sim.Partition{
			{At: ms(10), Heal: ms(40), Groups: [][]sim.NodeID{{1}}},
			{At: ms(20), Groups: [][]sim.NodeID{{0, 3}}}, // no heal
		},
		Until: ms(150),
	}
	rec, report := record(t, cfg)
	if !rec.FaultsEnded || rec.FaultsEnd != ms(150) || report.Now <= ms(150) {
		t.Fatalf("faults ended %t at %v, run stopped at %v: the case needs a run that goes on after the faults end at 150ms",
			rec.FaultsEnded, rec.FaultsEnd, report.Now)
	}
	if len(rec.Cuts) != 2 {
		t.Fatalf("cuts: %+v, want two", rec.Cuts)
	}
	if c := rec.Cuts[0]; !c.Healed || c.Heal != ms(40) {
		t.Errorf("partition 1: healed %t at %v, want at 40ms, its own heal", c.Healed, c.Heal)
	}
	if c := rec.Cuts[1]; !c.Healed || c.Heal != ms(150) {
		t.Errorf("partition 2: healed %t at %v, want at 150ms, when the faults ended", c.Healed, c.Heal)
	}
	diagram, _ := draw(t, rec, report, viz.DiagramOptions{})
	if want := "partition 2: {server-1, client-1} | {everyone else}, 20.000ms to 150.000ms"; !strings.Contains(diagram, want) {
		t.Errorf("the diagram lacks %q", want)
	}

	// Stopped at 100ms, before the faults end: the partition is open.
	cfg.MaxTime = 100 * time.Millisecond
	rec, _ = record(t, cfg)
	if len(rec.Cuts) != 2 || rec.Cuts[1].Healed || rec.FaultsEnded {
		t.Errorf("stopped before the faults ended: cuts %+v, faults ended %t; want partition 2 open", rec.Cuts, rec.FaultsEnded)
	}
}

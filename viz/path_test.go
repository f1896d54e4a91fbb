package viz_test

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"eccounter/sim"
	"eccounter/viz"
)

// TestDiagramFinalPath: the diagram bands exactly the copies of messages
// that brought the final value to a server for good, the set that
// started it among them, and says what the band means; a duplicated
// message's other copy is not banded.
func TestDiagramFinalPath(t *testing.T) {
	banded := regexp.MustCompile(`<g class="msg final-path"><title>[^<]* \(message (\d+)\), sent [^,]*, (?:duplicate )?arrived ([0-9.]+ms)</title>`)
	for seed := int64(1); seed <= 6; seed++ {
		rec, report := record(t, config(seed))
		var svg bytes.Buffer
		if err := viz.Diagram(&svg, rec, report, viz.DiagramOptions{}); err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for _, ss := range report.Story.Servers {
			for _, l := range ss.Chain {
				if c := l.Change.Cause; c.Kind == sim.Deliver {
					want = append(want, strconv.FormatUint(uint64(c.ID), 10)+" "+l.Change.At.String())
				}
			}
		}
		for _, m := range banded.FindAllSubmatch(svg.Bytes(), -1) {
			got = append(got, string(m[1])+" "+string(m[2]))
		}
		slices.Sort(want)
		want = slices.Compact(want)
		slices.Sort(got)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("seed %d: banded %v, want %v", seed, got, want)
		}
		if !bytes.Contains(svg.Bytes(), []byte("Yellow band: how "+strconv.FormatInt(report.Story.Value, 10)+" reached each server")) {
			t.Errorf("seed %d: no legend for the band", seed)
		}
	}
}

package model_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// driveTrace runs cfg under Cluster.Drive with pick, or Run if pick is
// nil, and returns its JSON Lines trace and report.
func driveTrace(t *testing.T, cfg model.Config, pick func([]sim.Pending[model.Msg]) sim.EventID) (string, model.Report) {
	t.Helper()
	c := model.NewCluster(cfg)
	var b bytes.Buffer
	c.Engine().Observe(sim.NewJSONLWriter(&b, c.Engine()))
	var r model.Report
	var err error
	if pick == nil {
		r, err = c.Run()
	} else {
		r, err = c.Drive(pick)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), r
}

func earliest(p []sim.Pending[model.Msg]) sim.EventID { return p[0].ID }

// TestDriveEarliest: a driver that always fires the earliest pending event
// is Run: the default scenario's schedule is its golden file's, and with
// faults (crashes, partitions, loss) and timers that are cancelled the
// schedule and the report are Run's.
func TestDriveEarliest(t *testing.T) {
	sc := *scenarios.Default()
	sc.Seed = 42
	got, _ := driveTrace(t, sc.Config(), earliest)
	golden, err := os.ReadFile("../testdata/default-seed42.jsonl.golden")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(golden), "\n")
	if want := strings.Join(lines[1:len(lines)-2], ""); got != want {
		t.Fatalf("driving by the earliest event, the trace differs from the golden file (%d bytes, want %d)", len(got), len(want))
	}
	for _, f := range []string{"../scenarios/crash.toml", "../scenarios/partition.toml", "../scenarios/lossy.toml",
		"../scenarios/rumor.toml", "../scenarios/impatient.toml"} {
		sc, err := scenarios.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		want, wr := driveTrace(t, sc.Config(), nil)
		got, gr := driveTrace(t, sc.Config(), earliest)
		if got != want {
			t.Errorf("%s: driving by the earliest event, the trace differs from Run's", f)
		}
		if a, b := gr.AppendJSON(nil), wr.AppendJSON(nil); !bytes.Equal(a, b) {
			t.Errorf("%s: report\n%s\nwant Run's\n%s", f, a, b)
		}
	}
}

// TestDriveOutOfOrder: a driver that, every other step, fires the second
// delivery before the first when both are next makes another run, the same
// each time, in which messages overtake one another, and which the checks
// accept.
func TestDriveOutOfOrder(t *testing.T) {
	for _, f := range []string{"", "../scenarios/crash.toml", "../scenarios/rumor.toml"} {
		sc := scenarios.Default()
		if f != "" {
			var err error
			if sc, err = scenarios.Load(f); err != nil {
				t.Fatal(err)
			}
		}
		swaps := 0
		step := 0
		swap := func(p []sim.Pending[model.Msg]) sim.EventID {
			step++
			if step%2 == 0 && len(p) >= 2 && p[0].In.Kind == sim.Deliver && p[1].In.Kind == sim.Deliver && p[1].Time > p[0].Time {
				swaps++
				return p[1].ID
			}
			return p[0].ID
		}
		plain, _ := driveTrace(t, sc.Config(), nil)
		a, r := driveTrace(t, sc.Config(), swap)
		n := swaps
		swaps, step = 0, 0
		b, _ := driveTrace(t, sc.Config(), swap)
		if a != b || swaps != n {
			t.Errorf("%s: two runs with the same driver differ", sc.Name)
		}
		if n == 0 || a == plain {
			t.Fatalf("%s: %d swaps; the driver changed nothing", sc.Name, n)
		}
		if r.Reason != sim.Done || !r.Passed() {
			t.Errorf("%s: stopped by %v, passed %t: %s", sc.Name, r.Reason, r.Passed(), r.AppendJSON(nil))
		}
		t.Logf("%s: %d deliveries overtook an earlier one", sc.Name, n)
	}
}

// TestDriveUnknownEvent: firing an event that is not pending is an error,
// not a guess.
func TestDriveUnknownEvent(t *testing.T) {
	c := model.NewCluster(scenarios.Default().Config())
	_, err := c.Drive(func([]sim.Pending[model.Msg]) sim.EventID { return 1 << 40 })
	if err == nil || err.Error() != "sim: no pending event 1099511627776" {
		t.Errorf("err = %v", err)
	}
}

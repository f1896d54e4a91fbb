package model_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"testing"

	"eccounter/model"
	"eccounter/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../testdata with the current output")

// shiviz runs a scenario and returns its ShiViz log.
func shiviz(t *testing.T, path string) []byte {
	t.Helper()
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c := model.NewCluster(sc.Config())
	var b bytes.Buffer
	w := model.NewShiVizWriter(&b, c)
	c.Engine().Observe(w)
	if _, err := c.Run(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestShiVizGolden pins the ShiViz log of the tiny scenario.
func TestShiVizGolden(t *testing.T) {
	got := shiviz(t, "../testdata/tiny.toml")
	const golden = "../testdata/tiny.shiviz"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./model -run ShiViz -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the ShiViz log of testdata/tiny.toml differs from %s:\n%s", golden, got)
	}
}

// TestShiVizParses reads the logs of scenarios with every kind of fault
// with ShiViz's default regular expression, as ShiViz does, and checks what
// ShiViz requires: every event matches; the clock is JSON and holds the
// host; each host's own entry counts its events 1, 2, 3...; and no entry
// of a host's clock ever goes down.
func TestShiVizParses(t *testing.T) {
	// Go spells named groups (?P<name>...); otherwise this is ShiViz's.
	re := regexp.MustCompile(`(?P<event>.*)\n(?P<host>\S*) (?P<clock>\{.*\})\n`)
	for _, path := range []string{"../testdata/tiny.toml", "../scenarios/lossy.toml", "../scenarios/crash.toml", "../scenarios/partition.toml"} {
		log := shiviz(t, path)
		matches := re.FindAllSubmatchIndex(log, -1)
		covered := 0
		own := make(map[string]int)
		prev := make(map[string]map[string]int)
		for _, m := range matches {
			if m[0] != covered {
				t.Fatalf("%s: text at byte %d matches no event: %q", path, covered, log[covered:m[0]])
			}
			covered = m[1]
			host, clockText := string(log[m[4]:m[5]]), log[m[6]:m[7]]
			var clock map[string]int
			if err := json.Unmarshal(clockText, &clock); err != nil {
				t.Fatalf("%s: clock %s: %v", path, clockText, err)
			}
			own[host]++
			if clock[host] != own[host] {
				t.Fatalf("%s: event %d of %s has its own entry at %d", path, own[host], host, clock[host])
			}
			for h, n := range prev[host] {
				if clock[h] < n {
					t.Fatalf("%s: %s's entry for %s went from %d to %d", path, host, h, n, clock[h])
				}
			}
			prev[host] = clock
		}
		if covered != len(log) || len(matches) < 10 {
			t.Fatalf("%s: %d events cover %d of %d bytes", path, len(matches), covered, len(log))
		}
	}
}

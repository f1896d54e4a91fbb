package model_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
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

// TestShiVizBudget: an export whose vector clocks outgrow the budget stops
// with an error that says when, how many nodes and messages, and what to
// change; what it wrote until then is the start of the full log.
func TestShiVizBudget(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/lossy.toml")
	if err != nil {
		t.Fatal(err)
	}
	full := shiviz(t, "../scenarios/lossy.toml")
	c := model.NewCluster(sc.Config())
	var b bytes.Buffer
	w := model.NewShiVizWriter(&b, c)
	n := sc.Servers + sc.Clients
	model.SetShiVizBudget(w, int64(n*(n*8+48))+1) // the nodes' clocks, and a byte
	c.Engine().Observe(w)
	if _, err := c.Run(); err != nil {
		t.Fatal(err)
	}
	var big *model.ShiVizTooLargeError
	if !errors.As(w.Err(), &big) || big.Nodes != n || big.InFlight == 0 {
		t.Fatalf("Err() = %v, want a ShiVizTooLargeError", w.Err())
	}
	if msg := w.Err().Error(); !strings.Contains(msg, fmt.Sprintf("the vector clocks of %d nodes for %d messages in flight took more than 0 MiB; export fewer nodes", n, big.InFlight)) {
		t.Errorf("Err() says %q", msg)
	}
	if b.Len() == 0 || b.Len() >= len(full) || !bytes.HasPrefix(full, b.Bytes()) {
		t.Errorf("wrote %d bytes before the error, want a start of the %d of the full log", b.Len(), len(full))
	}
}

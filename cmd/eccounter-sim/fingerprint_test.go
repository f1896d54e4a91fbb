package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"eccounter/scenarios"
)

// fingerprintOf returns the fingerprint of the scenario file at path, as
// the command line loads it.
func fingerprintOf(t *testing.T, path string) string {
	t.Helper()
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc.Fingerprint()
}

// TestSweepFingerprint: every record of a sweep carries its scenario's
// fingerprint, whatever the seed, the shard, -check-determinism; a swarm's
// is the scenario's before the seed draws its faults, the same for
// -swarm and swarm = true; a run of one seed gives the same in its JSON
// Lines header.
func TestSweepFingerprint(t *testing.T) {
	const lossy = "../../scenarios/lossy.toml"
	want := fingerprintOf(t, lossy)
	check := func(what, out, want string) {
		t.Helper()
		recs := decodeSweep(t, out)
		if len(recs) == 0 {
			t.Fatalf("%s: no records", what)
		}
		for _, r := range recs {
			if r.Fingerprint != want {
				t.Fatalf("%s: seed %d: fingerprint %q, want %q", what, r.Seed, r.Fingerprint, want)
			}
		}
	}
	_, out, _ := runCLI("-seeds", "1..30", lossy)
	check("a sweep", out, want)
	for i := 1; i <= 3; i++ {
		_, out, _ := runCLI("-seeds", "1..30", "-shard", fmt.Sprintf("%d/3", i), lossy)
		check(fmt.Sprintf("shard %d/3", i), out, want)
	}
	_, out, _ = runCLI("-seeds", "4..6", "-check-determinism", lossy)
	check("-check-determinism", out, want)
	_, out, _ = runCLI("-seeds", "1..3")
	check("the default scenario", out, scenarios.Default().Fingerprint())

	flagged := writeScenario(t, "s.toml", "clients = 3\nrequests_per_client = 10\n")
	file := writeScenario(t, "swarm.toml", "clients = 3\nrequests_per_client = 10\nswarm = true\n")
	_, out, _ = runCLI("-seeds", "1..20", "-swarm", flagged)
	check("-swarm", out, fingerprintOf(t, file))
	_, out, _ = runCLI("-seeds", "1..20", file)
	check("swarm = true", out, fingerprintOf(t, file))
	if fingerprintOf(t, file) == fingerprintOf(t, flagged) {
		t.Error("a swarm has the fingerprint of its scenario without swarm")
	}

	for _, args := range [][]string{{"-seed", "3", lossy}, {"-seed", "11", file}} {
		_, trace, _ := runCLI(append([]string{"-trace", "jsonl"}, args...)...)
		var head struct {
			Event, Fingerprint string
		}
		first, _, _ := strings.Cut(trace, "\n")
		if err := json.Unmarshal([]byte(first), &head); err != nil || head.Event != "scenario" {
			t.Fatalf("%v: the first record is not the scenario: %v\n%s", args, err, first)
		}
		if want := fingerprintOf(t, args[2]); head.Fingerprint != want {
			t.Errorf("%v: the scenario record's fingerprint is %q, want the sweep's %q", args, head.Fingerprint, want)
		}
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"eccounter/model"
	"eccounter/scenarios"
)

// TestShrink: -shrink cuts a failing run down to a smaller scenario that
// still fails the same check with the same seed, and writes it where the
// command line replays it.
func TestShrink(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shrunk.toml")
	// Seed 13 of impatient.toml misses its liveness bound.
	var stdout, stderr bytes.Buffer
	code := run([]string{"-seed", "13", "-shrink", out, "../../scenarios/impatient.toml"}, &stdout, &stderr)
	if code != exitFail {
		t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, exitFail, &stdout, &stderr)
	}
	for _, want := range []string{"fails:   liveness\n", "replay:  eccounter-sim " + out + "\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, &stdout)
		}
	}
	small, err := scenarios.Load(out)
	if err != nil {
		t.Fatalf("the shrunk scenario does not load: %v", err)
	}
	orig, err := scenarios.Load("../../scenarios/impatient.toml")
	if err != nil {
		t.Fatal(err)
	}
	orig = orig.Resolved()
	if small.Seed != 13 {
		t.Errorf("shrunk seed = %d, want 13", small.Seed)
	}
	if small.Clients*small.RequestsPerClient >= orig.Clients*orig.RequestsPerClient || small.Servers > orig.Servers {
		t.Errorf("not smaller: %s, from %s", describe(small), describe(orig))
	}
	if got := firstFailure(small); got != "liveness" {
		t.Errorf("the shrunk scenario fails %q, want liveness", got)
	}
	// Replaying the file fails the same way.
	if code := run([]string{"-q", out}, &bytes.Buffer{}, &bytes.Buffer{}); code != exitFail {
		t.Errorf("replaying the shrunk scenario exits %d, want %d", code, exitFail)
	}
	// Nothing smaller fails: every candidate one step down passes or fails
	// another check, or is not a valid scenario.
	for _, c := range candidates(small) {
		if v, err := scenarios.Parse("c", c.TOML()); err == nil && firstFailure(v) == "liveness" {
			t.Errorf("a smaller scenario still fails: %s", describe(v))
		}
	}
}

// TestShrinkPassing: a passing run has nothing to shrink, and no file is
// written.
func TestShrinkPassing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shrunk.toml")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-seed", "1", "-shrink", out}, &stdout, &stderr); code != exitPass {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, &stderr)
	}
	if !strings.Contains(stdout.String(), "nothing to shrink") {
		t.Errorf("stdout = %q", &stdout)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s written for a passing run", out)
	}
}

// TestShrinkRemovesFaults: faults that do not cause the failure are
// removed.
func TestShrinkRemovesFaults(t *testing.T) {
	sc, err := scenarios.Parse("x.toml", []byte(`
seed = 4
servers = 3
clients = 4
requests_per_client = 20
liveness_bound = "1ms"
loss = 0.1
[[partition]]
at = "10ms"
heal = "50ms"
groups = [["server-1"]]
[[crash]]
node = "server-2"
at = "20ms"
restart = "40ms"
`))
	if err != nil {
		t.Fatal(err)
	}
	check := firstFailure(sc)
	if check == "" {
		t.Fatal("the scenario passes; the test needs a failing one")
	}
	small, runs := shrink(sc, check, maxShrinkRuns)
	if firstFailure(small) != check {
		t.Fatalf("shrunk scenario fails %q, want %q", firstFailure(small), check)
	}
	if len(small.Partitions)+len(small.Crashes) >= 2 || small.Loss != 0 {
		t.Errorf("faults not shrunk: %s (after %d runs)", describe(small), runs)
	}
}

// TestShrinkKeepsTheCheck: a shrink keeps only candidates that fail the
// check the run failed, never one failing another check alone. The run
// here stops at max_time before its clients finish (clients-complete, the
// first failure), and has a liveness bound of 1ms that almost every
// smaller run misses once its clients do finish: a shrink that took any
// failure would end on a run failing liveness alone.
func TestShrinkKeepsTheCheck(t *testing.T) {
	sc, err := scenarios.Parse("x.toml", []byte(`
seed = 3
servers = 3
clients = 4
requests_per_client = 50
max_time = "200ms"
liveness_bound = "1ms"
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := firstFailure(sc); got != "clients-complete" {
		t.Fatalf("the scenario fails %q first; the test needs clients-complete", got)
	}
	small, runs := shrink(sc, "clients-complete", maxShrinkRuns)
	r, err := model.NewCluster(small.Config()).Run()
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := r.Check("clients-complete"); c.Passed() {
		var failed []string
		for _, c := range r.Checks {
			if !c.Passed() {
				failed = append(failed, c.Name)
			}
		}
		t.Errorf("shrunk to %s (after %d runs), which fails %v but not clients-complete", describe(small), runs, failed)
	}
	if small.Clients*small.RequestsPerClient >= sc.Clients*sc.RequestsPerClient {
		t.Errorf("not smaller: %s", describe(small))
	}
}

// TestSwarmFlag: -swarm draws the faults from the seed and the header
// shows them as keys that replay the same run; it is refused for a
// scenario with faults of its own.
func TestSwarmFlag(t *testing.T) {
	runAny := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		if code == exitUsage {
			t.Fatalf("eccounter-sim %v: exit 2: %s", args, &stderr)
		}
		return code, stdout.String()
	}
	var code int
	var out string
	for seed := 1; ; seed++ {
		code, out = runAny("-swarm", "-seed", strconv.Itoa(seed), "-trace", "none")
		if strings.Contains(out, "[[crash]]") || strings.Contains(out, "[[partition]]") {
			break
		}
		if seed == 50 {
			t.Fatal("no seed in 1..50 drew a partition or a crash")
		}
	}
	if !strings.Contains(out, "# swarm: seed ") {
		t.Errorf("the header does not say the faults were drawn:\n%s", out)
	}
	// The header, saved as a scenario, replays the same run.
	header := out[strings.Index(out, "seed = "):strings.Index(out, "== summary ==")]
	path := filepath.Join(t.TempDir(), "drawn.toml")
	if err := os.WriteFile(path, []byte(header), 0o644); err != nil {
		t.Fatal(err)
	}
	replayCode, replayed := runAny("-trace", "none", path)
	summary := func(s string) string {
		s = s[strings.Index(s, "== summary =="):]
		if i := strings.Index(s, "\nreplay:"); i >= 0 {
			s = s[:i] // names the file, which differs
		}
		return s
	}
	if replayCode != code || summary(replayed) != summary(out) {
		t.Errorf("the header replays differently (exit %d, want %d):\n%s\nwant\n%s", replayCode, code, summary(replayed), summary(out))
	}
	// The replay line says -swarm: without it, the seed replays a run
	// without faults. A file that says swarm = true needs no flag.
	_, out = runAny("-swarm", "-seed", "3", "-trace", "none")
	if !strings.Contains(out, "# replay: eccounter-sim -seed 3 -swarm\n") {
		t.Errorf("the replay line of a -swarm run lacks -swarm:\n%s", out[:strings.Index(out, "\n\n")+1])
	}
	file := writeScenario(t, "swarm.toml", "swarm = true\n")
	if _, out = runAny("-seed", "3", "-trace", "none", file); strings.Contains(out, "-swarm") {
		t.Errorf("the replay line of a swarm = true file says -swarm:\n%s", out[:strings.Index(out, "\n")+1])
	}
	var stderr bytes.Buffer
	if code := run([]string{"-swarm", "../../scenarios/lossy.toml"}, &bytes.Buffer{}, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), "sets faults of its own") {
		t.Errorf("-swarm on a scenario with faults: exit %d, stderr %q", code, &stderr)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"eccounter/internal/textdiff"
)

const (
	eagerSchedule = "testdata/eager.schedule"
	eagerScenario = "../../scenarios/variants/eager.toml"
)

// TestScheduleGolden: -schedule replays the schedule and then the rest of
// the run, prints the usual schedule and summary with the failed check,
// says that the run followed a schedule, and exits 1. The golden file pins
// it byte for byte (regenerate with go test ./cmd/eccounter-sim -update).
func TestScheduleGolden(t *testing.T) {
	code, got, stderr := runCLI("-schedule", eagerSchedule, eagerScenario)
	if code != exitFail || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and nothing", code, stderr)
	}
	replay := "eccounter-sim -seed 1 -schedule testdata/eager.schedule ../../scenarios/variants/eager.toml"
	for _, want := range []string{
		"# replay: " + replay + "\n",
		"\n     0.000ms  client-1  talks to server-1; sends set 2 [1/10]\n",
		"\n     4.000ms  server-1  set 2 from client-1 -> accepted (was 2)\n",
		"\n  FAIL     set-accepted-iff-larger ",
		"\nschedule:     testdata/eager.schedule (6 steps, then the simulator's order)\n",
		"\nreplay:       " + replay + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	path := filepath.Join("..", "..", "testdata", "eager-schedule.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal([]byte(got), want) {
		t.Errorf("differs from %s at line %d:\n%s", path, textdiff.FirstLine(got, string(want)), textdiff.Lines(got, string(want)))
	}
}

// TestScheduleOutputs: -trace jsonl, -q, -diagram, -chart and -report
// work on a replayed run as on any other.
func TestScheduleOutputs(t *testing.T) {
	code, stdout, stderr := runCLI("-schedule", eagerSchedule, "-trace", "jsonl", eagerScenario)
	if code != exitFail || stderr != "" {
		t.Fatalf("-trace jsonl: exit %d, stderr %q", code, stderr)
	}
	recs := parseJSONL(t, stdout)
	var head struct {
		Replay string `json:"replay"`
	}
	if err := json.Unmarshal([]byte(recs[0].text), &head); err != nil || !strings.Contains(head.Replay, " -schedule testdata/eager.schedule ") {
		t.Errorf("scenario record's replay %q (%v): want the -schedule", head.Replay, err)
	}
	var sum struct {
		Checks map[string]bool `json:"checks"`
	}
	last := recs[len(recs)-1]
	if err := json.Unmarshal([]byte(last.text), &sum); err != nil || *last.Event != "summary" || sum.Checks["set-accepted-iff-larger"] {
		t.Errorf("last record %v (%v): want a summary failing set-accepted-iff-larger", last, err)
	}

	code, stdout, _ = runCLI("-schedule", eagerSchedule, "-q", eagerScenario)
	if code != exitFail || !strings.HasPrefix(stdout, "== summary ==\n") || !strings.Contains(stdout, "\nschedule:     testdata/eager.schedule (6 steps") {
		t.Errorf("-q: exit %d:\n%s", code, stdout)
	}

	dir := t.TempDir()
	d, c, r := filepath.Join(dir, "d.svg"), filepath.Join(dir, "c.svg"), filepath.Join(dir, "r.html")
	code, _, stderr = runCLI("-schedule", eagerSchedule, "-q", "-diagram", d, "-chart", c, "-report", r, eagerScenario)
	if code != exitFail || stderr != "" {
		t.Fatalf("pictures: exit %d, stderr %q", code, stderr)
	}
	for _, f := range []string{d, c, r} {
		if b, err := os.ReadFile(f); err != nil || !bytes.Contains(b, []byte("server-1")) {
			t.Errorf("%s: %v, %d bytes without server-1", f, err, len(b))
		}
	}
}

// TestScheduleErrors: a schedule that does not parse, or does not fit the
// scenario, and -schedule with the modes of many runs, exit 2 with what is
// wrong on stderr.
func TestScheduleErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	orig, err := os.ReadFile(eagerSchedule)
	if err != nil {
		t.Fatal(err)
	}
	unfit := write("unfit.txt", strings.Replace(string(orig), "value=2 accepted=true req=2 from server-1 choose set?=0", "value=2 accepted=false req=2 from server-1 choose set?=0", 1))
	bad := write("bad.txt", "client-1 start\nserver-1 recv sink from client-1\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-schedule", bad, eagerScenario}, "eccounter-sim: -schedule: " + bad + `:2: no message kind "sink": want one of`},
		{[]string{"-schedule", unfit, eagerScenario}, "eccounter-sim: -schedule: " + unfit + ":8: client-1 recv set_reply value=2 accepted=false req=2 from server-1 choose set?=0: not pending; pending for client-1: recv set_reply value=2 accepted=true req=2 from server-1"},
		{[]string{"-schedule", eagerSchedule, "../../scenarios/partition.toml"}, "the scenario has partitions, which happen at times a schedule does not set"},
		{[]string{"-schedule", filepath.Join(dir, "none.txt"), eagerScenario}, "eccounter-sim: -schedule: open " + filepath.Join(dir, "none.txt") + ": no such file"},
		{[]string{"-schedule", dir, eagerScenario}, "eccounter-sim: -schedule: " + dir + " is a directory"},
		{[]string{"-schedule", eagerSchedule, "-seeds", "1..2", eagerScenario}, "eccounter-sim: -seeds does not apply to -schedule"},
		{[]string{"-schedule", eagerSchedule, "-shrink", filepath.Join(dir, "s.toml"), eagerScenario}, "eccounter-sim: -shrink does not apply to -schedule"},
		{[]string{"-schedule", eagerSchedule, "-epidemic", "-seeds", "1..2", eagerScenario}, "does not apply to -schedule"},
		{[]string{"-schedule", eagerSchedule, "-summarize", "x.jsonl", eagerScenario}, "eccounter-sim: -summarize does not apply to -schedule"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("eccounter-sim %q: exit %d, stderr:\n%s\nwant exit 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestScheduleStdin: -schedule - reads the schedule from standard input,
// and its errors name it so.
func TestScheduleStdin(t *testing.T) {
	orig, err := os.ReadFile(eagerSchedule)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin = os.Stdin })
	stdin = bytes.NewReader(orig)
	code, stdout, _ := runCLI("-schedule", "-", "-q", eagerScenario)
	if code != exitFail || !strings.Contains(stdout, "\nschedule:     standard input (6 steps, then the simulator's order)\n") ||
		!strings.Contains(stdout, "\nreplay:       eccounter-sim -seed 1 -schedule - ../../scenarios/variants/eager.toml\n") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
	stdin = strings.NewReader("client-1 start choose set?\n")
	code, _, stderr := runCLI("-schedule", "-", eagerScenario)
	if want := `eccounter-sim: -schedule: standard input:1: choice "set?": want label=answer`; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
}

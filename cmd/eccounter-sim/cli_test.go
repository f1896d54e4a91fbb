package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
)

// runCLI runs the command line and returns its exit code and outputs.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeScenario writes a scenario file into a fresh temporary directory and
// returns its path.
func writeScenario(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// scheduleLine matches a line of the text schedule: a virtual time, then a
// node.
var scheduleLine = regexp.MustCompile(`(?m)^ +\d+\.\d{3}ms  (server|client)-\d+  `)

const allPassed = "verdict:      all 10 checks passed\n"

func TestDefaultQuiet(t *testing.T) {
	code, stdout, stderr := runCLI("-q")
	if code != exitPass || stderr != "" {
		t.Fatalf("eccounter-sim -q: exit %d, stderr %q; want exit 0 and nothing on stderr", code, stderr)
	}
	if !strings.HasPrefix(stdout, "== summary ==\n") {
		t.Errorf("-q output does not start with the summary:\n%s", stdout)
	}
	if !strings.HasSuffix(stdout, allPassed) {
		t.Errorf("-q output does not end with %q:\n%s", allPassed, stdout)
	}
	for _, unwanted := range []string{"== scenario", "== schedule", "replay:", "FAIL"} {
		if strings.Contains(stdout, unwanted) {
			t.Errorf("-q output of a passing run contains %q:\n%s", unwanted, stdout)
		}
	}
	if n := strings.Count(stdout, "\n  pass     "); n != 10 {
		t.Errorf("-q output has %d pass lines, want 10:\n%s", n, stdout)
	}
}

func TestHelp(t *testing.T) {
	for _, flag := range []string{"-h", "-help", "--help"} {
		t.Run(flag, func(t *testing.T) {
			code, stdout, stderr := runCLI(flag)
			if code != exitPass {
				t.Errorf("exit %d, want 0", code)
			}
			if stderr != "" {
				t.Errorf("help wrote to stderr: %q", stderr)
			}
			for _, want := range []string{"Usage:\n  eccounter-sim [flags] [scenario.toml]", "Examples:", "Exit status:",
				"-seed N", "-trace format", "-o FILE", "-q\t"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("help does not contain %q:\n%s", want, stdout)
				}
			}
		})
	}
}

// TestUsageErrors: bad command lines exit 2, say what is wrong on stderr
// and print nothing on stdout.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.toml")
	// Reading a named pipe would block until something wrote to it.
	fifo := filepath.Join(dir, "pipe.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"unknown flag", []string{"-bogus"}, []string{"eccounter-sim: unknown flag -bogus\n", "eccounter-sim -h"}},
		{"unknown flag, near one", []string{"-sed", "4"}, []string{"eccounter-sim: unknown flag -sed; did you mean -seed?\n"}},
		{"unknown flag, near an explore flag", []string{"--xplore"}, []string{"eccounter-sim: unknown flag -xplore; did you mean -explore?\n"}},
		{"bad trace format", []string{"-trace", "bogus"}, []string{`-trace "bogus": want text, jsonl, shiviz or none`}},
		{"seed not a number", []string{"-seed", "notanumber"}, []string{`eccounter-sim: invalid value "notanumber" for flag -seed: want an integer`}},
		{"seed out of range", []string{"-seed", "9223372036854775808"}, []string{"-seed", "want an integer"}},
		{"seed without value", []string{"-seed"}, []string{"flag needs an argument: -seed"}},
		{"two files", []string{"a.toml", "b.toml"}, []string{"one scenario file at most (several only with -epidemic), got 2: a.toml b.toml"}},
		{"missing file", []string{missing}, []string{"eccounter-sim: ", missing, "no such file"}},
		// An empty argument names no file: it is not the default scenario.
		{"empty file name", []string{""}, []string{`eccounter-sim: "": the scenario file name is empty`}},
		{"empty file name with -epidemic", []string{"-epidemic", "-seeds", "1..2", "../../scenarios/rumor.toml", ""}, []string{`"": the scenario file name is empty`}},
		{"directory", []string{dir}, []string{"eccounter-sim: ", dir, ": not a regular file (a directory)"}},
		{"named pipe", []string{fifo}, []string{"eccounter-sim: ", fifo, ": not a regular file (a named pipe)"}},
		{"output into missing directory", []string{"-o", filepath.Join(dir, "nodir", "out.txt")}, []string{"-o: ", filepath.Join(dir, "nodir", "out.txt")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(tt.args...)
			if code != exitUsage {
				t.Errorf("eccounter-sim %q: exit %d, want %d", tt.args, code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr = %q, want it to contain %q", stderr, want)
				}
			}
		})
	}
}

// TestScenarioErrors: a bad scenario file exits 2, printing on stderr the
// error placed at file:line:col and key, with the offending line. The
// scenarios package tests every rule; here a few of each family.
func TestScenarioErrors(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		place string // line:col
		key   string
		msg   string
		line  string // the source line shown
	}{
		{"invalid syntax", "servers = 3\nclients = 5 6\n", "2:13", "", "expected newline", "clients = 5 6"},
		{"unknown key", "servers = 3\n\nsevers = 4\n", "3:1", "severs", "unknown key; the keys allowed here are seed, servers", "severs = 4"},
		{"unknown latency key", "[latency]\nmedian = \"3ms\"\n", "2:1", "latency.median", "distribution, fixed, min, max, floor, mean", `median = "3ms"`},
		{"wrong type", "servers = \"x\"\n", "1:11", "servers", "want an integer", `servers = "x"`},
		{"duplicate key", "servers = 3\nservers = 4\n", "2:1", "servers", "already defined", "servers = 4"},
		{"bad duration", "sync_interval = \"fast\"\n", "1:17", "sync_interval", "want a duration", `sync_interval = "fast"`},
		{"zero duration", "max_time = \"0s\"\n", "1:12", "max_time", "not a positive duration", `max_time = "0s"`},
		{"too many servers", "servers = 1001\n", "1:11", "servers", "out of range: allowed 0 to 1000", "servers = 1001"},
		{"max_events zero", "max_events = 0\n", "1:14", "max_events", "out of range", "max_events = 0"},
		{"set_ratio", "set_ratio = 1.5\n", "1:13", "set_ratio", "not a probability", "set_ratio = 1.5"},
		{"clients without servers", "clients = 2\nservers = 0\n", "2:11", "servers", "2 clients but no servers", "servers = 0"},
		{"assignment", "assignment = \"nearest\"\n", "1:14", "assignment", "not an assignment", `assignment = "nearest"`},
		{"distribution", "[latency]\ndistribution = \"normal\"\n", "2:16", "latency.distribution", "not a distribution", `distribution = "normal"`},
		{"min above max", "[latency]\nmin = \"20ms\"\nmax = \"10ms\"\n", "2:7", "latency.min", "min (20ms) is larger than max (10ms)", `min = "20ms"`},
		{"key of another distribution", "[latency]\ndistribution = \"fixed\"\nmean = \"1ms\"\n", "3:8", "latency.mean", `not used by distribution "fixed"`, `mean = "1ms"`},
		{"inline table", "latency = { distribution = \"fixed\", fixed = \"0s\" }\n", "1:45", "latency.fixed", "not a positive duration", `latency = { distribution = "fixed", fixed = "0s" }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeScenario(t, "bad.toml", tt.doc)
			code, stdout, stderr := runCLI("-q", path)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			head := "eccounter-sim: " + path + ":" + tt.place + ": "
			if tt.key != "" {
				head += tt.key + ": "
			}
			if !strings.HasPrefix(stderr, head) {
				t.Errorf("stderr does not start with %q:\n%s", head, stderr)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if !strings.Contains(first, tt.msg) {
				t.Errorf("stderr's first line = %q, want it to contain %q", first, tt.msg)
			}
			lineNo, _, _ := strings.Cut(tt.place, ":")
			if shown := fmt.Sprintf("%5s | %s\n", lineNo, tt.line); !strings.Contains(stderr, shown) {
				t.Errorf("stderr does not show the line %q:\n%s", shown, stderr)
			}
			if !strings.HasSuffix(stderr, "^\n") {
				t.Errorf("stderr does not end with a caret line:\n%s", stderr)
			}
		})
	}
}

func TestOutputFile(t *testing.T) {
	for _, args := range [][]string{{"-q"}, {"-seed", "3"}, {"-trace", "jsonl"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, want, _ := runCLI(args...)
			path := filepath.Join(t.TempDir(), "out.txt")
			code, stdout, stderr := runCLI(append([]string{"-o", path}, args...)...)
			if code != exitPass || stdout != "" || stderr != "" {
				t.Fatalf("-o %s: exit %d, stdout %q, stderr %q; want 0 and nothing printed", path, code, stdout, stderr)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || string(got) != want {
				t.Errorf("-o file (%d bytes) differs from standard output without -o (%d bytes)", len(got), len(want))
			}
		})
	}
}

// record is one JSON Lines record; pointers tell missing keys from zeros.
type record struct {
	T        *int64          `json:"t"`
	Event    *string         `json:"event"`
	Node     *string         `json:"node"`
	ID       *uint64         `json:"id"`
	From     *string         `json:"from"`
	To       *string         `json:"to"`
	Msg      *string         `json:"msg"`
	Value    json.RawMessage `json:"value"`
	Accepted *bool           `json:"accepted"`
	Arrive   *int64          `json:"arrive"`
	raw      map[string]json.RawMessage
	line     int    // from 1
	text     string // the line itself
}

// parseJSONL decodes every line of out, failing the test on a line that is
// not one JSON object.
func parseJSONL(t *testing.T, out string) []record {
	t.Helper()
	if !strings.HasSuffix(out, "}\n") {
		t.Fatalf("JSON Lines output does not end with a complete record and newline: %q", out[max(0, len(out)-80):])
	}
	var recs []record
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		r := record{line: i + 1, text: line}
		if err := json.Unmarshal([]byte(line), &r.raw); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, line)
		}
		recs = append(recs, r)
	}
	return recs
}

func (r record) has(keys ...string) bool {
	for _, k := range keys {
		if _, ok := r.raw[k]; !ok {
			return false
		}
	}
	return true
}

func (r record) String() string { return fmt.Sprintf("line %d %s", r.line, r.raw) }

// TestJSONL checks the JSON Lines trace's contract: one object per line,
// scenario first and summary last, the keys each record must have, and the
// order of records within a step.
func TestJSONL(t *testing.T) {
	code, stdout, stderr := runCLI("-trace", "jsonl")
	if code != exitPass || stderr != "" {
		t.Fatalf("-trace jsonl: exit %d, stderr %q", code, stderr)
	}
	recs := parseJSONL(t, stdout)
	if len(recs) < 100 {
		t.Fatalf("only %d records", len(recs))
	}

	first, last := recs[0], recs[len(recs)-1]
	if first.Event == nil || *first.Event != "scenario" {
		t.Errorf("first record is not the scenario: %v", first)
	}
	var head struct {
		Source   string `json:"source"`
		Replay   string `json:"replay"`
		Scenario struct {
			Seed    int64 `json:"seed"`
			Servers int   `json:"servers"`
			Latency struct {
				Distribution string `json:"distribution"`
			} `json:"latency"`
		} `json:"scenario"`
	}
	if err := json.Unmarshal([]byte(first.text), &head); err != nil {
		t.Fatal(err)
	}
	if head.Source != "default.toml (embedded)" || head.Replay != "eccounter-sim -seed 1" ||
		head.Scenario.Seed != 1 || head.Scenario.Servers != 3 || head.Scenario.Latency.Distribution != "uniform" {
		t.Errorf("scenario record = %+v", head)
	}

	if last.Event == nil || *last.Event != "summary" {
		t.Fatalf("last record is not the summary: %v", last)
	}
	if !last.has("converged", "value", "max_set", "events", "checks", "passed") {
		t.Errorf("summary lacks a key: %v", last)
	}
	var sum struct {
		Converged bool            `json:"converged"`
		Value     *int64          `json:"value"`
		MaxSet    *int64          `json:"max_set"`
		Events    int             `json:"events"`
		Checks    map[string]bool `json:"checks"`
		Passed    bool            `json:"passed"`
	}
	if err := json.Unmarshal([]byte(last.text), &sum); err != nil {
		t.Fatal(err)
	}
	if !sum.Converged || !sum.Passed || sum.Value == nil || sum.MaxSet == nil || *sum.Value != *sum.MaxSet {
		t.Errorf("summary = %+v, want converged on max_set and passed", sum)
	}
	if len(sum.Checks) != 10 {
		t.Errorf("summary checks = %v, want 10", sum.Checks)
	}
	for name, ok := range sum.Checks {
		if !ok {
			t.Errorf("check %s failed", name)
		}
	}

	// Every record between has t, event and node; message records their
	// fields. A step is a start, recv or timer record followed by the
	// records of what the node did in it, all at the same t and node.
	var (
		steps   int
		stepT   int64 = -1
		stepN   string
		prevT   int64
		sends   = map[uint64]record{}
		recvd   = map[uint64]bool{}
		counts  = map[string]int{}
		inAStep bool
	)
	for _, r := range recs[1 : len(recs)-1] {
		if r.T == nil || r.Event == nil || r.Node == nil {
			t.Fatalf("record lacks t, event or node: %v", r)
		}
		ev := *r.Event
		counts[ev]++
		if *r.T < prevT {
			t.Errorf("time goes backwards: %v after t=%d", r, prevT)
		}
		prevT = *r.T
		if ev == "send" || ev == "recv" {
			if r.ID == nil || r.From == nil || r.To == nil || r.Msg == nil || r.Value == nil {
				t.Fatalf("message record lacks id, from, to, msg or value: %v", r)
			}
			if (*r.Msg == "get") != (string(r.Value) == "null") {
				t.Errorf("value is %s for a %s: want null exactly for get", r.Value, *r.Msg)
			}
			if *r.Msg == "set_reply" && r.Accepted == nil {
				t.Errorf("set_reply lacks accepted: %v", r)
			}
			if *r.Msg != "set_reply" && r.Accepted != nil {
				t.Errorf("%s has accepted: %v", *r.Msg, r)
			}
		}
		switch ev {
		case "start", "recv", "timer":
			steps++
			stepT, stepN, inAStep = *r.T, *r.Node, true
		default:
			if !inAStep || *r.T != stepT || *r.Node != stepN {
				t.Errorf("%s record is not in a step of its node at its time (step: %s at %d): %v", ev, stepN, stepT, r)
			}
		}
		switch ev {
		case "send":
			if *r.From != *r.Node || r.Arrive == nil || *r.Arrive < *r.T {
				t.Errorf("send record: from must be the node and arrive no earlier than t: %v", r)
			}
			if _, dup := sends[*r.ID]; dup {
				t.Errorf("message id %d sent twice: %v", *r.ID, r)
			}
			sends[*r.ID] = r
		case "recv":
			s, ok := sends[*r.ID]
			if !ok {
				t.Errorf("recv of message %d before its send: %v", *r.ID, r)
				continue
			}
			if recvd[*r.ID] {
				t.Errorf("message %d received twice: %v", *r.ID, r)
			}
			recvd[*r.ID] = true
			if *r.To != *r.Node || *r.From != *s.From || *r.To != *s.To || *r.Msg != *s.Msg ||
				string(r.Value) != string(s.Value) || *r.T != *s.Arrive {
				t.Errorf("recv does not match its send:\n%v\n%v", s, r)
			}
		}
	}
	if sum.Events != steps {
		t.Errorf("summary says %d events, the trace has %d steps (start, recv, timer records)", sum.Events, steps)
	}
	if counts["send"] != counts["recv"] || counts["start"] != 8 || counts["finished"] != 5 || counts["update"] == 0 {
		t.Errorf("record counts = %v: want as many recv as send, 8 start, 5 finished, some update", counts)
	}
}

// TestJSONLRecvFirst is the order contract: a recv record comes before
// every record of what its node did about the message (notes, sends), and
// those follow it directly, at its time and node, before the next step. So
// the records after a recv must be exactly the handling of that message:
// a server answers a get or set with one reply to the sender, a client
// records its operation and then sends its next request or finishes.
func TestJSONLRecvFirst(t *testing.T) {
	// With a fixed latency many messages arrive at once: several steps of
	// one node share a time, which is where misplaced records would hide.
	path := writeScenario(t, "s.toml", "servers = 3\nclients = 4\nrequests_per_client = 20\n[latency]\ndistribution = \"fixed\"\nfixed = \"1ms\"\n")
	code, stdout, stderr := runCLI("-trace", "jsonl", path)
	if code != exitPass {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs := parseJSONL(t, stdout)
	recs = recs[1 : len(recs)-1]
	type place struct {
		node string
		t    int64
	}
	heads := map[place]int{}
	for i, r := range recs {
		if isStepHead(r) {
			heads[place{*r.Node, *r.T}]++
		}
		if *r.Event != "recv" {
			continue
		}
		j := i + 1
		for ; j < len(recs) && !isStepHead(recs[j]); j++ {
			if *recs[j].T != *r.T || *recs[j].Node != *r.Node {
				t.Fatalf("a record of another node or time inside the step of\n%v:\n%v", r, recs[j])
			}
		}
		step := recs[i+1 : j]
		var sends, updates, ops, finished []record
		for _, s := range step {
			switch *s.Event {
			case "send":
				sends = append(sends, s)
			case "update":
				updates = append(updates, s)
			case "op":
				ops = append(ops, s)
			case "finished":
				finished = append(finished, s)
			}
		}
		bad := func(why string) {
			t.Errorf("after %v: %s; the step's records:\n%v", r, why, step)
		}
		switch msg := *r.Msg; msg {
		case "get", "set":
			if len(sends) != 1 || *sends[0].Msg != msg+"_reply" || *sends[0].To != *r.From {
				bad("want exactly one " + msg + "_reply to " + *r.From)
				continue
			}
			accepted := sends[0].Accepted != nil && *sends[0].Accepted
			if msg == "set" && (len(updates) == 1) != accepted {
				bad("want an update exactly when the set is accepted")
			}
			if msg == "get" && len(updates) != 0 {
				bad("a get changed the value")
			}
			for _, u := range updates {
				if string(u.raw["value"]) != string(r.Value) {
					bad("the update is not to the value set")
				}
			}
		case "sync":
			if len(sends) != 0 || len(updates) > 1 {
				bad("want no sends and at most one update")
			}
			for _, u := range updates {
				if string(u.raw["value"]) != string(r.Value) {
					bad("the update is not to the value synced")
				}
			}
		case "get_reply", "set_reply":
			if len(step) == 0 || *step[0].Event != "op" || len(ops) != 1 {
				bad("want the client's op record first")
				continue
			}
			switch {
			case len(sends) == 1 && len(finished) == 0:
				if *sends[0].To != *r.From {
					bad("the next request goes to another server")
				}
			case len(sends) == 0 && len(finished) == 1:
			default:
				bad("want either the next request or finished")
			}
		default:
			bad("unknown message kind")
		}
	}
	shared := 0
	for _, n := range heads {
		if n > 1 {
			shared++
		}
	}
	if shared < 10 {
		t.Errorf("no two steps of one node at one time: the scenario does not exercise the order contract")
	}
}

func isStepHead(r record) bool {
	switch *r.Event {
	case "start", "recv", "timer":
		return true
	}
	return false
}

func TestJSONLQuiet(t *testing.T) {
	code, stdout, _ := runCLI("-trace", "jsonl", "-q")
	if code != exitPass {
		t.Fatalf("exit %d", code)
	}
	recs := parseJSONL(t, stdout)
	if len(recs) != 1 || *recs[0].Event != "summary" {
		t.Errorf("-trace jsonl -q printed %d records, want the summary only:\n%s", len(recs), stdout)
	}
}

func TestTraceNone(t *testing.T) {
	code, stdout, stderr := runCLI("-trace", "none")
	if code != exitPass || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"== scenario: default.toml (embedded) ==\n# replay: eccounter-sim -seed 1\nseed = 1\n",
		"\n[latency]\n", "\n\n== summary ==\n", allPassed} {
		if !strings.Contains(stdout, want) {
			t.Errorf("-trace none output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "== schedule") || scheduleLine.MatchString(stdout) {
		t.Errorf("-trace none printed a schedule:\n%s", stdout)
	}
	// The same run with the text trace does have schedule lines, so the
	// pattern above would catch them.
	_, text, _ := runCLI()
	if n := len(scheduleLine.FindAllString(text, -1)); n < 1000 {
		t.Errorf("text trace has %d schedule lines, want over 1000", n)
	}
}

func TestSeedOverride(t *testing.T) {
	path := writeScenario(t, "seeded.toml", "seed = 5\nservers = 2\nclients = 2\nrequests_per_client = 10\n")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"file seed", []string{"-trace", "none", path},
			[]string{"# replay: eccounter-sim -seed 5 " + path + "\n", "\nseed = 5\n"}},
		{"-seed overrides file", []string{"-trace", "none", "-seed", "99", path},
			[]string{"# replay: eccounter-sim -seed 99 " + path + "\n", "\nseed = 99\n"}},
		{"-seed on default", []string{"-trace", "none", "-seed", "42"},
			[]string{"== scenario: default.toml (embedded) ==\n# replay: eccounter-sim -seed 42\nseed = 42\n"}},
		{"negative seed", []string{"-trace", "none", "-seed", "-7"},
			[]string{"# replay: eccounter-sim -seed -7\nseed = -7\n"}},
		{"text trace", []string{"-seed", "99", path},
			[]string{"# replay: eccounter-sim -seed 99 " + path + "\n", "\nseed = 99\n", "== schedule ==\n"}},
		{"jsonl", []string{"-trace", "jsonl", "-seed", "99", path},
			[]string{`"replay":"eccounter-sim -seed 99 ` + path + `"`, `"scenario":{"seed":99,"servers":2,`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(tt.args...)
			if code != exitPass {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("output lacks %q:\n%.600s", want, stdout)
				}
			}
			if strings.Contains(stdout, "seed = 5\n") && strings.Contains(strings.Join(tt.args, " "), "-seed") {
				t.Errorf("the file's seed still shows despite -seed:\n%.600s", stdout)
			}
		})
	}
	// The seed changes the run.
	_, a, _ := runCLI("-q", "-seed", "1", path)
	_, b, _ := runCLI("-q", "-seed", "2", path)
	if a == b {
		t.Errorf("seeds 1 and 2 gave the same summary:\n%s", a)
	}
}

// TestFailingRun: a run that fails a check exits 1, says which checks
// failed and how to replay it. Ten events are too few for the clients to
// finish or the servers to converge.
func TestFailingRun(t *testing.T) {
	path := writeScenario(t, "short.toml", "max_events = 10\n")
	replay := "eccounter-sim -seed 1 " + path

	t.Run("text", func(t *testing.T) {
		code, stdout, stderr := runCLI(path)
		if code != exitFail {
			t.Errorf("exit %d, want %d", code, exitFail)
		}
		if stderr != "" {
			t.Errorf("stderr = %q, want nothing: a failed check is output, not an error", stderr)
		}
		for _, want := range []string{
			"# replay: " + replay + "\n",
			"max_events (10) reached first",
			"\n  FAIL     clients-complete ",
			"\n  FAIL     converged-to-max ",
			"\n  FAIL     liveness ",
			"\n  pass     values-never-decrease ",
			"\nconverged:    no\n",
			"\nverdict:      3 of 10 checks FAILED\n",
			"\nreplay:       " + replay + "\n",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
		if !strings.HasSuffix(stdout, "replay:       "+replay+"\n") {
			t.Errorf("output does not end with the replay line:\n%s", stdout)
		}
		// Each failure says what and where.
		if !regexp.MustCompile(`FAIL     clients-complete .*\n +\d+ violations?; first at [0-9.]+ms: client-\d+ completed \d+ of 100 requests\n`).MatchString(stdout) {
			t.Errorf("clients-complete failure lacks its detail line:\n%s", stdout)
		}
	})
	t.Run("quiet", func(t *testing.T) {
		code, stdout, _ := runCLI("-q", path)
		if code != exitFail || !strings.HasPrefix(stdout, "== summary ==\n") ||
			!strings.HasSuffix(stdout, "replay:       "+replay+"\n") {
			t.Errorf("-q: exit %d, output:\n%s\nwant exit 1, the summary and the replay line", code, stdout)
		}
	})
	t.Run("jsonl", func(t *testing.T) {
		code, stdout, _ := runCLI("-trace", "jsonl", path)
		if code != exitFail {
			t.Errorf("exit %d, want %d", code, exitFail)
		}
		recs := parseJSONL(t, stdout)
		var sum struct {
			Stop      string          `json:"stop"`
			Converged bool            `json:"converged"`
			Value     *int64          `json:"value"`
			Events    int             `json:"events"`
			Checks    map[string]bool `json:"checks"`
			Failures  []struct {
				Check      string `json:"check"`
				Violations int    `json:"violations"`
			} `json:"failures"`
			Passed *bool `json:"passed"`
		}
		last := recs[len(recs)-1]
		if err := json.Unmarshal([]byte(last.text), &sum); err != nil || *last.Event != "summary" {
			t.Fatalf("last record %v: %v", last, err)
		}
		if sum.Stop != "max_events" || sum.Converged || sum.Value != nil || sum.Events != 10 ||
			sum.Passed == nil || *sum.Passed || sum.Checks["clients-complete"] || sum.Checks["converged-to-max"] ||
			!sum.Checks["values-never-decrease"] || len(sum.Failures) != 3 ||
			sum.Failures[0].Check != "clients-complete" || sum.Failures[0].Violations != 5 {
			t.Errorf("summary = %+v", sum)
		}
	})
	t.Run("output file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.txt")
		code, stdout, _ := runCLI("-q", "-o", out, path)
		got, err := os.ReadFile(out)
		if code != exitFail || stdout != "" || err != nil || !strings.Contains(string(got), "3 of 10 checks FAILED") {
			t.Errorf("-o on a failing run: exit %d, stdout %q, file %q (%v)", code, stdout, got, err)
		}
	})
}

// TestExamplesExist: every scenario file the -h examples name is shipped,
// so that each example runs as printed.
func TestExamplesExist(t *testing.T) {
	n := 0
	for _, word := range strings.Fields(examples) {
		if strings.HasSuffix(word, ".toml") {
			n++
			if _, err := os.Stat(filepath.Join("..", "..", word)); err != nil {
				t.Errorf("-h names %s: %v", word, err)
			}
		}
	}
	if n == 0 {
		t.Error("-h names no scenario file")
	}
}

// TestVersion: -version says the module's version and the revision the
// toolchain stamped, or that it stamped none.
func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-version"}, &stdout, &stderr); code != exitPass || !strings.HasPrefix(stdout.String(), "eccounter-sim ") || stderr.Len() > 0 {
		t.Errorf("-version: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	info := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionLine(info), "eccounter-sim v1.2.3, revision abc123 of 2026-12-01T10:00:00Z, with uncommitted changes"; got != want {
		t.Errorf("versionLine = %q, want %q", got, want)
	}
	info.Settings = nil
	info.Main.Version = ""
	if got := versionLine(info); !strings.HasPrefix(got, "eccounter-sim (devel), VCS revision unknown") {
		t.Errorf("versionLine without VCS = %q", got)
	}
}

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"eccounter/scenarios"
)

// shippedTraces runs every shipped scenario but large.toml, and each
// broken server's, with two seeds, and returns their JSON Lines traces
// by replay line.
func shippedTraces(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob("../../scenarios/*.toml")
	variants, _ := filepath.Glob("../../scenarios/variants/*.toml")
	traces := make(map[string]string)
	for _, f := range append(files, variants...) {
		if filepath.Base(f) == "large.toml" {
			continue
		}
		for _, seed := range []string{"1", "2"} {
			code, stdout, stderr := runCLI("-trace", "jsonl", "-seed", seed, f)
			if code > exitFail {
				t.Fatalf("eccounter-sim -trace jsonl -seed %s %s: exit %d: %s", seed, f, code, stderr)
			}
			traces["eccounter-sim -seed "+seed+" "+f] = stdout
		}
	}
	return traces
}

// lastLine is the last line of a trace: its summary record.
func lastLine(trace string) string {
	lines := strings.Split(strings.TrimSuffix(trace, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestJudgeShippedTraces judges the trace of every shipped scenario and
// finds what the run found: the same checks with the same verdicts, and
// the same summary record, byte for byte, rebuilt from the other records.
func TestJudgeShippedTraces(t *testing.T) {
	failing := 0
	for replay, trace := range shippedTraces(t) {
		j, err := scenarios.JudgeTrace(strings.NewReader(trace))
		if err != nil {
			t.Errorf("%s: %v", replay, err)
			continue
		}
		if len(j.Disagreements) > 0 {
			t.Errorf("%s: the judge disagrees with the run: %s", replay, strings.Join(j.Disagreements, "; "))
		}
		if got, want := strings.TrimSuffix(string(j.Report.AppendJSON(nil)), "\n"), lastLine(trace); got != want {
			t.Errorf("%s: judged summary\n%s\nwant the run's\n%s", replay, got, want)
		}
		if !j.Report.Passed() {
			failing++
		}
	}
	if failing == 0 {
		t.Error("no judged trace fails a check: the broken servers' should")
	}
}

// tamper changes the first line of trace that re matches, with edit, and
// fails the test if none does.
func tamper(t *testing.T, trace string, re *regexp.Regexp, edit func(m []string) string) string {
	t.Helper()
	lines := strings.SplitAfter(trace, "\n")
	for i, l := range lines {
		if m := re.FindStringSubmatch(l); m != nil {
			lines[i] = strings.Replace(l, m[0], edit(m), 1)
			return strings.Join(lines, "")
		}
	}
	t.Fatalf("no line of the trace matches %s", re)
	return ""
}

// TestJudgeTamperedTrace edits a trace the checks passed so that a
// server's state breaks an invariant, and the judge finds the check it
// breaks, disagreeing with the summary written before the edit.
func TestJudgeTamperedTrace(t *testing.T) {
	_, trace, _ := runCLI("-trace", "jsonl", "-seed", "1")
	atoi := func(s string) int64 { v, _ := strconv.ParseInt(s, 10, 64); return v }
	tests := []struct {
		name, check string
		re          *regexp.Regexp
		edit        func(m []string) string
	}{
		{"an update to a smaller value", "values-never-decrease",
			regexp.MustCompile(`"event":"update","node":"server-\d+","value":(\d+),"prev":([1-9]\d*)`),
			func(m []string) string {
				return strings.Replace(m[0], `"value":`+m[1], `"value":`+strconv.FormatInt(atoi(m[2])-1, 10), 1)
			}},
		{"a get_reply with another value", "get-returns-current",
			regexp.MustCompile(`"msg":"get_reply","value":(\d+)`),
			func(m []string) string {
				return strings.Replace(m[0], m[1], strconv.FormatInt(atoi(m[1])+1, 10), 1)
			}},
		{"a set_reply that says rejected", "set-accepted-iff-larger",
			regexp.MustCompile(`"msg":"set_reply","value":\d+,"accepted":true`),
			func(m []string) string { return strings.Replace(m[0], "true", "false", 1) }},
		{"a client that never finishes", "clients-complete",
			regexp.MustCompile(`(?s)\{"t":\d+,"event":"finished","node":"client-3","ops":\d+\}\n`),
			func([]string) string { return "" }},
		{"a client that writes to another server", "clients-use-own-server",
			regexp.MustCompile(`"event":"send","node":"client-1","id":\d+,"from":"client-1","to":"(server-1)"`),
			func(m []string) string { return strings.Replace(m[0], `"to":"server-1"`, `"to":"server-2"`, 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := scenarios.JudgeTrace(strings.NewReader(tamper(t, trace, tt.re, tt.edit)))
			if err != nil {
				t.Fatal(err)
			}
			ch, _ := j.Report.Check(tt.check)
			if ch.Passed() {
				t.Fatalf("%s passed; want it failed", tt.check)
			}
			want := tt.check + ": judged false, the trace's summary says true"
			if !slices.Contains(j.Disagreements, want) {
				t.Errorf("disagreements %q; want among them %q", j.Disagreements, want)
			}
			t.Logf("%s: %s", tt.check, ch.First)
		})
	}
}

// TestJudgeBadTrace: a trace that is not one is an error naming its line,
// never a panic, and quotes no more than a little of it.
func TestJudgeBadTrace(t *testing.T) {
	_, trace, _ := runCLI("-trace", "jsonl", "-seed", "1")
	lines := strings.SplitAfter(trace, "\n")
	head := strings.Join(lines[:6], "")
	tests := []struct{ name, trace, want string }{
		{"empty", "", "empty trace"},
		{"no scenario first", lines[1], `line 1: the first record is "start", not the scenario`},
		{"not JSON", lines[0] + "{\n", "line 2: not a JSON object"},
		{"no summary", head, "line 6: the trace ends without its summary record"},
		{"a wrong type", lines[0] + `{"t":"soon","event":"start","node":"server-1"}` + "\n", `line 2: key "t": want an integer, got string`},
		{"an unknown node", lines[0] + `{"t":0,"event":"start","node":"server-9` + strings.Repeat("9", 100) + `\u001b"}` + "\n",
			`line 2: "start" record: no node named "server-9999`},
		{"an unknown event", lines[0] + `{"t":0,"event":"start","node":"server-1"}` + "\n" + `{"t":0,"event":"tick","node":"server-1"}` + "\n", `line 3: "tick" record: not a kind of record`},
		{"a note before any step", lines[0] + `{"t":0,"event":"update","node":"server-1","value":1,"prev":0}` + "\n", `line 2: "update" record: comes before any step`},
		{"a client's update", lines[0] + `{"t":0,"event":"start","node":"client-1"}` + "\n" + `{"t":0,"event":"update","node":"client-1","value":1,"prev":0}` + "\n", "only servers hold a value"},
		{"an update without a value", lines[0] + `{"t":0,"event":"start","node":"server-1"}` + "\n" + `{"t":0,"event":"update","node":"server-1","value":null,"prev":0}` + "\n", `no "value"`},
		{"a client's crash", lines[0] + `{"t":0,"event":"crash","node":"client-1","crash":1,"durable":false}` + "\n", "only servers crash"},
		{"time going back", head + `{"t":-1,"event":"timer","node":"server-1","timer":"sync"}` + "\n", "before the step before it"},
		{"a record after the summary", trace + lines[1], "a record after the summary"},
		{"a bad scenario", strings.Replace(lines[0], `"servers":3`, `"servers":-3`, 1) + lines[1], "line 1: scenario: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenarios.JudgeTrace(strings.NewReader(tt.trace))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want one containing %q", err, tt.want)
			}
			if msg := err.Error(); len(msg) > 400 || strings.ContainsRune(msg, 0x1b) || strings.Contains(msg, "int64") {
				t.Errorf("error %q: too long, or with an escape or a Go type", msg)
			}
		})
	}
}

// TestJudgeFlag: -judge prints the summary a run prints, from its saved
// trace, and exits as the run did; an edited trace exits 1 and says
// where it disagrees with its own summary; a bad one exits 2.
func TestJudgeFlag(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.jsonl")
	for _, f := range []string{"../../scenarios/crash.toml", "../../scenarios/variants/inventor.toml"} {
		runCode, text, _ := runCLI("-seed", "7", f)
		if code, _, stderr := runCLI("-trace", "jsonl", "-seed", "7", "-o", path, f); code > exitFail {
			t.Fatalf("%s: exit %d: %s", f, code, stderr)
		}
		code, stdout, stderr := runCLI("-judge", path)
		if code != runCode || stderr != "" {
			t.Errorf("-judge %s's trace: exit %d, stderr %q; want exit %d, as the run, and nothing on stderr", f, code, stderr, runCode)
		}
		header := "== summary: judged from the records of " + path + " ==\n"
		want := text[strings.Index(text, "== summary ==\n")+len("== summary ==\n"):]
		want, _, _ = strings.Cut(want, "replay:       ")
		if stdout != header+want {
			t.Errorf("-judge %s's trace printed\n%s\nwant the run's summary\n%s", f, stdout, header+want)
		}
	}

	_, trace, _ := runCLI("-trace", "jsonl", "-seed", "7")
	edited := tamper(t, trace, regexp.MustCompile(`"msg":"get_reply","value":\d+`),
		func(m []string) string { return `"msg":"get_reply","value":12345` })
	stdin = strings.NewReader(edited)
	t.Cleanup(func() { stdin = os.Stdin })
	code, stdout, _ := runCLI("-judge", "-")
	if want := "the trace's own summary disagrees:\n  get-returns-current: judged false, the trace's summary says true\n"; code != exitFail || !strings.HasSuffix(stdout, want) {
		t.Errorf("-judge - on an edited trace: exit %d, output\n%s\nwant exit 1, ending in\n%s", code, stdout, want)
	}
	// A summary that claims a failure its records do not show: the
	// checks pass, but the trace is not what it says.
	stdin = strings.NewReader(strings.Replace(trace, `"liveness":true`, `"liveness":false`, 1))
	code, stdout, _ = runCLI("-judge", "-")
	if want := "all 10 checks passed\nthe trace's own summary disagrees:\n  liveness: judged true, the trace's summary says false\n"; code != exitFail || !strings.HasSuffix(stdout, want) {
		t.Errorf("-judge - on a trace with an edited summary: exit %d, output\n%s\nwant exit 1, ending in\n%s", code, stdout, want)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-judge", dir}, "-judge: " + dir + " is a directory"},
		{[]string{"-judge", filepath.Join(dir, "none.jsonl")}, "-judge: open "},
		{[]string{"-judge", "../../scenarios/default.toml"}, "-judge: ../../scenarios/default.toml: line 1: "},
		{[]string{"-judge", path, "-q"}, "-q does not apply to -judge"},
		{[]string{"-judge", path, "-seed", "3"}, "-seed does not apply to -judge"},
		{[]string{"-judge", path, "x.toml"}, "-judge reads the scenario from the trace: give no scenario file"},
		{[]string{"-judge", path, "-o", path}, "is the trace -judge reads"},
	} {
		code, _, stderr := runCLI(tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

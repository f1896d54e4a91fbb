package main

import (
	"encoding/json"
	"fmt"
	"os"
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

// TestSummarizeFingerprint: -summarize holds the records to the scenario
// file it is given, by fingerprint: the sweep's file, or the same scenario
// written another way, gives the sweep's summary; another file exits 2,
// saying what to do; without a file the scenario is the default if the
// fingerprint is the default's, and unknown otherwise, with seeds to
// replay rather than commands of the wrong scenario; records of two
// scenarios are refused.
func TestSummarizeFingerprint(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // so that the summaries name short.toml
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("short.toml", "max_time = \"1.2s\"\n")
	write("same.toml", "# short.toml, written out\nmax_time = \"1200ms\" # soon\nservers = 3\n[latency]\nmax = \"10ms\"\n")
	write("other.toml", "max_time = \"1.3s\"\n")
	code, records, summary := runCLI("-seeds", "1..40", "short.toml")
	if code != exitFail || !strings.Contains(summary, "replay:\n  eccounter-sim -seed 23 short.toml\n") {
		t.Fatalf("the sweep: exit %d, want 1 with seed 23 failing:\n%s", code, summary)
	}
	write("s.jsonl", records)
	want := fingerprintOf(t, "short.toml")

	if code, out, stderr := runCLI("-summarize", "s.jsonl", "short.toml"); code != exitFail || out != summary || stderr != "" {
		t.Errorf("with the sweep's file: exit %d, stderr %q, summary\n%s\nwant 1 and the sweep's\n%s", code, stderr, out, summary)
	}
	same := strings.Replace(summary, "short.toml", "same.toml", -1)
	if code, out, _ := runCLI("-summarize", "s.jsonl", "same.toml"); code != exitFail || out != same {
		t.Errorf("with the same scenario written another way: exit %d, summary\n%s\nwant\n%s", code, out, same)
	}

	code, out, stderr := runCLI("-summarize", "s.jsonl", "other.toml")
	msg := "eccounter-sim: s.jsonl:1: fingerprint " + want + ", but other.toml has " + fingerprintOf(t, "other.toml") +
		": the records are of another scenario (or of this file before it changed, or of a sweep with -swarm); " +
		"give -summarize the scenario file the sweep ran (and -swarm if it had it), or none for a summary without replay commands\n"
	if code != exitUsage || out != "" || stderr != msg {
		t.Errorf("with another file: exit %d, stdout %q, stderr\n%s\nwant 2, nothing and\n%s", code, out, stderr, msg)
	}

	code, out, stderr = runCLI("-summarize", "s.jsonl")
	if code != exitFail || stderr != "" {
		t.Errorf("without a file: exit %d, stderr %q", code, stderr)
	}
	for _, line := range []string{
		"== sweep: unknown scenario, fingerprint " + want + " ==\n",
		"\nreplay:         unknown scenario: for the commands, name its file: eccounter-sim -summarize s.jsonl SCENARIO.toml\n  seed 23 (clients-complete)\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("without a file, the summary lacks %q:\n%s", line, out)
		}
	}
	if strings.Contains(out, "eccounter-sim -seed") || strings.Contains(out, scenarios.DefaultName) {
		t.Errorf("without a file, the summary names a scenario it does not know:\n%s", out)
	}

	// The default scenario's records need no file.
	_, defRecords, defSummary := runCLI("-seeds", "1..5")
	write("d.jsonl", defRecords)
	if code, out, _ := runCLI("-summarize", "d.jsonl"); code != exitPass || out != defSummary {
		t.Errorf("the default's records without a file: exit %d, summary\n%s\nwant the sweep's\n%s", code, out, defSummary)
	}

	// Records of two scenarios, in two files or in one.
	_, otherRecords, _ := runCLI("-seeds", "41..42", "other.toml")
	write("o.jsonl", otherRecords)
	msg = "eccounter-sim: o.jsonl:1: fingerprint " + fingerprintOf(t, "other.toml") + ", where s.jsonl:1 has " + want +
		": records of two scenarios make no one summary; summarize each sweep's records on its own\n"
	if code, out, stderr := runCLI("-summarize", "s.jsonl", "-summarize", "o.jsonl"); code != exitUsage || out != "" || stderr != msg {
		t.Errorf("two scenarios' records: exit %d, stdout %q, stderr\n%s\nwant 2, nothing and\n%s", code, out, stderr, msg)
	}
	write("both.jsonl", records+otherRecords)
	if code, _, stderr := runCLI("-summarize", "both.jsonl", "other.toml"); code != exitUsage || !strings.HasPrefix(stderr, "eccounter-sim: both.jsonl:1: fingerprint "+want+", but other.toml has ") {
		t.Errorf("two scenarios' records, one file named: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runCLI("-summarize", "both.jsonl"); code != exitUsage || !strings.HasPrefix(stderr, "eccounter-sim: both.jsonl:41: fingerprint ") {
		t.Errorf("two scenarios' records in one file: exit %d, stderr %q", code, stderr)
	}

	// Shards summarize to the whole sweep, with the file.
	var shards strings.Builder
	for i := 3; i >= 1; i-- {
		_, out, _ := runCLI("-seeds", "1..40", "-shard", fmt.Sprintf("%d/3", i), "short.toml")
		shards.WriteString(out)
	}
	write("shards.jsonl", shards.String())
	if code, out, _ := runCLI("-summarize", "shards.jsonl", "short.toml"); code != exitFail || out != summary {
		t.Errorf("the shards: exit %d, summary\n%s\nwant the whole sweep's\n%s", code, out, summary)
	}

	// A sweep with -swarm is summarized with -swarm.
	write("few.toml", "clients = 2\nrequests_per_client = 5\n")
	_, swarmRecords, swarmSummary := runCLI("-seeds", "1..10", "-swarm", "few.toml")
	write("w.jsonl", swarmRecords)
	if code, out, stderr := runCLI("-summarize", "w.jsonl", "-swarm", "few.toml"); code != exitPass || out != swarmSummary {
		t.Errorf("-swarm: exit %d, stderr %q, summary\n%s\nwant the sweep's\n%s", code, stderr, out, swarmSummary)
	}
	if code, _, stderr := runCLI("-summarize", "w.jsonl", "few.toml"); code != exitUsage || !strings.Contains(stderr, "w.jsonl:1: fingerprint ") {
		t.Errorf("a -swarm sweep without -swarm: exit %d, stderr %q", code, stderr)
	}
}

// TestSummarizeOldRecords: records written before records had a
// fingerprint are taken on trust, with a warning when there is a scenario
// to hold them to; without one, the scenario is unknown.
func TestSummarizeOldRecords(t *testing.T) {
	old := func(seed int) string {
		return strings.Replace(goodRecord, `"seed":1`, fmt.Sprintf(`"seed":%d`, seed), 1) + "\n"
	}
	path := writeScenario(t, "old.jsonl", old(1)+old(2))
	code, out, stderr := runCLI("-summarize", path, "../../scenarios/lossy.toml")
	warning := "eccounter-sim: warning: 2 records without a fingerprint (first at " + path + ":1), as sweeps wrote them before records had one: not checked against ../../scenarios/lossy.toml\n"
	if code != exitPass || !strings.HasPrefix(out, "== sweep: ../../scenarios/lossy.toml ==\n") || stderr != warning {
		t.Errorf("with a file: exit %d, stderr\n%s\nwant 0 and\n%s\nsummary:\n%s", code, stderr, warning, out)
	}
	code, out, stderr = runCLI("-summarize", path)
	if code != exitPass || !strings.HasPrefix(out, "== sweep: unknown scenario: the records carry no fingerprint ==\n") || stderr != "" {
		t.Errorf("without a file: exit %d, stderr %q, summary:\n%s", code, stderr, out)
	}
	_, recent, _ := runCLI("-seeds", "3..4")
	mixed := writeScenario(t, "mixed.jsonl", old(1)+recent+old(2))
	code, out, stderr = runCLI("-summarize", mixed)
	warning = "eccounter-sim: warning: 2 records without a fingerprint (first at " + mixed + ":1), as sweeps wrote them before records had one: not checked against the other records' " +
		scenarios.Default().Fingerprint() + "\n"
	if code != exitPass || !strings.HasPrefix(out, "== sweep: "+scenarios.DefaultName+" ==\n") || stderr != warning {
		t.Errorf("old and new records: exit %d, stderr\n%s\nwant\n%s\nsummary:\n%s", code, stderr, warning, out)
	}
}

// TestSummarizeHostileFingerprints: a fingerprint a sweep cannot have
// written exits 2 with file:line, the key and what is wrong, in one short
// line that echoes none of it raw.
func TestSummarizeHostileFingerprints(t *testing.T) {
	with := func(v string) string { return goodRecord[:len(goodRecord)-1] + `,"fingerprint":` + v + "}" }
	const want = `fingerprint: %s: want "sha256:" and 16 hexadecimal digits (in lower case), as a sweep writes it`
	for _, tt := range []struct{ name, line, msg string }{
		{"a number", with(`12345`), fmt.Sprintf(want, "12345")},
		{"null is none", with(`null`), ""},
		{"an array", with(`["sha256:0123456789abcdef"]`), fmt.Sprintf(want, "an array")},
		{"empty", with(`""`), fmt.Sprintf(want, `""`)},
		{"no prefix", with(`"0123456789abcdef"`), fmt.Sprintf(want, `"0123456789abcdef"`)},
		{"upper case", with(`"sha256:0123456789ABCDEF"`), fmt.Sprintf(want, `"sha256:0123456789ABCDEF"`)},
		{"not hex", with(`"sha256:0123456789abcdeZ"`), fmt.Sprintf(want, `"sha256:0123456789abcdeZ"`)},
		{"a whole SHA-256", with(`"sha256:` + strings.Repeat("ab", 32) + `"`), `fingerprint: "sha256:ababababababababababababababababa"...: want`},
		{"terminal escapes", with(`"sha256:\u001b[31m\u001b]0;title\u0007"`), `fingerprint: "sha256:\x1b[31m\x1b]0;title\a": want`},
		{"60 KB", with(`"sha256:` + strings.Repeat("a", 60_000) + `"`), `fingerprint: "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"...: want`},
		{"1 MB", with(`"sha256:` + strings.Repeat("a", 1<<20) + `"`), `:1: a line longer than 64 KiB: not a record of a sweep`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeScenario(t, "in.jsonl", tt.line+"\n")
			code, stdout, stderr := runCLI("-summarize", path)
			if tt.msg == "" {
				if code != exitPass {
					t.Errorf("exit %d, stderr %q", code, stderr)
				}
				return
			}
			if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "eccounter-sim: "+path+":1: ") || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stdout %q, stderr %q;\nwant 2, nothing, and %q", code, stdout, stderr, tt.msg)
			}
			if len(stderr) > 400 || strings.ContainsAny(stderr, "\x1b\a") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("the error is not one short line free of escapes: %q", stderr)
			}
		})
	}
}

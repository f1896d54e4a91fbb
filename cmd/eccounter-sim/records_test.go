package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goodRecord is a record with every key, as a sweep writes it.
const goodRecord = `{"seed":1,"verdict":"pass","failed_check":null,"stop":"done","converged":true,"converged_at":5,"after_last_set":2,"events":9,"messages":8,"residue":0}`

// TestSummarizeHostileRecords: -summarize -chart of a record that a sweep
// cannot have written exits 2 with file:line, the key and what is wrong, in
// a short line with no terminal escapes; it never panics, loops or runs out
// of memory drawing the chart.
func TestSummarizeHostileRecords(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	edit := func(from, to string) string {
		if !strings.Contains(goodRecord, from) {
			t.Fatalf("%q is not in the good record", from)
		}
		return strings.Replace(goodRecord, from, to, 1)
	}
	tests := []struct{ name, line, msg string }{
		{"negative after_last_set", edit(`"after_last_set":2`, `"after_last_set":-5`), `:1: after_last_set: -5 is negative: want virtual nanoseconds, at least 0`},
		{"smallest after_last_set", edit(`"after_last_set":2`, `"after_last_set":-9223372036854775808`), `after_last_set: -9223372036854775808 is negative`},
		{"after_last_set after converged_at", edit(`"after_last_set":2`, `"after_last_set":9000000000000000000`), `after_last_set: 9000000000000000000 is more than converged_at, 5`},
		{"negative converged_at", edit(`"converged_at":5`, `"converged_at":-1`), `converged_at: -1 is negative`},
		{"converged_at beyond int64", edit(`"converged_at":5`, `"converged_at":9223372036854775808`), `converged_at: 9223372036854775808: want virtual nanoseconds, at least 0`},
		{"fractional converged_at", edit(`"converged_at":5`, `"converged_at":5.5`), `converged_at: 5.5: want virtual nanoseconds, at least 0`},
		{"negative events", edit(`"events":9`, `"events":-1`), `events: -1 is negative: want a count, at least 0`},
		{"negative messages", edit(`"messages":8`, `"messages":-9223372036854775808`), `messages: -9223372036854775808 is negative`},
		{"negative residue", edit(`"residue":0`, `"residue":-1`), `residue: -1 is negative`},
		{"residue beyond the servers", edit(`"residue":0`, `"residue":1001`), `residue: 1001 is more than a scenario has servers, at most 1000`},
		{"seed beyond int64", edit(`"seed":1`, `"seed":9223372036854775808`), `seed: 9223372036854775808: want an integer from -9223372036854775808 to 9223372036854775807`},
		{"seed as a string", edit(`"seed":1`, `"seed":"1"`), `seed: "1": want an integer`},
		{"seed as an array", edit(`"seed":1`, `"seed":[1]`), `seed: an array: want an integer`},
		{"unknown verdict", edit(`"pass"`, `"maybe"`), `verdict: "maybe": want "pass", "anomaly" or "fail"`},
		{"escape in verdict", edit(`"pass"`, `"\u001b[31mpass"`), `verdict: "\x1b[31mpass": want`},
		{"pass with a check", edit(`"failed_check":null`, `"failed_check":"liveness"`), `failed_check: "liveness": want null with "verdict":"pass"`},
		{"fail with no check", edit(`"pass"`, `"fail"`), `failed_check: null: want a check with "verdict":"fail"`},
		{"unknown check", edit(`"verdict":"pass","failed_check":null`, `"verdict":"fail","failed_check":"bogus"`), `failed_check: "bogus": want values-never-decrease, `},
		{"anomaly with no check", edit(`"verdict":"pass"`, `"verdict":"anomaly"`), `anomaly_check: null: want a check with "verdict":"anomaly"`},
		{"pass with an anomaly", edit(`"failed_check":null`, `"failed_check":null,"anomaly_check":"liveness"`), `anomaly_check: "liveness": want null with "verdict":"pass"`},
		{"unknown anomaly check", edit(`"verdict":"pass","failed_check":null`, `"verdict":"anomaly","failed_check":null,"anomaly_check":"bogus"`), `anomaly_check: "bogus": want values-never-decrease, `},
		{"anomaly with a failed check", edit(`"verdict":"pass","failed_check":null`, `"verdict":"anomaly","failed_check":"liveness","anomaly_check":"liveness"`), `failed_check: "liveness": want null with "verdict":"anomaly"`},
		{"unknown stop", edit(`"done"`, `"later"`), `stop: "later": want done, idle, max_time, max_events or aborted`},
		{"converged not a bool", edit(`"converged":true`, `"converged":1`), `converged: 1: want true or false`},
		{"converged_at without converged", edit(`"converged":true`, `"converged":false`), `converged_at: 5: want null when "converged" is false`},
		{"no converged_at", edit(`"converged_at":5`, `"converged_at":null`), `converged_at: null: want a time when "converged" is true`},
		{"short trace_hash", edit(`"residue":0`, `"residue":0,"trace_hash":"aa"`), `trace_hash: "aa": want 64 hexadecimal digits`},
		{"trace_hash not hex", edit(`"residue":0`, `"residue":0,"trace_hash":"`+strings.Repeat("AB", 32)+`"`), `trace_hash: "ABABABAB`},
		{"rerun_hash of a pass", edit(`"residue":0`, `"residue":0,"trace_hash":"`+hash+`","rerun_hash":"`+hash+`"`), `rerun_hash: only with "failed_check":"determinism"`},
		{"determinism with no rerun", edit(`"verdict":"pass","failed_check":null`, `"verdict":"fail","failed_check":"determinism"`), `failed_check: "determinism" needs "trace_hash" and "rerun_hash"`},
		{"unknown key", edit(`"seed":1`, `"seed":1,"new_key":[1]`), `:1: not a record of a sweep: unknown key "new_key"`},
		{"long unknown key", edit(`"seed":1`, `"seed":1,"`+strings.Repeat("k", 10000)+`":1`), `unknown key "kkkkkkkk`},
		{"a key twice", edit(`"events":9`, `"events":9,"events":9`), `not a record of a sweep: "events" given twice`},
		{"no seed", `{}`, `not a record of a sweep: no "seed"`},
		{"not an object", `[1,2]`, `not a record of a sweep: want a JSON object`},
		{"two objects", goodRecord + goodRecord, `not a record of a sweep: invalid character '{' after top-level value`},
		{"a long line", goodRecord + strings.Repeat(" ", 70_000), `:1: a line longer than 64 KiB`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "in.jsonl")
			if err := os.WriteFile(path, []byte(tt.line+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCLI("-summarize", path, "-chart", filepath.Join(dir, "h.svg"))
			if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "eccounter-sim: "+path+":1: ") || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stdout %q, stderr %q;\nwant 2, nothing, and %q", code, stdout, stderr, tt.msg)
			}
			if len(stderr) > 400 || strings.ContainsRune(stderr, '\x1b') || strings.Count(stderr, "\n") != 1 {
				t.Errorf("the error is not one short line free of escapes: %q", stderr)
			}
		})
	}
}

// TestSummarizeExtremeSeeds: seeds at both ends of int64, and times as
// large as an int64 holds, summarize and draw.
func TestSummarizeExtremeSeeds(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for _, r := range []struct{ seed, at, after string }{
		{"-9223372036854775808", "9223372036854775807", "9223372036854775807"},
		{"9223372036854775807", "9000000000000000000", "0"},
		{"0", "0", "0"},
	} {
		b.WriteString(strings.NewReplacer(`"seed":1`, `"seed":`+r.seed, `"converged_at":5`, `"converged_at":`+r.at,
			`"after_last_set":2`, `"after_last_set":`+r.after).Replace(goodRecord) + "\n")
	}
	path := filepath.Join(dir, "in.jsonl")
	os.WriteFile(path, []byte(b.String()), 0o644)
	chart := filepath.Join(dir, "h.svg")
	code, stdout, stderr := runGuarded(t, "-summarize", path, "-chart", chart)
	want := "seeds:          3, from -9223372036854775808 to 9223372036854775807; 18446744073709551613 missing in between\n"
	if code != exitPass || !strings.Contains(stdout, want) || stderr != "" {
		t.Errorf("exit %d, stderr %q:\n%s", code, stderr, stdout)
	}
	svg, err := os.ReadFile(chart)
	if err != nil || len(svg) > 64<<10 {
		t.Fatalf("chart: %d bytes, %v", len(svg), err)
	}
	// The two bars, at either end of the axis, where bins ending beyond
	// the largest int64 used to put them a mile off the picture.
	bars := regexp.MustCompile(`<rect x="([^"]*)" y="[^"]*" width="([^"]*)"[^>]*fill="#4a78b5"`).FindAllStringSubmatch(string(svg), -1)
	if len(bars) != 2 {
		t.Fatalf("%d bars, want 2:\n%s", len(bars), svg)
	}
	for _, b := range bars {
		x, _ := strconv.ParseFloat(b[1], 64)
		w, _ := strconv.ParseFloat(b[2], 64)
		if x < 70 || x+w > 680 {
			t.Errorf("a bar from x=%s, %s wide: off the plot", b[1], b[2])
		}
	}
}

// TestSummarizeTickLoop: a largest after_last_set of 2^63-9 made the
// histogram's last bin end at 2^63-8, where adding the tick step (2e18) to
// the last tick wrapped round without ever passing the end, allocating
// labels until memory ran out.
func TestSummarizeTickLoop(t *testing.T) {
	const v = "9223372036854775799"
	rec := strings.NewReplacer(`"converged_at":5`, `"converged_at":`+v, `"after_last_set":2`, `"after_last_set":`+v).Replace(goodRecord)
	path := writeScenario(t, "in.jsonl", rec+"\n")
	chart := filepath.Join(filepath.Dir(path), "h.svg")
	if code, _, stderr := runGuarded(t, "-summarize", path, "-chart", chart); code != exitPass {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if fi, err := os.Stat(chart); err != nil || fi.Size() > 64<<10 {
		t.Errorf("chart: %v", err)
	}
}

// runGuarded is runCLI, failing the test if it takes more than 20 s.
func runGuarded(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		code, stdout, stderr = runCLI(args...)
	}()
	select {
	case <-done:
		return code, stdout, stderr
	case <-time.After(20 * time.Second):
		t.Fatalf("eccounter-sim %s did not return within 20s", strings.Join(args, " "))
		return
	}
}

// TestSummarizeTornLastLine: a last line cut short (no newline, not JSON),
// as a sweep killed while writing leaves it, is reported and ignored; the
// same line anywhere else is an error.
func TestSummarizeTornLastLine(t *testing.T) {
	rec := func(seed int) string {
		return strings.Replace(goodRecord, `"seed":1`, fmt.Sprintf(`"seed":%d`, seed), 1)
	}
	torn := rec(3)[:40]
	tests := []struct {
		name, text string
		code       int
		stdout     string // a line the summary must have
		stderr     string // the whole of standard error, after the path
	}{
		{"torn last line", rec(1) + "\n" + rec(2) + "\n" + torn, exitPass, "seeds:          2, from 1 to 2\n", ":3: torn last record, ignored\n"},
		{"only a torn line", torn, exitPass, "seeds:          none\n", ":1: torn last record, ignored\n"},
		{"a last record with no newline", rec(1) + "\n" + rec(2), exitPass, "seeds:          2, from 1 to 2\n", ""},
		{"torn in the middle", rec(1) + "\n" + torn + "\n" + rec(2) + "\n", exitUsage, "", ":2: not a record of a sweep: "},
		{"a bad last line with its newline", rec(1) + "\n" + torn + "\n", exitUsage, "", ":2: not a record of a sweep: "},
		{"a last line of JSON but no record", rec(1) + "\n" + `{"seed":2}`, exitUsage, "", `:2: not a record of a sweep: no "verdict"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeScenario(t, "in.jsonl", tt.text)
			code, stdout, stderr := runCLI("-summarize", path)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) {
				t.Errorf("exit %d, stdout:\n%s\nwant exit %d and %q", code, stdout, tt.code, tt.stdout)
			}
			if tt.stderr == "" && stderr != "" || tt.stderr != "" && !strings.HasPrefix(stderr, "eccounter-sim: "+path+tt.stderr) {
				t.Errorf("stderr %q, want %q after the path", stderr, tt.stderr)
			}
		})
	}
	// Standard input too.
	stdin = strings.NewReader(rec(1) + "\n" + torn)
	defer func() { stdin = os.Stdin }()
	if code, _, stderr := runCLI("-summarize", "-"); code != exitPass || stderr != "eccounter-sim: standard input:2: torn last record, ignored\n" {
		t.Errorf("-summarize -: exit %d, stderr %q", code, stderr)
	}
}

// TestSummarizeSeedBudget: records whose seeds are too scattered to keep
// within the budget exit 2, saying what to change, rather than use memory
// without end.
func TestSummarizeSeedBudget(t *testing.T) {
	defer func(b int64) { seedSetBudget = b }(seedSetBudget)
	seedSetBudget = 1 << 20
	var b strings.Builder
	for i := range 100_000 {
		b.WriteString(strings.Replace(goodRecord, `"seed":1`, fmt.Sprintf(`"seed":%d`, i*1_000_000_007), 1) + "\n")
	}
	path := writeScenario(t, "in.jsonl", b.String())
	code, stdout, stderr := runCLI("-summarize", path)
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "the seeds are too scattered to keep track of in 1 MiB") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestRecordTableDoc: docs/sweeps.md's table "The record" names the keys
// -summarize reads, in the order a sweep writes them, and the verdicts,
// checks and stop reasons it accepts.
func TestRecordTableDoc(t *testing.T) {
	_, table, _ := strings.Cut(readDoc(t, "sweeps.md"), "\n| key | value |\n|---|---|\n")
	table, _, _ = strings.Cut(table, "\n\n")
	var keys []string
	rows := map[string]string{}
	for _, row := range strings.Split(table, "\n") {
		cells := strings.Split(row, " | ")
		for _, k := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(cells[0], -1) {
			keys = append(keys, k[1])
			rows[k[1]] = row
		}
	}
	if !slices.Equal(keys, sweepRecordKeys) {
		t.Errorf("docs/sweeps.md's record table has keys %v, want %v", keys, sweepRecordKeys)
	}
	for _, v := range verdicts {
		if !strings.Contains(rows["verdict"], `"`+v.word+`"`) {
			t.Errorf("docs/sweeps.md's row for verdict does not name %q: %s", v.word, rows["verdict"])
		}
	}
	for _, c := range []string{"determinism", "aborted"} {
		if !strings.Contains(rows["failed_check"], `"`+c+`"`) {
			t.Errorf("docs/sweeps.md's row for failed_check does not name %q", c)
		}
	}
	for _, stop := range stopReasons {
		if !strings.Contains(rows["stop"], "`"+stop+"`") {
			t.Errorf("docs/sweeps.md's row for stop does not name %q", stop)
		}
	}
}

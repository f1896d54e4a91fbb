package main

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"eccounter/internal/textdiff"
	"eccounter/scenarios"
	"eccounter/sweeps"
)

// recordKeys are the keys of a sweep's record, in the order written.
var recordKeys = []string{"seed", "verdict", "failed_check", "anomaly_check", "stop", "converged", "converged_at", "after_last_set", "events", "messages", "residue", "fingerprint"}

// sweepRecord is a record as a consumer decodes it.
type sweepRecord struct {
	Seed         int64   `json:"seed"`
	Verdict      string  `json:"verdict"`
	FailedCheck  *string `json:"failed_check"`
	Stop         string  `json:"stop"`
	Converged    bool    `json:"converged"`
	ConvergedAt  *int64  `json:"converged_at"`
	AfterLastSet *int64  `json:"after_last_set"`
	Events       int64   `json:"events"`
	Messages     int64   `json:"messages"`
	Residue      int     `json:"residue"`
	Fingerprint  string  `json:"fingerprint"`
	TraceHash    string  `json:"trace_hash"`
}

// sweepLines splits a sweep's output into lines, failing the test unless it
// ends with a newline.
func sweepLines(t *testing.T, out string) []string {
	t.Helper()
	if out == "" {
		return nil
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end with a newline: %q", out[max(0, len(out)-80):])
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// decodeSweep decodes every line of a sweep's output.
func decodeSweep(t *testing.T, out string) []sweepRecord {
	t.Helper()
	var recs []sweepRecord
	for i, line := range sweepLines(t, out) {
		var r sweepRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d is not a record: %v\n%s", i+1, err, line)
		}
		recs = append(recs, r)
	}
	return recs
}

// keysOf returns the keys of a JSON object, in order.
func keysOf(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", line)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// sortBySeed sorts a sweep's output lines by seed, as sort -t: -k2,2n would.
func sortBySeed(t *testing.T, out string) string {
	t.Helper()
	lines := sweepLines(t, out)
	seedOf := func(line string) int64 {
		var r struct{ Seed int64 }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		return r.Seed
	}
	slices.SortStableFunc(lines, func(a, b string) int { return cmp.Compare(seedOf(a), seedOf(b)) })
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// slowScenario writes a scenario whose runs stop at max_time, 1.15s, when
// about half of the seeds have not finished yet: a sweep with passing and
// failing seeds.
func slowScenario(t *testing.T) string {
	return writeScenario(t, "slow.toml", "max_time = \"1.15s\"\n")
}

// TestSweepOrder: a sweep's records come in seed order, one per seed, and
// the output is the same bytes whatever the number of workers.
func TestSweepOrder(t *testing.T) {
	code, want, stderr := runCLI("-seeds", "1..200", "-jobs", "1")
	if code != exitPass {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	recs := decodeSweep(t, want)
	if len(recs) != 200 {
		t.Fatalf("%d records, want 200", len(recs))
	}
	for i, r := range recs {
		if r.Seed != int64(i+1) {
			t.Fatalf("record %d is of seed %d, want %d", i+1, r.Seed, i+1)
		}
		if r.Verdict != "pass" || r.FailedCheck != nil || r.Stop != "done" || !r.Converged || r.ConvergedAt == nil ||
			r.AfterLastSet == nil || *r.AfterLastSet < 0 || *r.AfterLastSet > *r.ConvergedAt || r.Events < 1000 || r.Messages < 1000 {
			t.Errorf("record of seed %d: %+v", r.Seed, r)
		}
	}
	for _, jobs := range []string{"2", "4", "13"} {
		_, got, _ := runCLI("-seeds", "1..200", "-jobs", jobs)
		if got != want {
			t.Errorf("-jobs %s differs from -jobs 1 at line %d:\n%s", jobs,
				textdiff.FirstLine(got, want), textdiff.Lines(got, want))
		}
	}
	// A seed alone gives the line it has in the sweep.
	for _, seed := range []int{1, 77, 200} {
		_, one, _ := runCLI("-seeds", fmt.Sprintf("%d..%d", seed, seed))
		if line := sweepLines(t, want)[seed-1] + "\n"; one != line {
			t.Errorf("seed %d alone:\n%s\nin the sweep:\n%s", seed, one, line)
		}
	}
}

// TestSweepRecordIsTheRun: each record says what the summary of that
// seed's own run (eccounter-sim -seed N -trace jsonl -q) says, for the
// default scenario, a failing one, and a swarm scenario, whose faults are
// drawn from the seed.
func TestSweepRecordIsTheRun(t *testing.T) {
	for _, path := range []string{"", slowScenario(t), writeScenario(t, "swarm.toml", "swarm = true\nservers = 4\nrequests_per_client = 30\n")} {
		args := []string{"-seeds", "1..12"}
		if path != "" {
			args = append(args, path)
		}
		_, out, _ := runCLI(args...)
		for _, r := range decodeSweep(t, out) {
			args := []string{"-trace", "jsonl", "-q", "-seed", strconv.FormatInt(r.Seed, 10)}
			if path != "" {
				args = append(args, path)
			}
			_, sum, _ := runCLI(args...)
			var s struct {
				Stop            string           `json:"stop"`
				Converged       bool             `json:"converged"`
				ConvergedAt     *int64           `json:"converged_at"`
				AcceptedSets    int64            `json:"accepted_sets"`
				LastAcceptedSet *int64           `json:"last_accepted_set"`
				Events          int64            `json:"events"`
				Messages        map[string]int64 `json:"messages"`
				Failures        []struct {
					Check string `json:"check"`
				} `json:"failures"`
			}
			if err := json.Unmarshal([]byte(sum), &s); err != nil {
				t.Fatalf("%v: %s", err, sum)
			}
			var msgs int64
			for _, n := range s.Messages {
				msgs += n
			}
			var after *int64
			if s.Converged && s.AcceptedSets > 0 {
				d := *s.ConvergedAt - *s.LastAcceptedSet
				after = &d
			}
			var failed *string
			if len(s.Failures) > 0 {
				failed = &s.Failures[0].Check
			}
			if r.Stop != s.Stop || r.Converged != s.Converged || !equalPtr(r.ConvergedAt, s.ConvergedAt) ||
				!equalPtr(r.AfterLastSet, after) || r.Events != s.Events || r.Messages != msgs ||
				!equalPtr(r.FailedCheck, failed) || (r.Verdict == "pass") != (failed == nil) {
				t.Errorf("%s seed %d: the sweep's record\n%+v\ndisagrees with the run's summary\n%s", path, r.Seed, r, sum)
			}
		}
	}
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// TestSweepWindow runs a sweep with a reorder window far smaller than the
// seeds and more workers than it holds: the records still come in order,
// and the sweep panics if a worker ever runs more than the window ahead.
func TestSweepWindow(t *testing.T) {
	sc := scenarios.Default()
	var want bytes.Buffer
	var t1 sweeps.Tally
	if err := sweep(&want, sc, sweepOptions{seeds: seedRange{-50, 300}, jobs: 1, records: true, window: 1}, &t1); err != nil {
		t.Fatal(err)
	}
	for _, o := range []sweepOptions{{jobs: 4, window: 3}, {jobs: 16, window: 8}, {jobs: 3, window: 4096}} {
		var got bytes.Buffer
		var t2 sweeps.Tally
		o.seeds, o.records = seedRange{-50, 300}, true
		if err := sweep(&got, sc, o, &t2); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("-jobs %d with a window of %d differs from one worker at line %d", o.jobs, o.window,
				textdiff.FirstLine(got.String(), want.String()))
		}
	}
	if recs := decodeSweep(t, want.String()); len(recs) != 300 || recs[0].Seed != -50 || recs[299].Seed != 249 {
		t.Errorf("%d records from seed %d to %d, want 300 from -50 to 249", len(recs), recs[0].Seed, recs[len(recs)-1].Seed)
	}
}

// TestSweepRecordKeys: every record has exactly the documented keys, in
// the documented order; trace_hash only with -check-determinism.
func TestSweepRecordKeys(t *testing.T) {
	path := slowScenario(t)
	_, out, _ := runCLI("-seeds", "1..40", path)
	var pass, fail bool
	for _, line := range sweepLines(t, out) {
		if keys := keysOf(t, line); !slices.Equal(keys, recordKeys) {
			t.Fatalf("keys %v, want %v:\n%s", keys, recordKeys, line)
		}
		var r sweepRecord
		json.Unmarshal([]byte(line), &r)
		switch r.Verdict {
		case "pass":
			pass = true
			if r.FailedCheck != nil {
				t.Errorf("a passing seed has a failed_check: %s", line)
			}
		case "fail":
			fail = true
			if r.FailedCheck == nil || *r.FailedCheck == "" {
				t.Errorf("a failing seed has no failed_check: %s", line)
			}
		default:
			t.Errorf("verdict %q: %s", r.Verdict, line)
		}
		if r.Converged != (r.ConvergedAt != nil) || (r.AfterLastSet != nil && r.ConvergedAt == nil) {
			t.Errorf("converged_at must be there exactly when converged, after_last_set only then: %s", line)
		}
	}
	if !pass || !fail {
		t.Fatalf("want both passing and failing seeds in:\n%s", out)
	}
	_, out, _ = runCLI("-seeds", "1..3", "-check-determinism")
	for _, line := range sweepLines(t, out) {
		if keys := keysOf(t, line); !slices.Equal(keys, append(slices.Clone(recordKeys), "trace_hash")) {
			t.Errorf("with -check-determinism: keys %v, want %v and trace_hash", keys, recordKeys)
		}
	}
}

// TestSweepShards: the shards of a sweep are disjoint, cover it, and their
// outputs concatenated in shard order (or in any order, then sorted by
// seed) are the whole sweep's output, byte for byte.
func TestSweepShards(t *testing.T) {
	for _, tt := range []struct {
		seeds  string
		shards int
	}{{"1..200", 4}, {"-5..4", 4}, {"1..3", 5}, {"7..7", 2}, {"1..100", 1}} {
		t.Run(tt.seeds+"/"+strconv.Itoa(tt.shards), func(t *testing.T) {
			_, want, _ := runCLI("-seeds", tt.seeds)
			var parts []string
			for i := 1; i <= tt.shards; i++ {
				code, out, stderr := runCLI("-seeds", tt.seeds, "-shard", fmt.Sprintf("%d/%d", i, tt.shards))
				if code != exitPass {
					t.Fatalf("shard %d: exit %d, stderr:\n%s", i, code, stderr)
				}
				parts = append(parts, out)
			}
			if got := strings.Join(parts, ""); got != want {
				t.Errorf("shards concatenated in order differ from the whole sweep at line %d", textdiff.FirstLine(got, want))
			}
			slices.Reverse(parts)
			if got := sortBySeed(t, strings.Join(parts, "")); got != want {
				t.Errorf("shards concatenated backwards and sorted by seed differ from the whole sweep at line %d",
					textdiff.FirstLine(got, want))
			}
			// Shard sizes differ by at most one.
			var sizes []int
			for _, p := range parts {
				sizes = append(sizes, len(sweepLines(t, p)))
			}
			if slices.Max(sizes)-slices.Min(sizes) > 1 {
				t.Errorf("shard sizes %v", sizes)
			}
		})
	}
}

func TestShardOf(t *testing.T) {
	// The extreme range: no overflow in the seeds or the block bounds.
	r := seedRange{9223372036854775807 - 99_999_999, 100_000_000}
	var total uint64
	next := r.first
	for i := uint64(1); i <= 7; i++ {
		s := shard{i, 7}.of(r)
		if s.first != next {
			t.Errorf("shard %d/7 starts at %d, want %d", i, s.first, next)
		}
		total += s.n
		next = s.first + int64(s.n)
	}
	if total != r.n || r.seed(r.n-1) != 9223372036854775807 {
		t.Errorf("the shards hold %d seeds, want %d", total, r.n)
	}
}

// TestSweepUsageErrors: bad sweep command lines exit 2, say what is wrong
// on stderr, and print nothing on stdout.
func TestSweepUsageErrors(t *testing.T) {
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"-seeds", "5..1"}, `invalid value "5..1" for flag -seeds: the range is empty: 5 is larger than 1`},
		{[]string{"-seeds", "1-5"}, `invalid value "1-5" for flag -seeds: want A..B, two integers such as 1..1000`},
		{[]string{"-seeds", "1..x"}, "want A..B"},
		{[]string{"-seeds", "1..2..3"}, "want A..B"},
		{[]string{"-seeds", "..5"}, "want A..B"},
		{[]string{"-seeds", "0..100000000"}, "too many seeds: at most 100000000 in one sweep"},
		{[]string{"-seeds", "-9223372036854775808..9223372036854775807"}, "too many seeds"},
		{[]string{"-seeds"}, "flag needs an argument: -seeds"},
		{[]string{"-seeds", "1..2", "-jobs", "0"}, `invalid value "0" for flag -jobs: want a whole number of workers, at least 1`},
		{[]string{"-seeds", "1..2", "-jobs", "-3"}, "at least 1"},
		{[]string{"-seeds", "1..2", "-jobs", "many"}, "at least 1"},
		{[]string{"-seeds", "1..2", "-shard", "0/4"}, `invalid value "0/4" for flag -shard: want 1 <= i <= N, got i=0, N=4`},
		{[]string{"-seeds", "1..2", "-shard", "5/4"}, "want 1 <= i <= N, got i=5, N=4"},
		{[]string{"-seeds", "1..2", "-shard", "1/0"}, "want 1 <= i <= N"},
		{[]string{"-seeds", "1..2", "-shard", "2"}, "want i/N, two whole numbers such as 2/4"},
		{[]string{"-seeds", "1..2", "-shard", "-1/4"}, "want i/N"},
		{[]string{"-seeds", "1..2", "-seed", "3"}, "-seed and -seeds do not go together"},
		{[]string{"-seeds", "1..2", "-trace", "jsonl"}, "-trace does not apply to -seeds"},
		{[]string{"-seeds", "1..2", "-summarize", "x.jsonl"}, "-seeds and -summarize do not go together"},
		{[]string{"-jobs", "2"}, "-jobs applies to sweeps only: add -seeds A..B"},
		{[]string{"-shard", "1/2"}, "-shard applies to sweeps only"},
		{[]string{"-check-determinism"}, "-check-determinism applies to sweeps only"},
		{[]string{"-summarize", "x.jsonl", "-q"}, "-q does not apply to -summarize"},
		{[]string{"-summarize", "x.jsonl", "-jobs", "2"}, "-jobs does not apply to -summarize"},
		{[]string{"-summarize", filepath.Join(t.TempDir(), "missing.jsonl")}, "-summarize: open "},
		{[]string{"-seeds", "1..2", "a.toml", "b.toml"}, "one scenario file at most"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.stderr)
			}
		})
	}
}

// replayLine matches a replay command in a summary.
var replayLine = regexp.MustCompile(`(?m)^  (eccounter-sim .*)$`)

// TestSweepFailing: a sweep with failing seeds exits 1; its summary counts
// them and lists the commands that replay the first 20, each of which
// fails too.
func TestSweepFailing(t *testing.T) {
	path := slowScenario(t)
	code, stdout, stderr := runCLI("-seeds", "1..100", path)
	if code != exitFail {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFail, stderr)
	}
	var failing []int64
	for _, r := range decodeSweep(t, stdout) {
		if r.Verdict == "fail" {
			failing = append(failing, r.Seed)
		}
	}
	if len(failing) <= sweeps.MaxReplays || len(failing) == 100 {
		t.Fatalf("%d of 100 seeds failed: want some to pass and more than %d to fail", len(failing), sweeps.MaxReplays)
	}
	for _, want := range []string{
		"== sweep: " + path + " ==\n",
		"seeds:          100, from 1 to 100\n",
		fmt.Sprintf("verdict:        %d of 100 FAILED\n", len(failing)),
		"first failed:   clients-complete ",
		"stopped:        done ",
		"replay:\n",
		fmt.Sprintf("  ... and %d more (every seed has its line in the JSON lines)\n", len(failing)-sweeps.MaxReplays),
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	replays := replayLine.FindAllStringSubmatch(stderr, -1)
	if len(replays) != sweeps.MaxReplays {
		t.Fatalf("%d replay lines, want %d:\n%s", len(replays), sweeps.MaxReplays, stderr)
	}
	for i, m := range replays {
		want := fmt.Sprintf("eccounter-sim -seed %d %s", failing[i], path)
		if m[1] != want {
			t.Errorf("replay line %d = %q, want %q", i+1, m[1], want)
		}
		args := strings.Fields(m[1])[1:]
		if code, out, _ := runCLI(args...); code != exitFail || !strings.Contains(out, "FAIL") {
			t.Errorf("%s: exit %d, want %d and a FAIL", m[1], code, exitFail)
		}
	}
	// The default scenario's replay lines name no file.
	_, _, stderr = runCLI("-seeds", "1..2", "-shard", "2/2")
	if strings.Contains(stderr, "replay") {
		t.Errorf("a passing sweep lists replays:\n%s", stderr)
	}
	if got := sweeps.ReplayFailure(scenarios.Default(), -4, "clients-complete"); got != "eccounter-sim -seed -4" {
		t.Errorf("replay of the default scenario = %q", got)
	}
}

// TestSweepQuietAndOutput: -q keeps the records off standard output, -o
// sends them to a file; the summary is on standard error either way.
func TestSweepQuietAndOutput(t *testing.T) {
	_, want, wantSum := runCLI("-seeds", "1..30")
	code, stdout, stderr := runCLI("-seeds", "1..30", "-q")
	if code != exitPass || stdout != "" || stderr != wantSum {
		t.Errorf("-q: exit %d, stdout %q, stderr:\n%s\nwant 0, nothing, and the summary", code, stdout, stderr)
	}
	path := filepath.Join(t.TempDir(), "out.jsonl")
	code, stdout, stderr = runCLI("-seeds", "1..30", "-o", path)
	got, err := os.ReadFile(path)
	if code != exitPass || stdout != "" || stderr != wantSum || err != nil || string(got) != want {
		t.Errorf("-o: exit %d, stdout %q, file %d bytes (%v), want the %d bytes of standard output", code, stdout, len(got), err, len(want))
	}
}

// TestSummarize: -summarize of a sweep's output prints the summary the
// sweep printed, on standard output, and with the same exit code; so do the
// outputs of its shards, in any order.
func TestSummarize(t *testing.T) {
	dir := t.TempDir()
	path := slowScenario(t)
	code, out, sum := runCLI("-seeds", "1..100", path)
	if code != exitFail {
		t.Fatalf("sweep: exit %d", code)
	}
	all := filepath.Join(dir, "all.jsonl")
	os.WriteFile(all, []byte(out), 0o644)
	code, got, stderr := runCLI("-summarize", all, path)
	if code != exitFail || stderr != "" || got != sum {
		t.Errorf("-summarize: exit %d, stderr %q; summary:\n%s\nwant exit 1 and the sweep's:\n%s", code, stderr, got, sum)
	}

	var files []string
	for i := 1; i <= 3; i++ {
		_, part, _ := runCLI("-seeds", "1..100", "-shard", fmt.Sprintf("%d/3", i), path)
		f := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		os.WriteFile(f, []byte(part), 0o644)
		files = append(files, f)
	}
	args := []string{"-summarize", files[2], "-summarize", files[0], "-summarize", files[1], path}
	if code, got, _ := runCLI(args...); code != exitFail || got != sum {
		t.Errorf("-summarize of the shards: exit %d:\n%s\nwant the sweep's:\n%s", code, got, sum)
	}

	// Standard input, in another order still.
	lines := sweepLines(t, out)
	slices.Reverse(lines)
	stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	defer func() { stdin = os.Stdin }()
	if code, got, _ := runCLI("-summarize", "-", path); code != exitFail || got != sum {
		t.Errorf("-summarize - : exit %d:\n%s\nwant the sweep's:\n%s", code, got, sum)
	}

	// A shard missing and one given twice show.
	args = []string{"-summarize", files[0], "-summarize", files[0], "-summarize", files[2], path}
	if _, got, _ := runCLI(args...); !strings.Contains(got, "seeds:          67, from 1 to 100; 33 missing in between; 33 repeated records skipped\n") {
		t.Errorf("-summarize with shard 1 twice and no shard 2:\n%s", got)
	}

	// A passing sweep summarizes to exit 0.
	_, out, sum = runCLI("-seeds", "1..10")
	os.WriteFile(all, []byte(out), 0o644)
	if code, got, _ := runCLI("-summarize", all); code != exitPass || got != sum {
		t.Errorf("-summarize of a passing sweep: exit %d:\n%s\nwant 0 and:\n%s", code, got, sum)
	}
}

func TestSummarizeBadInput(t *testing.T) {
	good := `{"seed":1,"verdict":"pass","failed_check":null,"stop":"done","converged":true,"converged_at":5,"after_last_set":2,"events":9,"messages":8}`
	tests := []struct{ name, text, msg string }{
		{"not JSON", good + "\nhello\n", ":2: not a record of a sweep: invalid character 'h'"},
		{"a trace", `{"t":0,"event":"scenario","node":""}` + "\n", `:1: not a record of a sweep: unknown key "t"`},
		{"no verdict", `{"seed":1}`, `no "verdict"`},
		{"pass with a check", strings.Replace(good, `"failed_check":null`, `"failed_check":"x"`, 1), `failed_check: "x": want null with "verdict":"pass"`},
		{"fail without", strings.Replace(good, `"pass"`, `"fail"`, 1), `failed_check: null: want a check with "verdict":"fail"`},
		{"converged_at missing", strings.Replace(good, `"converged_at":5`, `"converged_at":null`, 1), `converged_at: null: want a time when "converged" is true`},
		{"unknown keys", strings.Replace(good, `"seed":1`, `"seed":1,"new_key":[1]`, 1), `not a record of a sweep: unknown key "new_key"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeScenario(t, "in.jsonl", tt.text)
			code, stdout, stderr := runCLI("-summarize", path)
			if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "eccounter-sim: "+path+":") || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, and %q", code, stdout, stderr, tt.msg)
			}
		})
	}
	// Blank lines are fine, and so is a record older than "residue".
	path := writeScenario(t, "in.jsonl", "\n"+good+"\n\n")
	if code, stdout, stderr := runCLI("-summarize", path); code != exitPass || !strings.Contains(stdout, "seeds:          1, from 1 to 1\n") {
		t.Errorf("exit %d, stderr %q:\n%s", code, stderr, stdout)
	}
}

// TestCheckDeterminism: with -check-determinism every seed of the default
// scenario passes, its record carries the SHA-256 of its JSON Lines trace
// (exactly what -seed N -trace jsonl prints), and is otherwise the record
// of a sweep without it.
func TestCheckDeterminism(t *testing.T) {
	code, out, stderr := runCLI("-seeds", "1..20", "-check-determinism", "-jobs", "3")
	if code != exitPass {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "determinism:    20 seeds run twice, their traces compared\n") {
		t.Errorf("summary does not say determinism was checked:\n%s", stderr)
	}
	if _, _, one := runCLI("-seeds", "1..1", "-check-determinism"); !strings.Contains(one, "determinism:    1 seed run twice,") {
		t.Errorf("one seed: the summary's count is not singular:\n%s", one)
	}
	_, plain, _ := runCLI("-seeds", "1..20")
	strip := regexp.MustCompile(`,"trace_hash":"[0-9a-f]{64}"}`)
	if got := strip.ReplaceAllString(out, "}"); got != plain {
		t.Errorf("records with -check-determinism, without trace_hash, differ from the plain sweep at line %d",
			textdiff.FirstLine(got, plain))
	}
	recs := decodeSweep(t, out)
	for _, seed := range []int{1, 20} {
		sum := sha256.Sum256(runOutput(t, exitPass, "-seed", strconv.Itoa(seed), "-trace", "jsonl"))
		if got, want := recs[seed-1].TraceHash, hex.EncodeToString(sum[:]); got != want {
			t.Errorf("seed %d: trace_hash %s, want the SHA-256 of -trace jsonl: %s", seed, got, want)
		}
	}
	// On a failing scenario, the hash is still that of the trace.
	path := slowScenario(t)
	_, out, _ = runCLI("-seeds", "1..5", "-check-determinism", path)
	for _, r := range decodeSweep(t, out) {
		sum := sha256.Sum256(runOutput(t, map[string]int{"pass": 0, "fail": 1}[r.Verdict], "-seed", strconv.FormatInt(r.Seed, 10), "-trace", "jsonl", path))
		if r.TraceHash != hex.EncodeToString(sum[:]) {
			t.Errorf("seed %d of %s: trace_hash is not the SHA-256 of its trace", r.Seed, path)
		}
	}
}

// TestDeterminismFailure: how a seed whose two runs differ is written and
// summarized. No seed of this simulator differs, so the record is made by
// hand.
func TestDeterminismFailure(t *testing.T) {
	aa, bb := strings.Repeat("a", 64), strings.Repeat("b", 64)
	r := sweeps.Record{Seed: 9, FailedCheck: "determinism", Stop: "done", Events: 3, Messages: 2, TraceHash: aa, RerunHash: bb}
	line := string(r.AppendJSON(nil))
	want := `{"seed":9,"verdict":"fail","failed_check":"determinism","anomaly_check":null,"stop":"done","converged":false,"converged_at":null,"after_last_set":null,"events":3,"messages":2,"residue":0,"trace_hash":"` + aa + `","rerun_hash":"` + bb + `"}` + "\n"
	if line != want {
		t.Errorf("record:\n%s\nwant:\n%s", line, want)
	}
	back, err := parseRecord([]byte(line))
	if err != nil || back != r {
		t.Errorf("read back as %+v (%v), want %+v", back, err, r)
	}
	var tl sweeps.Tally
	tl.Add(&r)
	var b strings.Builder
	tl.WriteSummary(&b, &scenarios.Scenario{Name: "x.toml"})
	if !strings.Contains(b.String(), "\n  eccounter-sim -seeds 9..9 -check-determinism x.toml\n") {
		t.Errorf("summary does not replay the determinism check:\n%s", b.String())
	}
}

// TestNoProgressOffTerminal: the progress line is drawn on terminals only.
func TestNoProgressOffTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, out := range []io.Writer{f, null, w, &bytes.Buffer{}} {
		if isTerminal(out) {
			t.Errorf("%T %v is taken for a terminal", out, out)
		}
	}
}

// TestShardsWithGNUParallel spreads a sweep over four shards run by GNU
// parallel, as docs/sweeps.md shows, and checks that their outputs, sorted by
// seed, are the whole sweep's output.
func TestShardsWithGNUParallel(t *testing.T) {
	parallel, err := exec.LookPath("parallel")
	if err != nil {
		t.Skip("GNU parallel is not installed; .ci/run installs it (apt-get install parallel)")
	}
	if out, _ := exec.Command(parallel, "--version").Output(); !bytes.Contains(out, []byte("GNU parallel")) {
		t.Skip(parallel + " is not GNU parallel (moreutils has one too); .ci/run installs GNU's (apt-get install parallel)")
	}
	bin := filepath.Join(t.TempDir(), "eccounter-sim")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	want := string(runOutput(t, exitPass, "-seeds", "1..400"))
	for _, keep := range []bool{false, true} {
		args := []string{"--will-cite", "-j", "4"}
		if keep {
			args = append(args, "--keep-order")
		}
		args = append(args, bin, "-seeds", "1..400", "-shard", "{}/4", ":::", "1", "2", "3", "4")
		cmd := exec.Command(parallel, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("parallel %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		got := stdout.String()
		if !keep {
			got = sortBySeed(t, got)
			// docs/sweeps.md sorts with sort(1); where there is one, so does
			// this test.
			if sortCmd, err := exec.LookPath("sort"); err == nil {
				cmd := exec.Command(sortCmd, "-t:", "-k2,2n")
				cmd.Env = append(os.Environ(), "LC_ALL=C")
				cmd.Stdin = strings.NewReader(stdout.String())
				sorted, err := cmd.Output()
				if err != nil || string(sorted) != want {
					t.Errorf("LC_ALL=C sort -t: -k2,2n of parallel's output differs from one sweep (%v) at line %d", err,
						textdiff.FirstLine(string(sorted), want))
				}
			}
		}
		if got != want {
			t.Errorf("parallel %s (sorted: %t) differs from one sweep at line %d:\n%s", strings.Join(args, " "), !keep,
				textdiff.FirstLine(got, want), textdiff.Lines(got, want))
		}
		if n := strings.Count(stderr.String(), "== sweep: default.toml (embedded) ==\n"); n != 4 {
			t.Errorf("parallel's stderr holds %d summaries, want one per shard:\n%s", n, stderr.String())
		}
	}
}

// BenchmarkSweep measures a sweep's throughput in seeds per second: the
// default scenario, checks on, no trace, one worker per CPU, the records
// formatted and discarded. Target: 2,000 seeds/s on 2 cores.
func BenchmarkSweep(b *testing.B) {
	sc := scenarios.Default()
	const seeds = 2000
	var n uint64
	for b.Loop() {
		var t sweeps.Tally
		o := sweepOptions{seeds: seedRange{int64(n) + 1, seeds}, jobs: runtime.NumCPU(), records: true, window: sweepWindow}
		if err := sweep(io.Discard, sc, o, &t); err != nil || t.Failed() > 0 {
			b.Fatalf("sweep: %v, %d failed", err, t.Failed())
		}
		n += seeds
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "seeds/s")
}

// TestSweepResidue: a sweep of rumor mongering or direct mail alone
// passes though some seeds leave servers without the largest value; each
// record gives its residue, which is 0 exactly when the servers
// converged, and the summary counts the seeds that left any, with the
// largest.
func TestSweepResidue(t *testing.T) {
	for _, sc := range []string{"rumor.toml", "mail.toml"} {
		code, out, stderr := runCLI("-seeds", "1..30", "../../scenarios/"+sc)
		if code != exitPass {
			t.Fatalf("%s: exit %d; stderr:\n%s", sc, code, stderr)
		}
		var with, most int
		for _, r := range decodeSweep(t, out) {
			if (r.Residue == 0) != r.Converged {
				t.Errorf("%s seed %d: residue %d, converged %t", sc, r.Seed, r.Residue, r.Converged)
			}
			if r.Residue > 0 {
				with++
				most = max(most, r.Residue)
			}
		}
		if with == 0 {
			t.Fatalf("no seed of %s left a residue; the test needs one that does", sc)
		}
		want := fmt.Sprintf("residue:        %d of 30 seeds left servers below the largest value (at most %d)\n", with, most)
		if !strings.Contains(stderr, want) {
			t.Errorf("%s: summary lacks %q:\n%s", sc, want, stderr)
		}
	}
}

// TestSweepAnomalies: seeds 7 and 8 of crash.toml lose their largest value
// in a crash without durable storage, seed 9 does not. Their records say
// anomaly and name the check, the summary counts them apart from the
// passes and gives the replay of the first, the exit status stays 0, and
// -summarize reads the records back to the same summary.
func TestSweepAnomalies(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-seeds", "7..9", "../../scenarios/crash.toml"}, &stdout, &stderr); code != exitPass {
		t.Fatalf("exit %d, want 0 (anomalies do not fail a sweep):\n%s", code, &stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	for i, want := range []string{`"seed":7,"verdict":"anomaly","failed_check":null,"anomaly_check":"converged-to-max",`,
		`"seed":8,"verdict":"anomaly","failed_check":null,"anomaly_check":"converged-to-max",`,
		`"seed":9,"verdict":"pass","failed_check":null,"anomaly_check":null,`} {
		if i >= len(lines) || !strings.Contains(lines[i], want) {
			t.Errorf("record %d lacks %s:\n%s", i+1, want, &stdout)
		}
	}
	for _, want := range []string{"\nverdict:        1 passed, 2 anomaly (explained, so not failures)\n",
		"\nfirst anomaly:  converged-to-max 2; the first: eccounter-sim -seed 7 ../../scenarios/crash.toml\n"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, &stderr)
		}
	}
	in := filepath.Join(t.TempDir(), "s.jsonl")
	if err := os.WriteFile(in, stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if code := run([]string{"-summarize", in, "../../scenarios/crash.toml"}, &again, &bytes.Buffer{}); code != exitPass || again.String() != stderr.String() {
		t.Errorf("-summarize: exit %d, summary\n%s\nwant exit 0 and the sweep's\n%s", code, &again, &stderr)
	}
}

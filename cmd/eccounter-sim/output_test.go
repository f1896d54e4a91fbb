package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"eccounter/internal/textdiff"
	"eccounter/scenarios"
	"eccounter/sweeps"
)

// dirNames lists the names in dir, hidden ones (temporary files) too.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestOutputSameFile: an output that is also an input, or the file of
// another output, is refused with exit 2 before the run, and the file is
// left as it was; -summarize X -o X used to empty X and exit 0.
func TestOutputSameFile(t *testing.T) {
	dir := t.TempDir()
	_, records, _ := runCLI("-seeds", "1..5")
	rec := filepath.Join(dir, "s.jsonl")
	sc := filepath.Join(dir, "sc.toml")
	link := filepath.Join(dir, "link.jsonl")
	os.WriteFile(rec, []byte(records), 0o644)
	os.WriteFile(sc, []byte("seed = 3\n"), 0o644)
	if err := os.Symlink(rec, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-summarize", rec, "-o", rec}, "-o: " + rec + ": is also read by -summarize " + rec},
		{[]string{"-summarize", rec, "-o", link}, "is also read by -summarize"},
		{[]string{"-summarize", link, "-chart", rec}, "-chart: " + rec + ": is also read by -summarize " + link},
		{[]string{"-o", sc, sc}, "-o: " + sc + ": is the scenario file " + sc},
		{[]string{"-seed", "1", "-shrink", sc, sc}, "-shrink: " + sc + ": is the scenario file"},
		{[]string{"-diagram", sc, sc}, "-diagram: " + sc + ": is the scenario file"},
		{[]string{"-epidemic", "-seeds", "1..2", "-chart", sc, "../../scenarios/rumor.toml", sc}, "is the scenario file"},
		{[]string{"-diagram", filepath.Join(dir, "x.svg"), "-chart", filepath.Join(dir, "x.svg")}, "-chart: " + filepath.Join(dir, "x.svg") + ": is also the file of -diagram"},
		{[]string{"-o", rec, "-report", link}, "-report: " + link + ": is also the file of -o " + rec},
		{[]string{"-o", filepath.Join(dir, "a"), "-report", filepath.Join(dir, ".", "a")}, "is also the file of -o"},
	} {
		code, stdout, stderr := runCLI(tc.args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tc.msg) {
			t.Errorf("eccounter-sim %q: exit %d, stdout %q, stderr %q; want exit 2, nothing, and %q", tc.args, code, stdout, stderr, tc.msg)
		}
	}
	if b, _ := os.ReadFile(rec); string(b) != records {
		t.Errorf("the records were changed: %q", b)
	}
	if b, _ := os.ReadFile(sc); string(b) != "seed = 3\n" {
		t.Errorf("the scenario was changed: %q", b)
	}
	if got := strings.Join(dirNames(t, dir), " "); got != "link.jsonl s.jsonl sc.toml" {
		t.Errorf("the directory holds %s, want only the three files it had", got)
	}
	// Devices may be named twice.
	if code, _, stderr := runCLI("-q", "-o", os.DevNull, "-chart", os.DevNull, "-diagram", os.DevNull); code != exitPass {
		t.Errorf("-o, -chart and -diagram %s: exit %d: %s", os.DevNull, code, stderr)
	}
}

// TestOutputCheckedFirst: an output that cannot be written (a directory,
// a directory that does not exist) stops the run before it starts, for
// every output flag: exit 2, a message naming the flag and the path, and
// nothing on standard output.
func TestOutputCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nodir", "x")
	for _, tc := range []struct {
		flag string
		args []string
	}{
		{"-o", nil},
		{"-report", nil},
		{"-diagram", nil},
		{"-chart", nil},
		{"-chart", []string{"-seeds", "1..3"}},
		{"-chart", []string{"-epidemic", "-seeds", "1..3", "../../scenarios/rumor.toml"}},
		{"-shrink", []string{"-seed", "23", writeScenario(t, "short.toml", "max_time = \"1.2s\"\n")}},
	} {
		for _, path := range []string{dir, missing} {
			args := append([]string{tc.flag, path}, tc.args...)
			code, stdout, stderr := runCLI(args...)
			want := "is a directory"
			if path == missing {
				want = "cannot write in " + filepath.Dir(missing) + ": no such file or directory"
			}
			if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "eccounter-sim: "+tc.flag+": "+path+": ") ||
				!strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("eccounter-sim %q: exit %d, stdout %d bytes, stderr %q; want exit 2, nothing and one line with %q",
					args, code, len(stdout), stderr, want)
			}
		}
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("left behind: %q", names)
	}
}

// failingWriter is standard output on a full disk.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestOutputWriteError: output that cannot be written exits 2, whatever
// the mode, naming what could not be written; it used to exit 1.
func TestOutputWriteError(t *testing.T) {
	records := filepath.Join(t.TempDir(), "s.jsonl")
	os.WriteFile(records, []byte(`{"seed":1,"verdict":"pass","failed_check":null,"stop":"done","converged":true,"converged_at":5,"after_last_set":2,"events":9,"messages":8}`+"\n"), 0o644)
	short := writeScenario(t, "short.toml", "max_time = \"1.2s\"\n")
	for _, args := range [][]string{
		{},
		{"-q"},
		{"-trace", "jsonl"},
		{"-seed", "23", short}, // a failing run: its exit would be 1
		{"-seeds", "1..400"},
		{"-summarize", records},
		{"-epidemic", "-seeds", "1..3", "../../scenarios/rumor.toml"},
		{"-seed", "23", "-shrink", filepath.Join(t.TempDir(), "small.toml"), short},
	} {
		var stderr bytes.Buffer
		code := run(args, failingWriter{}, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), "eccounter-sim: standard output: no space left on device\n") {
			t.Errorf("eccounter-sim %q to a full disk: exit %d, stderr %q; want 2 and the error", args, code, &stderr)
		}
	}
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	for _, flag := range []string{"-o", "-chart", "-diagram", "-report"} {
		code, _, stderr := runCLI("-q", flag, "/dev/full")
		if code != exitUsage || !strings.Contains(stderr, "eccounter-sim: "+flag+": /dev/full: no space left on device\n") {
			t.Errorf("%s /dev/full: exit %d, stderr %q; want 2 and the error", flag, code, stderr)
		}
	}
}

// TestOutputNotTorn: when one output fails, none is written: every
// destination keeps what it held, and no temporary file is left.
func TestOutputNotTorn(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full to fail a write")
	}
	dir := t.TempDir()
	out, diagram := filepath.Join(dir, "out.txt"), filepath.Join(dir, "d.svg")
	os.WriteFile(out, []byte("old\n"), 0o644)
	code, _, stderr := runCLI("-o", out, "-diagram", diagram, "-chart", "/dev/full")
	if code != exitUsage {
		t.Errorf("exit %d, want 2; stderr %q", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "old\n" {
		t.Errorf("-o file holds %d bytes, want what it held before", len(b))
	}
	if got := strings.Join(dirNames(t, dir), " "); got != "out.txt" {
		t.Errorf("the directory holds %s, want out.txt alone", got)
	}
	// A sweep's -chart that fails leaves its records as they were too.
	code, _, _ = runCLI("-seeds", "1..5", "-o", out, "-chart", "/dev/full")
	if b, _ := os.ReadFile(out); code != exitUsage || string(b) != "old\n" {
		t.Errorf("sweep: exit %d, -o file %q; want 2 and the old file", code, b)
	}
}

// TestOutputFileMode: an output file gets the mode os.Create would give
// it, not a temporary file's 0600: a new one 0666 less the umask, one
// replaced its old mode; through a symlink, the link stays.
func TestOutputFileMode(t *testing.T) {
	dir := t.TempDir()
	ref, err := os.Create(filepath.Join(dir, "ref"))
	if err != nil {
		t.Fatal(err)
	}
	ref.Close()
	fi, _ := os.Stat(ref.Name())
	out := filepath.Join(dir, "out.txt")
	if code, _, stderr := runCLI("-q", "-o", out); code != exitPass {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got, _ := os.Stat(out); got.Mode() != fi.Mode() {
		t.Errorf("new -o file: mode %v, want %v as os.Create gives", got.Mode(), fi.Mode())
	}
	os.Chmod(out, 0o640)
	runCLI("-q", "-o", out)
	if got, _ := os.Stat(out); got.Mode().Perm() != 0o640 {
		t.Errorf("replaced -o file: mode %v, want its old -rw-r-----", got.Mode())
	}
	link := filepath.Join(dir, "link")
	os.Symlink("out.txt", link)
	os.WriteFile(out, nil, 0o640)
	runCLI("-q", "-o", link)
	if lfi, err := os.Lstat(link); err != nil || lfi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("-o through a symlink replaced the link")
	}
	if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "== summary ==") {
		t.Errorf("-o through a symlink: its file holds %q", b)
	}
	if got := strings.Join(dirNames(t, dir), " "); got != "link out.txt ref" {
		t.Errorf("the directory holds %s", got)
	}
}

// signalAt is the standard output of a sweep that, at its first write,
// sends sig as if a user had typed ^C once the first records appeared.
type signalAt struct {
	bytes.Buffer
	sigs chan os.Signal
	sig  os.Signal
}

func (w *signalAt) Write(p []byte) (int, error) {
	if w.sig != nil {
		w.sigs <- w.sig
		w.sig = nil
	}
	return w.Buffer.Write(p)
}

// partialRE matches the line of a partial summary.
var partialRE = regexp.MustCompile(`(?m)^partial:        interrupted after seeds 1\.\.(\d+) of 1\.\.1000000$`)

// checkPartial checks what an interrupted sweep of -seeds 1..1000000
// wrote: a record for each of the first seeds, in order, byte for byte
// those of an uninterrupted sweep of them, and a summary marked partial
// with the seeds covered, otherwise the summary of that shorter sweep.
func checkPartial(t *testing.T, records, stderr string) {
	t.Helper()
	recs := decodeSweep(t, records)
	for i, r := range recs {
		if r.Seed != int64(i+1) {
			t.Fatalf("record %d is of seed %d: not a prefix of the sweep", i+1, r.Seed)
		}
	}
	m := partialRE.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no partial line in the summary:\n%s", stderr)
	}
	if m[1] != strconv.Itoa(len(recs)) || len(recs) == 0 || len(recs) == 1000000 {
		t.Fatalf("the summary covers seeds 1..%s; %d records", m[1], len(recs))
	}
	code, want, wantSum := runCLI("-seeds", "1.."+m[1])
	if code != exitPass || records != want {
		t.Errorf("the records differ from those of -seeds 1..%s at line %d", m[1], textdiff.FirstLine(records, want))
	}
	sum := stderr[strings.Index(stderr, "== sweep"):]
	sum = regexp.MustCompile(`(?m)^(partial|eccounter-sim): .*\n`).ReplaceAllString(sum, "")
	if got := sum; got != wantSum {
		t.Errorf("the partial summary, but for its partial line:\n%s\nwant that of -seeds 1..%s:\n%s", got, m[1], wantSum)
	}
}

// TestSweepInterrupted: a signal stops a sweep early. The records written
// are those of the first seeds, the summary says so, and the exit status
// is the signal's.
func TestSweepInterrupted(t *testing.T) {
	for _, tc := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {syscall.SIGTERM, 143}} {
		stdout := &signalAt{sigs: make(chan os.Signal, 1), sig: tc.sig}
		var stderr bytes.Buffer
		code := runSignals([]string{"-seeds", "1..1000000", "-jobs", "2"}, stdout, &stderr, stdout.sigs)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.sig, code, tc.code)
		}
		checkPartial(t, stdout.String(), stderr.String())
	}
	// Stopped before its first seed, a sweep says so.
	sigs := make(chan os.Signal, 1)
	sigs <- os.Interrupt
	var stderr bytes.Buffer
	code := runSignals([]string{"-seeds", "1..1000000", "-jobs", "1", "-q"}, io.Discard, &stderr, sigs)
	if code != exitSIGINT || !regexp.MustCompile(`partial:        interrupted (before any seed|after seeds 1\.\.\d+) of 1\.\.1000000\n`).MatchString(stderr.String()) {
		t.Errorf("exit %d, stderr:\n%s", code, &stderr)
	}
}

// buildSim builds the command into a temporary directory.
func buildSim(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	bin := filepath.Join(t.TempDir(), "eccounter-sim")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// waitForTemp waits until a temporary output file in dir holds data, that
// is until the run is under way, and fails the test after a minute.
func waitForTemp(t *testing.T, dir string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, name := range dirNames(t, dir) {
			if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && strings.Contains(name, ".tmp") && fi.Size() > 0 {
				return
			}
		}
	}
	t.Fatal("no temporary output file appeared within a minute")
}

// TestSignals runs the built command and sends it real signals: a sweep
// writes what it finished and exits 130 or 143; a single run and
// -epidemic (as -summarize and -shrink), which cannot, leave their output
// files as they were, with no temporary file, and exit at once.
func TestSignals(t *testing.T) {
	bin := buildSim(t)
	t.Run("sweep to standard output", func(t *testing.T) {
		cmd := exec.Command(bin, "-seeds", "1..1000000")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(pipe)
		first, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("no first record: %v; stderr:\n%s", err, &stderr)
		}
		cmd.Process.Signal(os.Interrupt)
		rest, _ := io.ReadAll(r)
		cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != exitSIGINT {
			t.Errorf("exit %d (%v), want 130", code, cmd.ProcessState)
		}
		checkPartial(t, first+string(rest), stderr.String())
	})
	t.Run("sweep to -o", func(t *testing.T) {
		dir := t.TempDir()
		out, chart := filepath.Join(dir, "s.jsonl"), filepath.Join(dir, "h.svg")
		os.WriteFile(chart, []byte("old"), 0o644)
		cmd := exec.Command(bin, "-seeds", "1..1000000", "-o", out, "-chart", chart)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForTemp(t, dir)
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != exitSIGTERM {
			t.Errorf("exit %d (%v), want 143", code, cmd.ProcessState)
		}
		records, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		checkPartial(t, string(records), stderr.String())
		if b, _ := os.ReadFile(chart); string(b) != "old" || !strings.Contains(stderr.String(), "-chart: "+chart+" not written: the sweep was interrupted\n") {
			t.Errorf("the -chart file holds %d bytes, want the old 3; stderr:\n%s", len(b), &stderr)
		}
		if got := strings.Join(dirNames(t, dir), " "); got != "h.svg s.jsonl" {
			t.Errorf("the directory holds %s", got)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"single run", []string{"-o", "OUT", "-chart", "CHART", "../../scenarios/large.toml"}},
		{"epidemic", []string{"-epidemic", "-seeds", "1..100000", "-o", "OUT", "-chart", "CHART", "../../scenarios/rumor.toml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out, chart := filepath.Join(dir, "out"), filepath.Join(dir, "chart")
			os.WriteFile(out, []byte("old"), 0o644)
			var args []string
			for _, a := range tc.args {
				args = append(args, strings.NewReplacer("OUT", out, "CHART", chart).Replace(a))
			}
			cmd := exec.Command(bin, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The temporary files exist before the run starts.
			for deadline := time.Now().Add(time.Minute); len(dirNames(t, dir)) < 3 && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != exitSIGINT || !strings.Contains(stderr.String(), "stopped by SIGINT; output files left as they were\n") {
				t.Errorf("exit %d (%v), stderr %q; want 130 and a word", code, cmd.ProcessState, &stderr)
			}
			if b, _ := os.ReadFile(out); string(b) != "old" {
				t.Errorf("the output holds %q, want what it held", b)
			}
			if got := strings.Join(dirNames(t, dir), " "); got != "out" {
				t.Errorf("the directory holds %s, want out alone", got)
			}
		})
	}
}

// TestReplayQuoted: every replay line names the scenario so that sh
// parses it back to the same path, whatever characters the path holds.
func TestReplayQuoted(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := filepath.Join(t.TempDir(), `it's a $dir`)
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "short one.toml")
	os.WriteFile(path, []byte("max_time = \"1.2s\"\n"), 0o644)
	// argv is the words sh splits a replay line into.
	argv := func(line string) []string {
		out, err := exec.Command(sh, "-c", "set -- "+line+`; printf '%s\n' "$@"`).Output()
		if err != nil {
			t.Fatalf("sh -c %q: %v", line, err)
		}
		return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	}
	want := func(line string, words ...string) {
		t.Helper()
		if got := argv(line); strings.Join(got, "\x00") != strings.Join(words, "\x00") {
			t.Errorf("sh parses the replay line\n%s\nas %q, want %q", line, got, words)
		}
	}
	lineAfter := func(out, prefix string) string {
		t.Helper()
		for _, l := range strings.Split(out, "\n") {
			if s, ok := strings.CutPrefix(strings.TrimSpace(l), prefix); ok {
				return strings.TrimSpace(s)
			}
		}
		t.Fatalf("no line %q in:\n%s", prefix, out)
		return ""
	}
	_, out, _ := runCLI("-seed", "23", "-trace", "none", path)
	want(lineAfter(out, "# replay:"), "eccounter-sim", "-seed", "23", path)
	want(lineAfter(out, "replay:"), "eccounter-sim", "-seed", "23", path)
	_, _, sum := runCLI("-seeds", "23..23", "-q", path)
	want("eccounter-sim "+lineAfter(sum, "eccounter-sim "), "eccounter-sim", "-seed", "23", path)
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want(sweeps.ReplayFailure(sc, 5, "determinism"), "eccounter-sim", "-seeds", "5..5", "-check-determinism", path)
	small := filepath.Join(dir, "small 'one'.toml")
	_, out, _ = runCLI("-seed", "23", "-shrink", small, path)
	want(lineAfter(out, "replay:"), "eccounter-sim", small)
	// Plain paths stay as they were.
	if got := replayCommand(&scenarios.Scenario{Seed: 7, Name: "scenarios/slow-network.toml"}); got != "eccounter-sim -seed 7 scenarios/slow-network.toml" {
		t.Errorf("replayCommand of a plain path = %q", got)
	}
}

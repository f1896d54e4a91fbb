package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// readme returns README.md and the text between a marker comment that
// starts with begin and the next "<!-- end" comment, without the fences.
func readmeBlock(t *testing.T, begin string) (string, string) {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "<!-- "+begin)
	if start < 0 {
		t.Fatalf("README.md has no <!-- %s marker", begin)
	}
	rest := readme[start:]
	end := strings.Index(rest, "<!-- end")
	if end < 0 {
		t.Fatalf("README.md: <!-- %s has no <!-- end marker", begin)
	}
	block := rest[strings.Index(rest, "\n")+1 : end]
	block = strings.TrimPrefix(block, "```\n")
	block = strings.TrimSuffix(block, "```\n")
	return readme, block
}

// TestREADMEUsage keeps the README's copy of -h true to the code.
func TestREADMEUsage(t *testing.T) {
	_, block := readmeBlock(t, "usage")
	got := string(runOutput(t, 0, "-h"))
	if got != block {
		t.Errorf("README.md's usage block differs from eccounter-sim -h at line %d:\n%s",
			firstDiffLine([]byte(block), []byte(got)), lineDiff([]byte(block), []byte(got)))
	}
}

// TestREADMEExcerpt keeps the README's excerpt of a run true: every line of
// it must be a line of the golden default run, in the same order.
func TestREADMEExcerpt(t *testing.T) {
	readme, block := readmeBlock(t, "excerpt")
	golden, err := os.ReadFile("../../testdata/default-seed42.golden")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(golden), "\n")
	at := 0
	for _, want := range strings.Split(strings.TrimSuffix(block, "\n"), "\n") {
		for at < len(lines) && lines[at] != want {
			at++
		}
		if at == len(lines) {
			t.Errorf("README.md excerpt line not found (in order) in the golden run:\n%s", want)
			return
		}
	}
	for _, cmd := range []string{"go run ./cmd/eccounter-sim -seed 42", "go test ./..."} {
		if !strings.Contains(readme, cmd) {
			t.Errorf("README.md does not give the command %q", cmd)
		}
	}
}

// TestREADMEScenarioKeys: every key of the reference scenario has a row in
// the README's table.
func TestREADMEScenarioKeys(t *testing.T) {
	readme, _ := readmeBlock(t, "usage")
	ref, err := os.ReadFile("../../scenarios/default.toml")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`(?m)^(?:# )?([a-z_]+) = `).FindAllSubmatch(ref, -1)
	if len(keys) < 15 {
		t.Fatalf("found only %d keys in default.toml", len(keys))
	}
	for _, k := range keys {
		name := string(k[1])
		if !bytes.Contains([]byte(readme), []byte("`"+name+"`")) &&
			!regexp.MustCompile("`\\[+[a-z]+\\]+ "+name+"`").MatchString(readme) {
			t.Errorf("README.md's scenario table has no row for key %s", name)
		}
	}
}

// TestREADMEWalkthrough keeps the README's walk from a failing seed to a
// regression test true: the sweep's failures, the replayed failure and
// the shrink report it quotes.
func TestREADMEWalkthrough(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const sc = "../../scenarios/impatient.toml"
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-seeds", "1..300", "-q", sc}, &stdout, &stderr); code != exitFail {
		t.Fatalf("sweep exit %d, want 1", code)
	}
	for _, want := range []string{"40 of 300 FAILED", "-seed 13 "} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the sweep's summary lacks %q, which README.md quotes:\n%s", want, &stderr)
		}
	}
	stdout.Reset()
	run([]string{"-seed", "13", "-q", sc}, &stdout, &bytes.Buffer{})
	if !strings.Contains(stdout.String(), "converged 56.781ms after 253.495ms, later than the bound of 25.000ms") {
		t.Errorf("seed 13 no longer fails as README.md says:\n%s", &stdout)
	}
	stdout.Reset()
	out := t.TempDir() + "/seed13.toml"
	run([]string{"-seed", "13", "-shrink", out, sc}, &stdout, &bytes.Buffer{})
	report := strings.ReplaceAll(stdout.String(), out, "seed13.toml")
	for _, line := range strings.Split(strings.TrimSpace(report), "\n") {
		if !strings.Contains(string(readme), "   "+line+"\n") {
			t.Errorf("README.md's shrink report lacks the line %q", line)
		}
	}
}

// TestREADMEStrategyExcerpts keeps the README's runs of rumor.toml,
// mail.toml and crash.toml true: their lines, but for the command and the elisions, are
// lines of the run, in the same order, and the command is the one run.
func TestREADMEStrategyExcerpts(t *testing.T) {
	for _, tc := range []struct {
		marker string
		args   []string
	}{
		{"rumor", []string{"-q", "-seed", "2", "scenarios/rumor.toml"}},
		{"mail", []string{"-seed", "2", "scenarios/mail.toml"}},
		{"crash", []string{"-q", "scenarios/crash.toml"}},
	} {
		_, block := readmeBlock(t, tc.marker)
		lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
		if cmd := "$ eccounter-sim " + strings.Join(tc.args, " "); lines[0] != cmd {
			t.Errorf("README.md's %s excerpt starts with %q, want %q", tc.marker, lines[0], cmd)
		}
		args := append(tc.args[:len(tc.args)-1:len(tc.args)-1], "../../"+tc.args[len(tc.args)-1])
		out := strings.Split(string(runOutput(t, 0, args...)), "\n")
		at := 0
		for _, want := range lines[1:] {
			if want == "..." {
				continue
			}
			for at < len(out) && out[at] != want {
				at++
			}
			if at == len(out) {
				t.Errorf("README.md's %s excerpt: line not found (in order) in the run:\n%s", tc.marker, want)
				break
			}
		}
	}
}

// TestREADMESyncLine: the sync line README shows under the default
// scenario and seed 42 is that run's.
func TestREADMESyncLine(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("../../testdata/default-seed42.golden")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "sync:         broadcast:") {
			found = true
			if !strings.Contains(string(golden), "\n"+line+"\n") {
				t.Errorf("README's %q is not the default run's (seed 42)", line)
			}
		}
	}
	if !found {
		t.Error("README shows no broadcast sync line")
	}
}

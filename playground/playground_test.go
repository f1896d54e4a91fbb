package playground

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"eccounter/internal/textdiff"
	"eccounter/scenarios"
)

func defaultTOML(t *testing.T) string {
	t.Helper()
	ps := scenarios.Presets()
	if ps[0].Name != scenarios.DefaultName {
		t.Fatalf("the first preset is %s, not the default", ps[0].Name)
	}
	return string(ps[0].TOML)
}

// TestDefaultSeed42 is the playground's promise: its output for the
// default scenario and seed 42 is what eccounter-sim -seed 42 prints,
// byte for byte, and its report is a whole page.
func TestDefaultSeed42(t *testing.T) {
	want, err := os.ReadFile("../testdata/default-seed42.golden")
	if err != nil {
		t.Fatal(err)
	}
	seed := int64(42)
	r := Run(scenarios.DefaultName, defaultTOML(t), &seed)
	if r.Error != nil {
		t.Fatalf("Run: %+v", r.Error)
	}
	if !bytes.Equal([]byte(r.Output), want) {
		t.Errorf("output differs from testdata/default-seed42.golden at line %d:\n%s", textdiff.FirstLine(r.Output, string(want)), textdiff.Lines(r.Output, string(want)))
	}
	if !r.Passed || r.Seed != 42 {
		t.Errorf("Passed %v, Seed %d; want true, 42", r.Passed, r.Seed)
	}
	if !bytes.HasPrefix(r.Report, []byte("<!DOCTYPE html>")) || !bytes.Contains(r.Report, []byte("eccounter-sim -seed 42")) {
		t.Errorf("the report is not the run's page: %.200q", r.Report)
	}
}

// TestOwnSeed: without a seed, the scenario's own seed runs, and says so.
func TestOwnSeed(t *testing.T) {
	r := Run("scenarios/x.toml", "seed = 7\nclients = 1\nrequests_per_client = 3\n", nil)
	if r.Error != nil || r.Seed != 7 || !strings.Contains(r.Output, "# replay: eccounter-sim -seed 7 scenarios/x.toml\n") {
		t.Errorf("Seed %d, error %+v, output:\n%s", r.Seed, r.Error, r.Output)
	}
}

// TestScenarioError: a bad scenario gives its place as data, the same as
// eccounter-sim prints, and the offsets in the editor's text, in UTF-16
// code units (the é before it takes one unit and two bytes).
func TestScenarioError(t *testing.T) {
	text := "# café\nclients = 2\n  servers = \"three\" # oops\n"
	r := Run("scenarios/x.toml", text, nil)
	e := r.Error
	if e == nil {
		t.Fatal("no error")
	}
	if e.Line != 3 || e.Column != 13 || e.Key != "servers" {
		t.Errorf("error at line %d, column %d, key %q; want 3, 13, servers: %+v", e.Line, e.Column, e.Key, e)
	}
	start := len([]rune("# café\nclients = 2\n  servers = "))
	if e.Start != start || e.End != start+len(`"three"`) {
		t.Errorf("Start, End = %d, %d; want %d, %d", e.Start, e.End, start, start+len(`"three"`))
	}
	if !strings.HasPrefix(e.Text, "scenarios/x.toml:3:13: servers: ") || !strings.Contains(e.Text, e.Message) || e.Message == "" {
		t.Errorf("Text %q, Message %q", e.Text, e.Message)
	}
	if r.Output != "" || r.Report != nil {
		t.Errorf("a scenario error ran something: %q", r.Output)
	}
}

// TestHostile: whatever the text, Run returns an error, short and
// printable, rather than panic, hang or echo the input.
func TestHostile(t *testing.T) {
	junk := strings.Repeat("\x00\x1b[2J#{[\"", scenarios.MaxFileSize/9) // 9 bytes
	cases := map[string]string{
		"a megabyte of junk": junk,
		"too large":          strings.Repeat("#", scenarios.MaxFileSize+1),
		"NUL bytes":          "servers = 3\x00\x00\n",
		"huge servers":       "servers = 1000000000000\n",
		"servers past int64": "servers = 99999999999999999999999\n",
		"a huge run":         "servers = 200\nclients = 100000\nrequests_per_client = 100000\n",
		"bad UTF-8":          "servers = \"\xff\xfe\"\n",
		"a key of escapes":   "\"\x1b]0;x\x07\" = 1\n",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			r := Run("x.toml", text, nil)
			if r.Error == nil {
				t.Fatalf("no error; output %.200q", r.Output)
			}
			t.Logf("%.300s", r.Error.Text)
			for _, s := range []string{r.Error.Text, r.Error.Message, r.Error.Key} {
				if len(s) > 2000 || strings.ContainsAny(s, "\x00\x1b\x07") {
					t.Errorf("error not short and printable: %.300q", s)
				}
			}
			if r.Error.Start < 0 || r.Error.End < r.Error.Start || r.Error.End > len(text) {
				t.Errorf("place %d..%d outside the text", r.Error.Start, r.Error.End)
			}
		})
	}
}

// TestPresets: every shipped scenario runs in the page (the broken
// servers fail checks on purpose, but every run is made), but two that go
// past MaxEvents and say so: the large one, and a server that never
// relays, whose run goes on for the hour of max_time.
func TestPresets(t *testing.T) {
	for _, p := range scenarios.Presets() {
		r := Run(p.Name, string(p.TOML), nil)
		if p.Name == "scenarios/large.toml" || p.Name == "scenarios/explore/no-relay.toml" {
			if r.Error == nil || !strings.Contains(r.Error.Message, "past 200000 events") || r.Report != nil {
				t.Errorf("%s: error %+v, want the playground's limit", p.Name, r.Error)
			}
			continue
		}
		if r.Error != nil {
			t.Errorf("%s: %s", p.Name, r.Error.Text)
		}
	}
}

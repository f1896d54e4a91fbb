package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"eccounter/internal/textdiff"
	"eccounter/playground"
	"eccounter/scenarios"
)

// TestPlaygroundIsTheCommandLine: the browser playground prints what
// eccounter-sim prints, byte for byte, for a run and for an exploration
// (less its speed line, which is the clock's, and its replay line, which
// names a file the page has not written), and draws the same state graph.
func TestPlaygroundIsTheCommandLine(t *testing.T) {
	for _, tt := range []struct {
		file string
		seed int64
	}{
		{"scenarios/crash.toml", 3},
		{"scenarios/chaos.toml", 9},
		{"scenarios/mail.toml", 2},
		{"scenarios/variants/once.toml", 1},
	} {
		path := filepath.Join("..", "..", tt.file)
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		run([]string{"-seed", strconv.FormatInt(tt.seed, 10), path}, &stdout, &stderr)
		want := stdout.Bytes()
		r := playground.Run(path, string(text), &tt.seed)
		if r.Output != string(want) {
			t.Errorf("%s, seed %d: the playground's output differs from eccounter-sim's at line %d:\n%s", tt.file, tt.seed, textdiff.FirstLine(r.Output, string(want)), textdiff.Lines(r.Output, string(want)))
		}
	}
	speed := regexp.MustCompile(`(?m)^(speed|replay): .*\n`)
	for _, tt := range []struct {
		file         string
		syncOnChange bool
		verdict      string
	}{
		{"scenarios/explore/once.toml", true, "proved"},
		{"scenarios/explore/once.toml", false, "counterexample"},
		{"scenarios/explore/eager.toml", false, "counterexample"},
		{"scenarios/explore.toml", true, "proved"},
		{"lossy-tiny.toml", true, "proved"}, // one loss and one duplicate by default
	} {
		path := filepath.Join("..", "..", tt.file)
		if tt.file == "lossy-tiny.toml" {
			path = filepath.Join(t.TempDir(), tt.file)
			lossy := "servers = 2\nclients = 1\nrequests_per_client = 1\nmax_value = 2\nloss = 0.1\nduplicate = 0.1\n"
			if err := os.WriteFile(path, []byte(lossy), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"-explore", path}
		if tt.syncOnChange {
			args = append([]string{"-sync-on-change"}, args...)
		}
		var out, errs bytes.Buffer
		run(args, &out, &errs)
		want := speed.ReplaceAllString(out.String(), "")
		graph := filepath.Join(t.TempDir(), "g.svg")
		run(append([]string{"-graph", graph}, args...), new(bytes.Buffer), new(bytes.Buffer))
		r := playground.Explore(path, string(text), tt.syncOnChange)
		if r.Error != nil || r.Verdict != tt.verdict || r.Text != want {
			t.Errorf("%s: the playground's exploration (%s, error %+v) differs from eccounter-sim -explore's:\n%s\nwant:\n%s%s", tt.file, r.Verdict, r.Error, r.Text, want, errs.String())
		}
		svg, err := os.ReadFile(graph)
		if r.Graph != "" && (err != nil || r.Graph != string(svg)) {
			t.Errorf("%s: the playground's state graph differs from -graph's (%v)", tt.file, err)
		}
		if r.Graph == "" && err == nil {
			t.Errorf("%s: -graph drew a graph, the playground none: %s", tt.file, r.GraphNote)
		}
	}
}

// TestPlaygroundSweepIsTheCommandLine: a sweep in the playground prints
// the summary eccounter-sim -seeds A..B -q prints on standard error, byte
// for byte, and draws the histogram -chart draws.
func TestPlaygroundSweepIsTheCommandLine(t *testing.T) {
	def := scenarios.Presets()[0]
	for _, tt := range []struct {
		file        string // "": the embedded default
		first, last int64
	}{
		{"scenarios/impatient.toml", 1, 300},
		{"", 1, 50},
		{"scenarios/variants/once.toml", -5, 40}, // some seeds fail
	} {
		name, text, args := def.Name, string(def.TOML), []string{"-seeds", fmt.Sprintf("%d..%d", tt.first, tt.last), "-q"}
		if tt.file != "" {
			name = filepath.Join("..", "..", tt.file)
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			text, args = string(b), append(args, name)
		}
		chart := filepath.Join(t.TempDir(), "h.svg")
		var stdout, stderr bytes.Buffer
		run(append([]string{"-chart", chart}, args...), &stdout, &stderr)
		var calls []uint64
		r := playground.Sweep(name, text, tt.first, tt.last, func(done, failed uint64) bool {
			calls = append(calls, done)
			return true
		})
		if r.Error != nil || r.Summary != stderr.String() {
			t.Errorf("%s %d..%d: the playground's summary (error %+v) differs from eccounter-sim's at line %d:\n%s", name, tt.first, tt.last, r.Error, textdiff.FirstLine(r.Summary, string(stderr.Bytes())), textdiff.Lines(r.Summary, string(stderr.Bytes())))
		}
		n := uint64(tt.last - tt.first + 1)
		if r.Stopped || r.Done != n || r.Total != n || len(calls) == 0 || calls[len(calls)-1] != n {
			t.Errorf("%s: stopped %v, %d of %d seeds done, progress %v: want every seed, the last progress at %d", name, r.Stopped, r.Done, r.Total, calls, n)
		}
		svg, err := os.ReadFile(chart)
		if err != nil || r.Histogram != string(svg) {
			t.Errorf("%s: the playground's histogram (%d bytes, %q) differs from -chart's (%v)", name, len(r.Histogram), r.HistogramNote, err)
		}
	}
}

package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"eccounter/internal/textdiff"
)

// pictures runs the command line with -diagram and -chart into a temporary
// directory and returns its standard output and both pictures.
func pictures(t *testing.T, args ...string) (stdout string, diagram, chart []byte) {
	t.Helper()
	dir := t.TempDir()
	d, c := filepath.Join(dir, "d.svg"), filepath.Join(dir, "c.svg")
	out := runOutput(t, 0, append([]string{"-diagram", d, "-chart", c}, args...)...)
	var err error
	if diagram, err = os.ReadFile(d); err != nil {
		t.Fatal(err)
	}
	if chart, err = os.ReadFile(c); err != nil {
		t.Fatal(err)
	}
	for _, svg := range [][]byte{diagram, chart} {
		dec := xml.NewDecoder(bytes.NewReader(svg))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("eccounter-sim %v: a picture is not well-formed XML: %v", args, err)
			}
		}
	}
	return string(out), diagram, chart
}

// TestGoldenPictures pins the pictures of the tiny scenario byte for byte.
// Regenerate with: go test ./cmd/eccounter-sim -update
func TestGoldenPictures(t *testing.T) {
	_, diagram, chart := pictures(t, "../../testdata/tiny.toml")
	for _, tt := range []struct {
		golden string
		got    []byte
	}{{"tiny.diagram.svg", diagram}, {"tiny.chart.svg", chart}} {
		path := filepath.Join("..", "..", "testdata", tt.golden)
		if *update {
			if err := os.WriteFile(path, tt.got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(tt.got, want) {
			t.Errorf("the picture differs from %s at line %d:\n%s\n(if the change is intended, rerun with -update and look at the picture)",
				path, textdiff.FirstLine(string(tt.got), string(want)), textdiff.Lines(string(tt.got), string(want)))
		}
	}
}

// TestPicturesLeaveOutputAlone: drawing pictures changes nothing of what
// the run prints, and the same seed draws the same bytes.
func TestPicturesLeaveOutputAlone(t *testing.T) {
	plain := string(runOutput(t, 0, "../../scenarios/crash.toml"))
	out, d1, c1 := pictures(t, "../../scenarios/crash.toml")
	if out != plain {
		t.Errorf("-diagram and -chart changed the output at line %d:\n%s", textdiff.FirstLine(out, plain), textdiff.Lines(out, plain))
	}
	_, d2, c2 := pictures(t, "../../scenarios/crash.toml")
	if !bytes.Equal(d1, d2) || !bytes.Equal(c1, c2) {
		t.Error("two runs of the same seed drew different pictures")
	}
	diagram := string(d1)
	// Two servers crash and restart; messages to them meanwhile are
	// dropped, each drawn ending in a cross with its reason.
	if n := strings.Count(diagram, `<g class="crash">`); n != 2 {
		t.Errorf("crash diagram has %d crash marks, want 2", n)
	}
	if n := strings.Count(diagram, `<g class="restart">`); n != 2 {
		t.Errorf("crash diagram has %d restart marks, want 2", n)
	}
	if !strings.Contains(diagram, `<g class="msg drop">`) || !strings.Contains(diagram, "dropped at 155.496ms: the receiver is down") {
		t.Error("crash diagram lacks the drop crosses")
	}
	if !strings.Contains(diagram, "restart (state lost)") || !strings.Contains(diagram, "restart (state kept)") {
		t.Error("crash diagram does not say which restart kept its state")
	}
}

// TestDiagramFilters: -nodes and -window say what they left out, in the
// words docs/pictures.md quotes.
func TestDiagramFilters(t *testing.T) {
	_, d, _ := pictures(t, "-nodes", "server-1,server-2,client-1", "-window", "100ms..300ms", "../../scenarios/crash.toml")
	caption := string(d)
	caption = caption[strings.Index(caption, `id="caption">`)+len(`id="caption">`):]
	caption = caption[:strings.Index(caption, "<")]
	const want = "showing 11 of 130 messages; 3 nodes hidden (87 messages to or from them); window 100ms-300ms (32 messages sent or arriving outside it)"
	if caption != want {
		t.Errorf("caption:\n%s\nwant:\n%s", caption, want)
	}
	if !strings.Contains(strings.Join(strings.Fields(readDoc(t, "pictures.md")), " "), want) {
		t.Errorf("docs/pictures.md does not quote the caption %q", want)
	}
}

func TestPictureFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-diagram", "x.svg", "-nodes", "server-1,server-9"}, `-nodes: no node named "server-9" (nodes are server-1..server-3 and client-1..client-5)`},
		{[]string{"-diagram", "x.svg", "-nodes", "server-1,,client-1"}, "invalid value \"server-1,,client-1\" for flag -nodes: want comma-separated node names"},
		{[]string{"-diagram", "x.svg", "-window", "300ms..100ms"}, "flag -window: start 300ms is not before end 100ms"},
		{[]string{"-diagram", "x.svg", "-window", "100ms"}, "flag -window: want A..B, two virtual times such as 100ms..300ms"},
		{[]string{"-diagram", "x.svg", "-window", "1x..2s"}, `flag -window: start "1x": want a virtual time`},
		{[]string{"-nodes", "server-1"}, "-nodes applies to the diagram only: add -diagram FILE or -report FILE"},
		{[]string{"-window", "0s..1s"}, "-window applies to the diagram only: add -diagram FILE or -report FILE"},
		{[]string{"-shrink", "s.toml", "-chart", "x.svg"}, "-chart draws one run, or the convergence times of a sweep: not -shrink"},
		{[]string{"-summarize", "x", "-diagram", "x.svg"}, "-diagram draws one run"},
		{[]string{"-shrink", "x", "-diagram", "x.svg"}, "-diagram draws one run"},
	}
	for _, tt := range tests {
		args := tt.args
		if args[0] == "-diagram" {
			args = append([]string{}, args...)
			args[1] = filepath.Join(t.TempDir(), "x.svg")
		}
		code, stdout, stderr := runCLI(args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("eccounter-sim %v: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.want)
		}
		if stdout != "" {
			t.Errorf("eccounter-sim %v printed %q before failing", tt.args, stdout)
		}
		if args[0] == "-diagram" {
			if _, err := os.Stat(args[1]); err == nil {
				t.Errorf("eccounter-sim %v wrote the diagram despite the error", tt.args)
			}
		}
	}
}

// TestReportFlag: -report writes a page that holds the run, leaves the
// usual output unchanged, and is refused for sweeps.
func TestReportFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.html")
	plain := runOutput(t, 0, "-seed", "42")
	with := runOutput(t, 0, "-seed", "42", "-report", path)
	if !bytes.Equal(plain, with) {
		t.Error("-report changed the run's output")
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", `id="diagram"`, `id="chart"`, "eccounter-sim -seed 42", "seed = 42", `<span class="pass">all 10 checks passed</span>`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	var stderr bytes.Buffer
	if code := run([]string{"-seeds", "1..2", "-report", path}, &bytes.Buffer{}, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), "-report draws one run") {
		t.Errorf("-report with -seeds: exit %d, stderr %q", code, &stderr)
	}
}

// TestSweepHistogram: -chart with a sweep draws the histogram of the
// seeds' convergence times after their last set: well-formed SVG with a
// bar for the seeds, whose counts add up to the seeds that converged after
// a set, and the summary's percentiles marked; -summarize of the sweep's
// records draws the same picture.
func TestSweepHistogram(t *testing.T) {
	dir := t.TempDir()
	chart, again, records := filepath.Join(dir, "h.svg"), filepath.Join(dir, "h2.svg"), filepath.Join(dir, "r.jsonl")
	var stderr bytes.Buffer
	if code := run([]string{"-seeds", "1..60", "-o", records, "-chart", chart}, &bytes.Buffer{}, &stderr); code != exitPass {
		t.Fatalf("exit %d: %s", code, &stderr)
	}
	svg, err := os.ReadFile(chart)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	total := 0
	for _, m := range regexp.MustCompile(`<title>(\d+) seeds from`).FindAllSubmatch(svg, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		total += n
	}
	if total != 60 { // every seed of the default scenario accepts a set
		t.Errorf("the bars count %d seeds, want 60", total)
	}
	for _, p := range []string{"p50 ", "p90 ", "p99 "} {
		if !bytes.Contains(svg, []byte(p)) {
			t.Errorf("the histogram does not mark %s", p)
		}
	}
	if code := run([]string{"-summarize", records, "-chart", again}, &bytes.Buffer{}, &bytes.Buffer{}); code != exitPass {
		t.Fatalf("-summarize exit %d", code)
	}
	if b, _ := os.ReadFile(again); !bytes.Equal(b, svg) {
		t.Error("-summarize drew a different histogram from the sweep's")
	}
}

package viz_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/viz"
)

// node is an element of a parsed SVG.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

func (n *node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// hasClass reports whether n has the class c; every element has the
// class "".
func (n *node) hasClass(c string) bool {
	return c == "" || strings.Contains(" "+n.attr("class")+" ", " "+c+" ")
}

// all returns n and every element under it, in document order.
func (n *node) all() []*node {
	out := []*node{n}
	for i := range n.Children {
		out = append(out, n.Children[i].all()...)
	}
	return out
}

// find returns the elements of a kind (svg element name) with a class.
func (n *node) find(kind, class string) []*node {
	var out []*node
	for _, e := range n.all() {
		if e.XMLName.Local == kind && e.hasClass(class) {
			out = append(out, e)
		}
	}
	return out
}

// chart runs the scenario and draws its chart, parsed.
func chart(t *testing.T, sc *scenarios.Scenario) (*node, *viz.Recorder, model.Report, model.Config) {
	t.Helper()
	cfg := sc.Config()
	rec, report := record(t, cfg)
	var b bytes.Buffer
	if err := viz.Chart(&b, rec, report); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b.Bytes())
	var root node
	if err := xml.Unmarshal(b.Bytes(), &root); err != nil {
		t.Fatal(err)
	}
	return &root, rec, report, cfg
}

func load(t *testing.T, path string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func parse(t *testing.T, name, toml string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse(name, []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func int64Attr(t *testing.T, e *node, name string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(e.attr(name), 10, 64)
	if err != nil {
		t.Fatalf("<%s class=%q> %s: %v", e.XMLName.Local, e.attr("class"), name, err)
	}
	return v
}

// heldAt replays the changes: the value each server held at t, after
// every change up to t.
func heldAt(rec *viz.Recorder, t sim.Time) []int64 {
	v := make([]int64, rec.Servers())
	for _, c := range rec.Changes {
		if c.At <= t {
			v[c.Node] = c.Value
		}
	}
	return v
}

// TestChartZoomsOnTheFinalApproach: the default scenario with seed 42,
// whose last steps (991 to 993) the whole-run panel squashes into two
// pixels, gets a zoom panel whose window starts before the last accepted
// set, ends after the convergence and no later than the run, and spans
// the values the servers held from just before that set to the final
// one, derived here from the schedule.
func TestChartZoomsOnTheFinalApproach(t *testing.T) {
	sc := scenarios.Default()
	sc.Seed = 42
	root, rec, report, _ := chart(t, sc)
	zooms := root.find("g", "zoom")
	if len(zooms) != 1 {
		t.Fatalf("%d zoom panels, want 1", len(zooms))
	}
	z := zooms[0]
	t0, t1 := sim.Time(int64Attr(t, z, "data-t0")), sim.Time(int64Attr(t, z, "data-t1"))
	lo, hi := int64Attr(t, z, "data-v0"), int64Attr(t, z, "data-v1")
	if !report.Converged || report.AcceptedSets == 0 {
		t.Fatalf("the case needs a converged run with sets: %+v", report)
	}
	if t0 >= report.LastAcceptedSet || t1 <= report.ConvergedAt || t1 > report.Now {
		t.Errorf("zoom window %v..%v: want it to start before the last accepted set at %v, end at or after the convergence at %v and by the end at %v",
			t0, t1, report.LastAcceptedSet, report.ConvergedAt, report.Now)
	}
	// Just before the last set, every server held what it held at the
	// window's start: nothing changed in between.
	before := heldAt(rec, report.LastAcceptedSet-1)
	if start := heldAt(rec, t0); fmt.Sprint(start) != fmt.Sprint(before) {
		t.Errorf("values at the window's start %v, just before the last set %v: the window starts too early", start, before)
	}
	wantLo := before[0]
	for _, v := range before {
		wantLo = min(wantLo, v)
	}
	if lo != wantLo || hi != report.Value {
		t.Errorf("zoom range %d..%d, want %d..%d (the least held just before the last set, the final value)", lo, hi, wantLo, report.Value)
	}
	if lo != 991 || hi != 993 {
		t.Errorf("zoom range %d..%d, want 991..993 for seed 42", lo, hi)
	}
	var texts []string
	for _, e := range z.find("text", "") {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"final approach (zoomed in)", "values 991 to 993", "|991|", "|992|", "|993"} {
		if !strings.Contains("|"+all+"|", want) {
			t.Errorf("the zoom panel's text %q lacks %q", all, want)
		}
	}
	// Every server's line in the panel ends at the final value.
	lines := z.find("polyline", "server")
	if len(lines) != rec.Servers() {
		t.Errorf("the zoom draws %d lines, want %d", len(lines), rec.Servers())
	}
}

// TestChartShadesFaults: every crash and partition of the scenario gets a
// bar in a lane and a shade over the plot, spanning exactly its time, and
// the network's loss and duplication a bar until the faults end; the
// legend names each shade drawn.
func TestChartShadesFaults(t *testing.T) {
	t.Run("crash", func(t *testing.T) {
		root, rec, _, cfg := chart(t, load(t, "../scenarios/crash.toml"))
		// server-2 restarts at 0 during the final approach: the zoom
		// spans down to it.
		if lo, hi := zoomRange(t, root); lo != 0 || hi != 986 {
			t.Errorf("zoom range %d..%d, want 0..986: server-2 restarts at 0, server-2 held 986 before", lo, hi)
		}
		heldRange(t, root, rec)
		bars := root.find("rect", "fault")
		if len(bars) != len(cfg.Faults.Crashes) || len(bars) != 2 {
			t.Fatalf("%d fault bars, want one per crash, %d", len(bars), len(cfg.Faults.Crashes))
		}
		for i, c := range cfg.Faults.Crashes {
			b := bars[i]
			if !b.hasClass("crash") || b.attr("data-server") != rec.Names()[c.Node] ||
				int64Attr(t, b, "data-from") != int64(c.At) || int64Attr(t, b, "data-to") != int64(c.Restart) {
				t.Errorf("bar %d: %v, want a crash of %s from %d to %d", i, b.Attrs, rec.Names()[c.Node], c.At, c.Restart)
			}
		}
		if n := len(root.find("rect", "shade")); n != 2 {
			t.Errorf("%d shades over the plot, want 2", n)
		}
		svg := strings.Join(texts(root), "\n")
		for _, want := range []string{"server-1 down 150ms to 200ms (state kept)", "server-2 down 150ms to 200ms (state lost)", "server down"} {
			if !strings.Contains(svg, want) {
				t.Errorf("the chart lacks the text %q", want)
			}
		}
		if len(root.find("rect", "key")) != 1 {
			t.Error("the legend does not say what the crash shade is")
		}
	})
	t.Run("partition", func(t *testing.T) {
		root, _, _, cfg := chart(t, load(t, "../scenarios/partition.toml"))
		bars := root.find("rect", "fault")
		p := cfg.Faults.Partitions[0]
		if len(bars) != 1 || !bars[0].hasClass("partition") ||
			int64Attr(t, bars[0], "data-from") != int64(p.At) || int64Attr(t, bars[0], "data-to") != int64(p.Heal) {
			t.Fatalf("fault bars %v, want one partition from %d to %d", bars, p.At, p.Heal)
		}
		if got, want := bars[0].attr("data-sides"), "{server-1} | {server-2, server-3}"; got != want {
			t.Errorf("partition sides %q, want %q", got, want)
		}
		if want := "partition 1: {server-1} | {server-2, server-3}, 20ms to 400ms"; !strings.Contains(strings.Join(texts(root), "\n"), want) {
			t.Errorf("the chart lacks the lane label %q", want)
		}
		if shades := root.find("rect", "shade"); len(shades) != 1 || shades[0].attr("data-to") != bars[0].attr("data-to") {
			t.Errorf("shades %v, want one, as the bar", shades)
		}
	})
	t.Run("loss", func(t *testing.T) {
		root, _, report, _ := chart(t, load(t, "../scenarios/lossy.toml"))
		bars := root.find("rect", "fault")
		if !report.FaultsEnded {
			t.Fatal("the case needs the faults to end")
		}
		if len(bars) != 1 || !bars[0].hasClass("loss") || int64Attr(t, bars[0], "data-from") != 0 || int64Attr(t, bars[0], "data-to") != int64(report.HealedAt) {
			t.Fatalf("fault bars %v, want the loss window from 0 to %d", bars, report.HealedAt)
		}
		if len(root.find("rect", "shade")) != 0 {
			t.Error("the loss window shades the plot; only its lane should show it")
		}
	})
	t.Run("open", func(t *testing.T) {
		// A crash with no restart and a partition with no heal, in a run
		// stopped by max_time before the faults end: both last to the end.
		root, _, report, _ := chart(t, parse(t, "open.toml", `servers = 3
clients = 2
requests_per_client = 5
max_time = "300ms"
faults_until = "10s"
[[crash]]
node = "server-3"
at = "40ms"
[[partition]]
at = "20ms"
groups = [["server-1"]]
`))
		bars := root.find("rect", "fault")
		if len(bars) != 2 {
			t.Fatalf("%d fault bars, want 2", len(bars))
		}
		for _, b := range bars {
			if b.attr("data-open") != "true" || int64Attr(t, b, "data-to") != int64(report.Now) {
				t.Errorf("bar %v: want it open, to the end at %d", b.Attrs, report.Now)
			}
		}
	})
}

// TestChartAxisEndsAtTheRunsEnd: the time axis runs from 0 to the run's
// last event, which it labels, and its ticks fall inside.
func TestChartAxisEndsAtTheRunsEnd(t *testing.T) {
	sc := scenarios.Default()
	sc.Seed = 42
	root, _, report, _ := chart(t, sc)
	if got := int64Attr(t, root, "data-t1"); got != int64(report.Now) {
		t.Errorf("data-t1 = %d, want the run's end, %d", got, report.Now)
	}
	ends := root.find("text", "end")
	if len(ends) != 1 || ends[0].Text != "1117.347ms" {
		t.Errorf("end labels %v, want one saying 1117.347ms", ends)
	}
	p1, err := strconv.ParseFloat(root.attr("data-p1"), 64)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := strconv.ParseFloat(ends[0].attr("x"), 64)
	if x != p1 {
		t.Errorf("the end label is at x=%v, the plot ends at %v", x, p1)
	}
	for _, e := range root.all() {
		if e.XMLName.Local == "polyline" && e.hasClass("server") && !strings.Contains(e.attr("points"), " ") {
			t.Errorf("a line of one point: %v", e.Attrs)
		}
	}
}

// TestChartDegenerateRuns: odd runs draw well-formed charts without
// overlapping labels, with a zoom panel that has a window of some length
// and height, or says why there is none.
func TestChartDegenerateRuns(t *testing.T) {
	for _, tt := range []struct{ name, toml, want string }{
		{"no set", "servers = 3\nclients = 2\nrequests_per_client = 5\nset_ratio = 0\n", "no set was accepted"},
		{"no requests", "servers = 2\nclients = 1\nrequests_per_client = 0\n", "no set was accepted"},
		{"one server", "servers = 1\nclients = 2\nrequests_per_client = 10\n", "final approach"},
		{"stopped by max_time", "servers = 3\nclients = 3\nrequests_per_client = 50\nmax_time = \"200ms\"\n", "not converged"},
		{"stopped at the last set", "servers = 3\nclients = 1\nrequests_per_client = 50\nset_ratio = 1\nmax_time = \"3ms\"\n", "final approach"},
		{"many servers", "servers = 40\nclients = 60\nrequests_per_client = 5\n[[partition]]\nat = \"20ms\"\nheal = \"150ms\"\ngroups = [[\"server-1\", \"server-2\", \"server-3\", \"server-7\"]]\n[[crash]]\nnode = \"server-9\"\nat = \"30ms\"\nrestart = \"90ms\"\n", "and 28 more servers"},
		{"many faults", manyFaults(12), "and 5 more faults"},
		{"long run", "servers = 2\nclients = 1\nrequests_per_client = 3\nsync_interval = \"30s\"\nrequest_timeout = \"100s\"\n[latency]\ndistribution = \"fixed\"\nfixed = \"20s\"\n", "120000ms"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root, rec, report, _ := chart(t, parse(t, "case.toml", tt.toml))
			if all := strings.Join(texts(root), "\n"); !strings.Contains(all, tt.want) {
				t.Errorf("the chart lacks %q:\n%s", tt.want, all)
			}
			z := root.find("g", "zoom")[0]
			if z.attr("data-t0") != "" {
				t0, t1 := int64Attr(t, z, "data-t0"), int64Attr(t, z, "data-t1")
				v0, v1 := int64Attr(t, z, "data-v0"), int64Attr(t, z, "data-v1")
				// The window may run past the end by its margin, a tenth of
				// the approach, rounded up.
				if t0 >= t1 || v0 >= v1 || t1 > int64(report.Now)+(t1-t0)/4 || t0 > int64(report.LastAcceptedSet) {
					t.Errorf("zoom window %d..%d ns, %d..%d: want a window of some length and height, from by the last set (%d) to about the end (%d)",
						t0, t1, v0, v1, report.LastAcceptedSet, report.Now)
				}
				heldRange(t, root, rec)
			} else if report.AcceptedSets > 0 {
				t.Errorf("no zoom window, though %d sets were accepted", report.AcceptedSets)
			}
			noOverlaps(t, root)
		})
	}
}

// zoomRange returns the value range of the chart's zoom panel.
func zoomRange(t *testing.T, root *node) (lo, hi int64) {
	t.Helper()
	z := root.find("g", "zoom")[0]
	return int64Attr(t, z, "data-v0"), int64Attr(t, z, "data-v1")
}

// heldRange checks that the zoom panel's range is the least and the
// greatest value any server held in its window, by replaying the changes.
func heldRange(t *testing.T, root *node, rec *viz.Recorder) {
	t.Helper()
	z := root.find("g", "zoom")[0]
	t0, t1 := sim.Time(int64Attr(t, z, "data-t0")), sim.Time(int64Attr(t, z, "data-t1"))
	held := heldAt(rec, t0)
	lo, hi := slices.Min(held), slices.Max(held)
	for _, c := range rec.Changes {
		if c.At > t0 && c.At <= t1 {
			lo, hi = min(lo, c.Value), max(hi, c.Value)
		}
	}
	if lo == hi { // a flat window, widened to the next integer
		if lo > 0 {
			lo--
		} else {
			hi++
		}
	}
	if glo, ghi := zoomRange(t, root); glo != lo || ghi != hi {
		t.Errorf("zoom range %d..%d, but the servers held %d..%d in its window %v..%v", glo, ghi, lo, hi, t0, t1)
	}
}

// manyFaults is a scenario with n crashes of as many servers.
func manyFaults(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "servers = %d\nclients = 2\nrequests_per_client = 5\n", n)
	for i := range n {
		fmt.Fprintf(&b, "[[crash]]\nnode = \"server-%d\"\nat = \"%dms\"\nrestart = \"%dms\"\n", i+1, 10+i, 30+i)
	}
	return b.String()
}

// TestChartLabelsDoNotOverlap: in the shipped scenarios, no two labels of
// the chart overprint each other, by an estimate of their boxes.
func TestChartLabelsDoNotOverlap(t *testing.T) {
	for _, path := range []string{"../scenarios/default.toml", "../scenarios/crash.toml", "../scenarios/partition.toml", "../scenarios/lossy.toml", "../scenarios/chaos.toml", "../testdata/tiny.toml"} {
		t.Run(path, func(t *testing.T) {
			root, _, _, _ := chart(t, load(t, path))
			noOverlaps(t, root)
		})
	}
}

func texts(root *node) []string {
	var out []string
	for _, e := range root.find("text", "") {
		out = append(out, e.Text)
	}
	return out
}

// noOverlaps fails the test if two unrotated labels' boxes overlap, their
// width estimated from the font size (DejaVu Sans averages about 0.6 em
// for digits and lower case, bold a little more).
func noOverlaps(t *testing.T, root *node) {
	t.Helper()
	type box struct {
		l, r, top, bottom float64
		text              string
	}
	var boxes []box
	for _, e := range root.find("text", "") {
		if e.attr("transform") != "" {
			continue
		}
		x, _ := strconv.ParseFloat(e.attr("x"), 64)
		y, _ := strconv.ParseFloat(e.attr("y"), 64)
		size := 11.0
		if s := e.attr("font-size"); s != "" {
			size, _ = strconv.ParseFloat(s, 64)
		}
		em := 0.6
		if e.attr("font-weight") == "bold" {
			em = 0.65
		}
		w := float64(utf8.RuneCountInString(e.Text)) * size * em
		l := x
		switch e.attr("text-anchor") {
		case "middle":
			l = x - w/2
		case "end":
			l = x - w
		}
		boxes = append(boxes, box{l, l + w, y - 0.75*size, y + 0.2*size, e.Text})
	}
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			if a.l < b.r-1 && b.l < a.r-1 && a.top < b.bottom-1 && b.top < a.bottom-1 {
				t.Errorf("labels overlap: %q (x %.0f..%.0f, y %.0f..%.0f) and %q (x %.0f..%.0f, y %.0f..%.0f)",
					a.text, a.l, a.r, a.top, a.bottom, b.text, b.l, b.r, b.top, b.bottom)
			}
		}
	}
}

package viz_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"eccounter/viz"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

// smallGraph is a hand-made state graph of two servers and a client that
// sets 1 once, with every mark a picture has: two initial states, an end
// state, a counterexample path whose last step closes a cycle, the state
// where its check broke, a back edge to a shallower state, one to a state
// of the same depth, a loop, and two steps between the same two states.
func smallGraph() viz.StateGraph {
	return viz.StateGraph{
		Title: "every schedule of 2 servers, 1 client x 1 request, values below 2",
		States: []viz.GraphState{
			{Label: "s1=0 s2=0\nc1 idle", Depth: 0, Initial: true, OnPath: true},
			{Label: "s1=0 s2=0\nc1 idle\n(s2 crashed)", Depth: 0, Initial: true},
			{Label: "s1=0 s2=0\nc1 waits\n1 in flight", Depth: 1, OnPath: true},
			{Label: "s1=0 s2=0\nc1 waits\nnothing in flight", Depth: 1},
			{Label: "s1=1 s2=0\nc1 waits\n1 in flight", Depth: 2, OnPath: true},
			{Label: "s1=1 s2=0\nc1 done\n1 in flight", Depth: 3, OnPath: true, Bad: true},
			{Label: "s1=1 s2=1\nc1 done", Depth: 3, End: true},
		},
		Edges: []viz.GraphEdge{
			{From: 0, To: 2, Label: "c1 -> set 1 to s1", OnPath: true},
			{From: 0, To: 2, Label: "c1 -> set 1 to s2"},
			{From: 1, To: 3, Label: "c1 -> set 1 to s1"},
			{From: 2, To: 4, Label: "s1 <- set 1 from c1", OnPath: true},
			{From: 2, To: 3, Label: "set 1 lost"},
			{From: 3, To: 3, Label: "c1 timer retry"},
			{From: 3, To: 2, Label: "c1 resends"},
			{From: 4, To: 5, Label: "c1 <- set_reply ✓ (dup)"},
			{From: 4, To: 5, Label: "c1 <- set_reply ✓", OnPath: true},
			{From: 5, To: 6, Label: "s2 <- sync 1 from s1"},
			{From: 5, To: 4, Label: "s1 timer sync, lost", OnPath: true},
			{From: 6, To: 5, Label: "s2 timer sync"},
		},
	}
}

func writeGraph(t *testing.T, g viz.StateGraph) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := viz.WriteStateGraph(&b, g); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b.Bytes())
	return b.Bytes()
}

// TestStateGraphGolden pins the picture of a small graph byte for byte.
func TestStateGraphGolden(t *testing.T) {
	got := writeGraph(t, smallGraph())
	const golden = "testdata/stategraph.svg"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./viz -run StateGraphGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the picture of the small state graph differs from %s (go test ./viz -update rewrites it; review the diff)", golden)
	}
}

// TestStateGraphMarks: each kind of state and edge is drawn as the legend
// says.
func TestStateGraphMarks(t *testing.T) {
	svg := string(writeGraph(t, smallGraph()))
	state := func(i int) string {
		start := strings.Index(svg, `<g class="state" id="state-`+strconv.Itoa(i)+`">`)
		if start < 0 {
			t.Fatalf("no state %d", i)
		}
		return svg[start : start+strings.Index(svg[start:], "</g>")]
	}
	for _, tt := range []struct {
		state int
		want  []string
		not   []string
	}{
		{0, []string{`stroke="#d62728" stroke-width="3"`, ">#0<", "state 0, depth 0, initial, on the counterexample"}, []string{"✗"}},
		{1, []string{`stroke="#333" stroke-width="3"`, "(s2 crashed)"}, nil},
		{3, []string{`stroke="#333" stroke-width="1"`, ">nothing in flight<"}, []string{"initial", "#eef2f7"}},
		{5, []string{`fill="#fbd5d5"`, ">✗<", "the check broke here"}, nil},
		{6, []string{`fill="#eef2f7"`, `rx="3" fill="none"`, "depth 3, end"}, nil},
	} {
		g := state(tt.state)
		for _, w := range tt.want {
			if !strings.Contains(g, w) {
				t.Errorf("state %d lacks %q:\n%s", tt.state, w, g)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(g, w) {
				t.Errorf("state %d has %q:\n%s", tt.state, w, g)
			}
		}
	}
	// Edges: the path's are red, back ones dashed, two steps between
	// the same states one edge (the path's step first, though it was
	// given second), each with its
	// tooltip and, the graph being small, its label.
	for _, want := range []string{
		`<path class="e p" d="M`,  // 0 -> 2, on the path (its first step)
		`<path class="e b p" d="`, // 5 -> 4, the path's cycle
		`<path class="e b" d="`,   // 3 -> 2, 3 -> 3, 6 -> 5
		"<title>#4 → #5&#xA;c1 &lt;- set_reply ✓&#xA;c1 &lt;- set_reply ✓ (dup)</title>",
		">c1 &lt;- set_reply ✓ +1<",
		">s2 &lt;- sync 1 from s1<",
		">counterexample<", ">✗ the check broke<",
		"7 states (2 initial, 1 end) in 4 layers by depth, left to right; 12 steps on 10 edges.",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the picture lacks %q", want)
		}
	}
	if n := strings.Count(svg, "<path class=\"e"); n != 10+1 { // and the legend's back edge
		t.Errorf("%d edges drawn, want 10 and the legend's", n)
	}
}

// TestStateGraphNoPathNoPathLegend: a graph without a counterexample has
// no red in its legend.
func TestStateGraphNoPathNoPathLegend(t *testing.T) {
	g := smallGraph()
	for i := range g.States {
		g.States[i].OnPath, g.States[i].Bad = false, false
	}
	for i := range g.Edges {
		g.Edges[i].OnPath = false
	}
	svg := string(writeGraph(t, g))
	for _, not := range []string{"counterexample", "check broke", `class="e p"`, `class="e b p"`, `url(#sg-arrow-path)`, `stroke="#d62728"`, `fill="#fbd5d5"`} {
		if strings.Contains(svg, not) {
			t.Errorf("the picture has %q", not)
		}
	}
}

// TestStateGraphDeterministic: the same graph draws the same bytes, twice.
func TestStateGraphDeterministic(t *testing.T) {
	for _, g := range []viz.StateGraph{smallGraph(), bigGraph(viz.MaxGraphStates, 6)} {
		a, b := writeGraph(t, g), writeGraph(t, g)
		if !bytes.Equal(a, b) {
			t.Errorf("%q drew different pictures", g.Title)
		}
	}
}

// TestStateGraphEscapes: hostile labels and title are escaped, in text and
// in tooltips, and control characters never reach the SVG.
func TestStateGraphEscapes(t *testing.T) {
	const hostile = `</text><script>alert("&")</script>` + "\x1b[31m\x00'"
	g := smallGraph()
	g.Title = hostile
	g.States[2].Label = hostile + "\n" + hostile
	g.Edges[0].Label = hostile
	g.Edges[3].Label = hostile
	svg := writeGraph(t, g)
	for _, bad := range []string{"<script", `"&"`, "\x1b", "\x00"} {
		if bytes.Contains(svg, []byte(bad)) {
			t.Errorf("the picture holds %q", bad)
		}
	}
	if !bytes.Contains(svg, []byte("&lt;/text&gt;&lt;script&gt;alert(&#34;&amp;&#34;)")) {
		t.Error("the picture lacks the escaped label")
	}
}

// TestStateGraphErrors: too many states, and an edge to or from a state
// that does not exist, are errors that say what is wrong, not panics,
// and nothing is written.
func TestStateGraphErrors(t *testing.T) {
	big := bigGraph(viz.MaxGraphStates+1, 1)
	edgeTo := func(from, to int) viz.StateGraph {
		g := smallGraph()
		g.Edges = append(g.Edges, viz.GraphEdge{From: from, To: to, Label: "x"})
		return g
	}
	dense := bigGraph(viz.MaxGraphStates, 0)
	for i := range viz.MaxGraphEdges + 1 {
		dense.Edges = append(dense.Edges, viz.GraphEdge{From: i % viz.MaxGraphStates, To: i / viz.MaxGraphStates})
	}
	for _, tt := range []struct {
		name string
		g    viz.StateGraph
		want string
	}{
		{"too many states", big, "viz: the state graph has 401 states, more than the 400 a picture can show"},
		{"edge to a missing state", edgeTo(2, 7), "viz: edge 12 of the state graph goes from state 2 to state 7, but there are only 7 states (0 to 6)"},
		{"edge from a negative state", edgeTo(-1, 0), "viz: edge 12 of the state graph goes from state -1 to state 0, but there are only 7 states (0 to 6)"},
		{"an edge and no states", viz.StateGraph{Edges: []viz.GraphEdge{{}}}, "viz: edge 0 of the state graph goes from state 0 to state 0, but there are only 0 states (0 to -1)"},
		{"too many edges", dense, "viz: the state graph has 4,001 edges between distinct pairs of states, more than the 4,000 a picture can show"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := viz.WriteStateGraph(&b, tt.g)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes written", b.Len())
			}
		})
	}
	// The limits themselves draw.
	writeGraph(t, bigGraph(viz.MaxGraphStates, 0))
	dense.Edges = dense.Edges[:viz.MaxGraphEdges]
	writeGraph(t, dense)
	writeGraph(t, viz.StateGraph{})
}

// bigGraph is a graph of n states in layers of about twenty, each state
// with up to out steps to states of the next layers, a few back, with
// labels as long as an explorer's.
func bigGraph(n, out int) viz.StateGraph {
	g := viz.StateGraph{Title: fmt.Sprintf("%d states", n)}
	for i := range n {
		g.States = append(g.States, viz.GraphState{
			Label:   fmt.Sprintf("s1=%d s2=%d s3=%d\nc1 %d/2 c2 %d/2 c3 done\n%d in flight", i%3, i/3%3, i/9%3, i%2, i/2%2, i%4),
			Depth:   i / 20,
			Initial: i < 3, End: i%17 == 0, OnPath: i%20 == 0, Bad: i == n-1,
		})
	}
	for i := range n {
		for k := range out {
			to := (i*7 + k*13 + 20) % n
			g.Edges = append(g.Edges, viz.GraphEdge{From: i, To: to, Label: fmt.Sprintf("s%d <- sync %d from s%d", k%3+1, i%3, (k+1)%3+1), OnPath: k == 0 && i%20 == 0})
		}
	}
	return g
}

// TestStateGraphBig: a graph of the most states and edges the picture
// draws gives an SVG well under 2 MB.
func TestStateGraphBig(t *testing.T) {
	g := bigGraph(viz.MaxGraphStates, viz.MaxGraphEdges/viz.MaxGraphStates)
	svg := writeGraph(t, g)
	if len(svg) > 2<<20 {
		t.Errorf("%d bytes of SVG for %d states and %d edges", len(svg), len(g.States), len(g.Edges))
	}
	t.Logf("%d bytes", len(svg))
}

// TestStateGraphLongLabels: a huge label is cut to a few short lines in
// its box, and to a few more in its tooltip, saying how much is left out;
// an edge's label is cut too, so a picture stays small whatever its labels.
func TestStateGraphLongLabels(t *testing.T) {
	g := smallGraph()
	g.Title = strings.Repeat("t", 1<<20)
	g.States[3].Label = strings.Repeat("line\n", 100_000) + "last"
	g.States[4].Label = strings.Repeat("é", 1<<20)
	g.Edges[2].Label = strings.Repeat("step ", 1<<18)
	svg := string(writeGraph(t, g))
	if len(svg) > 64<<10 {
		t.Errorf("%d bytes of SVG", len(svg))
	}
	for _, want := range []string{
		">… 99,993 more lines<",                     // in the box: 8 lines of 100,001
		"&#xA;… 99,985 more lines</title>",          // in the tooltip: 16
		">" + strings.Repeat("é", 39) + "…<",        // a line of the box: 40 runes
		">step step step step ste…<",                // an edge: 24
		">" + strings.Repeat("t", 159) + "…</text>", // the title: 160
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the picture lacks %q", want)
		}
	}
}

// boxY is the y of state i's box in a picture.
func boxY(t *testing.T, svg string, i int) float64 {
	t.Helper()
	m := regexp.MustCompile(`id="state-` + strconv.Itoa(i) + `"><title>[^<]*</title><rect x="[^"]*" y="([^"]*)"`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no box for state %d", i)
	}
	y, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// TestStateGraphUncrosses: the states of a layer follow their parents, so
// that two edges that would cross in breadth-first order do not.
func TestStateGraphUncrosses(t *testing.T) {
	// 0 -> 3 and 1 -> 2: breadth-first order puts 2 above 3, and the
	// edges cross; one layer on, 3 -> 4 and 2 -> 5 must not cross either.
	g := viz.StateGraph{
		States: []viz.GraphState{{Depth: 0}, {Depth: 0}, {Depth: 1}, {Depth: 1}, {Depth: 2}, {Depth: 2}},
		Edges:  []viz.GraphEdge{{From: 0, To: 3}, {From: 1, To: 2}, {From: 2, To: 5}, {From: 3, To: 4}},
	}
	two := g
	two.States, two.Edges = g.States[:4], g.Edges[:2]
	if svg := string(writeGraph(t, two)); boxY(t, svg, 3) >= boxY(t, svg, 2) {
		t.Error("two layers: state 3, child of state 0, is below state 2, child of state 1: the edges cross")
	}
	svg := string(writeGraph(t, g))
	if boxY(t, svg, 0) >= boxY(t, svg, 1) {
		t.Error("the first layer is out of order")
	}
	if boxY(t, svg, 3) >= boxY(t, svg, 2) {
		t.Error("state 3, child of state 0, is below state 2, child of state 1: the edges cross")
	}
	if boxY(t, svg, 4) >= boxY(t, svg, 5) {
		t.Error("state 4, child of state 3, is below state 5, child of state 2: the edges cross")
	}
}

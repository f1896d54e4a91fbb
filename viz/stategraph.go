package viz

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// StateGraph is the state graph of a tiny configuration, for a picture of
// every possible run of the protocol.
type StateGraph struct {
	Title  string       // e.g. "every schedule of 2 servers, 1 client x 1 request, values below 2"
	States []GraphState // index = state number; 0.. in breadth-first order
	Edges  []GraphEdge
}

// GraphState is one state of a StateGraph.
type GraphState struct {
	Label   string // a few short lines separated by "\n": e.g. "s1=0 s2=1\nc1 done\n1 in flight"
	Depth   int    // breadth-first level, from 0 (initial states)
	Initial bool
	End     bool // nothing more can happen
	OnPath  bool // on the counterexample path (or its cycle)
	Bad     bool // the state where the counterexample's check broke
}

// GraphEdge is one step of a StateGraph, from state From to state To.
type GraphEdge struct {
	From, To int
	Label    string // the step, short: "s1 timer sync", "s2 <- sync 1 from s1"
	OnPath   bool
}

// MaxGraphStates is the most states StateGraph draws (a few hundred).
const MaxGraphStates = 400

// MaxGraphEdges is the most edges WriteStateGraph draws, counting the
// steps between the same two states as one edge: ten per state, which
// keeps a picture of MaxGraphStates states under 2 MB.
const MaxGraphEdges = 10 * MaxGraphStates

// Layout of the state graph, in pixels.
const (
	sgMargin      = 16.0
	sgHeaderH     = 64.0  // title and legend
	sgMaxRise     = 64.0  // the most a back edge arches up
	sgLineH       = 13.0  // a line of a state's label
	sgPad         = 6.0   // inside a box, around its text
	sgGapY        = 14.0  // between two boxes of a layer
	sgGapX        = 64.0  // between two layers, without edge labels
	sgGapXLabels  = 150.0 // between two layers, with edge labels
	sgRightRoom   = 72.0  // right of the last layer, for loops
	sgMaxLines    = 8     // lines of a state's label drawn, at most
	sgMaxRunes    = 40    // runes of a line of a state's label drawn
	sgEdgeRunes   = 24    // runes of an edge's label drawn on the picture
	sgTipRunes    = 120   // runes of a line of a tooltip
	sgTipSteps    = 4     // steps listed in an edge's tooltip
	sgLabelEdges  = 60    // below this many edges, edges are labelled
	sgMinWidth    = 560.0 // room for the title and legend
	sgBarycentres = 2     // passes that order the layers
)

// sgBox is where a state is drawn.
type sgBox struct {
	layer      int
	x, y, w, h float64
	lines      []string
}

// sgEdge is what WriteStateGraph draws between two states: every step
// from one to the other, the ones on the counterexample's path first.
type sgEdge struct {
	from, to int
	labels   []string
	onPath   bool
}

// WriteStateGraph writes a picture of g as SVG: states as boxes in layers
// from left to right by depth, steps as arrows between them. An initial
// state has a thick border, an end state a double one; the counterexample's
// path is red and the state where its check broke is marked. An arrow to
// a state no deeper than its source (a back edge, which closes a cycle) is
// a dashed curve. Steps between the same two states are drawn as one edge.
// Edges are labelled if there are fewer than 60 of them, and every edge and
// state has a tooltip. It errs, drawing nothing, if g has more than
// MaxGraphStates states or MaxGraphEdges edges, or an edge names a state
// that is not in g.
func WriteStateGraph(w io.Writer, g StateGraph) error {
	n := len(g.States)
	if n > MaxGraphStates {
		return fmt.Errorf("viz: the state graph has %s states, more than the %d a picture can show", thousands(n), MaxGraphStates)
	}
	for i, e := range g.Edges {
		for _, end := range []int{e.From, e.To} {
			if end < 0 || end >= n {
				return fmt.Errorf("viz: edge %d of the state graph goes from state %d to state %d, but there are only %s states (0 to %d)", i, e.From, e.To, thousands(n), n-1)
			}
		}
	}
	edges := mergeEdges(g.Edges)
	if len(edges) > MaxGraphEdges {
		return fmt.Errorf("viz: the state graph has %s edges between distinct pairs of states, more than the %s a picture can show", thousands(len(edges)), thousands(MaxGraphEdges))
	}
	labelled := len(edges) < sgLabelEdges

	boxes, layers := layoutStates(g, edges, labelled)

	// The body first, to learn how far its curves and labels reach.
	var body svg
	var labels labeller
	var ext extent
	for _, b := range boxes {
		ext.add(b.x, b.y)
		ext.add(b.x+b.w, b.y+b.h)
		if labelled {
			labels.place(box{b.x, b.y, b.x + b.w, b.y + b.h}) // no label on a box
		}
	}
	// Edges first, the path's last, so that boxes and labels cover them.
	for _, onPath := range []bool{false, true} {
		for _, e := range edges {
			if e.onPath == onPath {
				drawGraphEdge(&body, &labels, &ext, boxes, g.States, e, labelled)
			}
		}
	}
	for i, b := range boxes {
		drawState(&body, i, g.States[i], b)
	}
	for _, b := range labels.placed {
		ext.add(b.x1, b.y1)
		ext.add(b.x2, b.y2)
	}
	// Shift the body below the header, whatever its curves' reach.
	dy := sgHeaderH + sgMargin - ext.y1
	var legend svg
	title := g.Title
	if title == "" {
		title = "state graph"
	}
	title, summary := clip(oneLine(title), 160), graphSummary(g, edges, len(layers))
	width := max(sgMinWidth, ext.x2+sgMargin, drawGraphLegend(&legend, g)+sgMargin, sgMargin+max(textWidth(title)*1.2, textWidth(summary))+sgMargin)
	height := ext.y2 + dy + sgMargin

	var s svg
	s.open(width, height, "")
	s.add(`<defs><marker id="sg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker>` +
		`<marker id="sg-arrow-path" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#d62728"/></marker></defs>` + "\n")
	s.add(`<style>.halo{paint-order:stroke;stroke:white;stroke-width:4px;stroke-linejoin:round}` +
		`.e{fill:none;stroke:#888;stroke-width:1.2}.e.p{stroke:#d62728;stroke-width:2.4}.e.b{stroke-dasharray:5 3}</style>` + "\n")
	s.label(sgMargin, 20, `font-size="13" font-weight="bold" id="caption"`, title)
	s.label(sgMargin, 36, `fill="#555"`, summary)
	s.addBytes(legend.Bytes())
	s.add(`<g transform="translate(0,` + num(dy) + `)">` + "\n")
	s.addBytes(body.Bytes())
	s.addBytes(labels.out.Bytes())
	s.add("</g>\n")
	s.close()
	_, err := w.Write(s.Bytes())
	return err
}

// extent is the box that holds every point added to it.
type extent struct {
	x1, y1, x2, y2 float64
	some           bool
}

func (e *extent) add(x, y float64) {
	if !e.some {
		*e = extent{x, y, x, y, true}
		return
	}
	e.x1, e.y1, e.x2, e.y2 = min(e.x1, x), min(e.y1, y), max(e.x2, x), max(e.y2, y)
}

// mergeEdges gathers the steps between each pair of states into one edge,
// in the order of each pair's first step.
func mergeEdges(in []GraphEdge) []sgEdge {
	index := make(map[[2]int]int, len(in))
	var out []sgEdge
	for _, e := range in {
		k := [2]int{e.From, e.To}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, sgEdge{from: e.From, to: e.To})
		}
		m := &out[i]
		// The path's step names the edge: it comes first.
		if e.OnPath && !m.onPath {
			m.labels = slices.Insert(m.labels, 0, e.Label)
		} else {
			m.labels = append(m.labels, e.Label)
		}
		m.onPath = m.onPath || e.OnPath
	}
	return out
}

// layoutStates places the states: a layer per depth, left to right, each
// layer a column of boxes ordered to cross fewer edges, centred on the
// tallest. It returns each state's box and the states of each layer.
func layoutStates(g StateGraph, edges []sgEdge, labelled bool) ([]sgBox, [][]int) {
	// Layers by depth, whatever the depths are: only their order counts.
	var depths []int
	for _, st := range g.States {
		depths = append(depths, st.Depth)
	}
	slices.Sort(depths)
	depths = slices.Compact(depths)
	boxes := make([]sgBox, len(g.States))
	layers := make([][]int, len(depths))
	for i, st := range g.States {
		l, _ := slices.BinarySearch(depths, st.Depth)
		boxes[i].layer = l
		layers[l] = append(layers[l], i) // by state number: breadth-first order
		boxes[i].lines = stateLines(i, st.Label)
		boxes[i].h = 2*sgPad + sgLineH*float64(len(boxes[i].lines))
		for _, line := range boxes[i].lines {
			boxes[i].w = max(boxes[i].w, textWidth(line))
		}
		boxes[i].w += 2 * sgPad
	}
	orderLayers(layers, boxes, edges)

	gap := sgGapX
	if labelled {
		gap = sgGapXLabels
	}
	var tallest float64
	for _, layer := range layers {
		tallest = max(tallest, columnHeight(layer, boxes))
	}
	x := sgMargin
	for _, layer := range layers {
		var w float64
		for _, i := range layer {
			w = max(w, boxes[i].w)
		}
		y := (tallest - columnHeight(layer, boxes)) / 2
		for _, i := range layer {
			boxes[i].x, boxes[i].y = x+(w-boxes[i].w)/2, y
			y += boxes[i].h + sgGapY
		}
		x += w + gap
	}
	return boxes, layers
}

// orderLayers orders each layer by the barycentre of its neighbours in the
// layers before it (a pass down), then in the layers after it (a pass
// back), as Sugiyama's layered drawing does, to cross fewer edges. A state
// with no such neighbour keeps its place; ties keep breadth-first order.
func orderLayers(layers [][]int, boxes []sgBox, edges []sgEdge) {
	pos := make([]float64, len(boxes)) // place in its layer, from 0 to 1
	place := func(layer []int) {
		for r, i := range layer {
			pos[i] = (float64(r) + 0.5) / float64(len(layer))
		}
	}
	for _, layer := range layers {
		place(layer)
	}
	sum := make([]float64, len(boxes))
	count := make([]int, len(boxes))
	sortBy := func(layer []int, before bool) {
		for _, i := range layer {
			sum[i], count[i] = 0, 0
		}
		for _, e := range edges {
			// A forward edge links a state to one in a layer before
			// it; back edges and loops do not order the layers.
			a, b := e.from, e.to
			if boxes[a].layer >= boxes[b].layer {
				continue
			}
			if !before {
				a, b = b, a
			}
			if boxes[b].layer == boxes[layer[0]].layer {
				sum[b] += pos[a]
				count[b]++
			}
		}
		key := func(i int) float64 {
			if count[i] == 0 {
				return pos[i]
			}
			return sum[i] / float64(count[i])
		}
		slices.SortStableFunc(layer, func(i, j int) int { return cmp.Compare(key(i), key(j)) })
		place(layer)
	}
	for range sgBarycentres {
		for l := 1; l < len(layers); l++ {
			sortBy(layers[l], true)
		}
		for l := len(layers) - 2; l >= 0; l-- {
			sortBy(layers[l], false)
		}
	}
}

func columnHeight(layer []int, boxes []sgBox) float64 {
	h := 0.0
	for _, i := range layer {
		h += boxes[i].h + sgGapY
	}
	return max(h-sgGapY, 0)
}

// stateLines are the lines a state's box shows: its number, then its
// label, cut to a few short lines.
func stateLines(i int, label string) []string {
	lines := []string{"#" + strconv.Itoa(i)}
	if label == "" {
		return lines
	}
	for k, p := range firstLines(label, sgMaxLines) {
		if k == sgMaxLines {
			lines = append(lines, "… "+p)
			break
		}
		lines = append(lines, clip(p, sgMaxRunes))
	}
	return lines
}

// firstLines splits s into its first n lines and, if there are more,
// says how many more; a label of a million lines costs no million strings.
func firstLines(s string, n int) []string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines[n] = plural(strings.Count(lines[n], "\n")+1, "more line")
	}
	return lines
}

// textWidth estimates the width of a line at font size 11 generously, so
// that a box holds its text in the usual sans-serif fonts.
func textWidth(s string) float64 { return 7 * float64(utf8.RuneCountInString(s)) }

// clip cuts s to at most n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// graphSummary counts what the picture shows.
func graphSummary(g StateGraph, edges []sgEdge, layers int) string {
	var initial, end int
	for _, st := range g.States {
		if st.Initial {
			initial++
		}
		if st.End {
			end++
		}
	}
	s := plural(len(g.States), "state") + " (" + thousands(initial) + " initial, " + thousands(end) + " end) in " + plural(layers, "layer") +
		" by depth, left to right; " + plural(len(g.Edges), "step")
	if len(edges) != len(g.Edges) {
		s += " on " + plural(len(edges), "edge")
	}
	if len(edges) >= sgLabelEdges {
		s += "; hover an edge or a state for its label"
	}
	return s + "."
}

// drawGraphLegend draws a sample of each kind of mark the graph uses, and
// returns where the legend ends on the right.
func drawGraphLegend(s *svg, g StateGraph) float64 {
	var path, bad bool
	for _, st := range g.States {
		path, bad = path || st.OnPath, bad || st.Bad
	}
	for _, e := range g.Edges {
		path = path || e.OnPath
	}
	x, y := sgMargin, 52.0
	item := func(mark, text string) {
		s.add(mark)
		s.label(x+26, y+4, `fill="#555"`, text)
		x += 26 + textWidth(text) + 18
	}
	item(`<rect x="`+num(x)+`" y="`+num(y-6)+`" width="20" height="12" rx="3" fill="white" stroke="#333" stroke-width="3"/>`, "initial")
	item(`<rect x="`+num(x)+`" y="`+num(y-6)+`" width="20" height="12" rx="3" fill="#eef2f7" stroke="#333"/><rect x="`+num(x+2.5)+`" y="`+num(y-3.5)+
		`" width="15" height="7" rx="2" fill="none" stroke="#333"/>`, "end (nothing more can happen)")
	item(`<path class="e b" d="M`+num(x)+","+num(y+4)+" C"+num(x+6)+","+num(y-8)+" "+num(x+14)+","+num(y-8)+" "+num(x+20)+","+num(y+4)+`" marker-end="url(#sg-arrow)"/>`,
		"back edge (to a state no deeper)")
	if path {
		item(`<line x1="`+num(x)+`" y1="`+num(y)+`" x2="`+num(x+20)+`" y2="`+num(y)+`" class="e p" marker-end="url(#sg-arrow-path)"/>`, "counterexample")
	}
	if bad {
		item(`<rect x="`+num(x)+`" y="`+num(y-6)+`" width="20" height="12" rx="3" fill="#fbd5d5" stroke="#d62728" stroke-width="2"/>`, "✗ the check broke")
	}
	return x - 18
}

// drawState draws one state's box, its label and its tooltip.
func drawState(s *svg, i int, st GraphState, b sgBox) {
	fill, stroke, width := "white", "#333", "1"
	if st.End {
		fill = "#eef2f7"
	}
	if st.OnPath {
		stroke = "#d62728"
	}
	if st.Bad {
		fill, stroke = "#fbd5d5", "#d62728"
	}
	switch {
	case st.Initial:
		width = "3"
	case st.OnPath || st.Bad:
		width = "2"
	}
	s.add(`<g class="state" id="state-` + strconv.Itoa(i) + `">`)
	s.title(stateTip(i, st))
	s.add(`<rect x="` + num(b.x) + `" y="` + num(b.y) + `" width="` + num(b.w) + `" height="` + num(b.h) + `" rx="5" fill="` + fill + `" stroke="` + stroke + `" stroke-width="` + width + `"/>`)
	if st.End {
		s.add(`<rect x="` + num(b.x+3) + `" y="` + num(b.y+3) + `" width="` + num(b.w-6) + `" height="` + num(b.h-6) + `" rx="3" fill="none" stroke="` + stroke + `"/>`)
	}
	s.add("\n")
	for k, line := range b.lines {
		extra := ""
		if k == 0 {
			extra = `font-size="9" fill="#777"`
		}
		s.label(b.x+sgPad, b.y+sgPad+sgLineH*float64(k+1)-3, extra, line)
	}
	if st.Bad {
		s.label(b.x+b.w-sgPad, b.y+sgPad+sgLineH-3, `text-anchor="end" font-weight="bold" fill="#d62728"`, "✗")
	}
	s.add("</g>\n")
}

// stateTip is a state's tooltip: what it is, then its whole label.
func stateTip(i int, st GraphState) string {
	tip := "state " + strconv.Itoa(i) + ", depth " + strconv.Itoa(st.Depth)
	for _, f := range []struct {
		on   bool
		what string
	}{{st.Initial, "initial"}, {st.End, "end"}, {st.OnPath, "on the counterexample"}, {st.Bad, "the check broke here"}} {
		if f.on {
			tip += ", " + f.what
		}
	}
	for k, line := range firstLines(st.Label, 2*sgMaxLines) {
		if k == 2*sgMaxLines {
			tip += "\n… " + line
			break
		}
		tip += "\n" + clip(line, sgTipRunes)
	}
	return tip
}

// drawGraphEdge draws one edge with its tooltip and, if labelled, its
// label: a curve from the right of a state to the left of a deeper one; a
// dashed curve arching over, to the right of a shallower state; a dashed
// curve on the right to a state of the same layer; a loop to itself.
func drawGraphEdge(s *svg, l *labeller, ext *extent, boxes []sgBox, states []GraphState, e sgEdge, labelled bool) {
	a, b := boxes[e.from], boxes[e.to]
	var p [4][2]float64 // the Bézier curve's points
	x1, y1 := a.x+a.w, a.y+a.h/2
	back := states[e.to].Depth <= states[e.from].Depth
	switch {
	case e.from == e.to:
		p = [4][2]float64{{x1, y1 - 5}, {x1 + 34, y1 - 26}, {x1 + 34, y1 + 26}, {x1, y1 + 5}}
	case a.layer == b.layer:
		// Leaving below the middle and arriving above it, a step
		// and the step back are two curves, not one.
		x2, y2 := b.x+b.w, b.y+b.h/2-4
		y1 += 4
		bulge := min(24+0.2*abs(y2-y1), sgRightRoom-8)
		if y2 < y1 {
			bulge = min(bulge+12, sgRightRoom-4)
		}
		p = [4][2]float64{{x1, y1}, {x1 + bulge, y1}, {x2 + bulge, y2}, {x2, y2}}
	case a.layer < b.layer:
		x2, y2 := b.x, b.y+b.h/2
		dx := (x2 - x1) / 2
		p = [4][2]float64{{x1, y1}, {x1 + dx, y1}, {x2 - dx, y2}, {x2, y2}}
	default: // to a layer on the left: arch over, from a's left to b's right
		// Above the middle, clear of the forward steps' ends.
		x1, y1 = a.x, y1-8
		x2, y2 := b.x+b.w, b.y+b.h/2-8
		rise := min(28+0.1*(x1-x2), sgMaxRise)
		p = [4][2]float64{{x1, y1}, {x1 - 20, y1 - rise}, {x2 + 20, y2 - rise}, {x2, y2}}
	}
	// A Bézier curve lies within its points' hull.
	for _, q := range p {
		ext.add(q[0], q[1])
	}
	class, marker := "e", "sg-arrow"
	if back {
		class += " b"
	}
	if e.onPath {
		class, marker = class+" p", "sg-arrow-path"
	}
	s.add(`<path class="` + class + `" d="M` + num(p[0][0]) + "," + num(p[0][1]) + " C" + num(p[1][0]) + "," + num(p[1][1]) + " " +
		num(p[2][0]) + "," + num(p[2][1]) + " " + num(p[3][0]) + "," + num(p[3][1]) + `" marker-end="url(#` + marker + `)">`)
	s.title(edgeTip(e))
	s.add("</path>\n")
	if !labelled {
		return
	}
	text := clip(oneLine(e.labels[0]), sgEdgeRunes)
	if len(e.labels) > 1 {
		text += " +" + strconv.Itoa(len(e.labels)-1)
	}
	colour := "#555"
	if e.onPath {
		colour = "#d62728"
	}
	// Midway along the curve, or nearer either end if a label or a box
	// is there: above a curve between layers, right of one beside a
	// layer.
	side := a.layer == b.layer
	at := func(t float64) (float64, float64, box) {
		x, y := bezier(p, t)
		if side {
			return x + 3, y + 4, textBox(x+3, y+4, text, false)
		}
		return x, y - 4, textBox(x, y-4, text, true)
	}
	x, y, room := at(0.5)
	for _, t := range []float64{0.5, 0.3, 0.7, 0.2, 0.8} {
		if bx, by, r := at(t); l.free(r) {
			x, y, room = bx, by, r
			break
		}
	}
	l.place(room)
	anchor := "middle"
	if side {
		anchor = "start"
	}
	l.out.label(x, y, `text-anchor="`+anchor+`" font-size="10" fill="`+colour+`" class="halo"`, text)
}

// bezier is the point at t along the cubic Bézier curve p.
func bezier(p [4][2]float64, t float64) (float64, float64) {
	u := 1 - t
	a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return a*p[0][0] + b*p[1][0] + c*p[2][0] + d*p[3][0], a*p[0][1] + b*p[1][1] + c*p[2][1] + d*p[3][1]
}

// edgeTip is an edge's tooltip: its states and its first few steps.
func edgeTip(e sgEdge) string {
	tip := "#" + strconv.Itoa(e.from) + " → #" + strconv.Itoa(e.to)
	for k, label := range e.labels {
		if k == sgTipSteps {
			tip += "\n… and " + plural(len(e.labels)-k, "more step")
			break
		}
		tip += "\n" + clip(oneLine(label), sgTipRunes)
	}
	return tip
}

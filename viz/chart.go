package viz

import (
	"cmp"
	"io"
	"slices"
	"strconv"
	"strings"

	"eccounter/model"
	"eccounter/sim"
)

// Layout of the histogram and the epidemic curves, in pixels.
const (
	chartW      = 860.0
	chartH      = 450.0
	plotLeft    = 70.0
	plotRight   = 680.0 // the legend goes right of it
	plotTop     = 80.0
	plotBottom  = 400.0
	legendRows  = 12 // servers named in the legend; the rest are counted
	offsetLimit = 10 // above this many servers, lines are not offset
)

// Layout of the value chart, in pixels: the whole run on the left, the
// final approach zoomed in the middle, the legend on the right, and under
// the whole run one lane per fault, on its time axis.
//
// The zoom sits beside the whole run rather than under it so that a page
// marking an instant with a vertical line over the picture (package
// report's) marks it on the whole run only, the panel data-t0..data-p1
// describe, and crosses no other time axis.
const (
	vcW        = 1080.0
	vcLeft     = 70.0
	vcRight    = 620.0
	zoomLeft   = 700.0
	zoomRight  = 900.0
	legendLeft = 920.0
	vcTop      = 80.0
	vcBottom   = 380.0
	laneTop    = vcBottom + 48 // below the time axis and its label
	laneH      = 24.0          // a lane: its label, then its bar
	maxLanes   = 8             // fault lanes drawn; the rest share the last
	zoomInset  = 10.0          // the zoom's lowest and highest values sit this far inside its frame
)

// Fault shades: a light fill that tells the kinds apart in colour, and a
// hatch of its own that tells them apart in grey, in print.
const faultDefs = `<defs>
<pattern id="shade-crash" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#d4d4d4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#555" stroke-width="2"/></pattern>
<pattern id="shade-partition" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="6" height="6" fill="#f7d9a8"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a5b00" stroke-width="1"/></pattern>
<pattern id="shade-loss" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#dbe6f4"/><circle cx="2.5" cy="2.5" r="0.9" fill="#3c5f91"/></pattern>
</defs>
`

// Chart writes the value chart of the run as SVG.
//
// The left panel draws each server's counter over virtual time, from 0 to
// the run's last event, as a step line, one colour per server (the
// colours of the diagram's lanes), with the last accepted set, the moment
// of convergence and the end of the faults (if they ended) marked by
// labelled vertical lines. Under it, one lane per fault shows when it was
// in force: each server's crash, each partition (labelled with its sides),
// and the window in which the network loses or duplicates messages; the
// crashes and partitions also shade the panel above. The middle panel
// zooms on the final approach (see finalApproach), where the last steps of
// a run are a pixel or two apart on the left.
//
// Servers that hold the same value would draw one line over another, so
// with up to ten servers each line is shifted up or down by a pixel or
// two: a bundle of lines means agreement. The root element's data-t0,
// data-t1 (virtual nanoseconds) and data-p0, data-p1 (pixels) let a page
// that embeds the chart, such as package report's, mark an instant on the
// left panel: x = p0 + (t-t0)*(p1-p0)/(t1-t0). Fault bars and shades carry
// their span as data-from and data-to, the zoom panel its window as
// data-t0, data-t1, data-v0 and data-v1.
func Chart(w io.Writer, rec *Recorder, report model.Report) error {
	// The time axis ends at the run's last event: a final value holds to
	// the end of the run, and nothing is drawn where nothing happened.
	end := report.Now
	var top int64
	for _, c := range rec.Changes {
		end = max(end, c.At)
		top = max(top, c.Value, c.Prev)
	}
	if end <= 0 {
		end = sim.Time(1_000_000)
	}
	tStep := timeStep(0, int64(end), vcRight-vcLeft, 8)
	vStep := niceStep(top, 5)
	vMax := roundUp(top, vStep)
	if vMax == 0 {
		vMax = vStep
	}
	x := func(t sim.Time) float64 { return vcLeft + float64(t)/float64(end)*(vcRight-vcLeft) }
	y := func(v int64) float64 { return vcBottom - float64(v)/float64(vMax)*(vcBottom-vcTop) }
	lanes := faultLanes(rec, end)
	height := max(laneTop+float64(len(lanes))*laneH+8, vcBottom+50)
	z := finalApproach(rec, report, end)

	var s svg
	s.open(vcW, height, ` data-t0="0" data-t1="`+strconv.FormatInt(int64(end), 10)+`" data-p0="`+num(vcLeft)+`" data-p1="`+num(vcRight)+`"`)
	s.add(faultDefs)
	s.label(vcLeft, 20, `font-size="13" font-weight="bold"`, "server values over virtual time")
	s.add(`<g id="plot">` + "\n")
	s.add(`<rect x="` + num(vcLeft) + `" y="` + num(vcTop) + `" width="` + num(vcRight-vcLeft) + `" height="` + num(vcBottom-vcTop) + `" fill="none" stroke="#999"/>` + "\n")

	// Fault shades behind everything else.
	for _, l := range lanes {
		for _, b := range l.bands {
			if b.kind != "loss" { // the loss window covers most of a run: its lane alone shows it
				s.add(`<rect class="shade ` + b.kind + `"` + b.data() + ` x="` + num(x(b.from)) + `" y="` + num(vcTop) + `" width="` + num(max(x(b.to)-x(b.from), 1)) + `" height="` + num(vcBottom-vcTop) + `" fill="url(#shade-` + b.kind + `)" opacity="0.35"/>` + "\n")
			}
		}
	}

	// Axes and ticks. The last tick is usually short of the end, which
	// gets a label of its own; a tick label too close to it is left out.
	endX := x(end)
	for _, t := range ticks(0, int64(end), tStep, maxTicks) {
		xt := x(sim.Time(t))
		s.line(xt, vcTop, xt, vcBottom, `stroke="#eee"`)
		s.line(xt, vcBottom, xt, vcBottom+5, `stroke="#999"`)
		label := msLabel(t, tStep)
		if sim.Time(t) == end || endX-xt >= (textWidth(label)+textWidth(trimTime(end)))/2+4 {
			s.label(xt, vcBottom+18, `text-anchor="middle" fill="#555"`, label)
		}
	}
	if int64(end)%tStep != 0 {
		s.line(endX, vcBottom, endX, vcBottom+5, `stroke="#999"`)
		s.label(endX, vcBottom+18, `text-anchor="middle" fill="#333" class="end"`, trimTime(end))
	}
	for _, v := range ticks(0, vMax, vStep, maxTicks) {
		yv := y(v)
		s.line(vcLeft, yv, vcRight, yv, `stroke="#eee"`)
		s.line(vcLeft-5, yv, vcLeft, yv, `stroke="#999"`)
		s.label(vcLeft-8, yv+4, `text-anchor="end" fill="#555"`, strconv.FormatInt(v, 10))
	}
	s.label((vcLeft+vcRight)/2, vcBottom+36, `text-anchor="middle" fill="#333"`, "virtual time (to the run's last event)")
	s.label(16, (vcTop+vcBottom)/2, `text-anchor="middle" fill="#333" transform="rotate(-90 16 `+num((vcTop+vcBottom)/2)+`)"`, "value")

	// Where the zoom looks, outlined.
	if z.ok {
		x0, x1 := x(z.t0), x(min(z.t1, end))
		y0, y1 := y(z.hi), y(z.lo)
		s.add(`<rect class="zoom-window" x="` + num(x0) + `" y="` + num(y0-3) + `" width="` + num(max(x1-x0, 1)) + `" height="` + num(y1-y0+6) + `" fill="none" stroke="#666" stroke-dasharray="3,2"/>` + "\n")
	}

	// One step line per server.
	n := rec.servers
	for id := range n {
		s.stepLine(rec, id, 0, end, x, y, lineOffset(id, n))
	}

	// Vertical markers, their labels stacked above the plot so that two
	// close instants do not overprint each other: a label reads away from
	// its line (rightward in the left half, leftward in the right half),
	// and the line nearest the way it reads gets the lowest row, so that
	// no leader line crosses another's label.
	marks := markers(rec, report)
	if !report.Converged {
		s.label(vcRight-4, vcBottom-8, `text-anchor="end" font-weight="bold" fill="#d00" class="halo"`, "not converged")
	}
	mid := (vcLeft + vcRight) / 2
	slices.SortStableFunc(marks, func(a, b marker) int {
		ra, rb := x(a.t) > mid, x(b.t) > mid
		switch {
		case ra != rb: // right half first
			if ra {
				return -1
			}
			return 1
		case ra: // right half: earliest first
			return cmp.Compare(a.t, b.t)
		}
		return cmp.Compare(b.t, a.t) // left half: latest first
	})
	for row, m := range marks {
		xt := x(m.t)
		s.line(xt, vcTop, xt, vcBottom, `stroke="`+m.colour+`" stroke-width="1.5"`+m.dash)
		ly := vcTop - 8 - float64(row)*14
		anchor, lx := `text-anchor="start"`, xt+3
		if xt > mid {
			anchor, lx = `text-anchor="end"`, xt-3
		}
		s.line(xt, ly+2, xt, vcTop, `stroke="`+m.colour+`" stroke-width="1" stroke-dasharray="1,2"`)
		s.label(lx, ly, anchor+` font-weight="bold" fill="`+m.colour+`" class="halo"`, m.text)
	}
	s.add("</g>\n")

	s.faultLanes(lanes, x)
	s.zoom(rec, report, z, marks)
	s.legend(rec, lanes, z)
	s.add(`<style>.halo{paint-order:stroke;stroke:white;stroke-width:4px;stroke-linejoin:round}</style>` + "\n")
	s.close()
	_, err := w.Write(s.Bytes())
	return err
}

// timeStep returns the step of a time axis from lo to hi drawn width
// pixels wide: at most most steps, and fewer if their labels would
// otherwise run into each other.
func timeStep(lo, hi int64, width float64, most int64) int64 {
	for n := most; ; n-- {
		step := niceStep(hi-lo, n)
		apart := width * float64(step) / float64(max(hi-lo, 1))
		if n == 1 || apart >= textWidth(msLabel(hi/step*step, step))+12 {
			return step
		}
	}
}

// lineOffset is how far server id's line is shifted up, in pixels, so that
// servers holding the same value draw a bundle rather than one line.
func lineOffset(id, n int) float64 {
	if n > offsetLimit {
		return 0
	}
	return (float64(id) - float64(n-1)/2) * 1.5
}

// valueAt returns the value server id held at t: after every change up to
// and including t.
func valueAt(rec *Recorder, id int, t sim.Time) int64 {
	var v int64
	for _, c := range rec.Changes {
		if c.At > t {
			break
		}
		if int(c.Node) == id {
			v = c.Value
		}
	}
	return v
}

// stepLine draws server id's value from t0 to t1 as a step line.
func (s *svg) stepLine(rec *Recorder, id int, t0, t1 sim.Time, x func(sim.Time) float64, y func(int64) float64, off float64) {
	var pts []byte
	point := func(t sim.Time, v int64) {
		pts = append(pts, num(x(t))...)
		pts = append(pts, ',')
		pts = append(pts, num(y(v)-off)...)
		pts = append(pts, ' ')
	}
	v := valueAt(rec, id, t0)
	point(t0, v)
	for _, c := range rec.Changes {
		if c.At <= t0 || int(c.Node) != id {
			continue
		}
		if c.At > t1 {
			break
		}
		point(c.At, v)
		point(c.At, c.Value)
		v = c.Value
	}
	point(t1, v)
	s.add(`<polyline class="server" fill="none" stroke="` + serverColour(id) + `" stroke-width="2" points="` + string(pts[:len(pts)-1]) + `">`)
	s.title(rec.names[id] + ": " + strconv.FormatInt(v, 10) + " at " + trimTime(t1))
	s.add("</polyline>\n")
}

// marker is a labelled vertical line at an instant.
type marker struct {
	t            sim.Time
	colour, dash string
	text         string
}

// markers are the instants the chart marks: the end of the faults, the
// last accepted set, the convergence.
func markers(rec *Recorder, report model.Report) []marker {
	var marks []marker
	if rec.FaultsEnded {
		marks = append(marks, marker{rec.FaultsEnd, "#2a2", ` stroke-dasharray="2,3"`, "faults end " + rec.FaultsEnd.String()})
	}
	if report.AcceptedSets > 0 {
		marks = append(marks, marker{report.LastAcceptedSet, "#1d4e89", ` stroke-dasharray="6,3"`, "last accepted set " + report.LastAcceptedSet.String()})
	}
	if report.Converged {
		marks = append(marks, marker{report.ConvergedAt, "#000", "", "converged on " + strconv.FormatInt(report.Value, 10) + " at " + report.ConvergedAt.String()})
	}
	return marks
}

// band is a span of time a fault was in force.
type band struct {
	kind     string // crash, partition or loss: the class and the shade
	from, to sim.Time
	open     bool   // still in force when the run stopped, at to
	server   string // the crashed server
	sides    string // a partition's sides
	title    string
}

// data renders the band's span, and what it is of, as data- attributes.
func (b *band) data() string {
	d := ` data-from="` + strconv.FormatInt(int64(b.from), 10) + `" data-to="` + strconv.FormatInt(int64(b.to), 10) + `"`
	if b.open {
		d += ` data-open="true"`
	}
	if b.server != "" {
		d += ` data-server="` + attr(b.server) + `"`
	}
	if b.sides != "" {
		d += ` data-sides="` + attr(b.sides) + `"`
	}
	return d
}

// lane is one row under the plot: a fault's bands and a label saying what
// they are.
type lane struct {
	label string
	bands []band
}

// faultLanes returns the lanes of the run's faults, in this order: one
// per server that crashed, in server order; one per partition, in order
// of its start; one for the loss and duplication window. Past maxLanes
// lanes, the last one holds the bands of all the rest.
func faultLanes(rec *Recorder, end sim.Time) []lane {
	var lanes []lane
	var crashed []sim.NodeID
	for _, o := range rec.Outages {
		crashed = append(crashed, o.Node)
	}
	slices.Sort(crashed)
	crashed = slices.Compact(crashed)
	for _, id := range crashed {
		name := rec.names[id]
		var spans []string
		l := lane{}
		for _, o := range rec.Outages {
			if o.Node != id {
				continue
			}
			b := band{kind: "crash", from: o.At, to: end, open: !o.HasRestart, server: name}
			if o.HasRestart {
				b.to = o.Restart
			}
			state := "state lost"
			if o.Durable {
				state = "state kept"
			}
			span := trimTime(b.from) + " to " + trimTime(b.to)
			if b.open {
				span = "from " + trimTime(b.from) + ", still down at the end"
			} else {
				span += " (" + state + ")"
			}
			b.title = name + " down " + span
			spans = append(spans, span)
			l.bands = append(l.bands, b)
		}
		l.label = name + " down " + joinCapped(spans, 3)
		lanes = append(lanes, l)
	}
	for _, c := range rec.Cuts {
		sides := partitionSides(rec, c.Groups)
		b := band{kind: "partition", from: c.At, to: end, open: !c.Healed, sides: sides}
		span := trimTime(b.from) + " to " + trimTime(b.to)
		if c.Healed {
			b.to = c.Heal
			span = trimTime(b.from) + " to " + trimTime(b.to)
		} else {
			span = "from " + trimTime(b.from) + ", in force at the end"
		}
		b.title = "partition " + strconv.Itoa(c.Index+1) + ": " + sides + ", " + span
		lanes = append(lanes, lane{label: b.title, bands: []band{b}})
	}
	if f := rec.faults; f.Loss > 0 || f.Duplicate > 0 {
		var what []string
		if f.Loss > 0 {
			what = append(what, "loses "+percent(f.Loss))
		}
		if f.Duplicate > 0 {
			what = append(what, "duplicates "+percent(f.Duplicate))
		}
		b := band{kind: "loss", to: end, open: !rec.FaultsEnded}
		span := "until the end"
		if rec.FaultsEnded {
			b.to = rec.FaultsEnd
			span = "0ms to " + trimTime(b.to)
		}
		b.title = "the network " + strings.Join(what, " and ") + " of messages, " + span
		lanes = append(lanes, lane{label: b.title, bands: []band{b}})
	}
	if len(lanes) > maxLanes {
		rest := lane{label: "and " + plural(len(lanes)-maxLanes+1, "more fault") + " (their tooltips, and the diagram, say which)"}
		for _, l := range lanes[maxLanes-1:] {
			rest.bands = append(rest.bands, l.bands...)
		}
		lanes = append(lanes[:maxLanes-1], rest)
	}
	return lanes
}

// faultLanes draws the lanes under the plot.
func (s *svg) faultLanes(lanes []lane, x func(sim.Time) float64) {
	if len(lanes) == 0 {
		return
	}
	s.add(`<g id="faults">` + "\n")
	for i, l := range lanes {
		top := laneTop + float64(i)*laneH
		s.label(vcLeft, top+9, `font-size="10" fill="#333"`, clip(l.label, 150)) // its bars' tooltips say it all
		s.line(vcLeft, top+16, vcRight, top+16, `stroke="#ccc"`)
		for _, b := range l.bands {
			s.add(`<rect class="fault ` + b.kind + `"` + b.data() + ` x="` + num(x(b.from)) + `" y="` + num(top+12) + `" width="` + num(max(x(b.to)-x(b.from), 1)) + `" height="8" fill="url(#shade-` + b.kind + `)" stroke="#555" stroke-width="0.5">`)
			s.title(b.title)
			s.add("</rect>\n")
		}
	}
	s.add("</g>\n")
}

// partitionSides names the servers on each side of a partition,
// "{server-1} | {server-2, server-3}": the groups it names, then everyone
// else. The chart draws servers, so clients are left out; a side with no
// server says so.
func partitionSides(rec *Recorder, groups [][]sim.NodeID) string {
	in := make([]bool, rec.servers)
	var sides []string
	side := func(ids []sim.NodeID) {
		if len(ids) == 0 {
			sides = append(sides, "{clients only}")
			return
		}
		sides = append(sides, "{"+nameRuns(rec.names, ids)+"}")
	}
	for _, g := range groups {
		var ids []sim.NodeID
		for _, id := range g {
			if int(id) < rec.servers {
				ids = append(ids, id)
				in[id] = true
			}
		}
		side(ids)
	}
	var rest []sim.NodeID
	for id, ok := range in {
		if !ok {
			rest = append(rest, sim.NodeID(id))
		}
	}
	side(rest)
	return strings.Join(sides, " | ")
}

// nameRuns names the nodes ids, sorted, three or more consecutive ones as
// a range, "server-1..server-40, server-42", and at most six names or
// ranges: a partition of a hundred servers still gets a label that fits.
func nameRuns(names []string, ids []sim.NodeID) string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var parts []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, names[ids[i]]+".."+names[ids[j]])
		case j > i:
			parts = append(parts, names[ids[i]], names[ids[j]])
		default:
			parts = append(parts, names[ids[i]])
		}
		i = j + 1
	}
	return joinCapped(parts, 6)
}

// joinCapped joins at most limit of parts with commas, and counts the
// rest.
func joinCapped(parts []string, limit int) string {
	if len(parts) <= limit {
		return strings.Join(parts, ", ")
	}
	return strings.Join(parts[:limit], ", ") + " and " + thousands(len(parts)-limit) + " more"
}

// percent renders a probability as a percentage, "20%" or "0.5%".
func percent(p float64) string {
	return strconv.FormatFloat(p*100, 'g', 4, 64) + "%"
}

// trimTime renders t as sim.Time does, in milliseconds, without trailing
// zeros: "290ms", "1117.347ms".
func trimTime(t sim.Time) string {
	s := strings.TrimSuffix(t.String(), "ms")
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s + "ms"
}

// attr escapes a string for an attribute value in double quotes.
func attr(str string) string {
	var b strings.Builder
	for _, r := range str {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// approach is the window the zoom panel draws: t0..t1 in time, lo..hi in
// value; or, if !ok, why there is none.
type approach struct {
	ok     bool
	why    string
	t0, t1 sim.Time
	end    sim.Time // the run's, before t1 if the window runs past it
	lo, hi int64
}

// finalApproach chooses the zoom panel's window. In time, it is the
// approach: from the last accepted set, after which only syncs change
// values, to the last change of any value, when the approach settled (the
// convergence, if the servers converged); a reader wants to see how the
// last value reached every server, and every value holds from then to the
// end, as the left panel shows. A tenth of the approach is added on both
// sides, so that the first step and the last show rather than sit on the
// frame, and the ends are rounded out to a power of ten of nanoseconds
// below that margin, so that the title reads "327ms" rather than
// "327.137ms". The window may run a margin past the run's end, which the
// panel greys: a run stopped when the servers converged ends on the last
// step, and the step would sit on the frame. An approach of no
// length (the last set was the last change, as with one server) takes
// the time from the last set to the end instead. In value, it spans from
// the smallest value any server held in the window (at its start, unless
// a crash without durable storage reset one later) to the largest (the
// final value, once converged): the steps the left panel squashes into a
// pixel or two fill the panel.
//
// With no accepted set there is nothing to zoom on (every server held 0
// throughout). A window with one value only (lo == hi) is widened to the
// next integer, so that a flat line is drawn inside the frame, not on it.
func finalApproach(rec *Recorder, report model.Report, end sim.Time) approach {
	if report.AcceptedSets == 0 || len(rec.Changes) == 0 {
		return approach{why: "no set was accepted"}
	}
	last := min(report.LastAcceptedSet, end)
	settled := min(max(rec.Changes[len(rec.Changes)-1].At, last), end)
	length := int64(settled - last)
	still := length == 0 // no value changed after the last set
	if still {
		length = int64(end - last)
	}
	if length == 0 { // the last set at the run's last event
		length = int64(last)
	}
	margin := max(length/10, 1)
	unit := int64(1)
	for unit <= margin/10 {
		unit *= 10
	}
	t0 := sim.Time(max(int64(last)-margin, 0) / unit * unit)
	t1 := sim.Time(roundUp(int64(settled)+margin, unit))
	if still {
		t1 = end // the values held still to the end: no margin past it
	}
	z := approach{ok: true, t0: t0, t1: t1, end: end}
	for id := range rec.servers {
		v := valueAt(rec, id, t0)
		if id == 0 {
			z.lo, z.hi = v, v
		}
		z.lo, z.hi = min(z.lo, v), max(z.hi, v)
	}
	for _, c := range rec.Changes {
		if c.At > t0 && c.At <= min(t1, end) && int(c.Node) < rec.servers {
			z.lo, z.hi = min(z.lo, c.Value), max(z.hi, c.Value)
		}
	}
	if z.lo == z.hi {
		if z.lo > 0 {
			z.lo--
		} else {
			z.hi++
		}
	}
	return z
}

// zoom draws the final approach panel.
func (s *svg) zoom(rec *Recorder, report model.Report, z approach, marks []marker) {
	s.add(`<g id="zoom" class="zoom"`)
	if z.ok {
		s.add(` data-t0="` + strconv.FormatInt(int64(z.t0), 10) + `" data-t1="` + strconv.FormatInt(int64(z.t1), 10) +
			`" data-v0="` + strconv.FormatInt(z.lo, 10) + `" data-v1="` + strconv.FormatInt(z.hi, 10) + `"`)
	}
	s.add(">\n")
	s.label(zoomLeft, vcTop-36, `font-weight="bold" class="zoom-title"`, "final approach (zoomed in)")
	s.add(`<rect x="` + num(zoomLeft) + `" y="` + num(vcTop) + `" width="` + num(zoomRight-zoomLeft) + `" height="` + num(vcBottom-vcTop) + `" fill="none" stroke="#999"/>` + "\n")
	if !z.ok {
		s.label(zoomLeft, vcTop-22, `fill="#333"`, z.why)
		s.label((zoomLeft+zoomRight)/2, (vcTop+vcBottom)/2, `text-anchor="middle" fill="#555"`, "nothing to zoom on:")
		s.label((zoomLeft+zoomRight)/2, (vcTop+vcBottom)/2+14, `text-anchor="middle" fill="#555"`, "every server held 0")
		s.add("</g>\n")
		return
	}
	s.label(zoomLeft, vcTop-22, `fill="#333"`, "values "+strconv.FormatInt(z.lo, 10)+" to "+strconv.FormatInt(z.hi, 10))
	s.label(zoomLeft, vcTop-8, `fill="#333"`, trimTime(z.t0)+" to "+trimTime(z.t1))
	span := float64(z.t1 - z.t0)
	x := func(t sim.Time) float64 { return zoomLeft + float64(t-z.t0)/span*(zoomRight-zoomLeft) }
	y := func(v int64) float64 {
		return vcBottom - zoomInset - float64(v-z.lo)/float64(z.hi-z.lo)*(vcBottom-vcTop-2*zoomInset)
	}
	tStep := timeStep(int64(z.t0), int64(z.t1), zoomRight-zoomLeft, 3)
	for _, t := range ticks(int64(z.t0), int64(z.t1), tStep, maxTicks) {
		xt := x(sim.Time(t))
		s.line(xt, vcTop, xt, vcBottom, `stroke="#eee"`)
		s.line(xt, vcBottom, xt, vcBottom+5, `stroke="#999"`)
		s.label(xt, vcBottom+18, `text-anchor="middle" fill="#555"`, msLabel(t, tStep))
	}
	// The ends of the range are labelled too, unless a tick is there or
	// too close: the final value is what the panel is about.
	vStep := niceStep(z.hi-z.lo, 5)
	vTicks := ticks(z.lo, z.hi, vStep, maxTicks)
	for _, v := range vTicks {
		yv := y(v)
		s.line(zoomLeft, yv, zoomRight, yv, `stroke="#eee"`)
		s.line(zoomLeft-5, yv, zoomLeft, yv, `stroke="#999"`)
		s.label(zoomLeft-8, yv+4, `text-anchor="end" fill="#555"`, strconv.FormatInt(v, 10))
	}
	for _, v := range []int64{z.lo, z.hi} {
		clear := true
		for _, t := range vTicks {
			clear = clear && abs(y(t)-y(v)) >= 13
		}
		if clear {
			s.line(zoomLeft-5, y(v), zoomLeft, y(v), `stroke="#999"`)
			s.label(zoomLeft-8, y(v)+4, `text-anchor="end" fill="#333"`, strconv.FormatInt(v, 10))
		}
	}
	for _, m := range marks {
		if m.t < z.t0 || m.t > z.t1 {
			continue
		}
		xt := x(m.t)
		s.add(`<line x1="` + num(xt) + `" y1="` + num(vcTop) + `" x2="` + num(xt) + `" y2="` + num(vcBottom) + `" stroke="` + m.colour + `" stroke-width="1.5"` + m.dash + `>`)
		s.title(m.text)
		s.add("</line>\n")
	}
	if z.end < z.t1 {
		xe := x(z.end)
		s.add(`<rect class="after-end" x="` + num(xe) + `" y="` + num(vcTop) + `" width="` + num(zoomRight-xe) + `" height="` + num(vcBottom-vcTop) + `" fill="#e8e8e8"><title>after the run's end at ` + z.end.String() + `</title></rect>` + "\n")
		s.line(xe, vcTop, xe, vcBottom, `stroke="#777"`)
	}
	for id := range rec.servers {
		s.stepLine(rec, id, z.t0, min(z.t1, z.end), x, y, lineOffset(id, rec.servers))
	}
	s.add("</g>\n")
}

// legend names the servers' colours and the fault shades.
func (s *svg) legend(rec *Recorder, lanes []lane, z approach) {
	n := rec.servers
	ly := vcTop + 6
	for id := range min(n, legendRows) {
		s.line(legendLeft, ly, legendLeft+24, ly, `stroke="`+serverColour(id)+`" stroke-width="3"`)
		s.label(legendLeft+30, ly+4, "", rec.names[id])
		ly += 18
	}
	if n > legendRows {
		s.label(legendLeft, ly+4, `fill="#555"`, "and "+thousands(n-legendRows)+" more servers")
		ly += 18
	}
	ly += 8
	kinds := map[string]bool{}
	for _, l := range lanes {
		for _, b := range l.bands {
			kinds[b.kind] = true
		}
	}
	for _, k := range []struct{ kind, text string }{
		{"crash", "server down"},
		{"partition", "partition"},
		{"loss", "loss, duplication"},
	} {
		if kinds[k.kind] {
			s.add(`<rect class="key ` + k.kind + `" x="` + num(legendLeft) + `" y="` + num(ly-5) + `" width="24" height="10" fill="url(#shade-` + k.kind + `)" stroke="#555" stroke-width="0.5"/>` + "\n")
			s.label(legendLeft+30, ly+4, "", k.text)
			ly += 18
		}
	}
	if z.ok {
		s.add(`<rect x="` + num(legendLeft) + `" y="` + num(ly-5) + `" width="24" height="10" fill="none" stroke="#666" stroke-dasharray="3,2"/>` + "\n")
		s.label(legendLeft+30, ly+4, "", "zoomed in")
		ly += 18
	}
	if z.ok && z.end < z.t1 {
		s.add(`<rect x="` + num(legendLeft) + `" y="` + num(ly-5) + `" width="24" height="10" fill="#e8e8e8" stroke="#777" stroke-width="0.5"/>` + "\n")
		s.label(legendLeft+30, ly+4, "", "after the run")
	}
}

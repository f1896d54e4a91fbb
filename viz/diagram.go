package viz

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"eccounter/model"
	"eccounter/sim"
)

// DefaultMaxMessages bounds the messages a diagram draws unless
// DiagramOptions.MaxMessages says otherwise.
const DefaultMaxMessages = 2000

// DefaultMaxNodes bounds the lanes of a diagram unless DiagramOptions.Nodes
// names them: the first nodes, servers before clients.
const DefaultMaxNodes = 40

// DiagramOptions select what a diagram shows. The zero value shows
// everything, up to DefaultMaxMessages messages.
type DiagramOptions struct {
	// Nodes names the nodes to draw a lane for, in any order (lanes keep
	// node order: servers, then clients); nil draws the first
	// DefaultMaxNodes nodes. A message is drawn only if both its ends are.
	Nodes []string
	// From and To bound the window of virtual time drawn; To 0 means the
	// end of the run. A message is drawn only if it was sent and arrived
	// (or was dropped) inside the window.
	From, To sim.Time
	// MaxMessages bounds the messages drawn: the first ones, in the order
	// they were sent. 0 means DefaultMaxMessages.
	MaxMessages int

	_ struct{}
}

// Layout of the diagram, in pixels.
const (
	laneWidth   = 160.0
	axisWidth   = 90.0
	headerH     = 94.0  // caption, legend and lane names
	footerH     = 32.0  // the line saying when the run stopped
	pxPerMs     = 4.0   // the time scale of short gaps
	minGapPx    = 18.0  // no two instants closer than this: labels stay apart
	maxGapPx    = 60.0  // longer gaps are cut to this, and marked
	maxHeightPx = 30000 // beyond this, everything is scaled down
	minWidth    = 660.0 // room for the caption
)

// limit is the number of messages to draw at most.
func (o *DiagramOptions) limit() int {
	if o.MaxMessages <= 0 {
		return DefaultMaxMessages
	}
	return o.MaxMessages
}

// shown says which nodes have a lane.
func (o *DiagramOptions) shown(rec *Recorder) ([]bool, error) {
	show := make([]bool, len(rec.names))
	if o.Nodes == nil {
		for i := range min(len(show), DefaultMaxNodes) {
			show[i] = true
		}
		return show, nil
	}
	ids, err := rec.Lookup(o.Nodes)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		show[id] = true
	}
	return show, nil
}

// timeScale maps the instants a diagram draws to y coordinates. Time flows
// downward, but not to scale: each gap between two consecutive instants
// is drawn at pxPerMs, at least minGapPx (so that events a microsecond
// apart do not overprint each other) and at most maxGapPx (so that idle
// stretches, such as the wait for the next sync, take no room); a gap cut
// short is marked on the time axis with how long it was.
type timeScale struct {
	at []sim.Time
	y  []float64
	// cut[i]: the gap before at[i] was shortened.
	cut []bool
}

func newTimeScale(times []sim.Time, top float64) *timeScale {
	slices.Sort(times)
	times = slices.Compact(times)
	ts := &timeScale{at: times, y: make([]float64, len(times)), cut: make([]bool, len(times))}
	gaps := make([]float64, len(times))
	total := 0.0
	for i := 1; i < len(times); i++ {
		px := float64(times[i]-times[i-1]) / 1e6 * pxPerMs
		switch {
		case px > maxGapPx:
			px, ts.cut[i] = maxGapPx, true
		case px < minGapPx:
			px = minGapPx
		}
		gaps[i] = px
		total += px
	}
	scale := 1.0
	if total > maxHeightPx {
		scale = maxHeightPx / total
	}
	y := top
	for i := range times {
		y += gaps[i] * scale
		ts.y[i] = y
	}
	return ts
}

// of returns the y of t, which must be one of the instants, or else is
// placed by interpolation.
func (ts *timeScale) of(t sim.Time) float64 {
	i, found := slices.BinarySearch(ts.at, t)
	switch {
	case found:
		return ts.y[i]
	case i == 0:
		return ts.y[0]
	case i == len(ts.at):
		return ts.y[len(ts.y)-1]
	}
	f := float64(t-ts.at[i-1]) / float64(ts.at[i]-ts.at[i-1])
	return ts.y[i-1] + f*(ts.y[i]-ts.y[i-1])
}

func (ts *timeScale) bottom() float64 { return ts.y[len(ts.y)-1] }

// attrs renders the scale for a page that embeds the diagram and wants to
// mark an instant on it: data-ts lists the instants (virtual nanoseconds)
// and data-ps their y (pixels); between two of them, interpolate. The
// diagram carries no data-t0..data-p1, which promise a linear scale.
func (ts *timeScale) attrs() string {
	b := []byte(` data-ts="`)
	for i, t := range ts.at {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(t), 10)
	}
	b = append(b, `" data-ps="`...)
	for i, y := range ts.y {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendNum(b, y)
	}
	return string(append(b, '"'))
}

// Diagram writes a space-time diagram of the run as SVG: a lane per node,
// time flowing down, an arrow per message. See docs/pictures.md for how
// to read it.
func Diagram(w io.Writer, rec *Recorder, report model.Report, opts DiagramOptions) error {
	svg, done, err := DiagramBytes(rec, report, opts)
	if err != nil {
		return err
	}
	defer done()
	_, err = w.Write(svg)
	return err
}

// DiagramBytes draws the diagram that Diagram writes and returns its
// bytes, valid until the caller calls done (nil with an error). A caller
// that embeds the diagram, as the report does, then makes no copy of
// its own: a diagram is most of a megabyte, and the playground draws one
// a run.
func DiagramBytes(rec *Recorder, report model.Report, opts DiagramOptions) (svg []byte, done func(), err error) {
	n := len(rec.names)
	show, err := opts.shown(rec)
	if err != nil {
		return nil, nil, err
	}
	lane := make([]float64, n) // x of each shown lane
	var lanes []sim.NodeID
	for id := range n {
		if show[id] {
			lane[id] = axisWidth + laneWidth*float64(len(lanes)) + laneWidth/2
			lanes = append(lanes, sim.NodeID(id))
		}
	}
	limit := opts.limit()
	from, to := opts.From, opts.To
	windowed := from > 0 || to > 0
	if to <= 0 {
		to = report.Now
		for _, m := range rec.Messages {
			to = maxTime(to, m.Sent, m.Arrive)
			for _, a := range m.Arrivals {
				to = maxTime(to, a.At)
			}
		}
	}
	in := func(t sim.Time) bool { return from <= t && t <= to }

	// Choose the messages, and gather every instant to draw.
	var drawn []*Message
	// Counting those the recorder did not keep.
	hiddenByNode, outside, overMax := rec.skipNodes, rec.skipWindow, rec.skipMax
	times := []sim.Time{from, to}
	for i := range rec.Messages {
		m := &rec.Messages[i]
		switch {
		case !show[m.From] || !show[m.To]:
			hiddenByNode++
			continue
		case !in(m.Sent) || !in(m.last()):
			outside++
			continue
		case len(drawn) >= limit:
			overMax++
			continue
		}
		drawn = append(drawn, m)
		times = append(times, m.Sent, m.Arrive)
		for _, a := range m.Arrivals {
			times = append(times, a.At)
		}
	}
	var changes []Change
	for _, c := range rec.Changes {
		if show[c.Node] && in(c.At) {
			changes = append(changes, c)
			times = append(times, c.At)
		}
	}
	var removals []Removal
	for _, r := range rec.Removals {
		if show[r.Node] && in(r.At) {
			removals = append(removals, r)
			times = append(times, r.At)
		}
	}
	var outages []Outage
	for _, o := range rec.Outages {
		end := to
		if o.HasRestart {
			end = o.Restart
		}
		if show[o.Node] && o.At <= to && end >= from {
			outages = append(outages, o)
			times = append(times, clamp(o.At, from, to), clamp(end, from, to))
		}
	}
	var cuts []Cut
	for _, c := range rec.Cuts {
		end := to
		if c.Healed {
			end = c.Heal
		}
		if c.At <= to && end >= from {
			cuts = append(cuts, c)
			times = append(times, clamp(c.At, from, to), clamp(end, from, to))
		}
	}
	if rec.FaultsEnded && in(rec.FaultsEnd) {
		times = append(times, rec.FaultsEnd)
	}
	ts := newTimeScale(times, headerH)
	width := max(axisWidth+laneWidth*float64(max(len(lanes), 1))+20, minWidth)
	height := ts.bottom() + footerH

	s := newSVG(4096 + 600*len(drawn)) // about what a message takes, so that the buffer grows once
	s.open(width, height, ts.attrs())
	s.add(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>` + "\n")

	// Caption: what is shown, and what is left out.
	caption := fmt.Sprintf("showing %s of %s messages", thousands(len(drawn)), thousands(len(rec.Messages)+rec.skipNodes+rec.skipWindow+rec.skipMax))
	var left []string
	if h := n - len(lanes); h > 0 {
		left = append(left, plural(h, "node")+" hidden ("+plural(hiddenByNode, "message")+" to or from them)")
	}
	if windowed {
		left = append(left, "window "+short(from)+"-"+short(to)+" ("+plural(outside, "message")+" sent or arriving outside it)")
	}
	if overMax > 0 {
		left = append(left, "the first "+thousands(limit)+" only ("+thousands(overMax)+" more)")
	}
	if len(left) > 0 {
		caption += "; " + strings.Join(left, "; ")
	}
	s.label(8, 18, `font-size="13" font-weight="bold" id="caption"`, caption)
	s.label(8, 34, `fill="#555"`, "Time flows down, not to scale: the left axis gives virtual time; ≈ marks a long idle gap cut short.")
	legend := "Arrow: a message (✓: set accepted, rumor news; ✗: not); red ✗: dropped; dotted: in flight at the end; → N: new value"
	path := finalPath(report.Story)
	if len(removals) > 0 {
		legend += "; ○ removed: lost interest in its rumor"
	}
	s.label(8, 48, `fill="#555"`, legend+".")
	if len(path) > 0 {
		s.label(8, 62, `fill="#555"`, "Yellow band: how "+strconv.FormatInt(report.Story.Value, 10)+
			" reached each server, from the set that started it (the summary's story tells it too).")
	}

	// Partitions: a shaded band across every lane.
	for _, c := range cuts {
		end := to
		if c.Healed {
			end = c.Heal
		}
		y1, y2 := ts.of(clamp(c.At, from, to)), ts.of(clamp(end, from, to))
		s.add(`<g class="partition"><rect x="` + num(axisWidth) + `" y="` + num(y1) + `" width="` + num(width-axisWidth-10) +
			`" height="` + num(y2-y1) + `" fill="#f5a623" fill-opacity="0.15" stroke="#f5a623" stroke-opacity="0.5"/>`)
		s.title(c.describe(rec.names) + ", " + c.At.String() + " to " + end.String())
		s.add("</g>\n")
		s.label(axisWidth+4, y1+12, `fill="#a05a00" font-weight="bold"`, c.describe(rec.names))
	}

	// Time axis: an instant's label where there is room for it, and a
	// mark where a long gap was cut short.
	lastY := -100.0
	for i, t := range ts.at {
		y := ts.y[i]
		if ts.cut[i] {
			mid := (ts.y[i-1] + y) / 2
			s.label(axisWidth-8, mid+4, `text-anchor="end" fill="#999" font-style="italic"`, "≈ "+(t-ts.at[i-1]).String())
			s.line(axisWidth, mid, width-10, mid, `stroke="#ddd" stroke-dasharray="2,6"`)
		}
		if y-lastY >= 12 {
			s.label(axisWidth-8, y+4, `text-anchor="end" fill="#555" font-size="10"`, t.String())
			s.line(axisWidth-5, y, axisWidth, y, `stroke="#999"`)
			lastY = y
		}
	}

	// Lanes: solid while the node is up, dashed grey while it is down.
	top, bottom := ts.of(from), ts.of(to)
	for _, id := range lanes {
		x := lane[id]
		colour := "#333"
		if int(id) < rec.servers {
			colour = serverColour(int(id))
		}
		s.label(x, headerH-14, `text-anchor="middle" font-size="13" font-weight="bold" fill="`+colour+`"`, rec.names[id])
		y := top
		for _, o := range outages {
			if o.Node != id {
				continue
			}
			end := to
			if o.HasRestart {
				end = o.Restart
			}
			y1, y2 := ts.of(clamp(o.At, from, to)), ts.of(clamp(end, from, to))
			s.line(x, y, x, y1, `stroke="`+colour+`" stroke-width="1.5"`)
			s.line(x, y1, x, y2, `stroke="#bbb" stroke-width="1.5" stroke-dasharray="4,4"`)
			y = y2
		}
		s.line(x, y, x, bottom, `stroke="`+colour+`" stroke-width="1.5"`)
	}

	// Messages, in the order they were sent, their labels placed around
	// those of the marks drawn over them.
	var l labeller
	l.out.Grow(120 * len(drawn))
	for _, o := range outages {
		if in(o.At) {
			l.place(box{lane[o.Node] - 60, ts.of(o.At) - 10, lane[o.Node] + 8, ts.of(o.At) + 8})
		}
		if o.HasRestart && in(o.Restart) {
			l.place(textBox(lane[o.Node]+10, ts.of(o.Restart)+14, "restart (state lost)", false))
		}
	}
	for _, c := range changes {
		l.place(textBox(lane[c.Node]+6, ts.of(c.At)-4, "→ "+strconv.FormatInt(c.Value, 10), false))
	}
	for _, r := range removals {
		l.place(textBox(lane[r.Node]+6, ts.of(r.At)+12, "removed", false))
	}
	a := arrows{s: s, l: &l, names: rec.names, lane: lane, ts: ts, path: path, plainName: make([]int8, n)}
	for _, m := range drawn {
		a.draw(m)
	}
	s.addBytes(l.out.Bytes())

	// Crashes and restarts, over the arrows.
	for _, o := range outages {
		x := lane[o.Node]
		if in(o.At) {
			y := ts.of(o.At)
			what := "crash: state kept on disk"
			if !o.Durable {
				what = "crash: state in memory lost"
			}
			s.add(`<g class="crash">`)
			s.title(rec.names[o.Node] + " " + what + " at " + o.At.String())
			s.cross(x, y, 7, `stroke="#d00" stroke-width="3"`)
			s.add("</g>\n")
			s.label(x-10, y+4, `text-anchor="end" fill="#d00" font-weight="bold" class="halo"`, "crash")
		}
		if o.HasRestart && in(o.Restart) {
			y := ts.of(o.Restart)
			s.add(`<g class="restart">`)
			s.title(rec.names[o.Node] + " restarts at " + o.Restart.String())
			s.add(`<rect x="` + num(x-6) + `" y="` + num(y-3) + `" width="12" height="6" fill="#2a2"/>`)
			s.add("</g>\n")
			what := "restart (state kept)"
			if !o.Durable {
				what = "restart (state lost)"
			}
			s.label(x+10, y+14, `fill="#2a2" font-weight="bold" class="halo"`, what)
		}
	}

	// Value changes, on their lanes.
	for _, c := range changes {
		x, y := lane[c.Node], ts.of(c.At)
		colour := serverColour(int(c.Node))
		s.add(`<g class="value"><circle cx="` + num(x) + `" cy="` + num(y) + `" r="3.5" fill="` + colour + `"/>`)
		s.title(rec.names[c.Node] + " " + strconv.FormatInt(c.Prev, 10) + " → " + strconv.FormatInt(c.Value, 10) + " at " + c.At.String())
		s.add("</g>\n")
		s.label(x+6, y-4, `font-weight="bold" fill="`+colour+`" class="halo"`, "→ "+strconv.FormatInt(c.Value, 10))
	}

	// Servers losing interest in their rumor, on their lanes: a ring
	// where a value change is a dot, the label below the lane's point.
	for _, r := range removals {
		x, y := lane[r.Node], ts.of(r.At)
		s.add(`<g class="removed"><circle cx="` + num(x) + `" cy="` + num(y) + `" r="4" fill="white" stroke="#666" stroke-width="1.5"/>`)
		s.title(rec.names[r.Node] + " lost interest in " + strconv.FormatInt(r.Value, 10) + " at " + r.At.String() + ": removed, it spreads it no more")
		s.add("</g>\n")
		s.label(x+6, y+12, `fill="#666" font-style="italic" class="halo"`, "removed")
	}

	if rec.FaultsEnded && in(rec.FaultsEnd) {
		y := ts.of(rec.FaultsEnd)
		s.line(axisWidth, y, width-10, y, `stroke="#2a2" stroke-dasharray="6,3"`)
		s.label(width-12, y-4, `text-anchor="end" fill="#2a2" font-weight="bold"`, "faults end "+rec.FaultsEnd.String())
	}
	s.label(8, height-8, `fill="#555"`, "run stopped at "+report.Now.String()+" ("+report.Reason.String()+")")
	s.add(`<style>.halo{paint-order:stroke;stroke:white;stroke-width:4px;stroke-linejoin:round}</style>` + "\n")
	s.close()
	return s.Bytes(), s.free, nil
}

// draw draws every copy of message m: an arrow if it arrived, a
// dashed line ending in a cross if it was dropped, a dotted line to where
// it would have arrived if the run stopped first.
func (a *arrows) draw(m *Message) {
	s, l, lane, ts := a.s, a.l, a.lane, a.ts
	x1, y1 := lane[m.From], ts.of(m.Sent)
	x2 := lane[m.To]
	label := msgLabel(m.Msg)
	colour := kindColour(m.Msg.Type)
	// The title's start, the same for every copy, built in place: a
	// diagram has thousands. Numbers and instants need no escaping; the
	// names and the label might.
	head := append(a.head[:0], a.names[m.From]...)
	head = append(append(append(head, " → "...), a.names[m.To]...), ": "...)
	head = append(append(head, label...), " (message "...)
	head = strconv.AppendUint(head, uint64(m.ID), 10)
	head = m.Sent.AppendText(append(head, "), sent "...))
	a.head = head
	plain := a.plain(m.From) && a.plain(m.To) && plainXML(label)
	if len(m.Arrivals) == 0 {
		y2 := ts.of(m.Arrive)
		s.add(`<g class="msg inflight">`)
		a.title(plain, ", still in flight when the run stopped (due ", m.Arrive, ")")
		s.line(x1, y1, x2, y2, `stroke="#999" stroke-width="1.2" stroke-dasharray="1,3"`)
		s.add("</g>\n")
		l.labelAlong(x1, y1, x2, y2, "#999", label, m.Msg.Type == model.Sync)
		return
	}
	for i, c := range m.Arrivals {
		y2 := ts.of(c.At)
		text := label
		if i > 0 {
			text += " dup"
		}
		if c.Reason != "" {
			why := ": " + dropWhy(c.Reason)
			s.add(`<g class="msg drop">`)
			a.title(plain && plainXML(why), ", dropped at ", c.At, why)
			s.line(x1, y1, x2, y2, `stroke="`, colour, `" stroke-width="1.2" stroke-dasharray="5,3" stroke-opacity="0.7"`)
			s.cross(x2, y2, 5, `stroke="#d00" stroke-width="2.5"`)
			s.add("</g>\n")
		} else {
			final := a.path[copyOf{m.ID, c.At}]
			width := "1.2"
			if final {
				s.add(`<g class="msg final-path">`)
				width = "2.2"
			} else {
				s.add(`<g class="msg">`)
			}
			what := ", arrived "
			if i > 0 {
				what = ", duplicate arrived "
			}
			a.title(plain, what, c.At, "")
			if final {
				// Under the arrow, like a highlighter's stroke: it
				// reads in print, as a grey band, and leaves the
				// arrow's colour to say its kind.
				s.line(x1, y1, x2, y2, `stroke="#ffd21f" stroke-width="8" stroke-linecap="round" stroke-opacity="0.85"`)
			}
			s.line(x1, y1, x2, y2, `stroke="`, colour, `" stroke-width="`, width, `" marker-end="url(#arrow)"`)
			s.add("</g>\n")
		}
		l.labelAlong(x1, y1, x2, y2, colour, text, m.Msg.Type == model.Sync)
	}
}

// arrows draws a diagram's messages: see draw.
type arrows struct {
	s     *svg
	l     *labeller
	names []string
	lane  []float64 // x of each node's lane
	ts    *timeScale
	path  map[copyOf]bool
	// plainName[id]: 1 if the name of node id needs no escaping, -1 if
	// it does, 0 if not yet known.
	plainName []int8
	head      []byte // the title of the message being drawn, up to its sent time
}

// plain reports whether node id's name needs no escaping in XML.
func (a *arrows) plain(id sim.NodeID) bool {
	if a.plainName[id] == 0 {
		a.plainName[id] = -1
		if plainXML(a.names[id]) {
			a.plainName[id] = 1
		}
	}
	return a.plainName[id] > 0
}

// title writes the title of one copy of the message being drawn: its
// head, then what happened to it at instant at, then more. plain: no
// part needs escaping.
func (a *arrows) title(plain bool, what string, at sim.Time, more string) {
	s := a.s
	if !plain {
		s.title(string(a.head), what, at.String(), more)
		return
	}
	s.add("<title>")
	s.addBytes(a.head)
	s.add(what)
	s.b = at.AppendText(s.b)
	s.add(more)
	s.add("</title>")
}

// copyOf names one copy of a message: its ID and when it arrived.
type copyOf struct {
	id sim.MsgID
	at sim.Time
}

// finalPath returns the copies of messages that carried the story's value
// to each server for good: the set that started it, and each message of a
// chain, as the copy that arrived when its receiver took the value.
func finalPath(st model.Story) map[copyOf]bool {
	path := map[copyOf]bool{}
	for _, ss := range st.Servers {
		for _, l := range ss.Chain {
			if c := l.Change.Cause; c.Kind == sim.Deliver {
				path[copyOf{c.ID, l.Change.At}] = true
			}
		}
	}
	return path
}

// box is the room a label takes.
type box struct{ x1, y1, x2, y2 float64 }

func (b box) overlaps(c box) bool {
	return b.x1 < c.x2 && c.x1 < b.x2 && b.y1 < c.y2 && c.y1 < b.y2
}

// textBox estimates the box of a text of font size 10 or 11 whose baseline
// starts at (x, y) (anchor start) or is centred on x (anchor middle).
func textBox(x, y float64, text string, middle bool) box {
	return widthBox(x, y, labelWidth(text), middle)
}

// labelWidth estimates the width of a label of font size 10 or 11.
func labelWidth(text string) float64 { return 6.2 * float64(utf8.RuneCountInString(text)) }

// widthBox is textBox for a text w wide.
func widthBox(x, y, w float64, middle bool) box {
	if middle {
		x -= w / 2
	}
	return box{x, y - 9, x + w, y + 2}
}

// labeller places labels where they overprint no label placed before. It
// writes them to a buffer of its own, drawn after every arrow, so that no
// arrow strikes a label through.
//
// It files every box placed in the horizontal bands, bandHeight high, that
// the box reaches into, so that free looks only at the boxes of the bands
// a label crosses: looking at every box placed took most of Diagram's time
// on a run of a thousand messages. Two boxes that overlap share a point,
// and so a band, so the answer is the same as a look at every box. A band
// is a list linked through one slice, the newest box first (a label's
// likeliest neighbour), rather than a slice of its own to grow.
type labeller struct {
	placed []box
	first  []int32 // per band, its newest entry in filed, -1 if none
	filed  []filed
	extra  map[string]string // a label's attributes, per colour
	out    svg
}

// filed is a box in a band's list: its index in placed, and the entry
// filed before it in the same band (-1 for none).
type filed struct{ box, next int32 }

const (
	bandHeight = 16
	maxBands   = 1 << 16 // a box further down is filed in the last band
)

// bandsOf returns the first and the last band that b reaches into.
func bandsOf(b box) (int, int) {
	band := func(y float64) int {
		f := math.Floor(y / bandHeight)
		switch {
		case !(f >= 0): // above the top, or NaN
			return 0
		case f >= maxBands-1:
			return maxBands - 1
		}
		return int(f)
	}
	// min and max: an upside-down box overlaps a box that spans it.
	return band(min(b.y1, b.y2)), band(max(b.y1, b.y2))
}

// place keeps b as taken.
func (l *labeller) place(b box) {
	l.placed = append(l.placed, b)
	lo, hi := bandsOf(b)
	for len(l.first) <= hi {
		l.first = append(l.first, -1)
	}
	for i := lo; i <= hi; i++ {
		l.filed = append(l.filed, filed{int32(len(l.placed) - 1), l.first[i]})
		l.first[i] = int32(len(l.filed) - 1)
	}
}

// free reports whether b overlaps no box placed.
func (l *labeller) free(b box) bool {
	lo, hi := bandsOf(b)
	for i := lo; i <= hi && i < len(l.first); i++ {
		for j := l.first[i]; j >= 0; j = l.filed[j].next {
			if l.placed[l.filed[j].box].overlaps(b) {
				return false
			}
		}
	}
	return true
}

// labelAlong writes a message's label on its arrow, in a gap between two
// lanes, never on a lane in between. A request or a reply is labelled in
// the gap next to its sender, so that a request and the reply that answers
// it at once keep their labels apart; a sync in the gap at the middle of
// its arrow (or the one before, when the middle falls on a lane), so that
// the syncs a server broadcasts to several peers keep theirs apart. Within
// the gap the label goes to the middle, above an arrow that points right
// and below one that points left; if that overprints a label already
// placed, it tries the other side, then further along the gap, and keeps
// the first place that is free (or the middle, if none is).
func (l *labeller) labelAlong(x1, y1, x2, y2 float64, colour, text string, middle bool) {
	span := abs(x2-x1) / laneWidth
	if span < 0.5 {
		return // to itself: no room
	}
	gap := 0.0
	if middle {
		gap = float64(int((span - 1) / 2))
	}
	above, below := -4.0, 11.0
	if x2 < x1 {
		above, below = below, above
	}
	var x, y float64
	found := false
	w := labelWidth(text) // once: a label tries up to ten places
	for _, at := range [...]float64{0.5, 0.3, 0.7, 0.15, 0.85} {
		f := (gap + at) / span
		for _, dy := range [...]float64{above, below} {
			x, y = x1+f*(x2-x1), y1+f*(y2-y1)+dy
			if l.free(widthBox(x, y, w, true)) {
				found = true
				break
			}
		}
		if found {
			break
		}
	}
	if !found {
		f := (gap + 0.5) / span
		x, y = x1+f*(x2-x1), y1+f*(y2-y1)+above
	}
	l.place(widthBox(x, y, w, true))
	extra, ok := l.extra[colour]
	if !ok { // a handful of colours, thousands of labels
		if l.extra == nil {
			l.extra = map[string]string{}
		}
		extra = `text-anchor="middle" font-size="10" fill="` + colour + `" class="halo"`
		l.extra[colour] = extra
	}
	l.out.label(x, y, extra, text)
}

// msgLabel names a message as the schedule does: "set 925", "get",
// "set_reply ✓" (accepted) or "set_reply ✗".
func msgLabel(m model.Msg) string {
	switch m.Type {
	case model.Get, model.Pull:
		return m.Kind()
	case model.SetReply, model.RumorAck:
		// Accepted: the set was taken; the rumor was news.
		if m.Accepted {
			return m.Kind() + " ✓"
		}
		return m.Kind() + " ✗"
	}
	return m.Kind() + " " + strconv.FormatInt(m.Value, 10)
}

func kindColour(t model.MsgType) string {
	switch t {
	case model.Set, model.SetReply:
		return "#1d4e89"
	case model.Get, model.GetReply:
		return "#555555"
	case model.Sync, model.Pull, model.PushPull, model.PullReply:
		return "#7b3294"
	case model.RumorPush, model.RumorReply, model.Mail:
		return "#c2410c" // a rumor or a mail: what spreads the news
	case model.RumorAck, model.RumorPull:
		return "#d9a066"
	}
	return "#000000"
}

func dropWhy(reason string) string {
	switch reason {
	case sim.DropLoss:
		return "lost by the network"
	case sim.DropPartition:
		return "a partition separates sender and receiver"
	case sim.DropDown:
		return "the receiver is down"
	}
	return reason
}

// describe names a partition and its groups.
func (c *Cut) describe(names []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "partition %d:", c.Index+1)
	for _, g := range c.Groups {
		b.WriteString(" {")
		for i, id := range g {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(names[id])
		}
		b.WriteString("} |")
	}
	b.WriteString(" {everyone else}")
	return b.String()
}

// last is the last instant of a message: its last arrival, or when it was
// due if none came.
func (m *Message) last() sim.Time {
	if len(m.Arrivals) == 0 {
		return m.Arrive
	}
	return m.Arrivals[len(m.Arrivals)-1].At
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

func maxTime(t sim.Time, more ...sim.Time) sim.Time {
	for _, u := range more {
		t = max(t, u)
	}
	return t
}

func clamp(t, lo, hi sim.Time) sim.Time { return min(max(t, lo), hi) }

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

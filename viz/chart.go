package viz

import (
	"cmp"
	"io"
	"math"
	"slices"
	"strconv"

	"eccounter/model"
	"eccounter/sim"
)

// Layout of the chart, in pixels.
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

// Chart writes the value chart of the run as SVG: each server's counter
// over virtual time as a step line, one colour per server (the colours of
// the diagram's lanes), with the last accepted set and the moment of
// convergence marked by labelled vertical lines, and the end of the
// faults if they ended.
//
// Servers that hold the same value would draw one line over another, so
// with up to ten servers each line is shifted up or down by a pixel or
// two: a bundle of lines means agreement. The root element's data-t0,
// data-t1 (virtual nanoseconds) and data-p0, data-p1 (pixels) let a page
// that embeds the chart, such as package report's, mark an instant on it:
// x = p0 + (t-t0)*(p1-p0)/(t1-t0).
func Chart(w io.Writer, rec *Recorder, report model.Report) error {
	end := report.Now
	var top int64
	for _, c := range rec.Changes {
		end = max(end, c.At)
		top = max(top, c.Value, c.Prev)
	}
	if end <= 0 {
		end = sim.Time(1_000_000)
	}
	// A little room after the last change, ending on a tick, so that the
	// final values show as lines rather than at the frame.
	// In int64 with no overflow, whatever the times and values: a value
	// may be as large as max_value allows.
	padded := int64(end) + min(int64(end)/20, math.MaxInt64-int64(end))
	tStep := niceStep(padded, 8)
	end = sim.Time(roundUp(padded+min(1, math.MaxInt64-padded), tStep))
	vStep := niceStep(top, 5)
	vMax := roundUp(top, vStep)
	if vMax == 0 {
		vMax = vStep
	}
	x := func(t sim.Time) float64 { return plotLeft + float64(t)/float64(end)*(plotRight-plotLeft) }
	y := func(v int64) float64 { return plotBottom - float64(v)/float64(vMax)*(plotBottom-plotTop) }

	var s svg
	s.open(chartW, chartH, ` data-t0="0" data-t1="`+strconv.FormatInt(int64(end), 10)+`" data-p0="`+num(plotLeft)+`" data-p1="`+num(plotRight)+`"`)
	s.label(plotLeft, 20, `font-size="13" font-weight="bold"`, "server values over virtual time")
	s.WriteString(`<g id="plot">` + "\n")
	s.WriteString(`<rect x="` + num(plotLeft) + `" y="` + num(plotTop) + `" width="` + num(plotRight-plotLeft) + `" height="` + num(plotBottom-plotTop) + `" fill="none" stroke="#999"/>` + "\n")

	// Axes and ticks.
	for _, t := range ticks(0, int64(end), tStep, maxTicks) {
		xt := x(sim.Time(t))
		s.line(xt, plotTop, xt, plotBottom, `stroke="#eee"`)
		s.line(xt, plotBottom, xt, plotBottom+5, `stroke="#999"`)
		s.label(xt, plotBottom+18, `text-anchor="middle" fill="#555"`, msLabel(t, tStep))
	}
	for _, v := range ticks(0, vMax, vStep, maxTicks) {
		yv := y(v)
		s.line(plotLeft, yv, plotRight, yv, `stroke="#eee"`)
		s.line(plotLeft-5, yv, plotLeft, yv, `stroke="#999"`)
		s.label(plotLeft-8, yv+4, `text-anchor="end" fill="#555"`, strconv.FormatInt(v, 10))
	}
	s.label((plotLeft+plotRight)/2, plotBottom+36, `text-anchor="middle" fill="#333"`, "virtual time")
	s.label(16, (plotTop+plotBottom)/2, `text-anchor="middle" fill="#333" transform="rotate(-90 16 `+num((plotTop+plotBottom)/2)+`)"`, "value")

	// One step line per server.
	n := rec.servers
	for id := range n {
		off := 0.0
		if n <= offsetLimit {
			off = (float64(id) - float64(n-1)/2) * 1.5
		}
		var pts []byte
		point := func(t sim.Time, v int64) {
			pts = append(pts, num(x(t))...)
			pts = append(pts, ',')
			pts = append(pts, num(y(v)-off)...)
			pts = append(pts, ' ')
		}
		var v int64
		point(0, 0)
		for _, c := range rec.Changes {
			if int(c.Node) == id {
				point(c.At, v)
				point(c.At, c.Value)
				v = c.Value
			}
		}
		point(end, v)
		s.WriteString(`<polyline class="server" fill="none" stroke="` + serverColour(id) + `" stroke-width="2" points="` + string(pts[:len(pts)-1]) + `">`)
		s.title(rec.names[id] + ": " + strconv.FormatInt(v, 10) + " at the end")
		s.WriteString("</polyline>\n")
	}

	// Vertical markers, their labels stacked above the plot so that two
	// close instants do not overprint each other: a label reads away from
	// its line (rightward in the left half, leftward in the right half),
	// and the line nearest the way it reads gets the lowest row, so that
	// no leader line crosses another's label.
	type marker struct {
		t            sim.Time
		colour, dash string
		text         string
	}
	var marks []marker
	if rec.FaultsEnded {
		marks = append(marks, marker{rec.FaultsEnd, "#2a2", ` stroke-dasharray="2,3"`, "faults end " + rec.FaultsEnd.String()})
	}
	if report.AcceptedSets > 0 {
		marks = append(marks, marker{report.LastAcceptedSet, "#1d4e89", ` stroke-dasharray="6,3"`, "last accepted set " + report.LastAcceptedSet.String()})
	}
	if report.Converged {
		marks = append(marks, marker{report.ConvergedAt, "#000", "", "converged on " + strconv.FormatInt(report.Value, 10) + " at " + report.ConvergedAt.String()})
	} else {
		s.label(plotRight-4, plotBottom-8, `text-anchor="end" font-weight="bold" fill="#d00"`, "not converged")
	}
	mid := (plotLeft + plotRight) / 2
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
		s.line(xt, plotTop, xt, plotBottom, `stroke="`+m.colour+`" stroke-width="1.5"`+m.dash)
		ly := plotTop - 8 - float64(row)*14
		anchor, lx := `text-anchor="start"`, xt+3
		if xt > mid {
			anchor, lx = `text-anchor="end"`, xt-3
		}
		s.line(xt, ly+2, xt, plotTop, `stroke="`+m.colour+`" stroke-width="1" stroke-dasharray="1,2"`)
		s.label(lx, ly, anchor+` font-weight="bold" fill="`+m.colour+`" class="halo"`, m.text)
	}
	s.WriteString("</g>\n")

	// Legend.
	ly := plotTop + 6
	for id := range min(n, legendRows) {
		s.line(plotRight+20, ly, plotRight+44, ly, `stroke="`+serverColour(id)+`" stroke-width="3"`)
		s.label(plotRight+50, ly+4, "", rec.names[id])
		ly += 18
	}
	if n > legendRows {
		s.label(plotRight+20, ly+4, `fill="#555"`, "and "+thousands(n-legendRows)+" more servers")
	}
	s.WriteString(`<style>.halo{paint-order:stroke;stroke:white;stroke-width:4px;stroke-linejoin:round}</style>` + "\n")
	s.close()
	_, err := w.Write(s.Bytes())
	return err
}

package viz

import (
	"errors"
	"io"
	"math"
	"strconv"
)

// Bin is one bar of a histogram: Count values in [From, To), in virtual
// nanoseconds.
type Bin struct {
	From, To int64
	Count    uint64
}

// Marker is a labelled vertical line on a histogram, such as a percentile.
type Marker struct {
	At    int64
	Label string
}

// maxTicks bounds the ticks of an axis; niceStep gives at most ten.
const maxTicks = 20

// Histogram writes a histogram of times as SVG, such as the convergence
// times of a sweep's seeds: one bar per bin, the count on the y axis, the
// time on the x axis in ms, and the markers as labelled vertical lines.
// Bins should be in order and of equal width; whatever they are, it draws
// a picture of bounded size (the x axis spans the smallest to the largest
// bound, markers outside it are drawn at its ends), and errs only if there
// are no bins.
func Histogram(w io.Writer, title string, bins []Bin, markers []Marker) error {
	if len(bins) == 0 {
		return errors.New("viz: a histogram needs at least one bin")
	}
	var top uint64
	lo, hi := bins[0].From, bins[0].To
	for _, b := range bins {
		top = max(top, b.Count)
		lo, hi = min(lo, b.From, b.To), max(hi, b.From, b.To)
	}
	// hi-lo may not fit in an int64: the step takes the largest that
	// does, and positions are computed in float64.
	span := hi - lo
	if span < 0 {
		span = math.MaxInt64
	}
	tStep := niceStep(span, 8)
	// No count comes near 2^62; capping it keeps cMax in an int64.
	cTop := int64(min(top, 1<<62))
	cStep := niceStep(cTop, 5)
	cMax := (cTop + cStep - 1) / cStep * cStep
	if cMax == 0 {
		cMax = cStep
	}
	x := func(t int64) float64 {
		f := (float64(t) - float64(lo)) / max(float64(hi)-float64(lo), 1)
		return plotLeft + min(max(f, 0), 1)*(plotRight-plotLeft)
	}
	y := func(c int64) float64 { return plotBottom - float64(min(c, cMax))/float64(cMax)*(plotBottom-plotTop) }

	var s svg
	s.open(chartW, chartH, "")
	s.label(plotLeft, 20, `font-size="13" font-weight="bold"`, title)
	s.add(`<rect x="` + num(plotLeft) + `" y="` + num(plotTop) + `" width="` + num(plotRight-plotLeft) + `" height="` + num(plotBottom-plotTop) + `" fill="none" stroke="#999"/>` + "\n")
	for _, t := range ticks(lo, hi, tStep, maxTicks) {
		xt := x(t)
		s.line(xt, plotBottom, xt, plotBottom+5, `stroke="#999"`)
		s.label(xt, plotBottom+18, `text-anchor="middle" fill="#555"`, msLabel(t, tStep))
	}
	for _, c := range ticks(0, cMax, cStep, maxTicks) {
		yc := y(c)
		s.line(plotLeft, yc, plotRight, yc, `stroke="#eee"`)
		s.label(plotLeft-8, yc+4, `text-anchor="end" fill="#555"`, strconv.FormatInt(c, 10))
	}
	for _, b := range bins {
		if b.Count == 0 {
			continue
		}
		x0, x1, yb := x(b.From), x(b.To), y(int64(min(b.Count, 1<<62)))
		s.add(`<rect x="` + num(x0) + `" y="` + num(yb) + `" width="` + num(max(x1-x0-1, 1)) + `" height="` + num(plotBottom-yb) + `" fill="#4a78b5">`)
		s.add("<title>")
		s.text(strconv.FormatUint(b.Count, 10) + " seeds from " + msLabel(b.From, 1000) + " to " + msLabel(b.To, 1000))
		s.add("</title></rect>\n")
	}
	for i, m := range markers {
		xm := x(m.At)
		s.line(xm, plotTop-4, xm, plotBottom, `stroke="#b00020" stroke-dasharray="4 3"`)
		s.label(xm+3, plotTop-8-float64(i%3)*13, `fill="#b00020"`, m.Label)
	}
	s.label((plotLeft+plotRight)/2, plotBottom+36, `text-anchor="middle" fill="#333"`, "virtual time")
	s.label(16, (plotTop+plotBottom)/2, `text-anchor="middle" fill="#333" transform="rotate(-90 16 `+num((plotTop+plotBottom)/2)+`)"`, "seeds")
	s.close()
	_, err := w.Write(s.Bytes())
	return err
}

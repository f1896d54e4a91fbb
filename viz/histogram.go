package viz

import (
	"io"
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

// Histogram writes a histogram of times as SVG, such as the convergence
// times of a sweep's seeds: one bar per bin, the count on the y axis, the
// time on the x axis in ms, and the markers as labelled vertical lines.
// Bins must be in order, of equal width, and not empty as a list.
func Histogram(w io.Writer, title string, bins []Bin, markers []Marker) error {
	var top uint64
	for _, b := range bins {
		top = max(top, b.Count)
	}
	lo, hi := bins[0].From, bins[len(bins)-1].To
	tStep := niceStep(hi-lo, 8)
	cStep := niceStep(int64(top), 5)
	cMax := (int64(top) + cStep - 1) / cStep * cStep
	if cMax == 0 {
		cMax = cStep
	}
	x := func(t int64) float64 { return plotLeft + float64(t-lo)/float64(max(hi-lo, 1))*(plotRight-plotLeft) }
	y := func(c int64) float64 { return plotBottom - float64(c)/float64(cMax)*(plotBottom-plotTop) }

	var s svg
	s.open(chartW, chartH, "")
	s.label(plotLeft, 20, `font-size="13" font-weight="bold"`, title)
	s.WriteString(`<rect x="` + num(plotLeft) + `" y="` + num(plotTop) + `" width="` + num(plotRight-plotLeft) + `" height="` + num(plotBottom-plotTop) + `" fill="none" stroke="#999"/>` + "\n")
	for t := (lo + tStep - 1) / tStep * tStep; t <= hi; t += tStep {
		xt := x(t)
		s.line(xt, plotBottom, xt, plotBottom+5, `stroke="#999"`)
		s.label(xt, plotBottom+18, `text-anchor="middle" fill="#555"`, msLabel(t, tStep))
	}
	for c := int64(0); c <= cMax; c += cStep {
		yc := y(c)
		s.line(plotLeft, yc, plotRight, yc, `stroke="#eee"`)
		s.label(plotLeft-8, yc+4, `text-anchor="end" fill="#555"`, strconv.FormatInt(c, 10))
	}
	for _, b := range bins {
		if b.Count == 0 {
			continue
		}
		x0, x1, yb := x(b.From), x(b.To), y(int64(b.Count))
		s.WriteString(`<rect x="` + num(x0) + `" y="` + num(yb) + `" width="` + num(max(x1-x0-1, 1)) + `" height="` + num(plotBottom-yb) + `" fill="#4a78b5">`)
		s.WriteString("<title>")
		s.text(strconv.FormatUint(b.Count, 10) + " seeds from " + msLabel(b.From, 1000) + " to " + msLabel(b.To, 1000))
		s.WriteString("</title></rect>\n")
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

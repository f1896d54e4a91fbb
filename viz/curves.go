package viz

import (
	"io"
	"strconv"
)

// Curve is one line of an epidemic chart: the mean fraction of servers
// holding the update at the end of each round, Fraction[0] being round 0
// (only the origin).
type Curve struct {
	Label    string
	Fraction []float64
}

// curvesW leaves the legend room for a strategy's parameters.
const curvesW = chartW + 160

// Curves writes, as SVG, how an update spread round by round under one or
// more strategies: one line per curve, the fraction of servers that hold
// the update on the y axis (0 to 1), rounds on the x axis. A rumor that
// died out levels off below 1, at 1 minus its residue, which the legend
// gives. Curves must not be empty, nor any curve's Fraction.
func Curves(w io.Writer, title string, curves []Curve) error {
	rounds := 1
	for _, c := range curves {
		rounds = max(rounds, len(c.Fraction)-1)
	}
	step := niceStep(int64(rounds), 10)
	x := func(r float64) float64 { return plotLeft + r/float64(rounds)*(plotRight-plotLeft) }
	y := func(f float64) float64 { return plotBottom - f*(plotBottom-plotTop) }

	var s svg
	s.open(curvesW, chartH, "")
	s.label(plotLeft, 20, `font-size="13" font-weight="bold"`, title)
	s.add(`<rect x="` + num(plotLeft) + `" y="` + num(plotTop) + `" width="` + num(plotRight-plotLeft) + `" height="` + num(plotBottom-plotTop) + `" fill="none" stroke="#999"/>` + "\n")
	for _, r := range ticks(0, int64(rounds), step, maxTicks) {
		xr := x(float64(r))
		s.line(xr, plotBottom, xr, plotBottom+5, `stroke="#999"`)
		s.label(xr, plotBottom+18, `text-anchor="middle" fill="#555"`, strconv.FormatInt(r, 10))
	}
	for i := 0; i <= 10; i += 2 {
		f := float64(i) / 10
		s.line(plotLeft, y(f), plotRight, y(f), `stroke="#eee"`)
		s.label(plotLeft-8, y(f)+4, `text-anchor="end" fill="#555"`, strconv.FormatFloat(f, 'f', 1, 64))
	}
	for i, c := range curves {
		colour := serverColour(i)
		s.add(`<polyline fill="none" stroke-width="2" stroke="` + colour + `" points="`)
		for r, f := range c.Fraction {
			if r > 0 {
				s.add(" ")
			}
			s.add(num(x(float64(r))) + "," + num(y(f)))
		}
		s.add(`">`)
		s.title(c.Label)
		s.add("</polyline>\n")
		// The legend, right of the plot: the label and where the curve
		// ends, 1 minus the residue.
		ly := plotTop + 8 + float64(i)*30
		s.line(plotRight+12, ly, plotRight+30, ly, `stroke-width="2" stroke="`+colour+`"`)
		s.label(plotRight+36, ly+4, `fill="#333"`, c.Label)
		last := c.Fraction[len(c.Fraction)-1]
		s.label(plotRight+36, ly+17, `fill="#777"`, "ends at "+strconv.FormatFloat(last, 'f', 4, 64))
	}
	s.label((plotLeft+plotRight)/2, plotBottom+36, `text-anchor="middle" fill="#333"`, "round")
	s.label(16, (plotTop+plotBottom)/2, `text-anchor="middle" fill="#333" transform="rotate(-90 16 `+num((plotTop+plotBottom)/2)+`)"`, "servers holding the update (mean over seeds)")
	s.close()
	_, err := w.Write(s.Bytes())
	return err
}

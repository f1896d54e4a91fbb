package viz

import (
	"bytes"
	"encoding/xml"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"eccounter/sim"
)

// svg builds an SVG document. Numbers are written with strconv at a fixed
// precision, so that the same picture gives the same bytes on every
// machine.
//
// It is a plain slice, not a bytes.Buffer: a diagram is tens of thousands
// of small writes, and add, unlike Buffer.WriteString, is inlined into
// each of them (a tenth of Diagram's time went to the calls).
type svg struct{ b []byte }

// add appends str.
func (s *svg) add(str string) { s.b = append(s.b, str...) }

// addBytes appends p.
func (s *svg) addBytes(p []byte) { s.b = append(s.b, p...) }

// Bytes returns the document so far; it is valid until the next write.
func (s *svg) Bytes() []byte { return s.b }

// Reset empties the document, keeping its room.
func (s *svg) Reset() { s.b = s.b[:0] }

// Grow makes room for n more bytes.
func (s *svg) Grow(n int) { s.b = slices.Grow(s.b, n) }

// spare keeps the buffer of the last document written, for the next: a
// diagram's is most of a megabyte, and allocating and clearing one afresh
// for every diagram took a quarter of Diagram's time (the playground draws
// one per run). It is kept whole, not in a sync.Pool, which a collection
// empties.
var spare atomic.Pointer[svg]

// maxSpare is the most that spare keeps.
const maxSpare = 8 << 20

// newSVG returns an empty document with room for size bytes. Give it back
// with free once its bytes are written out.
func newSVG(size int) *svg {
	s := spare.Swap(nil) // nil if another picture has it, or at the first
	if s == nil {
		s = new(svg)
	}
	s.Reset()
	s.Grow(size)
	return s
}

func (s *svg) free() {
	if cap(s.b) <= maxSpare {
		spare.Store(s)
	}
}

// num formats a coordinate with one decimal.
func num(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// The methods below write a diagram's thousands of elements piece by
// piece, numbers appended in place, rather than concatenate each
// element's string first: the allocations that saves were most of
// Diagram's time (BenchmarkDiagram in package report).

// num writes x as the function num formats it.
func (s *svg) num(x float64) { s.b = appendNum(s.b, x) }

// appendNum appends x as strconv.AppendFloat(b, x, 'f', 1, 64) does
// (TestAppendNum), the exact value rounded to one decimal, a tie to even,
// but in integer arithmetic for the coordinates of a picture: strconv's
// general conversion was a fifth of Diagram's time. x is m/2^k, so 10x
// rounds to (10m)>>k, up if the bits shifted out are more than half, or
// half and the result odd.
func appendNum(b []byte, x float64) []byte {
	// |x| = m / 2^k, from its bits: the 52 stored bits of the mantissa
	// and the implicit one, and the biased exponent e, as |x| = m * 2^(e-1075).
	bits := math.Float64bits(x)
	e := int(bits >> 52 & 0x7ff)
	k := 1075 - e
	if e == 0 || e == 0x7ff || k < 1 || k > 60 {
		return strconv.AppendFloat(b, x, 'f', 1, 64) // zero, tiny, huge, infinite or not a number
	}
	m := bits&(1<<52-1) | 1<<52
	t := 10 * m // < 2^57
	q, r, half := t>>k, t&(1<<k-1), uint64(1)<<(k-1)
	if r > half || r == half && q&1 == 1 {
		q++
	}
	if bits>>63 != 0 {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, q/10, 10)
	return append(b, '.', byte('0'+q%10))
}

// open starts the document; extra holds more attributes of the root
// element, written as they are.
func (s *svg) open(width, height float64, extra string) {
	s.add(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	s.add(`<svg xmlns="http://www.w3.org/2000/svg" width="` + num(width) + `" height="` + num(height) +
		`" viewBox="0 0 ` + num(width) + " " + num(height) + `" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11"`)
	s.add(extra) // the diagram's scale, thousands of numbers: not joined first
	s.add(">\n")
	s.add(`<rect x="0" y="0" width="` + num(width) + `" height="` + num(height) + `" fill="white"/>` + "\n")
}

func (s *svg) close() { s.add("</svg>\n") }

// text writes an escaped string, as xml.EscapeText escapes it.
func (s *svg) text(str string) {
	if plainXML(str) {
		s.add(str) // most labels: nothing to escape, nothing to copy
		return
	}
	var esc bytes.Buffer
	xml.EscapeText(&esc, []byte(str))
	s.addBytes(esc.Bytes())
}

// plainXML reports whether xml.EscapeText would write str as it is: no
// character it escapes (" ' & < >, tab, newline, carriage return), none
// outside XML's character range, no invalid UTF-8.
func plainXML(str string) bool {
	for _, r := range str {
		switch {
		case r == '"' || r == '\'' || r == '&' || r == '<' || r == '>':
			return false
		case r >= 0x20 && r < 0x7f:
		case r == utf8.RuneError: // invalid UTF-8, or a U+FFFD: let xml tell
			return false
		case r >= 0x80 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000:
		default:
			return false
		}
	}
	return true
}

// label writes a <text> element; extra holds more attributes, written as
// they are.
func (s *svg) label(x, y float64, extra, str string) {
	s.add(`<text x="`)
	s.num(x)
	s.add(`" y="`)
	s.num(y)
	s.add(`"`)
	if extra != "" {
		s.add(" ")
		s.add(extra)
	}
	s.add(">")
	s.text(str)
	s.add("</text>\n")
}

// line writes a <line> element with the given further attributes, extra
// joined.
func (s *svg) line(x1, y1, x2, y2 float64, extra ...string) {
	s.add(`<line x1="`)
	s.num(x1)
	s.add(`" y1="`)
	s.num(y1)
	s.add(`" x2="`)
	s.num(x2)
	s.add(`" y2="`)
	s.num(y2)
	s.add(`" `)
	for _, e := range extra {
		s.add(e)
	}
	s.add("/>\n")
}

// title writes a <title> element, the tooltip of its parent.
// Given parts, it writes them joined, without joining them unless one
// needs escaping (a diagram has a title per arrow).
func (s *svg) title(parts ...string) {
	s.add("<title>")
	plain := true
	for _, p := range parts {
		plain = plain && plainXML(p)
	}
	if plain { // then so is their join: write them as they are
		for _, p := range parts {
			s.add(p)
		}
	} else {
		s.text(strings.Join(parts, ""))
	}
	s.add("</title>")
}

// cross writes an X of half-size r centred on (x, y).
func (s *svg) cross(x, y, r float64, extra string) {
	s.line(x-r, y-r, x+r, y+r, extra)
	s.line(x-r, y+r, x+r, y-r, extra)
}

// palette colours the servers, in both pictures alike.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"}

func serverColour(i int) string { return palette[i%len(palette)] }

// thousands formats n with commas: 1,066.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b []byte
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	return string(b)
}

// short renders an instant as Go renders a duration, "100ms" or
// "1.5s", for captions and window bounds.
func short(t sim.Time) string { return time.Duration(t).String() }

// niceStep returns a step of the form 1, 2 or 5 times a power of ten such
// that span/step is at most n, or the largest such step that fits in an
// int64 (5e18) if none does. Its loop is bounded by the powers of ten an
// int64 holds, so that no span, however large or negative, can make it
// overflow or run on.
func niceStep(span int64, n int64) int64 {
	if span <= 0 {
		return 1
	}
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if span/(m*p) <= n {
				return m * p
			}
		}
		if p == 1e18 { // the largest power of ten in an int64
			return 5e18
		}
	}
}

// roundUp returns the smallest multiple of step at or above v (v >= 0,
// step > 0), or the largest int64 if that multiple does not fit in one.
func roundUp(v, step int64) int64 {
	q := v / step
	if q*step < v {
		q++
	}
	if q > math.MaxInt64/step {
		return math.MaxInt64
	}
	return q * step
}

// ticks returns the multiples of step in [lo, hi], at most limit of them
// (the first ones), for an axis. It counts multiples rather than adding
// step to a tick, which would overflow near the ends of int64 and then
// never pass hi.
func ticks(lo, hi, step int64, limit int) []int64 {
	if step <= 0 || lo > hi {
		return nil
	}
	// The first multiple at or above lo and the last at or below hi:
	// ceiling and floor division, exact for negative bounds too.
	first, last := lo/step, hi/step
	if first*step < lo {
		first++
	}
	if last*step > hi {
		last--
	}
	var out []int64
	for k := first; k <= last && len(out) < limit; k++ {
		out = append(out, k*step)
		if k == last {
			break // k++ would overflow if last is the largest int64
		}
	}
	return out
}

// msLabel renders t, a multiple of step nanoseconds, in milliseconds with
// as many decimals as the step needs.
func msLabel(t, step int64) string {
	dec := 0
	for s := int64(1_000_000); s > step && dec < 6; s /= 10 {
		dec++
	}
	return strconv.FormatFloat(float64(t)/1e6, 'f', dec, 64) + "ms"
}

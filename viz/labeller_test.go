package viz

import (
	"bytes"
	"encoding/xml"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestLabellerBands: free, which looks only at the bands a box crosses,
// answers as a look at every box placed does, for boxes of every size,
// upside down, far down, above the top and NaN.
func TestLabellerBands(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	coord := func() float64 {
		switch rng.IntN(20) {
		case 0:
			return math.NaN()
		case 1:
			return -rng.Float64() * 100
		case 2:
			return 1e12 * rng.Float64() // past the last band
		case 3:
			return bandHeight * float64(rng.IntN(50)) // on a band's edge
		}
		return rng.Float64() * 800
	}
	random := func() box {
		x, y := rng.Float64()*600, coord()
		switch rng.IntN(10) {
		case 0: // upside down
			return box{x, y, x + 40, y - rng.Float64()*60}
		case 1: // free-standing ends
			return box{x, y, x + 40, coord()}
		}
		return box{x, y, x + rng.Float64()*80, y + rng.Float64()*40}
	}
	var l labeller
	for range 2000 {
		b := random()
		all := true
		for _, c := range l.placed {
			if c.overlaps(b) {
				all = false
				break
			}
		}
		if got := l.free(b); got != all {
			t.Fatalf("free(%v) = %v with %d boxes placed, a look at every box says %v", b, got, len(l.placed), all)
		}
		if rng.IntN(3) > 0 {
			l.place(b)
		}
	}
}

// TestTextAsXML: svg.text writes what xml.EscapeText writes, for strings
// its shortcut takes and those it leaves to xml.
func TestTextAsXML(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	strs := []string{
		"", "set 925", "server-1 → server-2: set_reply ✓ (message 12), sent 1.5ms", string(all),
		`a"b'c&d<e>f`, "tab\there", "line\nbreak\r", "bad \xff utf-8 \xe2\x82", "\ufffd valid", "\ufffe \uffff \ud7ff \ue000",
		"\U0001F600 \U0010FFFF", "\x00 \x1f \x7f", "</text><script>",
	}
	for c := range 128 { // each ASCII character alone, in a line
		strs = append(strs, "it"+string(rune(c))+"s")
	}
	for _, str := range strs {
		var s svg
		s.text(str)
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(str)); err != nil {
			t.Fatal(err)
		}
		if string(s.Bytes()) != want.String() {
			t.Errorf("text(%q) wrote %q, xml.EscapeText %q", str, string(s.Bytes()), want.String())
		}
	}
}

// TestAppendNum: appendNum writes what strconv writes at one decimal, for
// ties (quarters), values just beside them, integers, negatives and every
// range of magnitude.
func TestAppendNum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	xs := []float64{0, math.Copysign(0, -1), 0.05, 0.25, 0.75, 1.25, -0.25, -0.04, 0.95, 9.95, 99.95, 1e15, 1e16, 4.5e15, 1 << 52, 1 << 53,
		1e-5, 1e-300, 5e-324, math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN()}
	for i := range 2000 {
		q := float64(i) / 4
		xs = append(xs, q, -q, math.Nextafter(q, 0), math.Nextafter(q, 1e9), float64(i)/20, float64(i)/10)
	}
	for range 200_000 {
		xs = append(xs, (rng.Float64()-0.3)*math.Pow(10, float64(rng.IntN(40)-20)), float64(rng.IntN(100_000))/8)
	}
	for _, x := range xs {
		if got, want := string(appendNum(nil, x)), strconv.FormatFloat(x, 'f', 1, 64); got != want {
			t.Errorf("appendNum(%v) = %s, strconv writes %s", x, got, want)
		}
	}
}

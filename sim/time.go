package sim

import (
	"strconv"
	"time"
)

// Time is an instant of virtual time: nanoseconds since the simulation
// started. It is an integer so that every machine computes the same schedule;
// floating-point time would let rounding differ between platforms.
type Time int64

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the duration t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// String renders t in milliseconds with microsecond precision, "12.345ms",
// the unit a person reading a schedule of network events thinks in.
func (t Time) String() string {
	var b [24]byte // room for any instant: one allocation, the string's
	return string(t.AppendText(b[:0]))
}

// AppendText appends the String form of t to b.
func (t Time) AppendText(b []byte) []byte {
	if t < 0 {
		b = append(b, '-')
		t = -t
	}
	us := int64(t) / 1000
	b = strconv.AppendInt(b, us/1000, 10)
	b = append(b, '.')
	frac := us % 1000
	if frac < 100 {
		b = append(b, '0')
	}
	if frac < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, frac, 10)
	return append(b, "ms"...)
}

package sim

import "time"

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
	us := uint64(int64(t) / 1000) // toward zero: -999ns is -0.000ms
	if t < 0 {
		b = append(b, '-')
		us = uint64(-(int64(t) / 1000)) // |MinInt64/1000| fits
	}
	// The digits from the last, three decimals first, then at least one
	// more. A digit is divided off in 32 bits while the number fits, as
	// the microseconds of nearly every instant do (71 minutes): in
	// WebAssembly, which has no 64-bit multiply-high, a 64-bit division
	// by ten is a true division, and strconv's two numbers took twice as
	// long. A page has thousands of instants.
	var a [24]byte
	i := len(a)
	for n := 0; n < 4 || us > 0; n++ {
		if n == 3 {
			i--
			a[i] = '.'
		}
		i--
		if us < 1<<32 {
			w := uint32(us)
			q := w / 10
			a[i] = byte('0' + w - q*10)
			us = uint64(q)
		} else {
			q := us / 10
			a[i] = byte('0' + us - q*10)
			us = q
		}
	}
	return append(append(b, a[i:]...), "ms"...)
}

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
	us := int64(t) / 1000 // toward zero: -999ns is -0.000ms
	if t < 0 {
		b = append(b, '-')
		us = -us // |MinInt64/1000| fits
	}
	return append(AppendFixed(b, uint64(us), 3), "ms"...)
}

// AppendFixed appends v / 10^decimals with exactly that many decimals,
// from 1 to 20 (a number outside is taken as the nearest): "12.345" for
// 12345 and 3. Instants are written so, in
// microseconds, and the pictures' coordinates, in tenths of a pixel: a
// page holds tens of thousands of them, and one pass over the digits
// costs half what strconv's two numbers did.
func AppendFixed(b []byte, v uint64, decimals int) []byte {
	var a [48]byte // 20 decimals, a point and 20 digits
	d := min(max(decimals, 1), 20)
	end := len(a) - 1 // room for the point
	i := putDigits(&a, end, v, d+1)
	// The point goes before the last d digits: move them up one.
	for j := end; j > end-d; j-- {
		a[j] = a[j-1]
	}
	a[end-d] = '.'
	return append(b, a[i:]...)
}

// putDigits writes u in decimal, at least n digits, zero-padded, to end
// just before a[i], and returns where they start. Below 2^32 it divides
// in 32 bits, which costs less: most numbers are that small.
func putDigits(a *[48]byte, i int, u uint64, n int) int {
	end := i
	for u >= 1<<32 {
		q := u / 10
		i--
		a[i] = byte('0' + u - q*10)
		u = q
	}
	for w := uint32(u); w > 0 || end-i < n; {
		q := w / 10
		i--
		a[i] = byte('0' + w - q*10)
		w = q
	}
	return i
}

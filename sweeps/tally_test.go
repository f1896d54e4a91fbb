package sweeps

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestSeedSetAgainstMap: the seed set answers as a map of the seeds would,
// for seeds scattered, clustered and dense enough that chunks turn into
// bitmaps, in any order.
func TestSeedSetAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s seedSet
	seen := map[int64]bool{}
	for i := range 200_000 {
		var seed int64
		switch i % 4 {
		case 0:
			seed = int64(r.Uint64()) // anywhere
		case 1:
			seed = r.Int64N(10_000) - 5_000 // a dense block around 0
		case 2:
			seed = 1<<40 + r.Int64N(1<<17) // a sparser one across chunks
		default:
			seed = -1<<63 + r.Int64N(100) // the very end
		}
		if got := s.add(seed); got != !seen[seed] {
			t.Fatalf("add(%d) = %v, but the seed was seen: %v", seed, got, seen[seed])
		}
		seen[seed] = true
	}
	if s.n != uint64(len(seen)) || s.min > -1<<63+100 {
		t.Errorf("n %d, want %d; min %d", s.n, len(seen), s.min)
	}
}

// TestSeedSetSparse: scattered seeds cost bytes each, not a chunk's bitmap
// (8 KiB) each: memory follows the records, not the range they span.
func TestSeedSetSparse(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var s seedSet
	for i := range int64(5000) {
		s.add(i * 1_000_000_007)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(&s)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 2<<20 {
		t.Errorf("5000 scattered seeds take %d bytes", grew)
	}
	if s.bytes > 2<<20 {
		t.Errorf("the set counts %d bytes for 5000 seeds", s.bytes)
	}
}

func TestHistogram(t *testing.T) {
	for _, tt := range []struct{ v, want int64 }{
		{0, 0}, {7, 7}, {9999, 9999}, {12345, 12340}, {72_885_123, 72_880_000}, {-12345, -12340},
		{9223372036854775807, 9223000000000000000},
	} {
		if got := truncDigits(tt.v, 4); got != tt.want {
			t.Errorf("truncDigits(%d, 4) = %d, want %d", tt.v, got, tt.want)
		}
	}
	var h histogram
	for i := int64(100); i >= 1; i-- { // order does not matter
		h.add(i*1000+7, 1000-i)
	}
	for _, tt := range []struct {
		p    uint64
		want int64
	}{{1, 1_007}, {50, 50_000}, {90, 90_000}, {99, 99_000}, {100, 100_000}} {
		if got := h.percentile(tt.p); got != tt.want {
			t.Errorf("p%d = %d, want %d", tt.p, got, tt.want)
		}
	}
	h.add(100_007, 5) // a tie for the maximum, from a smaller seed
	if got := h.describe(); got != "p50 0.051ms, p90 0.091ms, p99 0.1ms, max 0.100ms (seed 5)" {
		t.Errorf("describe() = %q", got)
	}
}

func TestSeedSet(t *testing.T) {
	var s seedSet
	for _, seed := range []int64{-1, 0, 65535, 65536, -65536, -65537, 1 << 62, -1 << 63} {
		if !s.add(seed) {
			t.Errorf("seed %d: seen before", seed)
		}
		if s.add(seed) {
			t.Errorf("seed %d: new the second time", seed)
		}
	}
	if s.n != 8 || s.min != -1<<63 || s.max != 1<<62 {
		t.Errorf("n %d, min %d, max %d", s.n, s.min, s.max)
	}
}

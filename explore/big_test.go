package explore

import (
	"os"
	"testing"
	"time"
)

func TestBigDbg(t *testing.T) {
	if os.Getenv("BIG") == "" {
		t.Skip()
	}
	start := time.Now()
	r, err := Explore(benchConfig(3, 3, 2, 3), Options{SyncOnChange: true, MaxStates: 60_000_000, MaxMemory: 12 << 30})
	t.Log(r.Verdict, r.Why, r.States, r.Transitions, r.Depth, time.Since(start), err)
}

package model

import (
	"slices"
	"strconv"
	"testing"

	"eccounter/sim"
)

// TestContractNames: the names Contract promises are the ones the code
// can write: every message kind, every step and note, every timer, drop
// reason and stop reason, and no others.
func TestContractNames(t *testing.T) {
	var events []string
	for _, r := range Contract {
		events = append(events, r.Event)
	}
	if !slices.Equal(events, Events()) {
		t.Errorf("Contract's events %v, Events() %v", events, Events())
	}
	written := []string{"scenario", "send", "summary"}
	for _, k := range []sim.InputKind{sim.Start, sim.Deliver, sim.Timer, sim.Recover,
		sim.CrashKind, sim.Drop, sim.PartitionStart, sim.PartitionEnd, sim.FaultsEnd} {
		written = append(written, k.String())
	}
	for k := Update; k <= LostInterest; k++ {
		written = append(written, Note{Kind: k}.Event())
	}
	if n := (Note{Kind: LostInterest + 1}).Event(); n != "invalid" {
		t.Errorf("a note kind after LostInterest, %q, is missing here", n)
	}
	slices.Sort(written)
	sorted := slices.Sorted(slices.Values(events))
	if !slices.Equal(sorted, written) {
		t.Errorf("Contract's events %v, the code writes %v", sorted, written)
	}

	values := func(event, key string) []string {
		for _, r := range Contract {
			for _, k := range r.Keys {
				if r.Event == event && k.Name == key {
					return k.Type.Values
				}
			}
		}
		t.Fatalf("no key %s.%s", event, key)
		return nil
	}
	quote := func(names ...string) []string {
		var q []string
		for _, n := range names {
			q = append(q, strconv.Quote(n))
		}
		return q
	}
	var kinds []string
	for m := Get; m <= Mail; m++ {
		kinds = append(kinds, m.String())
	}
	if (MsgType(Mail + 1)).String() != "invalid" {
		t.Errorf("a message kind after Mail is missing here")
	}
	var stops []string
	for r := sim.Done; r <= sim.Aborted; r++ {
		stops = append(stops, r.String())
	}
	for _, tc := range []struct {
		event, key string
		want       []string
	}{
		{"send", "msg", kinds},
		{"recv", "msg", kinds},
		{"drop", "msg", kinds},
		{"drop", "reason", []string{sim.DropLoss, sim.DropPartition, sim.DropDown}},
		{"timer", "timer", []string{SyncTimer, AntiEntropyTimer, TimeoutTimer}},
		{"summary", "stop", stops},
	} {
		if got, want := values(tc.event, tc.key), quote(tc.want...); !slices.Equal(got, want) {
			t.Errorf("%s.%s: Contract has %v, the code writes %v", tc.event, tc.key, got, want)
		}
	}
}

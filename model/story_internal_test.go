package model

import (
	"strings"
	"testing"

	"eccounter/sim"
)

// TestStoryStepAllocates: once its bounded lists are full, recording a
// step allocates nothing, however long the run: a sync that changes a
// value, a set accepted, the sends of a round.
func TestStoryStepAllocates(t *testing.T) {
	r := newStoryRecorder(3, 0)
	var id sim.MsgID
	var now sim.Time
	v := int64(0)
	sends := make([]sim.Sent[Msg], 2)
	step := func() {
		now++
		id += 3
		v++
		sends[0] = sim.Sent[Msg]{ID: id + 1, To: 1, Msg: Msg{Type: Sync, Value: v}}
		sends[1] = sim.Sent[Msg]{ID: id + 2, To: 2, Msg: Msg{Type: Sync, Value: v}}
		s := Step{Time: now, Node: 0, In: sim.Input[Msg]{Kind: sim.Deliver, From: 1, ID: id - 2, Msg: Msg{Type: Sync, Value: v}}, Sends: sends}
		r.step(&s, v-1, v, false)
		s.In = sim.Input[Msg]{Kind: sim.Deliver, From: 3, ID: id, Msg: Msg{Type: Set, Value: v}}
		r.step(&s, v-1, v, true)
	}
	for range storySends {
		step() // fill every list
	}
	if n := testing.AllocsPerRun(1000, step); n != 0 {
		t.Errorf("a step of a long run allocates %v times", n)
	}
	if _, ok := r.sentAt(id - 2); !ok {
		t.Errorf("the last send is forgotten")
	}
	if _, ok := r.sentAt(1); ok {
		t.Errorf("the first send is remembered, past %d", storySends)
	}
}

// TestStoryContractSays: the contract's words on what the story keeps are
// the story's bounds.
func TestStoryContractSays(t *testing.T) {
	var docs []string
	var walk func(keys []Key)
	walk = func(keys []Key) {
		for _, k := range keys {
			docs = append(docs, k.Doc)
			walk(k.Type.Keys)
			if k.Type.Elem != nil {
				walk(k.Type.Elem.Keys)
			}
		}
	}
	walk(storyKeys)
	all := strings.Join(docs, "\n")
	for _, want := range []string{"16,384", "the first 4 and the last 16", "the first 100 servers"} {
		if !strings.Contains(all, want) {
			t.Errorf("the contract does not say %q", want)
		}
	}
	if storySends != 16384 || storyHead != 4 || storyTail != 16 || storyServers != 100 {
		t.Errorf("the bounds are %d, %d, %d, %d: say so in storyKeys", storySends, storyHead, storyTail, storyServers)
	}
}

// TestStoryHoldingSameInstant: a sender that sent v and, later in the same
// instant, took a larger value held v when it sent: the chain goes to the
// change before, not the one at the instant of the send. Before it, a
// change of another value breaks the chain.
func TestStoryHoldingSameInstant(t *testing.T) {
	r := newStoryRecorder(1, 0)
	for _, c := range []Change{{At: 5, Value: 7}, {At: 10, Value: 9}} {
		r.servers[0].add(c)
	}
	changes := [][]Change{r.servers[0].kept}
	if c, found, kept := r.holding(changes, 0, 7, 10); !found || !kept || c.At != 5 {
		t.Errorf("holding 7 at 10: %+v, found %t, kept %t; want the change at 5", c, found, kept)
	}
	if _, found, kept := r.holding(changes, 0, 7, 12); found || kept {
		t.Errorf("holding 7 at 12, after 9 came: found %t, kept %t; want neither", found, kept)
	}
	if c, found, _ := r.holding(changes, 0, 9, -1); !found || c.At != 10 {
		t.Errorf("holding 9 at the end: %+v, found %t", c, found)
	}
}

package sim

// event is one entry of the queue: an input due at a node at a time.
type event[M Message] struct {
	at   Time
	seq  uint64 // order of scheduling; breaks ties between equal times
	node NodeID
	in   Input[M]
	// For timers: the node's epoch when armed (see faultState), and the
	// timer's slot (see queue); -1 for other events.
	epoch uint32
	slot  int32
	// For deliveries: the network lost the message; it is dropped on
	// arrival.
	lost bool
}

func (a *event[M]) before(b *event[M]) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// queue is a binary min-heap of events ordered by (at, seq). It is written
// out rather than built on container/heap so that events stay unboxed
// values: a run pushes and pops millions of them.
//
// Timers can be cancelled, and a client cancels one on every reply: left in
// the heap until due, cancelled timers would pile up by the hundred
// thousand in a large run. So each timer has a slot that tracks its place
// in the heap, and Cancel takes it out at once. A TimerID is the slot and
// the slot's generation, so the ID of a timer that fired or was cancelled
// goes stale rather than naming the slot's next timer.
type queue[M Message] struct {
	items []event[M]
	slots []timerSlot
	free  []int32
}

type timerSlot struct {
	pos int32  // index in items; -1 when the timer is not in the heap
	gen uint32 // incremented each time the slot is released
}

func (q *queue[M]) len() int { return len(q.items) }

// newTimer reserves a slot for a timer about to be pushed.
func (q *queue[M]) newTimer() (int32, TimerID) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot, q.free = q.free[n-1], q.free[:n-1]
	} else {
		slot = int32(len(q.slots))
		q.slots = append(q.slots, timerSlot{pos: -1})
	}
	return slot, TimerID(uint64(q.slots[slot].gen)<<32 | uint64(slot))
}

func (q *queue[M]) release(slot int32) {
	q.slots[slot].pos = -1
	q.slots[slot].gen++
	q.free = append(q.free, slot)
}

// cancel removes the timer id from the heap, if it is still there.
func (q *queue[M]) cancel(id TimerID) {
	slot := int32(uint32(id))
	if slot < 0 || int(slot) >= len(q.slots) {
		return
	}
	s := q.slots[slot]
	if s.gen != uint32(id>>32) || s.pos < 0 {
		return // fired or cancelled already
	}
	q.remove(int(s.pos))
	q.release(slot)
}

// place puts ev at index i, keeping its timer slot up to date.
func (q *queue[M]) place(i int, ev event[M]) {
	q.items[i] = ev
	if ev.slot >= 0 {
		q.slots[ev.slot].pos = int32(i)
	}
}

func (q *queue[M]) push(ev event[M]) {
	q.items = append(q.items, ev)
	q.up(len(q.items) - 1)
}

// peek returns the earliest event; the queue must not be empty.
func (q *queue[M]) peek() *event[M] { return &q.items[0] }

// pop removes and returns the earliest event. A timer's slot is released:
// its ID can no longer cancel anything.
func (q *queue[M]) pop() event[M] {
	top := q.items[0]
	q.remove(0)
	if top.slot >= 0 {
		q.release(top.slot)
	}
	return top
}

// remove takes out the event at index i.
func (q *queue[M]) remove(i int) {
	last := len(q.items) - 1
	if i != last {
		q.place(i, q.items[last])
	}
	q.items[last] = event[M]{} // let the message be collected
	q.items = q.items[:last]
	if i != last {
		q.down(i)
		q.up(i)
	}
}

func (q *queue[M]) up(i int) {
	ev := q.items[i]
	for i > 0 {
		parent := (i - 1) / 2
		if !ev.before(&q.items[parent]) {
			break
		}
		q.place(i, q.items[parent])
		i = parent
	}
	q.place(i, ev)
}

func (q *queue[M]) down(i int) {
	ev := q.items[i]
	n := len(q.items)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		least := l
		if r := l + 1; r < n && q.items[r].before(&q.items[l]) {
			least = r
		}
		if !q.items[least].before(&ev) {
			break
		}
		q.place(i, q.items[least])
		i = least
	}
	q.place(i, ev)
}

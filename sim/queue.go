package sim

// event is one input due at a node at a time.
type event[M Message] struct {
	at   Time
	seq  uint64 // order of scheduling; breaks ties between equal times
	node NodeID
	in   Input[M]
	// For timers: the node's epoch when armed (see faultState).
	epoch uint32
	// For deliveries: the network lost the message; it is dropped on
	// arrival.
	lost bool
}

// entry is an event's place in the heap: its key, and the slot that holds
// the event itself.
type entry struct {
	at   Time
	seq  uint64
	slot int32
}

func (a *entry) before(b *entry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// queue holds the events to come, earliest first by (at, seq).
//
// Events sit in slots of a slab, and a binary min-heap orders small
// entries that point to them: a run pushes and pops millions of events,
// and sifting 24-byte entries instead of whole events (a message and its
// input, five times larger) is what keeps that cheap. It is written out
// rather than built on container/heap so that nothing is boxed.
//
// Timers can be cancelled, and a client cancels one on every reply: left in
// the heap until due, cancelled timers would pile up by the hundred
// thousand in a large run. Each slot knows where its entry is in the heap,
// so Cancel takes a timer out at once. A TimerID is the timer's slot and
// the slot's generation, so the ID of a timer that fired or was cancelled
// goes stale rather than naming the slot's next event.
type queue[M Message] struct {
	heap   []entry
	events []event[M] // by slot
	pos    []int32    // by slot: index of its entry in heap; -1 if none
	gen    []uint32   // by slot: incremented each time it is released
	free   []int32
}

func (q *queue[M]) len() int { return len(q.heap) }

// reserve takes a free slot for an event about to be put.
func (q *queue[M]) reserve() int32 {
	if n := len(q.free); n > 0 {
		slot := q.free[n-1]
		q.free = q.free[:n-1]
		return slot
	}
	q.events = append(q.events, event[M]{})
	q.pos = append(q.pos, -1)
	q.gen = append(q.gen, 0)
	return int32(len(q.events) - 1)
}

func (q *queue[M]) release(slot int32) {
	q.events[slot] = event[M]{} // let the message be collected
	q.pos[slot] = -1
	q.gen[slot]++
	q.free = append(q.free, slot)
}

// newTimer reserves the slot of a timer about to be put, and returns the
// ID that cancels it.
func (q *queue[M]) newTimer() (int32, TimerID) {
	slot := q.reserve()
	return slot, TimerID(uint64(q.gen[slot])<<32 | uint64(slot))
}

// cancel takes the timer id out of the queue, if it is still there.
func (q *queue[M]) cancel(id TimerID) {
	slot := int32(uint32(id))
	if slot < 0 || int(slot) >= len(q.events) || q.gen[slot] != uint32(id>>32) || q.pos[slot] < 0 {
		return // fired or cancelled already
	}
	q.remove(int(q.pos[slot]))
	q.release(slot)
}

// push adds an event.
func (q *queue[M]) push(ev event[M]) { q.put(q.reserve(), ev) }

// put adds an event in a slot reserved for it.
func (q *queue[M]) put(slot int32, ev event[M]) {
	q.events[slot] = ev
	q.heap = append(q.heap, entry{ev.at, ev.seq, slot})
	q.up(len(q.heap) - 1)
}

// peekTime returns the time of the earliest event; the queue must not be
// empty.
func (q *queue[M]) peekTime() Time { return q.heap[0].at }

// pop removes and returns the earliest event. Its slot is released: a
// timer's ID can no longer cancel anything.
func (q *queue[M]) pop() event[M] {
	slot := q.heap[0].slot
	ev := q.events[slot]
	q.remove(0)
	q.release(slot)
	return ev
}

// place puts entry e at index i of the heap, and tells its slot.
func (q *queue[M]) place(i int, e entry) {
	q.heap[i] = e
	q.pos[e.slot] = int32(i)
}

// remove takes out the entry at index i of the heap.
func (q *queue[M]) remove(i int) {
	last := len(q.heap) - 1
	if i != last {
		q.place(i, q.heap[last])
	}
	q.heap = q.heap[:last]
	if i != last {
		q.down(i)
		q.up(i)
	}
}

func (q *queue[M]) up(i int) {
	e := q.heap[i]
	for i > 0 {
		parent := (i - 1) / 2
		if !e.before(&q.heap[parent]) {
			break
		}
		q.place(i, q.heap[parent])
		i = parent
	}
	q.place(i, e)
}

func (q *queue[M]) down(i int) {
	e := q.heap[i]
	n := len(q.heap)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		least := l
		if r := l + 1; r < n && q.heap[r].before(&q.heap[l]) {
			least = r
		}
		if !q.heap[least].before(&e) {
			break
		}
		q.place(i, q.heap[least])
		i = least
	}
	q.place(i, e)
}

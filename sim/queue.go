package sim

// event is one entry of the queue: an input due at a node at a time.
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

func (a *event[M]) before(b *event[M]) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// queue is a binary min-heap of events ordered by (at, seq). It is written
// out rather than built on container/heap so that events stay unboxed
// values: a run pushes and pops millions of them.
type queue[M Message] struct {
	items []event[M]
}

func (q *queue[M]) len() int { return len(q.items) }

func (q *queue[M]) push(ev event[M]) {
	q.items = append(q.items, ev)
	i := len(q.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !q.items[i].before(&q.items[parent]) {
			break
		}
		q.items[i], q.items[parent] = q.items[parent], q.items[i]
		i = parent
	}
}

// peek returns the earliest event; the queue must not be empty.
func (q *queue[M]) peek() *event[M] { return &q.items[0] }

func (q *queue[M]) pop() event[M] {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items[last] = event[M]{} // let the message be collected
	q.items = q.items[:last]
	i, n := 0, last
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		least := l
		if r := l + 1; r < n && q.items[r].before(&q.items[l]) {
			least = r
		}
		if !q.items[least].before(&q.items[i]) {
			break
		}
		q.items[i], q.items[least] = q.items[least], q.items[i]
		i = least
	}
	return top
}

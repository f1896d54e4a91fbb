package sim

import (
	"slices"
	"time"
)

// event is one input due at a node at a time, in a compact form of the
// Input the node will get (see Engine.input): millions of events go
// through the queue's slots and the calendar's buckets, and every byte of
// them is written to memory and read back, so the fields are narrow and
// ordered to leave no padding, and a timer's name is an index rather than
// a string. With a message of 16 bytes an event takes 64, one line of
// memory (Go starts arrays of a kilobyte and more at a multiple of 64
// bytes, so every event of the log and of the run sits in a line of its
// own): at 80 bytes most events straddled two lines, and reading one back
// cost two misses.
type event[M Message] struct {
	at    Time
	seq   uint64 // order of scheduling; breaks ties between equal times
	id    MsgID  // Deliver
	msg   M      // Deliver
	node  NodeID
	from  NodeID // Deliver
	epoch uint32 // Timer: the node's epoch when armed (see nodeState)
	// aux is, for a Timer, its name (see Engine.timerName); for
	// PartitionStart and PartitionEnd, the partition; for CrashKind and
	// Recover, the crash.
	aux     int32
	kind    InputKind
	durable bool // Recover, CrashKind: the node's state survives
	// lost: the network lost the message, which is dropped on arrival.
	lost bool
}

// entry is an event's place in the heap: its key, and the slot that holds
// the event itself.
type entry struct {
	at   Time
	seq  uint64
	slot int32
	// timer: the event can be cancelled, so its slot must know where the
	// entry is. Nothing else is ever cancelled, so the heap need not tell
	// other slots where it moves their entries.
	timer bool
}

// earlier reports whether an event due at (at, seq) comes before one due
// at (at2, seq2): the queue's order, wherever the two events wait.
func earlier(at Time, seq uint64, at2 Time, seq2 uint64) bool {
	return at < at2 || at == at2 && seq < seq2
}

func (a *entry) before(b *entry) bool { return earlier(a.at, a.seq, b.at, b.seq) }

// Lanes: timers armed with the same delay fall due in the order they were
// armed, since virtual time never goes back and sequence numbers only go
// up. So rather than sift them through the heap, the queue appends them to
// a lane, a FIFO per delay, and pops whichever is earlier: the heap's top
// or a lane's head. A client arms a timeout on every request and cancels it
// on the reply: in a lane that costs a count, where the heap would have to
// sift an entry in and out again.
//
// Cancelling a timer in a lane releases its slot and leaves its entry be:
// the entry knows its slot's generation, which the release moved on, so
// the entry is dead from then on and nothing needs to find it (in a large
// run, that would be a cache miss on every reply). Dead entries are skipped
// at the head and dropped when the lane is compacted, which happens once
// the dead and popped entries outnumber the live ones (plus laneSlack), so
// that a lane holds at most about twice its live timers.
const (
	maxLanes  = 4
	laneSlack = 32
)

type lane struct {
	after time.Duration
	ents  []laneEntry // ents[head:] are due, in order, some cancelled
	head  int
	live  int
}

// laneEntry is a timer in a lane: the whole of it, rather than a key and
// a slot holding the event as in the heap. A client arms a timer on every
// request, and writing the event to its slot, a line of memory no step had
// touched since the slot's last timer was cancelled, missed the cache on
// every one. The slot remains, as the timer's ID.
type laneEntry struct {
	at    Time
	seq   uint64
	slot  int32
	gen   uint32 // the slot's generation while the timer is live
	node  NodeID
	epoch uint32
	aux   int32 // the timer's name
}

// dead reports whether the timer e is cancelled or popped: its slot was
// released since.
func (q *queue[M]) dead(e *laneEntry) bool { return q.slots[e.slot].gen != e.gen }

// laneRef encodes in a slot's pos that its timer is in lane l. Heap
// indexes are >= 0 and -1 means nowhere, so lane references are <= -2.
func laneRef(l int) int32 { return int32(-2 - l) }

func laneOf(pos int32) int { return int(-2 - pos) }

// queue holds the events to come, earliest first by (at, seq).
//
// Events sit in slots of a slab, and a binary min-heap orders small
// entries that point to them: a run pushes and pops millions of events,
// and sifting 24-byte entries instead of whole events (a message and its
// input, five times larger) is what keeps that cheap. It is written out
// rather than built on container/heap so that nothing is boxed. Timers go
// to lanes rather than the heap when they can (see lane), and in large runs
// most messages reach the run, a bucket of the calendar sorted at once,
// without going through the heap at all (see calendar). Pop takes the
// earliest of the heap's top, the run's next and the lanes' heads.
//
// Timers can be cancelled, and a client cancels one on every reply: left in
// the queue until due, cancelled timers would pile up by the hundred
// thousand in a large run. A timer in the heap has a slot that knows where
// its entry is, so Cancel takes it out at once; a timer in a lane dies
// with the release of its slot, and its lane drops it soon after (see
// lane). A TimerID is the timer's slot and the slot's generation, so the
// ID of a timer that fired or was cancelled goes stale rather than naming
// the slot's next event.
type queue[M Message] struct {
	heap   []entry
	lanes  []lane
	inLane int // live entries in lanes
	cal    calendar[M]
	// run holds the events of the calendar bucket taken last, sorted;
	// run[runAt:] are still to come (see refill).
	run    []event[M]
	runAt  int
	keys   [2][]uint64 // refill's sort keys and its radix sort's spare, kept to be reused
	now    Time        // time of the last event popped
	events []event[M]  // by slot
	slots  []slotInfo  // by slot
	free   []int32
	// warm, if set, reads the state of a node an event of the calendar
	// is due at, shortly before it is due (see Engine.warm).
	warm func(NodeID) uint32
	sink uint32 // keeps the reads of refill from being optimised away
}

// slotInfo is what Cancel reads of a slot, side by side so that cancelling
// a timer armed long ago costs one cache miss rather than two.
type slotInfo struct {
	pos int32  // for timers: where its entry is (heap index, or laneRef: which lane); -1 if none
	gen uint32 // incremented each time the slot is released
}

func (q *queue[M]) len() int { return len(q.heap) + q.inLane + q.cal.n + len(q.run) - q.runAt }

// reserve takes a free slot for an event about to be put.
func (q *queue[M]) reserve() int32 {
	if n := len(q.free); n > 0 {
		slot := q.free[n-1]
		q.free = q.free[:n-1]
		return slot
	}
	q.events = append(q.events, event[M]{})
	q.slots = append(q.slots, slotInfo{pos: -1})
	return int32(len(q.events) - 1)
}

func (q *queue[M]) release(slot int32) {
	q.slots[slot] = slotInfo{pos: -1, gen: q.slots[slot].gen + 1}
	q.free = append(q.free, slot)
}

// newTimer reserves the slot of a timer about to be put, and returns the
// ID that cancels it.
func (q *queue[M]) newTimer() (int32, TimerID) {
	slot := q.reserve()
	return slot, TimerID(uint64(q.slots[slot].gen)<<32 | uint64(slot))
}

// cancel takes the timer id out of the queue, if it is still there.
func (q *queue[M]) cancel(id TimerID) {
	slot := int32(uint32(id))
	if slot < 0 || int(slot) >= len(q.slots) {
		return
	}
	p := q.slots[slot].pos
	if q.slots[slot].gen != uint32(id>>32) || p == -1 {
		return // fired or cancelled already
	}
	// A timer in the heap stays in its slot until the slot is reused: a
	// timer carries no message to let go of, and clearing a slot written
	// long ago would cost a cache miss.
	q.release(slot)
	if p >= 0 {
		q.remove(int(p))
		return
	}
	li := laneOf(p)
	q.lanes[li].live--
	q.inLane--
	q.tidy(li) // after the release, which is what marks the entry dead
}

// push adds an event that cannot be cancelled: to the calendar if it
// takes it, else to a slot, with its entry in the heap.
func (q *queue[M]) push(ev event[M]) {
	if q.cal.buckets == nil && len(q.heap) >= calendarFrom && q.cal.width > 0 {
		q.cal.start(q.now)
	}
	if q.cal.buckets != nil && q.cal.add(&ev) {
		return
	}
	slot := q.reserve()
	q.events[slot] = ev
	q.heap = append(q.heap, entry{ev.at, ev.seq, slot, false})
	q.up(len(q.heap) - 1)
}

// put adds a timer armed after a delay in a slot reserved for it.
func (q *queue[M]) put(slot int32, after time.Duration, ev event[M]) {
	if li := q.laneFor(after, &ev); li >= 0 {
		l := &q.lanes[li]
		q.slots[slot].pos = laneRef(li)
		l.ents = append(l.ents, laneEntry{ev.at, ev.seq, slot, q.slots[slot].gen, ev.node, ev.epoch, ev.aux})
		l.live++
		q.inLane++
		return
	}
	q.events[slot] = ev
	q.heap = append(q.heap, entry{ev.at, ev.seq, slot, true})
	q.up(len(q.heap) - 1)
}

// laneFor returns the lane that ev, armed after a delay, can join, or -1:
// the heap takes it.
func (q *queue[M]) laneFor(after time.Duration, ev *event[M]) int {
	for i := range q.lanes {
		l := &q.lanes[i]
		if l.after != after {
			continue
		}
		// Always in order, as virtual time never goes back; checked
		// all the same, since order is everything.
		if n := len(l.ents); n > l.head && !earlier(l.ents[n-1].at, l.ents[n-1].seq, ev.at, ev.seq) {
			return -1
		}
		return i
	}
	if len(q.lanes) < maxLanes {
		q.lanes = append(q.lanes, lane{after: after})
		return len(q.lanes) - 1
	}
	return -1
}

// tidy restores lane li's invariant after an entry left it: its head is
// live, or it is empty; and it is compacted once most of it is waste.
func (q *queue[M]) tidy(li int) {
	l := &q.lanes[li]
	if l.live == 0 {
		l.ents, l.head = l.ents[:0], 0
		return
	}
	for q.dead(&l.ents[l.head]) {
		l.head++
	}
	if len(l.ents)-l.live <= l.live+laneSlack {
		return
	}
	n := 0
	for i := l.head; i < len(l.ents); i++ {
		if e := &l.ents[i]; !q.dead(e) {
			l.ents[n] = *e
			n++
		}
	}
	clear(l.ents[n:])
	l.ents, l.head = l.ents[:n], 0
}

// peekTime returns the time of the earliest event; the queue must not be
// empty.
func (q *queue[M]) peekTime() Time {
	if q.cal.n > 0 {
		q.refill()
	}
	switch src := q.earliest(); src {
	case fromHeap:
		return q.heap[0].at
	case fromRun:
		return q.run[q.runAt].at
	default:
		l := &q.lanes[src]
		return l.ents[l.head].at
	}
}

// Where the earliest event is, besides a lane's head (a lane's index).
const (
	fromHeap = -1 // the heap's top
	fromRun  = -2 // the run's next
)

// earliest returns where the earliest event is: fromHeap, fromRun, or the
// lane whose head it is.
func (q *queue[M]) earliest() int {
	best, found := fromHeap, len(q.heap) > 0
	var at Time
	var seq uint64
	if found {
		at, seq = q.heap[0].at, q.heap[0].seq
	}
	if q.runAt < len(q.run) {
		if ev := &q.run[q.runAt]; !found || earlier(ev.at, ev.seq, at, seq) {
			best, at, seq, found = fromRun, ev.at, ev.seq, true
		}
	}
	if q.inLane == 0 {
		return best
	}
	for i := range q.lanes {
		l := &q.lanes[i]
		if l.live == 0 {
			continue
		}
		if h := &l.ents[l.head]; !found || earlier(h.at, h.seq, at, seq) {
			best, at, seq, found = i, h.at, h.seq, true
		}
	}
	return best
}

// pop removes and returns the earliest event. Its slot is released: a
// timer's ID can no longer cancel anything.
func (q *queue[M]) pop() event[M] {
	if q.cal.n > 0 {
		q.refill()
	}
	var ev event[M]
	switch src := q.earliest(); src {
	case fromRun:
		ev = q.run[q.runAt]
		q.runAt++
		if q.runAt == len(q.run) {
			clear(q.run) // let the messages be collected
			q.run, q.runAt = q.run[:0], 0
		}
	case fromHeap:
		slot := q.heap[0].slot
		q.popHeap()
		ev = q.events[slot]
		q.events[slot] = event[M]{} // let the message be collected
		q.release(slot)
	default:
		l := &q.lanes[src]
		h := &l.ents[l.head]
		ev = event[M]{at: h.at, seq: h.seq, node: h.node, epoch: h.epoch, aux: h.aux, kind: Timer}
		q.release(h.slot)
		l.live--
		q.inLane--
		q.tidy(src)
	}
	q.now = ev.at
	if q.cal.n == 0 && q.cal.buckets != nil {
		// Let the window follow time, but never back: the run's events
		// are in bucket cur, and the calendar must hold only later ones.
		q.cal.cur = max(q.cal.cur, q.cal.bucket(q.now))
	}
	return ev
}

// refill takes the calendar's earliest bucket into the run, once the
// run is spent and unless the heap's top is earlier than that bucket.
//
// A bucket's events came to the calendar in order of sequence, so sorting
// them by time alone, stably, orders them as the queue must. Sorted once,
// they leave in order from one array: putting each in a slot and sifting
// it through the heap, in and out, cost more than the sort.
func (q *queue[M]) refill() {
	c := &q.cal
	if c.n == 0 || q.runAt < len(q.run) || len(q.heap) > 0 && c.bucket(q.heap[0].at) < c.first {
		return
	}
	// Straight to the earliest bucket that holds events: stepping
	// through the empty ones cost more than all the rest when a small
	// latency spread few messages over many buckets.
	c.cur = c.first
	mask := int64(len(c.buckets) - 1)
	b := &c.buckets[c.cur&mask]
	base := Time(c.cur << c.shift)
	// First read every event of the bucket, and its node's state, in a
	// loop whose reads do not depend on one another, so that their cache
	// misses overlap. The key is the event's time within the bucket
	// (shift <= 32 bits) above its place in the bucket, which keeps the
	// sort stable.
	keys := q.keys[0][:0]
	var sink uint32
	for i, x := range *b {
		ev := c.at(x)
		keys = append(keys, uint64(ev.at-base)<<32|uint64(i))
		if q.warm != nil {
			sink += q.warm(ev.node)
		}
	}
	q.sink = sink
	keys, spare := sortByTime(keys, q.keys[1], c.shift)
	for _, k := range keys {
		x := (*b)[uint32(k)]
		ev := c.at(x)
		q.run = append(q.run, *ev)
		c.drop(x, ev)
	}
	q.keys = [2][]uint64{keys, spare}
	c.n -= len(*b)
	c.spare = append(c.spare, (*b)[:0])
	*b = nil
	if c.n > 0 {
		// The next bucket that holds events is within the ring.
		for c.first = c.cur + 1; c.buckets[c.first&mask] == nil; c.first++ {
		}
	}
}

// sortByTime sorts keys (a time of width bits above 32 bits of place)
// by time, stably, with a radix sort of 8 bits a pass, and returns them
// and the spare array it used. A bucket holds a few hundred events whose
// times are a few bits wide: two passes, which cost a fraction of a
// comparison sort.
func sortByTime(keys, spare []uint64, width uint) (sorted, spareOut []uint64) {
	if len(keys) < 2 {
		return keys, spare
	}
	spare = slices.Grow(spare[:0], len(keys))[:len(keys)]
	for d := uint(32); d < 32+width; d += 8 {
		var at [257]int32 // at[v+1] counts the keys of digit v, then where they go
		for _, k := range keys {
			at[k>>d&0xff+1]++
		}
		if at[keys[0]>>d&0xff+1] == int32(len(keys)) {
			continue // one digit for all: nothing moves
		}
		for v := 1; v < len(at); v++ {
			at[v] += at[v-1]
		}
		for _, k := range keys {
			v := k >> d & 0xff
			spare[at[v]] = k
			at[v]++
		}
		keys, spare = spare, keys
	}
	return keys, spare
}

// place puts entry e at index i of the heap, and tells its slot if it is
// a timer's.
func (q *queue[M]) place(i int, e entry) {
	q.heap[i] = e
	if e.timer {
		q.slots[e.slot].pos = int32(i)
	}
}

// popHeap takes out the heap's top. The hole it leaves sinks to a leaf
// along the smaller children, and the last entry fills it from there:
// the last entry is likely to belong near the bottom, so this takes about
// half the comparisons of sifting it down from the top.
func (q *queue[M]) popHeap() {
	last := len(q.heap) - 1
	e := q.heap[last]
	q.heap = q.heap[:last]
	n := last
	if n == 0 {
		return
	}
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && q.heap[r].before(&q.heap[l]) {
			c = r
		}
		q.place(i, q.heap[c])
		i = c
	}
	q.heap[i] = e
	q.up(i)
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

// calendar is a front for the heap, for large runs: deliveries due in a
// later time bucket wait there, unsorted, and are sorted into the run only
// when their bucket comes up. The heap then holds only the few events
// that fall due in the current bucket or beyond the ring, rather than
// every message in flight: sifting through hundreds of thousands of
// entries would miss the cache at every level. Order is untouched: the
// calendar only holds back events later than everything in the run and
// the heap, whose merge decides it.
//
// The events themselves go to a log, in the order they come, and the
// buckets hold their places in it. A thousand buckets fill at once, each
// a line of memory at a time that was last written a full ring ago: with
// the events in the buckets, nearly every event meant writing to a line
// missing from the cache, and each such write stalls the processor once
// its store buffer fills. The log is written at one place, whose lines the
// processor fetches ahead; the buckets take a line per 16 events; and the
// misses of reading a bucket's events back, all known at once, overlap.
//
// Buckets are 2^shift ns wide, a ring of them covering about twice the
// largest latency (width comes from the engine's latency distribution);
// an event beyond the ring goes to the heap at once.
type calendar[M Message] struct {
	width   time.Duration // the latency horizon the ring must cover; 0: no calendar
	shift   uint
	buckets [][]int32 // by bucket number mod len: places in the log; nil until started
	cur     int64     // buckets up to cur are out: their events are in the run or the heap; never goes back
	n       int       // events in buckets
	first   int64     // when n > 0: the earliest bucket number holding events
	// spare holds the arrays of emptied buckets for the next buckets to
	// fill: only the buckets within the latency horizon hold events, so
	// the ring as a whole keeps only that many arrays.
	spare [][]int32

	// The log is a list of chunks, each written from start to end; a
	// place in it is chunk<<logBits | index. A chunk whose events have
	// all left is reused once the chunk being written (tail) is full.
	chunks []*logChunk[M]
	tail   int32
	used   int32   // events written to the tail
	free   []int32 // chunks to reuse
}

type logChunk[M Message] struct {
	ev   [logLen]event[M]
	live int32 // events still in a bucket
}

const (
	logBits = 10
	logLen  = 1 << logBits
)

const (
	// calendarFrom is how large the heap grows before the calendar
	// starts: below that the heap is in cache anyway.
	calendarFrom = 1 << 12
	calBuckets   = 1 << 11
	// maxShift bounds a bucket's width, so that an event's time within
	// its bucket takes 32 bits (see refill). A ring of buckets that wide
	// covers over two hours: latencies beyond it are for heap alone.
	maxShift = 32
)

// horizon returns how late after being sent most messages arrive under l,
// or 0 if it cannot say.
func (l Latency) horizon() time.Duration {
	switch l.Distribution {
	case Fixed:
		return l.Fixed
	case Uniform:
		return l.Max
	case Exponential:
		return l.Floor + 5*l.Mean
	}
	return 0
}

func (c *calendar[M]) start(now Time) {
	// Buckets of at least width*2/calBuckets: the ring covers twice the
	// horizon.
	c.shift = 0
	for time.Duration(1)<<c.shift*calBuckets < 2*c.width && c.shift < maxShift {
		c.shift++
	}
	c.buckets = make([][]int32, calBuckets)
	c.cur = c.bucket(now)
	c.newTail()
}

// newTail starts writing the log to a chunk with no events in it.
func (c *calendar[M]) newTail() {
	if len(c.chunks) > 0 && c.chunks[c.tail].live == 0 {
		c.free = append(c.free, c.tail) // emptied while being written
	}
	if n := len(c.free); n > 0 {
		c.tail = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		c.chunks = append(c.chunks, new(logChunk[M]))
		c.tail = int32(len(c.chunks) - 1)
	}
	c.used = 0
}

// at returns the event at place x of the log.
func (c *calendar[M]) at(x int32) *event[M] {
	return &c.chunks[x>>logBits].ev[x&(logLen-1)]
}

// drop lets the event ev at place x of the log go, once copied out.
func (c *calendar[M]) drop(x int32, ev *event[M]) {
	*ev = event[M]{} // let the message be collected
	ch := c.chunks[x>>logBits]
	ch.live--
	if ch.live == 0 && x>>logBits != c.tail {
		c.free = append(c.free, x>>logBits)
	}
}

func (c *calendar[M]) bucket(t Time) int64 { return int64(t) >> c.shift }

// add puts ev in its bucket, if it falls in a later bucket than the
// current one and within the ring.
func (c *calendar[M]) add(ev *event[M]) bool {
	b := c.bucket(ev.at)
	if b <= c.cur || b-c.cur >= int64(len(c.buckets)) {
		return false
	}
	bk := &c.buckets[b&int64(len(c.buckets)-1)]
	if *bk == nil && len(c.spare) > 0 {
		*bk = c.spare[len(c.spare)-1]
		c.spare = c.spare[:len(c.spare)-1]
	}
	if c.used == logLen {
		c.newTail()
	}
	ch := c.chunks[c.tail]
	ch.ev[c.used] = *ev
	ch.live++
	*bk = append(*bk, c.tail<<logBits|c.used)
	c.used++
	if c.n == 0 || b < c.first {
		c.first = b
	}
	c.n++
	return true
}

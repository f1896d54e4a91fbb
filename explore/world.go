package explore

import (
	"encoding/binary"
	"slices"

	"eccounter/model"
	"eccounter/sim"
)

// A world is one state of the search, decoded: what every node holds,
// which of its timers are armed, what is in flight, and the history the
// checks need. Its encoding (see encode) is the state the search stores;
// two worlds that encode alike are the same state.
type world struct {
	// nodes holds each node's state as model.AppendState writes it:
	// servers first, then clients, as node IDs go.
	nodes [][]byte
	// timers: per node, a bit per timer name (see timerNames) armed.
	timers []uint8
	// dirty: bit i, server i's value changed since its last round (for
	// Options.SyncOnChange).
	dirty uint64
	// cur: bit i, node i stepped at the current instant (for
	// Options.SameInstant; always 0 without).
	cur uint64
	// done: bit i, client i has finished.
	done uint64
	// down: bit i, server i is down; durable: its state survives;
	// crashed: bit k, crash k of the scenario has happened.
	down, durable, crashed uint64
	// flight is the messages in flight, in canonical order (see
	// packet.compare).
	flight []packet
	hist   history
}

// packet is one message in flight.
type packet struct {
	from, to sim.NodeID
	msg      model.Msg
	// fresh: sent at the current instant, so that it cannot arrive at
	// it (for Options.SameInstant).
	fresh bool
}

// history is what the checks remember of the path to a state: the same
// figures the run's checker keeps, cut down to what a check reads later.
type history struct {
	maxEver     int64
	proposed    uint64  // bit v: a client asked to set v (values are below 64)
	maxAccepted int64   // largest accepted set, 0 if none
	reads       []int64 // per client: the last value it read, plus 1 (0: none yet)
	// wiped: the largest value a restart without durable storage
	// destroyed; stale: bit i, client i's server was wiped since the
	// client's last read was invoked, and pending: since its request
	// outstanding was. They explain what the run's checker calls
	// anomalies.
	wiped   int64
	stale   uint64
	pending uint64
	losses  uint8 // messages lost so far
	dups    uint8 // messages duplicated so far
}

// The timers a node may arm, by bit.
var timerNames = []string{model.SyncTimer, model.AntiEntropyTimer, model.TimeoutTimer}

func timerBit(name string) (uint8, bool) {
	i := slices.Index(timerNames, name)
	if i < 0 {
		return 0, false
	}
	return 1 << i, true
}

func (a packet) compare(b packet) int {
	switch {
	case a.from != b.from:
		return int(a.from) - int(b.from)
	case a.to != b.to:
		return int(a.to) - int(b.to)
	case a.msg.Type != b.msg.Type:
		return int(a.msg.Type) - int(b.msg.Type)
	case a.msg.Value != b.msg.Value:
		if a.msg.Value < b.msg.Value {
			return -1
		}
		return 1
	case a.msg.Req != b.msg.Req:
		return int(a.msg.Req) - int(b.msg.Req)
	case a.msg.Accepted != b.msg.Accepted:
		if a.msg.Accepted {
			return 1
		}
		return -1
	case a.fresh != b.fresh:
		if a.fresh {
			return 1
		}
		return -1
	}
	return 0
}

// same reports whether two packets are the same message on the same link
// (whatever their freshness).
func (a packet) same(b packet) bool {
	return a.from == b.from && a.to == b.to && a.msg == b.msg
}

// copyFrom makes w a copy of src, reusing w's slices: the node states
// are shared, and replaced, not changed, by a step (see explorer.store).
func (w *world) copyFrom(src *world) {
	nodes, timers, flight, reads := w.nodes, w.timers, w.flight, w.hist.reads
	*w = *src
	w.nodes = append(nodes[:0], src.nodes...)
	w.timers = append(timers[:0], src.timers...)
	w.flight = append(flight[:0], src.flight...)
	w.hist.reads = append(reads[:0], src.hist.reads...)
}

// clone returns a copy of w that shares nothing it may change.
func (w *world) clone() world {
	c := *w
	c.nodes = make([][]byte, len(w.nodes))
	for i, n := range w.nodes {
		c.nodes[i] = slices.Clone(n)
	}
	c.timers = slices.Clone(w.timers)
	c.flight = slices.Clone(w.flight)
	c.hist.reads = slices.Clone(w.hist.reads)
	return c
}

// add puts a message in flight, keeping the order canonical.
func (w *world) add(p packet) {
	i, _ := slices.BinarySearchFunc(w.flight, p, packet.compare)
	w.flight = slices.Insert(w.flight, i, p)
}

// remove takes message i out of flight.
func (w *world) remove(i int) { w.flight = slices.Delete(w.flight, i, i+1) }

// onLink counts the messages in flight from one node to another of the
// types kind accepts.
func (w *world) onLink(from, to sim.NodeID, kind func(model.MsgType) bool) int {
	n := 0
	for _, p := range w.flight {
		if p.from == from && p.to == to && kind(p.msg.Type) {
			n++
		}
	}
	return n
}

// isRound reports whether a server's round sends messages of type t to
// start an exchange: a push, or a question. Direct mail's mails are sent
// by no round, and are bounded by the changes they announce.
func isRound(t model.MsgType) bool {
	switch t {
	case model.Sync, model.Pull, model.PushPull, model.RumorPush, model.RumorPull:
		return true
	}
	return false
}

// isQuestion reports whether a message of type t may be answered.
func isQuestion(t model.MsgType) bool {
	switch t {
	case model.Pull, model.PushPull, model.RumorPush, model.RumorPull:
		return true
	}
	return false
}

// isAnswer reports whether a message of type t answers a question.
func isAnswer(t model.MsgType) bool {
	switch t {
	case model.PullReply, model.RumorAck, model.RumorReply:
		return true
	}
	return false
}

// encode appends the canonical encoding of w to b.
func (w *world) encode(b []byte) []byte {
	for _, n := range w.nodes {
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
	}
	b = append(b, w.timers...)
	b = binary.AppendUvarint(b, w.dirty)
	b = binary.AppendUvarint(b, w.cur)
	b = binary.AppendUvarint(b, w.done)
	b = binary.AppendUvarint(b, w.down)
	b = binary.AppendUvarint(b, w.durable)
	b = binary.AppendUvarint(b, w.crashed)
	b = binary.AppendUvarint(b, uint64(len(w.flight)))
	for _, p := range w.flight {
		b = binary.AppendUvarint(b, uint64(p.from))
		b = binary.AppendUvarint(b, uint64(p.to))
		flags := byte(p.msg.Type) << 2
		if p.msg.Accepted {
			flags |= 1
		}
		if p.fresh {
			flags |= 2
		}
		b = append(b, flags)
		b = binary.AppendVarint(b, p.msg.Value)
		b = binary.AppendUvarint(b, uint64(p.msg.Req))
	}
	h := &w.hist
	b = binary.AppendVarint(b, h.maxEver)
	b = binary.AppendUvarint(b, h.proposed)
	b = binary.AppendVarint(b, h.maxAccepted)
	b = binary.AppendVarint(b, h.wiped)
	b = binary.AppendUvarint(b, h.stale)
	b = binary.AppendUvarint(b, h.pending)
	for _, r := range h.reads {
		b = binary.AppendVarint(b, r)
	}
	return append(b, h.losses, h.dups)
}

// decode reads into w what encode wrote of a world of n nodes and c
// clients, reusing w's slices; the node states point into b.
func decode(w *world, b []byte, n, c int) {
	rd := reader{b: b}
	w.nodes = slices.Grow(w.nodes[:0], n)[:n]
	for i := range w.nodes {
		l := int(rd.uvarint())
		w.nodes[i] = rd.b[:l:l]
		rd.b = rd.b[l:]
	}
	w.timers = append(w.timers[:0], rd.b[:n]...)
	rd.b = rd.b[n:]
	w.dirty = rd.uvarint()
	w.cur = rd.uvarint()
	w.done = rd.uvarint()
	w.down = rd.uvarint()
	w.durable = rd.uvarint()
	w.crashed = rd.uvarint()
	nf := int(rd.uvarint())
	w.flight = slices.Grow(w.flight[:0], nf)[:nf]
	for i := range w.flight {
		p := &w.flight[i]
		p.from, p.to = sim.NodeID(rd.uvarint()), sim.NodeID(rd.uvarint())
		flags := rd.byte()
		p.msg.Type, p.msg.Accepted, p.fresh = model.MsgType(flags>>2), flags&1 != 0, flags&2 != 0
		p.msg.Value = rd.varint()
		p.msg.Req = uint32(rd.uvarint())
	}
	h := &w.hist
	h.maxEver = rd.varint()
	h.proposed = rd.uvarint()
	h.maxAccepted = rd.varint()
	h.wiped = rd.varint()
	h.stale = rd.uvarint()
	h.pending = rd.uvarint()
	h.reads = slices.Grow(h.reads[:0], c)[:c]
	for i := range h.reads {
		h.reads[i] = rd.varint()
	}
	h.losses, h.dups = rd.byte(), rd.byte()
}

// reader reads what encode wrote, which is the search's own: a short
// read is a bug, and panics.
type reader struct{ b []byte }

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		panic("explore: state cut short")
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		panic("explore: state cut short")
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

package explore

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"

	"eccounter/model"
	"eccounter/sim"
)

// Symmetry: two states that differ only in the names of interchangeable
// nodes have the same futures, renamed, so the search stores one of them,
// its representative, and explores only that.
//
// Clients of the same server are interchangeable: they are configured
// alike, and nothing a node does depends on a client's ID but to address
// its replies. Servers are interchangeable when they have as many clients
// each, run a strategy that treats servers alike (every one but ring,
// whose partners are the next IDs), and are named by no crash and hold no
// injected value: a server's state holds no ID, partners are chosen among
// all the others, and every outcome of a choice is explored, so renaming
// the servers of a state renames the successors of it. The checks are
// symmetric too: they compare values, never IDs.
//
// Sound for safety: a violation reachable from a state is reachable,
// renamed, from its representative. The representative need not be
// unique (servers with equal states are ordered by their ID among
// themselves, so two renamings may both be stored): that costs states,
// never soundness. For liveness a quotient's cycles need not be cycles of
// the full graph, so the search falls back: if the liveness graph of the
// quotient has a cycle at all, the search runs again without symmetry
// (see Explore). Without a cycle in the quotient there is none in the full
// graph, whose cycles map to cycles of the quotient.
type symmetry struct {
	// classes: the servers that may be renamed into one another, each a
	// sorted list of IDs with as many clients.
	classes [][]sim.NodeID
	// clientsOf: each server's clients, by ID.
	clientsOf [][]sim.NodeID
	// Scratch: old ID -> new ID, each node's key, and the rest.
	perm      []sim.NodeID
	keys      [][]byte
	newServer []sim.NodeID
	members   []sim.NodeID
	msgs      []uint64
	tmp       world
}

func newSymmetry(x *explorer) *symmetry {
	y := &symmetry{clientsOf: make([][]sim.NodeID, x.ns)}
	for i := range x.nc {
		s := x.clients[i].Subject
		y.clientsOf[s] = append(y.clientsOf[s], sim.NodeID(x.ns+i))
	}
	if x.cfg.Strategy != model.StrategyRing {
		byCount := map[int][]sim.NodeID{}
		var counts []int
		for i := range x.ns {
			id := sim.NodeID(i)
			if i == 0 && x.cfg.Inject > 0 {
				continue
			}
			if slices.ContainsFunc(x.cfg.Faults.Crashes, func(c sim.Crash) bool { return c.Node == id }) {
				continue
			}
			n := len(y.clientsOf[i])
			if byCount[n] == nil {
				counts = append(counts, n)
			}
			byCount[n] = append(byCount[n], id)
		}
		for _, n := range counts {
			if len(byCount[n]) > 1 {
				y.classes = append(y.classes, byCount[n])
			}
		}
	}
	return y
}

// canon rewrites w as its representative.
func (y *symmetry) canon(x *explorer, w *world) {
	n := x.ns + x.nc
	y.perm = slices.Grow(y.perm[:0], n)[:n]
	for i := range y.perm {
		y.perm[i] = sim.NodeID(i)
	}
	y.keys = slices.Grow(y.keys[:0], n)[:n]
	// Clients first: a server's key holds its clients' keys, sorted.
	for id := n - 1; id >= 0; id-- {
		y.keys[id] = y.key(x, w, sim.NodeID(id), y.keys[id][:0])
	}
	// Servers first: within a class, by key; then each server's clients,
	// taken to the new server's client IDs, by key.
	byKey := func(a, b sim.NodeID) int { return bytes.Compare(y.keys[a], y.keys[b]) }
	y.newServer = slices.Grow(y.newServer[:0], x.ns)[:x.ns]
	for i := range y.newServer {
		y.newServer[i] = sim.NodeID(i)
	}
	for _, class := range y.classes {
		y.members = append(y.members[:0], class...)
		slices.SortStableFunc(y.members, byKey)
		for k, old := range y.members {
			y.newServer[old] = class[k]
		}
	}
	for old := range x.ns {
		y.perm[old] = y.newServer[old]
		y.members = append(y.members[:0], y.clientsOf[old]...)
		slices.SortStableFunc(y.members, byKey)
		for k, c := range y.members {
			y.perm[c] = y.clientsOf[y.newServer[old]][k]
		}
	}
	y.apply(x, w)
}

// key appends what node id holds in w, naming no node: its state, its
// timers and flags, and the messages it has in flight to and from others,
// by kind and content; for a server, its clients' keys too (computed
// already), sorted.
func (y *symmetry) key(x *explorer, w *world, id sim.NodeID, b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(w.nodes[id])))
	b = append(b, w.nodes[id]...)
	b = append(b, w.timers[id])
	bit := uint64(1) << id
	var flags byte
	for i, set := range [...]uint64{w.dirty, w.cur, w.down, w.durable} {
		if set&bit != 0 {
			flags |= 1 << i
		}
	}
	server := int(id) < x.ns
	if c := int(id) - x.ns; !server {
		if w.done&(1<<c) != 0 {
			flags |= 16
		}
		if w.hist.stale&(1<<c) != 0 {
			flags |= 32
		}
		if w.hist.pending&(1<<c) != 0 {
			flags |= 64
		}
		b = append(b, flags)
		b = binary.AppendVarint(b, w.hist.reads[c])
	} else {
		b = append(b, flags)
	}
	// Each message as one number: its direction, kind, flags, value
	// (below 2^16: exploration allows values below 64, which a broken
	// server may at most double) and request number.
	y.msgs = y.msgs[:0]
	for _, p := range w.flight {
		var dir uint64
		switch {
		case p.from == id:
			dir = 1
		case p.to == id:
			dir = 2
		default:
			continue
		}
		if server && (int(p.from) >= x.ns || int(p.to) >= x.ns) {
			continue // a client's message: in the client's key
		}
		m := dir<<62 | uint64(p.msg.Type)<<56 | uint64(b2i(p.msg.Accepted))<<55 | uint64(b2i(p.fresh))<<54 |
			uint64(uint16(p.msg.Value))<<32 | uint64(p.msg.Req)
		y.msgs = append(y.msgs, m)
	}
	slices.Sort(y.msgs)
	b = binary.AppendUvarint(b, uint64(len(y.msgs)))
	for _, m := range y.msgs {
		b = binary.BigEndian.AppendUint64(b, m)
	}
	if server {
		y.members = append(y.members[:0], y.clientsOf[id]...)
		slices.SortFunc(y.members, func(a, c sim.NodeID) int { return bytes.Compare(y.keys[a], y.keys[c]) })
		for _, c := range y.members {
			b = binary.AppendUvarint(b, uint64(len(y.keys[c])))
			b = append(b, y.keys[c]...)
		}
	}
	return b
}

// apply renames the nodes of w by y.perm.
func (y *symmetry) apply(x *explorer, w *world) {
	p := y.perm
	t := &y.tmp
	t.copyFrom(w)
	for old, nw := range p {
		w.nodes[nw] = t.nodes[old]
		w.timers[nw] = t.timers[old]
	}
	move := func(set uint64) uint64 {
		var out uint64
		for s := set; s != 0; s &= s - 1 {
			out |= 1 << p[bits.TrailingZeros64(s)]
		}
		return out
	}
	w.dirty, w.cur, w.down, w.durable = move(t.dirty), move(t.cur), move(t.down), move(t.durable)
	moveClients := func(set uint64) uint64 {
		var out uint64
		for s := set; s != 0; s &= s - 1 {
			c := bits.TrailingZeros64(s)
			out |= 1 << (int(p[x.ns+c]) - x.ns)
		}
		return out
	}
	w.done, w.hist.stale, w.hist.pending = moveClients(t.done), moveClients(t.hist.stale), moveClients(t.hist.pending)
	for c := range x.nc {
		w.hist.reads[int(p[x.ns+c])-x.ns] = t.hist.reads[c]
	}
	for i := range w.flight {
		w.flight[i].from, w.flight[i].to = p[t.flight[i].from], p[t.flight[i].to]
	}
	slices.SortFunc(w.flight, packet.compare)
}

package viz

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"eccounter/model"
	"eccounter/sim"
)

// Message is one message of a run, as a picture draws it.
type Message struct {
	ID       sim.MsgID
	From, To sim.NodeID
	Msg      model.Msg
	Sent     sim.Time
	// Arrive is when the network planned the first copy to arrive; a
	// message still in flight when the run stopped has no Arrivals.
	Arrive sim.Time
	// Arrivals are the copies that reached the receiver or were dropped,
	// in order: two or more for a duplicated message.
	Arrivals []Arrival
}

// Arrival is one copy of a message reaching its receiver, or failing to.
type Arrival struct {
	At sim.Time
	// Reason is why the copy was dropped (sim.DropLoss, DropPartition,
	// DropDown), or "" if it was delivered.
	Reason string
}

// Change is a server's value changing, from Prev to Value.
type Change struct {
	At          sim.Time
	Node        sim.NodeID
	Value, Prev int64
}

// Removal is a rumor-mongering server losing interest in the value it
// spread: in Demers' terms it is removed, and sends nothing more until it
// learns a larger value.
type Removal struct {
	At    sim.Time
	Node  sim.NodeID
	Value int64
}

// Outage is a node down from At until Restart (HasRestart false: it was
// still down when the run stopped).
type Outage struct {
	Node       sim.NodeID
	At         sim.Time
	Restart    sim.Time
	HasRestart bool
	Durable    bool
}

// Cut is a partition of the network from At until Heal (Healed false: it
// lasted until the run stopped).
type Cut struct {
	Index  int // in the configuration's Faults.Partitions, from 0
	At     sim.Time
	Heal   sim.Time
	Healed bool
	Groups [][]sim.NodeID
}

// Recorder is an observer that records a run for the pictures. Register
// it with c.Engine().Observe before the run.
type Recorder struct {
	names   []string
	servers int
	faults  sim.Faults

	Messages []Message // in ID order

	Changes  []Change  // in time order
	Removals []Removal // in time order
	Outages  []Outage  // in order of the crash
	Cuts     []Cut     // in order of the start
	// FaultsEnded: the faults ended at FaultsEnd.
	FaultsEnded bool
	FaultsEnd   sim.Time

	// What Keep or NoMessages left out: which messages to keep, and
	// how many were not, by reason.
	keep                           *keepFilter
	noMessages                     bool
	skipNodes, skipWindow, skipMax int

	// slab is where first arrivals are kept, many to an allocation: a
	// message's Arrivals is a slice of it with no room to grow, so that a
	// duplicate's arrival makes a slice of its own.
	slab []Arrival
}

// keepFilter is the diagram a recorder records messages for.
type keepFilter struct {
	show     []bool
	from, to sim.Time
	limit    int
}

// Keep makes the recorder keep only the messages a diagram drawn with opts
// can show: between nodes it draws, sent inside its window, and no more
// than it draws; it only counts the others. Call it before the run. A
// long run then takes little memory: by default a recorder keeps every
// message. Keep fails if opts names an unknown node.
func (r *Recorder) Keep(opts DiagramOptions) error {
	show, err := opts.shown(r)
	if err != nil {
		return err
	}
	r.keep = &keepFilter{show: show, from: opts.From, to: opts.To, limit: opts.limit()}
	if r.keep.to <= 0 {
		r.keep.to = math.MaxInt64
	}
	return nil
}

// NoMessages makes the recorder keep no message at all, for a chart only.
func (r *Recorder) NoMessages() { r.noMessages = true }

// kept reports whether to keep a message sent at t from one node to
// another, and counts it if not.
func (r *Recorder) kept(t sim.Time, from, to sim.NodeID) bool {
	k := r.keep
	switch {
	case r.noMessages:
		return false
	case k == nil:
		return true
	case !k.show[from] || !k.show[to]:
		r.skipNodes++
	case t < k.from || t > k.to:
		r.skipWindow++
	case len(r.Messages) >= k.limit:
		r.skipMax++
	default:
		return true
	}
	return false
}

// NewRecorder returns a recorder for c's run.
func NewRecorder(c *model.Cluster) *Recorder {
	e := c.Engine()
	r := &Recorder{servers: c.Config().Servers, faults: c.Config().Faults}
	for id := range e.Len() {
		r.names = append(r.names, e.Name(sim.NodeID(id)))
	}
	return r
}

// Names returns the node names, in node order: servers, then clients.
func (r *Recorder) Names() []string { return r.names }

// Servers returns the number of servers, nodes 0..Servers-1.
func (r *Recorder) Servers() int { return r.servers }

// Lookup returns the nodes of the given names, in the order given, or an
// error naming the first unknown one. It takes one pass over the nodes,
// whatever the number of names: -nodes may list thousands of a million.
func (r *Recorder) Lookup(names []string) ([]sim.NodeID, error) {
	want := make(map[string]sim.NodeID, len(names))
	for _, name := range names {
		want[name] = -1
	}
	for id, n := range r.names {
		if v, ok := want[n]; ok && v < 0 {
			want[n] = sim.NodeID(id)
		}
	}
	ids := make([]sim.NodeID, 0, len(names))
	for _, name := range names {
		id := want[name]
		if id < 0 {
			if len(name) > 80 { // a name from the command line, shown in full would drown the message
				name = name[:80] + "…"
			}
			return nil, fmt.Errorf("viz: no node named %q (nodes are %s)", name, nodeRange(r.names, r.servers))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// nodeRange summarises the node names for an error message.
func nodeRange(names []string, servers int) string {
	var parts []string
	if servers > 0 {
		parts = append(parts, rangeOf(names[:servers]))
	}
	if len(names) > servers {
		parts = append(parts, rangeOf(names[servers:]))
	}
	return strings.Join(parts, " and ")
}

func rangeOf(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return names[0] + ".." + names[len(names)-1]
}

// BeforeStep does nothing: the recorder keeps what happened.
func (r *Recorder) BeforeStep(sim.Time, sim.NodeID) {}

// AfterStep records one step.
func (r *Recorder) AfterStep(s *model.Step) {
	switch s.In.Kind {
	case sim.Deliver:
		r.arrive(s.In.ID, Arrival{At: s.Time})
	case sim.Drop:
		r.arrive(s.In.ID, Arrival{At: s.Time, Reason: s.Reason})
	case sim.CrashKind:
		r.Outages = append(r.Outages, Outage{Node: s.Node, At: s.Time, Durable: s.In.Durable})
	case sim.Recover:
		for i := len(r.Outages) - 1; i >= 0; i-- {
			if o := &r.Outages[i]; o.Node == s.Node && !o.HasRestart {
				o.Restart, o.HasRestart = s.Time, true
				break
			}
		}
	case sim.PartitionStart:
		r.Cuts = append(r.Cuts, Cut{Index: s.Partition, At: s.Time, Groups: r.faults.Partitions[s.Partition].Groups})
	case sim.PartitionEnd:
		r.heal(s.Time, s.Partition)
	case sim.FaultsEnd:
		r.FaultsEnded, r.FaultsEnd = true, s.Time
		r.heal(s.Time, -1)
	}
	for _, n := range s.Notes {
		switch n.Kind {
		case model.Update:
			r.Changes = append(r.Changes, Change{At: s.Time, Node: s.Node, Value: n.Value, Prev: n.Prev})
		case model.LostInterest:
			r.Removals = append(r.Removals, Removal{At: s.Time, Node: s.Node, Value: n.Value})
		}
	}
	for _, m := range s.Sends {
		if !r.kept(s.Time, s.Node, m.To) {
			continue
		}
		r.Messages = append(r.Messages, Message{ID: m.ID, From: s.Node, To: m.To, Msg: m.Msg, Sent: s.Time, Arrive: m.Arrive})
	}
}

// arrive records a copy of message id arriving, if the message is kept.
func (r *Recorder) arrive(id sim.MsgID, a Arrival) {
	i, found := r.find(id)
	switch {
	case !found:
	case r.Messages[i].Arrivals == nil:
		if len(r.slab) == cap(r.slab) {
			r.slab = make([]Arrival, 0, slabSize)
		}
		r.slab = append(r.slab, a)
		n := len(r.slab)
		r.Messages[i].Arrivals = r.slab[n-1 : n : n]
	default:
		r.Messages[i].Arrivals = append(r.Messages[i].Arrivals, a)
	}
}

// find returns the index of message id among those kept. The engine
// numbers messages one up from the last as it sends them, so when every
// message is kept since the first, as for the playground's diagram, the
// index is the ID's distance from the first kept; else a search.
func (r *Recorder) find(id sim.MsgID) (int, bool) {
	if len(r.Messages) > 0 {
		if i := int64(id) - int64(r.Messages[0].ID); i >= 0 && i < int64(len(r.Messages)) && r.Messages[i].ID == id {
			return int(i), true
		}
	}
	return slices.BinarySearchFunc(r.Messages, id, func(m Message, id sim.MsgID) int { return cmp.Compare(m.ID, id) })
}

// slabSize is how many first arrivals an allocation holds.
const slabSize = 256

// heal ends partition index (-1: every one still on) at t.
func (r *Recorder) heal(t sim.Time, index int) {
	for i := range r.Cuts {
		if c := &r.Cuts[i]; !c.Healed && (index < 0 || c.Index == index) {
			c.Heal, c.Healed = t, true
		}
	}
}

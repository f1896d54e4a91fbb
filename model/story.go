package model

import (
	"slices"

	"eccounter/sim"
)

// The story of a run: who set which value when, and how the final value
// reached each server. The checker records it as it judges each server's
// step (see storyRecorder), within fixed bounds whatever the length of the
// run, and the report assembles it (see Story).

// How much of the story is kept: of each server's value changes, and of
// the accepted sets, the first storyHead and the last storyTail; the
// send times of the last storySends messages between servers; and in
// the report the first storyServers servers.
const (
	storyHead    = 4
	storyTail    = 16
	storySends   = 1 << 14
	storyServers = 100
)

// Cause is what changed a server's value: a message it received (a
// client's set, or a peer's sync, rumor, mail or answer), or a restart.
type Cause struct {
	// Kind is the kind of step: sim.Deliver for a message, sim.Recover
	// for a restart (Durable: with its storage, which changes the value
	// only in a broken server); sim.Timer or sim.Start only in a broken
	// server.
	Kind    sim.InputKind
	Durable bool
	// For a message: its kind, its sender and its ID, and for a peer's
	// message when it was sent (HasSent false: sent too long before to be
	// remembered, see storySends).
	Msg     MsgType
	From    sim.NodeID
	ID      sim.MsgID
	Sent    sim.Time
	HasSent bool
}

// Word names the cause as the story's JSON does: the message's kind
// ("set", "sync", "rumor", "mail", ...), or "wipe": a restart that took
// the value away (to 0, but for a broken server's).
func (c Cause) Word() string {
	switch c.Kind {
	case sim.Deliver:
		return c.Msg.String()
	case sim.Recover:
		return "wipe"
	}
	// Only a broken server changes its value at another step, and none
	// of the catalogue's does.
	return c.Kind.String()
}

// takerWords are the kinds of message that bring a server a value to
// take: a client's set, and a peer's value (see takesValue).
func takerWords() []string {
	return []string{Set.String(), Sync.String(), PushPull.String(), PullReply.String(), RumorPush.String(), RumorReply.String(), Mail.String()}
}

// peer reports whether the cause is a message from a server.
func (c Cause) peer(servers int) bool { return c.Kind == sim.Deliver && int(c.From) < servers }

// Change is one change of a server's value, from Prev to Value, and why.
type Change struct {
	At          sim.Time
	Value, Prev int64
	Cause       Cause
}

// AcceptedSet is a set a server accepted: a client's Value, in the message
// numbered ID.
type AcceptedSet struct {
	At             sim.Time
	Client, Server sim.NodeID
	Value          int64
	ID             sim.MsgID
}

// Link is one server's taking the value a story follows: Change says
// when and from whom.
type Link struct {
	Server sim.NodeID
	Change Change
}

// ServerStory is one server's part in the story.
type ServerStory struct {
	Server sim.NodeID
	// Start is the value it started with (0, or an injected value).
	Start int64
	// Changes are its value changes in order; ChangesLeftOut of them,
	// after the first storyHead, were not kept.
	Changes        []Change
	ChangesLeftOut int
	// Holds: it ends holding the story's value (Got: since when, after
	// its last wipe; HasGot false if it held it from the start).
	Holds  bool
	Got    sim.Time
	HasGot bool
	// Chain is how the value came to it: its own taking of it, then
	// that of the server whose message brought it, and so on back to
	// the set that started it. ChainComplete is false if the chain
	// stops short, at a change not kept.
	Chain         []Link
	ChainComplete bool
}

// Story is the story of a run: the accepted sets in order, where the
// value the servers end with came from, and how it reached each server.
type Story struct {
	// Value is the value the story follows: the one the servers
	// converged on, or else the largest a server ends with. Changed:
	// some server's value changed at all.
	Value   int64
	Changed bool
	// Origin is the set that started Value (HasOrigin false: none known,
	// such as a value injected at the start).
	Origin    AcceptedSet
	HasOrigin bool
	// Origins counts the sets the chains go back to: more than one when
	// clients set the same value at several servers.
	Origins int
	// Sets are the accepted sets, in order; SetsLeftOut of them, after
	// the first storyHead, were not kept.
	Sets        []AcceptedSet
	SetsLeftOut int
	// Servers tells each server's part, for the first storyServers
	// servers; ServersLeftOut counts the others.
	Servers        []ServerStory
	ServersLeftOut int
	// Last is the server that took Value last, at LastAt (HasLast: some
	// server took it after the start); Missed counts the servers that
	// end without it.
	Last    sim.NodeID
	LastAt  sim.Time
	HasLast bool
	Missed  int

	servers int // to name the nodes: servers, then clients
}

// name names a node of the story.
func (st *Story) name(id sim.NodeID) string {
	if int(id) < st.servers {
		return ServerName(int(id))
	}
	return ClientName(int(id) - st.servers)
}

// bounded keeps the first storyHead and the last storyTail of the items
// added to it, and counts those in between, in one allocation.
type bounded[T any] struct {
	kept []T // the head, then the tail: a ring once full, its oldest at next
	next int
	n    int // items added
}

func (b *bounded[T]) add(x T) {
	b.n++
	switch {
	case b.kept == nil:
		b.kept = make([]T, 0, storyHead+storyTail)
		fallthrough
	case len(b.kept) < storyHead+storyTail:
		b.kept = append(b.kept, x)
	default:
		b.kept[storyHead+b.next] = x
		b.next = (b.next + 1) % storyTail
	}
}

// items returns the items kept, in order, and how many were left out
// after the head.
func (b *bounded[T]) items() ([]T, int) {
	left := b.n - len(b.kept)
	if b.next == 0 {
		return b.kept, left
	}
	out := make([]T, 0, len(b.kept))
	tail := b.kept[storyHead:]
	out = append(out, b.kept[:storyHead]...)
	out = append(out, tail[b.next:]...)
	return append(out, tail[:b.next]...), left
}

// sendTime is when a message between servers was sent.
type sendTime struct {
	id sim.MsgID
	at sim.Time
}

// storyRecorder records the story as the checker sees each server step.
// It allocates only as its bounded lists grow, so that a run whose
// values change a million times keeps no more than one of a few.
type storyRecorder struct {
	servers []bounded[Change]
	start   []int64
	sets    bounded[AcceptedSet]
	// sends are the send times of the last storySends messages between
	// servers that carry a value to take, in ID order: a ring once full,
	// its oldest at sendsNext.
	sends     []sendTime
	sendsNext int
}

func newStoryRecorder(servers int, inject int64) storyRecorder {
	r := storyRecorder{servers: make([]bounded[Change], servers), start: make([]int64, servers)}
	if servers > 0 {
		r.start[0] = inject
	}
	return r
}

// step records one step of server node: its value went from before to
// after, and acceptedSet says whether it accepted a set.
func (r *storyRecorder) step(s *Step, before, after int64, acceptedSet bool) {
	servers := len(r.servers)
	for _, m := range s.Sends {
		if int(m.To) < servers && takesValue(m.Msg.Type) {
			r.sent(sendTime{m.ID, s.Time})
		}
	}
	if acceptedSet {
		r.sets.add(AcceptedSet{At: s.Time, Client: s.In.From, Server: s.Node, Value: s.In.Msg.Value, ID: s.In.ID})
	}
	if after == before {
		return
	}
	c := Cause{Kind: s.In.Kind, Durable: s.In.Durable}
	if s.In.Kind == sim.Deliver {
		c.Msg, c.From, c.ID = s.In.Msg.Type, s.In.From, s.In.ID
		if int(c.From) < servers {
			c.Sent, c.HasSent = r.sentAt(c.ID)
		}
	}
	r.servers[s.Node].add(Change{At: s.Time, Value: after, Prev: before, Cause: c})
}

func (r *storyRecorder) sent(x sendTime) {
	if len(r.sends) < storySends {
		if r.sends == nil {
			// Enough for a short run's syncs in one allocation.
			r.sends = make([]sendTime, 0, 256)
		}
		r.sends = append(r.sends, x)
		return
	}
	r.sends[r.sendsNext] = x
	r.sendsNext = (r.sendsNext + 1) % storySends
}

// sentAt finds when message id was sent, if it is among the last
// storySends: a binary search of the ring, in ID order from sendsNext.
func (r *storyRecorder) sentAt(id sim.MsgID) (sim.Time, bool) {
	n := len(r.sends)
	at := func(i int) sendTime { return r.sends[(r.sendsNext+i)%n] }
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if at(mid).id < id {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < n && at(lo).id == id {
		return at(lo).at, true
	}
	return 0, false
}

// story assembles the story of a run whose servers ended with values and
// converged or not.
func (r *storyRecorder) story(values []int64, converged bool) Story {
	st := Story{servers: len(r.servers)}
	for _, v := range values {
		st.Value = max(st.Value, v)
	}
	if converged && len(values) > 0 {
		st.Value = values[0]
	}
	st.Sets, st.SetsLeftOut = r.sets.items()
	changes := make([][]Change, len(r.servers))
	st.Servers = make([]ServerStory, 0, min(len(r.servers), storyServers))
	for i := range r.servers {
		var left int
		changes[i], left = r.servers[i].items()
		st.Changed = st.Changed || len(changes[i]) > 0
		switch n := len(changes[i]); {
		case values[i] != st.Value:
			st.Missed++
		case n > 0 && (!st.HasLast || changes[i][n-1].At > st.LastAt):
			// Its last change gave it the value, since it holds it
			// at the end.
			st.Last, st.LastAt, st.HasLast = sim.NodeID(i), changes[i][n-1].At, true
		}
		if i >= storyServers {
			st.ServersLeftOut++
			continue
		}
		ss := ServerStory{Server: sim.NodeID(i), Start: r.start[i], Changes: changes[i], ChangesLeftOut: left}
		ss.Holds = values[i] == st.Value
		st.Servers = append(st.Servers, ss)
	}
	var origins []sim.MsgID
	for i := range st.Servers {
		ss := &st.Servers[i]
		if !ss.Holds {
			continue
		}
		if n := len(ss.Changes); n > 0 {
			// Its last change gave it the value, since it holds it at
			// the end: that is when it took it for good, after any wipe.
			ss.Got, ss.HasGot = ss.Changes[n-1].At, true
		}
		ss.Chain, ss.ChainComplete = r.chain(changes, ss.Server, st.Value)
		if !ss.ChainComplete || len(ss.Chain) == 0 {
			continue
		}
		end := ss.Chain[len(ss.Chain)-1]
		c := end.Change.Cause
		if c.Kind != sim.Deliver || c.Msg != Set {
			continue
		}
		if !slices.Contains(origins, c.ID) {
			origins = append(origins, c.ID)
		}
		if !st.HasOrigin || end.Change.At < st.Origin.At {
			st.Origin = AcceptedSet{At: end.Change.At, Client: c.From, Server: end.Server, Value: end.Change.Value, ID: c.ID}
			st.HasOrigin = true
		}
	}
	st.Origins = len(origins)
	if !st.HasOrigin {
		// No chain reached its set (changes not kept, or more servers
		// than the story tells): the first set of the value kept.
		for _, s := range st.Sets {
			if s.Value == st.Value {
				st.Origin, st.HasOrigin = s, true
				break
			}
		}
	}
	return st
}

// chain follows value v back from server's last change: to the message
// that brought it, to the sender's taking of it before it sent that
// message, and so on, until a change that no message caused (a set), or
// v held from the start. complete is false if the chain stops at a
// change not kept (or one that did not take v: only a broken server's).
func (r *storyRecorder) chain(changes [][]Change, server sim.NodeID, v int64) (links []Link, complete bool) {
	servers := len(r.servers)
	node, bound := server, sim.Time(-1) // -1: its last change, whenever it was
	links = make([]Link, 0, 2)          // from a peer, from a client: the common chain
	for len(links) <= servers+1 {
		c, found, kept := r.holding(changes, node, v, bound)
		switch {
		case !kept:
			return links, false
		case !found:
			// Nothing changed it before bound: it held v from the start.
			return links, r.start[node] == v
		}
		links = append(links, Link{Server: node, Change: c})
		if !c.Cause.peer(servers) {
			return links, c.Cause.Kind == sim.Deliver && c.Cause.Msg == Set
		}
		// The sender held v when it sent; sent at the latest when it
		// arrived, if its send time is no longer known.
		node, bound = c.Cause.From, c.At
		if c.Cause.HasSent {
			bound = c.Cause.Sent
		}
	}
	return links, false // a loop, which only a broken server could make
}

// holding finds the change by which node held v at bound (bound -1: its
// last change): found false if none came before bound; kept false if the
// change it needs was not kept, or did not make it hold v.
func (r *storyRecorder) holding(changes [][]Change, node sim.NodeID, v int64, bound sim.Time) (c Change, found, kept bool) {
	list := changes[node]
	left := r.servers[node].n - len(list)
	for i := len(list) - 1; i >= 0; i-- {
		if i == storyHead-1 && left > 0 {
			// The changes between the head and the tail are gone.
			return Change{}, false, false
		}
		c := list[i]
		switch {
		case bound >= 0 && c.At > bound:
			continue
		case c.Value == v:
			return c, true, true
		case c.At == bound:
			// At the instant of the send: perhaps in a later step of
			// the same instant, after the send.
			continue
		}
		return Change{}, false, false
	}
	if left > 0 {
		return Change{}, false, false
	}
	return Change{}, false, true
}

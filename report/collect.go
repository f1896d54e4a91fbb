package report

import (
	"cmp"
	"io"
	"slices"
	"strconv"

	"eccounter/model"
	"eccounter/sim"
)

// Limits on what a page holds, so that it stays responsive in a browser;
// the page says what it left out.
const (
	MaxRows     = 20_000 // schedule lines
	MaxMessages = 20_000 // messages the scrubber tracks
	MaxWaits    = 20_000 // client requests the scrubber tracks
)

// Collector is an observer that keeps what the page needs from a run
// beyond what viz.Recorder keeps for the pictures (value changes and
// outages come from there): the schedule's lines, what each client waits
// for and when, and every message and when it was in flight. (The
// recorder's messages are only those the diagram draws; the scrubber
// tracks all of them, up to MaxMessages.)
type Collector struct {
	c    *model.Cluster
	text *model.TextWriter
	// shared, if not nil, is the run's own schedule writer, observing
	// before the collector: its lines' texts are taken, not made again.
	shared *model.TextWriter
	steps  int

	rows        []row
	line        []byte // a line of the schedule as it is written, reused
	rowsDropped int
	waits       [][]span // per client: requests outstanding
	msgs        []message
	msgsDropped int
	nwaits      int
	waitsLeft   int
	end         sim.Time
}

type row struct {
	t    sim.Time
	node string
	text string
}

// span is [from, to) with what it was; to is -1 while open.
type span struct {
	from, to sim.Time
	what     string
}

type message struct {
	id         sim.MsgID
	from, to   sim.NodeID
	msg        model.Msg // what it says: see appendKind
	sent, done sim.Time  // done: first arrival or drop; -1 while in flight
	fate       string    // "recv", or the reason of a drop
}

// NewCollector returns a collector for c's run. Observe it with
// c.Engine().Observe before the run.
func NewCollector(c *model.Cluster) *Collector {
	cfg := c.Config()
	return &Collector{
		c:     c,
		text:  model.NewTextWriter(io.Discard, c),
		waits: make([][]span, cfg.Clients),
	}
}

// Share has the collector take each line's text from w, the run's own
// schedule writer, rather than format it a second time. w must observe
// the run before the collector does; should it not, or should it miss a
// step, the collector formats the text itself.
func (k *Collector) Share(w *model.TextWriter) { k.shared = w }

// BeforeStep does nothing.
func (k *Collector) BeforeStep(sim.Time, sim.NodeID) {}

// AfterStep keeps what the step changed.
func (k *Collector) AfterStep(s *model.Step) {
	k.end = s.Time
	name := k.c.Engine().Name(s.Node)
	k.steps++
	if len(k.rows) < MaxRows {
		line, ok := k.shared.Event(k.steps)
		if !ok {
			k.line = k.text.AppendEvent(k.line[:0], s)
			line = k.line
		}
		k.rows = append(k.rows, row{s.Time, name, string(line)})
	} else {
		k.rowsDropped++
	}
	servers := k.c.Config().Servers
	switch s.In.Kind {
	case sim.Deliver, sim.Drop:
		i, ok := k.find(s.In.ID)
		if ok && k.msgs[i].done < 0 {
			k.msgs[i].done, k.msgs[i].fate = s.Time, "recv"
			if s.In.Kind == sim.Drop {
				k.msgs[i].fate = s.Reason
			}
		}
	}
	for _, n := range s.Notes {
		switch {
		case n.Kind == model.Op:
			// Close the request's span, unless it was one past the cap.
			if w := k.waits[int(s.Node)-servers]; len(w) > 0 && w[len(w)-1].to < 0 {
				w[len(w)-1].to = s.Time
			}
		}
	}
	for _, m := range s.Sends {
		if int(s.Node) >= servers && k.nwaits >= MaxWaits {
			k.waitsLeft++
		} else if int(s.Node) >= servers { // a client's request: it now waits
			k.nwaits++
			i := int(s.Node) - servers
			k.line = appendKind(k.line[:0], m.Msg, m.Msg.Type == model.Set)
			k.line = append(append(k.line, " from "...), k.c.Engine().Name(m.To)...)
			k.waits[i] = append(k.waits[i], span{s.Time, -1, string(k.line)})
		}
		if len(k.msgs) >= MaxMessages {
			k.msgsDropped++
			continue
		}
		k.msgs = append(k.msgs, message{m.ID, s.Node, m.To, m.Msg, s.Time, -1, ""})
	}
}

// find returns the index of message id in msgs. The engine numbers
// messages one up from the last as it sends them, and msgs keeps them all
// up to MaxMessages, so the index is the ID's distance from the first;
// a search is the rule, should the numbers skip, and a map would cost
// more (in WebAssembly most of all) for a run's thousands.
func (k *Collector) find(id sim.MsgID) (int, bool) {
	if len(k.msgs) > 0 {
		if i := int64(id) - int64(k.msgs[0].id); i >= 0 && i < int64(len(k.msgs)) && k.msgs[i].id == id {
			return int(i), true
		}
	}
	return slices.BinarySearchFunc(k.msgs, id, func(m message, id sim.MsgID) int { return cmp.Compare(m.id, id) })
}

// appendKind appends m's kind, and its value if value: "set 925". It
// builds the text in place, one allocation for its string, since a run
// has thousands of messages.
func appendKind(b []byte, m model.Msg, value bool) []byte {
	b = append(b, m.Kind()...)
	if value {
		b = strconv.AppendInt(append(b, ' '), m.Value, 10)
	}
	return b
}

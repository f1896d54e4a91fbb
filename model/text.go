package model

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"eccounter/sim"
)

// TextWriter is an observer that writes a run as a readable schedule, one
// line per event: the virtual time, the node, and what happened, in the
// words of the original emulation's prints. For example:
//
//	12.345ms  server-2  set 869 from client-4 -> rejected (current 996)
type TextWriter struct {
	w     io.Writer
	c     *Cluster
	names []string // node names, padded to one width
	blank string   // as wide as a name, for events of the whole network
	buf   []byte
	err   error
	// steps counts the steps written; event is where the last one's
	// event text starts in buf (see Event).
	steps int
	event int
}

// NewTextWriter returns a writer of c's schedule to w. Add it with
// c.Engine().Observe.
func NewTextWriter(w io.Writer, c *Cluster) *TextWriter {
	t := &TextWriter{w: w, c: c}
	width := 0
	for id := range c.engine.Len() {
		width = max(width, len(c.engine.Name(sim.NodeID(id))))
	}
	for id := range c.engine.Len() {
		name := c.engine.Name(sim.NodeID(id))
		for len(name) < width {
			name += " "
		}
		t.names = append(t.names, name)
	}
	t.blank = fmt.Sprintf("%-*s", width, "--")
	return t
}

// network describes an event of the whole network.
func (t *TextWriter) network(b []byte, s *Step) []byte {
	switch s.In.Kind {
	case sim.PartitionStart:
		p := t.c.cfg.Faults.Partitions[s.Partition]
		b = append(b, "partition "...)
		b = strconv.AppendInt(b, int64(s.Partition+1), 10)
		b = append(b, " starts: "...)
		for _, g := range p.Groups {
			b = append(b, '{')
			for i, id := range g {
				if i > 0 {
					b = append(b, ", "...)
				}
				b = append(b, t.name(id)...)
			}
			b = append(b, "} | "...)
		}
		b = append(b, "{everyone else}"...)
	case sim.PartitionEnd:
		b = append(b, "partition "...)
		b = strconv.AppendInt(b, int64(s.Partition+1), 10)
		b = append(b, " heals"...)
	case sim.FaultsEnd:
		b = append(b, "faults end: the network heals and crashed servers restart"...)
	}
	return b
}

// appendMsg renders a message as "kind value" (just "kind" for the kinds
// that carry no value).
func appendMsg(b []byte, m Msg) []byte {
	b = append(b, m.Kind()...)
	if m.Type != Get && m.Type != Pull {
		b = append(b, ' ')
		b = strconv.AppendInt(b, m.Value, 10)
	}
	return b
}

// Err returns the first write error, if any.
func (t *TextWriter) Err() error { return t.err }

// BeforeStep does nothing: lines describe what happened.
func (t *TextWriter) BeforeStep(sim.Time, sim.NodeID) {}

// AfterStep writes the line of one step.
func (t *TextWriter) AfterStep(s *Step) {
	if t.err != nil {
		return
	}
	b := t.buf[:0]
	var room [24]byte // any instant's text: on the stack, not allocated every step
	stamp := s.Time.AppendText(room[:0])
	for i := len(stamp); i < 12; i++ {
		b = append(b, ' ')
	}
	b = append(b, stamp...)
	b = append(b, "  "...)
	if s.Node == sim.NoNode {
		b = append(b, t.blank...)
	} else {
		b = append(b, t.names[s.Node]...)
	}
	b = append(b, "  "...)
	t.event = len(b)
	b = t.AppendEvent(b, s)
	b = append(b, '\n')
	t.buf = b
	t.steps++
	_, t.err = t.w.Write(b)
}

// Event returns the text that AppendEvent gave the n-th step (from 1),
// if that is the last step t wrote, so that another observer of the same
// run after t need not format it again; else (or if t is nil) ok is
// false. The bytes are t's, valid until its next step.
func (t *TextWriter) Event(n int) (text []byte, ok bool) {
	if t == nil || n != t.steps || t.steps == 0 {
		return nil, false
	}
	return t.buf[t.event : len(t.buf)-1], true
}

// AppendEvent appends what happened in a step, in words, without the time
// and the node: the text of the step's line in the schedule.
func (t *TextWriter) AppendEvent(b []byte, s *Step) []byte {
	switch {
	case s.Node == sim.NoNode:
		return t.network(b, s)
	case s.In.Kind == sim.Drop:
		b = append(b, "never gets "...)
		b = appendMsg(b, s.In.Msg)
		b = append(b, " from "...)
		b = append(b, t.name(s.In.From)...)
		b = append(b, " ("...)
		b = append(b, s.Reason...)
		return append(b, ')')
	case t.c.isServer(s.Node):
		return t.server(b, s)
	}
	return t.client(b, s)
}

func (t *TextWriter) name(id sim.NodeID) string { return t.c.engine.Name(id) }

func (t *TextWriter) server(b []byte, s *Step) []byte {
	now := t.c.servers[s.Node].Counter()
	switch s.In.Kind {
	case sim.Start:
		b = append(b, "starts at 0"...)
		if peers := t.c.cfg.Servers - 1; peers > 0 {
			b = t.c.cfg.Strategy.syncer().plan(b, &t.c.cfg, peers)
		}
	case sim.CrashKind:
		b = append(b, "CRASHES"...)
		if s.In.Durable {
			b = append(b, " (durable: keeps "...)
		} else {
			b = append(b, " (not durable: will lose "...)
		}
		b = strconv.AppendInt(b, now, 10)
		b = append(b, ')')
	case sim.Recover:
		if u, ok := noteOf(s, Update); ok && (s.In.Durable || u.Value != 0) {
			// Only a broken server (see Variants) changes its value
			// otherwise at a restart; say what it did.
			b = append(b, "restarts with "...)
			b = strconv.AppendInt(b, u.Value, 10)
			b = append(b, ", durable, yet it held "...)
			b = strconv.AppendInt(b, u.Prev, 10)
		} else if ok {
			b = append(b, "restarts at 0, not durable: lost "...)
			b = strconv.AppendInt(b, u.Prev, 10)
		} else {
			b = append(b, "restarts with "...)
			b = strconv.AppendInt(b, now, 10)
		}
	case sim.Timer:
		b = t.appendTimer(b, s, now)
	case sim.Deliver:
		m := s.In.Msg
		switch m.Type {
		case Get:
			b = append(b, "get from "...)
			b = append(b, t.name(s.In.From)...)
			b = append(b, " -> "...)
			if r, ok := replyTo(s.Sends, s.In.From, GetReply); ok {
				b = strconv.AppendInt(b, r.Value, 10)
			} else {
				b = append(b, "no reply"...)
			}
		case Set:
			b = append(b, "set "...)
			b = strconv.AppendInt(b, m.Value, 10)
			b = append(b, " from "...)
			b = append(b, t.name(s.In.From)...)
			r, ok := replyTo(s.Sends, s.In.From, SetReply)
			b = appendVerdict(b, r, ok)
			if r.Accepted && t.c.servers[s.Node].Infective() {
				b = append(b, ", infective"...)
			}
			// Only direct mail sends more than the reply: the mails.
			if n := len(s.Sends) - 1; r.Accepted && n > 0 {
				b = append(b, ", mailed to "...)
				b = appendCount(b, n, "peer")
			}
		case Sync, PushPull, PullReply, RumorPush, RumorReply, Mail:
			b = appendMsg(b, m)
			b = append(b, " from "...)
			b = append(b, t.name(s.In.From)...)
			if u, ok := noteOf(s, Update); ok {
				b = append(b, " -> updated (was "...)
				b = strconv.AppendInt(b, u.Prev, 10)
				b = append(b, ')')
				if t.c.servers[s.Node].Infective() {
					b = append(b, ", infective"...)
				}
			} else {
				b = append(b, " -> kept "...)
				b = strconv.AppendInt(b, now, 10)
			}
			if m.Type == PushPull {
				b = append(b, "; answers "...)
				b = strconv.AppendInt(b, now, 10)
			}
			if r, ok := replyTo(s.Sends, s.In.From, RumorAck); ok {
				_, updated := noteOf(s, Update)
				b = appendAck(b, r, updated)
			}
		case RumorAck:
			b = append(b, "rumor_ack from "...)
			b = append(b, t.name(s.In.From)...)
			if m.Accepted {
				b = append(b, ": "...)
				b = strconv.AppendInt(b, m.Value, 10)
				b = append(b, " was news"...)
			} else {
				b = append(b, ": knew "...)
				b = strconv.AppendInt(b, m.Value, 10)
				b = append(b, " already"...)
			}
		case RumorPull:
			b = append(b, "rumor_pull from "...)
			b = append(b, t.name(s.In.From)...)
			b = append(b, " (holds "...)
			b = strconv.AppendInt(b, m.Value, 10)
			if r, ok := replyTo(s.Sends, s.In.From, RumorReply); ok {
				b = append(b, ") -> answers "...)
				b = strconv.AppendInt(b, r.Value, 10)
			} else {
				b = append(b, ") -> not infective: no answer"...)
			}
		case Pull:
			b = append(b, "pull from "...)
			b = append(b, t.name(s.In.From)...)
			b = append(b, " -> answers "...)
			b = strconv.AppendInt(b, now, 10)
		default:
			b = append(b, "unexpected "...)
			b = append(b, m.Kind()...)
		}
	}
	if n, ok := noteOf(s, LostInterest); ok {
		// Only rumor mongering loses interest.
		if r, ok := t.c.cfg.Strategy.syncer().(rumorMongering); ok {
			b = r.appendLostInterest(b, t.c.cfg.Rumor, n)
		}
	}
	return b
}

// appendAck tells what a server answered a pushed rumor. News is judged
// at the start of the server's round (see Rumor), so a rumor can be news
// and yet change nothing: another brought it earlier in the round.
func appendAck(b []byte, ack Msg, updated bool) []byte {
	switch {
	case ack.Accepted && !updated:
		return append(b, "; acks: news when its round began"...)
	case ack.Accepted:
		return append(b, "; acks: news"...)
	}
	return append(b, "; acks: knew it"...)
}

// appendTimer tells what a server did when a timer went off: which timer,
// what it sent, and to whom.
func (t *TextWriter) appendTimer(b []byte, s *Step, now int64) []byte {
	timer := "sync timer"
	verb, prep, tail, value := t.c.cfg.Strategy.syncer().timerWords()
	switch {
	case s.In.Timer == AntiEntropyTimer:
		timer, verb, prep, tail, value = "anti-entropy timer", "exchanges ", " with ", "", true
	case len(s.Sends) == 0:
		// A rumor-push server that lost interest: its note says so.
		return append(b, timer...)
	}
	b = append(b, timer...)
	b = append(b, " -> "...)
	b = append(b, verb...)
	if value {
		b = strconv.AppendInt(b, now, 10)
		b = append(b, prep...)
	}
	b = t.appendTargets(b, s.Sends)
	return append(b, tail...)
}

// appendTargets lists the receivers of a broadcast, or counts them when the
// list would not fit on a line.
func (t *TextWriter) appendTargets(b []byte, sends []sim.Sent[Msg]) []byte {
	if len(sends) > 4 {
		return appendCount(b, len(sends), "peer")
	}
	for i, m := range sends {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, t.name(m.To)...)
	}
	return b
}

func (t *TextWriter) client(b []byte, s *Step) []byte {
	cl := t.c.client(s.Node)
	switch s.In.Kind {
	case sim.Start:
		b = append(b, "talks to "...)
		b = append(b, t.name(cl.Subject)...)
	case sim.Deliver, sim.Timer:
		if late, ok := noteOf(s, Late); ok {
			b = append(b, "ignores late "...)
			b = append(b, s.In.Msg.Kind()...)
			b = append(b, " to request "...)
			b = strconv.AppendInt(b, int64(late.Seq), 10)
			return b
		}
		if op, ok := noteOf(s, Op); ok && op.TimedOut {
			b = append(b, op.Op.String()...)
			if op.Op == Set {
				b = append(b, ' ')
				b = strconv.AppendInt(b, op.Value, 10)
			}
			b = append(b, " -> no reply in "...)
			b = append(b, cl.Timeout.String()...)
			b = append(b, ", outcome unknown"...)
		} else if ok {
			b = append(b, op.Op.String()...)
			b = append(b, ' ')
			if op.Op == Set {
				b = strconv.AppendInt(b, op.Value, 10)
				b = appendVerdict(b, Msg{Value: op.Prev, Accepted: op.Accepted}, true)
			} else {
				b = append(b, "-> "...)
				b = strconv.AppendInt(b, op.Value, 10)
			}
		}
	}
	if _, ok := noteOf(s, Finished); ok {
		if s.In.Kind != sim.Start {
			b = append(b, "; "...)
		}
		b = append(b, "finished all "...)
		b = appendCount(b, cl.Requests, "request")
		return b
	}
	for _, m := range s.Sends {
		b = append(b, "; sends "...)
		b = append(b, m.Msg.Kind()...)
		if m.Msg.Type == Set {
			b = append(b, ' ')
			b = strconv.AppendInt(b, m.Msg.Value, 10)
		}
		b = append(b, " ["...)
		b = strconv.AppendInt(b, int64(cl.Sent), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(cl.Requests), 10)
		b = append(b, ']')
	}
	return b
}

// appendVerdict renders a set's outcome as the original emulation printed
// it: "-> accepted (was OLD)" or "-> rejected (current CUR)".
func appendVerdict(b []byte, r Msg, ok bool) []byte {
	switch {
	case !ok:
		return append(b, " -> no reply"...)
	case r.Accepted:
		b = append(b, " -> accepted (was "...)
	default:
		b = append(b, " -> rejected (current "...)
	}
	b = strconv.AppendInt(b, r.Value, 10)
	return append(b, ')')
}

// Count says n of noun, in the plural for every n but 1: "1 seed",
// "2 seeds", "1 delivery", "0 deliveries". A noun ending in a consonant
// and y takes -ies; every other one, an s.
func Count(n int, noun string) string { return string(appendCount(nil, n, noun)) }

// appendCount appends Count(n, noun) to b.
func appendCount(b []byte, n int, noun string) []byte {
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ' ')
	if n == 1 {
		return append(b, noun...)
	}
	if l := len(noun); l >= 2 && noun[l-1] == 'y' && !strings.ContainsRune("aeiou", rune(noun[l-2])) {
		return append(append(b, noun[:l-1]...), "ies"...)
	}
	return append(append(b, noun...), 's')
}

func noteOf(s *Step, kind NoteKind) (Note, bool) {
	for _, n := range s.Notes {
		if n.Kind == kind {
			return n, true
		}
	}
	return Note{}, false
}

package model

import (
	"strconv"

	"eccounter/sim"
)

// MsgType is the kind of a message of the ec-counter protocol.
type MsgType uint8

// The messages of the protocol. A client sends Get and Set to its server and
// gets GetReply and SetReply back. Servers push their value to each other
// with Sync; with the pull strategies they ask a peer for its value with
// Pull (carrying nothing) or PushPull (carrying their own), and the peer
// answers with PullReply. Rumor mongering pushes a RumorPush, answered with a
// RumorAck (feedback: was it news?), or pulls with a RumorPull (carrying
// the asker's value), answered by an infective peer with a RumorReply.
// Direct mail sends each new value to every other server in a Mail.
const (
	Get MsgType = iota + 1
	GetReply
	Set
	SetReply
	Sync
	Pull
	PushPull
	PullReply
	RumorPush
	RumorAck
	RumorPull
	RumorReply
	Mail
)

var msgTypeNames = [...]string{Get: "get", GetReply: "get_reply", Set: "set", SetReply: "set_reply", Sync: "sync",
	Pull: "pull", PushPull: "push_pull", PullReply: "pull_reply",
	RumorPush: "rumor", RumorAck: "rumor_ack", RumorPull: "rumor_pull", RumorReply: "rumor_reply",
	Mail: "mail"}

// isClientMsg reports whether a message type goes between a client and its
// server, and so carries a request number.
func (t MsgType) isClientMsg() bool { return t >= Get && t <= SetReply }

func (k MsgType) String() string {
	if int(k) < len(msgTypeNames) && msgTypeNames[k] != "" {
		return msgTypeNames[k]
	}
	return "invalid"
}

// Msg is a message of the protocol. It is a plain value: the engine copies
// it into its queue, and no two nodes ever share one.
//
// It takes 16 bytes, the fields ordered to leave no more padding than
// that, so that the engine's event holding it takes 64, one line of
// memory: a large run writes every message to memory and reads it back,
// and at 80 bytes most events straddled two lines.
type Msg struct {
	Type MsgType
	// Accepted is SetReply's verdict, and RumorAck's: the rumor was news.
	Accepted bool
	// Req numbers a client's requests from 1; a reply carries the number
	// of its request, so that a client can tell a late reply (to a
	// request it gave up on) from the one it waits for. Messages between
	// servers carry 0. 32 bits hold it: a scenario allows at most a
	// million requests per client.
	Req uint32
	// Value is what the message carries: the value to set, the value read
	// (GetReply), the server's value before the set (SetReply: the old
	// value if accepted, the current one if not), or the sender's value
	// (Sync, PushPull, PullReply, RumorPush, RumorPull, RumorReply, Mail),
	// or the rumor a RumorAck answers. Get and Pull carry none.
	Value int64
}

// Kind names the message kind in traces.
func (m Msg) Kind() string { return m.Type.String() }

// AppendJSON appends the message's fields for the JSON Lines trace: "value"
// (null for a get or a pull, which carry none), for a set_reply
// "accepted", and for a client's requests and their replies "req".
func (m Msg) AppendJSON(b []byte) []byte {
	b = append(b, `,"value":`...)
	if m.Type == Get || m.Type == Pull {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, m.Value, 10)
	}
	if m.Type == SetReply || m.Type == RumorAck {
		b = append(b, `,"accepted":`...)
		b = strconv.AppendBool(b, m.Accepted)
	}
	if m.Type.isClientMsg() {
		b = append(b, `,"req":`...)
		b = strconv.AppendUint(b, uint64(m.Req), 10)
	}
	return b
}

// NoteKind is the kind of a note a node records.
type NoteKind uint8

// The notes of the protocol.
const (
	// Update: a server's value changed, from Prev to Value.
	Update NoteKind = iota + 1
	// Op: a client completed an operation.
	Op
	// Finished: a client completed its last request.
	Finished
	// Late: a client ignored a reply to a request it no longer waits for
	// (Seq: that request), one that timed out or was answered already.
	Late
	// LostInterest: a rumor-mongering server stopped spreading Value,
	// after Rounds rounds counted towards it (see Rumor).
	LostInterest
)

// Note is what a node records about what it did. The checks never trust
// notes (they read node state); notes are for the trace and the reader.
type Note struct {
	Kind NoteKind
	// Update: the new and the old value of the server.
	// Op: Value is the value read (get) or the value to set (set), and
	// Prev the server's value before a set, as its reply said.
	Value, Prev int64
	// Op: what the operation was, whether a set was accepted, and when it
	// was invoked (it completed at the note's time). Seq counts the
	// client's operations from 1. TimedOut: no reply came in time, so
	// the outcome is unknown: a set may or may not have been applied.
	Op       MsgType
	Accepted bool
	TimedOut bool
	Invoked  sim.Time
	// Seq is a client's request number, from 1: the operation's (Op),
	// the last one's (Finished: how many it made), or the one a late
	// reply answers (Late).
	Seq int
	// Rounds: the rounds a rumor-mongering server counted before it lost
	// interest (LostInterest).
	Rounds int
}

// Event names the note in the trace: "update", "op", "finished", "late" or
// "lost_interest".
func (n Note) Event() string {
	switch n.Kind {
	case Update:
		return "update"
	case Op:
		return "op"
	case Finished:
		return "finished"
	case Late:
		return "late"
	case LostInterest:
		return "lost_interest"
	}
	return "invalid"
}

// AppendJSON appends the note's fields for the JSON Lines trace.
func (n Note) AppendJSON(b []byte) []byte {
	switch n.Kind {
	case Update:
		b = append(b, `,"value":`...)
		b = strconv.AppendInt(b, n.Value, 10)
		b = append(b, `,"prev":`...)
		b = strconv.AppendInt(b, n.Prev, 10)
	case Op:
		b = append(b, `,"op":"`...)
		b = append(b, n.Op.String()...)
		b = append(b, `","seq":`...)
		b = strconv.AppendInt(b, int64(n.Seq), 10)
		b = append(b, `,"invoked":`...)
		b = strconv.AppendInt(b, int64(n.Invoked), 10)
		if n.TimedOut {
			// Nothing came back: the outcome is indeterminate.
			b = append(b, `,"timed_out":true`...)
			if n.Op == Set {
				b = append(b, `,"value":`...)
				b = strconv.AppendInt(b, n.Value, 10)
			}
			return b
		}
		b = append(b, `,"value":`...)
		b = strconv.AppendInt(b, n.Value, 10)
		if n.Op == Set {
			b = append(b, `,"accepted":`...)
			b = strconv.AppendBool(b, n.Accepted)
			b = append(b, `,"prev":`...)
			b = strconv.AppendInt(b, n.Prev, 10)
		}
	case Finished:
		b = append(b, `,"ops":`...)
		b = strconv.AppendInt(b, int64(n.Seq), 10)
	case Late:
		b = append(b, `,"req":`...)
		b = strconv.AppendInt(b, int64(n.Seq), 10)
	case LostInterest:
		b = append(b, `,"value":`...)
		b = strconv.AppendInt(b, n.Value, 10)
		b = append(b, `,"tries":`...)
		b = strconv.AppendInt(b, int64(n.Rounds), 10)
	}
	return b
}

package sim

import (
	"math/rand/v2"
	"time"
)

// NodeID identifies a node: the order in which it was added, from 0.
type NodeID int32

// MsgID identifies one message sent during a run, from 1 upward.
type MsgID uint64

// Message is what nodes send one another. The engine treats it as opaque
// except to name its kind and render its fields in a trace.
type Message interface {
	// Kind names the kind of message, such as "set" or "sync"; the engine
	// counts messages sent by kind.
	Kind() string
	// AppendJSON appends the message's fields to a JSON object being
	// written, each as `,"key":value`.
	AppendJSON(b []byte) []byte
}

// Note is something a node records about what it did: an operation it
// completed, a change to its state. Notes reach observers and the trace;
// they never change what the simulation does.
type Note interface {
	// Event names the note in the trace, such as "update".
	Event() string
	// AppendJSON appends the note's fields to a JSON object being
	// written, each as `,"key":value`.
	AppendJSON(b []byte) []byte
}

// Node is one participant in a simulation: a state machine that the engine
// steps with one input at a time. Step must depend only on the node's state,
// the input and what env provides (the virtual time, the node's random
// stream); it must not read the wall clock, do I/O or start goroutines.
// Everything it wants done it asks env for.
type Node[M Message, N Note] interface {
	Step(env *Env[M, N], in Input[M])
}

// InputKind says what woke a node.
type InputKind uint8

// The inputs a node can receive.
const (
	// Start is each node's first input, at time 0, in the order nodes
	// were added.
	Start InputKind = iota + 1
	// Deliver brings a message from another node.
	Deliver
	// Timer is a timer the node armed with Env.After going off.
	Timer
)

func (k InputKind) String() string {
	switch k {
	case Start:
		return "start"
	case Deliver:
		return "recv"
	case Timer:
		return "timer"
	}
	return "invalid"
}

// Input is one thing that happens to a node.
type Input[M Message] struct {
	Kind InputKind
	// For Deliver: the message, its sender and its ID.
	ID   MsgID
	From NodeID
	Msg  M
	// For Timer: the name given to Env.After.
	Timer string
}

// Env is what the engine hands a node for one step: the virtual time, the
// node's random stream, and an outbox for what the node wants done. The
// engine applies the outbox after Step returns.
type Env[M Message, N Note] struct {
	now    Time
	self   NodeID
	rng    *rand.Rand
	sends  []outgoing[M]
	timers []timerReq
	notes  []N
}

type outgoing[M Message] struct {
	to  NodeID
	msg M
}

type timerReq struct {
	after time.Duration
	name  string
}

// Now is the virtual time of this step.
func (e *Env[M, N]) Now() Time { return e.now }

// Self is the ID of the node being stepped.
func (e *Env[M, N]) Self() NodeID { return e.self }

// Rand is the node's own random stream, derived from the run's seed.
func (e *Env[M, N]) Rand() *rand.Rand { return e.rng }

// Send asks the network to deliver msg to node to after a latency the
// network draws.
func (e *Env[M, N]) Send(to NodeID, msg M) {
	e.sends = append(e.sends, outgoing[M]{to, msg})
}

// After asks for a Timer input named name after d has passed.
func (e *Env[M, N]) After(d time.Duration, name string) {
	e.timers = append(e.timers, timerReq{d, name})
}

// Record adds a note to the trace.
func (e *Env[M, N]) Record(n N) {
	e.notes = append(e.notes, n)
}

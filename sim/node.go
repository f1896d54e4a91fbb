package sim

import (
	"math/rand/v2"
	"time"
)

// NodeID identifies a node: the order in which it was added, from 0.
type NodeID int32

// NoNode stands for "no node" in steps that concern the whole run, such as
// a partition starting.
const NoNode NodeID = -1

// TimerID identifies a timer armed with Env.After, for Env.Cancel.
type TimerID uint64

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
// choices); it must not read the wall clock, do I/O or start goroutines.
// Everything it wants done it asks env for.
type Node[M Message, N Note] interface {
	Step(env *Env[M, N], in Input[M])
}

// InputKind says what woke a node, or, for the kinds that never reach a
// node, what else happened in a step that observers see.
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
	// Recover restarts a node after a crash. Input.Durable says whether
	// its state survived: if not, the node must forget everything but
	// its configuration. Its timers from before the crash are gone.
	Recover
)

// Steps that observers see but no node does.
const (
	// CrashKind: the node stopped (Input.Durable: its state will survive).
	CrashKind InputKind = iota + 10
	// Drop: a message could not be delivered; Step.Reason says why.
	Drop
	// PartitionStart and PartitionEnd: Faults.Partitions[Step.Partition]
	// began or healed.
	PartitionStart
	PartitionEnd
	// FaultsEnd: no more faults; the network heals and crashed nodes
	// restart.
	FaultsEnd
)

func (k InputKind) String() string {
	switch k {
	case Start:
		return "start"
	case Deliver:
		return "recv"
	case Timer:
		return "timer"
	case Recover:
		return "restart"
	case CrashKind:
		return "crash"
	case Drop:
		return "drop"
	case PartitionStart:
		return "partition"
	case PartitionEnd:
		return "partition_heal"
	case FaultsEnd:
		return "faults_end"
	}
	return "invalid"
}

// Input is one thing that happens to a node.
// Its fields are ordered to leave no padding: it is copied into every step.
type Input[M Message] struct {
	Kind InputKind
	// For Recover and CrashKind: whether the node's state survives.
	Durable bool
	// For Deliver: the message, its sender and its ID.
	From NodeID
	ID   MsgID
	Msg  M
	// For Timer: the name given to Env.After.
	Timer string
}

// Env is what the engine hands a node for one step: the virtual time, the
// node's random choices (Choose, Chance, ChooseDistinct: there is no
// other way to draw, so that a Chooser sees every choice), and an outbox
// for what the node wants done. The engine applies the outbox after Step
// returns.
type Env[M Message, N Note] struct {
	now  Time
	self NodeID
	rng  *rand.Rand // the node's own stream, for the default answers
	// chooser is Config.Chooser: nil, the default, draws from rng.
	chooser Chooser
	sends   []Outgoing[M]
	timers  []timerReq
	cancel  []TimerID
	notes   []N

	queue *queue[M] // to reserve timer IDs
	// stepper, if not nil, steps the node outside an engine: timers
	// are named, not queued (see Stepper), and ops lists them.
	stepper *Stepper[M, N]
	ops     []TimerOp
}

type timerReq struct {
	slot  int32
	after time.Duration
	name  string
}

// Now is the virtual time of this step.
func (e *Env[M, N]) Now() Time { return e.now }

// Self is the ID of the node being stepped.
func (e *Env[M, N]) Self() NodeID { return e.self }

// Send asks the network to deliver msg to node to after a latency the
// network draws.
func (e *Env[M, N]) Send(to NodeID, msg M) {
	e.sends = append(e.sends, Outgoing[M]{to, msg})
}

// After asks for a Timer input named name after d has passed, and returns
// the timer's ID, for Cancel.
func (e *Env[M, N]) After(d time.Duration, name string) TimerID {
	if e.stepper != nil {
		e.ops = append(e.ops, TimerOp{Name: name, After: d})
		return e.stepper.timerID(name)
	}
	slot, id := e.queue.newTimer()
	e.timers = append(e.timers, timerReq{slot, d, name})
	return id
}

// Cancel stops a timer armed earlier by this node from going off.
// Cancelling a timer that went off already is harmless.
func (e *Env[M, N]) Cancel(id TimerID) {
	if e.stepper != nil {
		if name := e.stepper.timerName(id); name != "" {
			e.ops = append(e.ops, TimerOp{Name: name, Cancel: true})
		}
		return
	}
	e.cancel = append(e.cancel, id)
}

// Record adds a note to the trace.
func (e *Env[M, N]) Record(n N) {
	e.notes = append(e.notes, n)
}

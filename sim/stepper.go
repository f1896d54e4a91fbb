package sim

import "time"

// A Stepper steps nodes outside an engine, for a search that holds the
// nodes' states itself and tries every order of their steps rather than
// the one a clock gives (package explore). It hands a node the same Env a
// run does, so that the node cannot tell; what the node asks for (sends,
// timers, notes) is left in the Stepper for the caller to apply.
//
// Timers differ in one way. A Stepper has no queue, so it names a timer by
// its name: After returns the same TimerID for the same name every time,
// and Cancel cancels the timer of that name. A node that arms a timer
// whose name is armed already re-arms it. The protocol's nodes keep at
// most one timer of each name, so nothing is lost; and because the ID does
// not grow, two states that differ only in when a timer was armed are
// equal. The names are declared up front (NewStepper), so that every
// Stepper of the same names gives the same IDs: a node's state, with the
// IDs it keeps, may be stepped by any of them.
type Stepper[M Message, N Note] struct {
	env   Env[M, N]
	names []string // TimerID i+1 names names[i]
}

// NewStepper returns a Stepper for nodes whose timers have the given
// names; a node that arms a timer of another name makes Step panic.
func NewStepper[M Message, N Note](timers ...string) *Stepper[M, N] {
	return &Stepper[M, N]{names: timers}
}

// TimerOp is a timer a node armed or cancelled in a step, in the order it
// asked.
type TimerOp struct {
	Name   string
	After  time.Duration
	Cancel bool
}

// Outgoing is a message a node sent in a step.
type Outgoing[M Message] struct {
	To  NodeID
	Msg M
}

// Step steps node, whose ID is self, with in at virtual time now; ch
// answers its random choices (it must not be nil: a Stepper has no seeded
// streams). What the node asked for is in Sends, Timers and Notes until the
// next Step.
func (st *Stepper[M, N]) Step(node Node[M, N], self NodeID, now Time, ch Chooser, in Input[M]) {
	env := &st.env
	env.now, env.self, env.chooser, env.stepper = now, self, ch, st
	env.sends, env.timers, env.notes, env.ops = env.sends[:0], env.timers[:0], env.notes[:0], env.ops[:0]
	node.Step(env, in)
}

// Sends returns the messages the last step sent, in order.
func (st *Stepper[M, N]) Sends() []Outgoing[M] { return st.env.sends }

// Timers returns the timers the last step armed and cancelled, in order.
func (st *Stepper[M, N]) Timers() []TimerOp { return st.env.ops }

// Notes returns the notes the last step recorded.
func (st *Stepper[M, N]) Notes() []N { return st.env.notes }

// timerID returns the ID of the timer named name.
func (st *Stepper[M, N]) timerID(name string) TimerID {
	for i, n := range st.names {
		if n == name {
			return TimerID(i + 1)
		}
	}
	panic("sim: a node armed timer " + name + ", which its Stepper was not told of")
}

// timerName returns the name of timer id, or "" if it names none.
func (st *Stepper[M, N]) timerName(id TimerID) string {
	if id < 1 || int(id) > len(st.names) {
		return ""
	}
	return st.names[id-1]
}

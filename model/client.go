package model

import (
	"time"

	"eccounter/sim"
)

// Client sends a fixed number of random requests to one server, one at a
// time: it sends a request, waits for the reply, then sends the next.
//
// A client knows exactly one address, its Subject, as a client of the
// original emulation was given one server's Subject (the address of the
// server's mailbox). It has no way to name any other node, so clients cannot
// talk to each other or to other servers; the cluster also tells the engine
// to refuse any such send.
//
// Client is a plain value: copying it snapshots the node.
type Client struct {
	// The fields are ordered to leave no padding: a run of 100,000
	// clients steps them in random order, and at 96 bytes a client spans
	// two cache lines, where at 112 it would often span three (see also
	// Cluster.warm).

	// Waiting: a request is outstanding; Timer (below) is its timeout.
	Waiting bool
	// Done is set when the last request has completed.
	Done bool
	// Subject is the server this client talks to, and the only node it can
	// address.
	Subject sim.NodeID
	// Requests is how many requests to send; SetRatio the probability that
	// a request is a set rather than a get; MaxValue bounds the values
	// set, which are drawn uniformly from [0, MaxValue).
	Requests int
	SetRatio float64
	MaxValue int64
	// Timeout is how long to wait for a reply before giving up on a
	// request and moving on; 0 waits for ever.
	Timeout time.Duration

	// Sent counts the requests sent so far; the last one is outstanding
	// until its reply arrives. Pending is that request and Invoked the
	// time it was sent.
	Sent    int
	Pending Msg
	Invoked sim.Time
	Timer   sim.TimerID // the outstanding request's timeout
}

// TimeoutTimer names the timer of a client's request timeout.
const TimeoutTimer = "timeout"

// Step handles one input: the start, the reply to the outstanding request,
// or its timeout.
func (c *Client) Step(env *Env, in Input) {
	switch in.Kind {
	case sim.Start:
		c.next(env)
	case sim.Deliver:
		c.reply(env, in.Msg)
	case sim.Timer:
		c.timeout(env)
	}
}

// reply completes the outstanding request: record what came back, then send
// the next request, if any. A reply to any other request (one that timed
// out, or a copy of a reply the network duplicated) is ignored: its request
// is over.
func (c *Client) reply(env *Env, m Msg) {
	if !c.Waiting || m.Req != uint32(c.Sent) {
		env.Record(Note{Kind: Late, Seq: int(m.Req)})
		return
	}
	if c.Timeout > 0 {
		env.Cancel(c.Timer)
	}
	op := Note{Kind: Op, Op: c.Pending.Type, Invoked: c.Invoked, Seq: c.Sent}
	switch m.Type {
	case GetReply:
		op.Value = m.Value
	case SetReply:
		op.Value, op.Prev, op.Accepted = c.Pending.Value, m.Value, m.Accepted
	}
	env.Record(op)
	c.Waiting = false
	c.next(env)
}

// timeout gives up on the outstanding request, as the original's blocking
// call did after 1 s. Whether a set took effect is now unknown: the
// operation is recorded as indeterminate, and the client moves on.
func (c *Client) timeout(env *Env) {
	op := Note{Kind: Op, Op: c.Pending.Type, Invoked: c.Invoked, Seq: c.Sent, TimedOut: true}
	if c.Pending.Type == Set {
		op.Value = c.Pending.Value
	}
	env.Record(op)
	c.Waiting = false
	c.next(env)
}

// The labels of a client's choices.
const (
	// ChoiceSet: whether a request is a set (1) rather than a get, with
	// probability SetRatio.
	ChoiceSet = "set?"
	// ChoiceValue: the value a set sets, one of [0, MaxValue).
	ChoiceValue = "value"
)

// next sends the next request, or finishes if all were sent. The choice of
// get or set, and the value to set, are the client's own choices (by
// default from its own random stream), so the requests a client makes do
// not depend on the timing of any other node.
func (c *Client) next(env *Env) {
	if c.Sent == c.Requests {
		c.Done = true
		env.Record(Note{Kind: Finished, Seq: c.Sent})
		return
	}
	if env.Chance(ChoiceSet, c.SetRatio) {
		c.Pending = Msg{Type: Set, Value: int64(env.Choose(ChoiceValue, int(c.MaxValue)))}
	} else {
		c.Pending = Msg{Type: Get}
	}
	c.Sent++
	c.Pending.Req = uint32(c.Sent)
	c.Invoked = env.Now()
	c.Waiting = true
	env.Send(c.Subject, c.Pending)
	if c.Timeout > 0 {
		c.Timer = env.After(c.Timeout, TimeoutTimer)
	}
}

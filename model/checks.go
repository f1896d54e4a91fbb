package model

import (
	"fmt"

	"eccounter/sim"
)

// The checks run on every run. Each is an invariant of the protocol read
// from the nodes' state around each step, never from what the nodes report
// about themselves, so a broken server cannot talk its way past them.
const (
	checkNeverDecrease = iota
	checkSetIffLarger
	checkGetCurrent
	checkOwnServer
	checkClientsComplete
	checkConvergedToMax
	checkNoInvented
	numChecks
)

var checkDefs = [numChecks]struct{ name, rule string }{
	checkNeverDecrease:   {"values-never-decrease", "a server's value never decreases"},
	checkSetIffLarger:    {"set-accepted-iff-larger", "a set is accepted if and only if it exceeds the server's value at that moment"},
	checkGetCurrent:      {"get-returns-current", "a get returns the server's value at that moment"},
	checkOwnServer:       {"clients-use-own-server", "every client sends only to its own server"},
	checkClientsComplete: {"clients-complete", "every client completes all its requests"},
	checkConvergedToMax:  {"converged-to-max", "at the end every server holds the largest value any server ever held"},
	checkNoInvented:      {"no-invented-values", "no server ever holds a value that no client set"},
}

// Check is the verdict of one check on one run.
type Check struct {
	Name string
	Rule string // the invariant, in words
	// Violations counts the times the invariant was broken, and First
	// describes the first of them.
	Violations int
	First      string
}

// Passed reports whether the invariant always held.
func (c Check) Passed() bool { return c.Violations == 0 }

// checker is the observer that runs the checks and keeps the figures of the
// report. It also knows, in constant time, whether the run is over: the
// engine asks before every event.
type checker struct {
	c      *Cluster
	checks [numChecks]Check

	// About the node being stepped, read in BeforeStep.
	before  int64
	wasDone bool

	maxEver     int64 // largest value any server ever held
	atMax       int   // servers holding maxEver now
	clientsDone int
	lastChange  sim.Time // last time any server's value changed

	proposed     map[int64]struct{} // every value a client asked to set
	maxSet       int64
	hasSet       bool
	accepted     int64
	lastAccepted sim.Time
}

func newChecker(c *Cluster) *checker {
	k := &checker{c: c, atMax: c.cfg.Servers, proposed: make(map[int64]struct{})}
	for i := range k.checks {
		k.checks[i].Name, k.checks[i].Rule = checkDefs[i].name, checkDefs[i].rule
	}
	return k
}

func (k *checker) fail(check int, t sim.Time, format string, args ...any) {
	ch := &k.checks[check]
	if ch.Violations == 0 {
		ch.First = fmt.Sprintf("at %v: ", t) + fmt.Sprintf(format, args...)
	}
	ch.Violations++
}

// quiescent reports whether the run is over: all clients finished and all
// servers hold the largest value ever held. Then no sync in flight can
// change anything, since each carries a value some server held, which is at
// most that largest value.
func (k *checker) quiescent() bool {
	return k.clientsDone == k.c.cfg.Clients && k.atMax == k.c.cfg.Servers
}

// BeforeStep remembers the state of the node about to step.
func (k *checker) BeforeStep(_ sim.Time, node sim.NodeID) {
	if k.c.isServer(node) {
		k.before = k.c.servers[node].Counter()
	} else {
		k.wasDone = k.c.client(node).Done
	}
}

// AfterStep checks one step against the state before it.
func (k *checker) AfterStep(s *Step) {
	if k.c.isServer(s.Node) {
		k.serverStep(s)
	} else {
		k.clientStep(s)
	}
}

func (k *checker) serverStep(s *Step) {
	name := k.c.engine.Name(s.Node)
	before, after := k.before, k.c.servers[s.Node].Counter()
	if after < before {
		k.fail(checkNeverDecrease, s.Time, "%s went from %d to %d", name, before, after)
	}
	if after != before {
		if _, ok := k.proposed[after]; !ok && after != 0 {
			k.fail(checkNoInvented, s.Time, "%s holds %d, which no client set", name, after)
		}
		k.lastChange = s.Time
		if before == k.maxEver {
			k.atMax--
		}
		if after > k.maxEver {
			k.maxEver, k.atMax = after, 0
		}
		if after == k.maxEver {
			k.atMax++
		}
	}
	if s.In.Kind != sim.Deliver {
		return
	}
	from := k.c.engine.Name(s.In.From)
	switch s.In.Msg.Type {
	case Get:
		reply, ok := replyTo(s, GetReply)
		switch {
		case !ok:
			k.fail(checkGetCurrent, s.Time, "%s sent no get_reply to %s", name, from)
		case reply.Value != before:
			k.fail(checkGetCurrent, s.Time, "%s answered get from %s with %d while holding %d", name, from, reply.Value, before)
		}
	case Set:
		v := s.In.Msg.Value
		if !k.hasSet || v > k.maxSet {
			k.maxSet, k.hasSet = v, true
		}
		want := v > before
		reply, ok := replyTo(s, SetReply)
		switch {
		case !ok:
			k.fail(checkSetIffLarger, s.Time, "%s sent no set_reply to %s", name, from)
		case reply.Accepted != want:
			k.fail(checkSetIffLarger, s.Time, "%s answered set %d from %s with accepted=%t while holding %d", name, v, from, reply.Accepted, before)
		case want && after != v, !want && after != before:
			k.fail(checkSetIffLarger, s.Time, "%s holding %d was left at %d by set %d from %s", name, before, after, v, from)
		}
		if ok && reply.Accepted {
			k.accepted++
			k.lastAccepted = s.Time
		}
	}
}

// replyTo finds the reply a server sent in a step.
func replyTo(s *Step, t MsgType) (Msg, bool) {
	for _, m := range s.Sends {
		if m.To == s.In.From && m.Msg.Type == t {
			return m.Msg, true
		}
	}
	return Msg{}, false
}

func (k *checker) clientStep(s *Step) {
	// Whether a client sent only to its server is not checked here: the
	// engine refuses the send first (see Cluster.Run).
	for _, m := range s.Sends {
		if m.Msg.Type == Set {
			k.proposed[m.Msg.Value] = struct{}{}
		}
	}
	if k.c.client(s.Node).Done && !k.wasDone {
		k.clientsDone++
	}
}

// report runs the end-of-run checks and assembles the report.
func (k *checker) report(res sim.Result) Report {
	r := Report{
		Result:          res,
		MaxSet:          k.maxSet,
		HasSet:          k.hasSet,
		AcceptedSets:    k.accepted,
		LastAcceptedSet: k.lastAccepted,
		Converged:       true,
	}
	for i, s := range k.c.servers {
		v := s.Counter()
		r.Values = append(r.Values, v)
		if v != r.Values[0] {
			r.Converged = false
		}
		if v != k.maxEver {
			k.fail(checkConvergedToMax, res.Now, "%s holds %d, but %d was held", k.c.engine.Name(sim.NodeID(i)), v, k.maxEver)
		}
	}
	if r.Converged {
		if len(r.Values) > 0 {
			r.Value = r.Values[0]
		}
		r.ConvergedAt = k.lastChange
	}
	for i := range k.c.clients {
		cl := &k.c.clients[i]
		if !cl.Done {
			id := sim.NodeID(k.c.cfg.Servers + i)
			k.fail(checkClientsComplete, res.Now, "%s completed %d of %d requests", k.c.engine.Name(id), max(cl.Sent-1, 0), cl.Requests)
		}
	}
	r.Checks = k.checks[:]
	return r
}

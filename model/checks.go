package model

import (
	"fmt"
	"strings"
	"time"

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
	checkAckedKept
	checkMonotonicReads
	checkLiveness
	numChecks
)

var checkDefs = [numChecks]struct{ name, rule string }{
	checkNeverDecrease:   {"values-never-decrease", "a server's value never decreases (but restarts at 0 after a crash without durable storage)"},
	checkSetIffLarger:    {"set-accepted-iff-larger", "a set is accepted if and only if it exceeds the server's value at that moment"},
	checkGetCurrent:      {"get-returns-current", "a get returns the server's value at that moment"},
	checkOwnServer:       {"clients-use-own-server", "every client sends only to its own server"},
	checkClientsComplete: {"clients-complete", "every client completes all its requests (a timed-out one counts)"},
	checkConvergedToMax:  {"converged-to-max", "at the end every server holds the largest value any server ever held"},
	checkNoInvented:      {"no-invented-values", "no server ever holds a value that no client set"},
	checkAckedKept:       {"acknowledged-sets-kept", "no accepted set is lost: every accepted value is at most the final value"},
	checkMonotonicReads:  {"monotonic-reads", "the values a client reads never decrease"},
	checkLiveness:        {"liveness", "servers converge within the liveness bound after healing and after the last accepted set"},
}

// CheckNames returns the names of the checks, in the order reports list
// them.
func CheckNames() []string {
	names := make([]string, numChecks)
	for i, d := range checkDefs {
		names[i] = d.name
	}
	return names
}

// Check is the verdict of one check on one run.
type Check struct {
	Name string
	Rule string // the invariant, in words
	// Violations counts the times the invariant was broken, and First
	// describes the first of them.
	Violations int
	First      string
	// Anomalies counts the breaks that a non-durable crash or the
	// strategy explains (see Anomaly; the report lists them).
	Anomalies int
	// Skipped, if not empty, says why the invariant does not apply to
	// the run: rumor mongering alone promises no convergence, so no
	// bound on it either.
	Skipped string
}

// Status is the verdict of a check, one of four.
type Status int

// The verdicts of a check, in the order of their weight.
const (
	// StatusPass: the invariant always held.
	StatusPass Status = iota
	// StatusSkipped: the invariant does not apply to the run.
	StatusSkipped
	// StatusAnomaly: the invariant broke, and every break is explained
	// by a named crash without durable storage or by the strategy's
	// documented residue. It does not fail the run.
	StatusAnomaly
	// StatusFail: the invariant broke, at least once without an explanation.
	StatusFail
)

// Word is how the summary and the JSON Lines name the status.
func (s Status) Word() string {
	switch s {
	case StatusPass:
		return "pass"
	case StatusSkipped:
		return "skipped"
	case StatusAnomaly:
		return "anomaly"
	}
	return "fail"
}

// Status returns the check's verdict: a failure outweighs anomalies.
func (c Check) Status() Status {
	switch {
	case c.Skipped != "":
		return StatusSkipped
	case c.Violations > 0:
		return StatusFail
	case c.Anomalies > 0:
		return StatusAnomaly
	}
	return StatusPass
}

// Passed reports whether the check did not fail: the invariant held, or
// did not apply, or broke only in ways a crash or the strategy explains.
func (c Check) Passed() bool { return c.Violations == 0 }

// Anomaly is a break of an invariant that a fault or the strategy
// explains: a server that crashed without durable storage came back with
// nothing, and so lost an acknowledged set or made a client read an older
// value; or rumor mongering or direct mail without a backing anti-entropy
// stopped, nothing being left to send, before every server had the largest
// value (its residue). It is what such a crash or such a protocol does, not
// a bug, so it does not fail the run; the report names it and its cause.
type Anomaly struct {
	Check string // the invariant it breaks
	What  string
}

// wipe is a non-durable restart: a server came back at 0 having held value.
type wipe struct {
	crash  int
	server sim.NodeID
	at     sim.Time
	value  int64
}

// read is the last value a client read: when it asked, and when the
// answer came.
type read struct {
	value       int64
	invoked, at sim.Time
	ok          bool
}

// checker is the observer that runs the checks and keeps the figures of the
// report. It also knows, in constant time, whether the run is over: the
// engine asks before every event.
type checker struct {
	c         *Cluster
	checks    [numChecks]Check
	anomalies []Anomaly

	// About the node being stepped, read in BeforeStep, and the time of
	// the step being judged.
	before  int64
	hadNews bool
	at      sim.Time

	maxEver     int64    // largest value any server ever held
	curMax      int64    // largest value a server holds now
	curMaxRose  sim.Time // when a server last took a value larger than any held
	atCur       int      // servers holding curMax now
	down        int      // servers crashed and not restarted
	clientsDone int
	// done says which clients were seen finished. The checker keeps its
	// own record, a byte a client, rather than read each client before
	// it steps: in a run of 100,000 clients that read was a cache miss
	// on every client step.
	done       []bool
	lastChange sim.Time // last time any server's value changed

	// Rumor mongering and direct mail: servers with news to spread now.
	news int
	// For the stop rule (see quiescent): the values in flight to servers,
	// and whether the faults are over.
	flight     flight
	faultsOver bool

	proposed     map[int64]struct{} // every value a client asked to set
	maxSet       int64
	hasSet       bool
	accepted     int64
	lastAccepted sim.Time
	maxAccepted  int64

	wipes    []wipe
	lastWipe []int  // per server: its latest wipe, or -1
	reads    []read // per client
	timeouts int64
	late     int64

	story storyRecorder
}

func newChecker(c *Cluster) *checker {
	k := &checker{
		c:        c,
		atCur:    c.cfg.Servers,
		proposed: make(map[int64]struct{}),
		lastWipe: make([]int, c.cfg.Servers),
		// Without faults the safety phase is over from the start.
		faultsOver: !c.cfg.Faults.Any(),
		reads:      make([]read, c.cfg.Clients),
		done:       make([]bool, c.cfg.Clients),
		story:      newStoryRecorder(c.cfg.Servers, c.cfg.Inject),
	}
	for i := range k.checks {
		k.checks[i].Name, k.checks[i].Rule = checkDefs[i].name, checkDefs[i].rule
	}
	for i := range k.lastWipe {
		k.lastWipe[i] = -1
	}
	if v := c.cfg.Inject; v > 0 && c.cfg.Servers > 0 {
		// server-1 holds the injected value from the start, as if a
		// client had set it.
		k.proposed[v] = struct{}{}
		k.maxEver, k.curMax, k.atCur = v, v, 1
		if c.servers[0].Infective() {
			k.news = 1
		}
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

func (k *checker) anomaly(check int, t sim.Time, format string, args ...any) {
	k.checks[check].Anomalies++
	k.anomalies = append(k.anomalies, Anomaly{checkDefs[check].name, fmt.Sprintf("at %v: ", t) + fmt.Sprintf(format, args...)})
}

// unbacked reports whether servers spread values by rumor mongering or
// direct mail alone, which promise no convergence.
func (cfg *Config) unbacked() bool { return cfg.Strategy.Backable() && cfg.Rumor.AntiEntropy == 0 }

// BeforeStep remembers the state of the server about to step.
func (k *checker) BeforeStep(_ sim.Time, node sim.NodeID) {
	if k.c.isServer(node) {
		r := k.c.servers[node]
		k.before, k.hadNews = r.Counter(), r.Infective()
	}
}

// AfterStep checks one step against the state before it.
func (k *checker) AfterStep(s *Step) {
	k.trackFlight(s)
	if s.In.Kind == sim.Start && k.c.cfg.Clients == 0 && k.c.cfg.Faults.Any() {
		// With no client to finish, the safety phase ends at the start,
		// unless the scenario set its end.
		k.c.engine.EndFaults()
	}
	switch {
	case s.In.Kind == sim.FaultsEnd:
		k.faultsOver = true
	case s.Node == sim.NoNode || s.In.Kind == sim.Drop:
		// Network events change no node.
	case s.In.Kind == sim.CrashKind:
		k.down++
	case k.c.isServer(s.Node):
		k.serverStep(s)
	default:
		k.clientStep(s)
	}
}

func (k *checker) serverStep(s *Step) {
	before, after := k.before, k.c.servers[s.Node].Counter()
	if hot := k.c.servers[s.Node].Infective(); hot != k.hadNews {
		if hot {
			k.news++
		} else {
			k.news--
		}
	}
	wiped := s.In.Kind == sim.Recover && !s.In.Durable
	if s.In.Kind == sim.Recover {
		k.down--
	}
	if wiped {
		k.lastWipe[s.Node] = len(k.wipes)
		k.wipes = append(k.wipes, wipe{s.Crash, s.Node, s.Time, before})
	}
	k.at = s.Time
	acceptedSet := judgeServer(s.In, before, after, s.Sends, s.Node, k)
	k.story.step(s, before, after, acceptedSet)
	if after != before {
		k.valueChanged(s, before, after)
	}
	if s.In.Kind != sim.Deliver {
		return
	}
	switch s.In.Msg.Type {
	case Set:
		v := s.In.Msg.Value
		if !k.hasSet || v > k.maxSet {
			k.maxSet, k.hasSet = v, true
		}
		if acceptedSet {
			k.accepted++
			k.lastAccepted = s.Time
			k.maxAccepted = max(k.maxAccepted, v)
		}
	}
}

// judgeServer makes the checks that one step of a server can break, on the
// step's input, the server's value before and after it, and what it sent,
// calling fail for each broken one. It reports whether the step answered
// a set as accepted. The run's checker and the explorer
// (see StepJudge) judge with it alike.
//
// It names nodes only to describe a break, so that a step that breaks
// nothing formats and allocates nothing; and it reports breaks to an
// interface, not a func value, which a step would have to build.
func judgeServer(in Input, before, after int64, sends []sim.Sent[Msg], node sim.NodeID, j stepJudge) (acceptedSet bool) {
	wiped := in.Kind == sim.Recover && !in.Durable
	// A restart without durable storage must come back at exactly 0, and
	// one with durable storage with exactly what the server held: any
	// other value came from nowhere, or kept what the crash destroyed.
	switch {
	case wiped && after != 0:
		j.broke(checkNeverDecrease, "%s restarted without durable storage at %d, not 0 (it held %d)", j.Name(node), after, before)
	case in.Kind == sim.Recover && !wiped && after != before:
		j.broke(checkNeverDecrease, "%s restarted from durable storage at %d, having held %d", j.Name(node), after, before)
	case after < before && !wiped:
		j.broke(checkNeverDecrease, "%s went from %d to %d", j.Name(node), before, after)
	}
	if in.Kind != sim.Deliver {
		return false
	}
	switch in.Msg.Type {
	case Get:
		reply, ok := replyTo(sends, in.From, GetReply)
		switch {
		case !ok:
			j.broke(checkGetCurrent, "%s sent no get_reply to %s", j.Name(node), j.Name(in.From))
		case reply.Value != before:
			j.broke(checkGetCurrent, "%s answered get from %s with %d while holding %d", j.Name(node), j.Name(in.From), reply.Value, before)
		}
	case Set:
		v := in.Msg.Value
		want := v > before
		reply, ok := replyTo(sends, in.From, SetReply)
		switch {
		case !ok:
			j.broke(checkSetIffLarger, "%s sent no set_reply to %s", j.Name(node), j.Name(in.From))
		case reply.Accepted != want:
			j.broke(checkSetIffLarger, "%s answered set %d from %s with accepted=%t while holding %d", j.Name(node), v, j.Name(in.From), reply.Accepted, before)
		case want && after != v, !want && after != before:
			j.broke(checkSetIffLarger, "%s holding %d was left at %d by set %d from %s", j.Name(node), before, after, v, j.Name(in.From))
		}
		return ok && reply.Accepted
	}
	return false
}

// valueChanged keeps the largest values up to date after a server's value
// changed from before to after.
func (k *checker) valueChanged(s *Step, before, after int64) {
	if _, ok := k.proposed[after]; !ok && after != 0 {
		k.fail(checkNoInvented, s.Time, "%s holds %d, which no client set", k.Name(s.Node), after)
	}
	k.lastChange = s.Time
	k.maxEver = max(k.maxEver, after)
	switch {
	case after > k.curMax:
		k.curMax, k.atCur, k.curMaxRose = after, 1, s.Time
	case after == k.curMax:
		k.atCur++
	case before == k.curMax:
		// The server fell below the largest value: rare (a restart
		// without durable storage, or a bug), so a scan is cheap enough.
		k.atCur--
		if k.atCur == 0 {
			k.flight.fell()
			k.curMax = 0
			for _, r := range k.c.servers {
				k.curMax = max(k.curMax, r.Counter())
			}
			for _, r := range k.c.servers {
				if r.Counter() == k.curMax {
					k.atCur++
				}
			}
		}
	}
}

// Namer names nodes: the engine does, and so does the explorer.
type Namer interface{ Name(sim.NodeID) string }

// stepJudge is what judgeServer reports to: the run's checker, or a
// StepJudge.
type stepJudge interface {
	Namer
	broke(check int, format string, args ...any)
}

// Name names a node for the checks' descriptions, only when one breaks: a
// server steps millions of times in a large run, and looking its name up
// each time costs more than the checks.
func (k *checker) Name(id sim.NodeID) string { return k.c.engine.Name(id) }

// broke records a break of check at the time of the step being judged.
func (k *checker) broke(check int, format string, args ...any) { k.fail(check, k.at, format, args...) }

// replyTo finds the reply of type t a server sent to node to.
func replyTo(sends []sim.Sent[Msg], to sim.NodeID, t MsgType) (Msg, bool) {
	for _, m := range sends {
		if m.To == to && m.Msg.Type == t {
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
	i := int(s.Node) - k.c.cfg.Servers
	for _, n := range s.Notes {
		switch {
		case n.Kind == Late:
			k.late++
		case n.Kind == Op && n.TimedOut:
			k.timeouts++
		case n.Kind == Op && n.Op == Get:
			k.checkRead(s, i, n)
		}
	}
	if k.c.client(s.Node).Done && !k.done[i] {
		k.done[i] = true
		k.clientsDone++
		if k.clientsDone == k.c.cfg.Clients && k.c.cfg.Faults.Any() {
			// The safety phase lasts until the last client finishes,
			// unless the scenario set its end.
			k.c.engine.EndFaults()
		}
	}
}

// checkRead checks that client i's read op is not older than its last.
// A read can go back only if the client's server lost its value in a crash
// without durable storage after it served the last read: an anomaly, not a
// bug. The server served that read some time after it was invoked, so a
// wipe after the invocation may explain it.
func (k *checker) checkRead(s *Step, i int, op Note) {
	v := op.Value
	last := k.reads[i]
	k.reads[i] = read{v, op.Invoked, s.Time, true}
	if !last.ok || v >= last.value {
		return
	}
	name := k.c.engine.Name(s.Node)
	subject := k.c.clients[i].Subject
	if w := k.lastWipe[subject]; w >= 0 && k.wipes[w].at > last.invoked {
		k.anomaly(checkMonotonicReads, s.Time, "%s read %d after %d: %s", name, v, last.value, k.describeWipe(w))
		return
	}
	k.fail(checkMonotonicReads, s.Time, "%s read %d after reading %d at %v", name, v, last.value, last.at)
}

func (k *checker) describeWipe(w int) string {
	x := k.wipes[w]
	return fmt.Sprintf("%s lost %d when it restarted without durable storage at %v (crash %d)",
		k.c.engine.Name(x.server), x.value, x.at, x.crash+1)
}

// missedBy names the first few servers holding less than top.
func (k *checker) missedBy(values []int64, top int64) string {
	var names []string
	for i, v := range values {
		if v < top {
			if len(names) == 3 {
				names = append(names, "...")
				break
			}
			names = append(names, k.c.engine.Name(sim.NodeID(i)))
		}
	}
	return strings.Join(names, ", ")
}

// explainLoss returns the first restart without durable storage that
// destroyed a value of at least v, or -1.
func (k *checker) explainLoss(v int64) int {
	for i, w := range k.wipes {
		if w.value >= v {
			return i
		}
	}
	return -1
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
		Timeouts:        k.timeouts,
		LateReplies:     k.late,
	}
	minFinal, maxFinal := int64(0), int64(0)
	for i, s := range k.c.servers {
		v := s.Counter()
		maxFinal = max(maxFinal, v)
		r.Values = append(r.Values, v)
		if v != r.Values[0] {
			r.Converged = false
		}
		if i == 0 || v < minFinal {
			minFinal = v
		}
	}
	for _, v := range r.Values {
		if v < maxFinal {
			r.Residue++
		}
	}
	if r.Converged {
		if len(r.Values) > 0 {
			r.Value = r.Values[0]
		}
		r.ConvergedAt = k.lastChange
	}
	r.Story = k.story.story(r.Values, r.Converged)
	k.endChecks(&r, res, minFinal)
	r.Checks = k.checks[:]
	r.Anomalies = k.anomalies
	return r
}

func (k *checker) endChecks(r *Report, res sim.Result, minFinal int64) {
	switch w := k.explainLoss(k.maxEver); {
	case r.Converged && r.Value == k.maxEver:
	case r.Converged && w >= 0:
		k.anomaly(checkConvergedToMax, res.Now, "the servers converged on %d, not on %d: %s", r.Value, k.maxEver, k.describeWipe(w))
	case k.c.cfg.unbacked() && res.Reason == sim.Done:
		why := k.c.cfg.Strategy.syncer().alone().residue
		k.anomaly(checkConvergedToMax, res.Now, "residue: %d of %d servers never got %d (%s): %s",
			r.Residue, len(r.Values), k.maxEver, k.missedBy(r.Values, k.maxEver), why)
	default:
		for i, v := range r.Values {
			if v != k.maxEver {
				k.fail(checkConvergedToMax, res.Now, "%s holds %d, but %d was held", k.c.engine.Name(sim.NodeID(i)), v, k.maxEver)
			}
		}
	}
	// Without a final value to compare with, converged-to-max has failed
	// already; a lost set would be the same failure counted twice.
	if r.Converged && k.accepted > 0 && k.maxAccepted > minFinal {
		if w := k.explainLoss(k.maxAccepted); w >= 0 {
			k.anomaly(checkAckedKept, res.Now, "the accepted set %d was lost: %s", k.maxAccepted, k.describeWipe(w))
		} else {
			k.fail(checkAckedKept, res.Now, "a set of %d was accepted, but a server ends with %d", k.maxAccepted, minFinal)
		}
	}
	for i := range k.c.clients {
		cl := &k.c.clients[i]
		if !cl.Done {
			id := sim.NodeID(k.c.cfg.Servers + i)
			k.fail(checkClientsComplete, res.Now, "%s completed %d of %d requests", k.c.engine.Name(id), max(cl.Sent-1, 0), cl.Requests)
		}
	}
	k.checkLiveness(r, res)
}

// defaultLivenessBound is how soon the servers must agree after the faults
// end and the last set is accepted, if the scenario does not say: each
// strategy's own (see its livenessBound), but a lone server's, which needs
// no round at all: one sync interval plus the largest latency.
func (cfg *Config) defaultLivenessBound(maxLatency time.Duration) time.Duration {
	if cfg.Servers < 2 {
		return cfg.SyncInterval + maxLatency
	}
	return cfg.Strategy.syncer().livenessBound(cfg, maxLatency)
}

// checkLiveness: once the faults are over and no more sets are accepted, a
// server holding the largest value syncs it within one interval, and every
// copy arrives within the largest latency (the proof is with the property
// test). A scenario may set its own bound.
//
// The bound counts from the moment some server holds the final value for
// good: usually the later of the healing and the last accepted set. But
// restarts without durable storage may have wiped every copy of it by the
// time the faults end, and it then survives only in messages sent before.
// Those arrive within the largest latency of the healing (a message sent
// after it carries a value some server held after it), so the bound then
// counts from when a server took it again, at the latest the healing plus
// the largest latency.
func (k *checker) checkLiveness(r *Report, res sim.Result) {
	// Whether the bound applies depends on the strategy and the faults,
	// never on why the run stopped: a run cut off at max_time is judged
	// by the same promise as one that ended by itself.
	if cfg := &k.c.cfg; cfg.unbacked() {
		if a := cfg.Strategy.syncer().alone(); !a.boundWithoutFaults || cfg.Faults.Any() {
			k.checks[checkLiveness].Skipped = a.unchecked
			return
		}
	}
	if !r.Converged {
		k.fail(checkLiveness, res.Now, "the servers had not converged when the run stopped (%s)", res.Reason)
		return
	}
	from := r.LastAcceptedSet
	switch {
	case res.FaultsEnded:
		from = max(from, res.HealedAt, min(k.curMaxRose, res.HealedAt.Add(res.MaxLatency)))
	case k.c.cfg.Faults.Any():
		// The run was cut off (by max_time or max_events) while faults
		// could still happen, since a run that stops by itself waits for
		// their end (see quiescent): whatever convergence took, the
		// faults were there to delay it.
		from = max(from, res.Now)
	}
	bound := k.c.cfg.LivenessBound
	if bound == 0 {
		bound = k.c.cfg.defaultLivenessBound(res.MaxLatency)
	}
	r.LivenessDeadline = from.Add(bound)
	if r.ConvergedAt > r.LivenessDeadline {
		k.fail(checkLiveness, r.ConvergedAt, "converged %v after %v, later than the bound of %v",
			fmtDuration(r.ConvergedAt.Sub(from)), from, fmtDuration(bound))
	}
}

// RingHops is how many hops a value takes around a ring to reach every
// server: ceil((Servers-1)/Fanout), with the fanout capped as partners
// caps it.
func (cfg *Config) RingHops() int {
	if cfg.Servers < 2 {
		return 0
	}
	k := max(min(cfg.Fanout, cfg.Servers-1, MaxFanout), 1)
	return (cfg.Servers - 1 + k - 1) / k
}

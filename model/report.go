package model

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"eccounter/sim"
)

// Report is what a run of a cluster found.
type Report struct {
	sim.Result

	// Values holds each server's final value, in server order.
	Values []int64
	// Converged: every server holds the same value, Value. ConvergedAt is
	// when the last server reached it: the last time any value changed.
	Converged   bool
	Value       int64
	ConvergedAt sim.Time
	// Residue counts the servers that end below the largest value a
	// server ends with: those the rumors or mails missed, when rumor
	// mongering or direct mail alone syncs; 0 when the servers converged.
	Residue int

	// MaxSet is the largest value any server received in a set (HasSet:
	// there was one). AcceptedSets counts accepted sets, the last of them
	// at LastAcceptedSet.
	MaxSet          int64
	HasSet          bool
	AcceptedSets    int64
	LastAcceptedSet sim.Time

	// Timeouts counts requests that timed out (their outcome is
	// indeterminate), LateReplies the replies clients ignored.
	Timeouts, LateReplies int64
	// LivenessDeadline is the time by which the servers had to converge.
	LivenessDeadline sim.Time

	// Story tells who set which value when, and how the final value
	// reached each server.
	Story Story

	Checks []Check
	// Anomalies are breaks of invariants that a crash explains.
	Anomalies []Anomaly
}

// Passed reports whether every check passed.
func (r *Report) Passed() bool {
	for _, c := range r.Checks {
		if !c.Passed() {
			return false
		}
	}
	return true
}

// SyncMessages counts the messages servers sent each other to sync:
// pushes, pulls and their answers, rumors and mails; every kind but a
// client's requests and their replies. Dividing by the accepted sets gives
// the price of spreading each new value, the figure to compare strategies
// by.
func (r *Report) SyncMessages() int64 {
	var n int64
	for _, k := range r.Sent {
		for t, name := range msgTypeNames {
			if name == k.Kind && !MsgType(t).isClientMsg() {
				n += k.Count
			}
		}
	}
	return n
}

// AnomaliesOf describes the anomalies of the named check, in the order
// they were found.
func (r *Report) AnomaliesOf(check string) []string {
	var what []string
	for _, a := range r.Anomalies {
		if a.Check == check {
			what = append(what, a.What)
		}
	}
	return what
}

// Check returns the verdict of the named check.
func (r *Report) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func (r *Report) stopText(cfg Config) string {
	switch r.Reason {
	case sim.Done:
		if cfg.unbacked() {
			return cfg.Strategy.syncer().alone().stop
		}
		return "every client finished and every server holds the largest value"
	case sim.Idle:
		return "nothing was left to happen"
	case sim.MaxTimeReached:
		return fmt.Sprintf("max_time (%v) reached first", cfg.MaxTime)
	case sim.MaxEventsReached:
		return fmt.Sprintf("max_events (%d) reached first", cfg.MaxEvents)
	case sim.Aborted:
		return "a node broke the rules; the run was stopped"
	}
	return r.Reason.String()
}

// WriteText writes the report as the summary a person reads at the end of
// a schedule, the story of the run included.
func (r *Report) WriteText(w io.Writer, c *Cluster) error { return r.writeText(w, c, true) }

// WriteBrief writes the summary without the story: what -q prints, which
// a sweep's user reads run after run, so one screen.
func (r *Report) WriteBrief(w io.Writer, c *Cluster) error { return r.writeText(w, c, false) }

func (r *Report) writeText(w io.Writer, c *Cluster, story bool) error {
	var b strings.Builder
	cfg := c.cfg
	fmt.Fprintf(&b, "stopped:      at %v after %d events: %s\n", r.Now, r.Events, r.stopText(cfg))
	b.WriteString("servers:     ")
	switch {
	case len(r.Values) == 0:
		b.WriteString(" none\n")
	case r.Converged && len(r.Values) > 8:
		fmt.Fprintf(&b, " all %d hold %d\n", len(r.Values), r.Value)
	default:
		for i, v := range r.Values {
			fmt.Fprintf(&b, " %s=%d", c.engine.Name(sim.NodeID(i)), v)
		}
		b.WriteString("\n")
	}
	switch {
	case !r.HasSet:
		b.WriteString("sets:         none received\n")
	case r.AcceptedSets == 0:
		// There is no last accepted set to give the time of.
		fmt.Fprintf(&b, "sets:         none accepted; largest received %d\n", r.MaxSet)
	default:
		fmt.Fprintf(&b, "sets:         %d accepted, the last at %v; largest received %d\n", r.AcceptedSets, r.LastAcceptedSet, r.MaxSet)
	}
	switch {
	case !r.Converged:
		b.WriteString("converged:    no\n")
	case r.AcceptedSets > 0 && r.ConvergedAt < r.LastAcceptedSet:
		// Only a broken server accepts a set that changes nothing, so
		// that the last change comes before the last accepted set.
		fmt.Fprintf(&b, "converged:    yes, on %d at %v, %v before the last accepted set\n",
			r.Value, r.ConvergedAt, fmtDuration(r.LastAcceptedSet.Sub(r.ConvergedAt)))
	case r.AcceptedSets > 0:
		fmt.Fprintf(&b, "converged:    yes, on %d at %v, %v after the last accepted set\n",
			r.Value, r.ConvergedAt, fmtDuration(r.ConvergedAt.Sub(r.LastAcceptedSet)))
	default:
		fmt.Fprintf(&b, "converged:    yes, on %d (no set was ever accepted)\n", r.Value)
	}
	if story {
		b.Write(r.Story.appendText(nil))
	}
	var total int64
	kinds := make([]string, len(r.Sent))
	for i, k := range r.Sent {
		total += k.Count
		kinds[i] = fmt.Sprintf("%s %d", k.Kind, k.Count)
	}
	fmt.Fprintf(&b, "messages:     %d sent", total)
	if len(kinds) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(kinds, ", "))
	}
	fmt.Fprintf(&b, ", largest latency %v\n", fmtDuration(r.MaxLatency))
	fmt.Fprintf(&b, "sync:         %s: %d messages", cfg.DescribeSync(), r.SyncMessages())
	if r.AcceptedSets > 0 {
		fmt.Fprintf(&b, ", %.1f per accepted set", float64(r.SyncMessages())/float64(r.AcceptedSets))
	}
	b.WriteString("\n")
	if cfg.Faults.Any() || r.Timeouts > 0 || r.LateReplies > 0 {
		fmt.Fprintf(&b, "faults:       %s dropped, %s duplicated; %s timed out, %s ignored\n",
			Count(int(r.Dropped), "delivery"), Count(int(r.Duplicated), "message"),
			Count(int(r.Timeouts), "request"), Count(int(r.LateReplies), "late reply"))
		switch {
		case r.FaultsEnded && r.LivenessDeadline > 0:
			fmt.Fprintf(&b, "healed:       at %v; the servers had to converge by %v\n", r.HealedAt, r.LivenessDeadline)
		case r.FaultsEnded:
			// No deadline: liveness was not checked, or the servers
			// never converged.
			fmt.Fprintf(&b, "healed:       at %v\n", r.HealedAt)
		}
	}
	if cfg.unbacked() {
		fmt.Fprintf(&b, "residue:      %d of %d servers\n", r.Residue, len(r.Values))
	}
	b.WriteString("checks:\n")
	for _, ch := range r.Checks {
		switch ch.Status() {
		case StatusSkipped:
			fmt.Fprintf(&b, "  -        %-24s %s\n           not checked: %s\n", ch.Name, ch.Rule, ch.Skipped)
		case StatusPass:
			fmt.Fprintf(&b, "  pass     %-24s %s\n", ch.Name, ch.Rule)
		case StatusAnomaly:
			fmt.Fprintf(&b, "  anomaly  %-24s %s\n", ch.Name, ch.Rule)
			for _, what := range r.AnomaliesOf(ch.Name) {
				fmt.Fprintf(&b, "           %s\n", what)
			}
		case StatusFail:
			fmt.Fprintf(&b, "  FAIL     %-24s %s\n", ch.Name, ch.Rule)
			fmt.Fprintf(&b, "           %s; first %s\n", Count(int(ch.Violations), "violation"), ch.First)
		}
	}
	fmt.Fprintf(&b, "verdict:      %s\n", r.Verdict())
	_, err := io.WriteString(w, b.String())
	return err
}

// Verdict counts the checks by status, as the summary's verdict line says
// it: "all 10 checks passed", "7 passed, 3 anomalies (...)", "1 of 10
// checks FAILED". Anomalies do not fail a run, but are named beside the
// passes, never counted among them: a lost value explained is still a
// lost value.
func (r *Report) Verdict() string {
	var n [StatusFail + 1]int
	for _, ch := range r.Checks {
		n[ch.Status()]++
	}
	checked := len(r.Checks) - n[StatusSkipped]
	var s string
	switch {
	case n[StatusFail] > 0:
		s = fmt.Sprintf("%d of %d checks FAILED", n[StatusFail], checked)
	case n[StatusAnomaly] > 0:
		s = fmt.Sprintf("%d passed", n[StatusPass])
	case n[StatusSkipped] > 0:
		return fmt.Sprintf("all %d checks that apply passed", checked)
	default:
		return fmt.Sprintf("all %d checks passed", checked)
	}
	switch a := n[StatusAnomaly]; {
	case a == 1:
		s += ", 1 anomaly (explained, so not a failure)"
	case a > 1:
		s += fmt.Sprintf(", %d anomalies (explained, so not failures)", a)
	}
	return s
}

// DescribeSync names the strategy and its parameters, as a scenario's
// [sync] table gives them: "rumor-push, fanout 1, feedback, counter, k 2".
func (cfg *Config) DescribeSync() string { return cfg.Strategy.syncer().describe(cfg) }

// appendText appends the rumor's parameters: "feedback, counter, k 2",
// and the backing anti-entropy if any.
func (r Rumor) appendText(b []byte) []byte {
	if r.Blind {
		b = append(b, "blind, "...)
	} else {
		b = append(b, "feedback, "...)
	}
	if r.Coin {
		b = append(b, "coin, k "...)
	} else {
		b = append(b, "counter, k "...)
	}
	b = strconv.AppendInt(b, int64(r.K), 10)
	return r.appendAntiEntropy(b)
}

// appendAntiEntropy appends the backing anti-entropy, if any:
// ", anti-entropy every 2s".
func (r Rumor) appendAntiEntropy(b []byte) []byte {
	if r.AntiEntropy > 0 {
		b = append(b, ", anti-entropy every "...)
		b = append(b, r.AntiEntropy.String()...)
	}
	return b
}

// fmtDuration renders a span of virtual time the way Time renders an
// instant, so that the two read alike.
func fmtDuration(d time.Duration) string { return sim.Time(d).String() }

// AppendJSON appends the report as the "summary" record of the JSON Lines
// trace, with its newline.
func (r *Report) AppendJSON(b []byte) []byte {
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, int64(r.Now), 10)
	b = append(b, `,"event":"summary","node":"","stop":`...)
	b = sim.AppendJSONString(b, r.Reason.String())
	b = append(b, `,"converged":`...)
	b = strconv.AppendBool(b, r.Converged)
	b = append(b, `,"value":`...)
	b = sim.AppendJSONOptInt(b, r.Value, r.Converged)
	b = append(b, `,"converged_at":`...)
	b = sim.AppendJSONOptInt(b, int64(r.ConvergedAt), r.Converged)
	b = append(b, `,"residue":`...)
	b = strconv.AppendInt(b, int64(r.Residue), 10)
	b = append(b, `,"values":[`...)
	for i, v := range r.Values {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	b = append(b, `],"max_set":`...)
	b = sim.AppendJSONOptInt(b, r.MaxSet, r.HasSet)
	b = append(b, `,"accepted_sets":`...)
	b = strconv.AppendInt(b, r.AcceptedSets, 10)
	b = append(b, `,"last_accepted_set":`...)
	b = sim.AppendJSONOptInt(b, int64(r.LastAcceptedSet), r.AcceptedSets > 0)
	b = append(b, `,"events":`...)
	b = strconv.AppendInt(b, r.Events, 10)
	b = append(b, `,"messages":{`...)
	for i, k := range r.Sent {
		b = appendMember(b, i, k.Kind)
		b = strconv.AppendInt(b, k.Count, 10)
	}
	b = append(b, `},"sync_messages":`...)
	b = strconv.AppendInt(b, r.SyncMessages(), 10)
	b = append(b, `,"max_latency":`...)
	b = strconv.AppendInt(b, int64(r.MaxLatency), 10)
	b = append(b, `,"dropped":`...)
	b = strconv.AppendInt(b, r.Dropped, 10)
	b = append(b, `,"duplicated":`...)
	b = strconv.AppendInt(b, r.Duplicated, 10)
	b = append(b, `,"timeouts":`...)
	b = strconv.AppendInt(b, r.Timeouts, 10)
	b = append(b, `,"late_replies":`...)
	b = strconv.AppendInt(b, r.LateReplies, 10)
	b = append(b, `,"healed_at":`...)
	b = sim.AppendJSONOptInt(b, int64(r.HealedAt), r.FaultsEnded)
	b = append(b, `,"checks":{`...)
	for i, ch := range r.Checks {
		b = appendMember(b, i, ch.Name)
		b = append(b, checkJSON(ch)...)
	}
	b = append(b, `},"failures":[`...)
	first := true
	for _, ch := range r.Checks {
		if ch.Passed() {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"check":`...)
		b = sim.AppendJSONString(b, ch.Name)
		b = append(b, `,"violations":`...)
		b = strconv.AppendInt(b, int64(ch.Violations), 10)
		b = append(b, `,"first":`...)
		b = sim.AppendJSONString(b, ch.First)
		b = append(b, '}')
	}
	b = append(b, `],"anomalies":[`...)
	for i, a := range r.Anomalies {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"check":`...)
		b = sim.AppendJSONString(b, a.Check)
		b = append(b, `,"what":`...)
		b = sim.AppendJSONString(b, a.What)
		b = append(b, '}')
	}
	b = append(b, `],"passed":`...)
	b = strconv.AppendBool(b, r.Passed())
	b = append(b, `,"story":`...)
	b = r.Story.appendJSON(b)
	return append(b, "}\n"...)
}

// checkJSON is a check's verdict as the summary record writes it: true,
// false, "anomaly" or null (not checked).
func checkJSON(ch Check) string {
	switch ch.Status() {
	case StatusSkipped:
		return "null"
	case StatusAnomaly:
		return `"anomaly"`
	}
	return strconv.FormatBool(ch.Passed())
}

// appendMember starts member i of a JSON object: a comma after the first,
// the key, a colon.
func appendMember(b []byte, i int, key string) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	b = sim.AppendJSONString(b, key)
	return append(b, ':')
}

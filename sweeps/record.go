// Package sweeps is what a sweep of seeds is made of, whoever runs it:
// the record of one seed (a line of eccounter-sim -seeds A..B), and the
// tally of the records that makes the sweep's summary and its histogram.
// The command line and the browser playground both call it, so that the
// page's summary of a sweep is the bytes eccounter-sim prints.
package sweeps

import (
	"errors"
	"strconv"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// Record is the outcome of one seed: a line of a sweep's output, and
// what its summary is made of. -summarize reads it back from that line.
type Record struct {
	Seed int64
	// FailedCheck is empty if the seed passed; otherwise the first failed
	// check in report order, or "determinism" (the two runs' traces
	// differ), or "aborted" (the engine stopped a node breaking its rules).
	FailedCheck string
	// AnomalyCheck is the first check in report order whose status is
	// anomaly (broken, but explained by a crash without durable storage
	// or by the strategy), or empty.
	AnomalyCheck string
	Stop         string
	Converged    bool
	ConvergedAt  int64 // virtual ns; when Converged
	// AfterLastSet is ConvergedAt minus the time of the last accepted set,
	// when the run converged and some set was accepted (HasAfterLastSet).
	AfterLastSet    int64
	HasAfterLastSet bool
	Events          int64
	Messages        int64 // sent, all kinds
	// Residue counts the servers that ended below the largest value: with
	// rumor mongering or direct mail alone, those the rumors or mails
	// missed.
	Residue int
	// Fingerprint is the scenario's (scenarios.Scenario.Fingerprint):
	// the same in every record of a sweep. Empty in records older than
	// it, which -summarize reads too.
	Fingerprint string
	// TraceHash is the SHA-256 of the run's JSON Lines trace, with
	// -check-determinism; RerunHash that of the second run, only if it
	// differs.
	TraceHash string
	RerunHash string
}

// Failed reports whether the seed failed.
func (r *Record) Failed() bool { return r.FailedCheck != "" }

// Verdict is the record's verdict: fail outweighs anomaly, which does not
// fail a seed but is not a pass either.
func (r *Record) Verdict() string {
	switch {
	case r.Failed():
		return "fail"
	case r.AnomalyCheck != "":
		return "anomaly"
	}
	return "pass"
}

// AppendJSON appends the record as one line. The keys are always in this
// order, so that the output of the same sweep is the same bytes.
func (r *Record) AppendJSON(b []byte) []byte {
	b = append(b, `{"seed":`...)
	b = strconv.AppendInt(b, r.Seed, 10)
	b = append(b, `,"verdict":"`...)
	b = append(b, r.Verdict()...)
	b = append(b, `","failed_check":`...)
	b = appendOptString(b, r.FailedCheck)
	b = append(b, `,"anomaly_check":`...)
	b = appendOptString(b, r.AnomalyCheck)
	b = append(b, `,"stop":`...)
	b = strconv.AppendQuote(b, r.Stop)
	b = append(b, `,"converged":`...)
	b = strconv.AppendBool(b, r.Converged)
	b = append(b, `,"converged_at":`...)
	b = sim.AppendJSONOptInt(b, r.ConvergedAt, r.Converged)
	b = append(b, `,"after_last_set":`...)
	b = sim.AppendJSONOptInt(b, r.AfterLastSet, r.HasAfterLastSet)
	b = append(b, `,"events":`...)
	b = strconv.AppendInt(b, r.Events, 10)
	b = append(b, `,"messages":`...)
	b = strconv.AppendInt(b, r.Messages, 10)
	b = append(b, `,"residue":`...)
	b = strconv.AppendInt(b, int64(r.Residue), 10)
	if r.Fingerprint != "" {
		b = append(b, `,"fingerprint":"`...)
		b = append(b, r.Fingerprint...)
		b = append(b, '"')
	}
	if r.TraceHash != "" {
		b = append(b, `,"trace_hash":"`...)
		b = append(b, r.TraceHash...)
		b = append(b, '"')
	}
	if r.RerunHash != "" {
		b = append(b, `,"rerun_hash":"`...)
		b = append(b, r.RerunHash...)
		b = append(b, '"')
	}
	return append(b, "}\n"...)
}

// appendOptString appends s quoted, or null if it is empty.
func appendOptString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return strconv.AppendQuote(b, s)
}

// NewRecord makes the record of a run from its report; err is Run's.
func NewRecord(seed int64, r *model.Report, err error) Record {
	rec := Record{Seed: seed}
	if err != nil {
		// The report of an aborted run is empty; the replay shows why.
		rec.FailedCheck, rec.Stop = "aborted", "aborted"
		return rec
	}
	for _, ch := range r.Checks {
		switch ch.Status() {
		case model.StatusFail:
			if rec.FailedCheck == "" {
				rec.FailedCheck = ch.Name
			}
		case model.StatusAnomaly:
			if rec.AnomalyCheck == "" {
				rec.AnomalyCheck = ch.Name
			}
		}
	}
	rec.Stop = r.Reason.String()
	rec.Converged, rec.ConvergedAt = r.Converged, int64(r.ConvergedAt)
	if r.Converged && r.AcceptedSets > 0 {
		rec.AfterLastSet, rec.HasAfterLastSet = int64(r.ConvergedAt-r.LastAcceptedSet), true
	}
	rec.Events, rec.Residue = r.Events, r.Residue
	for _, k := range r.Sent {
		rec.Messages += k.Count
	}
	return rec
}

// ErrCapped is what a Runner's function returns for a seed whose run went
// on past the runner's cap on events: its record would not be the
// command line's, which runs it to its end.
var ErrCapped = errors.New("the run went on past the cap on events")

// Runner returns the function that runs sc, bare (no trace), under a
// seed and returns its record: the record eccounter-sim -seeds writes
// without -check-determinism. If maxEvents is above 0 and below the
// scenario's max_events, a run is stopped after maxEvents events, and the
// function returns ErrCapped instead of a record.
func Runner(sc *scenarios.Scenario, maxEvents int64) func(seed int64) (Record, error) {
	s := *sc // the runner's copy, whose seed it changes
	fp := sc.Fingerprint()
	return func(seed int64) (Record, error) {
		// The configuration is made again for each seed, not made
		// once with its Seed changed: a swarm scenario draws its
		// faults from the seed when it becomes a configuration.
		s.Seed = seed
		cfg := s.Config()
		capped := cfg.CapEvents(maxEvents)
		r, err := model.NewCluster(cfg).Run()
		if capped && err == nil && r.Reason == sim.MaxEventsReached {
			return Record{}, ErrCapped
		}
		rec := NewRecord(seed, &r, err)
		rec.Fingerprint = fp
		return rec, nil
	}
}

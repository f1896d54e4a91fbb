package model

import (
	"fmt"

	"eccounter/sim"
)

// What a search that steps the nodes itself (package explore) needs of the
// model: the nodes as a run starts them, and the checks of one step, the
// same the run's checker makes.

// NewNodes returns the servers and clients of cfg as a run starts them
// (server-1 holding the injected value, the clients assigned their
// servers), or Validate's error.
func NewNodes(cfg Config) ([]Replica, []Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	if cfg.Strategy == "" {
		cfg.Strategy = StrategyBroadcast
	}
	if _, ok := LookupVariant(cfg.Variant); !ok && cfg.WrapServer == nil {
		return nil, nil, fmt.Errorf("model: no server variant named %q", cfg.Variant)
	}
	s, c := newNodes(&cfg)
	return s, c, nil
}

// Unbacked reports whether the servers of cfg spread values by rumor
// mongering or direct mail alone: they promise no convergence, so a
// server left out at the end is their residue, not a failure.
func (cfg *Config) Unbacked() bool { return cfg.unbacked() }

// A Violation is the first break of a check in a step.
type Violation struct {
	Check string // as Report.Checks names it
	What  string
}

// A StepJudge makes the checks one step of a server can break, as the
// run's checker does (see Judge). Names names the nodes in what it says;
// keep one and reuse it, so that judging allocates nothing.
type StepJudge struct {
	Names Namer
	v     Violation
	found bool
}

// Judge judges a step: server node took input in and went from value
// before to after, sending sends. It returns the first break, if any.
func (j *StepJudge) Judge(in Input, before, after int64, sends []sim.Sent[Msg], node sim.NodeID) (Violation, bool) {
	j.v, j.found = Violation{}, false
	judgeServer(in, before, after, sends, node, j)
	return j.v, j.found
}

// Name names a node, through j.Names.
func (j *StepJudge) Name(id sim.NodeID) string { return j.Names.Name(id) }

func (j *StepJudge) broke(check int, format string, args ...any) {
	if !j.found {
		j.v, j.found = Violation{checkDefs[check].name, fmt.Sprintf(format, args...)}, true
	}
}

// PromisesConvergence reports whether the servers of cfg promise to
// converge: every strategy does, but rumor mongering and direct mail
// alone, of which direct mail promises it only when nothing goes wrong.
// It is when the run's checker judges liveness.
func (cfg *Config) PromisesConvergence() bool {
	if !cfg.unbacked() {
		return true
	}
	return cfg.Strategy.syncer().alone().boundWithoutFaults && !cfg.Faults.Any()
}

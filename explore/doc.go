// Package explore explores every schedule of a small configuration of the
// ec-counter protocol: every order of its messages and timers, every
// outcome of its random choices, and the scenario's faults within bounds.
// It steps the very model.Server and model.Client the simulator steps,
// through sim.Stepper, and judges each server step with the simulator's
// own model.StepJudge, so that what it proves is the code that runs,
// not a second model of it.
//
// A state (world.go) is what the nodes hold (model.AppendState), what is
// in flight and which timers are armed, and what the checks remember of
// the path; no time. The search (search.go) is breadth first, on every
// core, with the same result whatever their number; it stores 64-bit
// fingerprints or whole states, one representative of interchangeable
// nodes (symmetry.go), and judges liveness on the state graph under
// per-action weak fairness (liveness.go). A counterexample comes back as a
// model.Schedule, which the simulator replays (model.Cluster.Replay).
//
// docs/explore.md says what a verdict proves, under which bounds, and why.
package explore

// Package model is the ec-counter protocol: servers that each hold an
// integer counter and sync it with one another, and clients that each talk
// to one server. Both are pure state machines driven by the engine in
// package sim; read server.go and client.go top to bottom to see how the
// protocol runs.
//
// Servers sync by broadcast or by one of Demers' anti-entropy strategies
// ([Strategy]); clients time out on requests they get no answer to. Under
// faults, a server restarts with or without its value (durable or not).
//
// A [Cluster] wires a configuration of servers and clients into an engine,
// checks the protocol's invariants on every step (see checks.go) and
// produces a [Report]. [TextWriter] renders a run as a readable schedule,
// [ShiVizWriter] as a log for ShiViz. The same checks judge a path another
// driver picks ([Cluster.Drive]), a [Schedule] replayed step by step
// ([Cluster.Replay]) and a saved JSON Lines trace ([JudgeTrace]).
//
// Node IDs follow a fixed layout: servers are nodes 0..Servers-1 and named
// server-1.., clients follow and are named client-1...
package model

import "eccounter/sim"

// Env is the engine's environment for one step of an ec-counter node.
type Env = sim.Env[Msg, Note]

// Input is one input to an ec-counter node.
type Input = sim.Input[Msg]

// Engine is the engine specialised to ec-counter messages and notes.
type Engine = sim.Engine[Msg, Note]

// Step is one step of an ec-counter node, as observers see it.
type Step = sim.Step[Msg, Note]

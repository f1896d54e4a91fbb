// Package sim is a deterministic discrete-event engine for simulating
// message-passing protocols.
//
// The engine knows nothing of any particular protocol. A protocol plugs in as
// a set of nodes, each a state machine implementing [Node]: the engine hands
// a node one [Input] at a time (its start, a delivered message or a fired
// timer) together with an [Env] that tells it the virtual time and answers
// its random choices, and the node answers by writing into the Env what it
// wants done: messages to send, timers to arm, notes to record. The node
// never acts on the world itself; the engine applies what it asked for after
// its step returns.
//
// A caller drives the engine like this:
//
//	e := sim.New[Msg, Note](sim.Config{Seed: 42, Latency: lat, MaxTime: ..., MaxEvents: ...})
//	id := e.Add("server-1", server)     // nodes get IDs 0, 1, 2... in order
//	e.Restrict(clientID, serverID)      // optional: whom a node may address
//	e.Observe(checker)                  // optional: see every step
//	res, err := e.Run(done)             // until done() holds or a limit hits
//
// # Determinism
//
// Everything that happens is a function of the seed. Time is an integer
// count of virtual nanoseconds ([Time]); nothing reads the wall clock.
// Events wait in a priority queue ordered by (time, sequence number), where
// the sequence number counts events in the order they were scheduled, so two
// events due at the same instant always run in the same order. All
// randomness comes from PCG streams derived from the seed: one for the
// network and one per node, so that adding a node does not change the
// choices the others make. The engine runs on the caller's goroutine and
// starts none of its own.
//
// # Choices
//
// Every random choice is an explicit, labelled choice point: a node's
// through [Env.Choose], [Env.Chance] and [Env.ChooseDistinct], the
// network's (loss, duplication, latency) inside the engine. By default
// the seeded streams answer them; [Config].Chooser answers them instead,
// so that an explorer can see every choice and try each outcome, and
// [Seeded] wrapped in a recorder lists them without changing the run.
// The order of events is the other choice: instead of Run, a driver calls
// [Engine.Start], then [Engine.Pending] and [Engine.Fire] to make any
// pending event happen next, the clock moving only forward (see Fire).
//
// # Tracing
//
// Observers registered with [Engine.Observe] see each step twice: before the
// node runs (so a checker can read the node's state as it was) and after,
// as a [Step] record holding the input, the notes and the messages sent.
// [JSONLWriter] renders steps as JSON Lines; a protocol renders them as
// readable text itself, since only it knows what a step means.
// [VectorClocks] keeps a vector clock per node from the same steps.
//
// # Faults
//
// [Config].Faults makes the network lose and duplicate messages, cuts it
// with partitions, and crashes nodes (their timers die with them, and they
// come back with a Recover input), all drawn from the seed. Faults last
// until Faults.Until or until the protocol calls [Engine.EndFaults]; then
// the network heals and every crashed node restarts. Observers see drops,
// crashes, partitions and the end of faults as steps of their own.
package sim

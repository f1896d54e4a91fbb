package model

import (
	"slices"
	"strconv"
)

// A Record describes one kind of record of the JSON Lines trace
// (eccounter-sim -trace jsonl): its event, the nodes it is about, and its
// keys beyond CommonKeys. Contract lists them all; docs/jsonl.md is
// generated from it, and a test holds every record of every
// shipped scenario's trace to it.
type Record struct {
	Event string
	Nodes Nodes
	// NodeDoc says which node it is about ("the sender"), if that needs
	// saying beyond Nodes.
	NodeDoc string
	Doc     string
	Keys    []Key
}

// Nodes says what the node key of a record names: the whole run, a
// server, a client, or one of these.
type Nodes uint8

// The nodes a record can be about.
const (
	NoNode Nodes = 1 << iota // "": the whole run
	AServer
	AClient
)

// A Key is one member of a record, or of an object inside one.
type Key struct {
	Name string
	Type Type
	// When says when the key is present; "" means always. Present, if
	// set, is the same rule as a function of the object holding the key:
	// the key is there exactly when it returns true. A key with When but
	// no Present depends on what the record does not show (whether the
	// network duplicated a message).
	When    string
	Present func(obj map[string]any) bool
	Doc     string
}

// Type is the JSON type of a value, as the trace writes it.
type Type struct {
	// JSON lists the types it may have: "integer" (a number written in
	// decimal, with no fraction or exponent), "number" (written with a
	// fraction, as TOML writes floats), "string", "boolean", "null",
	// "array", "object".
	JSON []string
	// Values, if any, are the only values it may hold, as JSON texts:
	// `"get"`, `true`.
	Values []string
	// Elem is the type of an array's elements, or of every member of an
	// object whose members are named by data (check names, message
	// kinds), in which case Names lists the names they may have.
	Elem  *Type
	Names []string
	// Keys are the members of an object whose members are fixed.
	Keys []Key
	// Holds says what a string holds when that is all there is to say of
	// it: "a duration", "a node's name".
	Holds string
}

// Always reports whether every object that may hold k holds it.
func (k Key) Always() bool { return k.When == "" }

// The types of the trace.
var (
	tInt       = Type{JSON: []string{"integer"}}
	tIntOrNull = Type{JSON: []string{"integer", "null"}}
	tNumber    = Type{JSON: []string{"number"}}
	tString    = Type{JSON: []string{"string"}}
	tBool      = Type{JSON: []string{"boolean"}}
	tDuration  = Type{JSON: []string{"string"}, Holds: "a duration"}
	tNode      = Type{JSON: []string{"string"}, Holds: "a node's name"}
)

// tEnum is the type of a string that holds one of values.
func tEnum(values ...string) Type {
	t := Type{JSON: []string{"string"}}
	for _, v := range values {
		t.Values = append(t.Values, strconv.Quote(v))
	}
	return t
}

// CommonKeys are the keys every record starts with, in this order.
var CommonKeys = []Key{
	{Name: "t", Type: tInt, Doc: "virtual time in nanoseconds: when the step the record belongs to happened; it never decreases from one record to the next"},
	{Name: "event", Type: tEnum(Events()...), Doc: "the kind of record, one of those below"},
	{Name: "node", Type: tNode, Doc: "the node the record is about, `server-1`.., `client-1`..; `\"\"` for records about the whole run"},
}

// MsgKinds are the kinds of message, in the order of MsgType.
func MsgKinds() []string { return slices.Clone(msgTypeNames[Get:]) }

// clientKinds are the messages between a client and its server.
var clientKinds = []string{"get", "get_reply", "set", "set_reply"}

func strategyNames() []string {
	var s []string
	for _, st := range Strategies {
		s = append(s, string(st))
	}
	return s
}

// is returns a Present function: the object's key holds one of values.
func is(key string, values ...string) func(map[string]any) bool {
	return func(obj map[string]any) bool {
		s, ok := obj[key].(string)
		return ok && slices.Contains(values, s)
	}
}

func not(f func(map[string]any) bool) func(map[string]any) bool {
	return func(obj map[string]any) bool { return !f(obj) }
}

// messageKeys are the keys of send, recv and drop records: the message.
var messageKeys = []Key{
	{Name: "id", Type: tInt, Doc: "the message's number, from 1, unique in the run; both copies of a duplicated message have the same"},
	{Name: "from", Type: tNode, Doc: "its sender"},
	{Name: "to", Type: tNode, Doc: "its receiver"},
	{Name: "msg", Type: tEnum(MsgKinds()...), Doc: "its kind: a client's `get` and `set` and their `get_reply` and `set_reply`; " +
		"between servers `sync` (broadcast, push, ring), `pull`, `push_pull` (also the backing anti-entropy) and their `pull_reply`, " +
		"`rumor` and its `rumor_ack` (rumor-push), `rumor_pull` and its `rumor_reply` (rumor-pull), `mail` (direct-mail)"},
	{Name: "value", Type: tIntOrNull, Doc: "the value it carries: the value to set, the value read (`get_reply`), " +
		"the server's value before the set (`set_reply`: the old value if accepted, the current one if not), " +
		"the rumor a `rumor_ack` answers, or the sender's value; `null` for `get` and `pull`, which carry none"},
	{Name: "accepted", Type: tBool, When: "`set_reply` and `rumor_ack` only", Present: is("msg", "set_reply", "rumor_ack"),
		Doc: "`set_reply`: the set was taken; `rumor_ack`: the rumor was news to its receiver"},
	{Name: "req", Type: tInt, When: "`get`, `get_reply`, `set`, `set_reply` only", Present: is("msg", clientKinds...),
		Doc: "the client's request number, from 1, which a reply repeats"},
}

var crashKeys = []Key{
	{Name: "crash", Type: tInt, Doc: "which `[[crash]]` of the scenario, from 1"},
	{Name: "durable", Type: tBool, Doc: "whether the server keeps its value through the crash"},
}

// timedOut reports whether an op record is of an operation that timed out.
func timedOut(obj map[string]any) bool { return obj["timed_out"] == true }

// scenarioKeys are the keys of the resolved scenario, as package
// scenarios writes it (Scenario.AppendJSON).
var scenarioKeys = []Key{
	{Name: "seed", Type: tInt},
	{Name: "servers", Type: tInt},
	{Name: "clients", Type: tInt},
	{Name: "requests_per_client", Type: tInt},
	{Name: "set_ratio", Type: tNumber},
	{Name: "max_value", Type: tInt},
	{Name: "sync_interval", Type: tDuration},
	{Name: "assignment", Type: tEnum(string(RoundRobin), string(Random))},
	{Name: "max_time", Type: tDuration},
	{Name: "max_events", Type: tInt},
	{Name: "request_timeout", Type: tDuration},
	{Name: "loss", Type: tNumber},
	{Name: "duplicate", Type: tNumber},
	{Name: "faults_until", Type: tDuration, When: "only if the scenario sets it"},
	{Name: "liveness_bound", Type: tDuration, When: "only if the scenario sets it"},
	{Name: "swarm", Type: tBool, Doc: "`false` once a swarm's faults are drawn: the keys below replay them as they are"},
	{Name: "latency", Type: Type{JSON: []string{"object"}, Keys: []Key{
		{Name: "distribution", Type: tEnum("fixed", "uniform", "exponential")},
		{Name: "fixed", Type: tDuration, When: "`fixed` only", Present: is("distribution", "fixed")},
		{Name: "min", Type: tDuration, When: "`uniform` only", Present: is("distribution", "uniform")},
		{Name: "max", Type: tDuration, When: "`uniform` only", Present: is("distribution", "uniform")},
		{Name: "floor", Type: tDuration, When: "`exponential` only", Present: is("distribution", "exponential")},
		{Name: "mean", Type: tDuration, When: "`exponential` only", Present: is("distribution", "exponential")},
	}}},
	{Name: "sync", Type: Type{JSON: []string{"object"}, Keys: []Key{
		{Name: "strategy", Type: tEnum(strategyNames()...)},
		{Name: "fanout", Type: tInt, When: "all but `broadcast` and `direct-mail`",
			Present: not(is("strategy", string(StrategyBroadcast), string(StrategyDirectMail)))},
		{Name: "k", Type: tInt, When: "`rumor-push` and `rumor-pull` only", Present: is("strategy", string(StrategyRumorPush), string(StrategyRumorPull))},
		{Name: "feedback", Type: tBool, When: "`rumor-push` and `rumor-pull` only", Present: is("strategy", string(StrategyRumorPush), string(StrategyRumorPull))},
		{Name: "coin", Type: tBool, When: "`rumor-push` and `rumor-pull` only", Present: is("strategy", string(StrategyRumorPush), string(StrategyRumorPull))},
		{Name: "anti_entropy", Type: tDuration, When: "`rumor-push`, `rumor-pull` and `direct-mail` only",
			Present: is("strategy", string(StrategyRumorPush), string(StrategyRumorPull), string(StrategyDirectMail))},
	}}},
	{Name: "server", Type: Type{JSON: []string{"object"}, Keys: []Key{
		{Name: "variant", Type: tEnum(VariantNames()[1:]...), Doc: "the deliberately broken server every server runs (see [Broken servers](variants.md))"},
	}}, When: "only if the scenario sets a variant other than `correct`"},
	{Name: "partition", Type: Type{JSON: []string{"array"}, Elem: &Type{JSON: []string{"object"}, Keys: []Key{
		{Name: "at", Type: tDuration},
		{Name: "heal", Type: tDuration, When: "only if the scenario sets it"},
		{Name: "groups", Type: Type{JSON: []string{"array"}, Elem: &Type{JSON: []string{"array"}, Elem: &tNode}}},
	}}}, Doc: "the `[[partition]]` tables, `[]` if none"},
	{Name: "crash", Type: Type{JSON: []string{"array"}, Elem: &Type{JSON: []string{"object"}, Keys: []Key{
		{Name: "node", Type: tNode},
		{Name: "at", Type: tDuration},
		{Name: "restart", Type: tDuration, When: "only if the scenario sets it"},
		{Name: "durable", Type: tBool},
	}}}, Doc: "the `[[crash]]` tables, `[]` if none"},
}

// setKeys are the keys of an accepted set in the summary's story.
var setKeys = []Key{
	{Name: "t", Type: tInt, Doc: "when the server accepted it"},
	{Name: "client", Type: tNode, Doc: "the client that set it"},
	{Name: "server", Type: tNode, Doc: "the server that accepted it"},
	{Name: "value", Type: tInt, Doc: "the value set"},
	{Name: "id", Type: tInt, Doc: "the `set` message's `id`"},
}

// changeKeys are the keys of a change of a server's value in the
// summary's story: what it became, when, and why. wipes: a change may be
// a wipe, which no message caused; a chain's never is.
func changeKeys(wipes bool) []Key {
	causes := takerWords()
	causeDoc := "why: the kind of message that brought the value (`set` from a client; `sync`, `push_pull`, `pull_reply`, `rumor`, `rumor_reply` or `mail` from a peer)"
	from, id := tNode, tInt
	sentDoc := "when a peer sent the message; `null` for a client's `set`, "
	if wipes {
		causes = append(causes, "wipe")
		causeDoc += ", or `wipe`: a restart that took the value away (to 0)"
		from, id = Type{JSON: []string{"string", "null"}, Holds: "a node's name"}, tIntOrNull
		sentDoc = "when a peer sent the message; `null` for a client's `set` or a `wipe`, "
	}
	fromDoc, idDoc := "the message's sender", "the message's `id`"
	if wipes {
		fromDoc, idDoc = fromDoc+"; `null` for a `wipe`", idDoc+"; `null` for a `wipe`"
	}
	return []Key{
		{Name: "t", Type: tInt, Doc: "when the value changed (its `update` record's `t`)"},
		{Name: "value", Type: tInt, Doc: "the new value"},
		{Name: "cause", Type: tEnum(causes...), Doc: causeDoc},
		{Name: "from", Type: from, Doc: fromDoc},
		{Name: "id", Type: id, Doc: idDoc},
		{Name: "sent", Type: tIntOrNull, Doc: sentDoc + "or if more than 16,384 messages between servers were sent since, too long ago for the run to remember"},
	}
}

// storyKeys are the keys of the summary's story.
var storyKeys = []Key{
	{Name: "value", Type: tInt, Doc: "the value the story follows: the one the servers converged on, or else the largest a server ends with"},
	{Name: "origin", Type: Type{JSON: []string{"object", "null"}, Keys: setKeys},
		Doc: "the accepted set that started it, the earliest one at the end of a chain; `null` if none is known (a value held from the start, or chains not kept)"},
	{Name: "origins", Type: tInt, Doc: "how many sets the chains go back to: more than 1 when clients set the value at several servers, each copy spreading on its own"},
	{Name: "sets", Type: Type{JSON: []string{"array"}, Elem: &Type{JSON: []string{"object"}, Keys: setKeys}},
		Doc: "the accepted sets in order: the first 4 and the last 16"},
	{Name: "sets_left_out", Type: tInt, Doc: "accepted sets left out of `sets`, between its first 4 and the rest"},
	{Name: "servers", Type: Type{JSON: []string{"array"}, Elem: &Type{JSON: []string{"object"}, Keys: []Key{
		{Name: "server", Type: tNode, Doc: "the server"},
		{Name: "start", Type: tInt, Doc: "the value it started with"},
		{Name: "changes", Type: Type{JSON: []string{"array"}, Elem: &Type{JSON: []string{"object"}, Keys: changeKeys(true)}},
			Doc: "its value's changes in order: the first 4 and the last 16"},
		{Name: "changes_left_out", Type: tInt, Doc: "changes left out of `changes`, between its first 4 and the rest"},
		{Name: "holds", Type: tBool, Doc: "it ends holding the story's `value`"},
		{Name: "got", Type: tIntOrNull, Doc: "when it took that value for good (after its last wipe); `null` if it does not hold it, or held it from the start"},
		{Name: "chain", Type: Type{JSON: []string{"array"}, Elem: &Type{JSON: []string{"object"},
			Keys: append([]Key{{Name: "server", Type: tNode, Doc: "the server that took the value"}}, changeKeys(false)...)}},
			Doc: "how the value came to it: its own change at `got`, then the change by which the sender of that message held the value when it sent it, and so on back to a client's `set`; `[]` if it does not hold the value or held it from the start"},
		{Name: "chain_complete", Type: tBool, Doc: "the chain goes back to a `set`, or to a server that held the value from the start; " +
			"`false` if it stops at a change no longer kept (see `changes_left_out`)"},
	}}}, Doc: "each server's part, in server order, for the first 100 servers"},
	{Name: "servers_left_out", Type: tInt, Doc: "servers beyond the first 100, left out of `servers`"},
}

// Contract is every record the JSON Lines trace of a run can hold, in the
// order a reader first meets them.
var Contract = []Record{
	{Event: "scenario", Nodes: NoNode, Doc: "The first record, at `t` 0: the scenario as it runs.", Keys: []Key{
		{Name: "source", Type: tString, Doc: "the scenario file as the command line names it, or `default.toml (embedded)`"},
		{Name: "replay", Type: tString, Doc: "the command line that replays the run"},
		{Name: "swarm", Type: tBool, Doc: "whether the faults below were drawn from the seed (`swarm = true` or `-swarm`)"},
		{Name: "fingerprint", Type: Type{JSON: []string{"string"}, Holds: "a scenario's fingerprint"},
			Doc: "the scenario's fingerprint, as every record of a sweep of it carries: `\"sha256:\"` and 16 hex digits, " +
				"the same whatever the seed and however the file is written (see [Seed sweeps](sweeps.md#which-scenario-a-record-is-of)); of a swarm, that of the scenario before its faults are drawn"},
		{Name: "scenario", Type: Type{JSON: []string{"object"}, Keys: scenarioKeys},
			Doc: "the resolved scenario: each key of the table in [Scenarios](scenarios.md) but those left unset, with its value, " +
				"durations in Go's notation (`\"500ms\"`, `\"1h\"`), probabilities with a fraction (`0.0`)"},
	}},
	{Event: "start", Nodes: AServer | AClient, Doc: "A node's first step, at `t` 0; every node has one, servers first."},
	{Event: "send", Nodes: AServer | AClient, NodeDoc: "the sender",
		Doc: "A message was sent. It follows the records of the step that sent it.",
		Keys: append(slices.Clone(messageKeys),
			Key{Name: "arrive", Type: tInt, Doc: "when the network delivers it (or drops it: see `drop`)"},
			Key{Name: "duplicate_arrive", Type: tInt, When: "only if the network duplicates the message",
				Doc: "when the second copy arrives, which may be before the first; each copy gets a `recv` or a `drop` of its own"},
		)},
	{Event: "recv", Nodes: AServer | AClient, NodeDoc: "the receiver",
		Doc:  "A message, or one copy of a duplicated one, was delivered; the records of what the receiver did about it follow.",
		Keys: messageKeys},
	{Event: "drop", Nodes: AServer | AClient, NodeDoc: "the receiver",
		Doc: "A message, or one copy of a duplicated one, was not delivered, at the time it was due to arrive.",
		Keys: append(slices.Clone(messageKeys), Key{Name: "reason", Type: tEnum("loss", "partition", "down"),
			Doc: "`loss`: the network lost it, as decided when it was sent (only while the faults last, but a lost message is dropped even if it was due after they ended); " +
				"`partition`: a partition separated sender and receiver when it arrived; `down`: the receiver was crashed when it arrived; when several apply, the first of these three"})},
	{Event: "timer", Nodes: AServer | AClient, Doc: "A timer of the node went off. A crashed server's timers die with it, without a record.",
		Keys: []Key{{Name: "timer", Type: tEnum(SyncTimer, AntiEntropyTimer, TimeoutTimer),
			Doc: "`sync`: a server's round; `anti-entropy`: the backing anti-entropy of rumor mongering or direct mail; `timeout`: a client's request timed out"}}},
	{Event: "crash", Nodes: AServer, Doc: "The server stopped: it receives nothing and its timers are gone. " +
		"A `[[crash]]` due while its server is down, or after the faults end, does not happen and has no record.", Keys: crashKeys},
	{Event: "restart", Nodes: AServer, Doc: "The server came back, at its `restart` or when the faults end, and steps again.", Keys: crashKeys},
	{Event: "partition", Nodes: NoNode, Doc: "A partition began; one due after the faults end does not happen and has no record.",
		Keys: []Key{{Name: "partition", Type: tInt, Doc: "which `[[partition]]` of the scenario, from 1"}}},
	{Event: "partition_heal", Nodes: NoNode, Doc: "A partition healed at its `heal`; one that would heal after the faults end, or has no `heal`, heals with `faults_end` instead, without a record of its own.",
		Keys: []Key{{Name: "partition", Type: tInt, Doc: "which `[[partition]]` of the scenario, from 1"}}},
	{Event: "faults_end", Nodes: NoNode, Doc: "The safety phase ended: every partition healed, and each crashed server restarts (`restart` records at the same `t` follow). " +
		"There is one exactly when the summary's `healed_at` is not `null`: at `faults_until`, or, in a scenario with faults and no `faults_until`, " +
		"at the instant the last client finished (even when the run stops then), unless `max_time` or `max_events` stops the run first."},
	{Event: "update", Nodes: AServer, Doc: "The server's value changed: a set it accepted, a value it learned from a peer, or a restart without durable storage (to 0).",
		Keys: []Key{
			{Name: "value", Type: tInt, Doc: "the new value"},
			{Name: "prev", Type: tInt, Doc: "the value before"},
		}},
	{Event: "lost_interest", Nodes: AServer, Doc: "A rumor-mongering server stopped spreading its rumor, at the end of a round.",
		Keys: []Key{
			{Name: "value", Type: tInt, Doc: "the rumor: the server's value"},
			{Name: "tries", Type: tInt, Doc: "the rounds counted against the rumor (with feedback, rounds in which every contact knew it already; blind, every round with a contact)"},
		}},
	{Event: "op", Nodes: AClient, Doc: "The client completed an operation, at `t`: its reply came, or it timed out.",
		Keys: []Key{
			{Name: "op", Type: tEnum("get", "set"), Doc: "what the operation was"},
			{Name: "seq", Type: tInt, Doc: "the client's request number, from 1"},
			{Name: "invoked", Type: tInt, Doc: "when the client sent the request"},
			{Name: "timed_out", Type: Type{JSON: []string{"boolean"}, Values: []string{"true"}}, When: "only if it timed out",
				Doc: "no reply came in time: the outcome is unknown (a set may or may not have been applied)"},
			{Name: "value", Type: tInt, When: "all but a `get` that timed out", Present: not(func(o map[string]any) bool { return timedOut(o) && o["op"] == "get" }),
				Doc: "the value read, or the value to set"},
			{Name: "accepted", Type: tBool, When: "a `set` that did not time out", Present: func(o map[string]any) bool { return !timedOut(o) && o["op"] == "set" },
				Doc: "the set was taken"},
			{Name: "prev", Type: tInt, When: "a `set` that did not time out", Present: func(o map[string]any) bool { return !timedOut(o) && o["op"] == "set" },
				Doc: "the server's value before the set, as its reply says"},
		}},
	{Event: "late", Nodes: AClient, Doc: "The client ignored a reply: to a request that timed out, or to one it had its answer to already (the network duplicated the request or the reply).",
		Keys: []Key{{Name: "req", Type: tInt, Doc: "the request the reply answers"}}},
	{Event: "finished", Nodes: AClient, Doc: "The client completed its last request (at `t` 0 if it has none).",
		Keys: []Key{{Name: "ops", Type: tInt, Doc: "how many requests it made"}}},
	{Event: "summary", Nodes: NoNode, Doc: "The last record: the report. `t` is the time of the last event (`max_time` if the run stopped there).",
		Keys: []Key{
			{Name: "stop", Type: tEnum("done", "idle", "max_time", "max_events", "aborted"),
				Doc: "why the run stopped: `done` (every client finished and the servers agree, or for rumor mongering and direct mail without anti-entropy nothing is left to spread), " +
					"`idle` (nothing left to happen), `max_time`, `max_events`, `aborted` (a node broke the engine's rules)"},
			{Name: "converged", Type: tBool, Doc: "every server holds the same value"},
			{Name: "value", Type: tIntOrNull, Doc: "that common value; `null` if not converged"},
			{Name: "converged_at", Type: tIntOrNull, Doc: "when a server's value last changed; `null` if not converged"},
			{Name: "residue", Type: tInt, Doc: "servers that end below the largest final value"},
			{Name: "values", Type: Type{JSON: []string{"array"}, Elem: &tInt}, Doc: "each server's final value, in server order"},
			{Name: "max_set", Type: tIntOrNull, Doc: "the largest value a server received in a set; `null` if none"},
			{Name: "accepted_sets", Type: tInt, Doc: "sets the servers accepted"},
			{Name: "last_accepted_set", Type: tIntOrNull, Doc: "when the last was accepted; `null` if none"},
			{Name: "events", Type: tInt, Doc: "events processed: one for each `start`, `recv`, `drop`, `timer`, `crash`, `restart`, `partition`, `partition_heal` and `faults_end` record"},
			{Name: "messages", Type: Type{JSON: []string{"object"}, Elem: &tInt, Names: MsgKinds()}, Doc: "message kind → messages sent (`send` records), in the order of the kinds' names; kinds never sent are absent"},
			{Name: "sync_messages", Type: tInt, Doc: "of those, the messages between servers: every kind but `get`, `get_reply`, `set`, `set_reply`"},
			{Name: "max_latency", Type: tInt, Doc: "the largest latency the network drew, in nanoseconds"},
			{Name: "dropped", Type: tInt, Doc: "deliveries that did not happen (`drop` records)"},
			{Name: "duplicated", Type: tInt, Doc: "messages the network duplicated (`send` records with `duplicate_arrive`)"},
			{Name: "timeouts", Type: tInt, Doc: "requests that timed out (`op` records with `timed_out`)"},
			{Name: "late_replies", Type: tInt, Doc: "replies clients ignored (`late` records)"},
			{Name: "healed_at", Type: tIntOrNull, Doc: "when the faults ended (the `faults_end` record's `t`); `null` if they did not end during the run"},
			{Name: "checks", Type: Type{JSON: []string{"object"}, Elem: &Type{JSON: []string{"boolean", "string", "null"}, Values: []string{"true", "false", `"anomaly"`, "null"}}, Names: CheckNames()},
				Doc: "check name → verdict, every check in the order of [The checks](run.md#the-checks): `true` passed, `false` failed, " +
					"`\"anomaly\"` broken but explained by a named crash without durable storage or by the strategy's residue (see `anomalies`), `null` not checked"},
			{Name: "failures", Type: Type{JSON: []string{"array"}, Elem: &Type{JSON: []string{"object"}, Keys: []Key{
				{Name: "check", Type: tString, Doc: "the check's name, as in `checks`"},
				{Name: "violations", Type: tInt, Doc: "how many times it was broken"},
				{Name: "first", Type: tString, Doc: "the first time, described"},
			}}}, Doc: "each check that failed, `[]` if none"},
			{Name: "anomalies", Type: Type{JSON: []string{"array"}, Elem: &Type{JSON: []string{"object"}, Keys: []Key{
				{Name: "check", Type: tString, Doc: "the check's name, as in `checks`"},
				{Name: "what", Type: tString, Doc: "what happened, and the crash or strategy that explains it"},
			}}}, Doc: "each anomaly, `[]` if none"},
			{Name: "passed", Type: tBool, Doc: "no check failed (anomalies do not fail a run); the exit status is 0 exactly then"},
			{Name: "story", Type: Type{JSON: []string{"object"}, Keys: storyKeys},
				Doc: "who set which value when, and how the final value reached each server; the text summary tells it too (not with `-q`)"},
		}},
}

// Events lists the events of Contract, in its order.
func Events() []string {
	// Not from Contract itself, which the common keys' type needs
	// before it is built.
	return []string{"scenario", "start", "send", "recv", "drop", "timer", "crash", "restart", "partition",
		"partition_heal", "faults_end", "update", "lost_interest", "op", "late", "finished", "summary"}
}

package model

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"eccounter/sim"
)

// Judgement is what JudgeTrace makes of a saved trace: the checks' report
// on the steps it shows, and where that report disagrees with the
// trace's own summary.
type Judgement struct {
	// Report is the checker's report on the trace's steps. Its Now and
	// Reason are the summary's (the records do not show why the run
	// stopped); the rest is rebuilt from the records.
	Report Report
	// Summary is the trace's own summary record, as written.
	Summary []byte
	// Disagreements lists each check whose verdict in Report is not the
	// summary's, such as "values-never-decrease: judged false, the trace's
	// summary says true"; none if they agree.
	Disagreements []string

	c *Cluster // the stand-ins, which name the nodes for WriteText
}

// WriteText writes the judged report as the summary of a run reads
// (Report.WriteText).
func (jd *Judgement) WriteText(w io.Writer) error { return jd.Report.WriteText(w, jd.c) }

// JudgeTrace reads a JSON Lines trace (eccounter-sim -trace jsonl),
// rebuilds the steps the engine observed, and runs the checks of every
// run on them: the same checker, fed the same Step values, reading node
// state from stand-in servers and clients whose state follows the trace's
// update and finished records. So a trace that was edited, or written by
// another driver, is judged by the rules the engine's own runs are.
//
// config turns the scenario record's "scenario" object into the run's
// Config (package scenarios owns that format). The trace must end with
// its summary record; a record the contract does not allow, or one in a
// place it cannot be, is an error naming its line.
func JudgeTrace(r io.Reader, config func(scenario []byte) (Config, error)) (Judgement, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	line := 0
	next := func() (traceRecord, []byte, bool, error) {
		for sc.Scan() {
			line++
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			var rec traceRecord
			if err := json.Unmarshal(b, &rec); err != nil {
				return rec, nil, false, fmt.Errorf("line %d: %s", line, jsonError(err))
			}
			return rec, b, true, nil
		}
		if err := sc.Err(); err != nil {
			return traceRecord{}, nil, false, fmt.Errorf("line %d: %w", line+1, err)
		}
		return traceRecord{}, nil, false, nil
	}
	first, _, ok, err := next()
	switch {
	case err != nil:
		return Judgement{}, err
	case !ok:
		return Judgement{}, errors.New("empty trace: want a scenario record first")
	case first.Event != "scenario" || len(first.Scenario) == 0:
		return Judgement{}, fmt.Errorf("line %d: the first record is %s, not the scenario", line, quoted(first.Event))
	}
	cfg, err := config(first.Scenario)
	if err != nil {
		return Judgement{}, fmt.Errorf("line %d: scenario: %w", line, err)
	}
	if err := cfg.Validate(); err != nil {
		return Judgement{}, fmt.Errorf("line %d: scenario: %w", line, err)
	}
	j := newJudge(cfg)
	for {
		rec, raw, ok, err := next()
		if err != nil {
			return Judgement{}, err
		}
		if !ok {
			return Judgement{}, fmt.Errorf("line %d: the trace ends without its summary record", line)
		}
		if rec.Event == "summary" {
			jd, err := j.end(&rec, raw)
			if err != nil {
				return Judgement{}, fmt.Errorf("line %d: %w", line, err)
			}
			if _, _, more, err := next(); err != nil || more {
				return Judgement{}, fmt.Errorf("line %d: a record after the summary, which is the last", line)
			}
			return jd, nil
		}
		if err := j.add(&rec); err != nil {
			return Judgement{}, fmt.Errorf("line %d: %s record: %w", line, quoted((rec.Event)), err)
		}
	}
}

// traceRecord holds any record of the trace: each kind uses the keys
// model.Contract gives it.
type traceRecord struct {
	T     int64  `json:"t"`
	Event string `json:"event"`
	Node  string `json:"node"`

	Scenario json.RawMessage `json:"scenario"`

	ID              int64  `json:"id"`
	From            string `json:"from"`
	To              string `json:"to"`
	Msg             string `json:"msg"`
	Value           *int64 `json:"value"`
	Accepted        bool   `json:"accepted"`
	Req             uint32 `json:"req"`
	Arrive          int64  `json:"arrive"`
	DuplicateArrive *int64 `json:"duplicate_arrive"`
	Reason          string `json:"reason"`
	Timer           string `json:"timer"`
	Crash           int    `json:"crash"`
	Durable         bool   `json:"durable"`
	Partition       int    `json:"partition"`

	Prev     int64  `json:"prev"`
	Op       string `json:"op"`
	Seq      int    `json:"seq"`
	Invoked  int64  `json:"invoked"`
	TimedOut bool   `json:"timed_out"`
	Ops      int    `json:"ops"`
	Tries    int    `json:"tries"`

	Stop   string                     `json:"stop"`
	Checks map[string]json.RawMessage `json:"checks"`
}

// traceServer is a server as a trace shows it: its value is the last
// update record's. It is never stepped. Infective is always false: the
// trace does not show it, and only the stop rule reads it, which a judge
// of a run already stopped never asks.
type traceServer struct{ value int64 }

func (s *traceServer) Step(*Env, Input) { panic("model: a server judged from a trace cannot step") }
func (s *traceServer) Counter() int64   { return s.value }
func (s *traceServer) Infective() bool  { return false }

// judge feeds a trace's steps to the checker of a cluster whose nodes are
// stand-ins: the cluster's engine is never run, and names the nodes.
type judge struct {
	c       *Cluster
	servers []*traceServer
	names   map[string]sim.NodeID

	step    Step
	open    bool // step holds a step not yet checked
	events  int64
	sent    map[string]int64
	maxLat  int64
	dropped int64
	dups    int64
	healed  bool
	healAt  sim.Time
}

func newJudge(cfg Config) *judge {
	j := &judge{names: make(map[string]sim.NodeID), sent: make(map[string]int64)}
	cfg.WrapServer = func(s *Server) Replica {
		ts := &traceServer{value: s.Value}
		j.servers = append(j.servers, ts)
		return ts
	}
	cfg.WrapClient, cfg.Chooser = nil, nil
	j.c = NewCluster(cfg)
	for i := range cfg.Servers + cfg.Clients {
		j.names[j.c.engine.Name(sim.NodeID(i))] = sim.NodeID(i)
	}
	return j
}

// node looks up a node's name; "" is the whole run.
func (j *judge) node(name string) (sim.NodeID, error) {
	if name == "" {
		return sim.NoNode, nil
	}
	id, ok := j.names[name]
	if !ok {
		return 0, fmt.Errorf("no node named %s in the scenario", quoted((name)))
	}
	return id, nil
}

// stepKinds are the records that start a step, by the name the JSON
// Lines writer gives each kind of input (InputKind.String).
var stepKinds = func() map[string]sim.InputKind {
	m := map[string]sim.InputKind{}
	for _, k := range []sim.InputKind{sim.Start, sim.Deliver, sim.Timer, sim.Recover,
		sim.CrashKind, sim.Drop, sim.PartitionStart, sim.PartitionEnd, sim.FaultsEnd} {
		m[k.String()] = k
	}
	return m
}()

// add takes one record: a step's, which checks the step before it, or
// one of what the step's node did.
func (j *judge) add(rec *traceRecord) error {
	id, err := j.node(rec.Node)
	if err != nil {
		return err
	}
	t := sim.Time(rec.T)
	if kind, ok := stepKinds[rec.Event]; ok {
		if j.open && t < j.step.Time {
			return fmt.Errorf("t %d is before the step before it, at %d", rec.T, int64(j.step.Time))
		}
		j.flush()
		return j.begin(rec, kind, id, t)
	}
	switch {
	case !j.open:
		return errors.New("comes before any step")
	case t != j.step.Time || id != j.step.Node:
		return fmt.Errorf("at t %d for %s, but its step is at t %d for %s", rec.T, quoted(rec.Node), int64(j.step.Time), j.name(j.step.Node))
	case j.step.In.Kind >= sim.CrashKind:
		return fmt.Errorf("follows a %s step, which no node handles", j.step.In.Kind)
	}
	s := &j.step
	server := j.c.isServer(id)
	switch rec.Event {
	case "send":
		m, err := j.message(rec)
		if err != nil {
			return err
		}
		if from, _ := j.node(rec.From); from != id {
			return fmt.Errorf("sent by %s, but the record is %s's", quoted(rec.From), quoted(rec.Node))
		}
		to, _ := j.node(rec.To)
		out := sim.Sent[Msg]{ID: sim.MsgID(rec.ID), To: to, Msg: m, Arrive: sim.Time(rec.Arrive)}
		j.maxLat = max(j.maxLat, rec.Arrive-rec.T)
		if rec.DuplicateArrive != nil {
			out.Duplicated, out.Again = true, sim.Time(*rec.DuplicateArrive)
			j.maxLat = max(j.maxLat, *rec.DuplicateArrive-rec.T)
			j.dups++
		}
		j.sent[rec.Msg]++
		s.Sends = append(s.Sends, out)
		if !server && m.Type.isClientMsg() {
			j.c.client(id).Sent = max(j.c.client(id).Sent, int(m.Req))
		}
	case "update", "lost_interest":
		if !server {
			return errors.New("only servers hold a value")
		}
		if rec.Value == nil {
			return errors.New(`no "value": want the server's value`)
		}
		n := Note{Kind: Update, Value: val(rec.Value), Prev: rec.Prev}
		if rec.Event == "lost_interest" {
			n = Note{Kind: LostInterest, Value: val(rec.Value), Rounds: rec.Tries}
		} else {
			j.servers[id].value = n.Value
		}
		s.Notes = append(s.Notes, n)
	case "op", "late", "finished":
		if server {
			return errors.New("only clients make operations")
		}
		var n Note
		switch rec.Event {
		case "op":
			op, ok := msgType(rec.Op)
			if !ok || (op != Get && op != Set) {
				return fmt.Errorf("op %s: want get or set", quoted((rec.Op)))
			}
			n = Note{Kind: Op, Op: op, Seq: rec.Seq, Invoked: sim.Time(rec.Invoked), TimedOut: rec.TimedOut,
				Value: val(rec.Value), Accepted: rec.Accepted, Prev: rec.Prev}
		case "late":
			n = Note{Kind: Late, Seq: int(rec.Req)}
		default:
			n = Note{Kind: Finished, Seq: rec.Ops}
			j.c.client(id).Done = true
		}
		s.Notes = append(s.Notes, n)
	case "scenario":
		return errors.New("only the first record is the scenario")
	default:
		return errors.New("not a kind of record of the trace")
	}
	return nil
}

// begin starts the step a step record opens, and lets the checker read
// the state before it.
func (j *judge) begin(rec *traceRecord, kind sim.InputKind, id sim.NodeID, t sim.Time) error {
	s := &j.step
	*s = Step{Time: t, Node: id, In: Input{Kind: kind}, Notes: s.Notes[:0], Sends: s.Sends[:0]}
	whole := kind == sim.PartitionStart || kind == sim.PartitionEnd || kind == sim.FaultsEnd
	if !whole && id == sim.NoNode {
		return errors.New("it is about a node: want its name")
	}
	switch kind {
	case sim.PartitionStart, sim.PartitionEnd, sim.FaultsEnd:
		if id != sim.NoNode {
			return errors.New(`it is about the whole run: want node ""`)
		}
		s.Partition = rec.Partition - 1
		if kind == sim.FaultsEnd {
			j.healed, j.healAt = true, t
		}
	case sim.CrashKind, sim.Recover:
		if id == sim.NoNode || !j.c.isServer(id) {
			return errors.New("only servers crash and restart")
		}
		s.In.Durable, s.Crash = rec.Durable, rec.Crash-1
	case sim.Deliver, sim.Drop:
		m, err := j.message(rec)
		if err != nil {
			return err
		}
		from, _ := j.node(rec.From)
		to, _ := j.node(rec.To)
		if to != id {
			return fmt.Errorf("to %s, but the record is %s's", quoted(rec.To), quoted(rec.Node))
		}
		s.In.From, s.In.ID, s.In.Msg = from, sim.MsgID(rec.ID), m
		if kind == sim.Drop {
			s.Reason = rec.Reason
			j.dropped++
		}
	case sim.Timer:
		s.In.Timer = rec.Timer
	}
	j.events++
	j.open = true
	if kind < sim.CrashKind {
		// As the engine does: only a step a node handles has a before.
		j.c.checker.BeforeStep(t, id)
	}
	return nil
}

// flush checks the open step: the stand-ins hold the state after it.
func (j *judge) flush() {
	if !j.open {
		return
	}
	j.open = false
	j.c.checker.AfterStep(&j.step)
	if j.c.isServer(j.step.Node) || j.step.Node == sim.NoNode {
		return
	}
	// The engine refuses a client's send to a node other than its
	// server, so a run never shows one; a trace that does is judged
	// as the run would have been.
	subject := j.c.client(j.step.Node).Subject
	for _, m := range j.step.Sends {
		if m.To != subject {
			j.c.checker.fail(checkOwnServer, j.step.Time, "%s sent %s to %s, not to its server %s",
				j.name(j.step.Node), m.Msg.Kind(), j.name(m.To), j.name(subject))
		}
	}
}

// message reads the message of a send, recv or drop record.
func (j *judge) message(rec *traceRecord) (Msg, error) {
	t, ok := msgType(rec.Msg)
	if !ok {
		return Msg{}, fmt.Errorf("msg %s is not a kind of message", quoted((rec.Msg)))
	}
	for _, name := range []string{rec.From, rec.To} {
		if id, err := j.node(name); err != nil {
			return Msg{}, err
		} else if id == sim.NoNode {
			return Msg{}, errors.New("a message goes from a node to a node")
		}
	}
	return Msg{Type: t, Value: val(rec.Value), Accepted: rec.Accepted, Req: rec.Req}, nil
}

// end checks the last step and judges the run, against the summary rec.
func (j *judge) end(rec *traceRecord, raw []byte) (Judgement, error) {
	j.flush()
	var reason sim.StopReason
	for r := sim.Done; r <= sim.Aborted; r++ {
		if r.String() == rec.Stop {
			reason = r
		}
	}
	if reason == 0 {
		return Judgement{}, fmt.Errorf("summary: stop %s is not a reason a run stops", quoted((rec.Stop)))
	}
	if reason == sim.Aborted {
		// The only way the protocol's runs abort: the engine refused a
		// client's send, and the trace shows no step of it.
		j.c.checker.fail(checkOwnServer, sim.Time(rec.T), "the run was aborted: the engine refused a client's send")
	}
	res := sim.Result{Reason: reason, Now: sim.Time(rec.T), Events: j.events,
		MaxLatency: time.Duration(j.maxLat), Dropped: j.dropped, Duplicated: j.dups,
		FaultsEnded: j.healed, HealedAt: j.healAt}
	for kind, n := range j.sent {
		res.Sent = append(res.Sent, sim.KindCount{Kind: kind, Count: n})
	}
	slices.SortFunc(res.Sent, func(a, b sim.KindCount) int { return strings.Compare(a.Kind, b.Kind) })
	jd := Judgement{Report: j.c.checker.report(res), Summary: raw, c: j.c}
	for _, ch := range jd.Report.Checks {
		got := checkJSON(ch)
		said, ok := rec.Checks[ch.Name]
		switch {
		case !ok:
			jd.Disagreements = append(jd.Disagreements, fmt.Sprintf("%s: judged %s, the trace's summary does not say", ch.Name, got))
		case string(bytes.TrimSpace(said)) != got:
			says := string(bytes.TrimSpace(said))
			if !slices.Contains([]string{"true", "false", "null", `"anomaly"`}, says) {
				says = "the verdict " + quoted(says)
			}
			jd.Disagreements = append(jd.Disagreements, fmt.Sprintf("%s: judged %s, the trace's summary says %s", ch.Name, got, says))
		}
	}
	return jd, nil
}

func (j *judge) name(id sim.NodeID) string {
	if id == sim.NoNode {
		return `""`
	}
	return j.c.engine.Name(id)
}

// msgType reads a message kind's name.
func msgType(name string) (MsgType, bool) {
	i := slices.Index(msgTypeNames[:], name)
	return MsgType(i), i > 0
}

func val(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}

// quoted is a string of the input as an error shows it: short, quoted,
// with its control characters escaped.
func quoted(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}

// jsonError says what is wrong with a record that is not the JSON it
// should be, in the trace's words rather than Go's.
func jsonError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "a string"
		switch te.Type.Kind() {
		case reflect.Bool:
			want = "a boolean"
		case reflect.Int, reflect.Int64, reflect.Uint32, reflect.Pointer:
			want = "an integer"
		case reflect.Map:
			want = "an object"
		case reflect.Struct:
			want = "an object"
		}
		if te.Field == "" {
			return "not a trace record: want " + want + ", got " + te.Value
		}
		return fmt.Sprintf("key %s: want %s, got %s", quoted(te.Field), want, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("not a JSON object: %s at byte %d", strings.TrimPrefix(se.Error(), "json: "), se.Offset)
	}
	return "not a trace record: " + strings.TrimPrefix(err.Error(), "json: ")
}

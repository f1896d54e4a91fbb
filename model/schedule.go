package model

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"eccounter/sim"
)

// A schedule is one interleaving of a run, written down: which pending
// event fires at each step, and how the random choices of the step are
// answered. An explorer writes the schedules it finds; Cluster.Replay runs
// one through the simulator. As text, one step a line, in the words of
// the traces:
//
//	client-1 start choose set?=1 value=2
//	server-1 recv set value=2 req=1 from client-1
//	client-1 recv set_reply value=0 accepted=true req=1 from server-1 choose set?=0
//	server-1 timer sync
//	server-2 recv sync value=2 from server-1 choose loss=0
//	same-instant server-2 recv sync value=1 from server-3
//	server-1 crash 1
//	server-1 drop sync value=2 from server-2
//	server-1 restart
//
// A message names its kind and then its fields: value= for every kind
// that carries one (not get or pull), accepted= for set_reply and
// rumor_ack, req= for a client's requests and their replies, as the JSON
// Lines trace has them. A crash names its [[crash]] entry, numbered from
// 1 as the scenario lists them; a restart is of the crash that took the
// server down. A message that arrives while its server is down is a drop,
// not a recv. '#' starts a comment; blank lines are ignored.

// ScheduleStep is one step of a schedule: which pending event fires, and how
// its random choices are answered.
type ScheduleStep struct {
	Node sim.NodeID
	// Kind is sim.Start, sim.Deliver, sim.Timer, sim.CrashKind,
	// sim.Recover (the restart of the crash that took Node down), or
	// sim.Drop (a delivery to a server that is down).
	Kind sim.InputKind
	From sim.NodeID // Deliver, Drop: the sender
	// Msg is, for Deliver and Drop, the message, with Type, Value, Req
	// and Accepted as the protocol sets them; the fields the text does
	// not carry (see above) are zero.
	Msg   Msg
	Timer string // Timer: its name (SyncTimer, AntiEntropyTimer, TimeoutTimer)
	// Crash is, for CrashKind, which of the scenario's Faults.Crashes
	// happens, from 0 (the text numbers them from 1).
	Crash int
	// SameInstant: the step happens at the instant of the step before
	// (only for Deliver and Drop), rather than at a later one.
	SameInstant bool
	// Choices answer, in the order they are asked during the step, the
	// node's choices (labels ChoiceSet, ChoiceValue, ChoicePartner,
	// ChoiceCoin) and then, send by send, the network's (sim.LabelLoss,
	// sim.LabelDuplicate). Latency is never listed: see Replay.
	Choices []ScheduleChoice
}

// ScheduleChoice is the answer to one choice of a step: Answer is what
// sim.Chooser returns, as the choice's label defines it.
type ScheduleChoice struct {
	Label  string
	Answer int
}

// Schedule is the steps of a run in the order they fire, and the number
// of servers of its scenario, which gives the nodes their names: IDs
// below Servers are servers (server-1 is 0), the rest clients.
type Schedule struct {
	Servers int
	Steps   []ScheduleStep
	// Name and Lines say where ParseSchedule read the steps: the file's
	// name, and the line of each step, for the errors of Replay. Both
	// are optional.
	Name  string
	Lines []int
}

// Limits of what ParseSchedule reads: a line longer than maxScheduleLine
// is no step (the longest real one is under 200 bytes), and a schedule is
// at most maxScheduleSteps steps.
const (
	maxScheduleLine  = 4 << 10
	maxScheduleSteps = 1_000_000
)

// scheduleLabels are the labels a step may list; latency is answered by
// Replay itself.
var scheduleLabels = []string{ChoiceSet, ChoiceValue, ChoicePartner, ChoiceCoin, sim.LabelLoss, sim.LabelDuplicate}

// scheduleTimers are the names of the protocol's timers.
var scheduleTimers = []string{SyncTimer, AntiEntropyTimer, TimeoutTimer}

// sameInstant is the mark of a step at the instant of the step before.
const sameInstant = "same-instant"

// stepWords lists what can happen to a node in a step.
const stepWords = "start, recv, drop, timer, crash or restart"

// Line returns step i as the line WriteTo writes for it.
func (s Schedule) Line(i int) (string, error) {
	b, err := s.appendStep(nil, &s.Steps[i])
	return strings.TrimSuffix(string(b), "\n"), err
}

// WriteTo writes the schedule as text, after a comment saying how to
// replay it. It fails, writing nothing, on a step the text cannot say
// exactly (a kind of input other than those above, a field the message's
// kind does not carry, an unknown label, a crash or restart of a client,
// choices on a crash or a drop), so that what it writes parses back to s
// (for a scenario whose crashes fit).
func (s Schedule) WriteTo(w io.Writer) (int64, error) {
	b := []byte("# A schedule of the ec-counter simulator: one step a line, fired in\n" +
		"# order. Replay it with: eccounter-sim -schedule FILE scenario.toml\n")
	for i := range s.Steps {
		var err error
		if b, err = s.appendStep(b, &s.Steps[i]); err != nil {
			return 0, fmt.Errorf("model: schedule step %d: %v", i+1, err)
		}
		b = append(b, '\n')
	}
	n, err := w.Write(b)
	return int64(n), err
}

// appendStep appends step st as a line of text, without its newline.
func (s Schedule) appendStep(b []byte, st *ScheduleStep) ([]byte, error) {
	node, err := s.name(st.Node)
	if err != nil {
		return b, err
	}
	if st.SameInstant {
		if st.Kind != sim.Deliver && st.Kind != sim.Drop {
			return b, fmt.Errorf("%s at the same instant: only a recv or a drop can be", st.Kind)
		}
		b = append(b, sameInstant+" "...)
	}
	b = append(b, node...)
	switch st.Kind {
	case sim.CrashKind, sim.Recover:
		if int(st.Node) >= s.Servers {
			return b, fmt.Errorf("%s of %s: only servers crash", st.Kind, node)
		}
	}
	if len(st.Choices) > 0 && (st.Kind == sim.CrashKind || st.Kind == sim.Drop) {
		return b, fmt.Errorf("a %s with choices: it asks none", st.Kind)
	}
	switch st.Kind {
	case sim.Start:
		b = append(b, " start"...)
	case sim.CrashKind:
		if st.Crash < 0 {
			return b, fmt.Errorf("crash entry %d: entries are from 0", st.Crash)
		}
		b = append(b, " crash "...)
		b = strconv.AppendInt(b, int64(st.Crash)+1, 10)
	case sim.Recover:
		b = append(b, " restart"...)
	case sim.Timer:
		if !slices.Contains(scheduleTimers, st.Timer) {
			return b, fmt.Errorf("no timer named %s", quoted(st.Timer))
		}
		b = append(b, " timer "...)
		b = append(b, st.Timer...)
	case sim.Deliver, sim.Drop:
		from, err := s.name(st.From)
		if err != nil {
			return b, err
		}
		m := st.Msg
		if m.Type.String() == "invalid" {
			return b, fmt.Errorf("message type %d is not the protocol's", m.Type)
		}
		if (!carriesValue(m.Type) && m.Value != 0) || (!carriesAccepted(m.Type) && m.Accepted) || (!m.Type.isClientMsg() && m.Req != 0) {
			return b, fmt.Errorf("message %+v has a field a %s does not carry", m, m.Type)
		}
		if st.Kind == sim.Drop {
			b = append(b, " drop "...)
		} else {
			b = append(b, " recv "...)
		}
		b = append(b, m.Type.String()...)
		if carriesValue(m.Type) {
			b = append(b, " value="...)
			b = strconv.AppendInt(b, m.Value, 10)
		}
		if carriesAccepted(m.Type) {
			b = append(b, " accepted="...)
			b = strconv.AppendBool(b, m.Accepted)
		}
		if m.Type.isClientMsg() {
			b = append(b, " req="...)
			b = strconv.AppendUint(b, uint64(m.Req), 10)
		}
		b = append(b, " from "...)
		b = append(b, from...)
	default:
		return b, fmt.Errorf("a %s is not a step of a schedule: want %s", st.Kind, stepWords)
	}
	if len(st.Choices) > 0 {
		b = append(b, " choose"...)
	}
	for _, c := range st.Choices {
		if !slices.Contains(scheduleLabels, c.Label) {
			return b, fmt.Errorf("no choice labelled %s", quoted(c.Label))
		}
		b = append(b, ' ')
		b = append(b, c.Label...)
		b = append(b, '=')
		b = strconv.AppendInt(b, int64(c.Answer), 10)
		if c.Answer < 0 {
			// After the text, which an error of Replay shows.
			return b, fmt.Errorf("choice %s answered %d: answers are from 0", c.Label, c.Answer)
		}
	}
	return b, nil
}

// name is the trace's name of node id.
func (s Schedule) name(id sim.NodeID) (string, error) {
	switch {
	case id < 0:
		return "", fmt.Errorf("node %d does not exist", id)
	case int(id) < s.Servers:
		return ServerName(int(id)), nil
	}
	return ClientName(int(id) - s.Servers), nil
}

// carriesValue reports whether a message of type t carries a value (see
// Msg.AppendJSON): all but a get and a pull.
func carriesValue(t MsgType) bool { return t != Get && t != Pull }

// carriesAccepted reports whether a message of type t carries a verdict.
func carriesAccepted(t MsgType) bool { return t == SetReply || t == RumorAck }

// ParseSchedule reads a schedule written as WriteTo writes it, for a
// scenario of cfg's servers and clients. Its errors say "name:line: what
// is wrong": an unknown node, kind of message or timer, a field missing,
// repeated or not the message's, a number that is not one, a choice
// without its '=', same-instant on a step other than a recv or a drop, a
// crash that is not one of cfg's (or not of that server), a restart of a
// node no crash takes down, choices on a crash or a drop, a line longer
// than 4 KiB, more than a million steps.
func ParseSchedule(name string, r io.Reader, cfg *Config) (Schedule, error) {
	s := Schedule{Servers: cfg.Servers, Name: name}
	p := scheduleParser{cfg: cfg}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), maxScheduleLine)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if len(s.Steps) == maxScheduleSteps {
			return Schedule{}, fmt.Errorf("%s:%d: more than %d steps", name, line, maxScheduleSteps)
		}
		st, err := p.step(fields)
		if err == nil && st.SameInstant && len(s.Steps) == 0 {
			err = errors.New(sameInstant + " on the first step: there is no step before it")
		}
		if err != nil {
			return Schedule{}, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		s.Steps = append(s.Steps, st)
		s.Lines = append(s.Lines, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Schedule{}, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxScheduleLine)
		}
		return Schedule{}, fmt.Errorf("%s: %v", name, err)
	}
	return s, nil
}

// scheduleParser reads the steps of a schedule.
type scheduleParser struct{ cfg *Config }

// step reads one line's fields.
func (p scheduleParser) step(f []string) (ScheduleStep, error) {
	var st ScheduleStep
	if f[0] == sameInstant {
		st.SameInstant, f = true, f[1:]
	}
	if len(f) < 2 {
		return st, errors.New("want a node and what happens to it: " + stepWords)
	}
	var err error
	if st.Node, err = p.node(f[0]); err != nil {
		return st, err
	}
	rest := f[2:]
	switch f[1] {
	case "start":
		st.Kind = sim.Start
	case "timer":
		st.Kind = sim.Timer
		if len(rest) == 0 {
			return st, errors.New("timer: want its name: " + strings.Join(scheduleTimers, ", "))
		}
		if !slices.Contains(scheduleTimers, rest[0]) {
			return st, fmt.Errorf("no timer named %s: want %s", quoted(rest[0]), strings.Join(scheduleTimers, ", "))
		}
		st.Timer, rest = rest[0], rest[1:]
	case "recv", "drop":
		st.Kind = sim.Deliver
		if f[1] == "drop" {
			st.Kind = sim.Drop
		}
		if rest, err = p.recv(&st, f[1], rest); err != nil {
			return st, err
		}
	case "crash":
		st.Kind = sim.CrashKind
		if rest, err = p.crash(&st, f[0], rest); err != nil {
			return st, err
		}
	case "restart":
		st.Kind = sim.Recover
		if !slices.ContainsFunc(p.cfg.Faults.Crashes, func(c sim.Crash) bool { return c.Node == st.Node }) {
			return st, fmt.Errorf("restart: no [[crash]] of the scenario takes %s down", f[0])
		}
	default:
		return st, fmt.Errorf("%s: want %s after the node", quoted(f[1]), stepWords)
	}
	if st.SameInstant && st.Kind != sim.Deliver && st.Kind != sim.Drop {
		return st, fmt.Errorf("%s %s: only a recv or a drop can be at the instant of the step before", sameInstant, f[1])
	}
	if len(rest) == 0 {
		return st, nil
	}
	if rest[0] != "choose" {
		return st, fmt.Errorf("%s: want choose, or the end of the step", quoted(rest[0]))
	}
	if st.Kind == sim.CrashKind || st.Kind == sim.Drop {
		return st, fmt.Errorf("choose: a %s asks no choices", f[1])
	}
	if len(rest) == 1 {
		return st, errors.New("choose: want at least one label=answer")
	}
	for _, tok := range rest[1:] {
		label, answer, ok := strings.Cut(tok, "=")
		if !ok {
			return st, fmt.Errorf("choice %s: want label=answer", quoted(tok))
		}
		if label == sim.LabelLatency {
			return st, errors.New("choice latency: a replay gives every message the least latency; list no latency")
		}
		if !slices.Contains(scheduleLabels, label) {
			return st, fmt.Errorf("no choice labelled %s: want %s", quoted(label), strings.Join(scheduleLabels, ", "))
		}
		a, err := strconv.Atoi(answer)
		if err != nil || a < 0 {
			return st, fmt.Errorf("choice %s: answer %s is not a whole number from 0", label, quoted(answer))
		}
		st.Choices = append(st.Choices, ScheduleChoice{Label: label, Answer: a})
	}
	return st, nil
}

// crash reads the number of a crash entry, and returns what follows.
func (p scheduleParser) crash(st *ScheduleStep, node string, f []string) ([]string, error) {
	n := len(p.cfg.Faults.Crashes)
	switch {
	case n == 0:
		return nil, errors.New("crash: the scenario has no [[crash]] entries")
	case len(f) == 0:
		return nil, fmt.Errorf("crash: want the number of its [[crash]] entry, 1 to %d", n)
	}
	i, err := strconv.Atoi(f[0])
	if err != nil || i < 1 || i > n || f[0][0] == '0' || f[0][0] == '+' {
		return nil, fmt.Errorf("crash %s: want the number of a [[crash]] entry, 1 to %d", quoted(f[0]), n)
	}
	if c := p.cfg.Faults.Crashes[i-1]; c.Node != st.Node {
		return nil, fmt.Errorf("crash %d is of %s, not of %s", i, ServerName(int(c.Node)), node)
	}
	st.Crash = i - 1
	return f[1:], nil
}

// recv reads a message's kind, fields and sender, and returns what
// follows; verb is recv or drop.
func (p scheduleParser) recv(st *ScheduleStep, verb string, f []string) ([]string, error) {
	if len(f) == 0 {
		return nil, errors.New(verb + ": want the message's kind, fields and from NODE")
	}
	t, ok := msgType(f[0])
	if !ok {
		return nil, fmt.Errorf("no message kind %s: want one of %s", quoted(f[0]), strings.Join(msgTypeNames[1:], ", "))
	}
	st.Msg.Type = t
	var seen []string
	f = f[1:]
	for len(f) > 0 && f[0] != "from" {
		key, v, ok := strings.Cut(f[0], "=")
		if !ok {
			return nil, fmt.Errorf("%s: want a field of the message (key=value) or from NODE", quoted(f[0]))
		}
		if slices.Contains(seen, key) {
			return nil, fmt.Errorf("field %s given twice", quoted(key))
		}
		switch {
		case key == "value" && carriesValue(t):
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("field value: %s is not a whole number", quoted(v))
			}
			st.Msg.Value = n
		case key == "accepted" && carriesAccepted(t):
			if v != "true" && v != "false" {
				return nil, fmt.Errorf("field accepted: %s is not true or false", quoted(v))
			}
			st.Msg.Accepted = v == "true"
		case key == "req" && t.isClientMsg():
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("field req: %s is not a request number (a whole number from 0)", quoted(v))
			}
			st.Msg.Req = uint32(n)
		default:
			return nil, fmt.Errorf("a %s has no field %s: it carries %s", t, quoted(key), carried(t))
		}
		seen = append(seen, key)
		f = f[1:]
	}
	for _, k := range fieldsOf(t) {
		if !slices.Contains(seen, k) {
			return nil, fmt.Errorf("a %s needs its field %s=", t, k)
		}
	}
	if len(f) < 2 {
		return nil, fmt.Errorf("%s %s: want from NODE after the fields", verb, t)
	}
	var err error
	if st.From, err = p.node(f[1]); err != nil {
		return nil, err
	}
	return f[2:], nil
}

// fieldsOf lists the fields a message of type t carries, as the text has
// them.
func fieldsOf(t MsgType) []string {
	var k []string
	if carriesValue(t) {
		k = append(k, "value")
	}
	if carriesAccepted(t) {
		k = append(k, "accepted")
	}
	if t.isClientMsg() {
		k = append(k, "req")
	}
	return k
}

// carried says what fields a message of type t carries.
func carried(t MsgType) string {
	if k := fieldsOf(t); len(k) > 0 {
		return strings.Join(k, ", ")
	}
	return "none"
}

// node reads a node's name: server-N or client-N, of the scenario.
func (p scheduleParser) node(name string) (sim.NodeID, error) {
	for _, n := range []struct {
		prefix string
		count  int
		base   int
	}{{"server-", p.cfg.Servers, 0}, {"client-", p.cfg.Clients, p.cfg.Servers}} {
		num, ok := strings.CutPrefix(name, n.prefix)
		if !ok {
			continue
		}
		i, err := strconv.Atoi(num)
		if err != nil || i < 1 || num[0] == '0' || num[0] == '+' {
			break
		}
		if i > n.count {
			switch n.count {
			case 0:
				return 0, fmt.Errorf("no node %s: the scenario has no %ss", quoted(name), n.prefix[:len(n.prefix)-1])
			case 1:
				return 0, fmt.Errorf("no node %s: the scenario has only %s1", quoted(name), n.prefix)
			}
			return 0, fmt.Errorf("no node %s: the scenario has %s1 to %s%d", quoted(name), n.prefix, n.prefix, n.count)
		}
		return sim.NodeID(n.base + i - 1), nil
	}
	return 0, fmt.Errorf("no node %s: want server-N or client-N", quoted(name))
}

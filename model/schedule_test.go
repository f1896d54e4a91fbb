package model_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"eccounter/model"
	"eccounter/sim"
)

// everyStep is a schedule of every kind of step and message, with
// comments and blank lines, as a person might write one.
const everyStep = `# every kind of step
client-1 start choose set?=1 value=2
server-1 start

server-1 recv set value=2 req=1 from client-1   # the set
client-1 recv set_reply value=0 accepted=true req=1 from server-1 choose set?=0
server-1 recv get req=2 from client-1
client-2 recv get_reply value=7 req=2 from server-1
server-1 timer sync
server-2 recv sync value=2 from server-1 choose loss=0 duplicate=1
same-instant server-2 recv sync value=1 from server-3
server-2 recv pull from server-3
server-3 recv push_pull value=3 from server-1 choose partner=1 partner=0
server-3 recv pull_reply value=3 from server-2
server-1 recv rumor value=4 from server-2 choose coin=1
server-2 recv rumor_ack value=4 accepted=false from server-1
server-2 recv rumor_pull value=0 from server-3
server-3 recv rumor_reply value=4 from server-2
server-1 recv mail value=9 from server-3
client-2 timer timeout
server-1 timer anti-entropy
server-2 crash 2   # its [[crash]] entry, from 1
server-2 drop sync value=2 from server-1
same-instant server-2 drop pull from server-3
server-2 restart choose partner=1
`

// scheduleConfig is three servers and two clients; server-1 and server-2
// may crash, the second durably.
func scheduleConfig() *model.Config {
	return &model.Config{Servers: 3, Clients: 2, Faults: sim.Faults{Crashes: []sim.Crash{{Node: 0}, {Node: 1, Durable: true}}}}
}

// TestScheduleRoundTrip: a schedule parsed and written again is the same
// text, comments aside, and parses again to the same steps.
func TestScheduleRoundTrip(t *testing.T) {
	s, err := model.ParseSchedule("every.txt", strings.NewReader(everyStep), scheduleConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Steps) != 23 || s.Lines[2] != 5 || s.Name != "every.txt" {
		t.Fatalf("%d steps, lines %v, name %q", len(s.Steps), s.Lines, s.Name)
	}
	want := model.ScheduleStep{Node: 1, Kind: sim.Deliver, From: 0, Msg: model.Msg{Type: model.Sync, Value: 2},
		Choices: []model.ScheduleChoice{{Label: sim.LabelLoss, Answer: 0}, {Label: sim.LabelDuplicate, Answer: 1}}}
	if !reflect.DeepEqual(s.Steps[7], want) {
		t.Errorf("step 8 = %+v, want %+v", s.Steps[7], want)
	}
	if c := s.Steps[0]; c.Node != 3 || c.Kind != sim.Start {
		t.Errorf("client-1 start = %+v: client-1 is node 3, after the servers", c)
	}
	for i, want := range []model.ScheduleStep{
		{Node: 1, Kind: sim.CrashKind, Crash: 1},
		{Node: 1, Kind: sim.Drop, From: 0, Msg: model.Msg{Type: model.Sync, Value: 2}},
		{Node: 1, Kind: sim.Drop, From: 2, Msg: model.Msg{Type: model.Pull}, SameInstant: true},
		{Node: 1, Kind: sim.Recover, Choices: []model.ScheduleChoice{{Label: model.ChoicePartner, Answer: 1}}},
	} {
		if got := s.Steps[19+i]; !reflect.DeepEqual(got, want) {
			t.Errorf("step %d = %+v, want %+v", 20+i, got, want)
		}
	}
	var b bytes.Buffer
	n, err := s.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo: %d, %v (wrote %d bytes)", n, err, b.Len())
	}
	var lines []string
	for _, l := range strings.Split(everyStep, "\n") {
		if l, _, _ = strings.Cut(l, "#"); strings.TrimSpace(l) != "" {
			lines = append(lines, strings.Join(strings.Fields(l), " "))
		}
	}
	text := b.String()
	if !strings.HasPrefix(text, "# ") || !strings.Contains(text, "eccounter-sim -schedule FILE") {
		t.Errorf("no header saying how to replay it:\n%s", text)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if !strings.HasPrefix(l, "#") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(lines, "\n") {
		t.Errorf("written:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(lines, "\n"))
	}
	again, err := model.ParseSchedule("again", &b, scheduleConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Steps, s.Steps) || again.Servers != s.Servers {
		t.Errorf("parsed again, the schedule differs")
	}
}

// TestScheduleWriteRefuses: WriteTo writes nothing rather than a line that
// would not parse back to the step.
func TestScheduleWriteRefuses(t *testing.T) {
	for name, st := range map[string]model.ScheduleStep{
		"crash of a client":          {Node: 3, Kind: sim.CrashKind},
		"restart of a client":        {Node: 4, Kind: sim.Recover},
		"crash entry -1":             {Node: 0, Kind: sim.CrashKind, Crash: -1},
		"crash with choices":         {Node: 0, Kind: sim.CrashKind, Choices: []model.ScheduleChoice{{Label: model.ChoiceCoin}}},
		"drop with choices":          {Node: 0, Kind: sim.Drop, From: 1, Msg: model.Msg{Type: model.Sync}, Choices: []model.ScheduleChoice{{Label: sim.LabelLoss}}},
		"same-instant restart":       {Node: 0, Kind: sim.Recover, SameInstant: true},
		"a partition":                {Node: 0, Kind: sim.PartitionStart},
		"drop of a get with a value": {Node: 0, Kind: sim.Drop, From: 3, Msg: model.Msg{Type: model.Get, Value: 1, Req: 1}},
		"unknown timer":              {Node: 0, Kind: sim.Timer, Timer: "tick tock"},
		"get with a value":           {Node: 0, Kind: sim.Deliver, From: 3, Msg: model.Msg{Type: model.Get, Value: 1, Req: 1}},
		"sync with a req":            {Node: 0, Kind: sim.Deliver, From: 1, Msg: model.Msg{Type: model.Sync, Req: 1}},
		"invalid type":               {Node: 0, Kind: sim.Deliver, From: 1, Msg: model.Msg{Type: 99}},
		"same-instant start":         {Node: 0, Kind: sim.Start, SameInstant: true},
		"latency listed":             {Node: 0, Kind: sim.Start, Choices: []model.ScheduleChoice{{Label: sim.LabelLatency}}},
		"negative answer":            {Node: 0, Kind: sim.Start, Choices: []model.ScheduleChoice{{Label: model.ChoiceSet, Answer: -1}}},
		"no node":                    {Node: -1, Kind: sim.Start},
		"accepted on a sync":         {Node: 0, Kind: sim.Deliver, From: 1, Msg: model.Msg{Type: model.Sync, Accepted: true}},
		"sender does not exist":      {Node: 0, Kind: sim.Deliver, From: -1, Msg: model.Msg{Type: model.Sync}},
	} {
		var b bytes.Buffer
		s := model.Schedule{Servers: 3, Steps: []model.ScheduleStep{{Node: 3, Kind: sim.Start}, st}}
		if _, err := s.WriteTo(&b); err == nil || b.Len() != 0 || !strings.HasPrefix(err.Error(), "model: schedule step 2: ") {
			t.Errorf("%s: err %v, wrote %q", name, err, b.String())
		}
	}
}

// TestScheduleParseErrors: each thing wrong with a line is an error that
// names the file and the line, and says what is wrong.
func TestScheduleParseErrors(t *testing.T) {
	long := "server-1 start" + strings.Repeat(" ", 5000)
	tests := []struct{ text, want string }{
		{"server-4 start", `cx.txt:1: no node "server-4": the scenario has server-1 to server-3`},
		{"\n\nclient-9 start", `cx.txt:3: no node "client-9": the scenario has client-1 to client-2`},
		{"server-01 start", `cx.txt:1: no node "server-01": want server-N or client-N`},
		{"server-0 start", `cx.txt:1: no node "server-0": want server-N or client-N`},
		{"client-1 start\nserver-2 recv sync value=1 from server-4", `cx.txt:2: no node "server-4": the scenario has server-1 to server-3`},
		{"node-1 start", `cx.txt:1: no node "node-1": want server-N or client-N`},
		{"server-1", `cx.txt:1: want a node and what happens to it: start, recv, drop, timer, crash or restart`},
		{"server-1 stop", `cx.txt:1: "stop": want start, recv, drop, timer, crash or restart after the node`},
		{"server-1 crash", `cx.txt:1: crash: want the number of its [[crash]] entry, 1 to 2`},
		{"server-1 crash 3", `cx.txt:1: crash "3": want the number of a [[crash]] entry, 1 to 2`},
		{"server-1 crash 0", `cx.txt:1: crash "0": want the number of a [[crash]] entry, 1 to 2`},
		{"server-1 crash 01", `cx.txt:1: crash "01": want the number of a [[crash]] entry, 1 to 2`},
		{"server-1 crash one", `cx.txt:1: crash "one": want the number of a [[crash]] entry, 1 to 2`},
		{"server-1 crash 2", `cx.txt:1: crash 2 is of server-2, not of server-1`},
		{"client-1 crash 1", `cx.txt:1: crash 1 is of server-1, not of client-1`},
		{"server-1 crash 1 2", `cx.txt:1: "2": want choose, or the end of the step`},
		{"server-1 crash 1 choose coin=1", `cx.txt:1: choose: a crash asks no choices`},
		{"server-3 restart", `cx.txt:1: restart: no [[crash]] of the scenario takes server-3 down`},
		{"client-2 restart", `cx.txt:1: restart: no [[crash]] of the scenario takes client-2 down`},
		{"server-1 restart durable", `cx.txt:1: "durable": want choose, or the end of the step`},
		{"server-1 drop", `cx.txt:1: drop: want the message's kind, fields and from NODE`},
		{"server-1 drop sync value=1", `cx.txt:1: drop sync: want from NODE after the fields`},
		{"server-1 drop sync value=1 from server-2 choose loss=0", `cx.txt:1: choose: a drop asks no choices`},
		{"server-1 start\nsame-instant server-1 crash 1", `cx.txt:2: same-instant crash: only a recv or a drop can be at the instant of the step before`},
		{"server-1 recv sink value=1 from server-2", `cx.txt:1: no message kind "sink": want one of get, get_reply, set, set_reply, sync, pull, push_pull, pull_reply, rumor, rumor_ack, rumor_pull, rumor_reply, mail`},
		{"server-1 recv sync value=x from server-2", `cx.txt:1: field value: "x" is not a whole number`},
		{"server-1 recv sync value=99999999999999999999 from server-2", `cx.txt:1: field value: "99999999999999999999" is not a whole number`},
		{"server-1 recv set value=1 req=-1 from client-1", `cx.txt:1: field req: "-1" is not a request number (a whole number from 0)`},
		{"client-1 recv set_reply value=1 accepted=yes req=1 from server-1", `cx.txt:1: field accepted: "yes" is not true or false`},
		{"server-1 recv sync value=1 value=2 from server-2", `cx.txt:1: field "value" given twice`},
		{"server-1 recv sync from server-2", `cx.txt:1: a sync needs its field value=`},
		{"server-1 recv get value=1 req=1 from client-1", `cx.txt:1: a get has no field "value": it carries req`},
		{"server-1 recv pull value=1 from server-2", `cx.txt:1: a pull has no field "value": it carries none`},
		{"server-1 recv sync value=1 accepted=true from server-2", `cx.txt:1: a sync has no field "accepted": it carries value`},
		{"server-1 recv sync value=1", `cx.txt:1: recv sync: want from NODE after the fields`},
		{"server-1 recv sync value=1 server-2", `cx.txt:1: "server-2": want a field of the message (key=value) or from NODE`},
		{"server-1 recv", `cx.txt:1: recv: want the message's kind, fields and from NODE`},
		{"server-1 timer", `cx.txt:1: timer: want its name: sync, anti-entropy, timeout`},
		{"server-1 timer tick", `cx.txt:1: no timer named "tick": want sync, anti-entropy, timeout`},
		{"client-1 start choose set?", `cx.txt:1: choice "set?": want label=answer`},
		{"client-1 start choose", `cx.txt:1: choose: want at least one label=answer`},
		{"client-1 start pick set?=1", `cx.txt:1: "pick": want choose, or the end of the step`},
		{"client-1 start choose set?=-1", `cx.txt:1: choice set?: answer "-1" is not a whole number from 0`},
		{"client-1 start choose set?=one", `cx.txt:1: choice set?: answer "one" is not a whole number from 0`},
		{"client-1 start choose colour=1", `cx.txt:1: no choice labelled "colour": want set?, value, partner, coin, loss, duplicate`},
		{"client-1 start choose latency=5", `cx.txt:1: choice latency: a replay gives every message the least latency; list no latency`},
		{"server-1 start\nsame-instant server-1 timer sync", `cx.txt:2: same-instant timer: only a recv or a drop can be at the instant of the step before`},
		{"same-instant server-1 recv sync value=1 from server-2", `cx.txt:1: same-instant on the first step: there is no step before it`},
		{"server-1 start\n" + long, `cx.txt:2: line longer than 4096 bytes`},
		{"server-1 recv sync value=1 from \x1b[31mred", `cx.txt:1: no node "\x1b[31mred": want server-N or client-N`},
		{"server-1 timer " + strings.Repeat("x", 1000), `cx.txt:1: no timer named "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...": want sync, anti-entropy, timeout`},
	}
	for _, tt := range tests {
		_, err := model.ParseSchedule("cx.txt", strings.NewReader(tt.text), scheduleConfig())
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.text, err, tt.want)
		}
	}
}

// TestScheduleTooManySteps: a schedule of more than a million steps is
// refused at the step too many.
func TestScheduleTooManySteps(t *testing.T) {
	text := strings.Repeat("server-1 start\n", 1_000_001)
	_, err := model.ParseSchedule("big", strings.NewReader(text), scheduleConfig())
	if err == nil || err.Error() != "big:1000001: more than 1000000 steps" {
		t.Errorf("err = %v", err)
	}
}

// FuzzParseSchedule: whatever the input, ParseSchedule returns a schedule
// or an error naming the file and a line, never panics, and a schedule it
// returns writes and parses back to the same steps.
func FuzzParseSchedule(f *testing.F) {
	f.Add([]byte(everyStep))
	f.Add([]byte("client-1 start choose set?=1 value=2\nsame-instant server-1 recv set value=2 req=1 from client-1\n"))
	f.Add([]byte("server-1 recv set_reply value=0 accepted=true req=4294967295 from client-2 # x\n"))
	f.Add([]byte("server-1 crash 1\nsame-instant server-1 drop get req=3 from client-1\nserver-1 restart choose partner=2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := scheduleConfig()
		s, err := model.ParseSchedule("fuzz.txt", bytes.NewReader(data), cfg)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.txt:") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		var b bytes.Buffer
		if _, err := s.WriteTo(&b); err != nil {
			t.Fatalf("a parsed schedule does not write: %v", err)
		}
		again, err := model.ParseSchedule("again", &b, cfg)
		if err != nil {
			t.Fatalf("a written schedule does not parse: %v\n%s", err, b.String())
		}
		if !reflect.DeepEqual(again.Steps, s.Steps) {
			t.Fatalf("written and parsed again, the schedule differs:\n%s", b.String())
		}
	})
}

// TestScheduleNodeCounts: an unknown node's error says which nodes there
// are, in words that fit one or none.
func TestScheduleNodeCounts(t *testing.T) {
	cfg := &model.Config{Servers: 1}
	for text, want := range map[string]string{
		"server-2 start":   `one:1: no node "server-2": the scenario has only server-1`,
		"client-1 start":   `one:1: no node "client-1": the scenario has no clients`,
		"server-1 crash 1": `one:1: crash: the scenario has no [[crash]] entries`,
	} {
		if _, err := model.ParseSchedule("one", strings.NewReader(text), cfg); err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %s", text, err, want)
		}
	}
}

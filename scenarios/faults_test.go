package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"eccounter/sim"
)

// faultErrorCase is one bad document and the error it must give: where
// (line, column: the place the text "at" starts), which key, and a part of
// the message.
type faultErrorCase struct {
	name      string
	doc       string
	line, col int
	at        string
	key       string
	msg       string
}

// checkParseError parses tt.doc and checks the error the way
// TestParseErrors does: an *Error at tt's file:line:col and key, with the
// message, rendered with the source line and a caret under the place.
func checkParseError(t *testing.T, tt faultErrorCase) {
	t.Helper()
	const file = "bad.toml"
	sc, err := Parse(file, []byte(tt.doc))
	if err == nil {
		t.Fatalf("Parse(%q): no error; parsed as %+v", tt.doc, *sc)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%q): error is %T, want *Error: %v", tt.doc, err, err)
	}
	src, ok := sourceLine([]byte(tt.doc), tt.line)
	if !ok || tt.col < 1 || tt.col > len(src)+1 || !strings.HasPrefix(src[tt.col-1:], tt.at) {
		t.Fatalf("test case is wrong: line %d col %d of %q is not at %q", tt.line, tt.col, tt.doc, tt.at)
	}
	bad := false
	if e.File != file || e.Line != tt.line || e.Col != tt.col || e.Key != tt.key {
		t.Errorf("Parse(%q):\nFile:Line:Col Key = %s:%d:%d %q, want %s:%d:%d %q\n%v",
			tt.doc, e.File, e.Line, e.Col, e.Key, file, tt.line, tt.col, tt.key, err)
		bad = true
	}
	if !strings.Contains(e.Msg, tt.msg) {
		t.Errorf("Parse(%q):\nMsg = %q, want it to contain %q", tt.doc, e.Msg, tt.msg)
		bad = true
	}
	if !bad {
		checkRendering(t, err.Error(), file, tt.key, e.Msg, tt.line, tt.col, src)
	}
}

// TestFaultParseErrors has one bad document per rule of the fault keys:
// the top-level ones, [[partition]] and [[crash]].
func TestFaultParseErrors(t *testing.T) {
	const (
		nodes      = "the nodes are server-1 to server-3 and client-1 to client-5"
		partKeys   = "unknown key; the keys allowed in [[partition]] are at, heal, groups"
		crashKeys  = "unknown key; the keys allowed in [[crash]] are node, at, restart, durable"
		notProb    = "is not a probability: allowed 0 to 1"
		notPos     = `is not a positive duration; write one such as "100ms"`
		notDurStr  = `want a duration string such as "100ms", have a TOML integer`
		startRange = "is out of range: allowed 0 to 1000h"
		swarmMsg   = "swarm = true draws the faults from the seed; remove loss, duplicate, [[partition]] and [[crash]], or set swarm = false"
		noClients  = "with no clients the faults would never end (they end when the last client finishes): set faults_until"
	)
	part := func(lines ...string) string { return "[[partition]]\n" + strings.Join(lines, "\n") + "\n" }
	crash := func(lines ...string) string { return "[[crash]]\n" + strings.Join(lines, "\n") + "\n" }
	tests := []faultErrorCase{
		// [[partition]]: nodes. The place of an error in groups is the
		// groups value.
		{"partition: server beyond servers", part(`at = "1s"`, `groups = [["server-1"], ["server-9"]]`), 3, 10, "[[", "partition[1].groups", `unknown node "server-9": ` + nodes},
		{"partition: server-0", part(`groups = [["server-0"]]`), 2, 10, "[[", "partition[1].groups", `unknown node "server-0": ` + nodes},
		{"partition: client-0", part(`groups = [["client-0"]]`), 2, 10, "[[", "partition[1].groups", `unknown node "client-0": ` + nodes},
		{"partition: client beyond clients", part(`groups = [["client-6"]]`), 2, 10, "[[", "partition[1].groups", `unknown node "client-6": ` + nodes},
		{"partition: bogus name", part(`groups = [["bogus"]]`), 2, 10, "[[", "partition[1].groups", `unknown node "bogus": ` + nodes},
		{"partition: leading zero", part(`groups = [["server-01"]]`), 2, 10, "[[", "partition[1].groups", `unknown node "server-01"`},
		{"partition: upper case", part(`groups = [["Server-1"]]`), 2, 10, "[[", "partition[1].groups", `unknown node "Server-1"`},
		{"partition: node names without clients", "clients = 0\nfaults_until = \"1s\"\n" + part(`groups = [["client-1"]]`), 4, 10, "[[", "partition[1].groups",
			`unknown node "client-1": the nodes are server-1 to server-3`},
		{"partition: in the second partition", "seed = 1\n\n" + part(`groups = [["server-1"]]`) + part(`at = "1s"`, `groups = [["bogus"]]`), 7, 10, "[[", "partition[2].groups", `unknown node "bogus"`},

		// [[partition]]: groups.
		{"partition: overlapping groups", part(`groups = [["server-1", "client-1"], ["server-2", "client-1"]]`), 2, 10, "[[", "partition[1].groups",
			"client-1 is in group 1 and group 2: groups must not overlap"},
		{"partition: overlap in the third group", part(`groups = [["server-1"], ["server-2"], ["server-3", "server-1"]]`), 2, 10, "[[", "partition[1].groups",
			"server-1 is in group 1 and group 3: groups must not overlap"},
		{"partition: empty group", part(`groups = [["server-1"], []]`), 2, 10, "[[", "partition[1].groups", "group 2 is empty"},
		{"partition: without groups", part(`at = "1s"`), 1, 3, "partition]]", "partition[1].groups", `a partition needs groups: the nodes that can still reach each other, such as groups = [["server-1"]]`},
		{"partition: groups = []", part(`at = "1s"`, `groups = []`), 3, 10, "[]", "partition[1].groups", "a partition needs groups"},

		// [[partition]]: times.
		{"partition: heal before at", part(`at = "200ms"`, `heal = "100ms"`, `groups = [["server-1"]]`), 3, 8, `"100ms"`, "partition[1].heal", "heal (100ms) must come after at (200ms)"},
		{"partition: heal equal to at", part(`at = "200ms"`, `heal = "200ms"`, `groups = [["server-1"]]`), 3, 8, `"200ms"`, "partition[1].heal", "heal (200ms) must come after at (200ms)"},
		{"partition: heal 0 with default at", part(`heal = "0s"`, `groups = [["server-1"]]`), 2, 8, `"0s"`, "partition[1].heal", "heal (0s) must come after at (0s)"},
		{"partition: heal negative", part(`heal = "-1s"`, `groups = [["server-1"]]`), 2, 8, `"-1s"`, "partition[1].heal", "heal (-1s) must come after at (0s)"},
		{"partition: negative at", part(`at = "-1s"`, `groups = [["server-1"]]`), 2, 6, `"-1s"`, "partition[1].at", "-1s " + startRange},
		{"partition: at too late", part(`at = "1001h"`, `groups = [["server-1"]]`), 2, 6, `"1001h"`, "partition[1].at", "1001h " + startRange},
		{"partition: at not a string", part(`at = 5`, `groups = [["server-1"]]`), 2, 6, "5", "partition[1].at", notDurStr},
		{"partition: bad duration", part(`heal = "soon"`, `groups = [["server-1"]]`), 2, 8, `"soon"`, "partition[1].heal", `want a duration such as "100ms" or "2s"`},
		{"partition: heal before at in the second", part(`groups = [["server-1"]]`) + "\n" + part(`at = "2s"`, `heal = "1s"`, `groups = [["server-2"]]`), 6, 8, `"1s"`, "partition[2].heal", "heal (1s) must come after at (2s)"},

		// [[partition]]: keys.
		{"partition: unknown key", part(`at = "1s"`, `bogus = 1`), 3, 1, "bogus", "partition[1].bogus", partKeys},
		{"partition: unknown key in the second", part(`groups = [["server-1"]]`) + part(`at = "1s"`, `bogus = 1`), 5, 1, "bogus", "partition[2].bogus", partKeys},
		{"partition: crash key", part(`node = "server-1"`), 2, 1, "node", "partition[1].node", partKeys},
		{"partition: upper-case key", part(`AT = "1s"`), 2, 1, "AT", "partition[1].AT", partKeys},

		// [[crash]]: nodes.
		{"crash: a client", crash(`node = "client-1"`), 2, 8, `"client-1"`, "crash[1].node", "client-1 is a client; only servers crash (a client's server crashing is what a client sees)"},
		{"crash: the last client", crash(`node = "client-5"`, `at = "1s"`), 2, 8, `"client-5"`, "crash[1].node", "client-5 is a client; only servers crash"},
		{"crash: unknown server", crash(`node = "server-4"`), 2, 8, `"server-4"`, "crash[1].node", `unknown node "server-4": ` + nodes},
		{"crash: unknown client", crash(`node = "client-6"`), 2, 8, `"client-6"`, "crash[1].node", `unknown node "client-6": ` + nodes},
		{"crash: bogus node", crash(`node = "bogus"`), 2, 8, `"bogus"`, "crash[1].node", `unknown node "bogus": ` + nodes},
		{"crash: without node", crash(`at = "1s"`, `durable = true`), 1, 3, "crash]]", "crash[1].node", "a crash needs node, the server that crashes"},
		{"crash: empty node", crash(`at = "1s"`, `node = ""`), 3, 8, `""`, "crash[1].node", "a crash needs node"},

		// [[crash]]: times.
		{"crash: restart before at", crash(`node = "server-1"`, `at = "200ms"`, `restart = "100ms"`), 4, 11, `"100ms"`, "crash[1].restart", "restart (100ms) must come after the crash at 200ms"},
		{"crash: restart equal to at", crash(`node = "server-1"`, `at = "200ms"`, `restart = "200ms"`), 4, 11, `"200ms"`, "crash[1].restart", "restart (200ms) must come after the crash at 200ms"},
		{"crash: restart 0", crash(`node = "server-1"`, `restart = "0s"`), 3, 11, `"0s"`, "crash[1].restart", "restart (0s) must come after the crash at 0s"},
		{"crash: negative at", crash(`node = "server-1"`, `at = "-5ms"`), 3, 6, `"-5ms"`, "crash[1].at", "-5ms " + startRange},
		{"crash: at too late", crash(`node = "server-1"`, `at = "2000h"`), 3, 6, `"2000h"`, "crash[1].at", "2000h " + startRange},
		{"crash: restart not a string", crash(`node = "server-1"`, `restart = 10`), 3, 11, "10", "crash[1].restart", notDurStr},

		// [[crash]]: a server crashes again only after it restarted.
		{"crash: again while down", crash(`node = "server-2"`, `at = "1s"`, `restart = "2s"`) + "\n" + crash(`node = "server-2"`, `at = "1500ms"`), 8, 6, `"1500ms"`, "crash[2].at",
			"server-2 would crash while down from crash 1 (from 1s to 2s)"},
		{"crash: again at the same time", crash(`node = "server-2"`, `at = "1s"`, `restart = "2s"`) + crash(`node = "server-2"`, `at = "1s"`, `restart = "3s"`), 7, 6, `"1s"`, "crash[2].at",
			"a server crashes again only after it restarted"},
		{"crash: again without restart", crash(`node = "server-2"`, `at = "1s"`) + crash(`node = "server-2"`, `at = "1h"`), 6, 6, `"1h"`, "crash[2].at",
			"server-2 would crash while down from crash 1 (from 1s until the faults end)"},
		{"crash: third while the second is down", crash(`node = "server-1"`, `at = "1s"`, `restart = "2s"`) + crash(`node = "server-1"`, `at = "3s"`) + crash(`node = "server-1"`, `at = "5s"`), 10, 6, `"5s"`, "crash[3].at",
			"server-1 would crash while down from crash 2 (from 3s until the faults end)"},

		// [[crash]]: the second entry names crash[2].
		{"crash: second entry restart", crash(`node = "server-1"`) + crash(`node = "server-3"`, `at = "1s"`, `restart = "1s"`), 6, 11, `"1s"`, "crash[2].restart", "restart (1s) must come after the crash at 1s"},
		{"crash: second entry client", crash(`node = "server-1"`) + crash(`node = "client-2"`), 4, 8, `"client-2"`, "crash[2].node", "client-2 is a client"},
		{"crash: second entry without node", crash(`node = "server-1"`) + crash(`at = "3s"`), 3, 3, "crash]]", "crash[2].node", "a crash needs node"},
		{"crash: second entry at", crash(`node = "server-1"`) + crash(`node = "server-2"`, `at = 7`), 5, 6, "7", "crash[2].at", notDurStr},

		// [[crash]]: keys.
		{"crash: unknown key", crash(`node = "server-1"`, `bogus = true`), 3, 1, "bogus", "crash[1].bogus", crashKeys},
		{"crash: unknown key in the second", crash(`node = "server-1"`) + crash(`node = "server-2"`, `when = "1s"`), 5, 1, "when", "crash[2].when", crashKeys},
		{"crash: partition key", crash(`node = "server-1"`, `heal = "1s"`), 3, 1, "heal", "crash[1].heal", crashKeys},

		// loss and duplicate.
		{"loss negative", "loss = -0.1\n", 1, 8, "-0.1", "loss", "-0.1 " + notProb},
		{"loss above 1", "loss = 1.5\n", 1, 8, "1.5", "loss", "1.5 " + notProb},
		{"loss nan", "loss = nan\n", 1, 8, "nan", "loss", "NaN " + notProb},
		{"loss inf", "loss = inf\n", 1, 8, "inf", "loss", "+Inf " + notProb},
		{"loss integer above 1", "loss = 2\n", 1, 8, "2", "loss", "2 " + notProb},
		{"loss a string", "loss = \"10%\"\n", 1, 8, `"10%"`, "loss", "want a number, have a TOML string"},
		{"duplicate negative", "seed = 3\nduplicate = -0.1\n", 2, 13, "-0.1", "duplicate", "-0.1 " + notProb},
		{"duplicate above 1", "duplicate = 1.5\n", 1, 13, "1.5", "duplicate", "1.5 " + notProb},
		{"duplicate nan", "duplicate = nan\n", 1, 13, "nan", "duplicate", "NaN " + notProb},
		{"duplicate -inf", "duplicate = -inf\n", 1, 13, "-inf", "duplicate", "-Inf " + notProb},

		// faults_until and liveness_bound.
		{"faults_until zero", "faults_until = \"0s\"\n", 1, 16, `"0s"`, "faults_until", "0s " + notPos},
		{"faults_until negative", "faults_until = \"-1s\"\n", 1, 16, `"-1s"`, "faults_until", "-1s " + notPos},
		{"faults_until not a string", "faults_until = 5\n", 1, 16, "5", "faults_until", notDurStr},
		{"faults_until a float", "faults_until = 1.5\n", 1, 16, "1.5", "faults_until", "duration"},
		{"faults_until too long", "faults_until = \"1001h\"\n", 1, 16, `"1001h"`, "faults_until", "1001h is too long: allowed up to 1000h"},
		{"faults_until without unit", "faults_until = \"10\"\n", 1, 16, `"10"`, "faults_until", "missing unit"},
		{"liveness_bound zero", "liveness_bound = \"0s\"\n", 1, 18, `"0s"`, "liveness_bound", "0s " + notPos},
		{"liveness_bound negative", "liveness_bound = \"-5ms\"\n", 1, 18, `"-5ms"`, "liveness_bound", "-5ms " + notPos},
		{"liveness_bound not a string", "liveness_bound = 100\n", 1, 18, "100", "liveness_bound", notDurStr},
		{"liveness_bound too long", "liveness_bound = \"25h\"\n", 1, 18, `"25h"`, "liveness_bound", "25h is too long: allowed up to 24h"},

		// request_timeout.
		{"request_timeout zero", "request_timeout = \"0s\"\n", 1, 19, `"0s"`, "request_timeout", "0s " + notPos},
		{"request_timeout negative", "request_timeout = \"-1ms\"\n", 1, 19, `"-1ms"`, "request_timeout", "-1ms " + notPos},
		{"request_timeout too long", "request_timeout = \"25h\"\n", 1, 19, `"25h"`, "request_timeout", "25h is too long: allowed up to 24h"},
		{"request_timeout not a string", "request_timeout = 1\n", 1, 19, "1", "request_timeout", notDurStr},

		// swarm combined with explicit faults.
		{"swarm with loss", "swarm = true\nloss = 0.1\n", 2, 8, "0.1", "loss", swarmMsg},
		{"swarm with duplicate", "duplicate = 0.2\nswarm = true\n", 1, 13, "0.2", "duplicate", swarmMsg},
		{"swarm with partition", "swarm = true\n" + part(`at = "1s"`, `groups = [["server-1"]]`), 2, 3, "partition]]", "partition[1]", swarmMsg},
		{"swarm with crash", "swarm = true\n" + crash(`node = "server-1"`, `at = "1s"`), 2, 3, "crash]]", "crash[1]", swarmMsg},
		{"swarm not a boolean", "swarm = 1\n", 1, 9, "1", "swarm", "have a TOML integer"},

		// No clients: the faults must be told when to end.
		{"no clients, loss", "clients = 0\nloss = 0.1\n", 1, 11, "0", "clients", noClients},
		{"no clients, duplicate", "duplicate = 0.1\nclients = 0\n", 2, 11, "0", "clients", noClients},
		{"no clients, partition", "clients = 0\n" + part(`groups = [["server-1"]]`), 1, 11, "0", "clients", noClients},
		{"no clients, crash", "clients = 0\n" + crash(`node = "server-1"`), 1, 11, "0", "clients", noClients},
		{"no clients, swarm", "clients = 0\nswarm = true\n", 1, 11, "0", "clients", noClients},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkParseError(t, tt) })
	}
}

// TestFaultDecodeErrors: values of the wrong type inside a [[partition]]
// or [[crash]] are found by the decoder, not by validation; their errors
// too must name the entry (crash[2].durable, as validation errors do and
// as positions.go promises) and say what is wanted in the words of the
// reference, not as a Go type.
func TestFaultDecodeErrors(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		line, col int
		key       string
		msg       string // a part of the message
	}{
		{"durable a string", "[[crash]]\nnode = \"server-1\"\ndurable = \"yes\"\n", 3, 11, "crash[1].durable", "have a TOML string"},
		{"durable a string in the second", "[[crash]]\nnode = \"server-1\"\n[[crash]]\nnode = \"server-2\"\ndurable = \"yes\"\n", 5, 11, "crash[2].durable", "have a TOML string"},
		{"node an integer", "[[crash]]\nnode = 1\n", 2, 8, "crash[1].node", "want a string, have a TOML integer"},
		{"groups a string", "[[partition]]\ngroups = \"server-1\"\n", 2, 10, "partition[1].groups", "have a TOML string"},
		{"groups flat", "[[partition]]\ngroups = [\"server-1\"]\n", 2, 11, "partition[1].groups", "have a TOML string"},
		{"crash a value", "crash = 3\n", 1, 1, "crash", "write each crash as its own [[crash]] table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte(tt.doc))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %v, want an *Error", tt.doc, err)
			}
			if e.Line != tt.line || e.Col != tt.col || e.Key != tt.key {
				t.Errorf("Parse(%q): Line:Col Key = %d:%d %q, want %d:%d %q\n%v", tt.doc, e.Line, e.Col, e.Key, tt.line, tt.col, tt.key, err)
			}
			if !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("Parse(%q): Msg = %q, want it to contain %q", tt.doc, e.Msg, tt.msg)
			}
			if strings.Contains(e.Msg, "[]") || strings.Contains(e.Msg, "scenarios.") {
				t.Errorf("Parse(%q): Msg = %q names a Go type; say what is wanted in the reference's words", tt.doc, e.Msg)
			}
		})
	}
}

// TestFaultErrorsPlaced: an error about a [[partition]] or [[crash]] is
// placed in the file even when the entry lacks the key it is about: at the
// key if the file sets it, else at the entry's [[header]] (a crash without
// node, a partition without groups, a swarm whose partition or crash has
// no at or node).
func TestFaultErrorsPlaced(t *testing.T) {
	docs := []string{
		"swarm = true\n[[partition]]\ngroups = [[\"server-1\"]]\n",
		"swarm = true\n[[crash]]\nat = \"1s\"\n",
		"swarm = true\n[[crash]]\nnode = \"server-1\"\n[[partition]]\nheal = \"1s\"\ngroups = [[\"server-2\"]]\n",
		"[[crash]]\ndurable = true\n",
		"[[crash]]\nnode = \"server-1\"\n[[crash]]\nrestart = \"1s\"\n",
		"[[partition]]\nheal = \"1s\"\n",
	}
	for _, doc := range docs {
		_, err := Parse("bad.toml", []byte(doc))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want an *Error", doc, err)
			continue
		}
		keys, kerr := keyPositions([]byte(doc))
		if kerr != nil {
			t.Fatal(kerr)
		}
		entry, _, _ := strings.Cut(e.Key, "].")
		_, set := keys[e.Key]
		header, isEntry := keys[strings.TrimSuffix(entry, "]")+"]"]
		if e.Line == 0 || !set && !(isEntry && header.line == e.Line && header.col == e.Col) {
			t.Errorf("Parse(%q): error at %d:%d names key %q, which the file does not set:\n%v", doc, e.Line, e.Col, e.Key, err)
		}
	}
}

// TestFaultsAccepted: documents at the edge of the rules that must parse.
func TestFaultsAccepted(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"crash again after restart", "[[crash]]\nnode = \"server-1\"\nat = \"1s\"\nrestart = \"2s\"\n[[crash]]\nnode = \"server-1\"\nat = \"3s\"\n"},
		{"crash again exactly at restart", "[[crash]]\nnode = \"server-1\"\nat = \"1s\"\nrestart = \"2s\"\n[[crash]]\nnode = \"server-1\"\nat = \"2s\"\nrestart = \"4s\"\n"},
		{"crash every server at once", "[[crash]]\nnode = \"server-1\"\n[[crash]]\nnode = \"server-2\"\n[[crash]]\nnode = \"server-3\"\n"},
		{"crash at 0 with restart", "[[crash]]\nnode = \"server-3\"\nat = \"0s\"\nrestart = \"1ns\"\n"},
		{"no clients with faults_until", "clients = 0\nfaults_until = \"2s\"\nloss = 0.1\n[[crash]]\nnode = \"server-1\"\n[[partition]]\ngroups = [[\"server-2\"]]\n"},
		{"no clients, swarm with faults_until", "clients = 0\nswarm = true\nfaults_until = \"1s\"\n"},
		{"no clients, no faults", "clients = 0\nloss = 0.0\n"},
		{"loss and duplicate 0 and 1", "loss = 0\nduplicate = 1\n"},
		{"swarm with zero rates", "swarm = true\nloss = 0.0\nduplicate = 0.0\n"},
		{"swarm with faults_until and liveness_bound", "swarm = true\nfaults_until = \"3s\"\nliveness_bound = \"1s\"\n"},
		{"faults_until and liveness_bound at their limits", "faults_until = \"1000h\"\nliveness_bound = \"24h\"\n"},
		{"partition at the limit", "[[partition]]\nat = \"1000h\"\ngroups = [[\"server-1\"]]\n"},
		{"partition of every node", "[[partition]]\ngroups = [[\"server-1\", \"client-1\"], [\"server-2\", \"client-2\", \"client-3\"], [\"server-3\", \"client-4\", \"client-5\"]]\n"},
		{"overlapping partitions in time", "[[partition]]\nat = \"1s\"\nheal = \"3s\"\ngroups = [[\"server-1\"]]\n[[partition]]\nat = \"2s\"\ngroups = [[\"server-1\"], [\"server-2\"]]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse("ok.toml", []byte(tt.doc)); err != nil {
				t.Errorf("Parse(%q): %v", tt.doc, err)
			}
		})
	}
}

// TestFaultsConfig: a scenario with every fault key parses, and Config
// turns node names into the cluster's IDs (servers 0..servers-1, then the
// clients) and carries every time and rate.
func TestFaultsConfig(t *testing.T) {
	doc := `servers = 4
clients = 3
loss = 0.25
duplicate = 0.125
faults_until = "3s"
liveness_bound = "750ms"

[[partition]]
at = "100ms"
heal = "400ms"
groups = [["server-1", "client-2"], ["server-3", "server-4"]]

[[partition]]
at = "1s"
groups = [["client-3"]]

[[crash]]
node = "server-2"
at = "200ms"
restart = "900ms"
durable = true

[[crash]]
node = "server-4"
at = "1.5s"
`
	sc, err := Parse("faults.toml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	ms := func(n int) Duration { return Duration(time.Duration(n) * time.Millisecond) }
	wantPartitions := []Partition{
		{At: ms(100), Heal: ms(400), Groups: [][]string{{"server-1", "client-2"}, {"server-3", "server-4"}}},
		{At: ms(1000), Groups: [][]string{{"client-3"}}},
	}
	wantCrashes := []Crash{
		{Node: "server-2", At: ms(200), Restart: ms(900), Durable: true},
		{Node: "server-4", At: ms(1500)},
	}
	if !reflect.DeepEqual(sc.Partitions, wantPartitions) {
		t.Errorf("Partitions = %+v\nwant %+v", sc.Partitions, wantPartitions)
	}
	if !reflect.DeepEqual(sc.Crashes, wantCrashes) {
		t.Errorf("Crashes = %+v\nwant %+v", sc.Crashes, wantCrashes)
	}
	if sc.Loss != 0.25 || sc.Duplicate != 0.125 || sc.FaultsUntil != ms(3000) || sc.LivenessBound != ms(750) || sc.Swarm {
		t.Errorf("loss, duplicate, faults_until, liveness_bound, swarm = %v %v %v %v %v, want 0.25 0.125 3s 750ms false",
			sc.Loss, sc.Duplicate, sc.FaultsUntil, sc.LivenessBound, sc.Swarm)
	}

	st := func(n int) sim.Time { return sim.Time(time.Duration(n) * time.Millisecond) }
	want := sim.Faults{
		Loss:      0.25,
		Duplicate: 0.125,
		Until:     st(3000),
		Partitions: []sim.Partition{
			// client-2 is the fifth node: ID 4+2-1.
			{At: st(100), Heal: st(400), Groups: [][]sim.NodeID{{0, 5}, {2, 3}}},
			{At: st(1000), Heal: 0, Groups: [][]sim.NodeID{{6}}},
		},
		Crashes: []sim.Crash{
			{Node: 1, At: st(200), Restart: st(900), Durable: true},
			{Node: 3, At: st(1500), Restart: 0, Durable: false},
		},
	}
	c := sc.Config()
	if !reflect.DeepEqual(c.Faults, want) {
		t.Errorf("Config().Faults =\n%+v\nwant\n%+v", c.Faults, want)
	}
	if c.LivenessBound != 750*time.Millisecond {
		t.Errorf("Config().LivenessBound = %v, want 750ms", c.LivenessBound)
	}
	if c.RequestTimeout != time.Second {
		t.Errorf("Config().RequestTimeout = %v, want the default 1s", c.RequestTimeout)
	}

	// Without the optional keys: no faults, Until and LivenessBound 0.
	c = Default().Config()
	if !reflect.DeepEqual(c.Faults, sim.Faults{}) || c.LivenessBound != 0 {
		t.Errorf("Default().Config() Faults = %+v, LivenessBound %v; want none and 0", c.Faults, c.LivenessBound)
	}
	sc, err = Parse("t.toml", []byte("request_timeout = \"250ms\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Config().RequestTimeout; got != 250*time.Millisecond {
		t.Errorf("Config().RequestTimeout = %v, want 250ms", got)
	}
}

// TestNodeIDs: every node name maps to its place in the cluster's layout.
func TestNodeIDs(t *testing.T) {
	sc := &Scenario{Servers: 3, Clients: 2}
	for name, want := range map[string]sim.NodeID{"server-1": 0, "server-2": 1, "server-3": 2, "client-1": 3, "client-2": 4} {
		if id, ok := sc.nodeID(name); !ok || id != want {
			t.Errorf("nodeID(%q) = %d, %v; want %d", name, id, ok, want)
		}
	}
	for _, name := range []string{"", "server-0", "server-4", "client-0", "client-3", "server-", "server-+1", "server-01", "server--1", "server-1 ", "node-1", "Server-1"} {
		if id, ok := sc.nodeID(name); ok {
			t.Errorf("nodeID(%q) = %d, ok; want not ok", name, id)
		}
	}
}

// faultRoundTripDocs are scenarios with faults that TOML and AppendJSON
// must render faithfully.
var faultRoundTripDocs = map[string]string{
	"partitions with and without heal": `loss = 0.1
duplicate = 0.05
faults_until = "2s"
liveness_bound = "300ms"
[[partition]]
at = "100ms"
heal = "250ms"
groups = [["server-1"], ["server-2", "client-1"]]
[[partition]]
at = "1s"
groups = [["server-3", "client-5", "client-4"]]
`,
	"crashes durable or not, with and without restart": `servers = 5
[[crash]]
node = "server-1"
at = "10ms"
restart = "20ms"
durable = true
[[crash]]
node = "server-1"
at = "20ms"
durable = false
[[crash]]
node = "server-5"
at = "0s"
restart = "1h0m0.5s"
durable = true
[[crash]]
node = "server-3"
at = "1.5ms"
`,
	"everything": `seed = 77
servers = 2
clients = 1
request_timeout = "150ms"
loss = 1.0
duplicate = 1e-9
faults_until = "1000h"
liveness_bound = "24h"
[latency]
distribution = "fixed"
fixed = "3ms"
[[partition]]
at = "999h"
heal = "1000h"
groups = [["server-1"]]
[[crash]]
node = "server-2"
at = "800us"
restart = "1ms"
durable = true
`,
	"no clients": `clients = 0
requests_per_client = 0
faults_until = "5s"
duplicate = 0.30000000000000004
[[partition]]
groups = [["server-1"], ["server-2"], ["server-3"]]
[[crash]]
node = "server-2"
`,
	"swarm kept": `swarm = true
faults_until = "3s"
liveness_bound = "90s"
`,
}

func faultRoundTripCases(t *testing.T) map[string]*Scenario {
	t.Helper()
	cases := make(map[string]*Scenario)
	for name, doc := range faultRoundTripDocs {
		sc, err := Parse(name, []byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cases[name] = sc
	}
	files, err := filepath.Glob("*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		sc, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if sc.hasFaults() || sc.Swarm {
			cases[path] = sc
		}
	}
	return cases
}

// TestFaultsTOMLRoundTrip: a scenario with faults renders as TOML that
// parses back to the same scenario, and the rendering is stable.
func TestFaultsTOMLRoundTrip(t *testing.T) {
	for name, sc := range faultRoundTripCases(t) {
		t.Run(name, func(t *testing.T) {
			text := requireRoundTrip(t, sc)
			// Unset heal and restart are left out, not written as "0s",
			// which would not parse back.
			for _, zero := range []string{`heal = "0s"`, `restart = "0s"`} {
				if strings.Contains(string(text), zero) {
					t.Errorf("TOML() writes %s:\n%s", zero, text)
				}
			}
			if got, want := strings.Count(string(text), "[[partition]]"), len(sc.Partitions); got != want {
				t.Errorf("TOML() has %d [[partition]], want %d", got, want)
			}
			if got, want := strings.Count(string(text), "[[crash]]"), len(sc.Crashes); got != want {
				t.Errorf("TOML() has %d [[crash]], want %d", got, want)
			}
		})
	}
}

// TestFaultsAppendJSON: the JSON form holds the same fault values as the
// scenario: rates, the optional spans, and every partition and crash.
func TestFaultsAppendJSON(t *testing.T) {
	type jsonPartition struct {
		At     *string    `json:"at"`
		Heal   *string    `json:"heal"`
		Groups [][]string `json:"groups"`
	}
	type jsonCrash struct {
		Node    *string `json:"node"`
		At      *string `json:"at"`
		Restart *string `json:"restart"`
		Durable *bool   `json:"durable"`
	}
	for name, sc := range faultRoundTripCases(t) {
		t.Run(name, func(t *testing.T) {
			raw := sc.AppendJSON(nil)
			if !json.Valid(raw) {
				t.Fatalf("AppendJSON is not valid JSON: %s", raw)
			}
			var got struct {
				Loss          *float64         `json:"loss"`
				Duplicate     *float64         `json:"duplicate"`
				FaultsUntil   *string          `json:"faults_until"`
				LivenessBound *string          `json:"liveness_bound"`
				Swarm         *bool            `json:"swarm"`
				Partition     *[]jsonPartition `json:"partition"`
				Crash         *[]jsonCrash     `json:"crash"`
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("decoding %s: %v", raw, err)
			}
			// dur reads an optional duration: 0 if left out. A duration
			// that is there must not be 0: an unset heal, restart,
			// faults_until or liveness_bound is left out.
			dur := func(what string, s *string) Duration {
				t.Helper()
				if s == nil {
					return 0
				}
				d, err := time.ParseDuration(*s)
				if err != nil {
					t.Errorf("%s = %q: %v", what, *s, err)
				}
				if d == 0 && !strings.HasSuffix(what, " at") {
					t.Errorf("%s = %q, want it left out", what, *s)
				}
				return Duration(d)
			}
			if got.Loss == nil || *got.Loss != sc.Loss || got.Duplicate == nil || *got.Duplicate != sc.Duplicate {
				t.Errorf("loss, duplicate = %v, %v; want %v, %v (in %s)", got.Loss, got.Duplicate, sc.Loss, sc.Duplicate, raw)
			}
			if got.Swarm == nil || *got.Swarm != sc.Swarm {
				t.Errorf("swarm = %v, want %v", got.Swarm, sc.Swarm)
			}
			if d := dur("faults_until", got.FaultsUntil); d != sc.FaultsUntil {
				t.Errorf("faults_until = %v, want %v", d, sc.FaultsUntil)
			}
			if d := dur("liveness_bound", got.LivenessBound); d != sc.LivenessBound {
				t.Errorf("liveness_bound = %v, want %v", d, sc.LivenessBound)
			}
			if got.Partition == nil || got.Crash == nil {
				t.Fatalf("partition or crash array missing: %s", raw)
			}
			var parts []Partition
			for i, p := range *got.Partition {
				if p.At == nil {
					t.Errorf("partition %d: at missing", i+1)
					continue
				}
				parts = append(parts, Partition{
					At:     dur(fmt.Sprintf("partition %d at", i+1), p.At),
					Heal:   dur(fmt.Sprintf("partition %d heal", i+1), p.Heal),
					Groups: p.Groups,
				})
			}
			if !reflect.DeepEqual(parts, sc.Partitions) {
				t.Errorf("JSON partitions = %+v\nwant %+v\nin %s", parts, sc.Partitions, raw)
			}
			var crashes []Crash
			for i, c := range *got.Crash {
				if c.Node == nil || c.At == nil || c.Durable == nil {
					t.Errorf("crash %d: node, at or durable missing", i+1)
					continue
				}
				crashes = append(crashes, Crash{
					Node:    *c.Node,
					At:      dur(fmt.Sprintf("crash %d at", i+1), c.At),
					Restart: dur(fmt.Sprintf("crash %d restart", i+1), c.Restart),
					Durable: *c.Durable,
				})
			}
			if !reflect.DeepEqual(crashes, sc.Crashes) {
				t.Errorf("JSON crashes = %+v\nwant %+v\nin %s", crashes, sc.Crashes, raw)
			}
		})
	}
}

// TestFaultTableForms: TOML has other ways to write the [[partition]] and
// [[crash]] tables: an inline array of tables, and (which the decoder
// takes as an array of one) a single [table]. Parse may reject those
// forms, but what it accepts in them it must check as strictly as the
// [[...]] form: a document it accepts in another form gives the same
// scenario in the [[...]] form. Otherwise Parse accepts scenarios whose
// own TOML() rendering it rejects.
func TestFaultTableForms(t *testing.T) {
	tests := []struct {
		name                       string
		arrayTable, inline, single string
	}{
		{"valid partition",
			"[[partition]]\nat = \"1s\"\nheal = \"2s\"\ngroups = [[\"server-1\"]]\n",
			"partition = [{at = \"1s\", heal = \"2s\", groups = [[\"server-1\"]]}]\n",
			"[partition]\nat = \"1s\"\nheal = \"2s\"\ngroups = [[\"server-1\"]]\n"},
		{"valid crash",
			"[[crash]]\nnode = \"server-2\"\nat = \"1s\"\nrestart = \"2s\"\n",
			"crash = [{node = \"server-2\", at = \"1s\", restart = \"2s\"}]\n",
			"[crash]\nnode = \"server-2\"\nat = \"1s\"\nrestart = \"2s\"\n"},
		{"heal before at",
			"[[partition]]\nat = \"1s\"\nheal = \"500ms\"\ngroups = [[\"server-1\"]]\n",
			"partition = [{at = \"1s\", heal = \"500ms\", groups = [[\"server-1\"]]}]\n",
			"[partition]\nat = \"1s\"\nheal = \"500ms\"\ngroups = [[\"server-1\"]]\n"},
		{"restart before at",
			"[[crash]]\nnode = \"server-1\"\nat = \"1s\"\nrestart = \"500ms\"\n",
			"crash = [{node = \"server-1\", at = \"1s\", restart = \"500ms\"}]\n",
			"[crash]\nnode = \"server-1\"\nat = \"1s\"\nrestart = \"500ms\"\n"},
		{"integer duration",
			"[[crash]]\nnode = \"server-1\"\nat = 5\n",
			"crash = [{node = \"server-1\", at = 5}]\n",
			"[crash]\nnode = \"server-1\"\nat = 5\n"},
		{"upper-case key",
			"[[crash]]\nnode = \"server-1\"\nAT = \"1s\"\n",
			"crash = [{node = \"server-1\", AT = \"1s\"}]\n",
			"[crash]\nnode = \"server-1\"\nAT = \"1s\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := Parse("forms.toml", []byte(tt.arrayTable))
			for _, form := range []struct{ name, doc string }{{"inline array", tt.inline}, {"single table", tt.single}} {
				got, err := Parse("forms.toml", []byte(form.doc))
				if err != nil {
					continue // rejecting the form is fine
				}
				if wantErr != nil {
					t.Errorf("%s form %q parses to %+v %+v;\nthe same in [[...]] form is rejected:\n%v",
						form.name, form.doc, got.Partitions, got.Crashes, wantErr)
				} else if !reflect.DeepEqual(got, want) {
					t.Errorf("%s form %q parses to\n%+v\nwant, as the [[...]] form gives,\n%+v", form.name, form.doc, *got, *want)
				}
				if _, err := Parse("rendered", got.TOML()); err != nil {
					t.Errorf("%s form %q parses, but its own TOML() does not: %v", form.name, form.doc, err)
				}
			}
		})
	}
}

// swarmBases are swarm scenarios of different shapes.
var swarmBases = map[string]string{
	"chaos": `servers = 4
clients = 6
requests_per_client = 30
sync_interval = "50ms"
request_timeout = "200ms"
swarm = true
[latency]
distribution = "exponential"
floor = "1ms"
mean = "8ms"
`,
	"default": "swarm = true\n",
	"two servers, fixed latency": `servers = 2
clients = 2
faults_until = "2s"
liveness_bound = "700ms"
swarm = true
[latency]
distribution = "fixed"
fixed = "3ms"
`,
	"one server":             "servers = 1\nclients = 3\nswarm = true\n",
	"no clients":             "servers = 5\nclients = 0\nrequests_per_client = 0\nfaults_until = \"2s\"\nswarm = true\n",
	"no requests":            "requests_per_client = 0\nswarm = true\n",
	"no servers, no clients": "servers = 0\nclients = 0\nfaults_until = \"1s\"\nswarm = true\n",
	"many servers":           "servers = 40\nclients = 10\nrequests_per_client = 5\nswarm = true\n",
}

// faultSet is the part of a scenario that the swarm draws.
type faultSet struct {
	Loss, Duplicate float64
	Partitions      []Partition
	Crashes         []Crash
}

func faultsOf(s *Scenario) faultSet {
	return faultSet{s.Loss, s.Duplicate, s.Partitions, s.Crashes}
}

// checkDrawn checks one resolved swarm scenario r of the swarm scenario sc.
func checkDrawn(t *testing.T, sc, r *Scenario) {
	t.Helper()
	if r.Swarm {
		t.Errorf("Resolved().Swarm = true")
	}
	// Everything but the drawn faults is the scenario's own.
	rest := *r
	rest.Swarm, rest.Loss, rest.Duplicate, rest.Partitions, rest.Crashes = true, 0, 0, nil, nil
	if !reflect.DeepEqual(rest, *sc) {
		t.Errorf("Resolved() changed more than the faults:\n%+v\nfrom\n%+v", rest, *sc)
	}
	for _, p := range []float64{r.Loss, r.Duplicate} {
		if !(p >= 0 && p <= 1) {
			t.Errorf("drew rate %v, not a probability", p)
		}
	}
	for i, p := range r.Partitions {
		if p.Heal != 0 && p.Heal <= p.At {
			t.Errorf("partition %d: heal %v not after at %v", i+1, p.Heal, p.At)
		}
		if len(p.Groups) == 0 {
			t.Errorf("partition %d has no groups", i+1)
		}
	}
	down := make(map[string]bool)
	for i, c := range r.Crashes {
		if id, ok := r.nodeID(c.Node); !ok || int(id) >= r.Servers {
			t.Errorf("crash %d of %q, not a server", i+1, c.Node)
		}
		if down[c.Node] {
			t.Errorf("crash %d: %s crashes twice", i+1, c.Node)
		}
		down[c.Node] = true
		if c.Restart != 0 && c.Restart <= c.At {
			t.Errorf("crash %d: restart %v not after at %v", i+1, c.Restart, c.At)
		}
	}
	// What was drawn passes validation and round-trips: the header of a
	// run replays it.
	text := r.TOML()
	back, err := Parse("resolved", text)
	if err != nil {
		t.Fatalf("seed %d: Parse(Resolved().TOML()): %v\n%s", sc.Seed, err, text)
	}
	back.Name = r.Name
	if !reflect.DeepEqual(back, r) {
		t.Errorf("seed %d: Parse(Resolved().TOML()) =\n%+v\nwant\n%+v", sc.Seed, *back, *r)
	}
}

// TestSwarmResolved: the swarm draws valid faults from the seed, the same
// for the same seed, different across seeds, each kind switched on and
// off by the seed.
func TestSwarmResolved(t *testing.T) {
	for name, doc := range swarmBases {
		t.Run(name, func(t *testing.T) {
			sc, err := Parse(name, []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			distinct := make(map[string]bool)
			var withLoss, withoutLoss, withDup, withoutDup, withParts, withoutParts, withCrashes, withoutCrashes int
			var durable, volatile, restarted, notRestarted int
			for seed := int64(1); seed <= 50; seed++ {
				sc.Seed = seed
				before := *sc
				r := sc.Resolved()
				if r == sc {
					t.Fatalf("seed %d: Resolved() of a swarm returned the scenario itself", seed)
				}
				if !reflect.DeepEqual(*sc, before) {
					t.Fatalf("seed %d: Resolved() changed the scenario: %+v", seed, *sc)
				}
				if again := sc.Resolved(); !reflect.DeepEqual(again, r) {
					t.Fatalf("seed %d: Resolved() differs between calls:\n%+v\n%+v", seed, *r, *again)
				}
				fresh, err := Parse(name, []byte(doc))
				if err != nil {
					t.Fatal(err)
				}
				fresh.Seed = seed
				if other := fresh.Resolved(); !reflect.DeepEqual(other, r) {
					t.Fatalf("seed %d: Resolved() of the same scenario parsed again differs:\n%+v\n%+v", seed, *r, *other)
				}
				checkDrawn(t, sc, r)
				// Config draws the same faults.
				if got, want := sc.Config(), r.Config(); !reflect.DeepEqual(got.Faults, want.Faults) || got.LivenessBound != want.LivenessBound {
					t.Errorf("seed %d: Config().Faults =\n%+v\nwant Resolved().Config().Faults\n%+v", seed, got.Faults, want.Faults)
				}

				distinct[fmt.Sprintf("%+v", faultsOf(r))] = true
				count := func(on bool, yes, no *int) {
					if on {
						*yes++
					} else {
						*no++
					}
				}
				count(r.Loss > 0, &withLoss, &withoutLoss)
				count(r.Duplicate > 0, &withDup, &withoutDup)
				count(len(r.Partitions) > 0, &withParts, &withoutParts)
				count(len(r.Crashes) > 0, &withCrashes, &withoutCrashes)
				for _, c := range r.Crashes {
					count(c.Durable, &durable, &volatile)
					count(c.Restart > 0, &restarted, &notRestarted)
				}
			}
			t.Logf("50 seeds: %d distinct fault sets; loss %d/%d, duplicate %d/%d, partitions %d/%d, crashes %d/%d (durable %d/%d, restart %d/%d)",
				len(distinct), withLoss, withoutLoss, withDup, withoutDup, withParts, withoutParts, withCrashes, withoutCrashes,
				durable, volatile, restarted, notRestarted)
			if len(distinct) < 10 {
				t.Errorf("50 seeds drew only %d distinct fault sets", len(distinct))
			}
			// Each kind is on for some seeds and off for others.
			some := func(kind string, on, off int) {
				t.Helper()
				if on == 0 || off == 0 {
					t.Errorf("%s: on for %d seeds, off for %d; want both", kind, on, off)
				}
			}
			some("loss", withLoss, withoutLoss)
			some("duplicate", withDup, withoutDup)
			switch {
			case sc.Servers > 1:
				some("partitions", withParts, withoutParts)
			case withParts > 0:
				t.Errorf("%d servers, yet partitions for %d seeds", sc.Servers, withParts)
			}
			if sc.Servers > 0 {
				some("crashes", withCrashes, withoutCrashes)
				some("durable crashes", durable, volatile)
				some("crashes with restart", restarted, notRestarted)
			} else if withCrashes > 0 {
				t.Errorf("no servers, yet crashes for %d seeds", withCrashes)
			}
		})
	}
}

// TestSwarmResolvedLongRuns: the swarm spreads the faults over the time
// the clients are expected to take (requests * 2 * mean latency). With
// many requests and a slow network that is longer than any at may be
// (1000h), and the product can overflow; the drawn faults must still pass
// validation, or the run's header does not replay.
func TestSwarmResolvedLongRuns(t *testing.T) {
	docs := map[string]string{
		"window 1111h": "swarm = true\nmax_time = \"1000h\"\nrequests_per_client = 200000\n[latency]\ndistribution = \"fixed\"\nfixed = \"10s\"\n",
		// Syncing once a day: every 100ms, with latencies of days,
		// would keep more messages in flight than MaxInFlight allows.
		"window overflows int64": "swarm = true\nmax_time = \"1000h\"\nsync_interval = \"24h\"\nrequests_per_client = 1000000\n[latency]\ndistribution = \"exponential\"\nfloor = \"24h\"\nmean = \"24h\"\n",
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			sc, err := Parse(name, []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			for seed := int64(1); seed <= 20; seed++ {
				sc.Seed = seed
				if _, err := Parse("resolved", sc.Resolved().TOML()); err != nil {
					t.Fatalf("seed %d: Parse(Resolved().TOML()): %v", seed, err)
				}
			}
		})
	}
}

// TestResolvedNotSwarm: a scenario that is not a swarm resolves to itself.
func TestResolvedNotSwarm(t *testing.T) {
	for name, doc := range faultRoundTripDocs {
		sc, err := Parse(name, []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if sc.Swarm {
			continue
		}
		if r := sc.Resolved(); r != sc {
			t.Errorf("%s: Resolved() = %p, want the scenario itself %p", name, r, sc)
		}
		if got, want := sc.Config().Faults, sc.faults(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Config().Faults = %+v, want %+v", name, got, want)
		}
	}
	sc := Default()
	if sc.Resolved() != sc {
		t.Errorf("Default().Resolved() is not the scenario itself")
	}
}

// TestShippedFaultScenarios: the shipped scenario files load, and those
// named for a fault have it.
func TestShippedFaultScenarios(t *testing.T) {
	files, err := filepath.Glob("*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			sc, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			switch path {
			case "lossy.toml":
				if !(sc.Loss > 0) {
					t.Errorf("loss = %v, want > 0", sc.Loss)
				}
			case "partition.toml":
				if len(sc.Partitions) == 0 {
					t.Errorf("no [[partition]]")
				}
				if len(sc.Config().Faults.Partitions) != len(sc.Partitions) {
					t.Errorf("Config() lost partitions: %+v", sc.Config().Faults)
				}
			case "crash.toml":
				durable, volatile := 0, 0
				for _, c := range sc.Crashes {
					if c.Durable {
						durable++
					} else {
						volatile++
					}
				}
				if durable == 0 || volatile == 0 {
					t.Errorf("crashes %+v: want at least one durable and one not", sc.Crashes)
				}
			case "chaos.toml":
				if !sc.Swarm {
					t.Errorf("swarm = false, want true")
				}
				r := sc.Resolved()
				checkDrawn(t, sc, r)
				if !r.hasFaults() {
					t.Logf("chaos.toml's own seed %d draws no faults", sc.Seed)
				}
			}
		})
	}
}

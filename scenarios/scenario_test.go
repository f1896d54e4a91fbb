package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"eccounter/model"
)

// TestDefaultTOMLIsDefaults keeps the reference file honest: default.toml
// spells out every default, so parsing it must give exactly defaults(), and
// so must a file that sets nothing.
func TestDefaultTOMLIsDefaults(t *testing.T) {
	want := defaults()
	tests := []struct {
		name string
		data []byte
	}{
		{"default.toml", defaultTOML},
		{"empty", nil},
		{"comments only", []byte("# nothing here\n\n# nor here\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.name, tt.data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got.Name != tt.name {
				t.Errorf("Name = %q, want %q", got.Name, tt.name)
			}
			got.Name = ""
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("Parse(%s) =\n%+v\nwant defaults()\n%+v", tt.name, *got, want)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	got := Default()
	if got.Name != DefaultName {
		t.Errorf("Default().Name = %q, want %q", got.Name, DefaultName)
	}
	want := defaults()
	want.Name = DefaultName
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Default() =\n%+v\nwant\n%+v", *got, want)
	}
	// Default returns a fresh value each time: a caller overriding the
	// seed must not change the next caller's default.
	got.Seed = 99
	if Default().Seed != want.Seed {
		t.Errorf("changing one Default() changed the next: seed %d", Default().Seed)
	}
}

// shippedFiles returns every scenario file in this directory.
func shippedFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"default.toml", "large.toml", "slow-network.toml"} {
		found := false
		for _, f := range files {
			found = found || f == want
		}
		if !found {
			t.Fatalf("glob *.toml = %v, missing %s", files, want)
		}
	}
	return files
}

// TestShippedScenariosLoad: every scenario file we ship must load.
func TestShippedScenariosLoad(t *testing.T) {
	for _, path := range shippedFiles(t) {
		t.Run(path, func(t *testing.T) {
			sc, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if sc.Name != path {
				t.Errorf("Name = %q, want the path %q", sc.Name, path)
			}
		})
	}
	// Spot-check that the files mean what their comments say.
	sc, err := Load("slow-network.toml")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != 7 || sc.Servers != 4 || sc.Latency.Distribution != "exponential" ||
		sc.Latency.Floor != Duration(20*time.Millisecond) || sc.Latency.Mean != Duration(80*time.Millisecond) {
		t.Errorf("slow-network.toml = %+v, want seed 7, 4 servers, exponential 20ms+80ms", *sc)
	}
	sc, err = Load("large.toml")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Servers != 100 || sc.Clients != 10000 || sc.SyncInterval != Duration(50*time.Millisecond) {
		t.Errorf("large.toml = %+v, want 100 servers, 10000 clients, sync every 50ms", *sc)
	}
}

// roundTripCases are the scenarios TOML and AppendJSON must render
// faithfully: the default, every shipped file, and values that stress the
// rendering (other distributions, odd durations, awkward floats).
func roundTripCases(t *testing.T) map[string]*Scenario {
	t.Helper()
	cases := map[string]*Scenario{"embedded default": Default()}
	for _, path := range shippedFiles(t) {
		sc, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		cases[path] = sc
	}
	extra := map[string]string{
		"fixed":       "assignment = \"random\"\n[latency]\ndistribution = \"fixed\"\nfixed = \"800us\"\n",
		"exponential": "seed = -42\nmax_value = 1\n[latency]\ndistribution = \"exponential\"\nfloor = \"1ns\"\nmean = \"1.5s\"\n",
		"long spans":  "sync_interval = \"24h\"\nmax_time = \"1000h\"\n[latency]\nmin = \"1h0m0.5s\"\nmax = \"23h59m\"\n",
		"mixed units": "sync_interval = \"1m30s\"\nmax_time = \"90m\"\n",
		"set_ratio 0": "set_ratio = 0.0\n",
		"set_ratio 1": "set_ratio = 1\n",
		"ring":        "servers = 9\n[sync]\nstrategy = \"ring\"\nfanout = 3\n",
		"tiny float":  "set_ratio = 1e-7\n",
		"long float":  "set_ratio = 0.30000000000000004\n",
		"no clients":  "servers = 0\nclients = 0\nrequests_per_client = 0\n",
		"big seed":    "seed = -9223372036854775808\nmax_events = 1000000000\n",
		"inline":      "latency = { distribution = \"fixed\", fixed = \"2ms\" }\n",
		"rumor-push":  "servers = 5\n[sync]\nstrategy = \"rumor-push\"\n",
		"rumor-pull":  "servers = 5\n[sync]\nstrategy = \"rumor-pull\"\nfanout = 2\nk = 100\nfeedback = false\ncoin = true\nanti_entropy = \"1m30s\"\n",
		"rumor ae 0s": "[sync]\nstrategy = \"rumor-push\"\nk = 1\nanti_entropy = \"0s\"\n",
		"direct-mail": "servers = 4\n[sync]\nstrategy = \"direct-mail\"\n",
		"mail ae":     "servers = 1000\n[sync]\nstrategy = \"direct-mail\"\nanti_entropy = \"2s\"\n",
	}
	for name, doc := range extra {
		sc, err := Parse(name, []byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cases[name] = sc
	}
	return cases
}

// requireRoundTrip checks that sc renders as TOML that parses back to the
// same scenario, and that rendering is stable (render, parse, render gives
// the same text). It returns the rendering.
func requireRoundTrip(t *testing.T, sc *Scenario) []byte {
	t.Helper()
	text := sc.TOML()
	got, err := Parse("rendered", text)
	if err != nil {
		t.Fatalf("Parse(TOML()) failed: %v\nTOML():\n%s", err, text)
	}
	got.Name = sc.Name
	if !reflect.DeepEqual(got, sc) {
		t.Errorf("Parse(TOML()) =\n%+v\nwant\n%+v\nTOML():\n%s", *got, *sc, text)
	}
	if again := got.TOML(); string(again) != string(text) {
		t.Errorf("TOML() is not stable:\n%s\nthen\n%s", text, again)
	}
	return text
}

// TestTOMLRoundTrip: a run's header is its scenario rendered as TOML, so
// parsing that rendering must give the same scenario back.
func TestTOMLRoundTrip(t *testing.T) {
	for name, sc := range roundTripCases(t) {
		t.Run(name, func(t *testing.T) {
			text := requireRoundTrip(t, sc)
			// Only the keys of the chosen distribution are rendered: a
			// rendered file must never trip the "not used" rule.
			for _, k := range []string{"fixed", "min", "max", "floor", "mean"} {
				used := false
				for _, u := range distributionKeys[sc.Config().Latency.Distribution] {
					used = used || u == k
				}
				if has := strings.Contains(string(text), "\n"+k+" = "); has != used {
					t.Errorf("TOML() has latency key %s: %v, want %v:\n%s", k, has, used, text)
				}
			}
		})
	}
}

// TestAppendJSON: the JSON form of a scenario is valid JSON with the same
// keys and values as the TOML form.
func TestAppendJSON(t *testing.T) {
	for name, sc := range roundTripCases(t) {
		t.Run(name, func(t *testing.T) {
			prefix := []byte(`{"x":`)
			b := sc.AppendJSON(prefix)
			if !strings.HasPrefix(string(b), string(prefix)) {
				t.Fatalf("AppendJSON dropped what it was appending to: %s", b)
			}
			raw := b[len(prefix):]
			if !json.Valid(raw) {
				t.Fatalf("AppendJSON is not valid JSON: %s", raw)
			}
			var got struct {
				Seed              *int64            `json:"seed"`
				Servers           *int              `json:"servers"`
				Clients           *int              `json:"clients"`
				RequestsPerClient *int              `json:"requests_per_client"`
				SetRatio          *float64          `json:"set_ratio"`
				MaxValue          *int64            `json:"max_value"`
				SyncInterval      *string           `json:"sync_interval"`
				Assignment        *string           `json:"assignment"`
				MaxTime           *string           `json:"max_time"`
				MaxEvents         *int64            `json:"max_events"`
				RequestTimeout    *string           `json:"request_timeout"`
				Loss              *float64          `json:"loss"`
				Duplicate         *float64          `json:"duplicate"`
				FaultsUntil       *string           `json:"faults_until"`
				LivenessBound     *string           `json:"liveness_bound"`
				Swarm             *bool             `json:"swarm"`
				Latency           map[string]string `json:"latency"`
				Sync              map[string]any    `json:"sync"`
				Partition         []map[string]any  `json:"partition"`
				Crash             []map[string]any  `json:"crash"`
			}
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("decoding %s: %v", raw, err)
			}
			dur := func(key string, s *string, want Duration) {
				t.Helper()
				if s == nil {
					t.Errorf("%s missing from %s", key, raw)
					return
				}
				d, err := time.ParseDuration(*s)
				if err != nil || Duration(d) != want {
					t.Errorf("%s = %q (%v), want %v", key, *s, err, time.Duration(want))
				}
			}
			check := func(key string, ok bool) {
				t.Helper()
				if !ok {
					t.Errorf("%s wrong or missing in %s", key, raw)
				}
			}
			check("seed", got.Seed != nil && *got.Seed == sc.Seed)
			check("servers", got.Servers != nil && *got.Servers == sc.Servers)
			check("clients", got.Clients != nil && *got.Clients == sc.Clients)
			check("requests_per_client", got.RequestsPerClient != nil && *got.RequestsPerClient == sc.RequestsPerClient)
			check("set_ratio", got.SetRatio != nil && *got.SetRatio == sc.SetRatio)
			check("max_value", got.MaxValue != nil && *got.MaxValue == sc.MaxValue)
			check("assignment", got.Assignment != nil && *got.Assignment == sc.Assignment)
			check("max_events", got.MaxEvents != nil && *got.MaxEvents == sc.MaxEvents)
			dur("sync_interval", got.SyncInterval, sc.SyncInterval)
			dur("max_time", got.MaxTime, sc.MaxTime)
			dur("request_timeout", got.RequestTimeout, sc.RequestTimeout)
			check("loss", got.Loss != nil && *got.Loss == sc.Loss)
			check("duplicate", got.Duplicate != nil && *got.Duplicate == sc.Duplicate)
			check("swarm", got.Swarm != nil && *got.Swarm == sc.Swarm)
			check("faults_until", (got.FaultsUntil == nil) == (sc.FaultsUntil == 0))
			check("liveness_bound", (got.LivenessBound == nil) == (sc.LivenessBound == 0))
			check("partition", len(got.Partition) == len(sc.Partitions))
			check("crash", len(got.Crash) == len(sc.Crashes))
			check("sync.strategy", got.Sync["strategy"] == sc.Sync.Strategy)
			check("latency.distribution", got.Latency["distribution"] == sc.Latency.Distribution)
			spans := map[string]Duration{"fixed": sc.Latency.Fixed, "min": sc.Latency.Min, "max": sc.Latency.Max,
				"floor": sc.Latency.Floor, "mean": sc.Latency.Mean}
			used := distributionKeys[sc.Config().Latency.Distribution]
			if len(got.Latency) != 1+len(used) {
				t.Errorf("latency = %v, want distribution and %v only", got.Latency, used)
			}
			for _, k := range used {
				s := got.Latency[k]
				dur("latency."+k, &s, spans[k])
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "1h"},
		{time.Minute, "1m"},
		{90 * time.Minute, "1h30m"},
		{time.Hour + time.Second, "1h0m1s"},
		{100 * time.Millisecond, "100ms"},
		{800 * time.Microsecond, "800us"},
		{1500 * time.Millisecond, "1.5s"},
		{1000 * time.Hour, "1000h"},
		{10 * time.Minute, "10m"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d).String(); got != tt.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tt.d, got, tt.want)
		}
		if back, err := time.ParseDuration(Duration(tt.d).String()); err != nil || back != tt.d {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", Duration(tt.d).String(), back, err, tt.d)
		}
	}
}

// TestParseErrors has one bad document per rule. Every error must say
// where (line, column: the place the text "at" starts), which key, and what
// is wrong; its rendering must show the line with a caret under the place.

func TestParseErrors(t *testing.T) {
	top := "the keys allowed here are seed, servers, clients, requests_per_client, set_ratio, max_value, sync_interval, assignment, max_time, max_events, request_timeout, loss, duplicate, faults_until, liveness_bound, swarm and the tables [latency], [sync], [server], [[partition]] and [[crash]]"
	lat := "the keys allowed in [latency] are distribution, fixed, min, max, floor, mean"
	notPositive := `is not a positive duration; write one such as "100ms"`
	tests := []struct {
		name      string
		doc       string
		line, col int
		at        string // the source text at line:col
		key       string
		msg       string
	}{
		// Keys that do not exist.
		{"unknown top-level key", "servers = 3\nbogus = 1\n", 2, 1, "bogus", "bogus", "unknown key; " + top},
		{"unknown key in [latency]", "[latency]\nmin = \"1ms\"\nbogus = 1\n", 3, 1, "bogus", "latency.bogus", "unknown key; " + lat},
		{"top-level key in [latency]", "servers = 2\n[latency]\nservers = 3\n", 3, 1, "servers", "latency.servers", lat},
		{"unknown subtable", "[latency.sub]\nx = 1\n", 1, 2, "latency.sub", "latency.sub", lat},
		{"field name without a key", "Name = \"x\"\n", 1, 1, "Name", "Name", "unknown key"},

		// Dotted keys and headers: the error names the first part that is
		// wrong, and the table it is wrong in.
		{"dotted unknown table", "foo.bar = 1\n", 1, 1, "foo", "foo", "unknown key; " + top},
		{"unknown table header", "[foo.bar]\n", 1, 2, "foo", "foo", "unknown key; " + top},
		{"dotted unknown key in [sync]", "[sync]\na.b = 1\n", 2, 1, "a.b", "sync.a", "unknown key; the keys allowed in [sync] are strategy, fanout, k, feedback, coin, anti_entropy"},
		{"dotted key through a value", "seed.x = 1\n", 1, 1, "seed", "seed", "takes a value, not a table: write seed = VALUE at the top level"},
		{"value as a table", "[seed]\n", 1, 2, "seed", "seed", "takes a value, not a table"},
		{"value as an array of tables", "[[seed]]\n", 1, 3, "seed", "seed", "takes a value, not a table"},
		{"dotted key through a table's value", "latency.min.x = 1\n", 1, 1, "latency", "latency.min", "takes a value, not a table: write min = VALUE in [latency]"},
		{"table through a table's value", "[sync]\n[sync.strategy]\n", 2, 2, "sync.strategy", "sync.strategy", "takes a value, not a table: write strategy = VALUE in [sync]"},
		{"table through an entry's value", "[[partition]]\n[partition.groups]\n", 2, 2, "partition.groups", "partition.groups", "takes a value, not a table: write groups = VALUE in [[partition]]"},

		// An unknown key suggests the known one it is closest to.
		{"misspelt key", "sync_intervall = \"1s\"\n", 1, 1, "sync_intervall", "sync_intervall", top + "; did you mean sync_interval?"},
		{"swapped letters", "servres = 3\n", 1, 1, "servres", "servres", "; did you mean servers?"},
		{"upper-case key suggests lower case", "SERVERS = 3\n", 1, 1, "SERVERS", "SERVERS", "; did you mean servers?"},
		{"misspelt table", "[latencey]\n", 1, 2, "latencey", "latencey", "; did you mean the table [latency]?"},
		{"misspelt key in [latency]", "[latency]\nmxa = \"2ms\"\n", 2, 1, "mxa", "latency.mxa", lat + "; did you mean max?"},
		{"dot for underscore", "sync.intervall = \"1s\"\n", 1, 1, "sync", "sync.intervall", "; did you mean the top-level key sync_interval?"},
		{"key of [sync] at the top", "fanout = 2\n", 1, 1, "fanout", "fanout", top + "; fanout is a key of [sync]"},
		{"top-level key in a table", "[sync]\nservers = 2\n", 2, 1, "servers", "sync.servers", "; servers is a top-level key: set it before any table"},

		// Messages say what is wanted in TOML's words, never Go's.
		{"date for integer", "seed = 2020-01-01\n", 1, 8, "2020", "seed", "want an integer, have a TOML local date"},
		{"datetime for boolean", "swarm = 1979-05-27T07:32:00Z\n", 1, 9, "1979", "swarm", "want true or false, have a TOML datetime"},
		{"array for [sync]", "sync = [1]\n", 1, 8, "[1]", "sync", "want a table ([sync]), have a TOML array"},
		{"inline table for a group", "[[partition]]\ngroups = [[\"server-1\"]]\n[[partition]]\ngroups = [{}]\n", 4, 11, "{}", "partition[2].groups",
			`want a group of node names, such as ["server-1", "client-1"], have a TOML inline table`},
		{"inline table in [sync]", "sync = { k = 2, fanout = \"x\" }\n", 1, 26, `"x"`, "sync", "want an integer, have a TOML string"},
		{"second element of a group", "[[partition]]\ngroups = [[\"server-1\", 2]]\n", 2, 24, "2", "partition[1].groups", "want a string, have a TOML integer"},
		// go-toml keeps no place for an array inside an array inside an
		// array: the error is at the start.
		{"array for a node name", "[[partition]]\ngroups = [[[1]]]\n", 1, 1, "[[partition]]", "partition[1].groups", "want a string, have a TOML array"},
		// The decoder reads a number before it looks where it goes.
		{"float too large for a string", "assignment = 1e999\n", 1, 14, "1e999", "assignment", "value out of range"},
		{"integer too large for a boolean", "swarm = 99999999999999999999\n", 1, 9, "9999", "swarm", "too large"},
		// The first of two errors in the document.
		{"wrong kind after a duplicate", "seed = 1\nseed = 2\nservers = \"x\"\n", 2, 1, "seed", "seed", "already defined"},
		{"nested array after a duplicate", "seed = 1\nseed = 2\n[[partition]]\ngroups = [[[1]]]\n", 2, 1, "seed", "seed", "already defined"},
		{"an integer is a number", "loss = 1\nservers = \"x\"\n", 2, 11, `"x"`, "servers", "want an integer, have a TOML string"},
		{"wrong kind before a duplicate", "servers = \"x\"\nseed = 1\nseed = 2\n", 1, 11, `"x"`, "servers", "want an integer, have a TOML string"},

		// Wrong types.
		{"string for integer", "servers = \"x\"\n", 1, 11, `"x"`, "servers", "want an integer, have a TOML string"},
		{"float for integer", "seed = 1.5\n", 1, 8, "1.5", "seed", "want an integer, have a TOML float"},
		{"string for number", "set_ratio = \"half\"\n", 1, 13, `"half"`, "set_ratio", "want a number, have a TOML string"},
		{"integer for string", "assignment = 1\n", 1, 14, "1", "assignment", "want a string, have a TOML integer"},
		{"value for table", "latency = 5\n", 1, 11, "5", "latency", "want a table ([latency]), have a TOML integer"},
		{"integer too large", "servers = 99999999999999999999\n", 1, 11, "9999", "servers", "too large"},
		{"integer for duration", "sync_interval = 100\n", 1, 17, "100", "sync_interval", "duration"},
		{"float for duration", "sync_interval = 1.5\n", 1, 17, "1.5", "sync_interval", "duration"},

		// Durations.
		{"duration does not parse", "sync_interval = \"abc\"\n", 1, 17, `"abc"`, "sync_interval", `want a duration such as "100ms" or "2s": time: invalid duration "abc"`},
		{"duration without unit", "max_time = \"10\"\n", 1, 12, `"10"`, "max_time", "missing unit"},
		{"sync_interval zero", "sync_interval = \"0s\"\n", 1, 17, `"0s"`, "sync_interval", "0s " + notPositive},
		{"sync_interval negative", "sync_interval = \"-1s\"\n", 1, 17, `"-1s"`, "sync_interval", "-1s " + notPositive},
		{"sync_interval too long", "sync_interval = \"25h\"\n", 1, 17, `"25h"`, "sync_interval", "25h is too long: allowed up to 24h"},
		{"max_time zero", "max_time = \"0s\"\n", 1, 12, `"0s"`, "max_time", "0s " + notPositive},
		{"max_time negative", "max_time = \"-5m\"\n", 1, 12, `"-5m"`, "max_time", "-5m " + notPositive},
		{"max_time too long", "max_time = \"1001h\"\n", 1, 12, `"1001h"`, "max_time", "1001h is too long: allowed up to 1000h"},
		{"latency.min zero", "[latency]\nmin = \"0s\"\n", 2, 7, `"0s"`, "latency.min", "0s " + notPositive},
		{"latency.max negative", "[latency]\nmax = \"-1ms\"\n", 2, 7, `"-1ms"`, "latency.max", "-1ms " + notPositive},
		{"latency.fixed zero", "[latency]\ndistribution = \"fixed\"\nfixed = \"0s\"\n", 3, 9, `"0s"`, "latency.fixed", "0s " + notPositive},
		{"latency.fixed too long", "[latency]\ndistribution = \"fixed\"\nfixed = \"25h\"\n", 3, 9, `"25h"`, "latency.fixed", "25h is too long"},
		{"latency.floor negative", "[latency]\ndistribution = \"exponential\"\nfloor = \"-1ms\"\n", 3, 9, `"-1ms"`, "latency.floor", "-1ms " + notPositive},
		{"latency.mean zero", "[latency]\ndistribution = \"exponential\"\nmean = \"0s\"\n", 3, 8, `"0s"`, "latency.mean", "0s " + notPositive},
		{"latency.mean too long", "[latency]\ndistribution = \"exponential\"\nmean = \"48h\"\n", 3, 8, `"48h"`, "latency.mean", "48h is too long"},

		// Integer ranges.
		{"servers negative", "servers = -1\n", 1, 11, "-1", "servers", "-1 is out of range: allowed 0 to 1000"},
		{"servers too many", fmt.Sprintf("servers = %d\n", MaxServers+1), 1, 11, "1001", "servers",
			"1001 is out of range: allowed 0 to 1000 (with broadcast, each sync round sends servers*(servers-1) messages)"},
		{"clients negative", "clients = -1\n", 1, 11, "-1", "clients", "-1 is out of range: allowed 0 to 1000000"},
		{"clients too many", fmt.Sprintf("clients = %d\n", MaxClients+1), 1, 11, "1000001", "clients", "1000001 is out of range: allowed 0 to 1000000"},
		{"requests negative", "requests_per_client = -1\n", 1, 23, "-1", "requests_per_client", "-1 is out of range: allowed 0 to 1000000"},
		{"requests too many", fmt.Sprintf("requests_per_client = %d\n", MaxRequests+1), 1, 23, "1000001", "requests_per_client", "1000001 is out of range"},
		{"max_events zero", "max_events = 0\n", 1, 14, "0", "max_events", "0 is out of range: allowed 1 to 1000000000"},
		{"max_events too many", fmt.Sprintf("max_events = %d\n", MaxEventsLimit+1), 1, 14, "1000000001", "max_events", "1000000001 is out of range: allowed 1 to 1000000000"},
		{"max_value zero", "max_value = 0\n", 1, 13, "0", "max_value", "0 is out of range: must be at least 1"},
		{"max_value negative", "max_value = -1\n", 1, 13, "-1", "max_value", "-1 is out of range: must be at least 1"},

		// set_ratio.
		{"set_ratio negative", "set_ratio = -0.1\n", 1, 13, "-0.1", "set_ratio", "-0.1 is not a probability: allowed 0 to 1"},
		{"set_ratio above 1", "set_ratio = 1.5\n", 1, 13, "1.5", "set_ratio", "1.5 is not a probability: allowed 0 to 1"},
		{"set_ratio nan", "set_ratio = nan\n", 1, 13, "nan", "set_ratio", "NaN is not a probability"},
		{"set_ratio inf", "set_ratio = inf\n", 1, 13, "inf", "set_ratio", "+Inf is not a probability"},

		// How values combine.
		{"clients without servers", "clients = 3\nservers = 0\n", 2, 11, "0", "servers", "3 clients but no servers"},
		{"default clients without servers", "servers = 0\n", 1, 11, "0", "servers", "5 clients but no servers"},
		{"unknown assignment", "assignment = \"rr\"\n", 1, 14, `"rr"`, "assignment", `"rr" is not an assignment: allowed "round_robin" or "random"`},
		{"unknown distribution", "[latency]\ndistribution = \"normal\"\n", 2, 16, `"normal"`, "latency.distribution", `"normal" is not a distribution: allowed "fixed", "uniform" or "exponential"`},
		{"min above max", "[latency]\nmin = \"5ms\"\nmax = \"2ms\"\n", 2, 7, `"5ms"`, "latency.min", "min (5ms) is larger than max (2ms)"},
		{"min above default max", "[latency]\nmin = \"20ms\"\n", 2, 7, `"20ms"`, "latency.min", "min (20ms) is larger than max (10ms)"},
		{"min with fixed", "[latency]\ndistribution = \"fixed\"\nmin = \"2ms\"\n", 3, 7, `"2ms"`, "latency.min", `not used by distribution "fixed", which reads only fixed`},
		{"mean with uniform", "[latency]\ndistribution = \"uniform\"\nmean = \"2ms\"\n", 3, 8, `"2ms"`, "latency.mean", `not used by distribution "uniform", which reads only min and max`},
		{"mean with default distribution", "[latency]\nmean = \"2ms\"\n", 2, 8, `"2ms"`, "latency.mean", `not used by distribution "uniform"`},
		{"max with exponential", "[latency]\ndistribution = \"exponential\"\nmax = \"2ms\"\n", 3, 7, `"2ms"`, "latency.max", `not used by distribution "exponential", which reads only floor and mean`},

		// The same rules in an inline table and with dotted keys.
		{"inline: min with fixed", "latency = { distribution = \"fixed\", min = \"1ms\" }\n", 1, 43, `"1ms"`, "latency.min", `not used by distribution "fixed"`},
		{"inline: min above max", "seed = 2\nlatency = { min = \"5ms\", max = \"1ms\" }\n", 2, 19, `"5ms"`, "latency.min", "min (5ms) is larger than max (1ms)"},
		{"inline: unknown distribution", "latency = { distribution = \"bogus\" }\n", 1, 28, `"bogus"`, "latency.distribution", `"bogus" is not a distribution`},
		{"inline: mean zero", "# comment\nlatency = { distribution = \"exponential\", floor = \"1ms\", mean = \"0s\" }\n", 2, 65, `"0s"`, "latency.mean", "0s " + notPositive},
		{"inline: unknown key", "latency = { bogus = \"1ms\" }\n", 1, 13, "bogus", "latency.bogus", "unknown key; " + lat},
		{"inline: bad duration", "latency = { min = \"abc\" }\n", 1, 19, `"abc"`, "latency.min", "want a duration"},
		{"inline: integer duration", "latency = { min = 3 }\n", 1, 19, "3", "latency.min", "duration"},
		{"dotted: min above max", "latency.min = \"2ms\"\nlatency.max = \"1ms\"\n", 1, 15, `"2ms"`, "latency.min", "min (2ms) is larger than max (1ms)"},
		{"dotted: min with fixed", "latency.distribution = \"fixed\"\nlatency.min = \"2ms\"\n", 2, 15, `"2ms"`, "latency.min", `not used by distribution "fixed"`},

		// Keys are case-sensitive: the reference spells them in lower case.
		{"upper-case key", "SERVERS = 0\n", 1, 1, "SERVERS", "SERVERS", "unknown key"},
		{"key differing in case", "Servers = 2\nservers = 3\n", 1, 1, "Servers", "Servers", "unknown key"},
		{"upper-case unused latency key", "[latency]\ndistribution = \"fixed\"\nMIN = \"1ms\"\n", 3, 1, "MIN", "latency.MIN", "unknown key"},

		// Syntax.
		{"missing value", "servers = 3\nclients = \n", 2, 11, "", "", "unexpected character U+000A at start of value"},
		{"missing value at end of input", "servers = 3\nclients = ", 2, 10, "", "", "expected value, not end of input"},
		{"unclosed table header", "[latency\nmin = \"1ms\"\n", 1, 9, "", "", "expected ']'"},
		{"two values", "servers = 3 4\n", 1, 13, "4", "", "expected newline"},
		{"duplicate key", "servers = 1\nclients = 2\nservers = 2\n", 3, 1, "servers", "servers", "key servers is already defined"},
		{"duplicate table", "[latency]\nmin = \"1ms\"\n[latency]\nmax = \"2ms\"\n", 3, 2, "latency]", "latency", "table latency already exists"},
		{"inline table then table", "latency = { min = \"1ms\" }\n[latency]\n", 2, 2, "latency]", "latency", "should be a table"},
		{"array of tables", "[[latency]]\n", 1, 3, "latency", "latency", "[latency] is one table, not [[latency]]"},

		// Line endings and indentation do not move the place.
		{"CRLF", "servers = 3\r\nclients = \"x\"\r\n", 2, 11, `"x"`, "clients", "want an integer"},
		{"no final newline", "servers = 3\nclients = -1", 2, 11, "-1", "clients", "out of range"},
		{"indented", "  servers = \"x\"\n", 1, 13, `"x"`, "servers", "want an integer"},

		// [sync]: rumor mongering's keys.
		{"k zero", "[sync]\nstrategy = \"rumor-push\"\nk = 0\n", 3, 5, "0", "sync.k", "0 is out of range: allowed 1 to 100"},
		{"k negative", "[sync]\nstrategy = \"rumor-pull\"\nk = -1\n", 3, 5, "-1", "sync.k", "-1 is out of range: allowed 1 to 100"},
		{"k too large", "[sync]\nstrategy = \"rumor-pull\"\nk = 101\n", 3, 5, "101", "sync.k", "101 is out of range: allowed 1 to 100"},
		{"k with push", "[sync]\nstrategy = \"push\"\nk = 2\n", 3, 5, "2", "sync.k", `not used by strategy "push": only by "rumor-push" and "rumor-pull"`},
		{"k out of range with pull", "[sync]\nstrategy = \"pull\"\nk = 0\n", 3, 5, "0", "sync.k", `not used by strategy "pull"`},
		{"feedback with default strategy", "[sync]\nfeedback = true\n", 2, 12, "true", "sync.feedback", `not used by strategy "broadcast": only by "rumor-push" and "rumor-pull"`},
		{"feedback false with push-pull", "[sync]\nstrategy = \"push-pull\"\nfeedback = false\n", 3, 12, "false", "sync.feedback", `not used by strategy "push-pull"`},
		{"coin with pull", "[sync]\nstrategy = \"pull\"\ncoin = true\n", 3, 8, "true", "sync.coin", `not used by strategy "pull"`},
		{"coin with broadcast", "servers = 4\n[sync]\nstrategy = \"broadcast\"\ncoin = false\n", 4, 8, "false", "sync.coin", `not used by strategy "broadcast"`},
		{"anti_entropy with push", "[sync]\nstrategy = \"push\"\nanti_entropy = \"1s\"\n", 3, 16, `"1s"`, "sync.anti_entropy",
			`not used by strategy "push": only by "rumor-push", "rumor-pull" and "direct-mail"`},
		{"anti_entropy 0s with push", "[sync]\nstrategy = \"push\"\nanti_entropy = \"0s\"\n", 3, 16, `"0s"`, "sync.anti_entropy",
			`not used by strategy "push": only by "rumor-push", "rumor-pull" and "direct-mail"`},
		{"anti_entropy with broadcast", "[sync]\nanti_entropy = \"2s\"\n", 2, 16, `"2s"`, "sync.anti_entropy",
			`not used by strategy "broadcast": only by "rumor-push", "rumor-pull" and "direct-mail"`},
		{"anti_entropy negative", "[sync]\nstrategy = \"rumor-push\"\nanti_entropy = \"-1s\"\n", 3, 16, `"-1s"`, "sync.anti_entropy", "-1s " + notPositive},
		{"anti_entropy too long", "[sync]\nstrategy = \"rumor-pull\"\nanti_entropy = \"25h\"\n", 3, 16, `"25h"`, "sync.anti_entropy", "25h is too long: allowed up to 24h"},
		{"anti_entropy malformed", "[sync]\nstrategy = \"rumor-push\"\nanti_entropy = \"soon\"\n", 3, 16, `"soon"`, "sync.anti_entropy", `want a duration such as "100ms" or "2s"`},
		{"anti_entropy without unit", "[sync]\nstrategy = \"rumor-push\"\nanti_entropy = \"5\"\n", 3, 16, `"5"`, "sync.anti_entropy", "missing unit"},
		{"anti_entropy integer", "[sync]\nstrategy = \"rumor-push\"\nanti_entropy = 5\n", 3, 16, "5", "sync.anti_entropy", "duration"},
		{"k a string", "[sync]\nstrategy = \"rumor-push\"\nk = \"2\"\n", 3, 5, `"2"`, "sync.k", "want an integer, have a TOML string"},
		{"feedback a string", "[sync]\nstrategy = \"rumor-push\"\nfeedback = \"yes\"\n", 3, 12, `"yes"`, "sync.feedback", "want true or false, have a TOML string"},
		{"inline: coin with push", "sync = { strategy = \"push\", coin = true }\n", 1, 36, "true", "sync.coin", `not used by strategy "push"`},
		{"dotted: k zero", "sync.strategy = \"rumor-push\"\nsync.k = 0\n", 2, 10, "0", "sync.k", "0 is out of range"},

		// [sync]: direct mail takes no fanout and none of rumor
		// mongering's keys but anti_entropy.
		{"unknown strategy", "[sync]\nstrategy = \"mail\"\n", 2, 12, `"mail"`, "sync.strategy",
			`"mail" is not a strategy: allowed "broadcast", "push", "pull", "push-pull", "ring", "rumor-push", "rumor-pull" or "direct-mail"`},
		{"k with ring", "[sync]\nstrategy = \"ring\"\nk = 2\n", 3, 5, "2", "sync.k", `not used by strategy "ring": only by "rumor-push" and "rumor-pull"`},
		{"anti_entropy with ring", "[sync]\nstrategy = \"ring\"\nanti_entropy = \"1s\"\n", 3, 16, `"1s"`, "sync.anti_entropy", `not used by strategy "ring"`},
		{"ring fanout beyond the others", "servers = 3\n[sync]\nstrategy = \"ring\"\nfanout = 3\n", 4, 10, "3", "sync.fanout", "3 partners a round, but each of the 3 servers has only 2 others"},
		{"fanout with direct-mail", "servers = 5\n[sync]\nstrategy = \"direct-mail\"\nfanout = 2\n", 4, 10, "2", "sync.fanout",
			`not used by strategy "direct-mail", which mails every other server`},
		{"fanout 1 with direct-mail", "[sync]\nfanout = 1\nstrategy = \"direct-mail\"\n", 2, 10, "1", "sync.fanout",
			`not used by strategy "direct-mail", which mails every other server`},
		{"k with direct-mail", "[sync]\nstrategy = \"direct-mail\"\nk = 2\n", 3, 5, "2", "sync.k",
			`not used by strategy "direct-mail": only by "rumor-push" and "rumor-pull"`},
		{"feedback with direct-mail", "[sync]\nstrategy = \"direct-mail\"\nfeedback = false\n", 3, 12, "false", "sync.feedback",
			`not used by strategy "direct-mail": only by "rumor-push" and "rumor-pull"`},
		{"coin with direct-mail", "[sync]\nstrategy = \"direct-mail\"\nanti_entropy = \"1s\"\ncoin = true\n", 4, 8, "true", "sync.coin",
			`not used by strategy "direct-mail": only by "rumor-push" and "rumor-pull"`},
		{"anti_entropy negative with direct-mail", "[sync]\nstrategy = \"direct-mail\"\nanti_entropy = \"-2s\"\n", 3, 16, `"-2s"`, "sync.anti_entropy", "-2s " + notPositive},
		{"anti_entropy too long with direct-mail", "[sync]\nstrategy = \"direct-mail\"\nanti_entropy = \"48h\"\n", 3, 16, `"48h"`, "sync.anti_entropy", "48h is too long: allowed up to 24h"},
		{"servers too many with direct-mail", fmt.Sprintf("servers = %d\n[sync]\nstrategy = \"direct-mail\"\n", MaxServers+1), 1, 11, "1001", "servers",
			"1001 is out of range: allowed 0 to 1000 (with direct mail, each accepted set sends servers-1 messages, and every server may accept one at once)"},
		{"inline: fanout with direct-mail", "sync = { strategy = \"direct-mail\", fanout = 3 }\n", 1, 45, "3", "sync.fanout",
			`not used by strategy "direct-mail"`},

		// Memory: the messages in flight at once, and the partitions'
		// groups, as checkMemory estimates them.
		{"sync_interval 1ns", "sync_interval = \"1ns\"\n", 1, 17, `"1ns"`, "sync_interval",
			"3 servers syncing by broadcast every 1ns with latency up to 10ms keep about 60000000 messages in flight: more than the limit of 10000000; lengthen sync_interval, shorten latency or use fewer servers"},
		{"1000 servers every 1ms", "servers = 1000\nsync_interval = \"1ms\"\n", 2, 17, `"1ms"`, "sync_interval",
			"1000 servers syncing by broadcast every 1ms with latency up to 10ms keep about 11000000 messages in flight"},
		{"exponential tail", "servers = 1000\nsync_interval = \"100ms\"\n[latency]\ndistribution = \"exponential\"\nfloor = \"1ms\"\nmean = \"1s\"\n", 2, 17, `"100ms"`, "sync_interval",
			"1000 servers syncing by broadcast every 100ms with latency up to 6.91s (its 99.9th percentile) keep about 70000000 messages in flight"},
		{"anti-entropy every 100us", "servers = 100000\n[sync]\nstrategy = \"rumor-push\"\nanti_entropy = \"100us\"\n", 4, 16, `"100us"`, "sync.anti_entropy",
			"100000 servers running anti-entropy every 100us with latency up to 10ms keep about 20000000 messages in flight: more than the limit of 10000000; lengthen anti_entropy"},
		{"direct mail to 999 servers", "servers = 1000\nclients = 100000\n[sync]\nstrategy = \"direct-mail\"\n", 2, 11, "100000", "clients",
			"100000 clients whose sets are each mailed to 999 servers, with latency from 1ms up to 10ms keep about 600000000 messages in flight"},
		{"clients giving up every 1us", "clients = 1000000\nrequest_timeout = \"1us\"\n", 2, 19, `"1us"`, "request_timeout",
			"1000000 clients giving up on requests after 1us with latency up to 10ms keep about 100000000 messages in flight: more than the limit of 10000000; lengthen request_timeout"},
		{"partitions of a million nodes", "servers = 2\nclients = 1000000\nrequests_per_client = 1\n" + strings.Repeat("[[partition]]\ngroups = [[\"server-1\"]]\n", 100), 102, 3, "partition]]", "partition[50]",
			"100 partitions over 1000002 nodes keep 100000200 group entries: more than the limit of 50000000"},
	}
	const file = "bad.toml"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var problems []string
			errorf := func(format string, args ...any) {
				problems = append(problems, fmt.Sprintf(format, args...))
			}
			defer func() {
				if len(problems) == 0 {
					return
				}
				report := fmt.Sprintf("Parse(%q):\n  %s", tt.doc, strings.Join(problems, "\n  "))
				t.Error(report)
			}()

			sc, err := Parse(file, []byte(tt.doc))
			if err == nil {
				errorf("no error; parsed as %+v", *sc)
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				errorf("error is %T, want *Error: %v", err, err)
				return
			}
			if e.File != file || e.Line != tt.line || e.Col != tt.col || e.Key != tt.key {
				errorf("File:Line:Col Key = %s:%d:%d %q, want %s:%d:%d %q", e.File, e.Line, e.Col, e.Key, file, tt.line, tt.col, tt.key)
			}
			if !strings.Contains(e.Msg, tt.msg) {
				errorf("Msg = %q, want it to contain %q", e.Msg, tt.msg)
			}
			src, ok := sourceLine([]byte(tt.doc), tt.line)
			if !ok || tt.col < 1 || tt.col > len(src)+1 || !strings.HasPrefix(src[tt.col-1:], tt.at) {
				errorf("test case is wrong: line %d col %d of the document is not at %q", tt.line, tt.col, tt.at)
				return
			}
			if len(problems) > 0 {
				return
			}
			checkRendering(t, err.Error(), file, tt.key, e.Msg, tt.line, tt.col, src)
		})
	}
}

// checkRendering checks err.Error() of a placed error: the first line is
// "FILE:LINE:COL: KEY: MSG", then the source line, then a caret under COL.
func checkRendering(t *testing.T, text, file, key, msg string, line, col int, src string) {
	t.Helper()
	head := fmt.Sprintf("%s:%d:%d: ", file, line, col)
	if key != "" {
		head += key + ": "
	}
	lines := strings.Split(text, "\n")
	if len(lines) != 3 {
		t.Fatalf("Error() has %d lines, want 3 (message, source line, caret):\n%s", len(lines), text)
	}
	if lines[0] != head+msg {
		t.Errorf("Error() first line = %q, want %q", lines[0], head+msg)
	}
	wantSrc := fmt.Sprintf("  %4d | %s", line, src)
	if lines[1] != wantSrc {
		t.Errorf("Error() source line = %q, want %q", lines[1], wantSrc)
	}
	bar := strings.Index(lines[1], "| ")
	caret := strings.Index(lines[2], "^")
	if !strings.HasSuffix(lines[2], "^") || strings.Count(lines[2], "^") != 1 ||
		strings.Index(lines[2], "| ") != bar || caret != bar+2+col-1 {
		t.Errorf("caret not under column %d:\n%s\n%s", col, lines[1], lines[2])
	}
}

func TestErrorWithoutPlace(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{File: "f.toml", Key: "clients", Msg: "bad"}, "f.toml: clients: bad"},
		{&Error{File: "f.toml", Msg: "bad"}, "f.toml: bad"},
		{&Error{File: "f.toml", Line: 9, Col: 1, Msg: "bad", source: []byte("one line")}, "f.toml:9:1: bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	t.Run("ok", func(t *testing.T) {
		path := write("ok.toml", []byte("servers = 7\n"))
		sc, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Name != path || sc.Servers != 7 {
			t.Errorf("Load = %+v, want Name %q and 7 servers", *sc, path)
		}
	})
	t.Run("missing", func(t *testing.T) {
		path := filepath.Join(dir, "no-such.toml")
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load(missing) = %v, want a not-exist error naming %s", err, path)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		path := write("bad.toml", []byte("\nservers = \"x\"\n"))
		_, err := Load(path)
		var e *Error
		if !errors.As(err, &e) || e.File != path || e.Line != 2 || e.Key != "servers" {
			t.Errorf("Load(bad) = %v, want *Error at %s:2 for servers", err, path)
		}
		if err != nil && !strings.HasPrefix(err.Error(), path+":2:11: servers: ") {
			t.Errorf("Error() = %q, want it to start with the path and place", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		line := strings.Repeat("#", 99) + "\n"
		data := []byte(strings.Repeat(line, maxFileSize/len(line)+1))
		path := write("huge.toml", data)
		_, err := Load(path)
		if err == nil {
			t.Fatalf("Load of a %d-byte file succeeded", len(data))
		}
		for _, want := range []string{path, "larger than 1048576 bytes", "a scenario is a few lines of TOML"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Load(huge) = %q, want it to contain %q", err, want)
			}
		}
	})
	t.Run("exactly the limit", func(t *testing.T) {
		data := []byte("servers = 2\n" + strings.Repeat("#", maxFileSize-len("servers = 2\n")))
		if len(data) != maxFileSize {
			t.Fatalf("test data is %d bytes, want %d", len(data), maxFileSize)
		}
		sc, err := Load(write("limit.toml", data))
		if err != nil {
			t.Fatalf("Load of a file of exactly %d bytes: %v", maxFileSize, err)
		}
		if sc.Servers != 2 {
			t.Errorf("servers = %d, want 2", sc.Servers)
		}
	})
	t.Run("directory", func(t *testing.T) {
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), dir) {
			t.Errorf("Load(directory) = %v, want an error naming %s", err, dir)
		}
	})
}

// TestConfig: the model configuration carries every value of the scenario.
func TestConfig(t *testing.T) {
	sc, err := Parse("c.toml", []byte(`seed = 9
servers = 4
clients = 6
requests_per_client = 7
set_ratio = 0.25
max_value = 50
sync_interval = "30ms"
assignment = "random"
max_time = "2m"
max_events = 1234
[latency]
distribution = "exponential"
floor = "2ms"
mean = "3ms"
`))
	if err != nil {
		t.Fatal(err)
	}
	c := sc.Config()
	got := fmt.Sprintf("%d %d %d %d %v %d %v %s %v %d %s %v %v",
		c.Seed, c.Servers, c.Clients, c.Requests, c.SetRatio, c.MaxValue, c.SyncInterval, c.Assignment,
		c.MaxTime, c.MaxEvents, c.Latency.Distribution, c.Latency.Floor, c.Latency.Mean)
	want := "9 4 6 7 0.25 50 30ms random 2m0s 1234 exponential 2ms 3ms"
	if got != want {
		t.Errorf("Config() = %s\nwant       %s", got, want)
	}
}

// ExampleParse shows how a scenario error reads: file, line, column and
// key, what is wrong, then the line itself with a caret under the value.
func ExampleParse() {
	_, err := Parse("my.toml", []byte(`servers = 3
clients = 5

[latency]
distribution = "fixed"
min = "2ms"
`))
	fmt.Println(err)
	// Output:
	// my.toml:6:7: latency.min: not used by distribution "fixed", which reads only fixed
	//      6 | min = "2ms"
	//        |       ^
}

// ExampleScenario_TOML shows the resolved scenario as a run's header
// prints it: every key, floats always with a fraction, durations without
// zero units, and of [latency] only the keys the distribution reads.
func ExampleScenario_TOML() {
	sc, err := Parse("x.toml", []byte("servers = 2\nset_ratio = 1\nmax_time = \"90m\"\n[latency]\ndistribution = \"fixed\"\nfixed = \"1.5ms\"\n"))
	if err != nil {
		panic(err)
	}
	fmt.Print(string(sc.TOML()))
	// Output:
	// seed = 1
	// servers = 2
	// clients = 5
	// requests_per_client = 100
	// set_ratio = 1.0
	// max_value = 1000
	// sync_interval = "100ms"
	// assignment = "round_robin"
	// max_time = "1h30m"
	// max_events = 20000000
	// request_timeout = "1s"
	// loss = 0.0
	// duplicate = 0.0
	// swarm = false
	//
	// [latency]
	// distribution = "fixed"
	// fixed = "1.5ms"
	//
	// [sync]
	// strategy = "broadcast"
}

func ExampleScenario_AppendJSON() {
	fmt.Println(string(Default().AppendJSON(nil)))
	// Output:
	// {"seed":1,"servers":3,"clients":5,"requests_per_client":100,"set_ratio":0.5,"max_value":1000,"sync_interval":"100ms","assignment":"round_robin","max_time":"1h","max_events":20000000,"request_timeout":"1s","loss":0.0,"duplicate":0.0,"swarm":false,"latency":{"distribution":"uniform","min":"1ms","max":"10ms"},"sync":{"strategy":"broadcast"},"partition":[],"crash":[]}
}

// TestConfigSync: the [sync] table reaches the model's configuration.
func TestConfigSync(t *testing.T) {
	sc, err := Parse("s.toml", []byte("servers = 5\n[sync]\nstrategy = \"push-pull\"\nfanout = 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c := sc.Config(); c.Strategy != "push-pull" || c.Fanout != 3 {
		t.Errorf("Config() has strategy %q, fanout %d; want push-pull, 3", c.Strategy, c.Fanout)
	}
}

// TestRumorSyncRoundTrip: a rumor-mongering scenario renders every key of
// its [sync] table, the defaults included (anti_entropy "0s": none), and
// reads back to the same scenario and the same model configuration; the
// JSON form carries the same values.
func TestRumorSyncRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name, doc string
		sync      string // the [sync] table TOML() renders
		rumor     model.Rumor
	}{
		{"defaults", "[sync]\nstrategy = \"rumor-push\"\n",
			"strategy = \"rumor-push\"\nfanout = 1\nk = 2\nfeedback = true\ncoin = false\nanti_entropy = \"0s\"\n",
			model.Rumor{K: 2}},
		{"anti_entropy 0s given", "[sync]\nstrategy = \"rumor-pull\"\nk = 1\nanti_entropy = \"0s\"\n",
			"strategy = \"rumor-pull\"\nfanout = 1\nk = 1\nfeedback = true\ncoin = false\nanti_entropy = \"0s\"\n",
			model.Rumor{K: 1}},
		{"every key", "servers = 6\n[sync]\nstrategy = \"rumor-pull\"\nfanout = 3\nk = 100\nfeedback = false\ncoin = true\nanti_entropy = \"90s\"\n",
			"strategy = \"rumor-pull\"\nfanout = 3\nk = 100\nfeedback = false\ncoin = true\nanti_entropy = \"1m30s\"\n",
			model.Rumor{K: 100, Blind: true, Coin: true, AntiEntropy: 90 * time.Second}},
		{"inline, sub-second anti-entropy", "sync = { strategy = \"rumor-push\", k = 4, anti_entropy = \"250ms\" }\n",
			"strategy = \"rumor-push\"\nfanout = 1\nk = 4\nfeedback = true\ncoin = false\nanti_entropy = \"250ms\"\n",
			model.Rumor{K: 4, AntiEntropy: 250 * time.Millisecond}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc, back, js := syncRoundTrip(t, tt.doc, tt.sync)
			if got := back.Config().Rumor; got != tt.rumor {
				t.Errorf("read back, Config().Rumor = %+v, want %+v", got, tt.rumor)
			}
			if got := sc.Config().Rumor; got != tt.rumor {
				t.Errorf("Config().Rumor = %+v, want %+v", got, tt.rumor)
			}
			want := map[string]any{"strategy": sc.Sync.Strategy, "fanout": float64(sc.Sync.Fanout), "k": float64(tt.rumor.K),
				"feedback": !tt.rumor.Blind, "coin": tt.rumor.Coin, "anti_entropy": Duration(tt.rumor.AntiEntropy).String()}
			if !reflect.DeepEqual(js, want) {
				t.Errorf("AppendJSON sync = %v, want %v", js, want)
			}
		})
	}
}

// TestDirectMailSyncRoundTrip: a direct-mail scenario renders its
// strategy and its backing anti-entropy ("0s": none), and no fanout nor
// rumor-mongering key, which would not parse back; it reads back to the
// same scenario and the same model configuration, and the JSON form
// carries the same keys.
func TestDirectMailSyncRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name, doc   string
		sync        string // the [sync] table TOML() renders
		antiEntropy time.Duration
	}{
		{"alone", "[sync]\nstrategy = \"direct-mail\"\n",
			"strategy = \"direct-mail\"\nanti_entropy = \"0s\"\n", 0},
		{"anti_entropy 0s given", "[sync]\nstrategy = \"direct-mail\"\nanti_entropy = \"0s\"\n",
			"strategy = \"direct-mail\"\nanti_entropy = \"0s\"\n", 0},
		{"with anti-entropy", "servers = 1000\n[sync]\nstrategy = \"direct-mail\"\nanti_entropy = \"90s\"\n",
			"strategy = \"direct-mail\"\nanti_entropy = \"1m30s\"\n", 90 * time.Second},
		{"inline, sub-second anti-entropy", "sync = { strategy = \"direct-mail\", anti_entropy = \"250ms\" }\n",
			"strategy = \"direct-mail\"\nanti_entropy = \"250ms\"\n", 250 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc, back, js := syncRoundTrip(t, tt.doc, tt.sync)
			for _, c := range []model.Config{sc.Config(), back.Config()} {
				if c.Strategy != model.StrategyDirectMail || c.Rumor.AntiEntropy != tt.antiEntropy {
					t.Errorf("Config() has strategy %q, anti-entropy %v; want direct-mail, %v", c.Strategy, c.Rumor.AntiEntropy, tt.antiEntropy)
				}
			}
			want := map[string]any{"strategy": "direct-mail", "anti_entropy": Duration(tt.antiEntropy).String()}
			if !reflect.DeepEqual(js, want) {
				t.Errorf("AppendJSON sync = %v, want %v", js, want)
			}
		})
	}
}

// syncRoundTrip parses doc, checks that TOML() renders its [sync] table
// as wantTable and parses back to the same scenario, and returns the
// scenario, the one read back and the sync object of its JSON form.
func syncRoundTrip(t *testing.T, doc, wantTable string) (sc, back *Scenario, js map[string]any) {
	t.Helper()
	sc, err := Parse("s.toml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	text := requireRoundTrip(t, sc)
	if _, table, _ := strings.Cut(string(text), "\n[sync]\n"); table != wantTable {
		t.Errorf("TOML() renders [sync] as\n%s\nwant\n%s", table, wantTable)
	}
	if back, err = Parse("rendered", text); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Sync map[string]any `json:"sync"`
	}
	if err := json.Unmarshal(sc.AppendJSON(nil), &v); err != nil {
		t.Fatal(err)
	}
	return sc, back, v.Sync
}

// TestEpidemicServers: servers that sync by an epidemic strategy may be
// many more than broadcast allows, up to MaxEpidemicServers.
func TestEpidemicServers(t *testing.T) {
	if _, err := Parse("e.toml", []byte("servers = 10000\n[sync]\nstrategy = \"push\"\n")); err != nil {
		t.Errorf("10,000 servers with push: %v", err)
	}
	if _, err := Parse("e.toml", []byte(fmt.Sprintf("servers = %d\n[sync]\nstrategy = \"push\"\n", MaxEpidemicServers+1))); err == nil {
		t.Errorf("%d servers with push accepted", MaxEpidemicServers+1)
	}
}

// TestPresets: every shipped scenario file is a preset, under its path
// from the repository's root, and parses; the default comes first.
func TestPresets(t *testing.T) {
	ps := Presets()
	if len(ps) == 0 || ps[0].Name != DefaultName {
		t.Fatalf("Presets()[0] is not the default: %v", ps)
	}
	files, _ := filepath.Glob("*.toml")
	more, _ := filepath.Glob("*/*.toml")
	if want := len(files) + len(more); len(ps) != want {
		t.Errorf("%d presets, want %d (the .toml files of scenarios/ and its folders)", len(ps), want)
	}
	for _, p := range ps[1:] {
		want, err := os.ReadFile(strings.TrimPrefix(p.Name, "scenarios/"))
		if err != nil || !bytes.Equal(p.TOML, want) {
			t.Errorf("preset %s is not the file (%v)", p.Name, err)
		}
		if _, err := Parse(p.Name, p.TOML); err != nil {
			t.Errorf("preset %s: %v", p.Name, err)
		}
	}
}

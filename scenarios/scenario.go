package scenarios

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"eccounter/model"
	"eccounter/sim"
)

//go:embed default.toml
var defaultTOML []byte

// DefaultName is how errors and headers name the embedded default scenario.
const DefaultName = "default.toml (embedded)"

// Scenario is one simulation to run, with every value resolved.
type Scenario struct {
	// Name is where the scenario came from: a file path or DefaultName.
	Name string `toml:"-"`

	Seed              int64    `toml:"seed"`
	Servers           int      `toml:"servers"`
	Clients           int      `toml:"clients"`
	RequestsPerClient int      `toml:"requests_per_client"`
	SetRatio          float64  `toml:"set_ratio"`
	MaxValue          int64    `toml:"max_value"`
	SyncInterval      Duration `toml:"sync_interval"`
	Assignment        string   `toml:"assignment"`
	MaxTime           Duration `toml:"max_time"`
	MaxEvents         int64    `toml:"max_events"`
	RequestTimeout    Duration `toml:"request_timeout"`
	Latency           Latency  `toml:"latency"`
	Sync              Sync     `toml:"sync"`
	Server            Server   `toml:"server"`

	// Faults; see faults.go. FaultsUntil and LivenessBound are 0 when
	// not set: then the faults end when the last client finishes, and
	// the bound is derived.
	Loss          float64     `toml:"loss"`
	Duplicate     float64     `toml:"duplicate"`
	FaultsUntil   Duration    `toml:"faults_until"`
	LivenessBound Duration    `toml:"liveness_bound"`
	Swarm         bool        `toml:"swarm"`
	Partitions    []Partition `toml:"partition"`
	Crashes       []Crash     `toml:"crash"`

	// SwarmFlag: SetSwarm made the scenario a swarm (the flag -swarm),
	// not its file, so the command that replays a run must say -swarm
	// too. It is no key of the file.
	SwarmFlag bool `toml:"-"`
}

// Latency is the [latency] table: the network's delay distribution.
type Latency struct {
	Distribution string   `toml:"distribution"`
	Fixed        Duration `toml:"fixed"`
	Min          Duration `toml:"min"`
	Max          Duration `toml:"max"`
	Floor        Duration `toml:"floor"`
	Mean         Duration `toml:"mean"`
}

// Sync is the [sync] table: how servers sync, every sync_interval.
type Sync struct {
	// Strategy is "broadcast" (the original: to every other server),
	// one of Demers' anti-entropy strategies with Fanout random partners
	// a round: "push", "pull" or "push-pull", push to the next Fanout
	// servers: "ring", rumor mongering: "rumor-push" or "rumor-pull", or
	// Demers' "direct-mail".
	Strategy string `toml:"strategy"`
	Fanout   int    `toml:"fanout"`
	// Rumor mongering only: Demers' k, feedback (or blind), coin (or
	// counter).
	K        int  `toml:"k"`
	Feedback bool `toml:"feedback"`
	Coin     bool `toml:"coin"`
	// Rumor mongering and direct mail: the interval of a backing
	// anti-entropy (0: none).
	AntiEntropy Duration `toml:"anti_entropy"`
}

// Server is the [server] table: which server every server runs.
type Server struct {
	// Variant names a server of model's catalogue (model.Variants):
	// "correct", the protocol itself, or one broken on purpose, for
	// teaching.
	Variant string `toml:"variant"`
}

// MaxRumorK bounds [sync] k: a rumor-mongering server with counters sends
// up to about 2k messages for each value it learns.
const MaxRumorK = 100

// Duration is a span of virtual time, written in TOML as a string that
// time.ParseDuration reads: "100ms", "1.5s", "2m".
type Duration time.Duration

// UnmarshalText parses a duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := parseDuration(string(b))
	if err != nil {
		return fmt.Errorf("want a duration such as \"100ms\" or \"2s\": %w", err)
	}
	*d = Duration(v)
	return nil
}

// String renders d as time.Duration does, without zero trailing units:
// "1h", not "1h0m0s".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	// Go writes microseconds as "µs"; "us" reads back the same and keeps
	// the header plain ASCII.
	return strings.Replace(s, "µs", "us", 1)
}

// Limits on sizes, so that no scenario can exhaust memory or run for ever
// without saying so first.
const (
	// MaxServers bounds servers: each sync round sends servers*(servers-1)
	// messages, all in flight at once; at 1,000 servers that is a million.
	MaxServers = 1000
	// MaxEpidemicServers bounds servers that sync by an epidemic strategy
	// ([sync] strategy other than broadcast), which sends only
	// servers*fanout messages a round.
	MaxEpidemicServers = 100_000
	// MaxClients bounds clients, which the simulator holds all at once.
	MaxClients = 1_000_000
	// MaxRequests bounds requests_per_client.
	MaxRequests = 1_000_000
	// MaxPartitions bounds the [[partition]] tables: the simulator keeps,
	// for each, the group of every node, and tests every message against
	// each.
	MaxPartitions = 1000
	// MaxCrashes bounds the [[crash]] tables: each is checked against the
	// earlier crashes of its server, and each is two events.
	MaxCrashes = 1000
	// MaxEventsLimit bounds max_events: about ten minutes of simulation.
	MaxEventsLimit = 1_000_000_000
	// maxSpan bounds every duration; maxRunTime bounds max_time. Both keep
	// virtual nanoseconds far from overflowing int64.
	maxSpan    = 24 * time.Hour
	maxRunTime = 1000 * time.Hour
	// maxFileSize bounds the scenario file read.
	maxFileSize = MaxFileSize
)

// defaults returns the scenario that an empty file describes: the original
// emulation's setup. default.toml spells out the same values (a test keeps
// the two equal).
func defaults() Scenario {
	return Scenario{
		Seed:              1,
		Servers:           3,
		Clients:           5,
		RequestsPerClient: 100,
		SetRatio:          0.5,
		MaxValue:          1000,
		SyncInterval:      Duration(100 * time.Millisecond),
		Assignment:        string(model.RoundRobin),
		MaxTime:           Duration(time.Hour),
		MaxEvents:         20_000_000,
		RequestTimeout:    Duration(time.Second),
		Sync:              Sync{Strategy: string(model.StrategyBroadcast), Fanout: 1, K: 2, Feedback: true},
		Server:            Server{Variant: model.VariantCorrect},
		Latency: Latency{
			Distribution: string(sim.Uniform),
			Fixed:        Duration(5 * time.Millisecond),
			Min:          Duration(1 * time.Millisecond),
			Max:          Duration(10 * time.Millisecond),
			Floor:        Duration(1 * time.Millisecond),
			Mean:         Duration(4 * time.Millisecond),
		},
	}
}

// Default returns the embedded default scenario.
func Default() *Scenario {
	s, err := Parse(DefaultName, defaultTOML)
	if err != nil {
		panic("scenarios: embedded default.toml is invalid: " + err.Error())
	}
	return s
}

// Load reads and validates the scenario file at path. It reads regular
// files only: a named pipe or a device such as /dev/zero could block
// for ever or never end; and at most maxFileSize bytes.
func Load(path string) (*Scenario, error) {
	if path == "" {
		return nil, &Error{File: `""`, Msg: "the scenario file name is empty; name a file, or give none to run the default scenario"}
	}
	// Stat before opening: opening a named pipe blocks until something
	// writes to it.
	info, err := os.Stat(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, &Error{File: path, Msg: "not a regular file (" + fileKind(info.Mode()) + "); a scenario is a TOML file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, pathError(path, err)
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("file is larger than %d bytes; a scenario is a few lines of TOML", maxFileSize)}
	}
	return Parse(path, data)
}

// pathError places an error of the file system at the file, as an
// *Error, so that it is rendered as every other: the file name escaped.
// It unwraps to err (errors.Is(err, fs.ErrNotExist) holds for a missing
// file).
func pathError(path string, err error) *Error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Err.Error()
	}
	return &Error{File: path, Msg: msg, cause: err}
}

// fileKind names the kind of a file that is not a regular one.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file of bytes"
}

// bom is the UTF-8 byte order mark, which some editors write at the start
// of a file.
const bom = "\uFEFF"

// Parse decodes and validates a scenario; name is used in errors. A UTF-8
// byte order mark at the start is skipped: it is no part of the text, and
// TOML has no place for it.
func Parse(name string, data []byte) (*Scenario, error) {
	data = bytes.TrimPrefix(data, []byte(bom))
	sc := defaults()
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		// A key the decoder let through in a case it ignores, or a bad
		// duration, is better reported by keyPositions, at its key.
		if _, kerr := keyPositions(data); kerr != nil && kerr.Line > 0 {
			return nil, kerr.in(name, data)
		}
		return nil, decodeError(name, data, err)
	}
	sc.Name = name
	keys, kerr := keyPositions(data)
	if kerr == nil {
		kerr = sc.validate(keys)
	}
	if kerr != nil {
		return nil, kerr.in(name, data)
	}
	return &sc, nil
}

// Error is a problem with a scenario file, placed at a key.
type Error struct {
	File      string
	Line, Col int // from 1; 0 if the problem has no place in the file
	Key       string
	Msg       string
	source    []byte
	cause     error // the file system's error, for Unwrap
}

// Unwrap returns the file system's error behind e, if any.
func (e *Error) Unwrap() error { return e.cause }

// in places the error in the file name with contents data.
func (e *Error) in(name string, data []byte) *Error {
	e.File, e.source = name, data
	return e
}

// Error renders the problem as "file:line:col: key: message", then the line
// of the file it is on with a caret under the place. Whatever the file
// holds, the rendering is short and printable: the parts are cut to a few
// hundred characters, the line to a window around the place, and control
// characters, terminal escapes among them, are written as Go escapes.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(printable(e.File, maxFileName))
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.KeyText() + ": ")
	}
	b.WriteString(e.Message())
	if line, ok := sourceLine(e.source, e.Line); ok && e.Col > 0 && e.Col <= len(line)+1 {
		shown, before := lineExcerpt(line, e.Col)
		prefix := fmt.Sprintf("  %4d | ", e.Line)
		fmt.Fprintf(&b, "\n%s%s\n%*s| %s^", prefix, shown, len(prefix)-2, "", caretPad(before))
	}
	return b.String()
}

// KeyText is the key as Error renders it: printable and short, and quoted
// as TOML writes it if it has odd characters.
func (e *Error) KeyText() string {
	key := printable(e.Key, maxQuoted)
	if escaped(e.Key, false) != e.Key {
		key = quote(e.Key)
	}
	return key
}

// Message is the problem as Error renders it, without the file, the
// place or the key: printable, and cut to a few hundred characters.
func (e *Error) Message() string { return printable(e.Msg, maxMessage) }

// caretPad returns the blanks that put a caret under the character after
// before: a tab for a tab, so that it lines up as the line does, and one
// space for every other character (columns count bytes, a character may
// take several).
func caretPad(before string) string {
	var b strings.Builder
	for _, r := range before {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func sourceLine(data []byte, n int) (string, bool) {
	if n <= 0 {
		return "", false
	}
	lines := strings.Split(string(data), "\n")
	if n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], "\r"), true
}

// decodeError turns go-toml's errors into an *Error that names the key and
// says what was expected in the words of the scenario reference, not in Go
// types.
func decodeError(name string, data []byte, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		de := strict.Errors[0]
		line, col := de.Position()
		key := strings.Join(de.Key(), ".")
		return &Error{File: name, Line: line, Col: col, Key: key, source: data, Msg: unknownKeyAt(de.Key())}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		// go-toml's message names Go types; a value of the wrong kind
		// is said again in the reference's words (see mismatchAt).
		msg := mismatchAt(data, line, col)
		if msg == "" {
			msg = strings.TrimPrefix(de.Error(), "toml: ")
		}
		key := de.Key()
		if len(key) > 1 {
			key = append([]string{entryAt(data, key[0], line)}, key[1:]...)
		}
		return &Error{File: name, Line: line, Col: col, Key: strings.Join(key, "."), Msg: msg, source: data}
	}
	return &Error{File: name, Msg: err.Error()}
}

// entryAt names the [[table]] entry that holds line: "crash" becomes
// "crash[2]" if line is in the second [[crash]]. Other tables keep their
// name.
func entryAt(data []byte, table string, line int) string {
	entry := table
	n := 0
	for i, l := range strings.Split(string(data), "\n") {
		if i+1 > line {
			break
		}
		if strings.TrimSpace(l) == "[["+table+"]]" {
			n++
			entry = fmt.Sprintf("%s[%d]", table, n)
		}
	}
	return entry
}

func goTypeWords(t string) string {
	switch t {
	case "[][]string":
		return `an array of groups of node names, such as [["server-1"], ["server-2"]]`
	case "[]string":
		return `a group of node names, such as ["server-1", "client-1"]`
	case "bool":
		return "true or false"
	case "[]scenarios.Partition":
		return "[[partition]] tables"
	case "[]scenarios.Crash":
		return "[[crash]] tables"
	case "int", "int64", "uint32":
		return "an integer"
	case "float64":
		return "a number"
	case "string":
		return "a string"
	case "scenarios.Duration":
		return `a duration string such as "100ms"`
	case "scenarios.Latency":
		return "a table ([latency])"
	case "scenarios.Sync":
		return "a table ([sync])"
	case "scenarios.Server":
		return "a table ([server])"
	}
	// Never a Go type: the reader writes TOML.
	return "a value of another kind (see scenarios/default.toml)"
}

// fail returns the validation error for key, placed where the file sets it
// (or nowhere, if it relies on the default).
func fail(keys map[string]position, key, format string, args ...any) *Error {
	p, ok := keys[key]
	if entry, _, found := strings.Cut(key, "]."); !ok && found {
		p = keys[entry+"]"] // a key the entry lacks: point at its header
	}
	return &Error{Line: p.line, Col: p.col, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// maxServers is the limit on servers for the scenario's sync strategy,
// and why.
func (s *Scenario) maxServers() (int64, string) {
	if why := model.Strategy(s.Sync.Strategy).AllToAll(); why != "" {
		return MaxServers, why
	}
	return MaxEpidemicServers, ""
}

// validate checks every value and how they combine. keys holds where the
// file sets each key.
func (s *Scenario) validate(keys map[string]position) *Error {
	maxServers, whyMax := s.maxServers()
	intRange := []struct {
		key       string
		v, lo, hi int64
		why       string
	}{
		{"servers", int64(s.Servers), 0, maxServers, whyMax},
		{"clients", int64(s.Clients), 0, MaxClients, "the simulator holds every client in memory"},
		{"requests_per_client", int64(s.RequestsPerClient), 0, MaxRequests, ""},
		{"max_value", s.MaxValue, 1, math.MaxInt64, "sets draw values from [0, max_value)"},
		{"max_events", s.MaxEvents, 1, MaxEventsLimit, "it bounds how long a run can take"},
	}
	for _, r := range intRange {
		if r.v < r.lo || r.v > r.hi {
			msg := fmt.Sprintf("%d is out of range: allowed %d to %d", r.v, r.lo, r.hi)
			if r.hi == math.MaxInt64 {
				msg = fmt.Sprintf("%d is out of range: must be at least %d", r.v, r.lo)
			}
			if r.why != "" {
				msg += " (" + r.why + ")"
			}
			return fail(keys, r.key, "%s", msg)
		}
	}
	if s.Clients > 0 && s.Servers == 0 {
		key := "servers"
		if _, ok := keys[key]; !ok {
			key = "clients"
		}
		return fail(keys, key, "%d clients but no servers: every client needs a server to talk to", s.Clients)
	}
	if !(s.SetRatio >= 0 && s.SetRatio <= 1) { // also rejects NaN
		return fail(keys, "set_ratio", "%v is not a probability: allowed 0 to 1 (the chance that a request is a set)", s.SetRatio)
	}
	if a := model.Assignment(s.Assignment); a != model.RoundRobin && a != model.Random {
		return fail(keys, "assignment", "%s is not an assignment: allowed %q or %q", quote(s.Assignment), model.RoundRobin, model.Random)
	}
	if err := checkSpan(keys, "sync_interval", s.SyncInterval, maxSpan); err != nil {
		return err
	}
	if err := checkSpan(keys, "max_time", s.MaxTime, maxRunTime); err != nil {
		return err
	}
	if err := checkSpan(keys, "request_timeout", s.RequestTimeout, maxSpan); err != nil {
		return err
	}
	if err := s.Latency.validate(keys); err != nil {
		return err
	}
	if err := s.Sync.validate(keys, s.Servers); err != nil {
		return err
	}
	if err := s.Server.validate(keys); err != nil {
		return err
	}
	if err := s.validateFaults(keys); err != nil {
		return err
	}
	return s.checkMemory(keys)
}

// strategiesUsing lists, quoted, the strategies that read [sync] key k:
// "\"rumor-push\" and \"rumor-pull\"".
func strategiesUsing(k string) string {
	var names []string
	for _, st := range model.Strategies {
		if slices.Contains(st.Keys(), k) {
			names = append(names, strconv.Quote(string(st)))
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func (y *Sync) validate(keys map[string]position, servers int) *Error {
	st := model.Strategy(y.Strategy)
	if !slices.Contains(model.Strategies, st) {
		quoted := make([]string, len(model.Strategies))
		for i, s := range model.Strategies {
			quoted[i] = strconv.Quote(string(s))
		}
		last := len(quoted) - 1
		return fail(keys, "sync.strategy", "%s is not a strategy: allowed %s or %s", quote(y.Strategy),
			strings.Join(quoted[:last], ", "), quoted[last])
	}
	// Keys a strategy does not use would be silently ignored.
	uses := st.Keys()
	for _, k := range []string{"k", "feedback", "coin", "anti_entropy"} {
		if _, set := keys["sync."+k]; set && !slices.Contains(uses, k) {
			return fail(keys, "sync."+k, "not used by strategy %q: only by %s", st, strategiesUsing(k))
		}
	}
	// "0s", the default, means no backing anti-entropy.
	if y.AntiEntropy != 0 {
		if err := checkSpan(keys, "sync.anti_entropy", y.AntiEntropy, maxSpan); err != nil {
			return err
		}
	}
	if !slices.Contains(uses, "fanout") {
		if _, set := keys["sync.fanout"]; set {
			return fail(keys, "sync.fanout", "not used by strategy %q, which %s", st, st.UnusedFanout())
		}
		return nil
	}
	if slices.Contains(uses, "k") && (y.K < 1 || y.K > MaxRumorK) {
		return fail(keys, "sync.k", "%d is out of range: allowed 1 to %d", y.K, MaxRumorK)
	}
	if y.Fanout < 1 || y.Fanout > model.MaxFanout {
		return fail(keys, "sync.fanout", "%d is out of range: allowed 1 to %d partners a round", y.Fanout, model.MaxFanout)
	}
	if servers >= 2 && y.Fanout > servers-1 {
		return fail(keys, "sync.fanout", "%d partners a round, but each of the %d servers has only %d others", y.Fanout, servers, servers-1)
	}
	return nil
}

func (v *Server) validate(keys map[string]position) *Error {
	if _, ok := model.LookupVariant(v.Variant); ok && v.Variant != "" {
		return nil
	}
	names := model.VariantNames()
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	last := len(quoted) - 1
	return fail(keys, "server.variant", "%s is not a server variant: allowed %s or %s%s", quote(v.Variant),
		strings.Join(quoted[:last], ", "), quoted[last], closestValue(v.Variant, names))
}

// closestValue suggests the value of names that typed may stand for, as
// `; did you mean "replace"?`, or returns "" if none is close.
func closestValue(typed string, names []string) string {
	if len(typed) > 2*maxQuoted {
		return ""
	}
	best, ok := Closest(strings.ToLower(typed), names)
	if !ok {
		return ""
	}
	return "; did you mean " + strconv.Quote(best) + "?"
}

// distributionKeys says which [latency] keys each distribution reads.
var distributionKeys = map[sim.Distribution][]string{
	sim.Fixed:       {"fixed"},
	sim.Uniform:     {"min", "max"},
	sim.Exponential: {"floor", "mean"},
}

func (l *Latency) validate(keys map[string]position) *Error {
	dist := sim.Distribution(l.Distribution)
	used, ok := distributionKeys[dist]
	if !ok {
		return fail(keys, "latency.distribution", "%s is not a distribution: allowed %q, %q or %q",
			quote(l.Distribution), sim.Fixed, sim.Uniform, sim.Exponential)
	}
	// A key of another distribution would be silently ignored; say so
	// instead, since it is almost certainly a mistake.
	for _, k := range []string{"fixed", "min", "max", "floor", "mean"} {
		if _, set := keys["latency."+k]; set && !slices.Contains(used, k) {
			return fail(keys, "latency."+k, "not used by distribution %q, which reads only %s", dist, strings.Join(used, " and "))
		}
	}
	spans := map[string]Duration{"fixed": l.Fixed, "min": l.Min, "max": l.Max, "floor": l.Floor, "mean": l.Mean}
	for _, k := range used {
		if err := checkSpan(keys, "latency."+k, spans[k], maxSpan); err != nil {
			return err
		}
	}
	if dist == sim.Uniform && l.Min > l.Max {
		return fail(keys, "latency.min", "min (%v) is larger than max (%v)", l.Min, l.Max)
	}
	return nil
}

func checkSpan(keys map[string]position, key string, d Duration, limit time.Duration) *Error {
	if d <= 0 {
		return fail(keys, key, "%v is not a positive duration; write one such as \"100ms\"", d)
	}
	if time.Duration(d) > limit {
		return fail(keys, key, "%v is too long: allowed up to %v", d, Duration(limit))
	}
	return nil
}

// Config returns the model configuration the scenario describes, with the
// faults of a swarm scenario drawn (see Resolved).
func (s *Scenario) Config() model.Config {
	s = s.Resolved()
	return model.Config{
		Seed:         s.Seed,
		Servers:      s.Servers,
		Clients:      s.Clients,
		Requests:     s.RequestsPerClient,
		SetRatio:     s.SetRatio,
		MaxValue:     s.MaxValue,
		SyncInterval: time.Duration(s.SyncInterval),
		Strategy:     model.Strategy(s.Sync.Strategy),
		Variant:      s.Server.Variant,
		Fanout:       s.Sync.Fanout,
		Rumor: model.Rumor{K: s.Sync.K, Blind: !s.Sync.Feedback, Coin: s.Sync.Coin,
			AntiEntropy: time.Duration(s.Sync.AntiEntropy)},
		Assignment:     model.Assignment(s.Assignment),
		MaxTime:        time.Duration(s.MaxTime),
		MaxEvents:      s.MaxEvents,
		RequestTimeout: time.Duration(s.RequestTimeout),
		Faults:         s.faults(),
		LivenessBound:  time.Duration(s.LivenessBound),
		Latency: sim.Latency{
			Distribution: sim.Distribution(s.Latency.Distribution),
			Fixed:        time.Duration(s.Latency.Fixed),
			Min:          time.Duration(s.Latency.Min),
			Max:          time.Duration(s.Latency.Max),
			Floor:        time.Duration(s.Latency.Floor),
			Mean:         time.Duration(s.Latency.Mean),
		},
	}
}

// field is one resolved key and its value written as a TOML literal.
type field struct{ key, value string }

// fields lists every key of the scenario, resolved, in the order of the
// reference file; of [latency], only the keys its distribution reads.
func (s *Scenario) fields() (top, latency, sync, server []field, partitions, crashes [][]field) {
	str := strconv.Quote
	num := func(v int64) string { return strconv.FormatInt(v, 10) }
	top = []field{
		{"seed", num(s.Seed)},
		{"servers", num(int64(s.Servers))},
		{"clients", num(int64(s.Clients))},
		{"requests_per_client", num(int64(s.RequestsPerClient))},
		{"set_ratio", formatFloat(s.SetRatio)},
		{"max_value", num(s.MaxValue)},
		{"sync_interval", str(s.SyncInterval.String())},
		{"assignment", str(s.Assignment)},
		{"max_time", str(s.MaxTime.String())},
		{"max_events", num(s.MaxEvents)},
		{"request_timeout", str(s.RequestTimeout.String())},
		{"loss", formatFloat(s.Loss)},
		{"duplicate", formatFloat(s.Duplicate)},
	}
	// Unset, these two keep their derived defaults; a value of 0 could
	// not be read back.
	if s.FaultsUntil > 0 {
		top = append(top, field{"faults_until", str(s.FaultsUntil.String())})
	}
	if s.LivenessBound > 0 {
		top = append(top, field{"liveness_bound", str(s.LivenessBound.String())})
	}
	top = append(top, field{"swarm", strconv.FormatBool(s.Swarm)})
	latency = []field{{"distribution", str(s.Latency.Distribution)}}
	spans := map[string]Duration{"fixed": s.Latency.Fixed, "min": s.Latency.Min, "max": s.Latency.Max, "floor": s.Latency.Floor, "mean": s.Latency.Mean}
	for _, k := range distributionKeys[sim.Distribution(s.Latency.Distribution)] {
		latency = append(latency, field{k, str(spans[k].String())})
	}
	sync = []field{{"strategy", str(s.Sync.Strategy)}}
	values := map[string]string{"fanout": num(int64(s.Sync.Fanout)), "k": num(int64(s.Sync.K)),
		"feedback": strconv.FormatBool(s.Sync.Feedback), "coin": strconv.FormatBool(s.Sync.Coin),
		"anti_entropy": str(s.Sync.AntiEntropy.String())}
	for _, k := range model.Strategy(s.Sync.Strategy).Keys() {
		sync = append(sync, field{k, values[k]})
	}
	// The real server is the default, left out so that a scenario that
	// does not pick a variant writes what it wrote before there were any.
	if s.Server.Variant != model.VariantCorrect {
		server = []field{{"variant", str(s.Server.Variant)}}
	}
	for _, p := range s.Partitions {
		partitions = append(partitions, p.fields())
	}
	for _, c := range s.Crashes {
		crashes = append(crashes, c.fields())
	}
	return top, latency, sync, server, partitions, crashes
}

// formatFloat writes a float as a TOML float literal: always with a
// fraction or exponent, so that it reads back as a float.
func formatFloat(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// TOML renders the resolved scenario as a TOML file that Parse reads back
// to the same scenario: every run can be replayed from its own header.
func (s *Scenario) TOML() []byte {
	var b bytes.Buffer
	top, latency, sync, server, partitions, crashes := s.fields()
	writeFields(&b, top)
	b.WriteString("\n[latency]\n")
	writeFields(&b, latency)
	b.WriteString("\n[sync]\n")
	writeFields(&b, sync)
	if server != nil {
		b.WriteString("\n[server]\n")
		writeFields(&b, server)
	}
	for _, p := range partitions {
		b.WriteString("\n[[partition]]\n")
		writeFields(&b, p)
	}
	for _, c := range crashes {
		b.WriteString("\n[[crash]]\n")
		writeFields(&b, c)
	}
	return b.Bytes()
}

func writeFields(b *bytes.Buffer, fields []field) {
	for _, f := range fields {
		fmt.Fprintf(b, "%s = %s\n", f.key, f.value)
	}
}

// AppendJSON appends the resolved scenario as a JSON object with the same
// keys and values as TOML.
func (s *Scenario) AppendJSON(b []byte) []byte {
	top, latency, sync, server, partitions, crashes := s.fields()
	b = append(b, '{')
	for _, f := range top {
		b = appendJSONField(b, f)
		b = append(b, ',')
	}
	b = append(b, `"latency":`...)
	b = appendJSONObject(b, latency)
	b = append(b, `,"sync":`...)
	b = appendJSONObject(b, sync)
	if server != nil {
		b = append(b, `,"server":`...)
		b = appendJSONObject(b, server)
	}
	for _, table := range []struct {
		key  string
		list [][]field
	}{{"partition", partitions}, {"crash", crashes}} {
		b = append(b, ',')
		b = sim.AppendJSONString(b, table.key)
		b = append(b, ":["...)
		for i, fields := range table.list {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONObject(b, fields)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendJSONObject(b []byte, fields []field) []byte {
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONField(b, f)
	}
	return append(b, '}')
}

// appendJSONField relies on the TOML literals of fields being valid JSON
// too: integers, floats with a fraction, booleans, quoted strings of
// printable ASCII, and arrays of these.
func appendJSONField(b []byte, f field) []byte {
	b = sim.AppendJSONString(b, f.key)
	b = append(b, ':')
	return append(b, f.value...)
}

package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"eccounter/sim"
)

// Partition is a [[partition]] table: from At until Heal the nodes in
// different Groups cannot reach each other; nodes in no group form one
// more group together. Without heal, it lasts until the faults end.
type Partition struct {
	At     Duration   `toml:"at"`
	Heal   Duration   `toml:"heal"`
	Groups [][]string `toml:"groups"`
}

// Crash is a [[crash]] table: the server Node stops at At and restarts at
// Restart (without restart: when the faults end). A durable server keeps
// its value through the crash; one that is not comes back at 0.
type Crash struct {
	Node    string   `toml:"node"`
	At      Duration `toml:"at"`
	Restart Duration `toml:"restart"`
	Durable bool     `toml:"durable"`
}

func (p Partition) fields() []field {
	f := []field{{"at", strconv.Quote(p.At.String())}}
	if p.Heal > 0 {
		f = append(f, field{"heal", strconv.Quote(p.Heal.String())})
	}
	groups := make([]string, len(p.Groups))
	for i, g := range p.Groups {
		names := make([]string, len(g))
		for j, n := range g {
			names[j] = strconv.Quote(n)
		}
		groups[i] = "[" + strings.Join(names, ", ") + "]"
	}
	return append(f, field{"groups", "[" + strings.Join(groups, ", ") + "]"})
}

func (c Crash) fields() []field {
	f := []field{{"node", strconv.Quote(c.Node)}, {"at", strconv.Quote(c.At.String())}}
	if c.Restart > 0 {
		f = append(f, field{"restart", strconv.Quote(c.Restart.String())})
	}
	return append(f, field{"durable", strconv.FormatBool(c.Durable)})
}

// hasFaults reports whether the scenario asks for anything to go wrong,
// by the engine's rule (sim.Faults.Any).
func (s *Scenario) hasFaults() bool {
	f := s.faults()
	return f.Any()
}

// nodeID resolves a node name, server-N or client-N, to its ID in the
// cluster's layout: servers first, then clients.
func (s *Scenario) nodeID(name string) (sim.NodeID, bool) {
	for _, kind := range []struct {
		prefix  string
		n, base int
	}{{"server-", s.Servers, 0}, {"client-", s.Clients, s.Servers}} {
		if rest, ok := strings.CutPrefix(name, kind.prefix); ok {
			i, err := strconv.Atoi(rest)
			if err != nil || i < 1 || i > kind.n || strconv.Itoa(i) != rest {
				return 0, false
			}
			return sim.NodeID(kind.base + i - 1), true
		}
	}
	return 0, false
}

// HasNode reports whether the scenario has a node of that name.
func (s *Scenario) HasNode(name string) bool {
	_, ok := s.nodeID(name)
	return ok
}

func (s *Scenario) nodeNames() string {
	switch {
	case s.Servers == 0:
		return "there are no nodes"
	case s.Clients == 0:
		return fmt.Sprintf("the nodes are server-1 to server-%d", s.Servers)
	}
	return fmt.Sprintf("the nodes are server-1 to server-%d and client-1 to client-%d", s.Servers, s.Clients)
}

func (s *Scenario) validateFaults(keys map[string]position) *Error {
	for _, p := range []struct {
		key string
		v   float64
	}{{"loss", s.Loss}, {"duplicate", s.Duplicate}} {
		if !(p.v >= 0 && p.v <= 1) {
			return fail(keys, p.key, "%v is not a probability: allowed 0 to 1", p.v)
		}
	}
	for _, d := range []struct {
		key   string
		v     Duration
		limit time.Duration
	}{{"faults_until", s.FaultsUntil, maxRunTime}, {"liveness_bound", s.LivenessBound, maxSpan}} {
		if _, set := keys[d.key]; set {
			if err := checkSpan(keys, d.key, d.v, d.limit); err != nil {
				return err
			}
		}
	}
	if s.Swarm && s.hasFaults() {
		key := "swarm"
		for _, k := range []string{"loss", "duplicate", "partition[1]", "crash[1]"} {
			if _, set := keys[k]; set {
				key = k
				break
			}
		}
		return fail(keys, key, "swarm = true draws the faults from the seed; remove loss, duplicate, [[partition]] and [[crash]], or set swarm = false")
	}
	if s.Clients == 0 && s.FaultsUntil == 0 && (s.hasFaults() || s.Swarm) {
		return fail(keys, "clients", "with no clients the faults would never end (they end when the last client finishes): set faults_until")
	}
	for i := range s.Partitions {
		if err := s.validatePartition(keys, i); err != nil {
			return err
		}
	}
	for i := range s.Crashes {
		if err := s.validateCrash(keys, i); err != nil {
			return err
		}
	}
	return nil
}

func checkStart(keys map[string]position, key string, d Duration) *Error {
	if d < 0 || time.Duration(d) > maxRunTime {
		return fail(keys, key, "%v is out of range: allowed 0 to %v", d, Duration(maxRunTime))
	}
	return nil
}

func (s *Scenario) validatePartition(keys map[string]position, i int) *Error {
	p := &s.Partitions[i]
	key := fmt.Sprintf("partition[%d].", i+1)
	if err := checkStart(keys, key+"at", p.At); err != nil {
		return err
	}
	if _, set := keys[key+"heal"]; set && p.Heal <= p.At {
		return fail(keys, key+"heal", "heal (%v) must come after at (%v)", p.Heal, p.At)
	}
	if err := checkStart(keys, key+"heal", p.Heal); err != nil {
		return err
	}
	if len(p.Groups) == 0 {
		return fail(keys, key+"groups", "a partition needs groups: the nodes that can still reach each other, such as groups = [[\"server-1\"]]")
	}
	seen := make(map[string]int)
	for gi, g := range p.Groups {
		if len(g) == 0 {
			return fail(keys, key+"groups", "group %d is empty", gi+1)
		}
		for _, name := range g {
			if _, ok := s.nodeID(name); !ok {
				return fail(keys, key+"groups", "unknown node %s: %s", quote(name), s.nodeNames())
			}
			if prev, dup := seen[name]; dup {
				return fail(keys, key+"groups", "%s is in group %d and group %d: groups must not overlap", name, prev+1, gi+1)
			}
			seen[name] = gi
		}
	}
	return nil
}

func (s *Scenario) validateCrash(keys map[string]position, i int) *Error {
	c := &s.Crashes[i]
	key := fmt.Sprintf("crash[%d].", i+1)
	id, ok := s.nodeID(c.Node)
	switch {
	case c.Node == "":
		return fail(keys, key+"node", "a crash needs node, the server that crashes")
	case !ok:
		return fail(keys, key+"node", "unknown node %s: %s", quote(c.Node), s.nodeNames())
	case int(id) >= s.Servers:
		return fail(keys, key+"node", "%s is a client; only servers crash (a client's server crashing is what a client sees)", c.Node)
	}
	if err := checkStart(keys, key+"at", c.At); err != nil {
		return err
	}
	if _, set := keys[key+"restart"]; set && c.Restart <= c.At {
		return fail(keys, key+"restart", "restart (%v) must come after the crash at %v", c.Restart, c.At)
	}
	if err := checkStart(keys, key+"restart", c.Restart); err != nil {
		return err
	}
	for j := range i {
		if prev := &s.Crashes[j]; prev.Node == c.Node && prev.overlaps(c) {
			return fail(keys, key+"at", "%s would crash while down from crash %d (%s): a server crashes again only after it restarted",
				c.Node, j+1, prev.span())
		}
	}
	return nil
}

// overlaps reports whether two crashes of one server overlap in time; a
// crash without restart lasts until the faults end, so for ever here.
func (c *Crash) overlaps(d *Crash) bool {
	end := func(x *Crash) Duration {
		if x.Restart == 0 {
			return Duration(math.MaxInt64)
		}
		return x.Restart
	}
	return c.At < end(d) && d.At < end(c)
}

func (c *Crash) span() string {
	if c.Restart == 0 {
		return fmt.Sprintf("from %v until the faults end", c.At)
	}
	return fmt.Sprintf("from %v to %v", c.At, c.Restart)
}

// faults returns the engine's form of the scenario's faults.
func (s *Scenario) faults() sim.Faults {
	f := sim.Faults{Loss: s.Loss, Duplicate: s.Duplicate, Until: sim.Time(s.FaultsUntil)}
	for _, p := range s.Partitions {
		sp := sim.Partition{At: sim.Time(p.At), Heal: sim.Time(p.Heal)}
		for _, g := range p.Groups {
			var ids []sim.NodeID
			for _, name := range g {
				id, _ := s.nodeID(name) // validated
				ids = append(ids, id)
			}
			sp.Groups = append(sp.Groups, ids)
		}
		f.Partitions = append(f.Partitions, sp)
	}
	for _, c := range s.Crashes {
		id, _ := s.nodeID(c.Node)
		f.Crashes = append(f.Crashes, sim.Crash{Node: id, At: sim.Time(c.At), Restart: sim.Time(c.Restart), Durable: c.Durable})
	}
	return f
}

// SetSwarm makes the scenario draw its faults from the seed, as swarm =
// true does, under the same rules.
func (s *Scenario) SetSwarm() error {
	switch {
	case s.hasFaults():
		return fmt.Errorf("%s sets faults of its own (loss, duplicate, [[partition]] or [[crash]]); a swarm draws them", s.Name)
	case s.Clients == 0 && s.FaultsUntil == 0:
		return fmt.Errorf("%s has no clients, so the faults would never end: set faults_until", s.Name)
	}
	s.SwarmFlag = !s.Swarm
	s.Swarm = true
	return nil
}

// swarmStream is the random stream the swarm draws from.
const swarmStream = 3

// Resolved returns the scenario with the faults of a swarm scenario drawn
// from its seed and written out as plain keys (swarm = false), so that the
// header of a run shows what was drawn and replays it as it is. A scenario
// that is not a swarm is returned as it is.
//
// As FoundationDB's and TigerBeetle's simulators do, each seed decides
// which kinds of fault are on at all, then their rates and times: runs
// with one kind of fault alone find bugs that a mix of all would hide.
func (s *Scenario) Resolved() *Scenario {
	if !s.Swarm {
		return s
	}
	r := *s
	r.Swarm = false
	rng := sim.NewRand(s.Seed, swarmStream)
	// Faults fall in the time the clients are expected to take, computed
	// in floating point and capped, so that huge scenarios neither
	// overflow nor draw times past the limits of validation.
	window := time.Duration(min(float64(s.RequestsPerClient)*2*float64(s.meanLatency()), float64(maxRunTime/4)))
	window = max(window, time.Duration(s.SyncInterval))
	at := func(from, span time.Duration) Duration {
		return Duration((from + time.Duration(rng.Int64N(int64(span)+1))).Truncate(time.Millisecond))
	}
	rate := func(limit float64) float64 {
		if rng.IntN(2) == 0 {
			return 0
		}
		return math.Round(rng.Float64()*limit*100) / 100
	}
	r.Loss, r.Duplicate = rate(0.3), rate(0.2)
	r.Partitions, r.Crashes = nil, nil
	if s.Servers > 1 {
		for range rng.IntN(3) {
			p := Partition{At: at(0, window)}
			p.Heal = p.At + max(at(0, window/2), Duration(time.Millisecond))
			// Cut off some servers, never all; the rest, clients too,
			// stay together.
			var cut []string
			for _, i := range rng.Perm(s.Servers)[:1+rng.IntN(s.Servers-1)] {
				cut = append(cut, fmt.Sprintf("server-%d", i+1))
			}
			p.Groups = [][]string{cut}
			r.Partitions = append(r.Partitions, p)
		}
	}
	if s.Servers > 0 {
		down := make(map[int]bool)
		for range rng.IntN(3) {
			i := rng.IntN(s.Servers)
			if down[i] {
				continue // one crash per server keeps the schedule valid
			}
			down[i] = true
			c := Crash{Node: fmt.Sprintf("server-%d", i+1), At: at(0, window), Durable: rng.IntN(2) == 0}
			if rng.IntN(2) == 0 {
				c.Restart = c.At + max(at(0, window/4), Duration(time.Millisecond))
			}
			r.Crashes = append(r.Crashes, c)
		}
	}
	return &r
}

// meanLatency is the mean of the latency distribution.
func (s *Scenario) meanLatency() time.Duration {
	l := &s.Latency
	switch sim.Distribution(l.Distribution) {
	case sim.Uniform:
		return time.Duration(l.Min+l.Max) / 2
	case sim.Exponential:
		return time.Duration(l.Floor + l.Mean)
	}
	return time.Duration(l.Fixed)
}

package model

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"eccounter/sim"
)

// Assignment says how clients are given their server.
type Assignment string

// The ways to assign clients to servers.
const (
	// RoundRobin gives client i server ((i-1) mod servers)+1, as the
	// original emulation did.
	RoundRobin Assignment = "round_robin"
	// Random gives each client a server drawn uniformly from the seed.
	Random Assignment = "random"
)

// Config describes one run of the protocol. NewCluster refuses one that
// Validate rejects; package scenarios validates what users write, with
// the file's lines and keys, before it becomes a Config.
type Config struct {
	Seed         int64
	Servers      int
	Clients      int
	Requests     int // per client
	SetRatio     float64
	MaxValue     int64
	SyncInterval time.Duration
	// Strategy is how servers sync (empty: broadcast, which NewCluster
	// writes in), with Fanout
	// partners a round for the epidemic strategies.
	Strategy Strategy
	Fanout   int
	// Rumor says when rumor-mongering servers lose interest.
	Rumor      Rumor
	Assignment Assignment
	Latency    sim.Latency
	MaxTime    time.Duration
	MaxEvents  int64
	// RequestTimeout is how long a client waits for a reply; 0 for ever.
	RequestTimeout time.Duration
	// Faults is what goes wrong. If Faults.Until is 0 and there are
	// faults, they end when the last client finishes.
	Faults sim.Faults
	// Inject is a value server-1 holds from the start, as if a client had
	// set it just before: the one new update whose spread an epidemic
	// measurement follows (see Spread). 0: none.
	Inject int64
	// LivenessBound is how soon after the faults end and the last set is
	// accepted the servers must converge; 0 means one sync interval plus
	// the largest latency of the run.
	LivenessBound time.Duration

	// Variant names the server of the catalogue (see Variants) that
	// every server runs: "" or "correct" for the real protocol, or a
	// deliberately broken one. NewCluster panics on a name not in it;
	// package scenarios validates what users write.
	Variant string
	// WrapServer and WrapClient, if set, make the nodes the engine steps
	// from the real servers and clients, WrapServer instead of Variant.
	// Tests use them to plug in deliberately broken nodes (those of the
	// catalogue with Variant.Wrap) and show that the checks catch them.
	WrapServer func(*Server) Replica
	WrapClient func(*Client) sim.Node[Msg, Note]
	// Chooser, if set, answers every random choice of the run (see
	// sim.Chooser and the Choice labels: ChoiceSet, ChoiceValue,
	// ChoicePartner, ChoiceCoin and the network's); nil draws them from
	// the seed. The assignment of clients to servers, made before the
	// run, is not one of them.
	Chooser sim.Chooser

	_ struct{} // fields by name, so that new ones can be added
}

// CapEvents lowers MaxEvents to n, if n is above 0 and the configuration
// allows more (0 allowing any number), and reports whether it did: then a
// run that stops at MaxEvents was cut short by the cap, not by its
// scenario. The playground caps what a page runs this way.
func (cfg *Config) CapEvents(n int64) bool {
	if n <= 0 || (cfg.MaxEvents != 0 && cfg.MaxEvents <= n) {
		return false
	}
	cfg.MaxEvents = n
	return true
}

// Replica is what a cluster needs of a server node: to step it and to read
// its counter. *Server is the protocol's own.
type Replica interface {
	sim.Node[Msg, Note]
	Counter() int64
	// Infective reports whether the server has news to spread: a rumor
	// (see StrategyRumorPush), or with direct mail a value injected at
	// the start that it has yet to mail; always false for the other
	// strategies.
	Infective() bool
}

// Cluster is the servers and clients of one run, wired into an engine.
type Cluster struct {
	cfg     Config
	engine  *Engine
	servers []Replica
	clients []Client
	checker *checker
	ran     bool
}

// NewCluster builds the nodes of cfg and adds them to a new engine: servers
// first, then clients, each client restricted to its Subject. It panics,
// with Validate's message, if cfg is invalid: a Config built in Go is the
// program's own, and one built from a scenario was validated already, so
// an invalid one is a bug to stop at, not an input to report.
func NewCluster(cfg Config) *Cluster {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if cfg.Strategy == "" {
		cfg.Strategy = StrategyBroadcast
	}
	c := &Cluster{
		cfg: cfg,
		engine: sim.New[Msg, Note](sim.Config{
			Seed:      cfg.Seed,
			Latency:   cfg.Latency,
			MaxTime:   sim.Time(cfg.MaxTime),
			MaxEvents: cfg.MaxEvents,
			Faults:    cfg.Faults,
			Chooser:   cfg.Chooser,
		}),
	}
	c.servers, c.clients = newNodes(&cfg)
	for i, r := range c.servers {
		c.engine.Add(ServerName(i), r)
	}
	for i := range c.clients {
		var node sim.Node[Msg, Note] = &c.clients[i]
		if cfg.WrapClient != nil {
			node = cfg.WrapClient(&c.clients[i])
		}
		id := c.engine.Add(ClientName(i), node)
		c.engine.Restrict(id, c.clients[i].Subject)
	}
	c.checker = newChecker(c)
	c.engine.Observe(c.checker)
	c.engine.Warm(c.warm)
	return c
}

// newNodes builds the servers and clients of cfg as a run starts them:
// server-1 holding the injected value, if any, and each client given its
// server by cfg.Assignment.
func newNodes(cfg *Config) ([]Replica, []Client) {
	wrap := cfg.WrapServer
	if wrap == nil {
		v, ok := LookupVariant(cfg.Variant)
		if !ok {
			panic("model: no server variant named " + strconv.Quote(cfg.Variant))
		}
		wrap = v.Wrap
	}
	servers := make([]Replica, cfg.Servers)
	for i := range servers {
		s := &Server{ID: sim.NodeID(i), Servers: cfg.Servers, SyncInterval: cfg.SyncInterval,
			Strategy: cfg.Strategy, Fanout: cfg.Fanout, Rumor: cfg.Rumor}
		if i == 0 && cfg.Inject > 0 {
			// As if a client had just set it: news to spread.
			s.Value, s.News = cfg.Inject, cfg.Strategy.Backable() && cfg.Servers > 1
		}
		servers[i] = wrap(s)
	}
	// Clients live in one slice so that the whole set is one allocation;
	// the engine holds pointers into it, so it must not grow after this.
	clients := make([]Client, cfg.Clients)
	pick := sim.NewRand(cfg.Seed, 0)
	for i := range clients {
		subject := sim.NodeID(i % max(cfg.Servers, 1))
		if cfg.Assignment == Random {
			subject = sim.NodeID(pick.IntN(cfg.Servers))
		}
		clients[i] = Client{Subject: subject, Requests: cfg.Requests, SetRatio: cfg.SetRatio, MaxValue: cfg.MaxValue, Timeout: cfg.RequestTimeout}
	}
	return servers, clients
}

// ServerName is the name of server i (from 0) in traces: "server-1".
func ServerName(i int) string { return "server-" + strconv.Itoa(i+1) }

// ClientName is the name of client i (from 0) in traces: "client-1".
func ClientName(i int) string { return "client-" + strconv.Itoa(i+1) }

// warm reads what a client's step will read first: both cache lines of
// the client, and the checker's record of its last read. In a run of
// 100,000 clients each is a cache miss; read ahead for a batch of steps
// (see sim.Engine.Warm), the misses overlap. Servers are few, and stay
// in cache.
func (c *Cluster) warm(id sim.NodeID) uint32 {
	if c.isServer(id) {
		return 0
	}
	i := int(id) - c.cfg.Servers
	cl := &c.clients[i]
	// The first field and the last: a 96-byte client spans two cache
	// lines, wherever it starts.
	x := uint32(cl.Timer) + uint32(c.checker.reads[i].value)
	if cl.Waiting {
		x++
	}
	return x
}

// Engine returns the cluster's engine, to add observers such as trace
// writers before Run.
func (c *Cluster) Engine() *Engine { return c.engine }

// Config returns the configuration the cluster was built from.
func (c *Cluster) Config() Config { return c.cfg }

// Subject returns the server client i (from 0) talks to.
func (c *Cluster) Subject(i int) sim.NodeID { return c.clients[i].Subject }

// Run runs the simulation until every client has finished and every server
// holds the largest value any server ever held (after which in-flight syncs
// can change nothing), or until a limit of the configuration is reached.
// It returns the report of the run; an error means a node broke the
// engine's rules, which the protocol's nodes never do.
func (c *Cluster) Run() (Report, error) {
	c.once()
	res, err := c.engine.Run(c.checker.quiescent)
	return c.finish(res, err)
}

// Drive runs the simulation as Run does, until the same ending, but pick
// chooses each next event among those pending (see sim.Engine.Start):
// picking the first always gives Run's run, byte for byte; picking
// another makes a run in which the earlier ones come late. The checks
// judge it as they judge Run's. A run stopped by MaxTime ends at its last
// event rather than at MaxTime.
func (c *Cluster) Drive(pick func(pending []sim.Pending[Msg]) sim.EventID) (Report, error) {
	return c.drive(picker(pick))
}

// A driver chooses the events of Drive's loop.
type driver interface {
	// scripted reports whether the driver has an event of its own to
	// fire next: then the run goes on whatever the stop rule and the
	// limits say, and pick is asked even when nothing is pending.
	scripted() bool
	// pick returns the pending event to fire next, after whatever wait
	// it makes (see sim.Engine.Wait), or why it cannot.
	pick(pending []sim.Pending[Msg]) (sim.EventID, error)
	// fired is told that the event picked was fired; an error ends the
	// run.
	fired() error
}

// picker is the driver of Drive: a function that picks, never scripted.
type picker func(pending []sim.Pending[Msg]) sim.EventID

func (p picker) scripted() bool                                       { return false }
func (p picker) pick(pending []sim.Pending[Msg]) (sim.EventID, error) { return p(pending), nil }
func (p picker) fired() error                                         { return nil }

// drive is the loop of Drive and Replay: it fires the events d picks
// until the run ends as Run's would, or d fails.
func (c *Cluster) drive(d driver) (Report, error) {
	c.once()
	e := c.engine
	e.Start()
	reason := sim.Idle
	var events int64
	var err error
	for {
		scripted := d.scripted()
		if !scripted && c.checker.quiescent() {
			reason = sim.Done
			break
		}
		p := e.Pending()
		if len(p) == 0 && !scripted {
			break
		}
		if !scripted && c.cfg.MaxEvents > 0 && events >= c.cfg.MaxEvents {
			reason = sim.MaxEventsReached
			break
		}
		if !scripted && c.cfg.MaxTime > 0 && p[0].Time > sim.Time(c.cfg.MaxTime) {
			reason = sim.MaxTimeReached
			break
		}
		id, perr := d.pick(p)
		if perr != nil {
			reason, err = sim.Aborted, perr
			break
		}
		counted, ferr := e.Fire(id)
		if ferr == nil {
			ferr = d.fired()
		}
		if ferr != nil {
			reason, err = sim.Aborted, ferr
			break
		}
		if counted {
			events++
		}
	}
	return c.finish(e.Result(reason), err)
}

// once makes sure a cluster runs only once.
func (c *Cluster) once() {
	if c.ran {
		panic("model: Cluster.Run called twice")
	}
	c.ran = true
}

// finish turns the engine's result into the report.
func (c *Cluster) finish(res sim.Result, err error) (Report, error) {
	if errors.Is(err, sim.ErrForbiddenSend) {
		// The engine stopped a client that addressed a node other than
		// its Subject: that is this check failing, not a crash.
		c.checker.fail(checkOwnServer, res.Now, "%v", strings.TrimPrefix(err.Error(), sim.ErrForbiddenSend.Error()+": "))
		err = nil
	}
	if err != nil {
		return Report{}, err
	}
	return c.checker.report(res), nil
}

// isServer reports whether node id is a server.
func (c *Cluster) isServer(id sim.NodeID) bool { return int(id) < c.cfg.Servers }

// client returns the client with node ID id.
func (c *Cluster) client(id sim.NodeID) *Client { return &c.clients[int(id)-c.cfg.Servers] }

// Validate reports the first thing that makes cfg a run the protocol
// cannot make sense of, such as push with no partners, which would never
// sync: the model's own invariants, which package scenarios also checks.
// It leaves out what only bounds a scenario's cost (how many servers,
// how long a run), and what a strategy does not read (the fanout of
// broadcast, the K of push).
func (cfg *Config) Validate() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("model: invalid Config: "+format, args...)
	}
	switch {
	case cfg.Servers < 0 || cfg.Clients < 0 || cfg.Requests < 0:
		return fail("servers %d, clients %d, requests %d: none may be negative", cfg.Servers, cfg.Clients, cfg.Requests)
	case cfg.Clients > 0 && cfg.Servers == 0:
		return fail("%d clients but no servers: every client needs a server to talk to", cfg.Clients)
	case !(cfg.SetRatio >= 0 && cfg.SetRatio <= 1): // also rejects NaN
		return fail("set ratio %v is not a probability: allowed 0 to 1", cfg.SetRatio)
	case cfg.MaxValue < 1 && cfg.Clients > 0 && cfg.Requests > 0 && cfg.SetRatio > 0:
		return fail("max value %d: sets draw values from [0, max value), so it must be at least 1", cfg.MaxValue)
	case cfg.SyncInterval < 0:
		return fail("sync interval %v is negative", cfg.SyncInterval)
	case cfg.Assignment != "" && cfg.Assignment != RoundRobin && cfg.Assignment != Random:
		return fail("assignment %q: allowed %q or %q", cfg.Assignment, RoundRobin, Random)
	case cfg.MaxTime < 0 || cfg.MaxEvents < 0 || cfg.RequestTimeout < 0 || cfg.LivenessBound < 0 || cfg.Inject < 0:
		return fail("max time %v, max events %d, request timeout %v, liveness bound %v, inject %d: none may be negative (0: none)",
			cfg.MaxTime, cfg.MaxEvents, cfg.RequestTimeout, cfg.LivenessBound, cfg.Inject)
	}
	if err := cfg.Latency.Validate(); err != nil {
		return fail("%v", strings.TrimPrefix(err.Error(), "sim: "))
	}
	st := cfg.Strategy
	if st == "" {
		st = StrategyBroadcast
	}
	if !slices.Contains(Strategies, st) {
		return fail("unknown strategy %q", st)
	}
	// Servers with peers sync every interval, but for direct mail's,
	// which have no rounds: with none, a sync timer would go off again
	// and again at the same instant.
	if cfg.SyncInterval == 0 && cfg.Servers >= 2 && st != StrategyDirectMail {
		return fail("strategy %s with %d servers needs a positive sync interval", st, cfg.Servers)
	}
	uses := st.Keys()
	if slices.Contains(uses, "fanout") {
		if cfg.Fanout < 1 || cfg.Fanout > MaxFanout {
			return fail("strategy %s with fanout %d: allowed 1 to %d partners a round", st, cfg.Fanout, MaxFanout)
		}
		if cfg.Servers >= 2 && cfg.Fanout > cfg.Servers-1 {
			return fail("strategy %s with fanout %d, but each of the %d servers has only %d others", st, cfg.Fanout, cfg.Servers, cfg.Servers-1)
		}
	}
	if slices.Contains(uses, "k") && cfg.Rumor.K < 1 {
		return fail("strategy %s with k %d: a server loses interest after k rounds, or with probability 1/k, so k must be at least 1", st, cfg.Rumor.K)
	}
	if cfg.Rumor.AntiEntropy < 0 {
		return fail("anti-entropy interval %v is negative (0: none)", cfg.Rumor.AntiEntropy)
	}
	return cfg.validateFaults()
}

// validateFaults checks what the engine assumes of the faults.
func (cfg *Config) validateFaults() error {
	f := &cfg.Faults
	fail := func(format string, args ...any) error {
		return fmt.Errorf("model: invalid Config: faults: "+format, args...)
	}
	nodes := cfg.Servers + cfg.Clients
	switch {
	case !(f.Loss >= 0 && f.Loss <= 1) || !(f.Duplicate >= 0 && f.Duplicate <= 1):
		return fail("loss %v, duplicate %v: each must be a probability, 0 to 1", f.Loss, f.Duplicate)
	case f.Until < 0:
		return fail("until %v is negative (0: when the last client finishes)", time.Duration(f.Until))
	}
	for i, p := range f.Partitions {
		if p.At < 0 || (p.Heal != 0 && p.Heal <= p.At) {
			return fail("partition %d: at %v, heal %v: want at >= 0, and heal after at (or 0: when the faults end)", i+1, time.Duration(p.At), time.Duration(p.Heal))
		}
		seen := make(map[sim.NodeID]bool)
		for _, g := range p.Groups {
			for _, id := range g {
				if id < 0 || int(id) >= nodes {
					return fail("partition %d: node %d does not exist (there are %d)", i+1, id, nodes)
				}
				if seen[id] {
					return fail("partition %d: node %d is in two groups", i+1, id)
				}
				seen[id] = true
			}
		}
	}
	for i, c := range f.Crashes {
		if c.Node < 0 || int(c.Node) >= cfg.Servers {
			return fail("crash %d: node %d is not a server (there are %d); only servers crash", i+1, c.Node, cfg.Servers)
		}
		if c.At < 0 || (c.Restart != 0 && c.Restart <= c.At) {
			return fail("crash %d: at %v, restart %v: want at >= 0, and restart after at (or 0: when the faults end)", i+1, time.Duration(c.At), time.Duration(c.Restart))
		}
	}
	return nil
}

package model

import (
	"math"

	"eccounter/sim"
)

// Spread is an observer that follows one update through the servers, as
// Demers et al. measure an epidemic: the value injected at server-1 (see
// Config.Inject) with no clients, servers syncing in rounds of one sync
// interval. It records when each server first holds the update and counts
// the messages that carry it.
type Spread struct {
	c       *Cluster
	arrived []sim.Time // per server: when it first held the update; -1: never
	updates int64      // messages sent carrying the update
}

// NewSpread returns the observer of c's injected update.
func NewSpread(c *Cluster) *Spread {
	p := &Spread{c: c, arrived: make([]sim.Time, c.cfg.Servers)}
	for i := range p.arrived {
		p.arrived[i] = -1
	}
	if len(p.arrived) > 0 {
		p.arrived[0] = 0
	}
	return p
}

// BeforeStep does nothing.
func (p *Spread) BeforeStep(sim.Time, sim.NodeID) {}

// AfterStep notes arrivals and counts update messages.
func (p *Spread) AfterStep(s *Step) {
	if s.Node < 0 || int(s.Node) >= len(p.arrived) {
		return
	}
	v := p.c.cfg.Inject
	if p.arrived[s.Node] < 0 && p.c.servers[s.Node].Counter() >= v {
		p.arrived[s.Node] = s.Time
	}
	for _, m := range s.Sends {
		switch m.Msg.Type {
		case Sync, PushPull, PullReply, RumorPush, RumorReply, Mail:
			if m.Msg.Value >= v {
				p.updates++
			}
		}
	}
}

// Epidemic is what one epidemic run measured, in Demers' terms.
type Epidemic struct {
	// Residue is the fraction of servers the update never reached: with
	// rumor mongering or direct mail alone, when nothing was left to
	// send.
	Residue float64
	// Traffic is the messages sent that carry the update, per server:
	// pushes, exchanges, answers to pulls and mails (a rumor_pull or
	// pull carries no update, and an acknowledgement only names it).
	Traffic float64
	// TAve and TLast are the mean and the last round in which a server
	// other than the origin first held the update, counting the first
	// sync round as round 1: what arrives before it, as direct mail
	// does, arrives in round 0. Both are 0 if it reached no other
	// server.
	TAve, TLast float64
	// Holding counts the servers holding the update at the end of each
	// round, from round 0 (the origin alone) to round TLast.
	Holding []int
}

// Result measures the run once it is over.
func (p *Spread) Result() Epidemic {
	n := len(p.arrived)
	if n == 0 {
		return Epidemic{}
	}
	interval := int64(p.c.cfg.SyncInterval)
	var e Epidemic
	reached, sum := 0, 0.0
	for _, t := range p.arrived[1:] {
		if t < 0 {
			continue
		}
		reached++
		// Rounds start at multiples of the interval; a message sent in
		// round r arrives within it, as latency is far below a round.
		r := float64(int64(t) / interval)
		sum += r
		e.TLast = math.Max(e.TLast, r)
	}
	if reached > 0 {
		e.TAve = sum / float64(reached)
	}
	e.Holding = make([]int, int(e.TLast)+1)
	for _, t := range p.arrived {
		if t >= 0 {
			e.Holding[int64(t)/interval]++
		}
	}
	for r := 1; r < len(e.Holding); r++ {
		e.Holding[r] += e.Holding[r-1]
	}
	e.Residue = float64(n-1-reached) / float64(n)
	e.Traffic = float64(p.updates) / float64(n)
	return e
}

// EpidemicConfig sets cfg up to measure how one update spreads, as Demers
// et al. do: no clients, server-1 holding the update (value 1) from the
// start, and a fixed latency of a hundredth of a sync interval, so that
// servers sync in synchronous rounds: every message sent in a round
// (a push, a pull and its answer) arrives within it, and every send reads
// the state at the start of its round. The sync timers go off at the
// round's start, when nothing arrives, so what they send reads it (a value
// that arrives in a round is pushed on at the next); their pushes and
// questions all arrive one latency later, at one instant, and the answers
// read the value the server held before that instant (see the Server's
// answerPull), which is what it held when the round began. So an update
// travels at most one hop a round. A backing anti-entropy
// (Rumor.AntiEntropy) is part of the rounds if its interval is a multiple
// of the sync interval; otherwise its exchanges start between rounds, and
// read the state when they do. Faults are off. The run ends when
// every server holds the update (with rumor mongering or direct mail
// alone: when no server is infective and no rumor or mail is on its way),
// or at the limits of cfg.
func EpidemicConfig(cfg Config) Config {
	cfg.Clients, cfg.Requests, cfg.Inject = 0, 0, 1
	cfg.Latency = sim.Latency{Distribution: sim.Fixed, Fixed: cfg.SyncInterval / 100}
	cfg.Faults = sim.Faults{}
	return cfg
}

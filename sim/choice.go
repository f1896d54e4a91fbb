package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// A Chooser answers the random choices of a run. Every random thing that
// happens, whether a node's (Env.Choose, Env.Chance, Env.ChooseDistinct) or
// the network's (loss, duplication, latency), is a Choice the engine asks
// Config.Chooser about; an explorer answers each with every outcome in turn.
// The answer must lie in [0, c.N): anything else is a bug of the chooser,
// and the engine panics. Choose must be deterministic for the run to be.
//
// With no Chooser the engine draws every answer from the run's seeded
// streams, exactly as Seeded does, without building a Choice at all.
type Chooser interface {
	Choose(c Choice) int
}

// The labels of the network's choices; nodes label theirs.
const (
	// LabelLoss: whether the network loses message Msg (1: lost). Asked
	// only while the faults last and Faults.Loss > 0.
	LabelLoss = "loss"
	// LabelDuplicate: whether it delivers message Msg twice (1: twice).
	// Asked only while the faults last, Faults.Duplicate > 0 and the
	// message was not lost.
	LabelDuplicate = "duplicate"
	// LabelLatency: the latency of one copy of message Msg; the answer a
	// means the distribution's least latency plus a nanoseconds (see
	// Latency.Bounds).
	LabelLatency = "latency"
)

// Choice is one random choice: who makes it, what it decides, and how many
// outcomes it has.
type Choice struct {
	// Label says what is chosen, such as "partner" or LabelLoss.
	Label string
	// Node is the node that chooses, or NoNode for the network.
	Node NodeID
	// Msg is, for the network's choices, the message concerned.
	Msg MsgID
	// N is the number of outcomes: the answer is in [0, N). A latency
	// of an unbounded distribution has N = math.MaxInt64 - its floor.
	N int
	// P is, for a Chance, the probability of the answer 1 (true); 0 for
	// other choices. N is 2 even when P is 0 or 1.
	P float64

	kind   choiceKind
	r      *rand.Rand // the stream the seeded answer comes from
	lat    *Latency   // choiceLatency
	chosen []int      // choiceDistinct: the values already taken
}

type choiceKind uint8

const (
	choiceInt      choiceKind = iota // r.IntN(N)
	choiceChance                     // r.Float64() < P
	choiceDistinct                   // r.IntN(N+len(chosen)) until not chosen
	choiceLatency                    // lat.Sample(r)
)

// Seeded answers every choice with Choice.Draw: the run a nil
// Config.Chooser gives, only slower. Wrap it to watch the choices of a
// run without changing them.
type Seeded struct{}

// Choose returns c.Draw().
func (Seeded) Choose(c Choice) int { return c.Draw() }

// Draw returns the answer the run's seeded streams give c, consuming from
// the chooser's stream exactly what a run without a Chooser does: a draw
// made this way, and only this way, keeps later draws as they would be.
func (c Choice) Draw() int {
	switch c.kind {
	case choiceChance:
		if c.r.Float64() < c.P {
			return 1
		}
		return 0
	case choiceDistinct:
		v := drawDistinct(c.r, c.N+len(c.chosen), c.chosen)
		rank := v
		for _, x := range c.chosen {
			if x < v {
				rank--
			}
		}
		return rank
	case choiceLatency:
		lo, _ := c.lat.Bounds()
		return int(c.lat.Sample(c.r) - lo)
	}
	return c.r.IntN(c.N)
}

// drawDistinct draws from [0, n) until a value not in chosen comes up.
func drawDistinct(r *rand.Rand, n int, chosen []int) int {
	for {
		v := r.IntN(n)
		if !contains(chosen, v) {
			return v
		}
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// ask puts c to the chooser and checks the answer.
func ask(ch Chooser, c Choice) int {
	a := ch.Choose(c)
	if a < 0 || a >= c.N {
		panic(fmt.Sprintf("sim: chooser answered %d to %q of node %d, which has outcomes 0 to %d", a, c.Label, c.Node, c.N-1))
	}
	return a
}

// Bounds returns the least and the largest latency the distribution can
// give; an unbounded one (Exponential) gives math.MaxInt64 as largest.
func (l Latency) Bounds() (lo, hi time.Duration) {
	switch l.Distribution {
	case Uniform:
		return l.Min, l.Max
	case Exponential:
		return l.Floor, math.MaxInt64
	default:
		return l.Fixed, l.Fixed
	}
}

// Choose returns a choice among n outcomes, labelled label: by default a
// uniform draw from [0, n) from the node's own stream. n must be positive.
func (e *Env[M, N]) Choose(label string, n int) int {
	if e.chooser == nil {
		return e.rng.IntN(n)
	}
	return ask(e.chooser, Choice{Label: label, Node: e.self, N: n, kind: choiceInt, r: e.rng})
}

// Chance returns a choice, labelled label, that is true with probability p
// by default; a Chooser sees two outcomes, 1 for true. The default draws a
// number even when p is 0 or 1, so that the stream does not depend on p.
func (e *Env[M, N]) Chance(label string, p float64) bool {
	if e.chooser == nil {
		return e.rng.Float64() < p
	}
	return ask(e.chooser, Choice{Label: label, Node: e.self, N: 2, P: p, kind: choiceChance, r: e.rng}) == 1
}

// ChooseDistinct returns a value of [0, n) not in chosen, labelled label:
// by default, uniform draws from [0, n) until one is not in chosen, so that
// picking several distinct values is a sequence of these. A Chooser sees
// only the n-len(chosen) values left, in increasing order: an answer a
// means the a-th of them, so every outcome it tries is a distinct value.
// chosen must hold distinct values of [0, n), fewer than n.
func (e *Env[M, N]) ChooseDistinct(label string, n int, chosen []int) int {
	if e.chooser == nil {
		return drawDistinct(e.rng, n, chosen)
	}
	a := ask(e.chooser, Choice{Label: label, Node: e.self, N: n - len(chosen), kind: choiceDistinct, r: e.rng, chosen: chosen})
	// The a-th value of [0, n) not in chosen.
	for v := range n {
		if !contains(chosen, v) {
			if a == 0 {
				return v
			}
			a--
		}
	}
	panic("unreachable")
}

// chance decides a Bernoulli choice of the network about message id.
func (e *Engine[M, N]) chance(label string, p float64, id MsgID) bool {
	if e.cfg.Chooser == nil {
		return e.net.Float64() < p
	}
	return ask(e.cfg.Chooser, Choice{Label: label, Node: NoNode, Msg: id, N: 2, P: p, kind: choiceChance, r: e.net}) == 1
}

// chooseLatency asks the chooser for the latency of one copy of message
// id.
func (e *Engine[M, N]) chooseLatency(id MsgID) time.Duration {
	l := &e.cfg.Latency
	lo, hi := l.Bounds()
	n := math.MaxInt64 - int(lo)
	if hi != math.MaxInt64 {
		n = int(hi-lo) + 1
	}
	return lo + time.Duration(ask(e.cfg.Chooser, Choice{Label: LabelLatency, Node: NoNode, Msg: id, N: n, kind: choiceLatency, r: e.net, lat: l}))
}

// Possible reports whether answer a can come up in a run without a
// Chooser: any answer in [0, N) can, but true (1) of a Chance of
// probability 0 and false (0) of one of probability 1. An explorer tries
// only those.
func (c Choice) Possible(a int) bool {
	if a < 0 || a >= c.N {
		return false
	}
	if c.kind == choiceChance {
		return (a == 1 && c.P > 0) || (a == 0 && c.P < 1)
	}
	return true
}

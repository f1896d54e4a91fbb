package explore

import "eccounter/sim"

// chooser answers a step's random choices from a script, so that the
// search can try every outcome of every choice: an odometer over the
// choices asked. A step asks its choices in an order that depends only on
// the answers so far (the nodes are deterministic), so a script, a prefix
// of answers, names one outcome of the step; next moves to the following
// one. Outcomes a choice can never give (a set when the set ratio is 0)
// are skipped: the search explores what a run could do, and nothing else.
type chooser struct {
	script []int // the answers to give; past its end, the first allowed
	asked  []asked
}

type asked struct {
	label  string
	answer int
	hi     int // the largest allowed answer
}

// reset starts a step that answers from script.
func (c *chooser) reset(script []int) {
	c.script, c.asked = script, c.asked[:0]
}

// Choose answers one of a node's choices (sim.Chooser).
func (c *chooser) Choose(ch sim.Choice) int {
	lo, hi := 0, ch.N-1
	for !ch.Possible(lo) {
		lo++
	}
	for !ch.Possible(hi) {
		hi--
	}
	return c.pick(ch.Label, lo, hi)
}

// pick answers a choice whose allowed answers are lo to hi.
func (c *chooser) pick(label string, lo, hi int) int {
	i := len(c.asked)
	a := lo
	if i < len(c.script) {
		a = c.script[i]
	}
	c.asked = append(c.asked, asked{label, a, hi})
	return a
}

// next makes script the next outcome's and reports whether there is one:
// the last choice that can still go up goes up, and the ones after it are
// asked afresh.
func (c *chooser) next(script []int) ([]int, bool) {
	for i := len(c.asked) - 1; i >= 0; i-- {
		if a := c.asked[i]; a.answer < a.hi {
			script = script[:0]
			for _, b := range c.asked[:i] {
				script = append(script, b.answer)
			}
			return append(script, a.answer+1), true
		}
	}
	return script, false
}

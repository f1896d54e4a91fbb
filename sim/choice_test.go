package sim

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// choiceLog answers every choice as Seeded does and logs it.
type choiceLog []Choice

func (l *choiceLog) Choose(c Choice) int {
	*l = append(*l, c)
	return c.Draw()
}

type answerFunc func(c Choice) int

func (f answerFunc) Choose(c Choice) int { return f(c) }

// TestSeededChooser: a chooser that answers with Draw gives the very run
// of no chooser at all, whatever the distribution and the faults, and it
// is asked about every draw the run makes.
func TestSeededChooser(t *testing.T) {
	lats := []Latency{
		fixed(time.Millisecond),
		{Distribution: Uniform, Min: 100 * time.Microsecond, Max: 3 * time.Millisecond},
		{Distribution: Exponential, Floor: time.Millisecond, Mean: 2 * time.Millisecond},
	}
	for _, lat := range lats {
		t.Run(string(lat.Distribution), func(t *testing.T) {
			cfg := Config{Seed: 5, Latency: lat, Faults: Faults{Loss: 0.2, Duplicate: 0.2}}
			var want bytes.Buffer
			if _, err := chatter(cfg, &want).Run(never); err != nil {
				t.Fatal(err)
			}
			var log choiceLog
			cfg.Chooser = &log
			var got bytes.Buffer
			res, err := chatter(cfg, &got).Run(never)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Fatalf("the trace with Seeded differs from the trace without a chooser")
			}
			count := map[string]int{}
			for _, c := range log {
				count[c.Label]++
				lo, hi := lat.Bounds()
				switch c.Label {
				case LabelLatency:
					if c.Node != NoNode || c.Msg == 0 || (hi != 1<<63-1 && c.N != int(hi-lo)+1) {
						t.Fatalf("latency choice %+v", c)
					}
				case LabelLoss, LabelDuplicate:
					if c.Node != NoNode || c.Msg == 0 || c.N != 2 || c.P != 0.2 {
						t.Fatalf("network choice %+v", c)
					}
				case "to", "wait":
					if c.Node < 0 || c.Msg != 0 || c.P != 0 {
						t.Fatalf("node choice %+v", c)
					}
				}
			}
			sends := strings.Count(want.String(), `"event":"send"`)
			if count[LabelLatency] != sends+int(res.Duplicated) || count[LabelLoss] != sends ||
				count[LabelDuplicate] != sends-int(res.Dropped) || count["to"] != 4*30 {
				t.Errorf("choices %v for %d sends, %d dropped, %d duplicated", count, sends, res.Dropped, res.Duplicated)
			}
		})
	}
}

// TestChooserAnswers: what a chooser answers is what happens: a latency
// answer a is the least latency plus a, loss 1 loses the message.
func TestChooserAnswers(t *testing.T) {
	lat := Latency{Distribution: Uniform, Min: time.Millisecond, Max: 3 * time.Millisecond}
	cfg := Config{Seed: 5, Latency: lat, Faults: Faults{Loss: 0.5}}
	cfg.Chooser = answerFunc(func(c Choice) int {
		switch c.Label {
		case LabelLatency:
			return int(c.Msg) // 1ms plus the message's ID in ns
		case LabelLoss:
			return int(c.Msg % 2) // lose the odd ones
		}
		return 0 // every node sends to n0, every 0.5ms
	})
	e := chatter(cfg, nil)
	sends := &rawSends{}
	e.Observe(sends)
	res, err := e.Run(never)
	if err != nil {
		t.Fatal(err)
	}
	if res.Dropped != 60 {
		t.Errorf("%d dropped, want the 60 odd ones of 120", res.Dropped)
	}
	if len(*sends) != 120 {
		t.Fatalf("%d sends, want 120", len(*sends))
	}
	for _, s := range *sends {
		// Every send leaves at a multiple of 0.5ms.
		if s.To != 0 || (s.Arrive-Time(time.Millisecond)-Time(s.ID))%Time(500*time.Microsecond) != 0 {
			t.Fatalf("send %+v: want to node 0, arriving 1ms + %dns after a multiple of 0.5ms", s, s.ID)
		}
	}
}

// rawSends records every send as the engine reports it.
type rawSends []Sent[tmsg]

func (l *rawSends) BeforeStep(Time, NodeID) {}

func (l *rawSends) AfterStep(s *tstep) { *l = append(*l, s.Sends...) }

// TestChooseDistinct: a chooser sees only the values left, and its
// answer a is the a-th of them; the seeded answer is the value the
// streams draw, whose rank the chooser would have had to give.
func TestChooseDistinct(t *testing.T) {
	var got [][]int
	pick := func(ch Chooser) []int {
		e := newEngine(Config{Seed: 3, Latency: fixed(0), Chooser: ch})
		var vals []int
		e.Add("x", stepFunc(func(env *tenv, in tinput) {
			for len(vals) < 4 {
				vals = append(vals, env.ChooseDistinct("pick", 6, vals))
			}
		}))
		if _, err := e.Run(never); err != nil {
			t.Fatal(err)
		}
		got = append(got, vals)
		return vals
	}
	var seen []int
	first := pick(answerFunc(func(c Choice) int { seen = append(seen, c.N); return 0 }))
	if !slices.Equal(first, []int{0, 1, 2, 3}) || !slices.Equal(seen, []int{6, 5, 4, 3}) {
		t.Errorf("always 0 picks %v from %v outcomes, want 0 1 2 3 from 6 5 4 3", first, seen)
	}
	if last := pick(answerFunc(func(c Choice) int { return c.N - 1 })); !slices.Equal(last, []int{5, 4, 3, 2}) {
		t.Errorf("always the last picks %v, want 5 4 3 2", last)
	}
	if s, n := pick(Seeded{}), pick(nil); !slices.Equal(s, n) {
		t.Errorf("Seeded picks %v, no chooser %v", s, n)
	}
}

// TestChooserOutOfRange: an answer outside [0, N) is the chooser's bug,
// and the engine says so rather than carry on with a choice that cannot be.
func TestChooserOutOfRange(t *testing.T) {
	e := newEngine(Config{Seed: 3, Latency: fixed(0), Chooser: answerFunc(func(c Choice) int { return c.N })})
	e.Add("x", stepFunc(func(env *tenv, in tinput) { env.Choose("coin", 2) }))
	defer func() {
		if r := fmt.Sprint(recover()); !strings.Contains(r, `chooser answered 2 to "coin" of node 0, which has outcomes 0 to 1`) {
			t.Errorf("panic %q", r)
		}
	}()
	e.Run(never)
}

package sim

import (
	"testing"
	"time"
)

// timerNode arms "a" at Start, then on each timer cancels what it armed
// and arms "b".
type timerNode struct{ armed TimerID }

func (n *timerNode) Step(env *Env[tmsg, tnote], in Input[tmsg]) {
	switch in.Kind {
	case Start:
		n.armed = env.After(time.Second, "a")
		env.Send(1, tmsg{})
	case Timer:
		env.Cancel(n.armed)
		n.armed = env.After(time.Second, "b")
	}
}

// TestStepper: a node stepped outside an engine asks for what it would ask
// of one; timers are named, with the same ID from every Stepper of the same
// names, and Cancel names the timer it cancels.
func TestStepper(t *testing.T) {
	st := NewStepper[tmsg, tnote]("b", "a")
	other := NewStepper[tmsg, tnote]("b", "a")
	var n timerNode
	st.Step(&n, 0, 0, Seeded{}, Input[tmsg]{Kind: Start})
	if got := st.Sends(); len(got) != 1 || got[0].To != 1 {
		t.Errorf("sends %v, want one to node 1", got)
	}
	if ops := st.Timers(); len(ops) != 1 || ops[0] != (TimerOp{Name: "a", After: time.Second}) {
		t.Errorf("timers %v, want a armed for 1s", ops)
	}
	// The other Stepper cancels "a" by the ID the first gave it.
	other.Step(&n, 0, 0, Seeded{}, Input[tmsg]{Kind: Timer, Timer: "a"})
	want := []TimerOp{{Name: "a", Cancel: true}, {Name: "b", After: time.Second}}
	if ops := other.Timers(); len(ops) != 2 || ops[0] != want[0] || ops[1] != want[1] {
		t.Errorf("timers %v, want %v", ops, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("a timer of an undeclared name did not panic")
		}
	}()
	NewStepper[tmsg, tnote]("b").Step(&n, 0, 0, Seeded{}, Input[tmsg]{Kind: Start})
}

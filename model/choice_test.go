package model_test

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// recorder answers every choice as the seeded streams do, and logs it.
type recorder struct {
	log    []sim.Choice
	labels map[string]int
}

func (r *recorder) Choose(c sim.Choice) int {
	a := sim.Seeded{}.Choose(c)
	r.log = append(r.log, c)
	if r.labels == nil {
		r.labels = map[string]int{}
	}
	r.labels[c.Label]++
	return a
}

// answer answers every choice with f(c), drawing nothing.
type answer func(c sim.Choice) int

func (f answer) Choose(c sim.Choice) int { return f(c) }

// choiceTrace runs cfg and returns its JSON Lines trace and report.
func choiceTrace(t *testing.T, cfg model.Config) (string, model.Report) {
	t.Helper()
	c := model.NewCluster(cfg)
	var b bytes.Buffer
	c.Engine().Observe(sim.NewJSONLWriter(&b, c.Engine()))
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), r
}

// everyChoice is a scenario in which every kind of choice comes up: sets
// and gets, random partners, a rumor's coin, loss and duplication.
const everyChoice = `
seed = 7
servers = 6
clients = 3
requests_per_client = 20
loss = 0.1
duplicate = 0.1
[sync]
strategy = "rumor-push"
fanout = 2
k = 2
coin = true
anti_entropy = "300ms"
`

// TestChoicesRecorded: a chooser that answers as the seeds do and logs
// every choice leaves the default scenario's schedule byte for byte as
// its golden file has it, and sees every kind of choice the model and the
// network make.
func TestChoicesRecorded(t *testing.T) {
	sc := *scenarios.Default()
	sc.Seed = 42
	cfg := sc.Config()
	rec := &recorder{}
	cfg.Chooser = rec
	got, r := choiceTrace(t, cfg)
	golden, err := os.ReadFile("../testdata/default-seed42.jsonl.golden")
	if err != nil {
		t.Fatal(err)
	}
	// The golden file is the CLI's output: a scenario line, the trace,
	// a summary line.
	lines := strings.SplitAfter(string(golden), "\n")
	if want := strings.Join(lines[1:len(lines)-2], ""); got != want {
		t.Fatalf("with a recording chooser the trace differs from the golden file (%d bytes, want %d)", len(got), len(want))
	}
	var sets, sent int64
	for _, k := range r.Sent {
		sent += k.Count
		if k.Kind == "set" {
			sets = k.Count
		}
	}
	want := map[string]int{model.ChoiceSet: sc.Clients * sc.RequestsPerClient, model.ChoiceValue: int(sets), sim.LabelLatency: int(sent)}
	if fmt.Sprint(rec.labels) != fmt.Sprint(want) {
		t.Errorf("choices by label %v, want %v", rec.labels, want)
	}
	for _, c := range rec.log {
		switch {
		case c.Label == sim.LabelLatency && (c.Node != sim.NoNode || c.Msg == 0 || c.N != int(9*1e6)+1):
			t.Fatalf("latency choice %+v: want the network's, about a message, of 9,000,001 outcomes (1ms to 10ms)", c)
		case c.Label == model.ChoiceSet && (c.Node < 3 || c.N != 2 || c.P != 0.5):
			t.Fatalf("set? choice %+v: want a client's, of 2 outcomes, P 0.5", c)
		case c.Label == model.ChoiceValue && c.N != 1000:
			t.Fatalf("value choice %+v: want 1000 outcomes", c)
		}
	}

	// Where every kind of choice comes up, the run is the same too.
	cfg = mustParse(t, "every.toml", everyChoice).Config()
	plain, _ := choiceTrace(t, cfg)
	rec = &recorder{}
	cfg.Chooser = rec
	if got, _ := choiceTrace(t, cfg); got != plain {
		t.Errorf("%s: a recording chooser changes the trace", "every.toml")
	}
	labels := []string{model.ChoiceSet, model.ChoiceValue, model.ChoicePartner, model.ChoiceCoin,
		sim.LabelLoss, sim.LabelDuplicate, sim.LabelLatency}
	for _, l := range labels {
		if rec.labels[l] == 0 {
			t.Errorf("no choice labelled %q in %v", l, rec.labels)
		}
	}
	if len(rec.labels) != len(labels) {
		t.Errorf("choices by label %v, want only %v", rec.labels, labels)
	}
	// Partners are distinct: the second of a round's two is one of the
	// 4 servers left.
	second := 0
	for _, c := range rec.log {
		if c.Label == model.ChoicePartner && (c.N < 4 || c.N > 5) {
			t.Fatalf("partner choice %+v: want 5 others, or 4 once one is picked", c)
		}
		if c.Label == model.ChoicePartner && c.N == 4 {
			second++
		}
	}
	if second == 0 {
		t.Errorf("no partner chosen among the 4 servers left after the first: partners are not distinct choices")
	}
}

// TestChooserChangesRun: a chooser that answers differently changes the
// run, deterministically, and the run stays one the checks accept. Always
// 0 means every request a get, every latency the least, every partner
// the first left; were partners drawn until distinct, it would never
// finish a round with fanout 2.
func TestChooserChangesRun(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    func(c sim.Choice) int
	}{
		{"first", func(sim.Choice) int { return 0 }},
		{"last", func(c sim.Choice) int { return c.N - 1 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, src := range []string{"", everyChoice} {
				sc := scenarios.Default()
				if src != "" {
					sc = mustParse(t, "every.toml", src)
				}
				cfg := sc.Config()
				plain, _ := choiceTrace(t, cfg)
				cfg.Chooser = answer(tt.f)
				a, r := choiceTrace(t, cfg)
				b, _ := choiceTrace(t, cfg)
				if a != b {
					t.Errorf("%s: two runs with the same chooser differ", sc.Name)
				}
				if a == plain {
					t.Errorf("%s: the chooser changed nothing", sc.Name)
				}
				// With loss (the last answer loses every message) the
				// clients time out and liveness may fail; the safety
				// checks must hold whatever the chooser says.
				for _, c := range r.Checks {
					if !c.Passed() && (src == "" || !slices.Contains([]string{"liveness", "converged-to-max"}, c.Name)) {
						t.Errorf("%s: check %s failed: %s", sc.Name, c.Name, c.First)
					}
				}
			}
		})
	}
}

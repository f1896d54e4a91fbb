package viz_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/sim"
	"eccounter/viz"
)

// config is a small run with every kind of fault: loss, duplication, a
// partition and a crash, so that every mark of the diagram appears.
func config(seed int64) model.Config {
	return model.Config{
		Seed: seed, Servers: 3, Clients: 2, Requests: 10, SetRatio: 0.6, MaxValue: 1000,
		SyncInterval: 50 * time.Millisecond, Assignment: model.RoundRobin,
		Latency:        sim.Latency{Distribution: sim.Uniform, Min: time.Millisecond, Max: 10 * time.Millisecond},
		MaxTime:        time.Hour,
		RequestTimeout: 100 * time.Millisecond,
		Faults: sim.Faults{
			Loss: 0.1, Duplicate: 0.2,
			Partitions: []sim.Partition{{At: sim.Time(20 * time.Millisecond), Heal: sim.Time(80 * time.Millisecond), Groups: [][]sim.NodeID{{0, 3}}}},
			Crashes:    []sim.Crash{{Node: 1, At: sim.Time(30 * time.Millisecond), Restart: sim.Time(60 * time.Millisecond)}},
			Until:      sim.Time(150 * time.Millisecond),
		},
	}
}

// record runs cfg with a recorder.
func record(t *testing.T, cfg model.Config) (*viz.Recorder, model.Report) {
	t.Helper()
	c := model.NewCluster(cfg)
	rec := viz.NewRecorder(c)
	c.Engine().Observe(rec)
	report, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	return rec, report
}

// wellFormed fails the test unless b parses as XML.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
	}
}

func draw(t *testing.T, rec *viz.Recorder, report model.Report, opts viz.DiagramOptions) (string, string) {
	t.Helper()
	var d, c bytes.Buffer
	if err := viz.Diagram(&d, rec, report, opts); err != nil {
		t.Fatal(err)
	}
	if err := viz.Chart(&c, rec, report); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, d.Bytes())
	wellFormed(t, c.Bytes())
	return d.String(), c.String()
}

func TestRecorder(t *testing.T) {
	rec, report := record(t, config(1))
	var sent int64
	for _, k := range report.Sent {
		sent += k.Count
	}
	if int64(len(rec.Messages)) != sent {
		t.Fatalf("recorded %d messages, the run sent %d", len(rec.Messages), sent)
	}
	var arrivals, drops, dups int64
	for i, m := range rec.Messages {
		if m.ID != sim.MsgID(i+1) {
			t.Fatalf("Messages[%d] has ID %d", i, m.ID)
		}
		if len(m.Arrivals) > 1 {
			dups++
		}
		for _, a := range m.Arrivals {
			arrivals++
			if a.Reason != "" {
				drops++
			}
			if a.At < m.Sent {
				t.Errorf("message %d arrived at %v, before it was sent at %v", m.ID, a.At, m.Sent)
			}
		}
	}
	if drops != report.Dropped {
		t.Errorf("recorded %d drops, the run dropped %d", drops, report.Dropped)
	}
	if dups == 0 || drops == 0 {
		t.Errorf("want duplicates and drops in this run, got %d and %d", dups, drops)
	}
	if len(rec.Outages) != 1 || !rec.Outages[0].HasRestart || rec.Outages[0].Restart != sim.Time(60*time.Millisecond) {
		t.Errorf("outages: %+v, want server-2 down 30ms-60ms", rec.Outages)
	}
	if len(rec.Cuts) != 1 || !rec.Cuts[0].Healed || rec.Cuts[0].Heal != sim.Time(80*time.Millisecond) {
		t.Errorf("cuts: %+v, want one partition 20ms-80ms", rec.Cuts)
	}
	// The changes replay to the final values.
	final := make([]int64, rec.Servers())
	for _, c := range rec.Changes {
		if final[c.Node] != c.Prev {
			t.Errorf("change %+v: server held %d", c, final[c.Node])
		}
		final[c.Node] = c.Value
	}
	for i, v := range report.Values {
		if final[i] != v {
			t.Errorf("server-%d: changes end at %d, the report says %d", i+1, final[i], v)
		}
	}

	d, c := draw(t, rec, report, viz.DiagramOptions{})
	for _, want := range []string{`class="crash"`, `class="restart"`, `class="msg drop"`, ` dup<`, `class="partition"`, "partition 1: {server-1, client-1} | {everyone else}", "faults end", "→ "} {
		if !strings.Contains(d, want) {
			t.Errorf("diagram lacks %q", want)
		}
	}
	for _, want := range []string{"server-3", "last accepted set", "converged on", `data-t0="0" data-t1="`, `data-p0="70.0" data-p1="620.0"`} {
		if !strings.Contains(c, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	rec1, r1 := record(t, config(7))
	rec2, r2 := record(t, config(7))
	d1, c1 := draw(t, rec1, r1, viz.DiagramOptions{})
	d2, c2 := draw(t, rec2, r2, viz.DiagramOptions{})
	if d1 != d2 || c1 != c2 {
		t.Error("the same seed drew different pictures")
	}
}

func TestDiagramSaysWhatItLeavesOut(t *testing.T) {
	rec, report := record(t, config(1))
	all, _ := draw(t, rec, report, viz.DiagramOptions{})
	n := len(rec.Messages)
	if want := "showing " + itoa(n) + " of " + itoa(n) + " messages<"; !strings.Contains(all, want) {
		t.Errorf("full diagram's caption lacks %q", want)
	}
	d, _ := draw(t, rec, report, viz.DiagramOptions{
		Nodes: []string{"client-1", "server-1"}, From: sim.Time(10 * time.Millisecond), To: sim.Time(100 * time.Millisecond), MaxMessages: 3,
	})
	for _, want := range []string{"showing 3 of " + itoa(n) + " messages", "3 nodes hidden", "window 10ms-100ms", "the first 3 only"} {
		if !strings.Contains(d, want) {
			t.Errorf("filtered diagram's caption lacks %q", want)
		}
	}
	if strings.Contains(d, ">client-2<") || strings.Contains(d, ">server-3<") {
		t.Error("a hidden node has a lane")
	}
	if err := viz.Diagram(io.Discard, rec, report, viz.DiagramOptions{Nodes: []string{"server-9"}}); err == nil ||
		!strings.Contains(err.Error(), `no node named "server-9" (nodes are server-1..server-3 and client-1..client-2)`) {
		t.Errorf("unknown node: got error %v", err)
	}
}

func itoa(n int) string {
	var b []byte
	for ; n > 0 || len(b) == 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestKeepDrawsTheSame: a recorder told what the diagram will show keeps
// less, yet draws the very same diagram, caption included.
func TestKeepDrawsTheSame(t *testing.T) {
	for _, opts := range []viz.DiagramOptions{
		{},
		{Nodes: []string{"server-2", "client-2"}},
		{From: sim.Time(40 * time.Millisecond), To: sim.Time(120 * time.Millisecond)},
		{Nodes: []string{"server-1", "client-1"}, From: sim.Time(10 * time.Millisecond), To: sim.Time(200 * time.Millisecond), MaxMessages: 5},
	} {
		all, report := record(t, config(3))
		c := model.NewCluster(config(3))
		some := viz.NewRecorder(c)
		if err := some.Keep(opts); err != nil {
			t.Fatal(err)
		}
		c.Engine().Observe(some)
		if _, err := c.Run(); err != nil {
			t.Fatal(err)
		}
		if len(some.Messages) > len(all.Messages) || (opts.Nodes != nil && len(some.Messages) == len(all.Messages)) {
			t.Errorf("%+v: kept %d of %d messages", opts, len(some.Messages), len(all.Messages))
		}
		d1, _ := draw(t, all, report, opts)
		d2, _ := draw(t, some, report, opts)
		if d1 != d2 {
			t.Errorf("%+v: the diagram differs when the recorder keeps only what it shows", opts)
		}
	}
}

// lostInterest collects the LostInterest notes of a run, as a check on
// what the recorder keeps of them.
type lostInterest []viz.Removal

func (l *lostInterest) BeforeStep(sim.Time, sim.NodeID) {}

func (l *lostInterest) AfterStep(s *model.Step) {
	for _, n := range s.Notes {
		if n.Kind == model.LostInterest {
			*l = append(*l, viz.Removal{At: s.Time, Node: s.Node, Value: n.Value})
		}
	}
}

// TestRemovals: the recorder keeps every time a rumor-mongering server
// lost interest, and the diagram draws a ring for each on the server's
// lane, says what the ring means, and draws none of it for a strategy
// without rumors.
func TestRemovals(t *testing.T) {
	cfg := config(3)
	cfg.Faults = sim.Faults{}
	cfg.Servers, cfg.Clients, cfg.Requests = 8, 3, 15
	cfg.Strategy, cfg.Fanout, cfg.Rumor = model.StrategyRumorPush, 1, model.Rumor{K: 2}
	c := model.NewCluster(cfg)
	rec := viz.NewRecorder(c)
	var want lostInterest
	c.Engine().Observe(rec)
	c.Engine().Observe(&want)
	report, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 2 {
		t.Fatalf("only %d servers lost interest; the test needs more", len(want))
	}
	if !slices.Equal(rec.Removals, []viz.Removal(want)) {
		t.Errorf("recorded removals\n%v\nwant\n%v", rec.Removals, want)
	}
	d, _ := draw(t, rec, report, viz.DiagramOptions{})
	if got := strings.Count(d, `<g class="removed">`); got != len(want) {
		t.Errorf("the diagram draws %d removals, want %d", got, len(want))
	}
	for _, r := range want {
		title := fmt.Sprintf("server-%d lost interest in %d at %v", r.Node+1, r.Value, r.At)
		if !strings.Contains(d, title) {
			t.Errorf("the diagram lacks the title %q", title)
		}
	}
	if !strings.Contains(d, "○ removed: lost interest in its rumor") {
		t.Error("the diagram's legend does not say what a ring is")
	}

	cfg.Strategy = model.StrategyPushPull
	rec, report = record(t, cfg)
	if d, _ := draw(t, rec, report, viz.DiagramOptions{}); len(rec.Removals) > 0 || strings.Contains(d, "removed") {
		t.Errorf("push-pull: %d removals recorded, and the diagram mentions removals: %t", len(rec.Removals), strings.Contains(d, "removed"))
	}
}

// TestLookup: Lookup returns the nodes in the order the names are given,
// a name given twice twice, and names the first unknown one. It takes one
// pass over the nodes for all the names: -nodes listing 9,000 clients of a
// million took 80 s when each name was searched for in turn.
func TestLookup(t *testing.T) {
	cfg := config(1)
	cfg.Clients, cfg.Requests = 5000, 0
	rec := viz.NewRecorder(model.NewCluster(cfg))
	var names []string
	var want []sim.NodeID
	for id := len(rec.Names()) - 1; id >= 0; id -= 2 {
		names = append(names, rec.Names()[id])
		want = append(want, sim.NodeID(id))
	}
	names, want = append(names, "server-1"), append(want, 0)
	got, err := rec.Lookup(names)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Lookup of %d names: got %v..., want %v...", len(names), got[:5], want[:5])
	}
	_, err = rec.Lookup([]string{"server-2", "client-9999", "server-9"})
	if err == nil || !strings.Contains(err.Error(), `no node named "client-9999"`) {
		t.Errorf("Lookup with unknown names: %v, want the first named", err)
	}
	long := strings.Repeat("n", 1<<20)
	if _, err = rec.Lookup([]string{long}); err == nil {
		t.Error("Lookup of a 1 MiB name: no error")
	} else if len(err.Error()) > 300 {
		t.Errorf("Lookup of a 1 MiB name: error of %d bytes, want it short", len(err.Error()))
	}
}

// TestDiagramEscapesNames: the diagram writes its arrows' titles without
// escaping when the names need none, as every name the simulator gives
// does; a name that needs it is escaped all the same. The names are
// changed behind the recorder's back, since no run gives such a name.
func TestDiagramEscapesNames(t *testing.T) {
	rec, report := record(t, config(1))
	names := rec.Names()
	names[0], names[1] = `a<b&"c'`, "d>e\te"
	var b bytes.Buffer
	if err := viz.Diagram(&b, rec, report, viz.DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b.Bytes())
	d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	var titles []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "title" {
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatal(err)
			}
			titles = append(titles, s)
		}
	}
	from, to := 0, 0
	for _, s := range titles {
		if strings.HasPrefix(s, names[0]+" → ") {
			from++
		}
		if strings.Contains(s, " → "+names[1]+": ") {
			to++
		}
	}
	if from == 0 || to == 0 {
		t.Errorf("%d titles of messages from %q, %d to %q; want some of each among %d titles", from, names[0], to, names[1], len(titles))
	}
}

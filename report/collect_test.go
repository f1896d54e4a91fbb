package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"testing"

	"eccounter/model"
	"eccounter/report"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/viz"
)

// fates records, apart from the collector, how each message first left
// the network: when, and "recv" or the reason of its drop.
type fates struct {
	first map[sim.MsgID]fate
	drops map[string]int
}

type fate struct {
	at   sim.Time
	what string
}

func (f *fates) BeforeStep(sim.Time, sim.NodeID) {}

func (f *fates) AfterStep(s *model.Step) {
	if s.In.Kind != sim.Deliver && s.In.Kind != sim.Drop {
		return
	}
	what := "recv"
	if s.In.Kind == sim.Drop {
		what = s.Reason
		f.drops[what]++
	}
	if _, ok := f.first[s.In.ID]; !ok {
		f.first[s.In.ID] = fate{s.Time, what}
	}
}

// TestPageRecordsFates: the page's data gives every message the time it
// first arrived or was dropped, and why it was dropped, in a run that
// drops messages for each of the three reasons (loss, a partition, a
// crashed receiver) and duplicates some, whose second copy must not
// overwrite the first; and the schedule rows say why each was dropped.
func TestPageRecordsFates(t *testing.T) {
	sc, err := scenarios.Parse("fates.toml", []byte(`
seed = 5
servers = 3
clients = 4
requests_per_client = 30
sync_interval = "50ms"
request_timeout = "100ms"
loss = 0.1
duplicate = 0.2
[[partition]]
at = "100ms"
heal = "300ms"
groups = [["server-1", "client-1", "client-4"]]
[[crash]]
node = "server-2"
at = "350ms"
restart = "500ms"
`))
	if err != nil {
		t.Fatal(err)
	}
	c := model.NewCluster(sc.Config())
	col := report.NewCollector(c)
	c.Engine().Observe(col)
	rec := viz.NewRecorder(c)
	c.Engine().Observe(rec)
	f := &fates{first: map[sim.MsgID]fate{}, drops: map[string]int{}}
	c.Engine().Observe(f)
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	for _, why := range []string{sim.DropLoss, sim.DropPartition, sim.DropDown} {
		if f.drops[why] == 0 {
			t.Fatalf("no message dropped for %s: the case no longer tests it", why)
		}
	}
	if r.Duplicated == 0 {
		t.Fatal("no message duplicated: the case no longer tests it")
	}
	var b bytes.Buffer
	if err := report.Write(&b, col, rec, &r, report.Page{Name: "fates.toml", Scenario: string(sc.TOML())}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	const open = `<script id="data" type="application/json">`
	i := strings.Index(page, open)
	j := strings.Index(page[i:], "</script>")
	if i < 0 || j < 0 {
		t.Fatal("the page has no data")
	}
	var d struct {
		Messages []struct {
			From, To, What, Fate string
			Sent, Done           int64
		}
	}
	if err := json.Unmarshal([]byte(page[i+len(open):i+j]), &d); err != nil {
		t.Fatal(err)
	}
	// Message IDs count from 1 in the order of sending, and the page
	// keeps every message of this run in that order.
	if len(d.Messages) != len(f.first) {
		t.Fatalf("the page has %d messages, the run delivered or dropped %d", len(d.Messages), len(f.first))
	}
	seen := map[string]int{}
	for k, m := range d.Messages {
		want, ok := f.first[sim.MsgID(k+1)]
		if !ok {
			t.Fatalf("message %d never left the network", k+1)
		}
		if m.Done != int64(want.at) || m.Fate != want.what {
			t.Errorf("message %d (%s, %s to %s): done %v, fate %q; want %v, %q", k+1, m.What, m.From, m.To, sim.Time(m.Done), m.Fate, want.at, want.what)
		}
		seen[m.Fate]++
	}
	for _, why := range []string{"recv", sim.DropLoss, sim.DropPartition, sim.DropDown} {
		if seen[why] == 0 {
			t.Errorf("no message in the page's data has fate %q", why)
		}
	}
	rows := html.UnescapeString(page[strings.Index(page, "<tr data-t="):])
	for _, why := range []string{sim.DropLoss, sim.DropPartition, sim.DropDown} {
		if n := strings.Count(rows, fmt.Sprintf(" (%s)</td>", why)); n != f.drops[why] {
			t.Errorf("the schedule rows show %d drops for %s, the run had %d", n, why, f.drops[why])
		}
	}
}

package report_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"eccounter/internal/browsertest"
	"eccounter/model"
	"eccounter/report"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/viz"
)

// page renders the report of a scenario file ("" for the default), with
// the pictures viz draws of it unless chart is given; obs also observe the
// run.
func page(t *testing.T, path string, diagram, chart []byte, obs ...sim.Observer[model.Msg, model.Note]) []byte {
	t.Helper()
	sc := scenarios.Default()
	if path != "" {
		var err error
		if sc, err = scenarios.Load(path); err != nil {
			t.Fatal(err)
		}
	}
	c := model.NewCluster(sc.Config())
	col := report.NewCollector(c)
	c.Engine().Observe(col)
	rec := viz.NewRecorder(c)
	c.Engine().Observe(rec)
	for _, o := range obs {
		c.Engine().Observe(o)
	}
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	if chart == nil {
		var d, ch bytes.Buffer
		if err := viz.Diagram(&d, rec, r, viz.DiagramOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := viz.Chart(&ch, rec, r); err != nil {
			t.Fatal(err)
		}
		diagram, chart = d.Bytes(), ch.Bytes()
	}
	var b bytes.Buffer
	err = report.Write(&b, col, rec, &r, report.Page{Name: sc.Name, Replay: "eccounter-sim -seed 1", Scenario: string(sc.TOML()),
		Diagram: diagram, Chart: chart})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A picture that marks time, as the page expects: 0 to 2s across 0 to
// 400 pixels.
var testChart = []byte(`<svg xmlns="http://www.w3.org/2000/svg" id="test-chart" width="400" height="100" viewBox="0 0 400 100" data-t0="0" data-t1="2000000000" data-p0="0" data-p1="400"><rect width="400" height="100" fill="#eef"/></svg>`)

// TestPageSelfContained: the page fetches nothing, holds the run, and is
// deterministic.
func TestPageSelfContained(t *testing.T) {
	a := page(t, "", nil, testChart)
	if !bytes.Equal(a, page(t, "", nil, testChart)) {
		t.Error("two pages of the same run differ")
	}
	for _, fetch := range []string{"http://", "https://", "src=", "@import", "url("} {
		if bytes.Contains(a, []byte(fetch)) && fetch != "http://" {
			t.Errorf("the page contains %q: it must fetch nothing", fetch)
		}
	}
	// The only http:// allowed is the SVG namespace, which is a name, not
	// a fetch.
	if n, ns := bytes.Count(a, []byte("http://")), bytes.Count(a, []byte(`xmlns="http://www.w3.org/2000/svg"`)); n != ns {
		t.Errorf("the page names %d http:// addresses besides SVG namespaces", n-ns)
	}
	for _, want := range []string{"server-1", "set-accepted-iff-larger", "requests_per_client = 100", `id="t"`} {
		if !bytes.Contains(a, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if err := xml.Unmarshal(testChart, new(struct{})); err != nil {
		t.Fatal(err)
	}
}

// TestPageInBrowser loads the default scenario's page in headless
// Chromium: no console errors, the diagram and the chart are there, and
// moving the scrubber changes the state shown and moves the markers on
// both. Then it drives every control that chooses the instant (see
// stepThrough). It saves a screenshot, taken before, as an artifact:
// $ECCOUNTER_ARTIFACTS/report.png, or in the test's temporary directory.
// README's picture is that screenshot:
//
//	ECCOUNTER_ARTIFACTS=$PWD/docs go test ./report -run TestPageInBrowser -count=1
func TestPageInBrowser(t *testing.T) {
	b := newBrowser(t)
	ctx, must, text := b.ctx, b.must, b.text
	in := &instants{final: map[sim.NodeID]int64{}}
	html := page(t, "", nil, nil, in)
	b.open(html, "report.html", "")
	pictures, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#diagram svg, #chart svg").length`))
	must(err)
	markerAt := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const m = document.querySelector("#`+id+` .marker");
			return m ? m.style.top + " " + m.style.left : ""; })()`))
		must(err)
		return s
	}
	before := text("#state tbody")
	diagramBefore, chartBefore := markerAt("diagram"), markerAt("chart")
	// Move the scrubber to 600ms, as a user dragging it would.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById("t"); s.value = "600000000";
		s.dispatchEvent(new Event("input")); return true; })()`))
	must(err)
	must(chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)))
	after := text("#state tbody")
	diagramAfter, chartAfter := markerAt("diagram"), markerAt("chart")
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(err)
	b.noProblems()
	if pictures != 2 {
		t.Errorf("%d pictures on the page, want the diagram and the chart", pictures)
	}
	if before == after || !strings.Contains(after, "server-1") {
		t.Errorf("moving the scrubber did not change the state shown:\nbefore: %q\nafter:  %q", before, after)
	}
	if diagramBefore == "" || chartBefore == "" || diagramAfter == diagramBefore || chartAfter == chartBefore {
		t.Errorf("the markers did not move with the scrubber: diagram %q -> %q, chart %q -> %q",
			diagramBefore, diagramAfter, chartBefore, chartAfter)
	}
	b.save("report.png", shot)
	b.stepThrough(html, in)
}

// instants records, apart from the page, when each step happened (one
// line of the schedule each) and each server's last change of value.
type instants struct {
	steps []sim.Time
	last  sim.Time
	final map[sim.NodeID]int64
}

func (in *instants) BeforeStep(sim.Time, sim.NodeID) {}

func (in *instants) AfterStep(s *model.Step) {
	in.steps = append(in.steps, s.Time)
	for _, n := range s.Notes {
		if n.Kind == model.Update {
			in.last, in.final[s.Node] = s.Time, n.Value
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// exact renders t as the page shows its instant: to the nanosecond.
func exact(t sim.Time) string { return fmt.Sprintf("%d.%06dms", t/1e6, t%1e6) }

// serverValues reads the values the state panel shows: server -> value.
func serverValues(state string) map[string]string {
	v := map[string]string{}
	for _, line := range strings.Split(state, "\n") {
		if f := strings.Split(line, "\t"); len(f) >= 2 && strings.HasPrefix(f[0], "server-") {
			v[f[0]] = f[1]
		}
	}
	return v
}

// stepThrough drives the controls that choose the instant on the page of
// the default scenario, html, whose run in observed: previous and next
// (buttons and keys), typing an instant, a bad one, a click on a line of
// the schedule, the address, and the diagram following the marker.
func (b *browser) stepThrough(html []byte, in *instants) {
	t, ctx, must, text := b.t, b.ctx, b.must, b.text
	do := func(actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		must(chromedp.Do(ctx, actions...))
	}
	typeIn := func(s string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("at").value = ""`))
		must(err)
		do(chromedp.SendKeys(chromedp.CSS("#at"), s+kb.Enter))
	}
	want := func(how string, at sim.Time) {
		t.Helper()
		if got := text("#now"); got != exact(at) {
			t.Errorf("%s: the page shows the instant %s, want %s", how, got, exact(at))
		}
	}
	allFinal := func() bool {
		t.Helper()
		v := serverValues(text("#state tbody"))
		for id, final := range in.final {
			if v[fmt.Sprintf("server-%d", id+1)] != fmt.Sprint(final) {
				return false
			}
		}
		return len(v) == len(in.final)
	}
	var events []sim.Time // distinct instants of steps
	for _, s := range in.steps {
		if len(events) == 0 || events[len(events)-1] != s {
			events = append(events, s)
		}
	}
	if len(events) < 4 || events[0] != 0 {
		t.Fatalf("the run's first events are %v: the case no longer tests stepping", events)
	}

	typeIn("0")
	want("typed 0", 0)
	do(chromedp.Click(chromedp.CSS("#next")))
	want("next from 0", events[1])
	do(chromedp.KeyEvent(kb.ArrowRight)) // the focus is on the button
	want("the right arrow", events[2])
	do(chromedp.KeyEvent("."))
	want(`"."`, events[3])
	do(chromedp.KeyEvent(","))
	want(`","`, events[2])
	do(chromedp.Click(chromedp.CSS("#prev")))
	want("prev", events[1])
	do(chromedp.KeyEvent(kb.ArrowLeft))
	want("the left arrow", events[0])

	// The converging event: the schedule writes its instant to the
	// microsecond, which is before it; stepping lands on it exactly.
	last := in.last
	if last%1000 == 0 {
		t.Fatalf("the last change is at %v, a whole microsecond: the case no longer tests exactness", last)
	}
	typeIn(last.String())
	if allFinal() {
		t.Errorf("at %s, before the last change at %s, every server already shows its final value", last, exact(last))
	}
	if msg := text("#msg"); !strings.Contains(msg, "is the event at "+exact(last)+", just after this instant") {
		t.Errorf("typing the schedule's %s says %q, want a hint that the event is just after", last, msg)
	}
	do(chromedp.KeyEvent(".")) // as the hint says: Enter left the box
	want(`"." to the last change`, last)
	if !allFinal() {
		t.Errorf("at the last change, %s, the state panel shows %q, want every server at its final value %v", exact(last), text("#state tbody"), in.final)
	}
	typeIn(fmt.Sprintf("%dns", last-1))
	want("typed ns", last-1)
	if allFinal() {
		t.Errorf("1ns before the last change every server already shows its final value")
	}
	typeIn(fmt.Sprintf("%dns", last))
	if !allFinal() {
		t.Errorf("typed %dns, the last change: the state panel shows %q", last, text("#state tbody"))
	}
	typeIn("0.4s")
	want("typed 0.4s", 400_000_000)

	// Bad entries say why and leave the instant as it was.
	for entry, why := range map[string]string{"12 parsecs": "is not an instant", "400": "needs a unit", "1.5ns": "finer than a nanosecond"} {
		typeIn(entry)
		want("typed "+entry, 400_000_000)
		if msg := text("#msg"); !strings.Contains(msg, why) {
			t.Errorf("typed %q: the page says %q, want %q", entry, msg, why)
		}
	}

	// A click on a line of the schedule goes to its moment, which the
	// address then holds.
	k := len(in.steps) / 3
	do(chromedp.Click(chromedp.CSS(fmt.Sprintf("#schedule tbody tr:nth-child(%d) td:nth-child(3)", k+1))))
	want(fmt.Sprintf("a click on line %d", k+1), in.steps[k])
	greyed := func(at sim.Time) {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[[2]int](`[document.querySelectorAll("#schedule tr.future").length,
			document.querySelectorAll("#schedule tr.now").length]`))
		must(err)
		var later, now int
		for _, s := range in.steps {
			later += b2i(s > at)
			now += b2i(s == at)
		}
		if n != [2]int{later, now} {
			t.Errorf("at %s the schedule greys %d lines and marks %d as now, want %d and %d", exact(at), n[0], n[1], later, now)
		}
	}
	greyed(in.steps[k])
	do(chromedp.Sleep(400 * time.Millisecond))
	hash, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash`))
	must(err)
	if want := fmt.Sprintf("#t=%d", in.steps[k]); hash != want {
		t.Errorf("the address ends in %q, want %q", hash, want)
	}

	// The diagram, taller than its box, scrolls to keep the marker in view.
	type view struct{ Top, Height, Marker float64 }
	diagram := func() view {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[view](`(() => { const b = document.getElementById("diagram");
			return {Top: b.scrollTop, Height: b.clientHeight, Marker: parseFloat(b.querySelector(".marker").style.top)}; })()`))
		must(err)
		return v
	}
	before := diagram()
	typeIn("900ms")
	after := diagram()
	greyed(900_000_000)
	if after.Top == before.Top {
		t.Errorf("going to 900ms left the diagram scrolled at %v", after.Top)
	}
	for _, v := range []view{before, after} {
		if v.Marker < v.Top || v.Marker > v.Top+v.Height {
			t.Errorf("the marker, at %vpx, is out of the diagram's view (%v to %v)", v.Marker, v.Top, v.Top+v.Height)
		}
	}

	// A link to an instant shows it; a bad one is ignored, with a message.
	b.open(html, "report.html", fmt.Sprintf("#t=%d", last))
	want("loaded with #t", last)
	if !allFinal() {
		t.Errorf("loaded at the last change: the state panel shows %q", text("#state tbody"))
	}
	for _, bad := range []string{"#t=banana", "#t=-5", "#t=%E0%A4%A"} {
		b.open(html, "report.html", bad)
		want("loaded with "+bad, 0)
		if msg := text("#msg"); !strings.Contains(msg, "#t= was ignored") {
			t.Errorf("loaded with %s: the page says %q", bad, msg)
		}
	}
	b.noProblems()
}

// drops records, apart from the page, when each message was sent and the
// first message a partition dropped.
type drops struct {
	sent      map[sim.MsgID]sim.Time
	first     sim.MsgID
	firstSent sim.Time
}

func (d *drops) BeforeStep(sim.Time, sim.NodeID) {}

func (d *drops) AfterStep(s *model.Step) {
	for _, m := range s.Sends {
		d.sent[m.ID] = s.Time
	}
	if s.In.Kind == sim.Drop && s.Reason == sim.DropPartition && d.first == 0 {
		d.first, d.firstSent = s.In.ID, d.sent[s.In.ID]
	}
}

// TestPageInBrowserFaults: the state panel shows the partitions and crashes
// in force at the instant, and marks the messages in flight that a fault
// will drop. It saves a screenshot, step.png, as TestPageInBrowser does.
func TestPageInBrowserFaults(t *testing.T) {
	b := newBrowser(t)
	d := &drops{sent: map[sim.MsgID]sim.Time{}}
	html := page(t, "../scenarios/partition.toml", nil, nil, d)
	if d.first == 0 {
		t.Fatal("the partition drops no message: the case no longer tests it")
	}
	b.open(html, "partition.html", fmt.Sprintf("#t=%d", d.firstSent))
	if got := b.text("#now"); got != exact(d.firstSent) {
		t.Errorf("the page shows %s, want %s", got, exact(d.firstSent))
	}
	const cut = "partition 1 in force (since 20.000ms, heals at 400.000ms): {server-1, client-1, client-4} | {everyone else}"
	if got := b.text("#faults"); got != cut {
		t.Errorf("at %s the faults shown are %q, want %q", exact(d.firstSent), got, cut)
	}
	if got := b.text("#inflight"); !strings.Contains(got, "will be dropped: partition") {
		t.Errorf("at %s no message in flight is marked as to be dropped:\n%s", exact(d.firstSent), got)
	}
	if got := b.text("#inflight-head"); !strings.Contains(got, "of them to be dropped") {
		t.Errorf("the head of the messages in flight says %q", got)
	}
	shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	b.must(err)
	b.save("step.png", shot)
	b.must(chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS("#at"), "10ms"+kb.Enter)))
	if got := b.text("#faults"); got != "No fault in force." {
		t.Errorf("at 10ms, before the partition, the faults shown are %q", got)
	}

	b.open(page(t, "../scenarios/crash.toml", nil, nil), "crash.html", "#t=160000000")
	if got, want := b.text("#faults"), "server-2 crashed at 150.000ms (not durable), restarts at 200.000ms"; !strings.Contains(got, want) {
		t.Errorf("at 160ms the faults shown are %q, want %q", got, want)
	}
	if got := b.text("#state tbody"); !regexp.MustCompile(`(?m)^server-2\t\d+\tcrashed$`).MatchString(got) {
		t.Errorf("at 160ms the state panel shows %q, want server-2 crashed", got)
	}
	b.noProblems()
}

// browser is a headless Chromium that a test drives; newBrowser skips the
// test if there is none.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string
	tab *browsertest.Tab
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	tab := browsertest.NewTab(t, browsertest.Start(t, 60*time.Second))
	return &browser{t: t, ctx: tab.Ctx, dir: t.TempDir(), tab: tab}
}

func (b *browser) must(err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
}

// text is what the page shows in the element sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	b.must(err)
	return s
}

// open loads html, saved as name, with an address ending in fragment
// ("#t=..."), afresh: from a blank page, so that the page reads its
// address as it loads rather than as a change.
func (b *browser) open(html []byte, name, fragment string) {
	b.t.Helper()
	file := filepath.Join(b.dir, name)
	b.must(os.WriteFile(file, html, 0o644))
	b.must(chromedp.Do(b.ctx, chromedp.Navigate("about:blank"), chromedp.Navigate("file://"+file+fragment),
		chromedp.WaitVisible(chromedp.CSS("#state tbody tr"))))
}

func (b *browser) noProblems() {
	b.t.Helper()
	if problems := b.tab.Problems(); len(problems) > 0 {
		b.t.Errorf("the page logged problems: %v", problems)
	}
}

// save keeps a screenshot as an artifact: in $ECCOUNTER_ARTIFACTS, or in
// the test's temporary directory.
func (b *browser) save(name string, shot []byte) {
	art := os.Getenv("ECCOUNTER_ARTIFACTS")
	if art == "" {
		art = b.dir
	}
	if err := os.MkdirAll(art, 0o755); err == nil {
		path := filepath.Join(art, name)
		if err := os.WriteFile(path, shot, 0o644); err == nil {
			b.t.Logf("screenshot: %s", path)
		}
	}
}

// TestPageShowsAnomalies: a run whose checks break in ways a crash explains
// shows each such check as an anomaly, in amber with what explains it,
// never as a pass, and the verdict says so.
func TestPageShowsAnomalies(t *testing.T) {
	html := string(page(t, "../scenarios/crash.toml", nil, nil))
	for _, want := range []string{
		`<span class="anomaly">7 passed, 3 anomalies (explained, so not failures)</span>`,
		`<td class="anomaly">anomaly</td><td class="mono">converged-to-max</td>`,
		`<td class="anomaly">anomaly</td><td class="mono">acknowledged-sets-kept</td>`,
		`<br><span class="anomaly">at 1210.831ms: the accepted set 986 was lost: server-2 lost 986`,
		`.anomaly { color: #a15c00;`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the crash report lacks %q", want)
		}
	}
	if strings.Contains(html, `<td class="pass">pass</td><td class="mono">converged-to-max</td>`) {
		t.Error("the crash report shows converged-to-max as a pass")
	}
}

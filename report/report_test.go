package report_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"eccounter/model"
	"eccounter/report"
	"eccounter/scenarios"
	"eccounter/viz"
)

// page renders the report of a scenario file ("" for the default), with
// the pictures viz draws of it unless chart is given.
func page(t *testing.T, path string, diagram, chart []byte) []byte {
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
// both. It saves a screenshot as an artifact:
// $ECCOUNTER_ARTIFACTS/report.png, or in the test's temporary directory.
// README's picture is that screenshot:
//
//	ECCOUNTER_ARTIFACTS=$PWD/docs go test ./report -run TestPageInBrowser -count=1
func TestPageInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed; .ci/run installs it (apt-get install chromium)")
	}
	html := page(t, "", nil, nil)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, html, 0o644); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1280, 1600),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	var problems []string // written only by the listener, read after the run
	err = chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, "console "+string(ev.Type))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must(err)
		return s
	}
	must(chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.CSS("#state tbody tr"))))
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
	if len(problems) > 0 {
		t.Errorf("the page logged problems: %v", problems)
	}
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
	art := os.Getenv("ECCOUNTER_ARTIFACTS")
	if art == "" {
		art = dir
	}
	if err := os.MkdirAll(art, 0o755); err == nil {
		path := filepath.Join(art, "report.png")
		if err := os.WriteFile(path, shot, 0o644); err == nil {
			t.Logf("screenshot: %s", path)
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

package report

import (
	"encoding/json"
	"html/template"
	"math"
	"slices"
	"strings"
	"testing"

	"eccounter/internal/textdiff"
	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/viz"
)

// rangeSchedule is how the page's template wrote the schedule before
// schedule did, in the same context (a table's body).
var rangeSchedule = template.Must(template.New("rows").Parse(`<div id="schedule"><table><tbody>
{{range .}}<tr data-t="{{.T}}" data-node="{{.Node}}"><td class="mono">{{.Time}}</td><td class="mono">{{.Node}}</td><td class="mono">{{.Text}}</td></tr>
{{end}}</tbody></table></div>`))

type rangeRow struct {
	T                int64
	Time, Node, Text string
}

// byTemplate renders rows as the template's range did.
func byTemplate(t *testing.T, rows []row) string {
	t.Helper()
	var in []rangeRow
	for _, r := range rows {
		in = append(in, rangeRow{int64(r.t), r.t.String(), r.node, r.text})
	}
	var b strings.Builder
	if err := rangeSchedule.Execute(&b, in); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	s = strings.TrimPrefix(s, "<div id=\"schedule\"><table><tbody>\n")
	return strings.TrimSuffix(s, "</tbody></table></div>")
}

// hostile holds every byte and the characters an escaper might get
// wrong: quotes, markup, a plus, NUL, invalid UTF-8, the replacement
// character, noncharacters, line separators and an emoji.
func hostile() []string {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	return []string{
		string(all), `a"b'c+d<e>f&g`, "nul\x00here", "bad \xff\xfe utf-8 \xe2\x82", "\ufffd \ufdd0 \ufdef \ufff0 \uffff",
		"\u2028\u2029 \U0001F600 é", "</script><!-- {{.}} -->", "&amp; &#34; &lt;", "", " ",
	}
}

// observedDefault runs the default scenario observed for its page.
func observedDefault(t *testing.T) (*Collector, *viz.Recorder, model.Report) {
	t.Helper()
	c := model.NewCluster(scenarios.Default().Config())
	k := NewCollector(c)
	rec := viz.NewRecorder(c)
	c.Engine().Observe(k)
	c.Engine().Observe(rec)
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	return k, rec, r
}

// TestScheduleAsTemplate: appendSchedule writes the bytes the template's range
// wrote, for the default run and for lines and names of every character.
func TestScheduleAsTemplate(t *testing.T) {
	k, _, _ := observedDefault(t)
	rows := k.rows
	for i, s := range hostile() {
		rows = append(rows, row{sim.Time(i) * 1_234_567, s, "text " + s}, row{sim.Time(i), "server-1", s})
	}
	for i := range 256 {
		rows = append(rows, row{sim.Time(i), string(rune(i)), string([]byte{byte(i)})})
	}
	if got, want := string(appendSchedule(nil, rows)), byTemplate(t, rows); got != want {
		t.Errorf("appendSchedule differs from the template's range at byte %d:\n%s", textdiff.FirstByte(got, want), textdiff.Bytes(got, want))
	}
}

// TestDataAsJSON: the page's data is the bytes json.Marshal writes, for
// the default run and for data of every character, nil lists and empty.
func TestDataAsJSON(t *testing.T) {
	k, rec, r := observedDefault(t)
	strs := hostile()
	for i := range 256 {
		strs = append(strs, string([]byte{'a', byte(i), 'z'}))
	}
	odd := data{End: -1, Nodes: strs, Servers: 2, Values: [][][2]int64{{}, nil, {{1, -2}, {math.MaxInt64, math.MinInt64}}},
		Waits: [][]jsSpan{nil, {}}, Down: nil, Cuts: []jsCut{{Index: 1, Groups: [][]string{nil, {}, strs}}, {Groups: nil}},
		Left: []string{}}
	for i, s := range strs {
		odd.Waits[1] = append(odd.Waits[1], jsSpan{int64(i), -1, s})
		odd.Messages = append(odd.Messages, jsMsg{s, s + "x", "x" + s, int64(i), -int64(i), s})
	}
	for _, d := range []data{pageData(k, rec, &r), odd, {}} {
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.appendJSON(nil); string(got) != string(want) {
			t.Errorf("appendJSON differs from json.Marshal at byte %d:\n%s", textdiff.FirstByte(string(got), string(want)), textdiff.Bytes(string(got), string(want)))
		}
	}
}

// TestPageAsTemplate: Write writes the page that html/template wrote when
// page.html was a template, each hole what holeTemplates says it stands
// for, for the default run with lines, names and page fields of every
// character, NUL included. Only the script differs: it keeps its comments.
func TestPageAsTemplate(t *testing.T) {
	k, rec, r := observedDefault(t)
	for i, s := range hostile() {
		k.rows = append(k.rows, row{k.end + sim.Time(i), s, "text " + s})
	}
	odd := strings.Join(hostile(), "|")
	// The second page's checks say odd things, in every way a check's
	// row can: failed, not checked, anomalous.
	bad := r
	bad.Checks = append(slices.Clone(r.Checks), model.Check{Name: odd, Rule: odd, Violations: 1, First: odd},
		model.Check{Name: odd + "2", Rule: odd, Skipped: odd}, model.Check{Name: odd + "3", Rule: odd, Anomalies: 2})
	bad.Anomalies = append(slices.Clone(r.Anomalies), model.Anomaly{Check: odd + "3", What: odd}, model.Anomaly{Check: odd + "3", What: "<b>"})
	for _, c := range []struct {
		p Page
		r *model.Report
	}{
		{Page{Name: "default.toml", Replay: "eccounter-sim -seed 1", Scenario: "servers = 3\n", Diagram: []byte("<svg>d</svg>"), Chart: []byte("<svg>c</svg>")}, &r},
		{Page{Name: odd, Replay: odd, Scenario: odd, Diagram: []byte("<svg>\x00d</svg>"), Chart: nil}, &bad},
	} {
		var b strings.Builder
		if err := Write(&b, k, rec, c.r, c.p); err != nil {
			t.Fatal(err)
		}
		got, want := withoutScript(b.String()), withoutScript(byWholeTemplate(t, k, rec, c.r, c.p))
		if got != want {
			t.Errorf("Write differs from the whole template at byte %d:\n%s", textdiff.FirstByte(got, want), textdiff.Bytes(got, want))
		}
	}
}

// withoutScript is a page without the body of its script, which holds no
// hole: Write writes it as page.html has it, comments included, where
// html/template left out the comments.
func withoutScript(page string) string {
	i := strings.Index(page, "<script>\n")
	j := strings.LastIndex(page, "</script>")
	if i < 0 || j < i {
		return page
	}
	return page[:i] + "<script>(its body)" + page[j:]
}

// holeTemplates says what each hole of page.html stands for, as the
// html/template the page once was: TestPageAsTemplate holds Write to it.
var holeTemplates = map[string]string{
	"Name": "{{.Name}}", "Replay": "{{.Replay}}", "Verdict": "{{.Verdict}}", "EndLabel": "{{.EndLabel}}",
	"Summary": "{{.Summary}}", "Scenario": "{{.Scenario}}",
	"Diagram": "{{.Diagram}}", "Chart": "{{.Chart}}", "Data": "{{.Data}}",
	"VerdictClass": "{{if not .Passed}}fail{{else if .Anomalous}}anomaly{{else}}pass{{end}}",
	"Left":         `{{range .Left}}<p class="left">Left out: {{.}}.</p>{{end}}`,
	"Checks": `{{range .Checks}}{{if .Skipped}}<tr><td>&ndash;</td><td class="mono">{{.Name}}</td><td>{{.Rule}}<br>not checked: {{.Skipped}}</td></tr>` +
		`{{else}}<tr><td class="{{.Status}}">{{if eq .Status "fail"}}FAIL{{else}}{{.Status}}{{end}}</td><td class="mono">{{.Name}}</td><td>{{.Rule}}` +
		`{{if .First}}<br><span class="fail">{{.First}}</span>{{end}}{{range .Anomalies}}<br><span class="anomaly">{{.}}</span>{{end}}</td></tr>{{end}}` + "\n{{end}}",
	"NodeOptions": "{{range .Nodes}}<option>{{.}}</option>{{end}}",
	"Rows": `{{range .Rows}}<tr data-t="{{.T}}" data-node="{{.Node}}"><td class="mono">{{.Time}}</td><td class="mono">{{.Node}}</td><td class="mono">{{.Text}}</td></tr>
{{end}}`,
}

// byWholeTemplate renders the page as one template did: the schedule as a
// range, the data by json.Marshal, every part through the template.
func byWholeTemplate(t *testing.T, k *Collector, rec *viz.Recorder, r *model.Report, p Page) string {
	t.Helper()
	text := pageHTML
	for name, tmpl := range holeTemplates {
		text = strings.ReplaceAll(text, "{{"+name+"}}", tmpl)
	}
	whole := template.Must(template.New("page").Parse(text))
	d := pageData(k, rec, r)
	v, err := newView(k, &d, r, p)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var rows []rangeRow
	for _, r := range k.rows {
		rows = append(rows, rangeRow{int64(r.t), r.t.String(), r.node, r.text})
	}
	// The fields of the outer struct hide the view's markers.
	in := struct {
		view
		Rows           []rangeRow
		Data           template.JS
		Diagram, Chart template.HTML
	}{v, rows, template.JS(js), template.HTML(p.Diagram), template.HTML(p.Chart)}
	var b strings.Builder
	if err := whole.Execute(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

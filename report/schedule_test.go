package report

import (
	"html/template"
	"strings"
	"testing"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
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

// TestScheduleAsTemplate: schedule writes the bytes the template's range
// wrote, for the default run and for lines and names of every character.
func TestScheduleAsTemplate(t *testing.T) {
	c := model.NewCluster(scenarios.Default().Config())
	k := NewCollector(c)
	c.Engine().Observe(k)
	if _, err := c.Run(); err != nil {
		t.Fatal(err)
	}
	rows := k.rows
	for i, s := range hostile() {
		rows = append(rows, row{sim.Time(i) * 1_234_567, s, "text " + s}, row{sim.Time(i), "server-1", s})
	}
	for i := range 256 {
		rows = append(rows, row{sim.Time(i), string(rune(i)), string([]byte{byte(i)})})
	}
	if got, want := string(schedule(rows)), byTemplate(t, rows); got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(i-60, 0)
		t.Errorf("schedule differs from the template's range at byte %d:\n got: %q\nwant: %q", i, got[lo:min(i+60, len(got))], want[lo:min(i+60, len(want))])
	}
}

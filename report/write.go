package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"eccounter/model"
	"eccounter/sim"
	"eccounter/viz"
)

// The page is page.html, its holes each written {{Name}}. Write writes
// the text between them as it is and fills each hole with its part of
// the run, escaped as html/template escapes text and quoted attributes
// (TestPageAsTemplate renders the page through html/template, each hole
// as the template it stands for, and compares). It is not a template: a
// page has fourteen holes, and html/template, with the text/template and
// regexp it brings and the methods its reflection keeps alive, was 3.1
// MB of the playground's 10 MB of WebAssembly.
//
//go:embed page.html
var pageHTML string

// The holes, by name.
const (
	holeName = iota
	holeReplay
	holeVerdictClass // pass, anomaly or fail: the verdict's colour
	holeVerdict
	holeLeft // a paragraph per thing left out
	holeEndLabel
	holeDiagram
	holeChart
	holeChecks // a table row per check
	holeSummary
	holeNodeOptions // an <option> per node
	holeRows        // the schedule, a table row per line
	holeScenario
	holeData // the run as JSON, for the page's script
	holes
)

var holeNames = [holes]string{"Name", "Replay", "VerdictClass", "Verdict", "Left", "EndLabel", "Diagram", "Chart",
	"Checks", "Summary", "NodeOptions", "Rows", "Scenario", "Data"}

// piece is the page's text up to a hole, and the hole (holes after the
// last text).
type piece struct {
	text string
	hole int
}

var pieces = splitPage(pageHTML)

// splitPage cuts the page at its holes. A hole of no known name is a
// mistake in page.html: it panics, when the package starts.
func splitPage(page string) []piece {
	var out []piece
	for {
		i := strings.Index(page, "{{")
		if i < 0 {
			return append(out, piece{page, holes})
		}
		j := strings.Index(page[i:], "}}")
		if j < 0 {
			panic("report: page.html has a {{ without }}")
		}
		name := page[i+2 : i+j]
		h := slices.Index(holeNames[:], name)
		if h < 0 {
			panic("report: page.html has a hole of no known name: {{" + name + "}}")
		}
		out = append(out, piece{page[:i], h})
		page = page[i+j+2:]
	}
}

// Page is what the page shows besides what the collector kept.
type Page struct {
	Name     string // where the scenario came from
	Replay   string // the command that replays the run
	Scenario string // the resolved scenario, as TOML
	// Diagram and Chart are SVG documents to show. Each may carry
	// data-t0, data-t1 (virtual ns) and data-p0, data-p1 (pixels) on its
	// root element: the page then marks the scrubbed instant on it, at
	// p0 + (t-t0)/(t1-t0)*(p1-p0), across (chart) or down (diagram).
	Diagram, Chart []byte
}

// data is the run as the page's script reads it: times in virtual
// nanoseconds, -1 for "not yet".
type data struct {
	End      int64        `json:"end"`
	Nodes    []string     `json:"nodes"`
	Servers  int          `json:"servers"`
	Values   [][][2]int64 `json:"values"` // per server: [t, value]
	Waits    [][]jsSpan   `json:"waits"`  // per client
	Down     [][]jsSpan   `json:"down"`   // per node
	Cuts     []jsCut      `json:"cuts"`   // partitions, in order of the start
	Messages []jsMsg      `json:"messages"`
	Left     []string     `json:"left"` // what the page left out
}

type jsSpan struct {
	From int64  `json:"from"`
	To   int64  `json:"to"`
	What string `json:"what"`
}

// jsCut is a partition in force during [From, To) (To -1: until the run
// stopped): Index counts from 1 as the schedule does, and Groups are the
// groups the scenario names; everyone else is one more group.
type jsCut struct {
	Index  int        `json:"index"`
	From   int64      `json:"from"`
	To     int64      `json:"to"`
	Groups [][]string `json:"groups"`
}

type jsMsg struct {
	From string `json:"from"`
	To   string `json:"to"`
	What string `json:"what"`
	Sent int64  `json:"sent"`
	Done int64  `json:"done"`
	Fate string `json:"fate"`
}

type verdict struct {
	Name, Rule string
	Status     string // pass, fail, anomaly or skipped: the cell's word and class
	First      string // the first violation, if it failed
	Anomalies  []string
	Skipped    string // why the check does not apply, if it does not
}

type view struct {
	Page
	Summary string
	Passed  bool
	// Anomalous: some check broke in a way explained, which does not
	// fail the run but is shown apart from a pass, in amber.
	Anomalous bool
	Verdict   string
	Checks    []verdict
	Nodes     []string
	Left      []string
	EndLabel  string
}

// maxExact is the largest instant, in ns, that a JavaScript number holds
// exactly.
const maxExact = 1<<53 - 1

// Write renders the page of a run that k and rec observed and r reports.
func Write(w io.Writer, k *Collector, rec *viz.Recorder, r *model.Report, p Page) error {
	d := pageData(k, rec, r)
	v, err := newView(k, &d, r, p)
	if err != nil {
		return err
	}
	sc := spare.Swap(nil) // nil if another Write has it, or at the first
	if sc == nil {
		sc = new(scratch)
	}
	defer func() {
		if cap(sc.small)+cap(sc.parts) <= maxSpare {
			spare.Store(sc)
		}
	}()
	// Every hole's text, the small ones in one buffer and the schedule
	// and the data in another, so that the page is written out in order
	// without a copy of the large parts.
	var fill [holes][]byte
	b := appendSchedule(sc.parts[:0], k.rows)
	rows := len(b)
	b = d.appendJSON(b)
	sc.parts = b
	fill[holeRows], fill[holeData] = b[:rows], b[rows:]
	fill[holeDiagram], fill[holeChart] = p.Diagram, p.Chart
	small := sc.small[:0]
	var at [holes][2]int
	for h := range holes {
		if !large(h) {
			at[h][0] = len(small)
			small = v.appendHole(small, h)
			at[h][1] = len(small)
		}
	}
	sc.small = small
	for h := range holes {
		if !large(h) {
			fill[h] = small[at[h][0]:at[h][1]]
		}
	}
	// A caller's buffer grows once to the page, rather than be copied as
	// it doubles.
	if g, ok := w.(interface{ Grow(int) }); ok {
		n := 0
		for _, pc := range pieces {
			n += len(pc.text)
			if pc.hole < holes {
				n += len(fill[pc.hole])
			}
		}
		g.Grow(n)
	}
	for _, pc := range pieces {
		if _, err := io.WriteString(w, pc.text); err != nil {
			return err
		}
		if pc.hole < holes {
			if _, err := w.Write(fill[pc.hole]); err != nil {
				return err
			}
		}
	}
	return nil
}

// large reports whether hole h is one of the page's large parts, which
// Write writes from where they are.
func large(h int) bool {
	return h == holeDiagram || h == holeChart || h == holeRows || h == holeData
}

// appendHole appends the text of hole h, one of the page's small ones.
func (v *view) appendHole(b []byte, h int) []byte {
	switch h {
	case holeName:
		return appendEscaped(b, v.Name)
	case holeReplay:
		return appendEscaped(b, v.Replay)
	case holeVerdictClass:
		switch {
		case !v.Passed:
			return append(b, "fail"...)
		case v.Anomalous:
			return append(b, "anomaly"...)
		}
		return append(b, "pass"...)
	case holeVerdict:
		return appendEscaped(b, v.Verdict)
	case holeLeft:
		for _, l := range v.Left {
			b = append(b, `<p class="left">Left out: `...)
			b = append(appendEscaped(b, l), ".</p>"...)
		}
		return b
	case holeEndLabel:
		return appendEscaped(b, v.EndLabel)
	case holeChecks:
		for _, c := range v.Checks {
			b = c.appendRow(b)
		}
		return b
	case holeSummary:
		return appendEscaped(b, v.Summary)
	case holeNodeOptions:
		for _, n := range v.Nodes {
			b = append(b, "<option>"...)
			b = append(appendEscaped(b, n), "</option>"...)
		}
		return b
	case holeScenario:
		return appendEscaped(b, v.Scenario)
	}
	panic("report: no text for the hole " + holeNames[h])
}

// appendRow appends the check's row of the table of checks.
func (c *verdict) appendRow(b []byte) []byte {
	if c.Skipped != "" {
		b = append(b, `<tr><td>&ndash;</td><td class="mono">`...)
		b = append(appendEscaped(b, c.Name), `</td><td>`...)
		b = append(appendEscaped(b, c.Rule), `<br>not checked: `...)
		return append(appendEscaped(b, c.Skipped), "</td></tr>\n"...)
	}
	b = append(b, `<tr><td class="`...)
	b = append(appendEscaped(b, c.Status), `">`...)
	if c.Status == "fail" {
		b = append(b, "FAIL"...)
	} else {
		b = appendEscaped(b, c.Status)
	}
	b = append(b, `</td><td class="mono">`...)
	b = append(appendEscaped(b, c.Name), `</td><td>`...)
	b = appendEscaped(b, c.Rule)
	if c.First != "" {
		b = append(b, `<br><span class="fail">`...)
		b = append(appendEscaped(b, c.First), "</span>"...)
	}
	for _, a := range c.Anomalies {
		b = append(b, `<br><span class="anomaly">`...)
		b = append(appendEscaped(b, a), "</span>"...)
	}
	return append(b, "</td></tr>\n"...)
}

// scratch is where Write renders a page before it writes it out, kept as
// spare for the next page: its buffers hold most of a megabyte, which
// allocated and cleared afresh for each page took a quarter of Write's
// time in WebAssembly (the playground writes one per run). It is kept
// whole, not in a sync.Pool, which a collection empties, and a run makes
// one or two.
type scratch struct {
	small []byte // the small holes' text
	parts []byte // the schedule, then the data
}

var spare atomic.Pointer[scratch]

// maxSpare is the most that spare keeps: a page of MaxRows lines, about.
const maxSpare = 8 << 20

// newView is what the page's small holes show of the run.
func newView(k *Collector, d *data, r *model.Report, p Page) (view, error) {
	var summary []byte
	sw := &byteWriter{&summary}
	if err := r.WriteText(sw, k.c); err != nil {
		return view{}, err
	}
	// The checks have a table of their own; the summary keeps the rest.
	if i := bytes.Index(summary, []byte("\nchecks:\n")); i >= 0 {
		summary = summary[:i+1]
	}
	v := view{Page: p, Summary: string(summary), Passed: r.Passed(), Verdict: r.Verdict(), Anomalous: len(r.Anomalies) > 0, Nodes: d.Nodes,
		Left: d.Left, EndLabel: sim.Time(d.End).String()}
	for _, c := range r.Checks {
		v.Checks = append(v.Checks, verdict{Name: c.Name, Rule: c.Rule, Status: c.Status().Word(), First: c.First,
			Anomalies: r.AnomaliesOf(c.Name), Skipped: c.Skipped})
	}
	return v, nil
}

// pageData is the run as the page's script reads it.
func pageData(k *Collector, rec *viz.Recorder, r *model.Report) data {
	e := k.c.Engine()
	d := data{End: int64(max(k.end, r.Now)), Servers: k.c.Config().Servers}
	for id := range e.Len() {
		d.Nodes = append(d.Nodes, e.Name(sim.NodeID(id)))
	}
	d.Values = make([][][2]int64, d.Servers)
	for i := range d.Values {
		d.Values[i] = [][2]int64{}
	}
	for _, c := range rec.Changes { // in time order
		d.Values[c.Node] = append(d.Values[c.Node], [2]int64{int64(c.At), c.Value})
	}
	d.Waits = spans(k.waits)
	d.Down = make([][]jsSpan, len(d.Nodes))
	for i := range d.Down {
		d.Down[i] = []jsSpan{}
	}
	for _, o := range rec.Outages {
		to := int64(-1)
		if o.HasRestart {
			to = int64(o.Restart)
		}
		what := "not durable"
		if o.Durable {
			what = "durable"
		}
		d.Down[o.Node] = append(d.Down[o.Node], jsSpan{int64(o.At), to, what})
	}
	d.Cuts = []jsCut{}
	for _, c := range rec.Cuts {
		to := int64(-1)
		if c.Healed {
			to = int64(c.Heal)
		}
		groups := [][]string{}
		for _, g := range c.Groups {
			names := []string{}
			for _, id := range g {
				names = append(names, e.Name(id))
			}
			groups = append(groups, names)
		}
		d.Cuts = append(d.Cuts, jsCut{c.Index + 1, int64(c.At), to, groups})
	}
	if len(k.msgs) > 0 {
		d.Messages = make([]jsMsg, 0, len(k.msgs)) // grown once: its copies cost the most in WebAssembly
	}
	// What each message says, "set 925", written one after another and
	// made one string, which each message's names a part of: one
	// allocation, not one a message.
	var whats []byte
	ends := make([]int, len(k.msgs))
	for i, m := range k.msgs {
		whats = appendKind(whats, m.msg, m.msg.Type != model.Get)
		ends[i] = len(whats)
	}
	all, start := string(whats), 0
	for i, m := range k.msgs {
		d.Messages = append(d.Messages, jsMsg{e.Name(m.from), e.Name(m.to), all[start:ends[i]], int64(m.sent), int64(m.done), m.fate})
		start = ends[i]
	}
	if k.rowsDropped > 0 {
		d.Left = append(d.Left, fmt.Sprintf("the schedule shows its first %d lines of %d", len(k.rows), len(k.rows)+k.rowsDropped))
	}
	if k.waitsLeft > 0 {
		d.Left = append(d.Left, fmt.Sprintf("what clients wait for is tracked for the first %d of %d requests", k.nwaits, k.nwaits+k.waitsLeft))
	}
	if k.msgsDropped > 0 {
		d.Left = append(d.Left, fmt.Sprintf("messages in flight are tracked for the first %d of %d messages", len(k.msgs), len(k.msgs)+k.msgsDropped))
	}
	// The page keeps instants as JavaScript numbers, exact integers up to
	// 2^53 ns (about 104 days); it clamps to that, and says so here.
	if d.End > maxExact {
		d.Left = append(d.Left, "instants past "+sim.Time(maxExact).String()+" (2^53 ns), which the page cannot hold exactly")
	}
	return d
}

// appendSchedule appends the schedule's lines, one table row each, ready
// for the page: the bytes a range of html/template wrote
// (TestScheduleAsTemplate), at a tenth of the time, since html/template
// reflects on every field of every line and escapes each through a chain
// of calls. appendEscaped escapes as html/template does in text and in
// quoted attributes.
func appendSchedule(b []byte, rows []row) []byte {
	n := 0
	for _, r := range rows {
		n += 90 + 2*len(r.node) + len(r.text)
	}
	b = slices.Grow(b, n)
	for _, r := range rows {
		b = append(b, `<tr data-t="`...)
		b = strconv.AppendInt(b, int64(r.t), 10)
		b = append(b, `" data-node="`...)
		from := len(b)
		b = appendEscaped(b, r.node)
		to := len(b)
		b = append(b, `"><td class="mono">`...)
		b = r.t.AppendText(b) // digits, a point and a unit: nothing to escape
		b = append(b, `</td><td class="mono">`...)
		b = append(b, b[from:to]...) // the node's name, escaped above
		b = append(b, `</td><td class="mono">`...)
		b = appendEscaped(b, r.text)
		b = append(b, "</td></tr>\n"...)
	}
	return b
}

// appendEscaped appends s escaped as html/template escapes a string in
// text and in a quoted attribute value (its htmlEscaper and attrEscaper):
// NUL becomes U+FFFD, and " & ' + < > character references; every other
// byte, invalid UTF-8 included, is kept. The bytes it changes are ASCII,
// which never occur inside a multi-byte UTF-8 sequence, so it can work on
// bytes.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		if htmlPlain[s[i]] {
			continue // most bytes: one look in a table, not seven comparisons
		}
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, repl...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// jsonPlain and htmlPlain say which bytes appendString and appendEscaped
// keep as they are. They are tables because the page's strings are tens
// of kilobytes a run, and a look-up costs a fraction of the comparisons
// it replaces.
var jsonPlain, htmlPlain = func() (json, html [256]bool) {
	for c := range 256 {
		json[c] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
		html[c] = c != 0 && c != '"' && c != '&' && c != '\'' && c != '+' && c != '<' && c != '>'
	}
	return json, html
}()

func spans(per [][]span) [][]jsSpan {
	out := make([][]jsSpan, len(per))
	for i, list := range per {
		out[i] = make([]jsSpan, 0, len(list))
		for _, s := range list {
			out[i] = append(out[i], jsSpan{int64(s.from), int64(s.to), s.what})
		}
	}
	return out
}

type byteWriter struct{ b *[]byte }

func (w *byteWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}

// appendJSON appends d as json.Marshal writes it, HTML-escaped
// (TestDataAsJSON). It is written by hand: json.Marshal's reflection over
// the run's thousands of messages and spans was the largest part of
// Write's time left after the schedule's, and more so in WebAssembly.
func (d *data) appendJSON(b []byte) []byte {
	n := 4096 + 100*len(d.Messages) // about what a message takes, and room for the rest
	for _, v := range d.Values {
		n += 40 * len(v)
	}
	for _, w := range d.Waits {
		n += 60 * len(w)
	}
	b = slices.Grow(b, n)
	b = append(b, `{"end":`...)
	b = strconv.AppendInt(b, d.End, 10)
	b = append(b, `,"nodes":`...)
	b = appendList(b, d.Nodes, appendString)
	b = append(b, `,"servers":`...)
	b = strconv.AppendInt(b, int64(d.Servers), 10)
	b = append(b, `,"values":`...)
	b = appendList(b, d.Values, func(b []byte, per [][2]int64) []byte {
		return appendList(b, per, func(b []byte, v [2]int64) []byte {
			b = append(b, '[')
			b = strconv.AppendInt(b, v[0], 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, v[1], 10)
			return append(b, ']')
		})
	})
	spans := func(b []byte, per []jsSpan) []byte { return appendList(b, per, appendSpan) }
	b = append(b, `,"waits":`...)
	b = appendList(b, d.Waits, spans)
	b = append(b, `,"down":`...)
	b = appendList(b, d.Down, spans)
	b = append(b, `,"cuts":`...)
	b = appendList(b, d.Cuts, appendCut)
	b = append(b, `,"messages":`...)
	b = appendList(b, d.Messages, appendMsg)
	b = append(b, `,"left":`...)
	b = appendList(b, d.Left, appendString)
	return append(b, '}')
}

func appendSpan(b []byte, s jsSpan) []byte {
	b = append(b, `{"from":`...)
	b = strconv.AppendInt(b, s.From, 10)
	b = append(b, `,"to":`...)
	b = strconv.AppendInt(b, s.To, 10)
	b = append(b, `,"what":`...)
	b = appendString(b, s.What)
	return append(b, '}')
}

func appendCut(b []byte, c jsCut) []byte {
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, int64(c.Index), 10)
	b = append(b, `,"from":`...)
	b = strconv.AppendInt(b, c.From, 10)
	b = append(b, `,"to":`...)
	b = strconv.AppendInt(b, c.To, 10)
	b = append(b, `,"groups":`...)
	b = appendList(b, c.Groups, func(b []byte, g []string) []byte { return appendList(b, g, appendString) })
	return append(b, '}')
}

func appendMsg(b []byte, m jsMsg) []byte {
	b = append(b, `{"from":`...)
	b = appendString(b, m.From)
	b = append(b, `,"to":`...)
	b = appendString(b, m.To)
	b = append(b, `,"what":`...)
	b = appendString(b, m.What)
	b = append(b, `,"sent":`...)
	b = strconv.AppendInt(b, m.Sent, 10)
	b = append(b, `,"done":`...)
	b = strconv.AppendInt(b, m.Done, 10)
	b = append(b, `,"fate":`...)
	b = appendString(b, m.Fate)
	return append(b, '}')
}

// appendList appends list as a JSON array, or null if it is nil, as
// json.Marshal does.
func appendList[T any](b []byte, list []T, each func([]byte, T) []byte) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, v)
	}
	return append(b, ']')
}

// appendString appends s as a JSON string, as json.Marshal writes it: as
// it is, quoted, if it holds only printable ASCII that JSON and HTML leave
// alone (the names and messages of a run), or else as json.Marshal
// escapes it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"eccounter/internal/textdiff"
	"eccounter/model"
)

// object is a JSON object as the trace wrote it: its members by name, and
// their names in the order written.
type object struct {
	names []string
	m     map[string]any
}

// decodeOrdered decodes one JSON value, keeping the order of object
// members (which map[string]any loses) and numbers as written.
func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		o := &object{m: map[string]any{}}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name := k.(string)
			if _, dup := o.m[name]; dup {
				return nil, fmt.Errorf("key %q twice", name)
			}
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			o.names = append(o.names, name)
			o.m[name] = v
		}
		_, err := dec.Token()
		return o, err
	case json.Delim('['):
		var a []any
		for dec.More() {
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, err
	}
	return tok, nil
}

// jsonType names the JSON type of a decoded value as model.Type does.
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			return "number"
		}
		return "integer"
	case []any:
		return "array"
	case *object:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// literal writes a scalar as JSON, as model.Type's Values do.
func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case string:
		return strconv.Quote(v)
	case json.Number:
		return string(v)
	}
	return jsonType(v)
}

// plain turns a decoded value into what json.Unmarshal would give, for
// Key.Present, which reads the objects as a plain reader does.
func plain(o *object) map[string]any {
	m := make(map[string]any, len(o.m))
	for k, v := range o.m {
		if inner, ok := v.(*object); ok {
			m[k] = plain(inner)
		} else {
			m[k] = v
		}
	}
	return m
}

// conformance holds a trace's records to model.Contract and counts what it
// saw: record kinds, keys (as paths such as "send.duplicate_arrive" or
// "summary.failures[].check") and the enumerated values at each path.
type conformance struct {
	seen map[string]int
	errs []string
}

func (c *conformance) fail(format string, args ...any) {
	if len(c.errs) < 20 {
		c.errs = append(c.errs, fmt.Sprintf(format, args...))
	}
}

// object checks o against keys: no key outside them, every key present
// exactly when its rule says, in the order of keys, each of its type.
func (c *conformance) object(where, path string, o *object, keys []model.Key) {
	last := -1
	for _, name := range o.names {
		i := slices.IndexFunc(keys, func(k model.Key) bool { return k.Name == name })
		if i < 0 {
			c.fail("%s: key %s.%s is not in model.Contract", where, path, name)
			continue
		}
		if i < last {
			c.fail("%s: key %s.%s comes after %s.%s, against the order of model.Contract", where, path, name, path, keys[last].Name)
		}
		last = max(last, i)
	}
	m := plain(o)
	for _, k := range keys {
		v, there := o.m[k.Name]
		switch {
		case !there && k.Always():
			c.fail("%s: key %s.%s is missing", where, path, k.Name)
		case k.Present != nil && there != k.Present(m):
			c.fail("%s: key %s.%s present %t, but the contract says %q", where, path, k.Name, there, k.When)
		}
		if there {
			c.value(where, path+"."+k.Name, v, k.Type)
		}
	}
}

func (c *conformance) value(where, path string, v any, t model.Type) {
	c.seen[path]++
	typ := jsonType(v)
	if !slices.Contains(t.JSON, typ) {
		c.fail("%s: %s is %s %s, want %s", where, path, typ, literal(v), strings.Join(t.JSON, " or "))
		return
	}
	if t.Values != nil {
		lit := literal(v)
		if !slices.Contains(t.Values, lit) {
			c.fail("%s: %s is %s, want one of %s", where, path, lit, strings.Join(t.Values, ", "))
		}
		c.seen[path+"="+lit]++
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			c.value(where, path+"[]", e, *t.Elem)
		}
	case *object:
		if t.Keys != nil {
			c.object(where, path, v, t.Keys)
			return
		}
		for _, name := range v.names {
			if t.Names != nil && !slices.Contains(t.Names, name) {
				c.fail("%s: %s has member %q, not one of %s", where, path, name, strings.Join(t.Names, ", "))
			}
			c.value(where, path+"{}", v.m[name], *t.Elem)
		}
	}
}

var nodeName = regexp.MustCompile(`^(server|client)-([1-9][0-9]*)$`)

// trace checks every record of one trace against the contract, and the
// summary's figures against the records they count.
func (c *conformance) trace(name string, out []byte) {
	contract := map[string]model.Record{}
	for _, r := range model.Contract {
		contract[r.Event] = r
	}
	var recs []*object
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		where := fmt.Sprintf("%s line %d", name, i+1)
		// What a plain reader does first.
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			c.fail("%s: %v", where, err)
			return
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		v, err := decodeOrdered(dec)
		if err != nil {
			c.fail("%s: %v", where, err)
			return
		}
		if _, err := dec.Token(); err != io.EOF {
			c.fail("%s: more than one value on the line", where)
		}
		o, ok := v.(*object)
		if !ok || len(o.names) < 3 || !slices.Equal(o.names[:3], []string{"t", "event", "node"}) {
			c.fail("%s: does not start with t, event, node: %s", where, line)
			return
		}
		ev, _ := o.m["event"].(string)
		rec, ok := contract[ev]
		if !ok {
			c.fail("%s: event %q is not in model.Contract", where, ev)
			continue
		}
		c.seen[ev]++
		c.object(where, ev, &object{names: o.names[:3], m: map[string]any{"t": o.m["t"], "event": o.m["event"], "node": o.m["node"]}}, model.CommonKeys)
		rest := &object{names: o.names[3:], m: map[string]any{}}
		for _, k := range rest.names {
			rest.m[k] = o.m[k]
		}
		c.object(where, ev, rest, rec.Keys)
		node, _ := o.m["node"].(string)
		var kind model.Nodes
		switch sub := nodeName.FindStringSubmatch(node); {
		case node == "":
			kind = model.NoNode
		case sub != nil && sub[1] == "server":
			kind = model.AServer
		case sub != nil:
			kind = model.AClient
		}
		if kind&rec.Nodes == 0 {
			c.fail("%s: %s record about node %q", where, ev, node)
		}
		recs = append(recs, o)
	}
	if len(c.errs) == 0 {
		c.consistent(name, recs)
	}
}

func num(v any) int64 {
	n, _ := v.(json.Number).Int64()
	return n
}

// consistent checks what the contract says of the records together: the
// scenario first and the summary last, time never going back, message
// copies matching their sends, and the summary's counts matching the
// records.
func (c *conformance) consistent(name string, recs []*object) {
	event := func(o *object) string { return o.m["event"].(string) }
	if event(recs[0]) != "scenario" || num(recs[0].m["t"]) != 0 || event(recs[len(recs)-1]) != "summary" {
		c.fail("%s: the first record must be the scenario at t 0 and the last the summary", name)
		return
	}
	sum := recs[len(recs)-1].m
	count := map[string]int64{}
	kinds := map[string]int64{}
	var syncMsgs, dups, timeouts, steps int64
	var healed any                // the faults_end record's t, if any
	copies := map[int64][]int64{} // id: arrival times still to come
	var prev int64
	for i, o := range recs {
		ev, t := event(o), num(o.m["t"])
		where := fmt.Sprintf("%s line %d", name, i+1)
		if t < prev {
			c.fail("%s: t %d after %d", where, t, prev)
		}
		prev = t
		count[ev]++
		if (ev == "scenario" || ev == "summary") && i != 0 && i != len(recs)-1 {
			c.fail("%s: a second %s record", where, ev)
		}
		switch ev {
		case "start", "recv", "drop", "timer", "crash", "restart", "partition", "partition_heal", "faults_end":
			steps++
		}
		if ev == "start" && t != 0 {
			c.fail("%s: start at t %d", where, t)
		}
		switch ev {
		case "send", "recv", "drop":
			msg := o.m["msg"].(string)
			if (o.m["value"] == nil) != (msg == "get" || msg == "pull") {
				c.fail("%s: %s carries value %s", where, msg, literal(o.m["value"]))
			}
		}
		switch ev {
		case "send":
			id, msg := num(o.m["id"]), o.m["msg"].(string)
			if _, again := copies[id]; again || o.m["from"] != o.m["node"] {
				c.fail("%s: id %d sent twice, or not by its node", where, id)
			}
			copies[id] = []int64{num(o.m["arrive"])}
			kinds[msg]++
			if !slices.Contains([]string{"get", "get_reply", "set", "set_reply"}, msg) {
				syncMsgs++
			}
			if d, ok := o.m["duplicate_arrive"]; ok {
				dups++
				copies[id] = append(copies[id], num(d))
			}
		case "recv", "drop":
			id := num(o.m["id"])
			j := slices.Index(copies[id], t)
			if j < 0 || o.m["to"] != o.m["node"] {
				c.fail("%s: %s of id %d at %d, which no send record has arrive at, or not at its receiver", where, ev, id, t)
				continue
			}
			copies[id] = slices.Delete(copies[id], j, j+1)
		case "op":
			if o.m["timed_out"] == true {
				timeouts++
			}
		case "faults_end":
			healed = o.m["t"]
		}
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, w := range []struct{ key, want string }{
		{"dropped", itoa(count["drop"])}, {"duplicated", itoa(dups)}, {"timeouts", itoa(timeouts)},
		{"late_replies", itoa(count["late"])}, {"sync_messages", itoa(syncMsgs)}, {"events", itoa(steps)},
		{"healed_at", literal(healed)},
	} {
		if got := literal(sum[w.key]); got != w.want {
			c.fail("%s: summary %s is %s, but the records say %s", name, w.key, got, w.want)
		}
	}
	msgs := sum["messages"].(*object)
	if !slices.IsSorted(msgs.names) || len(msgs.names) != len(kinds) {
		c.fail("%s: summary messages %v: want the kinds sent, %v, sorted", name, msgs.names, kinds)
	}
	for k, n := range kinds {
		if num(msgs.m[k]) != n {
			c.fail("%s: summary messages.%s is %v, the records have %d sends", name, k, msgs.m[k], n)
		}
	}
	checks := sum["checks"].(*object)
	if !slices.Equal(checks.names, model.CheckNames()) {
		c.fail("%s: summary checks %v, want every check in order", name, checks.names)
	}
	failed := map[string]bool{}
	for _, f := range sum["failures"].([]any) {
		failed[f.(*object).m["check"].(string)] = true
	}
	explained := map[string]bool{}
	for _, a := range sum["anomalies"].([]any) {
		explained[a.(*object).m["check"].(string)] = true
	}
	anyFalse := false
	for _, ch := range checks.names {
		switch checks.m[ch] {
		case false:
			anyFalse = true
			if !failed[ch] {
				c.fail("%s: check %s is false but not among the failures", name, ch)
			}
		case "anomaly":
			if !explained[ch] {
				c.fail("%s: check %s is an anomaly, but no anomaly names it", name, ch)
			}
		}
	}
	if sum["passed"] != !anyFalse {
		c.fail("%s: passed is %v, but a check is false: %t", name, sum["passed"], anyFalse)
	}
}

// contractRuns are the traces TestJSONLContract checks: every shipped
// scenario and every scenario in testdata, with two seeds each (large.toml
// stopped after a few thousand events), and the embedded default.
func contractRuns(t *testing.T) [][]string {
	runs := [][]string{{}}
	files, _ := filepath.Glob("../../scenarios/*.toml")
	more, _ := filepath.Glob("../../testdata/*.toml")
	if len(files) < 10 || len(more) < 4 {
		t.Fatalf("found %d scenarios and %d test scenarios", len(files), len(more))
	}
	for _, f := range append(files, more...) {
		if filepath.Base(f) == "large.toml" {
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			f = writeScenario(t, "large.toml", string(text)+"max_events = 3000\n")
		}
		for _, seed := range []string{"1", "2"} {
			runs = append(runs, []string{"-seed", seed, f})
		}
	}
	return runs
}

// TestJSONLContract runs every shipped scenario with -trace jsonl and
// holds every record to model.Contract, the table docs/jsonl.md's
// section is generated from: no key outside it, every key present exactly
// when it says, of the type it says, in its order; the summary's counts
// agree with the records. Across the runs, every record kind, key and
// enumerated value of the contract must occur at least once, so that the
// contract promises nothing the simulator never writes.
func TestJSONLContract(t *testing.T) {
	c := &conformance{seen: map[string]int{}}
	for _, args := range contractRuns(t) {
		var stdout, stderr bytes.Buffer
		args = append([]string{"-trace", "jsonl"}, args...)
		if code := run(args, &stdout, &stderr); code != exitPass && code != exitFail {
			t.Fatalf("eccounter-sim %v: exit %d: %s", args, code, &stderr)
		}
		c.trace(strings.Join(args, " "), stdout.Bytes())
	}
	for _, e := range c.errs {
		t.Error(e)
	}
	// What no shipped scenario can produce: the protocol's nodes never
	// break the engine's rules, and a run with clients always has
	// something left to do until they finish.
	never := []string{`summary.stop="aborted"`, `summary.stop="idle"`}
	for _, path := range contractPaths() {
		// Every kind of message must be sent and received, not dropped;
		// the scenario's enumerations are the scenario package's to test.
		enum := strings.Contains(path, "=")
		if enum && (strings.HasPrefix(path, "drop.msg=") || strings.HasPrefix(path, "scenario.scenario.")) {
			continue
		}
		if c.seen[path] == 0 && !slices.Contains(never, path) {
			t.Errorf("no run wrote %s: add a scenario to testdata that does, or take it out of model.Contract", path)
		}
	}
}

// contractPaths lists every record kind, key path and enumerated value of
// the contract, as conformance counts them.
func contractPaths() []string {
	var paths []string
	var walk func(path string, t model.Type)
	walk = func(path string, t model.Type) {
		paths = append(paths, path)
		for _, v := range t.Values {
			paths = append(paths, path+"="+v)
		}
		switch {
		case t.Keys != nil:
			for _, k := range t.Keys {
				walk(path+"."+k.Name, k.Type)
			}
		case t.Elem != nil && slices.Contains(t.JSON, "array"):
			walk(path+"[]", *t.Elem)
		case t.Elem != nil:
			walk(path+"{}", *t.Elem)
		}
	}
	for _, r := range model.Contract {
		paths = append(paths, r.Event)
		for _, k := range model.CommonKeys {
			paths = append(paths, r.Event+"."+k.Name)
		}
		for _, k := range r.Keys {
			walk(r.Event+"."+k.Name, k.Type)
		}
	}
	return paths
}

// typeText renders a type for docs/jsonl.md: "integer or null", "`"loss"`,
// `"partition"` or `"down"`", "array of integers".
func typeText(t model.Type) string {
	alt := func(items []string) string {
		if len(items) == 1 {
			return items[0]
		}
		return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
	}
	if t.Values != nil {
		lits := make([]string, len(t.Values))
		for i, v := range t.Values {
			lits[i] = "`" + v + "`"
		}
		return alt(lits)
	}
	switch {
	case t.Elem != nil && slices.Contains(t.JSON, "array"):
		return "array of " + plural(typeText(*t.Elem))
	case t.Elem != nil:
		return "object of " + plural(typeText(*t.Elem))
	}
	if t.Holds != "" {
		return alt(t.JSON) + ": " + t.Holds
	}
	return alt(t.JSON)
}

func plural(s string) string {
	if strings.HasPrefix(s, "`") {
		return s
	}
	first, rest, _ := strings.Cut(s, " ")
	switch {
	case strings.HasSuffix(first, ":"):
		// "string: a node's name" -> "strings: a node's name"
		return strings.TrimSuffix(first, ":") + "s: " + rest
	case rest != "":
		return first + "s " + rest
	}
	return s + "s"
}

// contractMarkdown renders model.Contract as docs/jsonl.md's
// gives it: the common keys, then a paragraph and a table per record.
func contractMarkdown() string {
	var b strings.Builder
	// A key that means what it does in an earlier record says so, rather
	// than say it all again.
	said := map[string]string{}
	event := ""
	var rows func(path string, keys []model.Key)
	rows = func(path string, keys []model.Key) {
		for _, k := range keys {
			when := k.When
			if when == "" {
				when = "always"
			}
			row := fmt.Sprintf("`%s%s` | %s | %s", path, k.Name, typeText(k.Type), when)
			doc := k.Doc
			if first, ok := said[row+doc]; ok && doc != "" {
				doc = "as in `" + first + "`"
			} else {
				said[row+doc] = event
			}
			fmt.Fprintf(&b, "| %s | %s |\n", row, doc)
			switch t := k.Type; {
			case t.Keys != nil:
				rows(path+k.Name+".", t.Keys)
			case t.Elem != nil && t.Elem.Keys != nil:
				rows(path+k.Name+"[].", t.Elem.Keys)
			}
		}
	}
	table := func(path string, keys []model.Key) {
		b.WriteString("\n| key | type | present | meaning |\n|---|---|---|---|\n")
		rows(path, keys)
	}
	b.WriteString("Every record starts with these keys, in this order:\n")
	table("", model.CommonKeys)
	for _, r := range model.Contract {
		event = r.Event
		var nodes []string
		for _, n := range []struct {
			bit  model.Nodes
			text string
		}{{model.NoNode, "`\"\"`"}, {model.AServer, "a server"}, {model.AClient, "a client"}} {
			if r.Nodes&n.bit != 0 {
				nodes = append(nodes, n.text)
			}
		}
		node := strings.Join(nodes, " or ")
		if r.NodeDoc != "" {
			node = r.NodeDoc + ", " + node
		}
		fmt.Fprintf(&b, "\n**`%s`** (`node`: %s). %s\n", r.Event, node, r.Doc)
		if len(r.Keys) > 0 {
			table("", r.Keys)
		}
	}
	return b.String()
}

// TestContractDoc keeps docs/jsonl.md's list of records what
// model.Contract says, which TestJSONLContract holds the trace to. With
// -update it rewrites the block.
func TestContractDoc(t *testing.T) {
	const marker = "contract: generated from model.Contract"
	const path = docsDir + "/jsonl.md"
	readme, block := docBlock(t, path, marker)
	want := contractMarkdown()
	for _, line := range strings.Split(want, "\n") {
		if strings.HasPrefix(line, "|") && strings.Count(line, "|") != 5 {
			t.Errorf("a | in model.Contract breaks docs/jsonl.md's table: %s", line)
		}
	}
	if block == want {
		return
	}
	if !*update {
		t.Errorf("docs/jsonl.md's contract block differs from model.Contract at line %d:\n%s\n(rerun with -update to rewrite it)",
			textdiff.FirstLine(block, want), textdiff.Lines(block, want))
		return
	}
	start := strings.Index(readme, "<!-- "+marker)
	start += strings.Index(readme[start:], "\n") + 1
	end := start + strings.Index(readme[start:], "<!-- end")
	if err := os.WriteFile(path, []byte(readme[:start]+want+readme[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
}

package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2/unstable"
)

// The keys a scenario may set, by table ("" is the top level), and which of
// them are durations.
var (
	tableKeys = map[string][]string{
		"": {"seed", "servers", "clients", "requests_per_client", "set_ratio", "max_value", "sync_interval",
			"assignment", "max_time", "max_events", "request_timeout", "loss", "duplicate", "faults_until",
			"liveness_bound", "swarm", "latency", "sync", "partition", "crash"},
		"latency":   {"distribution", "fixed", "min", "max", "floor", "mean"},
		"sync":      {"strategy", "fanout", "k", "feedback", "coin", "anti_entropy"},
		"partition": {"at", "heal", "groups"},
		"crash":     {"node", "at", "restart", "durable"},
	}
	durationKeys = map[string][]string{
		"":          {"sync_interval", "max_time", "request_timeout", "faults_until", "liveness_bound"},
		"latency":   {"fixed", "min", "max", "floor", "mean"},
		"sync":      {"anti_entropy"},
		"partition": {"at", "heal"},
		"crash":     {"at", "restart"},
	}
	// subTables are the top-level keys that are tables, not values.
	subTables = []string{"latency", "sync", "partition", "crash"}
)

// position is where a key's value is written in a scenario file, from 1.
type position struct{ line, col int }

// keyPositions maps every key the document sets, dotted ("latency.min"),
// to where its value is written, and checks what go-toml's decoder would
// let through: it matches keys regardless of case (so "SERVERS" would pass
// as servers, and "Servers" and "servers" would not be duplicates), and it
// takes a TOML integer as a number of nanoseconds for a duration. A key
// missing from the map relies on its default. Errors found later, in
// validation, use the map to point at the offending value.
func keyPositions(data []byte) (map[string]position, *Error) {
	keys := make(map[string]position)
	var p unstable.Parser
	p.Reset(data)
	var table []string
	arrays := make(map[string]int) // [[name]] tables seen so far
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = appendKey(table[:0], e)
			pos := keyPosition(&p, e)
			if err := checkKey(table, pos); err != nil {
				return nil, err
			}
			if err := checkTableForm(table, e.Kind == unstable.ArrayTable, pos); err != nil {
				return nil, err
			}
			if e.Kind == unstable.ArrayTable && len(table) == 1 {
				// Each [[partition]] is partition[1], partition[2]...
				// in keys and errors, so an error names its entry. The
				// entry itself maps to its header, for errors about a
				// key it lacks.
				arrays[table[0]]++
				table[0] = fmt.Sprintf("%s[%d]", table[0], arrays[table[0]])
				keys[table[0]] = pos
			}
		case unstable.KeyValue:
			if err := addKeyValue(&p, keys, table, e); err != nil {
				return nil, err
			}
		}
	}
	if err := p.Error(); err != nil {
		// The decoder reports syntax errors with their place; Parse
		// decodes first, so this is not reached with a bad document.
		return nil, &Error{Msg: err.Error()}
	}
	return keys, nil
}

// addKeyValue records a key = value under the table path, and the keys of
// an inline table value (latency = { min = "1ms" }) under its own path.
func addKeyValue(p *unstable.Parser, keys map[string]position, table []string, kv *unstable.Node) *Error {
	path := appendKey(slices.Clone(table), kv)
	v := kv.Value()
	keyPos := keyPosition(p, kv)
	pos := valuePosition(p, kv)
	if err := checkKey(path, keyPos); err != nil {
		return err
	}
	if len(path) == 1 {
		if err := checkTableForm(path, false, keyPos); err != nil {
			return err
		}
	}
	key := strings.Join(path, ".")
	keys[key] = pos
	if slices.Contains(durationKeys[tableOf(path)], path[len(path)-1]) {
		if v.Kind != unstable.String {
			return &Error{Line: pos.line, Col: pos.col, Key: key,
				Msg: fmt.Sprintf("want a duration string such as \"100ms\", have a TOML %s", kindWords(v.Kind))}
		}
		if _, err := time.ParseDuration(string(v.Data)); err != nil {
			return &Error{Line: pos.line, Col: pos.col, Key: key,
				Msg: fmt.Sprintf("want a duration such as \"100ms\" or \"2s\": %v", err)}
		}
	}
	if v.Kind == unstable.InlineTable {
		for it := v.Children(); it.Next(); {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				if err := addKeyValue(p, keys, path, n); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// tableOf names the table a key path is in: "" for the top level,
// "partition" for partition[2].at.
func tableOf(path []string) string {
	if len(path) < 2 {
		return ""
	}
	name, _, _ := strings.Cut(path[0], "[")
	return name
}

// checkKey rejects a key that is not exactly one a scenario may set.
func checkKey(path []string, pos position) *Error {
	name := path[len(path)-1]
	if len(path) > 2 || !slices.Contains(tableKeys[tableOf(path)], name) {
		return &Error{Line: pos.line, Col: pos.col, Key: strings.Join(path, "."), Msg: unknownKey(path)}
	}
	return nil
}

// checkTableForm requires [latency] to be a table and partitions and
// crashes to be written as [[partition]] and [[crash]] tables, one per
// entry: the forms whose keys this file can place and check. (An inline
// latency = { ... } is a table too, and fine.)
func checkTableForm(path []string, array bool, pos position) *Error {
	if len(path) != 1 {
		return nil
	}
	name := path[0]
	switch {
	case (name == "partition" || name == "crash") && !array:
		return &Error{Line: pos.line, Col: pos.col, Key: name,
			Msg: fmt.Sprintf("write each %s as its own [[%s]] table", name, name)}
	case (name == "latency" || name == "sync") && array:
		return &Error{Line: pos.line, Col: pos.col, Key: name, Msg: "[" + name + "] is one table, not [[" + name + "]]"}
	}
	return nil
}

// unknownKey says what may stand where an unknown key does.
func unknownKey(path []string) string {
	if t := tableOf(path); t != "" {
		header := "[" + t + "]"
		if t != "latency" && t != "sync" {
			header = "[" + header + "]"
		}
		return fmt.Sprintf("unknown key; the keys allowed in %s are %s", header, strings.Join(tableKeys[t], ", "))
	}
	var values []string
	for _, k := range tableKeys[""] {
		if !slices.Contains(subTables, k) {
			values = append(values, k)
		}
	}
	return "unknown key; the keys allowed here are " + strings.Join(values, ", ") + " and the tables [latency], [sync], [[partition]] and [[crash]]"
}

// valuePosition is where the value of kv starts. go-toml records no range
// for arrays and inline tables, so it is found from the key: the first
// character after the "=" that follows the key's last part.
func valuePosition(p *unstable.Parser, kv *unstable.Node) position {
	if v := kv.Value(); v.Raw.Length > 0 {
		sh := p.Shape(v.Raw)
		return position{sh.Start.Line, sh.Start.Column}
	}
	var last *unstable.Node
	for it := kv.Key(); it.Next(); {
		last = it.Node()
	}
	data := p.Data()
	i := int(last.Raw.Offset + last.Raw.Length)
	for i < len(data) && data[i] != '=' {
		i++
	}
	for i++; i < len(data) && (data[i] == ' ' || data[i] == '\t'); i++ {
	}
	if i >= len(data) {
		return keyPosition(p, kv)
	}
	sh := p.Shape(unstable.Range{Offset: uint32(i), Length: 1})
	return position{sh.Start.Line, sh.Start.Column}
}

func keyPosition(p *unstable.Parser, n *unstable.Node) position {
	it := n.Key()
	it.Next()
	sh := p.Shape(it.Node().Raw)
	return position{sh.Start.Line, sh.Start.Column}
}

func appendKey(path []string, n *unstable.Node) []string {
	for it := n.Key(); it.Next(); {
		path = append(path, string(it.Node().Data))
	}
	return path
}

func kindWords(k unstable.Kind) string {
	switch k {
	case unstable.Integer:
		return "integer"
	case unstable.Float:
		return "float"
	case unstable.Bool:
		return "boolean"
	case unstable.Array:
		return "array"
	case unstable.InlineTable:
		return "table"
	}
	return strings.ToLower(k.String())
}

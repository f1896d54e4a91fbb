package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2/unstable"
)

// The keys a scenario may set: at the top level, and in [latency].
var (
	topKeys      = []string{"seed", "servers", "clients", "requests_per_client", "set_ratio", "max_value", "sync_interval", "assignment", "max_time", "max_events", "latency"}
	latencyKeys  = []string{"distribution", "fixed", "min", "max", "floor", "mean"}
	durationKeys = []string{"sync_interval", "max_time", "latency.fixed", "latency.min", "latency.max", "latency.floor", "latency.mean"}
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
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = appendKey(table[:0], e)
			if err := checkKey(table, keyPosition(&p, e)); err != nil {
				return nil, err
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
	sh := p.Shape(v.Raw)
	pos := position{sh.Start.Line, sh.Start.Column}
	if err := checkKey(path, keyPosition(p, kv)); err != nil {
		return err
	}
	key := strings.Join(path, ".")
	keys[key] = pos
	if slices.Contains(durationKeys, key) {
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

// checkKey rejects a key that is not exactly one a scenario may set.
func checkKey(path []string, pos position) *Error {
	known := topKeys
	if len(path) > 1 && path[0] == "latency" {
		known = latencyKeys
	}
	name := path[len(path)-1]
	if len(path) > 2 || !slices.Contains(known, name) {
		return &Error{Line: pos.line, Col: pos.col, Key: strings.Join(path, "."), Msg: unknownKey(path)}
	}
	return nil
}

// unknownKey says what may stand where an unknown key does.
func unknownKey(path []string) string {
	if len(path) > 1 && path[0] == "latency" {
		return "unknown key; the keys allowed in [latency] are " + strings.Join(latencyKeys, ", ")
	}
	return "unknown key; the keys allowed here are " + strings.Join(topKeys[:len(topKeys)-1], ", ") + " and the table [latency]"
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

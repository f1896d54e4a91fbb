package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// The keys a scenario may set, by table ("" is the top level), and which of
// them are durations.
var (
	tableKeys = map[string][]string{
		"": {"seed", "servers", "clients", "requests_per_client", "set_ratio", "max_value", "sync_interval",
			"assignment", "max_time", "max_events", "request_timeout", "loss", "duplicate", "faults_until",
			"liveness_bound", "swarm", "latency", "sync", "server", "partition", "crash"},
		"latency":   {"distribution", "fixed", "min", "max", "floor", "mean"},
		"sync":      {"strategy", "fanout", "k", "feedback", "coin", "anti_entropy"},
		"server":    {"variant"},
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
	// maxTables bounds the entries of each array of tables.
	maxTables = map[string]int{"partition": MaxPartitions, "crash": MaxCrashes}
	// subTables are the top-level keys that are tables, not values.
	subTables = []string{"latency", "sync", "server", "partition", "crash"}
)

// position is where a key's value is written in a scenario file, from 1.
type position struct{ line, col int }

// lineIndex finds the line and column of a byte offset in a document. It
// records where each line starts, once, so that placing every key of a
// large file takes a binary search each: go-toml's Parser.Shape counts the
// newlines from the start of the document on every call, which made
// placing the keys of a file of thousands of tables quadratic (seconds for
// a few thousand [[partition]] tables).
type lineIndex struct {
	data   []byte
	starts []int // the offset at which each line starts
}

func newLineIndex(data []byte) *lineIndex {
	x := &lineIndex{data: data, starts: []int{0}}
	for i, c := range data {
		if c == '\n' {
			x.starts = append(x.starts, i+1)
		}
	}
	return x
}

// at is the position of offset: columns count bytes from 1, as go-toml's
// do.
func (x *lineIndex) at(offset int) position {
	line, _ := slices.BinarySearch(x.starts, offset+1) // the lines starting at or before offset
	return position{line, offset - x.starts[line-1] + 1}
}

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
	lines := newLineIndex(data)
	var table []string
	arrays := make(map[string]int) // [[name]] tables seen so far
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = appendKey(table[:0], e)
			pos := keyPosition(lines, e)
			if err := checkKey(table, true, pos); err != nil {
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
				if limit := maxTables[table[0]]; arrays[table[0]] > limit {
					return nil, &Error{Line: pos.line, Col: pos.col, Key: fmt.Sprintf("%s[%d]", table[0], arrays[table[0]]),
						Msg: fmt.Sprintf("too many %s tables: allowed at most %d", tableHeader(table[0]), limit)}
				}
				table[0] = fmt.Sprintf("%s[%d]", table[0], arrays[table[0]])
				keys[table[0]] = pos
			}
		case unstable.KeyValue:
			if err := addKeyValue(lines, keys, table, e); err != nil {
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
func addKeyValue(lines *lineIndex, keys map[string]position, table []string, kv *unstable.Node) *Error {
	path := appendKey(slices.Clone(table), kv)
	v := kv.Value()
	keyPos := keyPosition(lines, kv)
	pos := valuePosition(lines, kv)
	if err := checkKey(path, false, keyPos); err != nil {
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
				Msg: fmt.Sprintf("want a duration string such as \"100ms\", have a TOML %s", tomlKind(v.Kind))}
		}
		if _, err := parseDuration(string(v.Data)); err != nil {
			return &Error{Line: pos.line, Col: pos.col, Key: key,
				Msg: fmt.Sprintf("want a duration such as \"100ms\" or \"2s\": %v", err)}
		}
	}
	if v.Kind == unstable.InlineTable {
		for it := v.Children(); it.Next(); {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				if err := addKeyValue(lines, keys, path, n); err != nil {
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

// checkKey rejects a key that is not exactly one a scenario may set, and a
// path through a key that is not a table, such as seed.x or [sync.k]: of
// the keys a scenario sets, only the top-level latency, sync, partition
// and crash are tables. header says that path is a table's header, which
// must name a table itself.
func checkKey(path []string, header bool, pos position) *Error {
	fail := func(n int, msg string) *Error {
		return &Error{Line: pos.line, Col: pos.col, Key: strings.Join(path[:n], "."), Msg: msg}
	}
	top, _, _ := strings.Cut(path[0], "[")
	switch {
	case !slices.Contains(tableKeys[""], top):
		return fail(1, unknownKey("", top))
	case !slices.Contains(subTables, top) && (header || len(path) > 1):
		return fail(1, notATable(top))
	case len(path) == 1:
		return nil
	case !slices.Contains(tableKeys[top], path[1]):
		return fail(2, unknownKey(top, path[1]))
	case header || len(path) > 2:
		return fail(2, fmt.Sprintf("takes a value, not a table: write %s = VALUE in %s", path[1], tableHeader(top)))
	}
	return nil
}

// notATable says that a top-level key that takes a value was written as a
// table.
func notATable(key string) string {
	return fmt.Sprintf("takes a value, not a table: write %s = VALUE at the top level, before any table (the tables are [latency], [sync], [server], [[partition]] and [[crash]])", key)
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

// unknownKey says what may stand in table ("" for the top level) where
// the unknown key name does, and which known key it may have meant.
func unknownKey(table, name string) string {
	hint := suggestion(table, name)
	if table != "" {
		return fmt.Sprintf("unknown key; the keys allowed in %s are %s%s", tableHeader(table), strings.Join(tableKeys[table], ", "), hint)
	}
	var values []string
	for _, k := range tableKeys[""] {
		if !slices.Contains(subTables, k) {
			values = append(values, k)
		}
	}
	return "unknown key; the keys allowed here are " + strings.Join(values, ", ") + " and the tables [latency], [sync], [server], [[partition]] and [[crash]]" + hint
}

// unknownKeyAt is unknownKey for a key path, dotted or not.
func unknownKeyAt(path []string) string {
	if t := tableOf(path); len(path) >= 2 && len(tableKeys[t]) > 0 {
		return unknownKey(t, path[1])
	}
	return unknownKey("", path[0])
}

// valuePosition is where the value of kv starts. go-toml records no range
// for arrays and inline tables, so it is found from the key: the first
// character after the "=" that follows the key's last part.
func valuePosition(lines *lineIndex, kv *unstable.Node) position {
	if v := kv.Value(); v.Raw.Length > 0 {
		return lines.at(int(v.Raw.Offset))
	}
	var last *unstable.Node
	for it := kv.Key(); it.Next(); {
		last = it.Node()
	}
	data := lines.data
	i := int(last.Raw.Offset + last.Raw.Length)
	for i < len(data) && data[i] != '=' {
		i++
	}
	for i++; i < len(data) && (data[i] == ' ' || data[i] == '\t'); i++ {
	}
	if i >= len(data) {
		return keyPosition(lines, kv)
	}
	return lines.at(i)
}

func keyPosition(lines *lineIndex, n *unstable.Node) position {
	it := n.Key()
	it.Next()
	return lines.at(int(it.Node().Raw.Offset))
}

func appendKey(path []string, n *unstable.Node) []string {
	for it := n.Key(); it.Next(); {
		path = append(path, string(it.Node().Data))
	}
	return path
}

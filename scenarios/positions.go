package scenarios

import (
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// position is where a key is set in a scenario file, from 1.
type position struct{ line, col int }

// keyPositions maps every key the document sets, dotted ("latency.min"),
// to where its value is written. go-toml reports positions for the errors
// it finds while decoding; errors found afterwards, in validation, use this
// map to point at the offending line too. A key missing from the map relies
// on its default.
func keyPositions(data []byte) (map[string]position, error) {
	keys := make(map[string]position)
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = appendKey(table[:0], e)
		case unstable.KeyValue:
			addKeyValue(&p, keys, table, e)
		}
	}
	return keys, p.Error()
}

// addKeyValue records a key = value under the table path, and the keys of
// an inline table value (latency = { min = "1ms" }) under its own path.
func addKeyValue(p *unstable.Parser, keys map[string]position, table []string, kv *unstable.Node) {
	path := appendKey(append([]string(nil), table...), kv)
	v := kv.Value()
	sh := p.Shape(v.Raw)
	keys[strings.Join(path, ".")] = position{sh.Start.Line, sh.Start.Column}
	if v.Kind == unstable.InlineTable {
		for it := v.Children(); it.Next(); {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				addKeyValue(p, keys, path, n)
			}
		}
	}
}

func appendKey(path []string, n *unstable.Node) []string {
	for it := n.Key(); it.Next(); {
		path = append(path, string(it.Node().Data))
	}
	return path
}

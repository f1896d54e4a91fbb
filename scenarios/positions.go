package scenarios

import (
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// position is where a key is set in a scenario file, from 1.
type position struct{ line, col int }

// keyPositions maps every key the document sets, dotted ("latency.min"),
// to where it is written. go-toml reports positions for the errors it finds
// while decoding; errors found afterwards, in validation, use this map to
// point at the offending line too. A key missing from the map relies on its
// default.
func keyPositions(data []byte) (map[string]position, error) {
	keys := make(map[string]position)
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = table[:0]
			for it := e.Key(); it.Next(); {
				table = append(table, string(it.Node().Data))
			}
		case unstable.KeyValue:
			path := append([]string(nil), table...)
			var first *unstable.Node
			for it := e.Key(); it.Next(); {
				if first == nil {
					first = it.Node()
				}
				path = append(path, string(it.Node().Data))
			}
			sh := p.Shape(first.Raw)
			keys[strings.Join(path, ".")] = position{sh.Start.Line, sh.Start.Column}
		}
	}
	return keys, p.Error()
}

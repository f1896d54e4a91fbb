package explore

import (
	"fmt"
	"strings"

	"eccounter/model"
	"eccounter/sim"
	"eccounter/viz"
)

// The state graph of a tiny configuration (Options.Graph): every state
// and every step between them, for a picture of every possible run.

// graph collects the states and steps as the search finds them.
type graph struct {
	g   viz.StateGraph
	max int
}

// state records state id, new, at depth.
func (gr *graph) state(x *explorer, id int32, w *world, depth int) {
	if int(id) != len(gr.g.States) || len(gr.g.States) >= gr.max {
		return
	}
	var b strings.Builder
	for i := range x.ns {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "s%d=%d", i+1, x.value(w, i))
		if w.down&(1<<i) != 0 {
			b.WriteString("(down)")
		}
	}
	for i := range x.nc {
		x.load(w, sim.NodeID(x.ns+i), model.Past)
		c := &x.clients[i]
		switch {
		case c.Done:
			fmt.Fprintf(&b, "\nc%d done", i+1)
		case c.Waiting:
			fmt.Fprintf(&b, "\nc%d waits on %s %d/%d", i+1, c.Pending.Type, c.Sent, c.Requests)
		}
	}
	if n := len(w.flight); n > 0 {
		fmt.Fprintf(&b, "\n%d in flight", n)
	}
	gr.g.States = append(gr.g.States, viz.GraphState{Label: b.String(), Depth: depth, Initial: depth == 0})
}

// edge records a step from one state to another.
func (gr *graph) edge(from, to int32, st Step, servers int) {
	if int(from) < gr.max && int(to) < gr.max {
		gr.g.Edges = append(gr.g.Edges, viz.GraphEdge{From: int(from), To: int(to), Label: formatStep(servers, st)})
	}
}

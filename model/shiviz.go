package model

import (
	"fmt"
	"io"

	"eccounter/sim"
)

// ShiVizRegexp is the regular expression ShiViz parses its logs with by
// default, and the one ShiVizWriter's output matches: an event's
// description on one line, then its host and vector clock on the next.
const ShiVizRegexp = `(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`

// MaxShiVizNodes bounds the nodes of a run exported for ShiViz: the vector
// clocks take nodes*nodes entries, and a diagram of more nodes would not be
// read anyway.
const MaxShiVizNodes = 1000

// MaxShiVizBytes bounds the memory of the vector clocks of a ShiViz export.
// Each step whose messages are in flight keeps its sender's clock, nodes
// entries, until they arrive: 999 servers broadcasting hold a thousand
// clocks and a million messages a round, 40 MB, but long latencies or a
// short sync interval keep more rounds in flight. Past this bound the
// export stops with a ShiVizTooLargeError rather than take the machine's
// memory.
const MaxShiVizBytes = 256 << 20

// ShiVizTooLargeError is the error of a ShiViz export that outgrew
// MaxShiVizBytes.
type ShiVizTooLargeError struct {
	At       sim.Time
	Nodes    int
	InFlight int // messages in flight then
	Budget   int64
}

func (e *ShiVizTooLargeError) Error() string {
	return fmt.Sprintf("at %v, the vector clocks of %d nodes for %d messages in flight took more than %d MiB; "+
		"export fewer nodes (servers and clients), or fewer messages in flight at once (shorter latencies, a longer sync_interval)",
		e.At, e.Nodes, e.InFlight, e.Budget>>20)
}

// ShiVizWriter is an observer that writes a run as a ShiViz log: for every
// event of a node (a step, or its crash), the virtual time and what
// happened, in the words of the text schedule, then the node's name and its
// vector clock. ShiViz draws from it a space-time diagram in which each
// message is an edge of the happened-before relation.
type ShiVizWriter struct {
	w      io.Writer
	text   *TextWriter // for the words
	clocks *sim.VectorClocks[Msg, Note]
	nodes  int
	budget int64 // MaxShiVizBytes, but in tests
	buf    []byte
	err    error
}

// NewShiVizWriter returns a writer of c's run to w. Add it with
// c.Engine().Observe.
func NewShiVizWriter(w io.Writer, c *Cluster) *ShiVizWriter {
	return &ShiVizWriter{w: w, text: NewTextWriter(io.Discard, c), clocks: sim.NewVectorClocks(c.engine),
		nodes: c.engine.Len(), budget: MaxShiVizBytes}
}

// Err returns the first write error, if any, or a *ShiVizTooLargeError.
func (z *ShiVizWriter) Err() error { return z.err }

// BeforeStep does nothing.
func (z *ShiVizWriter) BeforeStep(sim.Time, sim.NodeID) {}

// AfterStep writes the event of a step, if it was a node's event. After an
// error it does nothing, and keeps no clocks: the run goes on without the
// log.
func (z *ShiVizWriter) AfterStep(s *Step) {
	if z.err != nil {
		return
	}
	z.clocks.AfterStep(s)
	if z.clocks.Bytes() > z.budget {
		z.err = &ShiVizTooLargeError{At: s.Time, Nodes: z.nodes, InFlight: z.clocks.InFlight(), Budget: z.budget}
		z.clocks = nil
		return
	}
	if !z.clocks.Ticked(s) {
		return
	}
	b := s.Time.AppendText(z.buf[:0])
	b = append(b, ' ')
	b = z.text.AppendEvent(b, s)
	b = append(b, '\n')
	b = append(b, z.text.name(s.Node)...)
	b = append(b, ' ')
	b = z.clocks.AppendJSON(b, s.Node)
	b = append(b, '\n')
	z.buf = b
	_, z.err = z.w.Write(b)
}

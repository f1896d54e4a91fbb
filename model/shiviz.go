package model

import (
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

// ShiVizWriter is an observer that writes a run as a ShiViz log: for every
// event of a node (a step, or its crash), the virtual time and what
// happened, in the words of the text schedule, then the node's name and its
// vector clock. ShiViz draws from it a space-time diagram in which each
// message is an edge of the happened-before relation.
type ShiVizWriter struct {
	w      io.Writer
	text   *TextWriter // for the words
	clocks *sim.VectorClocks[Msg, Note]
	buf    []byte
	err    error
}

// NewShiVizWriter returns a writer of c's run to w. Add it with
// c.Engine().Observe.
func NewShiVizWriter(w io.Writer, c *Cluster) *ShiVizWriter {
	return &ShiVizWriter{w: w, text: NewTextWriter(io.Discard, c), clocks: sim.NewVectorClocks(c.engine)}
}

// Err returns the first write error, if any.
func (z *ShiVizWriter) Err() error { return z.err }

// BeforeStep does nothing.
func (z *ShiVizWriter) BeforeStep(sim.Time, sim.NodeID) {}

// AfterStep writes the event of a step, if it was a node's event.
func (z *ShiVizWriter) AfterStep(s *Step) {
	z.clocks.AfterStep(s)
	if z.err != nil || !z.clocks.Ticked(s) {
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
